//! News from the upstream provider about one order.

use worker::Request;

use super::Ctx;
use super::objects::{not_found_order, order_call};
use crate::config::Gateway;
use crate::http::{self, Handled, Refusal, refuse};
use crate::ids;
use crate::order_object::{HookRefusal, OrderReply, OrderRequest, WebhookDelivery, WebhookOutcome};

/// `POST /v1/webhooks/:provider?order=<id>`: news from the provider about one order. The
/// order's object checks the signature or token, ignores replays and applies the rest.
pub(super) async fn receive(ctx: &Ctx<'_>, req: &mut Request, provider: &str) -> Handled {
    let configured = match &ctx.config.gateway {
        Gateway::Upstream(s) if s.provider.as_str() == provider => s.provider,
        _ => return refuse(http::error(404, "not_found", "no webhooks for this provider here")),
    };
    let id = http::query(req, "order").unwrap_or_default();
    // Before the body is read: a webhook for no order costs nothing.
    if !ids::is_order_id(&id) {
        return refuse(not_found_order());
    }
    let body = http::read_body(req, WEBHOOK_MAX_BODY).await?;
    let Ok(body) = String::from_utf8(body) else {
        return refuse(http::error(400, "invalid_body", "the webhook body is not UTF-8 text"));
    };
    let headers = req.headers().entries().collect();
    let delivery = WebhookDelivery { body, headers };
    let outcome = match order_call(ctx, &id, &OrderRequest::Webhook { delivery }).await? {
        OrderReply::Webhook { outcome } => outcome,
        other => {
            let why = format!("{} webhook: unexpected reply {other:?}", configured.display_name());
            return Err(Refusal::Fail(worker::Error::RustError(why)));
        }
    };
    match outcome {
        WebhookOutcome::Applied { status } => {
            Ok(http::json(200, &serde_json::json!({"received": true, "status": status}))?)
        }
        WebhookOutcome::Replay => Ok(http::json(200, &serde_json::json!({"received": true, "replay": true}))?),
        WebhookOutcome::Refused(refusal) => refuse(match refusal {
            HookRefusal::NoSuchOrder(why) => http::error(404, "order_not_found", why),
            HookRefusal::Unsupported(why) => http::error(404, "not_found", why),
            HookRefusal::Unauthorized(why) => http::error(401, "invalid_signature", why),
            HookRefusal::Stale(why) => http::error(401, "stale_webhook", why),
            HookRefusal::Malformed(why) => http::error(400, "invalid_webhook", why),
        }),
    }
}

/// A provider's webhook may be at most this large.
const WEBHOOK_MAX_BODY: usize = 64 * 1024;
