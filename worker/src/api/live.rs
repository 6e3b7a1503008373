//! `GET /v1/orders/:id/live`: the buyer's WebSocket, handed to the order's object (which checks
//! the client secret in the socket's first message).

use worker::Request;

use super::Ctx;
use super::objects::{not_found_order, order_stub};
use crate::http::{self, Handled, refuse};
use crate::ids;

pub(super) async fn open(ctx: &Ctx<'_>, req: Request, id: &str) -> Handled {
    if !ctx.config.live_sockets {
        return refuse(http::error(404, "not_found", "live updates are off here: poll the order"));
    }
    if !req.headers().get("Upgrade")?.is_some_and(|u| u.eq_ignore_ascii_case("websocket")) {
        return refuse(http::error(426, "upgrade_required", "open this endpoint as a WebSocket"));
    }
    // Browsers send their page's origin with a socket and CORS does not apply: checked here,
    // so another site's page cannot open a buyer's socket.
    if let Some(origin) = http::origin(&req)
        && !ctx.config.allowed_origins.allows(&origin)
    {
        return refuse(http::error(403, "origin_not_allowed", "this page's origin may not open the checkout"));
    }
    if !ids::is_order_id(id) {
        return refuse(not_found_order());
    }
    Ok(order_stub(ctx, id)?.fetch_with_request(req).await?)
}
