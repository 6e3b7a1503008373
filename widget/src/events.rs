//! The DOM events a seller's page can listen to: `tollgate:open`, `order`, `status`,
//! `completed`, `expired`, `error`, `close`. They bubble and cross the shadow boundary.

use wasm_bindgen::JsValue;
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
