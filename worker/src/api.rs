//! The orders API: each route's handler. Validation happens before any storage is touched, so
//! a refused request leaves nothing behind.

use chrono::Duration;
use rust_decimal::Decimal;
use serde_json::Value;
use sha2::{Digest, Sha256};
use shared::status::max_amount;
use shared::wire::{
    CreateOrderRequest, Envelope, ListMeta, ListResponse, MethodView, ProductView, QuoteRequest, SandboxPayment,
    VariantView,
};
use shared::{Order, OrderEvent, OrderStatus};
use worker::{Env, Request, Response, Result, Stub, console_error};

use crate::catalog::{self, Catalog, CouponDef, Delivery};
use crate::checkout;
use crate::config::{Config, Gateway};
use crate::gateway::{checkout_token, open_sandbox_payment};
use crate::http::{self, Handled, Refusal, refuse};
use crate::ids;
use crate::limiter::{self, Hit, Verdict};
use crate::order_object::{
    self, EventRefusal, HookRefusal, Link, OrderReply, OrderRequest, Record, WebhookDelivery, WebhookOutcome, now,
};
use crate::routes::{CheckoutAction, Route, route};
use crate::rpc;
use crate::sandbox_page;
use crate::store::{self, Abort, Ask, CouponUses, Fault, ListQuery, Reserve, Reserved, StockCount};
use crate::upstream::{self, Failure, Opening};

/// The order as the object has it: the order and the buyer's secret.
struct Stored {
    order: Order,
    client_secret: String,
}

struct Ctx<'a> {
    env: &'a Env,
    config: Config,
    catalog: &'a Catalog,
}

/// Serves one request.
pub async fn handle(req: Request, env: Env) -> Result<Response> {
    let route = route(&req.method(), &req.path());
    let origin = http::origin(&req);
    let config = match Config::from_env(&env) {
        Ok(c) => c,
        Err(problems) => return http::error(503, "misconfigured", problems.join("; ")),
    };
    let catalog = match catalog::get() {
        Ok(c) => c,
        Err(problems) => return http::error(503, "misconfigured", problems.join("; ")),
    };
    let seller_call = req.headers().has("Authorization")?;
    let public = route.is_public() && !seller_call;
    let ctx = Ctx { env: &env, config, catalog };
    let resp = match dispatch(&ctx, route, req).await {
        Ok(r) | Err(Refusal::Respond(r)) => r,
        Err(Refusal::Fail(e)) => {
            console_error!("internal error: {e}");
            http::error(500, "internal_error", "something went wrong on our side; nothing was charged")?
        }
    };
    if public { http::with_cors(resp, origin.as_deref(), &ctx.config) } else { Ok(resp) }
}

async fn dispatch(ctx: &Ctx<'_>, route: Route, mut req: Request) -> Handled {
    let sandbox_only = matches!(
        route,
        Route::SandboxPay(_)
            | Route::SandboxConfirm(_)
            | Route::SandboxCheckoutPage(_)
            | Route::SandboxCheckoutAction(..)
            | Route::SandboxFaults
    );
    if sandbox_only && !(ctx.config.sandbox && ctx.config.gateway == Gateway::Sandbox) {
        return refuse(http::error(404, "not_found", "no such endpoint"));
    }
    match route {
        Route::Health => Ok(http::json(200, &serde_json::json!({"status": "ok", "sandbox": ctx.config.sandbox}))?),
        Route::Preflight => Ok(http::preflight(&req, &ctx.config)?),
        Route::Product(id) => product(ctx, &req, &id).await,
        Route::Quote => quote(ctx, &mut req).await,
        Route::CreateOrder => create_order(ctx, &mut req).await,
        Route::ListOrders => {
            seller(ctx, &req)?;
            list_orders(ctx, &req).await
        }
        Route::GetOrder(id) => get_order(ctx, &req, &id).await,
        Route::UpdateOrder(id) => {
            seller(ctx, &req)?;
            update_order(ctx, &mut req, &id).await
        }
        Route::SandboxPay(id) => sandbox_pay(ctx, &mut req, &id).await,
        Route::SandboxConfirm(id) => sandbox_confirm(ctx, &mut req, &id).await,
        Route::SandboxCheckoutPage(id) => checkout_page(ctx, &req, &id).await,
        Route::SandboxCheckoutAction(id, action) => checkout_action(ctx, &mut req, &id, action).await,
        Route::SandboxFaults => {
            seller(ctx, &req)?;
            sandbox_faults(ctx, &mut req).await
        }
        Route::Webhook(provider) => webhook(ctx, &mut req, &provider).await,
        Route::MethodNotAllowed(allow) => {
            let mut r = http::error(405, "method_not_allowed", format!("use {allow}"))?;
            r.headers_mut().set("Allow", allow)?;
            Ok(r)
        }
        Route::NotFound => refuse(http::error(404, "not_found", "no such endpoint")),
    }
}

