//! Tollgate's checkout widget: a Leptos (CSR) app in WebAssembly, mounted by `tollgate.js`
//! into a shadow root on the seller's page, talking to the worker's public API.

pub mod api;
pub mod app;
pub mod events;
pub mod format;
pub mod pay;
pub mod qr;

use leptos::prelude::*;
use serde::Deserialize;
use wasm_bindgen::prelude::*;

/// The widget's styles, adopted into each shadow root as a constructed stylesheet.
pub const CSS: &str = include_str!("widget.css");

/// What the loader passes: the button's attributes plus the script tag's settings.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Options {
    pub product: Option<String>,
    pub variant: Option<String>,
    pub quantity: Option<u32>,
    pub email: Option<String>,
    pub method: Option<String>,
    pub coupon: Option<String>,
    pub api: String,
    #[serde(default)]
    pub mode: String,
}

/// A mounted checkout; `unmount()` removes it.
#[wasm_bindgen]
pub struct MountHandle {
    inner: Option<Box<dyn std::any::Any>>,
}

#[wasm_bindgen]
impl MountHandle {
    pub fn unmount(&mut self) {
        self.inner.take();
    }
}

fn adopt_styles(root: &web_sys::ShadowRoot) -> Result<(), JsValue> {
    let sheet = web_sys::CssStyleSheet::new()?;
    sheet.replace_sync(CSS)?;
    js_sys::Reflect::set(root, &"adoptedStyleSheets".into(), &js_sys::Array::of1(&sheet))?;
    Ok(())
}

/// Mounts a checkout into `root`. Events are dispatched on `events`; `on_close` is called when
/// the buyer closes a modal.
#[wasm_bindgen]
pub fn mount(
    root: web_sys::ShadowRoot,
    options: &str,
    events: web_sys::HtmlElement,
    on_close: Option<js_sys::Function>,
) -> Result<MountHandle, JsValue> {
    let options: Options = serde_json::from_str(options).map_err(|e| JsValue::from_str(&format!("options: {e}")))?;
    adopt_styles(&root)?;
    let document = web_sys::window().and_then(|w| w.document()).ok_or("no document")?;
    let container: web_sys::HtmlElement = document.create_element("div")?.dyn_into()?;
    root.append_child(&container)?;
    let env = StoredValue::new_local(app::Env {
        api: options.api.trim_end_matches('/').to_owned(),
        events,
        on_close,
        modal: options.mode != "inline",
    });
    let handle = leptos::mount::mount_to(container, move || view! { <app::Checkout options=options.clone() env=env/> });
    Ok(MountHandle { inner: Some(Box::new(handle)) })
}
