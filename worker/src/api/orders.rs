//! Order creation and reading.
//!
//! Creation is a pipeline: read and price the request (nothing stored), build the order
//! (`checkout::new_order`, pure), attach the way it is paid, reserve at the store (rate limit,
//! idempotency, coupon, stock, index), create the order's object. If the last step fails, the
//! reservation is undone, so no half-made order is left.

use chrono::Duration;
use gateways::Opening;
use sha2::{Digest, Sha256};
use shared::Order;
use shared::wire::{CreateOrderRequest, Envelope, ErrorBody};
use worker::{Request, Response, Result};

use super::Ctx;
use super::access::{Caller, authorized_order, client, rate_limited};
use super::objects::{order_call, store_call, stored};
use super::prepared;
use super::quotes::priced;
use crate::catalog::Catalog;
use crate::checkout::{self, OrderFacts, Priced};
use crate::config::Gateway;
use crate::http::{self, Handled, Refusal, refuse};
use crate::ids;
use crate::order_object::{Link, OrderReply, OrderRequest, Record, now};
use crate::sandbox;
use crate::store::{ABANDONED_AFTER_MS, Abort, NotReserved, Reserve, Reserved};

pub(super) async fn create(ctx: &Ctx<'_>, req: &mut Request) -> Handled {
    let idempotency_key = idempotency_key(req)?;
    let body = http::read_public_json(req, &ctx.config).await?;
    let request = CreateOrderRequest::from_json(&body).or_else(|e| refuse(http::field_errors(e)))?;
    let body_hash = ids::hex(&Sha256::digest(serde_json::to_string(&body)?.as_bytes()));
    let idempotency = idempotency_key.map(|k| (k, body_hash));
    // Priced with this isolate's catalog; if the store has a newer one (its reservation says
    // so), or this copy was old and the pricing refused, priced again with the store's.
    let (version, catalog) = ctx.catalog().await?;
    match make(ctx, req, &request, &idempotency, version, &catalog).await? {
        Made::Answer(response) => Ok(response),
        Made::CatalogChanged => {
            let (version, catalog) = ctx.reload_catalog().await?;
            match make(ctx, req, &request, &idempotency, version, &catalog).await? {
                Made::Answer(response) => Ok(response),
                Made::CatalogChanged => refuse(catalog_changed()),
            }
        }
    }
}

enum Made {
    Answer(Response),
    /// The store's catalog is newer than the one the order was priced with.
    CatalogChanged,
}

/// Prices, builds and reserves the order against one catalog version, then creates it.
async fn make(
    ctx: &Ctx<'_>,
    req: &Request,
    request: &CreateOrderRequest,
    idempotency: &Option<(String, String)>,
    version: u64,
    catalog: &Catalog,
) -> Handled<Made> {
    let priced = match priced(ctx, catalog, &request.quote).await {
        // Refused on a copy that may be behind the store's: asked again on the store's.
        Err(Refusal::Respond(_)) if ctx.catalog_behind() => return Ok(Made::CatalogChanged),
        priced => priced?,
    };
    let (client, ip) = client(req)?;
    let mut order = checkout::new_order(&priced, request, facts(ctx, catalog, req, ip));
    let secret = ids::client_secret();
    let link = attach_payment(ctx, catalog, &mut order, &priced, &http::own_origin(req), &secret);
    let reserve = Reserve {
        order: order.clone(),
        idempotency: idempotency.clone(),
        idempotency_seconds: ctx.config.idempotency_seconds,
        client,
        limit_per_minute: ctx.config.orders_per_minute_per_ip,
        stock_units: priced.product.delivery.stock_units(order.quantity),
        coupon: priced.coupon.and_then(|c| c.max_uses.map(|m| (c.coupon.code.clone(), m))),
        catalog_version: version,
        now_ms: order.created_at.timestamp_millis(),
    };
    let (reserved, lose_answer) = match store_call(ctx, reserve.clone()).await? {
        Reserved::Reserved { items, lose_answer } => (items, lose_answer),
        Reserved::Refused { refusal: NotReserved::CatalogChanged } => return Ok(Made::CatalogChanged),
        Reserved::Replay { order_id, reserved_ms } => match replay(ctx, &order_id, reserved_ms).await? {
            Replayed::Answer(response) => return Ok(Made::Answer(response)),
            // The first request died between its reservation and its order (a crash, a
            // cancelled request): its reservation is undone, and this one is made afresh.
            Replayed::Abandoned => {
                store_call(ctx, Abort { order_id }).await?;
                match store_call(ctx, reserve).await? {
                    Reserved::Reserved { items, lose_answer } => (items, lose_answer),
                    Reserved::Replay { .. } => return refuse(in_progress(1)),
                    Reserved::Refused { refusal } => return refuse(not_reserved(refusal, &order)),
                }
            }
        },
        Reserved::Refused { refusal } => return refuse(not_reserved(refusal, &order)),
    };
    let delivery_text = priced.product.delivery.text().map(str::to_owned);
    let record = Record::new(order, secret, reserved, delivery_text, link);
    let answer = create_object(ctx, record, lose_answer).await?;
    // The next order's object opens after this answer, not while the buyer waits for it.
    prepared::prepare(ctx);
    Ok(Made::Answer(answer))
}

