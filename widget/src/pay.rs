//! The payment screen: QR, address and amount to copy, countdown, live status, delivered goods.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::OrderStatus;

use crate::app::{EnvStore, emit, is_live};
use crate::model::{self, Order, trim_zeros};
use crate::{api, format, qr};

fn now_ms() -> f64 {
    js_sys::Date::now()
}

async fn sleep(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(w) = web_sys::window() {
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

fn page_hidden() -> bool {
    web_sys::window()
        .and_then(|w| w.document())
        .is_some_and(|d| d.visibility_state() == web_sys::VisibilityState::Hidden)
}

fn copy(text: String, done: RwSignal<Option<String>>, what: &'static str) {
    if let Some(w) = web_sys::window() {
        let promise = w.navigator().clipboard().write_text(&text);
        spawn_local(async move {
            let ok = wasm_bindgen_futures::JsFuture::from(promise).await.is_ok();
            done.set(Some(if ok { what } else { "copy failed: select the text instead" }.to_owned()));
        });
    }
}

#[component]
pub fn PayScreen(order: Order, env: EnvStore, restart: impl Fn() + Copy + Send + Sync + 'static) -> impl IntoView {
    // `Option` only so it shares its signal type with the checkout's; it is always set.
    let secret = order.client_secret.clone().unwrap_or_default();
    let current = RwSignal::new(Some(order.clone()));
    let latest = move || current.get().expect("always set");
    let latest_untracked = move || current.get_untracked().expect("always set");
    let offset_ms = RwSignal::new(order.server_time_ms - now_ms());
    let tick = RwSignal::new(now_ms());
    let reconnecting = RwSignal::new(false);
    let copied = RwSignal::new(None::<String>);
    let alive = Arc::new(AtomicBool::new(true));
    {
        let flag = alive.clone();
        on_cleanup(move || flag.store(false, Ordering::Relaxed));
    }

    // Clock for the countdown.
    {
        let alive = alive.clone();
        spawn_local(async move {
            while alive.load(Ordering::Relaxed) && is_live(latest_untracked().status) {
                tick.set(now_ms());
                sleep(1000).await;
            }
        });
    }

    // Live status: ~3 s while pending, slower while confirming, paused while the tab is hidden
    // (and read at once when it comes back), backing off on errors.
    {
        let api = env.with_value(|e| e.api.clone());
        let id = order.id.clone();
        spawn_local(async move {
            let mut etag: Option<String> = None;
            let mut errors: u32 = 0;
            let mut next = now_ms() + 3000.0;
            let mut was_hidden = false;
            while alive.load(Ordering::Relaxed) && is_live(latest_untracked().status) {
                sleep(250).await;
                let hidden = page_hidden();
                if hidden {
                    was_hidden = true;
                    continue;
                }
                if was_hidden {
                    was_hidden = false;
                    next = now_ms();
                }
                if now_ms() < next {
                    continue;
                }
                match api::order(&api, &id, &secret, etag.as_deref()).await {
                    Ok(Some((o, tag))) => {
                        errors = 0;
                        etag = tag;
                        offset_ms.set(o.server_time_ms - now_ms());
                        announce_changes(env, &latest_untracked(), &o);
                        current.set(Some(o));
                    }
                    Ok(None) => errors = 0,
                    Err(_) => errors = errors.saturating_add(1),
                }
                reconnecting.set(errors > 0);
                let base = if latest_untracked().status == OrderStatus::Confirming { 6000 } else { 3000 };
                let wait = if errors > 0 { (3000u32 << errors.min(4)).min(30_000) } else { base };
                next = now_ms() + f64::from(wait);
            }
        });
    }

    let status_text = move || format::status_line(&latest());
    let seconds = move || {
        tick.get();
        format::seconds_left(&latest(), now_ms(), offset_ms.get())
    };

    let crypto_view = move || {
        let o = latest();
        let coin = o.payment_method?.coin()?;
        if o.status != OrderStatus::Pending {
            return None;
        }
        // No address: the provider's hosted page takes the payment (the card view links it).
        let address = o.payment_address.clone()?;
        let uri = o.payment_uri.clone().unwrap_or_default();
        // Only a wallet's scheme is a link: a bare address (TRON) would be a relative link that
        // takes the seller's page away, and an empty one reloads it.
        let wallet = shared::uri::is_wallet_link(&uri).then(|| uri.clone());
        // The QR carries the URI, else the bare address. With neither there is nothing to pay
        // to, as with no address, and never a QR of an empty string.
        let text = if uri.is_empty() { address.clone() } else { uri };
        if text.is_empty() {
            return None;
        }
        let svg = qr::svg(&text).unwrap_or_default();
        let amount = trim_zeros(&o.amount_remaining).to_owned();
        let ticker = coin.asset.ticker();
        let (a1, a2) = (address.clone(), amount.clone());
        Some(view! {
            <div class="pay">
                <div class="qr" role="img" aria-label="QR code of the payment request" data-uri=text inner_html=svg></div>
                <p class="warning">{format::network_warning(coin)}</p>
                <div class="copyable">
                    <span class="caption">"Amount"</span>
                    <code data-copy="amount">{format!("{amount} {ticker}")}</code>
                    <button type="button" on:click=move |_| copy(a2.clone(), copied, "Amount copied")>"Copy"</button>
                </div>
                <div class="copyable">
                    <span class="caption">"Address"</span>
                    <code data-copy="address">{address.clone()}</code>
                    <button type="button" on:click=move |_| copy(a1.clone(), copied, "Address copied")>"Copy"</button>
                </div>
                {wallet.map(|href| view! { <a class="wallet" href=href>"Open in wallet"</a> })}
            </div>
        })
    };

    let card_view = move || {
        let o = latest();
        let url = o.checkout_url.clone()?;
        (o.status == OrderStatus::Pending).then(|| {
            view! {
                <p>"Pay on the secure payment page; this window follows along."</p>
                <a class="primary button" href=url target="_blank" rel="noopener">"Continue to payment"</a>
            }
        })
    };

    let end_view = move || {
        let o = latest();
        match o.status {
            OrderStatus::Completed => {
                let content = o.delivered_content.clone().unwrap_or_default();
                let c2 = content.clone();
                Some(view! {
                    <div class="done">
                        <p>"Order number " <strong data-order-number>{o.order_number.clone()}</strong></p>
                        {(!content.is_empty()).then(|| view! {
                            <p class="caption">"Your purchase"</p>
                            <pre class="delivered" data-delivered>{content.clone()}</pre>
                            <button type="button" on:click=move |_| copy(c2.clone(), copied, "Copied")>"Copy"</button>
                        })}
                    </div>
                }.into_any())
            }
            OrderStatus::Expired => Some(
                view! {
                    <button type="button" class="primary" on:click=move |_| restart()>"Start a new order"</button>
                }
                .into_any(),
            ),
            _ => None,
        }
    };

    view! {
        <div class="status" data-status=move || latest().status.as_str()>
            <p class="status-line" aria-live="polite" role="status">{status_text}</p>
            {move || reconnecting.get().then(|| view! { <p class="muted" role="status">"Reconnecting…"</p> })}
            {move || is_live(latest().status).then(|| view! {
                <p class="countdown">"Time left to pay: " <span data-countdown>{move || format::countdown(seconds())}</span></p>
            })}
        </div>
        {crypto_view}
        {card_view}
        {end_view}
        <p class="muted" aria-live="polite">{move || copied.get()}</p>
    }
}

/// Tells the host page what changed.
fn announce_changes(env: EnvStore, before: &Order, after: &Order) {
    if before.status == after.status
        && before.confirmations == after.confirmations
        && before.amount_paid == after.amount_paid
    {
        return;
    }
    let detail = model::object(&[
        ("id", Some(after.id.as_str().into())),
        ("status", Some(after.status.as_str().into())),
        ("confirmations", Some(after.confirmations.into())),
        ("amount_paid", Some(after.amount_paid.as_str().into())),
    ]);
    emit(env, "status", &detail);
    if before.status != after.status {
        match after.status {
            OrderStatus::Completed => emit(env, "completed", &after.to_js()),
            OrderStatus::Expired => emit(env, "expired", &after.to_js()),
            _ => {}
        }
    }
}
