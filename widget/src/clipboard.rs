//! Copy buttons: the text to the clipboard, and a line saying how it went.

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::i18n::{Key, k, t};

/// Copies `text`; `done` then says `what` (a text's key) was copied, or that copying failed.
pub fn copy(text: String, done: RwSignal<Option<String>>, what: Key) {
    if let Some(w) = web_sys::window() {
        let promise = w.navigator().clipboard().write_text(&text);
        spawn_local(async move {
            let ok = wasm_bindgen_futures::JsFuture::from(promise).await.is_ok();
            done.set(Some(t(if ok { what } else { k::COPY_FAILED })));
        });
    }
}

/// A "Copy" button for `text`. One component for every copy button: each distinct click
/// closure would bring its own copy of the event code.
#[component]
pub fn CopyButton(text: String, done: RwSignal<Option<String>>, what: Key) -> impl IntoView {
    view! { <button type="button" on:click=move |_| copy(text.clone(), done, what)>{t(k::COPY)}</button> }
}
