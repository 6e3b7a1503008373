//! Live push to the buyer's checkout: WebSockets held by the order's object through the
//! hibernation API, so an open checkout costs nothing while nothing happens.
//!
//! A socket is opened unauthenticated and says who it is in its first message
//! (`{"client_secret": …}`), never in the URL, which ends up in logs. Then it gets the buyer's
//! view of the order at once and on every change (`{"data": view}`, the body of
//! `GET /v1/orders/:id`), and is closed when the order is final. The client's `ping` is answered
//! `pong` by the runtime without waking the object: that is the heartbeat.

use serde::{Deserialize, Serialize};
use worker::{Date, Request, Response, Result, WebSocket, WebSocketPair, WebSocketRequestResponsePair};

use super::record::Record;
use super::{OrderObject, now};
use crate::{http, ids};

/// Sockets one order holds at most; one more is refused with 429.
pub const MAX_SOCKETS: usize = 5;
/// A socket that has not said who it is after this long gives its place to a new one.
const AUTH_GRACE_MS: f64 = 10_000.0;
/// Closes: the order is final; the secret is wrong.
const CLOSE_FINAL: u16 = 1000;
const CLOSE_UNAUTHORIZED: u16 = 4401;

/// What the object remembers of a socket across hibernation.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
struct Seat {
    authorized: bool,
    opened_ms: f64,
}

#[derive(Deserialize)]
struct Hello {
    client_secret: String,
}

fn seat(ws: &WebSocket) -> Option<Seat> {
    ws.deserialize_attachment::<Seat>().ok().flatten()
}

impl OrderObject {
    /// Accepts a socket for this order, unless it already holds [`MAX_SOCKETS`].
    pub(super) async fn open_socket(&self, _req: Request) -> Result<Response> {
        if self.load().await?.is_none() {
            return http::error(404, "order_not_found", "no such order");
        }
        let now_ms = Date::now().as_millis() as f64;
        let mut open = self.state.get_websockets();
        // Strangers who never said who they are do not keep the buyer out.
        for ws in &open {
            if seat(ws).is_some_and(|s| !s.authorized && now_ms - s.opened_ms > AUTH_GRACE_MS) {
                let _ = ws.close(Some(CLOSE_UNAUTHORIZED), Some("no client secret"));
            }
        }
        open.retain(|ws| seat(ws).is_some_and(|s| s.authorized || now_ms - s.opened_ms <= AUTH_GRACE_MS));
        if open.len() >= MAX_SOCKETS {
            return http::error(429, "too_many_connections", "this order has as many live connections as it takes");
        }
        let pair = WebSocketPair::new()?;
        self.state.accept_web_socket(&pair.server);
        pair.server.serialize_attachment(Seat { authorized: false, opened_ms: now_ms })?;
        self.state.set_websocket_auto_response(&WebSocketRequestResponsePair::new("ping", "pong")?);
        Response::from_websocket(pair.client)
    }

    /// A socket's first message authorises it; anything after that is ignored.
    pub(super) async fn socket_message(&self, ws: WebSocket, text: Option<String>) -> Result<()> {
        if seat(&ws).is_some_and(|s| s.authorized) {
            return Ok(());
        }
        let hello = text.and_then(|t| shared::wire::read::<Hello>(&t).ok());
        let Some(r) = self.load().await? else { return ws.close(Some(CLOSE_FINAL), Some("no such order")) };
        match hello {
            Some(h) if ids::constant_time_eq(&h.client_secret, &r.client_secret) => {
                let opened_ms = seat(&ws).map_or(0.0, |s| s.opened_ms);
                ws.serialize_attachment(Seat { authorized: true, opened_ms })?;
                push_to(&ws, &r)
            }
            _ => ws.close(Some(CLOSE_UNAUTHORIZED), Some("unauthorized")),
        }
    }

    /// Sends the order as it now is to every authorised socket, once per change.
    pub(super) fn push(&self, r: &Record) {
        if r.rev <= self.pushed_rev.get() {
            return;
        }
        self.pushed_rev.set(r.rev);
        for ws in self.state.get_websockets() {
            if seat(&ws).is_some_and(|s| s.authorized)
                && let Err(e) = push_to(&ws, r)
            {
                worker::console_warn!("live push for {} failed: {e}", r.order.id);
            }
        }
    }
}

/// The buyer's view, as `GET /v1/orders/:id` has it; a final order closes the socket after it.
fn push_to(ws: &WebSocket, r: &Record) -> Result<()> {
    let body = serde_json::json!({ "data": r.order.public_view(now()) });
    ws.send_with_str(body.to_string())?;
    if r.order.status.is_final() {
        ws.close(Some(CLOSE_FINAL), Some("the order is final"))?;
    }
    Ok(())
}
