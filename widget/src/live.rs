//! An order kept live: the countdown's clock, and its status read again and again (ETag,
//! back-off, paused while the tab is hidden), with the host page told what changed.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::OrderStatus;

use crate::api;
use crate::env::EnvStore;
use crate::model::{self, Order};

pub fn now_ms() -> f64 {
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

/// Whether the widget should keep following an order in this status.
pub fn is_live(status: OrderStatus) -> bool {
    !status.is_final()
}

#[derive(Clone, Copy)]
pub struct LiveOrder {
    /// The order as last read. `Option` only so it shares its signal type with the checkout's
    /// order; it is always set.
    pub order: RwSignal<Option<Order>>,
    /// The server's clock minus the buyer's, as of the last read.
    pub offset_ms: RwSignal<f64>,
    /// The buyer's clock, once a second, for the countdown.
    pub tick: RwSignal<f64>,
    /// The last read failed.
    pub reconnecting: RwSignal<bool>,
}

impl LiveOrder {
    pub fn get(self) -> Order {
        self.order.get().expect("always set")
    }

    fn get_untracked(self) -> Order {
        self.order.get_untracked().expect("always set")
    }

    /// Follows `order` until it is final or the calling component is gone.
    pub fn follow(order: Order, env: EnvStore) -> LiveOrder {
        let live = LiveOrder {
            order: RwSignal::new(Some(order.clone())),
            offset_ms: RwSignal::new(order.server_time_ms - now_ms()),
            tick: RwSignal::new(now_ms()),
            reconnecting: RwSignal::new(false),
        };
        let alive = Arc::new(AtomicBool::new(true));
        {
            let flag = alive.clone();
            on_cleanup(move || flag.store(false, Ordering::Relaxed));
        }
        {
            let alive = alive.clone();
            spawn_local(async move {
                while alive.load(Ordering::Relaxed) && is_live(live.get_untracked().status) {
                    live.tick.set(now_ms());
                    sleep(1000).await;
                }
            });
        }
        spawn_local(live.poll(order, env, alive));
        live
    }

    /// ~3 s while pending, slower while confirming, paused while the tab is hidden (and read at
    /// once when it comes back), backing off on errors.
    async fn poll(self, order: Order, env: EnvStore, alive: Arc<AtomicBool>) {
        let api = env.api();
        let secret = order.client_secret.unwrap_or_default();
        let mut etag: Option<String> = None;
        let mut errors: u32 = 0;
        let mut next = now_ms() + 3000.0;
        let mut was_hidden = false;
        while alive.load(Ordering::Relaxed) && is_live(self.get_untracked().status) {
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
            match api::order(&api, &order.id, &secret, etag.as_deref()).await {
                Ok(Some((o, tag))) => {
                    errors = 0;
                    etag = tag;
                    self.offset_ms.set(o.server_time_ms - now_ms());
                    announce_changes(env, &self.get_untracked(), &o);
                    self.order.set(Some(o));
                }
                Ok(None) => errors = 0,
                Err(_) => errors = errors.saturating_add(1),
            }
            self.reconnecting.set(errors > 0);
            let base = if self.get_untracked().status == OrderStatus::Confirming { 6000 } else { 3000 };
            let wait = if errors > 0 { (3000u32 << errors.min(4)).min(30_000) } else { base };
            next = now_ms() + f64::from(wait);
        }
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
    env.emit("status", &detail);
    if before.status != after.status {
        match after.status {
            OrderStatus::Completed => env.emit("completed", &after.to_js()),
            OrderStatus::Expired => env.emit("expired", &after.to_js()),
            _ => {}
        }
    }
}
