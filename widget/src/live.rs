//! An order kept live: the countdown's clock, and every change to the order, with the host page
//! told what changed.
//!
//! Changes come over the order's socket when it can be had: it says who it is in its first
//! message, then gets the buyer's view at once and on every change, and nothing is polled while
//! it is up. Corporate proxies and old browsers refuse it, and a socket can drop: then the order
//! is read again and again as before (ETag, back-off, paused while the tab is hidden) and the
//! socket is tried again with back-off. "Reconnecting" is for polls that fail: a socket that
//! cannot open while polling works is nothing the buyer needs to know. A poll asked before the
//! socket's latest view is dropped when it answers, so the screen never goes back to an older
//! state.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::OrderStatus;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::WebSocket;

use crate::api;
use crate::env::EnvStore;
use crate::model::{self, Order};

pub fn now_ms() -> f64 {
    js_sys::Date::now()
}

pub async fn sleep(ms: i32) {
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

/// Sockets are tried again after 2 s, doubling to a minute; a heartbeat goes every 25 s.
const SOCKET_RETRY_MS: f64 = 2000.0;
const SOCKET_RETRY_MAX_MS: f64 = 60_000.0;
const PING_MS: f64 = 25_000.0;

/// The order's socket, shared by the loop that opens it and the handler of its events.
#[derive(Default)]
struct Socket {
    /// The one socket there is, from its opening until it closes.
    ws: RefCell<Option<WebSocket>>,
    /// It has pushed a view and has not closed.
    up: Cell<bool>,
    /// Views pushed so far: a poll sent before the latest one is out of date when it returns.
    views: Cell<u32>,
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

    pub fn get_untracked(self) -> Order {
        self.order.get_untracked().expect("always set")
    }

    /// The component that follows the order is still there: its signals are disposed with it,
    /// so no flag and no `on_cleanup` are needed to tell.
    fn alive(self) -> bool {
        !self.tick.is_disposed()
    }

    /// Whether to keep following: still mounted, and the order not final.
    fn following(self) -> bool {
        self.alive() && is_live(self.get_untracked().status)
    }

    /// Follows `order` until it is final or the calling component is gone.
    pub fn follow(order: Order, env: EnvStore) -> LiveOrder {
        let live = LiveOrder {
            order: RwSignal::new(Some(order.clone())),
            offset_ms: RwSignal::new(order.server_time_ms - now_ms()),
            tick: RwSignal::new(now_ms()),
            reconnecting: RwSignal::new(false),
        };
        // Its own loop: the countdown goes on while a poll waits for its answer.
        spawn_local(async move {
            while live.following() {
                live.tick.set(now_ms());
                sleep(1000).await;
            }
        });
        spawn_local(live.watch(order, env));
        live
    }

    /// A newer view of the order, pushed or read.
    fn apply(self, env: EnvStore, o: Order) {
        self.offset_ms.set(o.server_time_ms - now_ms());
        announce_changes(env, &self.get_untracked(), &o);
        self.order.set(Some(o));
    }

    /// The socket's events (open, message, close), for every socket of this order. The one
    /// handler is given to JavaScript, which frees it with the last socket that holds it.
    fn socket_handler(self, env: EnvStore, socket: Rc<Socket>, hello: String) -> JsValue {
        Closure::<dyn FnMut(web_sys::Event)>::new(move |ev: web_sys::Event| {
            let ws = socket.ws.borrow().clone();
            let Some(ws) = ws else { return };
            if !self.alive() {
                let _ = ws.close();
                return;
            }
            // Only a message has data; `pong` and anything else that is not a view is ignored.
            match js_sys::Reflect::get(&ev, &"data".into()).ok().and_then(|d| d.as_string()) {
                Some(text) => {
                    if let Some(o) = Order::from_body(&text) {
                        socket.views.set(socket.views.get().wrapping_add(1));
                        socket.up.set(true);
                        self.reconnecting.set(false);
                        self.apply(env, o);
                    }
                }
                // Open: who we are, in the first message, never in the URL.
                None if ws.ready_state() == WebSocket::OPEN => {
                    let _ = ws.send_with_str(&hello);
                }
                None => {
                    socket.up.set(false);
                    socket.ws.take();
                }
            }
        })
        .into_js_value()
    }

    /// Over the socket while it is up; otherwise polls, ~3 s while pending and slower while
    /// confirming, paused while the tab is hidden (and read at once when it comes back), backing
    /// off on errors, while the socket is tried again with back-off.
    async fn watch(self, order: Order, env: EnvStore) {
        let api = env.api();
        let secret = order.client_secret.unwrap_or_default();
        let url = api::live_url(&api, &order.id);
        let socket = Rc::new(Socket::default());
        let hello = model::body(&[("client_secret", Some(secret.as_str().into()))]);
        let handler = self.socket_handler(env, socket.clone(), hello);
        let mut etag: Option<String> = None;
        let mut errors: u32 = 0;
        let mut next = now_ms() + 3000.0;
        let mut was_hidden = false;
        // When to try the socket again, the wait after that, and the next heartbeat.
        let (mut socket_at, mut socket_wait, mut ping_at) = (0.0, SOCKET_RETRY_MS, 0.0);
        loop {
            sleep(250).await;
            if !self.following() {
                break;
            }
            let now = now_ms();
            if socket.up.get() {
                // Every change comes over the socket. The heartbeat keeps proxies from closing
                // an idle connection; the server answers it without waking the order.
                if now >= ping_at {
                    if let Some(ws) = &*socket.ws.borrow() {
                        let _ = ws.send_with_str("ping");
                    }
                    ping_at = now + PING_MS;
                }
                socket_wait = SOCKET_RETRY_MS;
                // Should it drop, the order is read at once.
                next = now;
                continue;
            }
            if page_hidden() {
                was_hidden = true;
                continue;
            }
            if was_hidden {
                was_hidden = false;
                next = now;
            }
            if socket.ws.borrow().is_none() && now >= socket_at {
                *socket.ws.borrow_mut() = open_socket(&url, &handler);
                socket_at = now + socket_wait;
                socket_wait = (socket_wait * 2.0).min(SOCKET_RETRY_MAX_MS);
                ping_at = now + PING_MS;
            }
            if now < next {
                continue;
            }
            let views = socket.views.get();
            let answer = api::order(&api, &order.id, &secret, etag.as_deref()).await;
            // Gone meanwhile; or the socket has pushed a view since this was asked, which is
            // newer than the answer may be.
            if !self.alive() || socket.views.get() != views {
                continue;
            }
            match answer {
                Ok(Some((o, tag))) => {
                    errors = 0;
                    etag = tag;
                    self.apply(env, o);
                }
                Ok(None) => errors = 0,
                Err(_) => errors = errors.saturating_add(1),
            }
            self.reconnecting.set(errors > 0);
            let base = if self.get_untracked().status == OrderStatus::Confirming { 6000 } else { 3000 };
            let wait = if errors > 0 { (3000u32 << errors.min(4)).min(30_000) } else { base };
            next = now_ms() + f64::from(wait);
        }
        // Final, or the checkout is gone (seen at the loop's next turn, within a quarter of a
        // second): the socket goes too. Closing it from `on_cleanup` at once was measured at
        // +210 B of the download.
        if let Some(ws) = socket.ws.take() {
            let _ = ws.close();
        }
    }
}

/// A socket to `url` whose events go to `handler`; `None` where the browser refuses one.
fn open_socket(url: &str, handler: &JsValue) -> Option<WebSocket> {
    let ws = WebSocket::new(url).ok()?;
    for name in ["open", "message", "close"] {
        let _ = ws.add_event_listener_with_callback(name, handler.unchecked_ref());
    }
    Some(ws)
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
