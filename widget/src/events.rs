//! The DOM events a seller's page can listen to: `tollgate:open`, `order`, `status`,
//! `completed`, `expired`, `error`, `close`. They bubble and cross the shadow boundary.

use wasm_bindgen::{JsCast, JsValue};
use web_sys::{CustomEvent, CustomEventInit, HtmlElement};

pub fn dispatch(target: &HtmlElement, name: &str, detail: &JsValue) {
    let init = CustomEventInit::new();
    init.set_bubbles(true);
    init.set_composed(true);
    init.set_detail(detail);
    if let Ok(event) = CustomEvent::new_with_event_init_dict(&("tollgate:".to_owned() + name), &init) {
        let _ = target.dispatch_event(&event);
    }
}

/// Records the User Timing mark `name` in the next animation frame, the first in which what
/// was just rendered is on screen: `tollgate:ready` (the form can be used) and `tollgate:qr`
/// (the payment's QR code is shown). Sellers can read them with a `PerformanceObserver`.
pub fn mark_next_frame(name: &'static str) {
    let Some(w) = web_sys::window() else { return };
    let mark = wasm_bindgen::closure::Closure::once_into_js(move || {
        if let Some(p) = web_sys::window().and_then(|w| w.performance()) {
            let _ = p.mark(name);
        }
    });
    let _ = w.request_animation_frame(mark.unchecked_ref());
}