/// The catalog changed twice while one order was being made: the buyer asks again.
fn catalog_changed() -> Result<Response> {
    let mut r = http::error(409, "catalog_changed", "the store's catalog changed while the order was made; try again")?;
    r.headers_mut().set("Retry-After", "1")?;
    Ok(r)
}

/// The order's ids, times and where the buyer is.
fn facts(ctx: &Ctx<'_>, catalog: &Catalog, req: &Request, ip: String) -> OrderFacts {
    let created_at = now();
    let minutes = i64::from(catalog.invoice_minutes);
    OrderFacts {
        id: prepared::order_id(),
        invoice_id: ids::reference("INV", created_at.timestamp_millis()),
        order_number: ids::reference("ORD", created_at.timestamp_millis()),
        created_at,
        lifetime: ctx.config.invoice_seconds.map_or(Duration::minutes(minutes), Duration::seconds),
        customer_ip: ip,
        customer_country_code: req.cf().and_then(|cf| cf.country()),
        sandbox: ctx.config.sandbox,
    }
}

/// How the order is paid: the sandbox's testnet address or page now, or the link to the
/// provider, whose order the object opens. An order with nothing to pay has neither: it
/// completes when it is created.
fn attach_payment(
    ctx: &Ctx<'_>,
    catalog: &Catalog,
    order: &mut Order,
    priced: &Priced,
    origin: &str,
    secret: &str,
) -> Option<Link> {
    if order.amount_due().is_zero() {
        return None;
    }
    let s = match &ctx.config.gateway {
        Gateway::Sandbox => {
            sandbox::open_payment(order, catalog, origin, secret);
            return None;
        }
        Gateway::Upstream(s) => s,
    };
    if let Some(coin) = order.payment_method.coin() {
        order.confirmations_required = catalog.confirmations_for(coin.network);
    }
    let opening = Opening {
        product_ref: priced.product.upstream_id.clone().unwrap_or_else(|| priced.product.id.clone()),
        callback_url: format!("{origin}/v1/webhooks/{}?order={}", s.provider, order.id),
        token: s.provider.profile().callback_token.then(|| ids::hex(&ids::random_bytes::<24>())),
    };
    Some(Link::new(s.provider, opening))
}

enum Replayed {
    Answer(Response),
    /// Reserved by a request that never made its order.
    Abandoned,
}

/// A request the store has seen under this Idempotency-Key: the same order again (opened at
/// the provider now, if the first attempt could not); or, while the first request may still be
/// making it, 409 with when to ask again.
async fn replay(ctx: &Ctx<'_>, order_id: &str, reserved_ms: i64) -> Handled<Replayed> {
    let mut answer = order_call(ctx, order_id, &OrderRequest::Resume).await?;
    if let OrderReply::NotFound = answer {
        let age_ms = now().timestamp_millis() - reserved_ms;
        if age_ms <= ABANDONED_AFTER_MS {
            return refuse(in_progress((ABANDONED_AFTER_MS - age_ms) / 1000 + 1));
        }
        // Given up at the order's object, which then refuses the first request's create if
        // it still comes: only one of the two can make the order.
        answer = order_call(ctx, order_id, &OrderRequest::Abandon).await?;
        if let OrderReply::NotFound = answer {
            return Ok(Replayed::Abandoned);
        }
    }
    let stored = stored(answer)?;
    Ok(Replayed::Answer(created(&stored.order, &stored.client_secret, true)?))
}

fn in_progress(retry_after_seconds: i64) -> Result<Response> {
    let mut r = http::error(409, "idempotency_in_progress", "the first request with this key is still running")?;
    r.headers_mut().set("Retry-After", &retry_after_seconds.to_string())?;
    Ok(r)
}

/// Why the store would not reserve: each refusal as its answer.
fn not_reserved(refusal: NotReserved, order: &Order) -> Result<Response> {
    match refusal {
        NotReserved::IdempotencyConflict => {
            http::error(409, "idempotency_conflict", "this Idempotency-Key was used with a different body")
        }
        NotReserved::RateLimited { retry_after } => rate_limited("too many orders from this address", retry_after),
        // The same answer the quote gives when it sees the coupon used up.
        NotReserved::CouponUsedUp => {
            http::field_error("coupon_code", "validation_failed", "coupon_code: the coupon has been used up")
        }
        NotReserved::OutOfStock { available } => {
            http::field_error("quantity", "out_of_stock", format!("only {available} left of `{}`", order.product_id))
        }
        NotReserved::CatalogChanged => catalog_changed(),
    }
}

