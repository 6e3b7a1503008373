//! The checkout: loads the product, shows the form until an order is made, then its payment.

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api;
use crate::dialog::Dialog;
use crate::draft::Draft;
use crate::env::EnvStore;
use crate::form::OrderForm;
use crate::model::{Order, Product};
use crate::options::Options;
use crate::pay::PayScreen;
use crate::quote::LiveQuote;

#[component]
pub fn Checkout(options: Options, env: EnvStore) -> impl IntoView {
    let product = RwSignal::new(None::<Product>);
    let load_error = RwSignal::new(None::<String>);
    let order = RwSignal::new(None::<Order>);
    let draft = Draft::new(&options);
    let quote = LiveQuote::follow(product, draft, env);

    spawn_local(async move {
        match api::product(&env.api(), options.product.as_deref().unwrap_or_default()).await {
            Ok(p) => {
                draft.fit(&p, options.method.as_deref());
                product.set(Some(p));
            }
            Err(e) => {
                env.emit_error(&e);
                load_error.set(Some(e.message));
            }
        }
    });

    let title = move || product.get().map(|p| p.name).unwrap_or_else(|| "Checkout".into());
    let sandbox = move || {
        product.get().is_some_and(|p| p.sandbox).then(|| {
            view! { <p class="sandbox" role="note">"Test mode — do not send real funds."</p> }
        })
    };
    // "Start a new order" brings the form back, as the buyer left it.
    let body = move || match (order.get(), product.get()) {
        (Some(o), _) => view! { <PayScreen order=o env restart=move || order.set(None)/> }.into_any(),
        (None, Some(p)) => view! { <OrderForm product=p draft quote order env/> }.into_any(),
        (None, None) => match load_error.get() {
            Some(msg) => view! { <p class="error" role="alert">{msg}</p> }.into_any(),
            None => view! { <p class="muted">"Loading…"</p> }.into_any(),
        },
    };
    view! {
        <Dialog title env>
            {sandbox}
            {body}
        </Dialog>
    }
}
