//! The checkout: loads the product, shows the form until an order is made, then its payment.

use leptos::either::EitherOf4;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api;
use crate::dialog::Dialog;
use crate::draft::Draft;
use crate::env::EnvStore;
use crate::form::OrderForm;
use crate::i18n::{self, k, t};
use crate::model::{Order, Product};
use crate::options::Options;
use crate::pay::PayScreen;
use crate::quote::LiveQuote;

/// How long the checkout waits for the buyer's locale before it speaks English.
const LOCALE_WAIT_MS: i32 = 2000;

/// `fetched` is the loader's request for the product, if it made one; Try again asks anew.
#[component]
pub fn Checkout(options: Options, env: EnvStore, fetched: Option<js_sys::Promise>) -> impl IntoView {
    let product = RwSignal::new(None::<Product>);
    let load_error = RwSignal::new(None::<String>);
    let order = RwSignal::new(None::<Order>);
    let draft = Draft::new(&options);
    let quote = LiveQuote::follow(product, draft, env);

    // The buyer's locale is fetched beside the product, not after it; English is built in.
    let tag = i18n::choose(options.locale.as_deref(), options.languages.iter().map(String::as_str));
    let texts_ready = RwSignal::new(i18n::select(tag));
    if !texts_ready.get_untracked() {
        let assets = options.assets.clone();
        spawn_local(async move {
            // Without the file the buyer reads English rather than nothing.
            api::load_locale(tag, &assets).await;
            texts_ready.set(true);
        });
        // A locale file that is slow to come does not hold the checkout: English after 2 s.
        spawn_local(async move {
            crate::live::sleep(LOCALE_WAIT_MS).await;
            texts_ready.set(true);
        });
    }
    let id = options.product.clone().unwrap_or_default();
    let method = options.method.clone();
    // The first load takes the loader's request if it made one; Try again asks anew.
    let first = StoredValue::new_local(fetched);
    let load = move || {
        let (id, method, answer) = (id.clone(), method.clone(), first.try_update_value(Option::take).flatten());
        load_error.set(None);
        spawn_local(async move {
            let result = match answer {
                Some(answer) => api::fetched_product(answer).await,
                None => api::product(&env.api(), &id).await,
            };
            match result {
                Ok(p) => {
                    draft.fit(&p, method.as_deref());
                    product.set(Some(p));
                }
                Err(e) => {
                    env.emit_error(&e);
                    load_error.set(Some(e.text()));
                }
            }
        });
    };
    load();

    let title = move || {
        texts_ready.get();
        product.get().map(|p| p.name).unwrap_or_else(|| t(k::TITLE))
    };
    let sandbox = move || {
        (texts_ready.get() && product.get().is_some_and(|p| p.sandbox))
            .then(|| view! { <p class="sandbox" role="note">{t(k::TEST_MODE)}</p> })
    };
    // "Start a new order" brings the form back, as the buyer left it. One `Either` type rather
    // than `into_any()`: an `AnyView` keeps every erased function of its view, server rendering
    // included, which cost 3.6 KB of the download here (1.9 KB more in `Outcome`). Nothing is
    // shown in words until the buyer's texts are in. (A separate optional view per screen
    // measured 1.5 KB larger than this `EitherOf4`.)
    let body = move || match (texts_ready.get(), order.get(), product.get()) {
        (true, Some(o), _) => EitherOf4::A(view! { <PayScreen order=o env restart=move || order.set(None)/> }),
        (true, None, Some(p)) => {
            crate::events::mark_next_frame("tollgate:ready");
            // The payment screen writes a clock time in the buyer's locale, whose data the
            // browser loads on first use (2 to 8 ms here): loaded while the form is filled.
            spawn_local(async {
                crate::live::sleep(100).await;
                crate::intl::time(0.0);
            });
            EitherOf4::B(view! { <OrderForm product=p draft quote order env/> })
        }
        (true, None, None) if load_error.get().is_some() => EitherOf4::C(view! {
            <p class="error" role="alert">{load_error.get()}</p>
            <button type="button" class="primary" on:click={
                let load = load.clone();
                move |_| load()
            }>{t(k::RETRY)}</button>
        }),
        _ => EitherOf4::D(
            view! { <p class="muted" aria-busy="true">{move || texts_ready.get().then(|| t(k::LOADING))}</p> },
        ),
    };
    view! {
        <Dialog title env>
            {sandbox}
            {body}
        </Dialog>
    }
}
