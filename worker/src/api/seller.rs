//! The seller's routes (behind the seller's key): the order list, status changes, and each
//! order's events for the seller's endpoints.

use serde_json::Value;
use shared::wire::{Envelope, ErrorBody, ListMeta, ListResponse};
use shared::{OrderEvent, OrderStatus, PaymentMethod};
use worker::{Request, Response};

use super::Ctx;
use super::access::Actor;
use super::objects::{order_call, send_event, store_call, stored};
use crate::http::{self, Handled, refuse};
use crate::notices::NoticeView;
use crate::order_object::{OrderReply, OrderRequest};
use crate::store::{AuditRecord, ListQuery};

fn bad_parameter(name: &str, why: &str) -> Handled<u32> {
    refuse(http::json(
        400,
        &ErrorBody::new("invalid_parameter", format!("{name} {why}")).with_fields(vec![name.into()]),
    ))
}

/// A page's `limit` (1 to `max_limit`, `default_limit` when absent) and offset (from `page`,
/// counted from 1); a parameter at fault is a 400 naming it.
pub(super) fn page(req: &Request, default_limit: u32, max_limit: u32) -> Handled<(u32, u64)> {
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
    Ok((limit, u64::from(page - 1) * u64::from(limit)))
}

/// The list's query: the page, and the filters `status`, `email`, `product_id`, `method`,
/// `from` and `to` (a date, `2026-11-01`, or an RFC 3339 time; `to` a date takes in that whole
/// day) and `q` (an order's id, number or invoice id). Every parameter at fault is named in one
/// 400.
fn list_query(req: &Request, default_limit: u32, max_limit: u32) -> Handled<ListQuery> {
    let param = |name: &str| http::query(req, name).filter(|v| !v.is_empty());
    let (limit, offset) = page(req, default_limit, max_limit)?;
    let mut bad: Vec<(&str, &str)> = Vec::new();
    let status = param("status");
    if status.as_deref().is_some_and(|s| s.parse::<OrderStatus>().is_err()) {
        bad.push(("status", "must be one of pending, confirming, completed, refunded, cancelled, expired"));
    }
    let method = param("method");
    if method.as_deref().is_some_and(|m| m.parse::<PaymentMethod>().is_err()) {
        bad.push(("method", "must be a payment method, such as crypto_btc or stripe"));
    }
    let mut time = |name: &'static str, end_of_day: bool| match param(name).map(|v| instant_ms(&v, end_of_day)) {
        Some(None) => {
            bad.push((name, "must be a date (2026-11-01) or an RFC 3339 time"));
            None
        }
        Some(Some(ms)) => Some(ms),
        None => None,
    };
    let (from_ms, to_ms) = (time("from", false), time("to", true));
    if !bad.is_empty() {
        let message = bad.iter().map(|(n, why)| format!("{n} {why}")).collect::<Vec<_>>().join("; ");
        let fields = bad.iter().map(|(n, _)| n.to_string()).collect();
        return refuse(http::json(400, &ErrorBody::new("invalid_parameter", message).with_fields(fields)));
    }
    Ok(ListQuery {
        status,
        email: param("email"),
        product_id: param("product_id"),
        method,
        from_ms,
        to_ms,
        number: param("q"),
        limit,
        offset,
    })
}

/// A date or a time as ms since the epoch; a date as its midnight (UTC), or the next one's for
/// the end of a range, so `to=2026-11-30` includes that day.
fn instant_ms(v: &str, end_of_day: bool) -> Option<i64> {
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(v) {
        return Some(t.timestamp_millis());
    }
    let day = chrono::NaiveDate::parse_from_str(v, "%Y-%m-%d").ok()?;
    let day = if end_of_day { day.succ_opt()? } else { day };
    Some(day.and_hms_opt(0, 0, 0)?.and_utc().timestamp_millis())
}

pub(super) async fn list_orders(ctx: &Ctx<'_>, req: &Request) -> Handled {
    let q = list_query(req, 25, 100)?;
    let (limit, offset) = (q.limit, q.offset);
    let listed = store_call(ctx, q).await?;
    Ok(http::json(200, &ListResponse { data: listed.orders, meta: ListMeta { total: listed.total, limit, offset } })?)
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

pub(super) async fn update_order(ctx: &Ctx<'_>, req: &mut Request, id: &str, actor: Actor) -> Handled {
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
    let now_ms = worker::Date::now().as_millis() as i64;
    let detail = serde_json::json!({"status": status.as_str()});
    store_call(ctx, AuditRecord { actor: actor.0, action: "order.update".into(), target: id.into(), detail, now_ms })
        .await?;
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

#[cfg(test)]
mod tests {
    use super::instant_ms;

    #[test]
    fn a_range_of_dates_takes_in_its_last_day() {
        assert_eq!(instant_ms("2026-11-01", false), Some(1_793_491_200_000));
        assert_eq!(instant_ms("2026-11-01", true), Some(1_793_577_600_000));
        assert_eq!(instant_ms("2026-11-01T12:00:00+01:00", true), Some(1_793_530_800_000));
        assert_eq!(instant_ms("yesterday", false), None);
    }
}
