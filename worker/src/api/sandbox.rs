//! Test mode: payments made by hand, the hosted card/PayPal page, and faults on demand.

use rust_decimal::Decimal;
use serde_json::Value;
use shared::OrderEvent;
use shared::status::max_amount;
use shared::wire::{Envelope, ErrorBody, SandboxPayment};
use worker::{Request, Response};

use super::Ctx;
use super::access::authorized_order;
use super::objects::{Stored, read_order, send_event, store_call};
use crate::http::{self, Handled, Refusal, refuse};
use crate::ids;
use crate::order_object::now;
use crate::routes::CheckoutAction;
use crate::sandbox::{checkout_token, page};
use crate::store::Fault;

pub(super) async fn pay(ctx: &Ctx<'_>, req: &mut Request, id: &str) -> Handled {
    let (_, stored) = authorized_order(ctx, req, id).await?;
    let body = http::read_json(req).await?;
    let pay: SandboxPayment = serde_json::from_value(body)
        .or_else(|e| refuse(http::field_error("amount", "validation_failed", e.to_string())))?;
    if pay.amount <= Decimal::ZERO || pay.amount > max_amount() {
        return refuse(http::field_error(
            "amount",
            "validation_failed",
            format!("amount must be positive and at most {}", max_amount()),
        ));
    }
    if !stored.order.payment_method.is_crypto() {
        return refuse(http::error(409, "not_crypto", "card and PayPal orders are paid on their checkout page"));
    }
    let txid = pay.txid.unwrap_or_else(|| ids::hex(&ids::random_bytes::<32>()));
    let event = OrderEvent::PaymentSeen { amount: pay.amount, confirmations: pay.confirmations, txid: Some(txid) };
    let order = send_event(ctx, id, &event).await?;
    Ok(http::json(200, &Envelope { data: order.public_view(now()) })?)
}

pub(super) async fn confirm(ctx: &Ctx<'_>, req: &mut Request, id: &str) -> Handled {
    authorized_order(ctx, req, id).await?;
    let body = http::read_json(req).await?;
    let confirmations = match body.get("confirmations").and_then(Value::as_u64) {
        Some(n) if n <= u64::from(u32::MAX) => n as u32,
        _ => {
            return refuse(http::field_error(
                "confirmations",
                "validation_failed",
                "confirmations must be a whole number",
            ));
        }
    };
    let order = send_event(ctx, id, &OrderEvent::ConfirmationsUpdated { confirmations }).await?;
    Ok(http::json(200, &Envelope { data: order.public_view(now()) })?)
}

fn html(status: u16, body: String) -> Handled {
    let mut r = Response::from_html(body)?.with_status(status);
    r.headers_mut().set("Cache-Control", "no-store")?;
    Ok(r)
}

async fn checkout_order(ctx: &Ctx<'_>, id: &str, token: &str) -> Handled<Stored> {
    let stored = match read_order(ctx, id, None).await {
        Ok(s) if ids::constant_time_eq(token, &checkout_token(&s.client_secret)) => s,
        Ok(_) | Err(Refusal::Respond(_)) => {
            return Err(Refusal::Respond(html(404, page::done("No such checkout."))?));
        }
        Err(e) => return Err(e),
    };
    Ok(stored)
}

pub(super) async fn checkout_page(ctx: &Ctx<'_>, req: &Request, id: &str) -> Handled {
    let token = http::query(req, "token").unwrap_or_default();
    let stored = checkout_order(ctx, id, &token).await?;
    html(200, page::checkout(&stored.order, &token))
}

pub(super) async fn checkout_action(ctx: &Ctx<'_>, req: &mut Request, id: &str, action: CheckoutAction) -> Handled {
    let form = req.text().await?;
    let token = form.split('&').find_map(|p| p.strip_prefix("token=")).unwrap_or_default().to_owned();
    let stored = checkout_order(ctx, id, &token).await?;
    let event = match action {
        CheckoutAction::Pay => OrderEvent::PaymentSeen {
            amount: stored.order.total_amount,
            confirmations: 0,
            txid: Some(format!("sandbox_card_{}", ids::hex(&ids::random_bytes::<8>()))),
        },
        CheckoutAction::Cancel => OrderEvent::Cancelled,
    };
    match send_event(ctx, id, &event).await {
        Ok(o) => html(200, page::done(&format!("Order {} is {}. You can close this tab.", o.order_number, o.status))),
        Err(Refusal::Respond(_)) => html(409, page::done("This order can no longer be paid or cancelled here.")),
        Err(e) => Err(e),
    }
}

/// `POST /v1/sandbox/faults` (test mode, seller key): `{"store_updates": n}` makes the store's
/// next `n` index updates fail, so tests can show that an order's object retries until the
/// store has its change; `{"lost_reservations": n}` makes the next `n` reservations land but
/// answer with an error, as when the creating request dies before the order is made;
/// `{"lost_creates": n}` makes the next `n` orders' objects store their order and then answer
/// with an error, as when that answer is lost on the way back to the creating request;
/// `{"unseen_catalog_changes": n}` makes this isolate not keep its next `n` catalog changes,
/// as if another isolate had made them.
pub(super) async fn faults(ctx: &Ctx<'_>, req: &mut Request) -> Handled {
    let body = http::read_json(req).await?;
    // Each count absent (0) or 0 to 100; every field at fault is named.
    let count = |field: &str| body.get(field).map_or(Some(0), |v| v.as_u64().filter(|n| *n <= 100).map(|n| n as u32));
    let fields = ["store_updates", "lost_reservations", "lost_creates", "unseen_catalog_changes"];
    let bad: Vec<String> = fields.iter().filter(|f| count(f).is_none()).map(|f| f.to_string()).collect();
    if !bad.is_empty() {
        let body = ErrorBody::new("validation_failed", format!("{}: 0 to 100", bad.join(", "))).with_fields(bad);
        return refuse(http::json(422, &body));
    }
    let [updates, lost_reservations, lost_creates, unseen] = fields.map(|f| count(f).unwrap_or(0));
    let fault = Fault { updates, lost_reservations, lost_creates };
    store_call(ctx, fault).await?;
    super::catalog::leave_changes_unseen(unseen);
    Ok(http::json(
        200,
        &serde_json::json!({"store_updates": updates, "lost_reservations": lost_reservations,
            "lost_creates": lost_creates, "unseen_catalog_changes": unseen}),
    )?)
}
