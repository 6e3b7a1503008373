//! The seller's routes (behind the seller's key): the order list, status changes, and each
//! order's events for the seller's endpoints.

use serde_json::Value;
use shared::wire::{Envelope, ErrorBody, ListMeta, ListResponse};
use shared::{OrderEvent, OrderStatus};
use worker::Request;

use super::Ctx;
use super::objects::{order_call, send_event, store_call, stored};
use crate::http::{self, Handled, refuse};
use crate::notices::NoticeView;
use crate::order_object::{OrderReply, OrderRequest};
use crate::store::ListQuery;

fn bad_parameter(name: &str, why: &str) -> Handled<u32> {
    refuse(http::json(
        400,
        &ErrorBody::new("invalid_parameter", format!("{name} {why}")).with_fields(vec![name.into()]),
    ))
}

pub(super) async fn list_orders(ctx: &Ctx<'_>, req: &Request) -> Handled {
    let param = |name: &str| http::query(req, name);
    let page = match param("page") {
        None => 1,
        Some(p) => match p.parse::<u32>() {
            Ok(n) if n >= 1 => n,
            _ => bad_parameter("page", "must be a whole number from 1")?,
        },
    };
    let limit = match param("limit") {
        None => 25,
        Some(l) => match l.parse::<u32>() {
            Ok(n) if (1..=100).contains(&n) => n,
            _ => bad_parameter("limit", "must be a whole number from 1 to 100")?,
        },
    };
    let status = param("status");
    if let Some(s) = &status
        && s.parse::<OrderStatus>().is_err()
    {
        bad_parameter("status", "must be one of pending, confirming, completed, refunded, cancelled, expired")?;
    }
    let offset = u64::from(page - 1) * u64::from(limit);
    let q = ListQuery { status, email: param("email"), product_id: param("product_id"), limit, offset };
    let listed = store_call(ctx, q).await?;
    Ok(http::json(200, &ListResponse { data: listed.orders, meta: ListMeta { total: listed.total, limit, offset } })?)
}

pub(super) async fn update_order(ctx: &Ctx<'_>, req: &mut Request, id: &str) -> Handled {
    let body = http::read_json(req).await?;
    let status = match body.get("status") {
        Some(Value::String(s)) => s
            .parse::<OrderStatus>()
            .or_else(|e| refuse(http::field_error("status", "invalid_status", e.to_string())))?,
        _ => {
            return refuse(http::field_error("status", "validation_failed", "status is required, as a string"));
        }
    };
    let Some(event) = OrderEvent::from_status_update(status) else {
        return refuse(http::error(
            409,
            "illegal_transition",
            format!("an order cannot be set to {status}: payments move it there"),
        ));
    };
    let order = send_event(ctx, id, &event).await?;
    Ok(http::json(200, &Envelope { data: order })?)
}

/// `GET /v1/orders/:id/events`: every event of the order, with each endpoint's attempts.
pub(super) async fn order_events(ctx: &Ctx<'_>, id: &str) -> Handled {
    let notices = notices_of(order_call(ctx, id, &OrderRequest::Notices).await?)?;
    Ok(http::json(200, &Envelope { data: notices.iter().map(NoticeView::from).collect::<Vec<_>>() })?)
}

/// `POST /v1/orders/:id/events/:event_id/redeliver`: the event goes out again at once (202).
pub(super) async fn redeliver(ctx: &Ctx<'_>, id: &str, event_id: &str) -> Handled {
    let request = OrderRequest::Redeliver { event_id: event_id.to_owned() };
    let notices = match order_call(ctx, id, &request).await? {
        OrderReply::NotFound => return refuse(http::error(404, "event_not_found", "no such event for this order")),
        reply => notices_of(reply)?,
    };
    let Some(notice) = notices.iter().find(|n| n.id == event_id) else {
        return refuse(http::error(404, "event_not_found", "no such event for this order"));
    };
    Ok(http::json(202, &Envelope { data: NoticeView::from(notice) })?)
}

fn notices_of(reply: OrderReply) -> Handled<Vec<crate::notices::Notice>> {
    match reply {
        OrderReply::Notices { notices } => Ok(notices),
        other => stored(other).map(|_| Vec::new()),
    }
}