// ---- Authentication ----

/// Requires the seller's key.
fn seller(ctx: &Ctx<'_>, req: &Request) -> Handled<()> {
    let header = req.headers().get("Authorization")?.unwrap_or_default();
    let Some(key) = header.strip_prefix("Bearer ").map(str::trim) else {
        return refuse(http::error(401, "unauthorized", "send Authorization: Bearer <seller key>"));
    };
    if ctx.config.seller_keys.iter().any(|k| ids::constant_time_eq(k, key)) {
        Ok(())
    } else {
        refuse(http::error(401, "unauthorized", "the seller key is not valid"))
    }
}

/// Who is asking for an order.
enum Reader {
    Seller,
    Buyer,
}

/// Reads an order for whoever asks: the seller by key, the buyer by client secret. Neither is
/// 401; a wrong secret is 404, like an order that does not exist.
async fn authorized_order(ctx: &Ctx<'_>, req: &Request, id: &str) -> Handled<(Reader, Stored)> {
    let reader = if req.headers().has("Authorization")? {
        seller(ctx, req)?;
        Reader::Seller
    } else if req.headers().has("X-Client-Secret")? {
        Reader::Buyer
    } else {
        return refuse(http::error(401, "unauthorized", "send X-Client-Secret (buyer) or Authorization (seller)"));
    };
    // The object checks a buyer's secret before it asks any provider about the order.
    let buyer_secret = match reader {
        Reader::Buyer => Some(req.headers().get("X-Client-Secret")?.unwrap_or_default()),
        Reader::Seller => None,
    };
    let stored = read_order(ctx, id, buyer_secret).await?;
    Ok((reader, stored))
}

fn not_found_order() -> Result<Response> {
    http::error(404, "order_not_found", "no such order")
}

// ---- Durable Object calls ----

fn order_stub(ctx: &Ctx<'_>, id: &str) -> Result<Stub> {
    ctx.env.durable_object(order_object::BINDING)?.get_by_name(id)
}

fn store_stub(ctx: &Ctx<'_>) -> Result<Stub> {
    ctx.env.durable_object(store::BINDING)?.get_by_name(store::NAME)
}

/// Reads an order, seller's (`buyer_secret` None) or buyer's.
async fn read_order(ctx: &Ctx<'_>, id: &str, buyer_secret: Option<String>) -> Handled<Stored> {
    stored(order_call(ctx, id, &OrderRequest::Read { buyer_secret }).await?)
}

/// Asks an order's object. An id that is not an order id is 404 at once: no object is woken
/// for a string a stranger made up.
async fn order_call(ctx: &Ctx<'_>, id: &str, request: &OrderRequest) -> Handled<OrderReply> {
    if !ids::is_order_id(id) {
        return refuse(not_found_order());
    }
    Ok(rpc::call(&order_stub(ctx, id)?, request).await?)
}

/// An order object's answer as a response: the order, or the refusal it stands for.
fn stored(reply: OrderReply) -> Handled<Stored> {
    match reply {
        OrderReply::Order { order, client_secret } => Ok(Stored { order, client_secret }),
        OrderReply::NotFound => refuse(not_found_order()),
        OrderReply::Upstream { failure } => refuse(upstream_failure(&failure)),
        OrderReply::Refused { refusal: EventRefusal::Illegal(message) } => {
            refuse(http::error(409, "illegal_transition", message))
        }
        OrderReply::Refused { refusal: EventRefusal::Invalid(message) } => {
            refuse(http::field_error("amount", "validation_failed", message))
        }
        OrderReply::Webhook { .. } => {
            Err(Refusal::Fail(worker::Error::RustError("a webhook reply to an order call".into())))
        }
    }
}

