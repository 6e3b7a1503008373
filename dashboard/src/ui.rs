//! Small pieces every screen uses: error text, status badges, the theme switch, downloads.

use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::api::ApiError;
use crate::i18n::t;

/// A load's answer drawn by `render`, its refusal in words, "Loading…" meanwhile.
pub fn answer<T, V>(
    data: LocalResource<Result<T, ApiError>>,
    render: impl Fn(T) -> V + Clone + Send + Sync + 'static,
) -> impl IntoView
where
    T: Clone + 'static,
    V: IntoView + 'static,
{
    view! {
        <Suspense fallback=|| view! { <p aria-busy="true">{t("common.loading")}</p> }>
            {move || {
                let render = render.clone();
                data.get().map(move |r| match r {
                    Err(e) => view! { <p class="error" role="alert">{describe(&e)}</p> }.into_any(),
                    Ok(v) => render(v).into_any(),
                })
            }}
        </Suspense>
    }
}

/// Previous and next buttons around "Page n of m", for a list read a page at a time.
#[component]
pub fn Pager(page: RwSignal<u32>, pages: u64) -> impl IntoView {
    view! {
        <nav class="pager" aria-label=t("orders.pages")>
            <button class="quiet" disabled=move || page.get() <= 1 on:click=move |_| page.update(|p| *p -= 1)>{t("orders.previous")}</button>
            <span>{move || crate::i18n::tf("orders.page", &[("page", &page.get().to_string()), ("pages", &pages.to_string())])}</span>
            <button class="quiet" disabled=move || u64::from(page.get()) >= pages on:click=move |_| page.update(|p| *p += 1)>{t("orders.next")}</button>
        </nav>
    }
}

/// An error in a live region, so a screen reader says it when it appears.
#[component]
pub fn ErrorText(error: RwSignal<Option<String>>) -> impl IntoView {
    view! { <p class="error" role="alert">{move || error.get()}</p> }
}

/// The API's refusal as the seller reads it: its message, and the fields at fault.
pub fn describe(e: &ApiError) -> String {
    if e.status == 401 {
        return t("key.refused");
    }
    e.message.clone()
}

/// An order's status as a badge, in words.
#[component]
pub fn Status(status: String) -> impl IntoView {
    let label = t(&format!("status.{status}"));
    view! { <span class=format!("badge {status}")>{label}</span> }
}

/// Light, dark or the system's: kept in `localStorage` (a preference, not a secret).
#[component]
pub fn ThemeToggle() -> impl IntoView {
    let storage = || web_sys::window().and_then(|w| w.local_storage().ok().flatten());
    let root = || web_sys::window().and_then(|w| w.document()).and_then(|d| d.document_element());
    let initial =
        storage().and_then(|s| s.get_item("tollgate.theme").ok().flatten()).unwrap_or_else(|| "system".into());
    let theme = RwSignal::new(initial);
    Effect::new(move |_| {
        let value = theme.get();
        if let Some(r) = root() {
            let _ = if value == "system" {
                r.remove_attribute("data-theme")
            } else {
                r.set_attribute("data-theme", &value)
            };
        }
        if let Some(s) = storage() {
            let _ = s.set_item("tollgate.theme", &value);
        }
    });
    view! {
        <label class="theme">
            <span class="visually-hidden">{t("theme.label")}</span>
            <select on:change=move |ev| theme.set(event_target_value(&ev)) prop:value=move || theme.get()>
                <option value="system">{t("theme.system")}</option>
                <option value="light">{t("theme.light")}</option>
                <option value="dark">{t("theme.dark")}</option>
            </select>
        </label>
    }
}

/// Offers `text` as a file download named `name`.
pub fn download(name: &str, text: &str, mime: &str) {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else { return };
    let parts = js_sys::Array::of1(&text.into());
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let Ok(blob) = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options) else { return };
    let Ok(url) = web_sys::Url::create_object_url_with_blob(&blob) else { return };
    if let Ok(a) = document.create_element("a").map(|e| e.unchecked_into::<web_sys::HtmlAnchorElement>()) {
        a.set_href(&url);
        a.set_download(name);
        let _ = document.body().map(|b| b.append_child(&a));
        a.click();
        a.remove();
    }
    // Some browsers read the blob after the click returns: the URL is let go a little later.
    set_timeout(move || drop(web_sys::Url::revoke_object_url(&url)), std::time::Duration::from_secs(30));
}

/// A field of an API answer as text: a string as it is, a number or flag written, nothing for
/// null or absent.
pub fn field(v: &serde_json::Value, k: &str) -> String {
    match &v[k] {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// A time as the seller's browser writes it.
pub fn when(iso: &str) -> String {
    let d = js_sys::Date::new(&iso.into());
    if d.get_time().is_nan() {
        return iso.to_owned();
    }
    String::from(d.to_locale_string(&crate::i18n::lang(), &wasm_bindgen::JsValue::UNDEFINED))
}
