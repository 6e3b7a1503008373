//! The seller's routes (behind the seller's key): the order list, status changes, and each
//! order's events for the seller's endpoints.

use serde_json::Value;
use shared::wire::{Envelope, ErrorBody, ListMeta, ListResponse};
use shared::{OrderEvent, OrderStatus};
use worker::{Request, Response};

use super::Ctx;
use super::objects::{order_call, send_event, store_call, stored};
use crate::catalog::Delivery;
use crate::http::{self, Handled, refuse};
use crate::notices::NoticeView;
use crate::order_object::{OrderReply, OrderRequest};
use crate::store::{ListQuery, StockLevels, StockStates};

fn bad_parameter(name: &str, why: &str) -> Handled<u32> {
    refuse(http::json(
        400,
        &ErrorBody::new("invalid_parameter", format!("{name} {why}")).with_fields(vec![name.into()]),
    ))
}

/// The list's query: `page`, `limit` (1 to `max_limit`, `default_limit` when absent), and the
/// filters `status`, `email` and `product_id`; every parameter at fault is a 400 naming it.
fn list_query(req: &Request, default_limit: u32, max_limit: u32) -> Handled<ListQuery> {
    let param = |name: &str| http::query(req, name);
    let page = match param("page") {
        None => 1,
        Some(p) => match p.parse::<u32>() {
            Ok(n) if n >= 1 => n,
            _ => bad_parameter("page", "must be a whole number from 1")?,
        },
    };
    let limit = match param("limit") {
        None => default_limit,
        Some(l) => match l.parse::<u32>() {
            Ok(n) if (1..=max_limit).contains(&n) => n,
            _ => bad_parameter("limit", &format!("must be a whole number from 1 to {max_limit}"))?,
        },
    };
    let status = param("status");
    if let Some(s) = &status
        && s.parse::<OrderStatus>().is_err()
    {
        bad_parameter("status", "must be one of pending, confirming, completed, refunded, cancelled, expired")?;
    }
    let offset = u64::from(page - 1) * u64::from(limit);
    Ok(ListQuery { status, email: param("email"), product_id: param("product_id"), limit, offset })
}

pub(super) async fn list_orders(ctx: &Ctx<'_>, req: &Request) -> Handled {
    let q = list_query(req, 25, 100)?;
    let (limit, offset) = (q.limit, q.offset);
    let listed = store_call(ctx, q).await?;
    Ok(http::json(200, &ListResponse { data: listed.orders, meta: ListMeta { total: listed.total, limit, offset } })?)
}

/// `GET /v1/products/:id/stock`: how many of the product's items are available, held by open
/// orders, and delivered; never the items. A product delivered as a text has no items.
pub(super) async fn product_stock(ctx: &Ctx<'_>, id: &str) -> Handled {
    let p = super::quotes::catalog_product(ctx, id)?;
    let (delivery, levels) = match &p.delivery {
        Delivery::Stock(_) => ("stock", store_call(ctx, StockLevels { product_id: p.id.clone() }).await?),
        Delivery::Text(_) => ("text", StockStates::default()),
    };
    let view = serde_json::json!({
        "product_id": p.id, "delivery": delivery,
        "available": levels.available, "reserved": levels.reserved, "delivered": levels.delivered,
    });
    Ok(http::json(200, &Envelope { data: view })?)
}

/// Most orders one CSV holds: a larger export is read a page at a time (`page`).
const CSV_MAX_ROWS: u32 = 2000;

/// `GET /v1/orders.csv`: the orders the list would give for the same filters, newest first, as
/// a CSV download (`csv::COLUMNS`); up to 2,000 a page, all of them by default.
pub(super) async fn orders_csv(ctx: &Ctx<'_>, req: &Request) -> Handled {
    let q = list_query(req, CSV_MAX_ROWS, CSV_MAX_ROWS)?;
    let listed = store_call(ctx, q).await?;
    let mut resp = Response::ok(crate::csv::orders(&listed.orders))?;
    let h = resp.headers_mut();
    h.set("Content-Type", "text/csv; charset=utf-8")?;
    h.set("Content-Disposition", "attachment; filename=\"orders.csv\"")?;
    // How many match the filters, so a script knows whether to ask for the next page.
    h.set("X-Total-Count", &listed.total.to_string())?;
    h.set("Cache-Control", "no-store")?;
    Ok(resp)
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