/// 502 `upstream_error` or 503 `upstream_unavailable`, with `Retry-After`.
fn upstream_failure(f: &Failure) -> Result<Response> {
    let mut r = http::error(f.status, &f.code, f.message.clone())?;
    r.headers_mut().set("Retry-After", &f.retry_after.to_string())?;
    Ok(r)
}

async fn store_call<A: Ask>(ctx: &Ctx<'_>, request: A) -> Handled<A::Reply> {
    Ok(store::ask(&store_stub(ctx)?, request).await?)
}

/// Sends an event to an order; an illegal transition is 409 naming both statuses.
async fn send_event(ctx: &Ctx<'_>, id: &str, event: &OrderEvent) -> Handled<Order> {
    Ok(stored(order_call(ctx, id, &OrderRequest::Event { event: event.clone() }).await?)?.order)
}

/// The client a public request comes from (an IPv4 address or an IPv6 /64), by the address
/// Cloudflare saw.
fn client(req: &Request) -> Handled<(String, String)> {
    let ip = req.headers().get("CF-Connecting-IP")?.unwrap_or_else(|| "unknown".into());
    Ok((ids::client_key(&ip), ip))
}

/// Counts a public read (product, quote) against the client's limit: 429 with `Retry-After`
/// past it, so neither the store object nor coupon codes can be hammered from one place.
async fn limit_reads(ctx: &Ctx<'_>, req: &Request) -> Handled<()> {
    let (key, _) = client(req)?;
    let stub = ctx.env.durable_object(limiter::BINDING)?.get_by_name(&key)?;
    let hit = Hit { limit: ctx.config.reads_per_minute_per_ip, now_ms: worker::Date::now().as_millis() as i64 };
    match limiter::hit(&stub, &hit).await? {
        Verdict::Allowed => Ok(()),
        Verdict::Limited { retry_after } => refuse(rate_limited("too many requests from this address", retry_after)),
    }
}

fn rate_limited(message: &str, retry_after: i64) -> Result<Response> {
    let mut r = http::error(429, "rate_limited", format!("{message}; try again shortly"))?;
    r.headers_mut().set("Retry-After", &retry_after.to_string())?;
    Ok(r)
}

// ---- Products and quotes ----

async fn product(ctx: &Ctx<'_>, req: &Request, id: &str) -> Handled {
    limit_reads(ctx, req).await?;
    let Some(p) = ctx.catalog.product(id) else {
        return refuse(http::error(404, "product_not_found", format!("no product `{id}`")));
    };
    let in_stock = match &p.delivery {
        Delivery::Text(_) => true,
        Delivery::Stock(_) => {
            store_call(ctx, StockCount { product_id: p.id.clone() }).await? >= i64::from(p.prices.min_quantity)
        }
    };
    let view = ProductView {
        id: p.id.clone(),
        name: p.name.clone(),
        description: p.description.clone(),
        price: p.prices.price,
        currency: p.prices.currency,
        variants: p
            .variants
            .iter()
            .map(|v| VariantView { id: v.id.clone(), name: v.name.clone(), price: v.price })
            .collect(),
        min_quantity: p.prices.min_quantity,
        max_quantity: p.prices.max_quantity,
        payment_methods: p.methods.iter().copied().filter(|m| gateway_takes(ctx, *m)).map(MethodView::from).collect(),
        in_stock,
        sandbox: ctx.config.sandbox,
    };
    Ok(http::json(200, &Envelope { data: view })?)
}

/// Whether the configured gateway can take a payment made this way.
fn gateway_takes(ctx: &Ctx<'_>, method: shared::PaymentMethod) -> bool {
    match &ctx.config.gateway {
        Gateway::Sandbox => true,
        Gateway::Upstream(s) => upstream::adapter(s.provider).supports(method),
    }
}

