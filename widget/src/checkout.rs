//! The checkout: loads the product, shows the form until an order is made, then its payment.

use leptos::either::EitherOf4;
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
    // "Start a new order" brings the form back, as the buyer left it. One `Either` type rather
    // than `into_any()`: an `AnyView` keeps every erased function of its view, server rendering
    // included, which cost 3.6 KB of the download here (1.9 KB more in `Outcome`).
    let body = move || match (order.get(), product.get()) {
        (Some(o), _) => EitherOf4::A(view! { <PayScreen order=o env restart=move || order.set(None)/> }),
        (None, Some(p)) => EitherOf4::B(view! { <OrderForm product=p draft quote order env/> }),
        (None, None) => match load_error.get() {
            Some(msg) => EitherOf4::C(view! { <p class="error" role="alert">{msg}</p> }),
            None => EitherOf4::D(view! { <p class="muted">"Loading…"</p> }),
        },
    };
    view! {
        <Dialog title env>
            {sandbox}
            {body}
        </Dialog>
    }
}
