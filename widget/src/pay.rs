//! The payment screen: where the order stands and the time left to pay, then how to pay it or
//! how it ended.

use leptos::prelude::*;

use crate::env::EnvStore;
use crate::format;
use crate::i18n::{k, t};
use crate::intl;
use crate::live::{LiveOrder, is_live, now_ms};
use crate::model::Order;
use crate::outcome::Outcome;
use crate::payment::{CryptoPayment, HostedPayment};
use crate::summary::OrderSummary;

/// `restart` brings the form back after an expired order.
#[component]
pub fn PayScreen(order: Order, env: EnvStore, restart: impl Fn() + Copy + Send + Sync + 'static) -> impl IntoView {
    let live = LiveOrder::follow(order, env);
    // What a copy button last did.
    let copied = RwSignal::new(None::<String>);
    let seconds = move || {
        live.tick.get();
        format::seconds_left(&live.get(), now_ms(), live.offset_ms.get())
    };
    let (before, after) = crate::i18n::around(k::TIME_LEFT, "time");
    view! {
        <div class="status" data-status=move || live.get().status.as_str()>
            <p class="status-line" aria-live="polite" role="status">{move || format::status_line(&live.get())}</p>
            // The status line says the same to a screen reader; the steps are for the eye, marked
            // by the stylesheet from `data-status`. Markup rewritten as the order changes: as a
            // view of four items they cost about 1 KB of the download.
            <ol class="steps" aria-hidden="true" inner_html=move || format::steps_html(&live.get())></ol>
            {move || live.reconnecting.get().then(|| view! { <p class="muted" role="status">{t(k::RECONNECTING)}</p> })}
            {move || is_live(live.get().status).then(|| view! {
                <p class="countdown">{before.clone()}<span data-countdown>{move || intl::countdown(seconds())}</span>{after.clone()}</p>
            })}
        </div>
        <CryptoPayment order=live copied/>
        <HostedPayment order=live/>
        <OrderSummary order=live/>
        <Outcome order=live copied restart/>
        <p class="muted" aria-live="polite">{move || copied.get()}</p>
    }
}