/// Prices a quote or order request; a method the gateway cannot take is a field error.
async fn priced<'a>(ctx: &Ctx<'a>, q: &shared::wire::QuoteRequest) -> Handled<checkout::Priced<'a>> {
    if let (Gateway::Upstream(s), Some(_)) = (&ctx.config.gateway, &q.coupon_code)
        && s.provider.prices_orders()
    {
        // The provider charges its own price: a coupon here would be shown and never given.
        return refuse(http::field_error(
            "coupon_code",
            "validation_failed",
            format!("coupon_code: coupons are not available when {} prices the order", s.provider.display_name()),
        ));
    }
    let uses = coupon_uses(ctx, q.coupon_code.as_deref()).await?;
    let priced = checkout::price(ctx.catalog, q, |_| uses).or_else(|e| refuse(http::field_errors(e)))?;
    if !gateway_takes(ctx, priced.method) {
        return refuse(http::field_error(
            "payment_method",
            "validation_failed",
            format!("payment_method: `{}` is not available with this store's payment provider", priced.method),
        ));
    }
    Ok(priced)
}

/// How often each limited coupon named in the request has been used.
async fn coupon_uses(ctx: &Ctx<'_>, code: Option<&str>) -> Handled<u32> {
    match code.and_then(|c| ctx.catalog.coupon(c)) {
        Some(CouponDef { max_uses: Some(_), coupon }) => {
            Ok(store_call(ctx, CouponUses { code: coupon.code.clone() }).await?.max(0) as u32)
        }
        _ => Ok(0),
    }
}

async fn quote(ctx: &Ctx<'_>, req: &mut Request) -> Handled {
    limit_reads(ctx, req).await?;
    let body = http::read_json(req).await?;
    let q = QuoteRequest::from_json(&body).or_else(|e| refuse(http::field_errors(e)))?;
    let priced = priced(ctx, &q).await?;
    Ok(http::json(200, &Envelope { data: priced.view() })?)
}

// ---- Orders ----