/// Creates the order's object (`lose_answer`: test mode's `lost_creates` fault, see
/// `sandbox::faults`). A provider's failure is passed on: the order waits, pending, for
/// a retry with the same Idempotency-Key (which opens it upstream then) or for its expiry,
/// which frees the stock.
async fn create_object(ctx: &Ctx<'_>, record: Record, lose_answer: bool) -> Handled {
    let id = record.order.id.clone();
    match order_call(ctx, &id, &OrderRequest::Create { record: Box::new(record), lose_answer }).await {
        Ok(answer) => {
            let stored = stored(answer)?;
            created(&stored.order, &stored.client_secret, false)
        }
        Err(failed) => {
            // The object may have stored the order and only its answer was lost: the order is
            // given up only if it was never made, and only then is its reservation undone. If
            // the object cannot say, the store's sweep asks it later.
            match order_call(ctx, &id, &OrderRequest::Abandon).await {
                Ok(OrderReply::NotFound) => {
                    let _ = store_call(ctx, Abort { order_id: id }).await;
                    Err(failed)
                }
                Ok(answer @ OrderReply::Order { .. }) => {
                    let stored = stored(answer)?;
                    created(&stored.order, &stored.client_secret, false)
                }
                _ => Err(failed),
            }
        }
    }
}

/// The seller's view of an order: the order whole, each payment seen, and the provider's order
/// when a provider takes the payment.
#[derive(serde::Serialize)]
struct SellerOrder<'a> {
    #[serde(flatten)]
    order: &'a shared::Order,
    payments: &'a [crate::order_object::Payment],
    #[serde(skip_serializing_if = "Option::is_none")]
    upstream: Option<&'a crate::order_object::UpstreamRef>,
}

/// An ETag for what `reader` is shown: the start of the SHA-256 of the reader's kind and it.
fn etag(reader: &str, shown: &str) -> String {
    let digest = Sha256::new().chain_update(reader).chain_update(":").chain_update(shown).finalize();
    format!("\"{}\"", ids::hex(&digest[..16]))
}

/// The `Idempotency-Key` header, else the `idempotency_key` query parameter: a browser sends
/// the key there, since a header of its own would need a CORS preflight.
fn idempotency_key(req: &Request) -> Handled<Option<String>> {
    match req.headers().get("Idempotency-Key")?.or_else(|| http::query(req, "idempotency_key")) {
        None => Ok(None),
        Some(k) if (1..=255).contains(&k.len()) && k.bytes().all(|b| b.is_ascii_graphic()) => Ok(Some(k)),
        Some(_) => refuse(http::json(
            400,
            &ErrorBody::new("invalid_idempotency_key", "Idempotency-Key must be 1 to 255 visible ASCII characters")
                .with_fields(vec!["Idempotency-Key".into()]),
        )),
    }
}

fn created(order: &Order, secret: &str, replayed: bool) -> Handled {
    let mut view = order.public_view(now());
    view.client_secret = Some(secret.to_owned());
    let mut resp = http::json(201, &Envelope { data: view })?;
    if replayed {
        resp.headers_mut().set("Idempotent-Replayed", "true")?;
    }
    Ok(resp)
}

pub(super) async fn get(ctx: &Ctx<'_>, req: &Request, id: &str) -> Handled {
    let (reader, stored) = authorized_order(ctx, req, id).await?;
    // The tag covers what is shown but not the server time in the buyer's view, so an
    // unchanged order is 304.
    let (body, tag) = match reader {
        Caller::Seller => {
            let view =
                SellerOrder { order: &stored.order, upstream: stored.upstream.as_ref(), payments: &stored.payments };
            let body = serde_json::to_string(&Envelope { data: view })?;
            let tag = etag("seller", &body);
            (body, tag)
        }
        Caller::Buyer => (
            serde_json::to_string(&Envelope { data: stored.order.public_view(now()) })?,
            etag("buyer", &serde_json::to_string(&stored.order)?),
        ),
    };
    let mut resp = if req.headers().get("If-None-Match")?.is_some_and(|t| t.split(',').any(|t| t.trim() == tag)) {
        Response::empty()?.with_status(304)
    } else {
        http::json_text(200, body)?
    };
    resp.headers_mut().set("ETag", &tag)?;
    resp.headers_mut().set("Cache-Control", "no-cache")?;
    Ok(resp)
}
