//! Tollgate's checkout widget: a Leptos (CSR) app in WebAssembly, mounted by `tollgate.js`
//! into a shadow root on the seller's page, talking to the worker's public API.

pub mod api;
pub mod checkout;
pub mod clipboard;
pub mod dialog;
pub mod draft;
pub mod env;
pub mod events;
pub mod form;
pub mod format;
pub mod i18n;
pub mod intl;
pub mod live;
pub mod methods;
pub mod model;
pub mod options;
pub mod outcome;
pub mod pay;
pub mod payment;
pub mod qr;
pub mod quote;
pub mod summary;

use leptos::prelude::*;
use wasm_bindgen::prelude::*;

use crate::checkout::Checkout;
use crate::env::{Env, EnvStore};
use crate::options::Options;

/// The widget's styles, adopted into each shadow root as a constructed stylesheet.
pub const CSS: &str = include_str!(concat!(env!("OUT_DIR"), "/widget.css"));

/// A mounted checkout; `unmount()` removes it.
#[wasm_bindgen]
pub struct MountHandle {
    inner: Option<(Box<dyn std::any::Any>, web_sys::HtmlElement)>,
}

#[wasm_bindgen]
impl MountHandle {
    pub fn unmount(&mut self) {
        // The container goes too, so a host that is added again holds exactly one checkout.
        if let Some((handle, container)) = self.inner.take() {
            drop(handle);
            container.remove();
        }
    }
}

fn adopt_styles(root: &web_sys::ShadowRoot) -> Result<(), JsValue> {
    let sheet = web_sys::CssStyleSheet::new()?;
    sheet.replace_sync(CSS)?;
    js_sys::Reflect::set(root, &"adoptedStyleSheets".into(), &js_sys::Array::of1(&sheet))?;
    Ok(())
}

/// Mounts a checkout into `root`. Events are dispatched on `events`; `on_close` is called when
/// the buyer closes a modal. `product`, when given, is the loader's `fetch` of the product (a
/// promise of its `Response`), made while the wasm was loading.
#[wasm_bindgen]
pub fn mount(
    root: web_sys::ShadowRoot,
    options: &str,
    events: web_sys::HtmlElement,
    on_close: Option<js_sys::Function>,
    product: Option<js_sys::Promise>,
) -> Result<MountHandle, JsValue> {
    let options = Options::read(options).ok_or("options: a JSON object with `api` is required")?;
    adopt_styles(&root)?;
    let document = web_sys::window().and_then(|w| w.document()).ok_or("no document")?;
    let container: web_sys::HtmlElement = document.create_element("div")?.dyn_into()?;
    // The buyer's language, and its direction: the layout mirrors for Arabic and Hebrew.
    let tag = i18n::choose(options.locale.as_deref(), options.languages.iter().map(String::as_str));
    container.set_attribute("lang", tag)?;
    container.set_attribute("dir", if i18n::is_rtl(tag) { "rtl" } else { "ltr" })?;
    root.append_child(&container)?;
    let env =
        Env { api: options.api.trim_end_matches('/').to_owned(), events, on_close, modal: options.mode != "inline" };
    let handle = leptos::mount::mount_to(container.clone(), move || {
        view! { <Checkout options=options env=EnvStore::new(env) fetched=product/> }
    });
    Ok(MountHandle { inner: Some((Box::new(handle), container)) })
}

/// Requests the buyer's locale's texts ahead of a checkout, as the loader does for the wasm and
/// the product when a Buy button comes into view: `asked` is the button's or the script tag's
/// locale (or ""), `languages` the browser's (comma-separated), `assets` where the widget's
/// files are.
#[wasm_bindgen]
pub fn prepare(asked: &str, languages: &str, assets: &str) {
    let tag = i18n::choose(Some(asked).filter(|a| !a.is_empty()), languages.split(','));
    if tag != "en" {
        // Read here too: texts in before the click, and a failed request forgotten (the checkout
        // then asks anew) rather than kept for it. Before any mount Leptos has no executor, so
        // the browser's own task queue runs it.
        let assets = assets.to_owned();
        wasm_bindgen_futures::spawn_local(async move { api::load_locale(tag, &assets).await });
    }
}