fn idempotency_key(req: &Request) -> Handled<Option<String>> {
    match req.headers().get("Idempotency-Key")? {
        None => Ok(None),
        Some(k) if (1..=255).contains(&k.len()) && k.bytes().all(|b| b.is_ascii_graphic()) => Ok(Some(k)),
        Some(_) => refuse(http::json(
            400,
            &shared::wire::ErrorBody::new(
                "invalid_idempotency_key",
                "Idempotency-Key must be 1 to 255 visible ASCII characters",
            )
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

async fn create_order(ctx: &Ctx<'_>, req: &mut Request) -> Handled {
    let idem_key = idempotency_key(req)?;
    let body = http::read_json(req).await?;
    let r = CreateOrderRequest::from_json(&body).or_else(|e| refuse(http::field_errors(e)))?;
    let priced = priced(ctx, &r.quote).await?;

    let created_at = now();
    let minutes = i64::from(ctx.catalog.invoice_minutes);
    let lifetime = ctx.config.invoice_seconds.map_or(Duration::minutes(minutes), Duration::seconds);
    let (client, ip) = client(req)?;
    let secret = ids::client_secret();
    let discount = priced.breakdown.discount_total();
    let mut order = Order {
        id: ids::order_id(),
        invoice_id: ids::reference("INV", created_at.timestamp_millis()),
        order_number: ids::reference("ORD", created_at.timestamp_millis()),
        product_id: priced.product.id.clone(),
        product_name: priced.product.name.clone(),
        variant_id: priced.variant.map(|v| v.id.clone()),
        buyer_email: r.buyer_email.clone(),
        quantity: r.quote.quantity,
        total_amount: priced.breakdown.total,
        currency: priced.breakdown.currency,
        status: OrderStatus::Pending,
        payment_method: priced.method,
        crypto_currency: priced.crypto.map(|c| c.coin.asset.ticker().to_owned()),
        crypto_amount: priced.crypto.map(|c| c.amount),
        payment_address: None,
        amount_paid: Decimal::ZERO,
        txid: None,
        confirmations: 0,
        coupon_id: priced.coupon.map(|c| c.coupon.id.clone()),
        discount_amount: (discount > Decimal::ZERO).then_some(discount),
        customer_ip: Some(ip.clone()),
        customer_country: None,
        customer_country_code: req.cf().and_then(|cf| cf.country()),
        created_at,
        expires_at: created_at + lifetime,
        completed_at: None,
        delivered_content: None,
        network: None,
        payment_uri: None,
        exchange_rate: priced.crypto.map(|c| c.rate),
        confirmations_required: 0,
        checkout_url: None,
        late_amount_paid: Decimal::ZERO,
        sandbox: ctx.config.sandbox,
    };
    let origin = req.url()?.origin().ascii_serialization();
    let free = order.amount_due().is_zero();
    let link = match &ctx.config.gateway {
        // Nothing to pay: no address, no provider; the order completes when it is created.
        _ if free => None,
        Gateway::Sandbox => {
            open_sandbox_payment(&mut order, ctx.catalog, &origin, &secret);
            None
        }
        Gateway::Upstream(s) => {
            if let Some(coin) = order.payment_method.coin() {
                order.confirmations_required = ctx.catalog.confirmations_for(coin.network);
            }
            let callback_url = format!("{origin}/v1/webhooks/{}?order={}", s.provider, order.id);
            let product_ref = priced.product.upstream_id.clone().unwrap_or_else(|| priced.product.id.clone());
            let opening = Opening { product_ref, callback_url, token: ids::hex(&ids::random_bytes::<24>()) };
            Some(Link {
                provider: s.provider,
                opening,
                upstream_id: None,
                attempts: 0,
                seen: Vec::new(),
                news_at: None,
            })
        }
    };

    let body_hash = ids::hex(&Sha256::digest(serde_json::to_string(&body)?.as_bytes()));
    let stock_units = match &priced.product.delivery {
        Delivery::Stock(_) => order.quantity,
        Delivery::Text(_) => 0,
    };
    let reserve = Reserve {
        order: order.clone(),
        idempotency: idem_key.map(|k| (k, body_hash)),
        idempotency_seconds: ctx.config.idempotency_seconds,
        client,
        limit_per_minute: ctx.config.orders_per_minute_per_ip,
        stock_units,
        coupon: priced.coupon.and_then(|c| c.max_uses.map(|m| (c.coupon.code.clone(), m))),
        now_ms: created_at.timestamp_millis(),
    };
    let reserved = match store_call(ctx, reserve).await? {
        Reserved::Reserved { items } => items,
        Reserved::Replay { order_id } => {
            let answer = order_call(ctx, &order_id, &OrderRequest::Resume).await?;
            if let OrderReply::NotFound = answer {
                let mut r =
                    http::error(409, "idempotency_in_progress", "the first request with this key is still running")?;
                r.headers_mut().set("Retry-After", "1")?;
                return refuse(Ok(r));
            }
            let stored = stored(answer)?;
            return created(&stored.order, &stored.client_secret, true);
        }
        Reserved::IdempotencyConflict => {
            return refuse(http::error(
                409,
                "idempotency_conflict",
                "this Idempotency-Key was used with a different body",
            ));
        }
        Reserved::RateLimited { retry_after } => {
            return refuse(rate_limited("too many orders from this address", retry_after));
        }
        // The same answer the quote gives when it sees the coupon used up.
        Reserved::CouponUsedUp => {
            return refuse(http::field_error(
                "coupon_code",
                "validation_failed",
                "coupon_code: the coupon has been used up",
            ));
        }
        Reserved::OutOfStock { available } => {
            return refuse(http::field_error(
                "quantity",
                "out_of_stock",
                format!("only {available} left of `{}`", order.product_id),
            ));
        }
    };
    let delivery_text = match &priced.product.delivery {
        Delivery::Text(t) => Some(t.clone()),
        Delivery::Stock(_) => None,
    };
    let record = Record {
        order: order.clone(),
        client_secret: secret.clone(),
        reserved,
        delivery_text,
        upstream: link,
        rev: 0,
        synced: 0,
        sync_failures: 0,
        quiet_reads: 0,
    };
    match order_call(ctx, &order.id, &OrderRequest::Create { record: Box::new(record) }).await {
        // A provider's failure is passed on: the order waits, pending, for a retry with the same
        // Idempotency-Key (which opens it upstream then) or for its expiry, which frees the stock.
        Ok(answer) => {
            let stored = stored(answer)?;
            created(&stored.order, &stored.client_secret, false)
        }
        Err(failed) => {
            // No half-made order: give back what the reservation held.
            let _ = store_call(ctx, Abort { order_id: order.id.clone() }).await;
            Err(failed)
        }
    }
}

async fn get_order(ctx: &Ctx<'_>, req: &Request, id: &str) -> Handled {
    let (reader, stored) = authorized_order(ctx, req, id).await?;
    let body = match reader {
        Reader::Seller => serde_json::to_string(&Envelope { data: &stored.order })?,
        Reader::Buyer => serde_json::to_string(&Envelope { data: stored.order.public_view(now()) })?,
    };
    // The tag covers the order, not the server time in the view, so an unchanged order is 304.
    let kind = if matches!(reader, Reader::Seller) { "seller" } else { "buyer" };
    let tag = format!(
        "\"{}\"",
        ids::hex(&Sha256::digest(format!("{kind}:{}", serde_json::to_string(&stored.order)?).as_bytes())[..16])
    );
    let mut resp = if req.headers().get("If-None-Match")?.is_some_and(|t| t.split(',').any(|t| t.trim() == tag)) {
        Response::empty()?.with_status(304)
    } else {
        http::json_text(200, body)?
    };
    resp.headers_mut().set("ETag", &tag)?;
    resp.headers_mut().set("Cache-Control", "no-cache")?;
    Ok(resp)
}

fn bad_parameter(name: &str, why: &str) -> Handled<u32> {
    refuse(http::json(
        400,
        &shared::wire::ErrorBody::new("invalid_parameter", format!("{name} {why}")).with_fields(vec![name.into()]),
    ))
}

async fn list_orders(ctx: &Ctx<'_>, req: &Request) -> Handled {
    let url = req.url()?;
    let param = |name: &str| url.query_pairs().find(|(k, _)| k == name).map(|(_, v)| v.into_owned());
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

async fn update_order(ctx: &Ctx<'_>, req: &mut Request, id: &str) -> Handled {
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

// ---- Sandbox ----

async fn sandbox_pay(ctx: &Ctx<'_>, req: &mut Request, id: &str) -> Handled {
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

async fn sandbox_confirm(ctx: &Ctx<'_>, req: &mut Request, id: &str) -> Handled {
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
            return Err(Refusal::Respond(html(404, sandbox_page::done("No such checkout."))?));
        }
        Err(e) => return Err(e),
    };
    Ok(stored)
}

async fn checkout_page(ctx: &Ctx<'_>, req: &Request, id: &str) -> Handled {
    let url = req.url()?;
    let token = url.query_pairs().find(|(k, _)| k == "token").map(|(_, v)| v.into_owned()).unwrap_or_default();
    let stored = checkout_order(ctx, id, &token).await?;
    html(200, sandbox_page::checkout(&stored.order, &token))
}

async fn checkout_action(ctx: &Ctx<'_>, req: &mut Request, id: &str, action: CheckoutAction) -> Handled {
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
        Ok(o) => {
            html(200, sandbox_page::done(&format!("Order {} is {}. You can close this tab.", o.order_number, o.status)))
        }
        Err(Refusal::Respond(_)) => {
            html(409, sandbox_page::done("This order can no longer be paid or cancelled here."))
        }
        Err(e) => Err(e),
    }
}

// ---- Webhooks ----

/// `POST /v1/webhooks/:provider?order=<id>`: news from the provider about one order. The
/// order's object checks the signature or token, ignores replays and applies the rest.
async fn webhook(ctx: &Ctx<'_>, req: &mut Request, provider: &str) -> Handled {
    let configured = match &ctx.config.gateway {
        Gateway::Upstream(s) if s.provider.as_str() == provider => s.provider,
        _ => return refuse(http::error(404, "not_found", "no webhooks for this provider here")),
    };
    let url = req.url()?;
    let id = url.query_pairs().find(|(k, _)| k == "order").map(|(_, v)| v.into_owned()).unwrap_or_default();
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

// ---- Test-mode faults ----

/// `POST /v1/sandbox/faults` (test mode, seller key): `{"store_updates": n}` makes the store's
/// next `n` index updates fail, so tests can show that an order's object retries until the
/// store has its change.
async fn sandbox_faults(ctx: &Ctx<'_>, req: &mut Request) -> Handled {
    let body = http::read_json(req).await?;
    let Some(updates) = body.get("store_updates").and_then(Value::as_u64).filter(|n| *n <= 100) else {
        return refuse(http::field_error("store_updates", "validation_failed", "store_updates: 0 to 100"));
    };
    store_call(ctx, Fault { updates: updates as u32 }).await?;
    Ok(http::json(200, &serde_json::json!({"store_updates": updates}))?)
}
