//! The checkout's frame: a modal dialog (Escape or a click outside closes it, Tab stays inside)
//! or, inline, a region of the page.

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::HtmlElement;

use crate::env::EnvStore;

/// Keeps Tab and Shift-Tab inside the dialog.
fn trap_focus(dialog: &HtmlElement, ev: &web_sys::KeyboardEvent) {
    let Ok(list) = dialog.query_selector_all("button:not([disabled]), a[href], input, select, [tabindex='0']") else {
        return;
    };
    let items: Vec<HtmlElement> =
        (0..list.length()).filter_map(|i| list.item(i)?.dyn_into::<HtmlElement>().ok()).collect();
    let (Some(first), Some(last)) = (items.first(), items.last()) else { return };
    let root = dialog.get_root_node();
    let active =
        js_sys::Reflect::get(&root, &"activeElement".into()).ok().and_then(|a| a.dyn_into::<HtmlElement>().ok());
    let at = |el: &HtmlElement| active.as_ref().is_some_and(|a| a == el);
    if ev.shift_key() && (at(first) || active.is_none()) {
        ev.prevent_default();
        let _ = last.focus();
    } else if !ev.shift_key() && at(last) {
        ev.prevent_default();
        let _ = first.focus();
    }
}

/// The frame around `children`, focused when it opens.
#[component]
pub fn Dialog<C: IntoView + 'static>(
    title: impl Fn() -> String + Send + Sync + 'static,
    env: EnvStore,
    children: TypedChildren<C>,
) -> impl IntoView {
    let modal = env.modal();
    let dialog_ref = NodeRef::<leptos::html::Div>::new();
    Effect::new(move |_| {
        if let Some(el) = dialog_ref.get() {
            let _ = el.focus();
        }
    });
    // A modal closes on Escape wherever focus is, and Tab stays inside it.
    if modal {
        let handle = window_event_listener(leptos::ev::keydown, move |ev| {
            if ev.key() == "Escape" {
                ev.prevent_default();
                env.close();
            } else if ev.key() == "Tab"
                && let Some(dialog) = dialog_ref.get_untracked()
            {
                trap_focus(&dialog, &ev);
            }
        });
        on_cleanup(move || handle.remove());
    }
    view! {
        <div class=if modal { "overlay" } else { "inline" } on:click=move |ev| {
            if modal && ev.target() == ev.current_target() { env.close(); }
        }>
            <div class="dialog" node_ref=dialog_ref tabindex="-1" role=if modal { "dialog" } else { "region" }
                aria-modal=modal.then_some("true") aria-labelledby="tg-title">
                <header>
                    <h2 id="tg-title">{title}</h2>
                    {modal.then(|| view! { <button type="button" class="close" aria-label=crate::i18n::t(crate::i18n::k::CLOSE) on:click=move |_| env.close()>"×"</button> })}
                </header>
                {children.into_inner()()}
            </div>
        </div>
    }
}
