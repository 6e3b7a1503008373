//! Tollgate's seller console: a Leptos (CSR) app served at `/dashboard` by the worker, on the
//! same origin as the API it calls with the seller's key. A second crate beside the widget, not
//! a second entry point in it: it shares no component with the checkout, needs browser APIs the
//! widget must not pay for (storage, files, downloads), and its size stays out of the buyer's
//! budget by construction.
//!
//! Screens: `overview` (revenue and orders as SVG charts), `orders` (the list, filters, CSV) and
//! `order` (one order's timeline, payments, deliveries and actions), `products` (catalog and
//! stock), `coupons`, `deliveries` (webhook deliveries across orders, with redeliver),
//! `activity` (the audit log). Routing is the URL's fragment (`#/orders`).

pub mod activity;
pub mod api;
pub mod charts;
pub mod coupons;
pub mod deliveries;
pub mod i18n;
pub mod key;
pub mod order;
pub mod orders;
pub mod overview;
pub mod products;
pub mod ui;

use leptos::prelude::*;
use wasm_bindgen::prelude::*;

use crate::i18n::t;

/// Where the fragment points.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Screen {
    Overview,
    Orders,
    Order(String),
    Products,
    Coupons,
    Deliveries,
    Activity,
}

impl Screen {
    pub fn from_hash(hash: &str) -> Screen {
        let parts: Vec<&str> = hash.trim_start_matches('#').trim_start_matches('/').split('/').collect();
        match parts.as_slice() {
            ["orders", id] if !id.is_empty() => Screen::Order((*id).to_owned()),
            ["orders", ..] => Screen::Orders,
            ["products", ..] => Screen::Products,
            ["coupons", ..] => Screen::Coupons,
            ["deliveries", ..] => Screen::Deliveries,
            ["activity", ..] => Screen::Activity,
            _ => Screen::Overview,
        }
    }
}

fn hash() -> String {
    web_sys::window().and_then(|w| w.location().hash().ok()).unwrap_or_default()
}

#[wasm_bindgen(start)]
pub fn start() {
    // The browser's own task queue: Leptos's executor starts with the mount, after the texts.
    wasm_bindgen_futures::spawn_local(async {
        i18n::load().await;
        if let Some(html) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.document_element()) {
            let tag = i18n::lang();
            let _ = html.set_attribute("lang", &tag);
            let _ = html.set_attribute("dir", if i18n::is_rtl(&tag) { "rtl" } else { "ltr" });
        }
        mount_to_body(App);
    });
}

/// The key gate, then the console.
#[component]
pub fn App() -> impl IntoView {
    let signed_in = RwSignal::new(key::get().is_some());
    view! {
        <Show when=move || signed_in.get() fallback=move || view! { <KeyGate signed_in/> }>
            <Console signed_in/>
        </Show>
    }
}

/// Asks for the seller key, and keeps it for this tab once the API takes it.
#[component]
fn KeyGate(signed_in: RwSignal<bool>) -> impl IntoView {
    let value = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        busy.set(true);
        key::set(&value.get_untracked());
        leptos::task::spawn_local(async move {
            match api::call("GET", "/v1/orders?limit=1", None).await {
                Ok(_) => signed_in.set(true),
                Err(e) => {
                    key::clear();
                    error.set(Some(if e.status == 401 { t("key.refused") } else { e.message }));
                }
            }
            busy.set(false);
        });
    };
    view! {
        <main class="gate">
            <h1>{t("app.title")}</h1>
            <form on:submit=submit>
                <label for="seller-key">{t("key.label")}</label>
                <input id="seller-key" type="password" autocomplete="off" spellcheck="false" required
                    prop:value=move || value.get() on:input=move |ev| value.set(event_target_value(&ev))/>
                <p class="hint">{t("key.hint")}</p>
                <ui::ErrorText error=error/>
                <button type="submit" disabled=move || busy.get()>{t("key.submit")}</button>
            </form>
        </main>
    }
}

/// The navigation and the screen the fragment names.
#[component]
fn Console(signed_in: RwSignal<bool>) -> impl IntoView {
    let screen = RwSignal::new(Screen::from_hash(&hash()));
    let _ = window_event_listener(leptos::ev::hashchange, move |_| screen.set(Screen::from_hash(&hash())));
    let link = move |href: &'static str, label: &'static str, is: fn(&Screen) -> bool| {
        view! {
            <a href=href aria-current=move || screen.with(is).then_some("page")>{t(label)}</a>
        }
    };
    let sign_out = move |_| {
        key::clear();
        signed_in.set(false);
    };
    view! {
        <header class="top">
            <strong class="brand">{t("app.title")}</strong>
            <nav aria-label=t("nav.label")>
                {link("#/overview", "nav.overview", |s| *s == Screen::Overview)}
                {link("#/orders", "nav.orders", |s| matches!(s, Screen::Orders | Screen::Order(_)))}
                {link("#/products", "nav.products", |s| *s == Screen::Products)}
                {link("#/coupons", "nav.coupons", |s| *s == Screen::Coupons)}
                {link("#/deliveries", "nav.deliveries", |s| *s == Screen::Deliveries)}
                {link("#/activity", "nav.activity", |s| *s == Screen::Activity)}
            </nav>
            <ui::ThemeToggle/>
            <button class="quiet" on:click=sign_out>{t("key.sign_out")}</button>
        </header>
        <main id="main">
            {move || match screen.get() {
                Screen::Overview => view! { <overview::Overview/> }.into_any(),
                Screen::Orders => view! { <orders::Orders/> }.into_any(),
                Screen::Order(id) => view! { <order::OrderDetail id/> }.into_any(),
                Screen::Products => view! { <products::Products/> }.into_any(),
                Screen::Coupons => view! { <coupons::Coupons/> }.into_any(),
                Screen::Deliveries => view! { <deliveries::Deliveries/> }.into_any(),
                Screen::Activity => view! { <activity::Activity/> }.into_any(),
            }}
        </main>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fragment_names_the_screen() {
        assert_eq!(Screen::from_hash("#/orders/ord_1"), Screen::Order("ord_1".into()));
        assert_eq!(Screen::from_hash("#/orders"), Screen::Orders);
        assert_eq!(Screen::from_hash("#/orders/"), Screen::Orders);
        assert_eq!(Screen::from_hash(""), Screen::Overview);
        assert_eq!(Screen::from_hash("#/deliveries"), Screen::Deliveries);
        assert_eq!(Screen::from_hash("#/nope"), Screen::Overview);
    }
}
