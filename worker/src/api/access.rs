//! Who is asking: the seller by key, the buyer by the order's client secret, a client by its
//! address; and the per-client limit on public reads.

use sha2::{Digest, Sha256};
use worker::{Request, Response, Result};

use super::Ctx;
use super::objects::{Stored, read_order};
use crate::http::{self, Handled, refuse};
use crate::ids;
use crate::limiter::{self, Hit, Verdict};

/// Requires the seller's key; answers who it is, for the audit log: the key's fingerprint,
/// never the key.
pub(super) fn seller(ctx: &Ctx<'_>, req: &Request) -> Handled<Actor> {
    let header = req.headers().get("Authorization")?.unwrap_or_default();
    let Some(key) = header.strip_prefix("Bearer ").map(str::trim) else {
        return refuse(http::error(401, "unauthorized", "send Authorization: Bearer <seller key>"));
    };
    if ctx.config.seller_keys.iter().any(|k| ids::constant_time_eq(k, key)) {
        Ok(Actor(format!("key:{}", &ids::hex(&Sha256::digest(key.as_bytes()))[..12])))
    } else {
        refuse(http::error(401, "unauthorized", "the seller key is not valid"))
    }
}

/// Who made a change: `key:` and the start of the SHA-256 of the seller key used.
pub(super) struct Actor(pub String);

/// Who is asking for an order.
pub(super) enum Caller {
    Seller,
    Buyer,
}

/// Reads an order for whoever asks: the seller by key, the buyer by client secret. Neither is
/// 401; a wrong secret is 404, like an order that does not exist.
pub(super) async fn authorized_order(ctx: &Ctx<'_>, req: &Request, id: &str) -> Handled<(Caller, Stored)> {
    let reader = if req.headers().has("Authorization")? {
        seller(ctx, req)?;
        Caller::Seller
    } else if req.headers().has("X-Client-Secret")? {
        Caller::Buyer
    } else {
        return refuse(http::error(401, "unauthorized", "send X-Client-Secret (buyer) or Authorization (seller)"));
    };
    // The object checks a buyer's secret before it asks any provider about the order.
    let buyer_secret = match reader {
        Caller::Buyer => Some(req.headers().get("X-Client-Secret")?.unwrap_or_default()),
        Caller::Seller => None,
    };
    let stored = read_order(ctx, id, buyer_secret).await?;
    Ok((reader, stored))
}

/// The client a public request comes from (an IPv4 address or an IPv6 /64), by the address
/// Cloudflare saw.
pub(super) fn client(req: &Request) -> Handled<(String, String)> {
    let ip = req.headers().get("CF-Connecting-IP")?.unwrap_or_else(|| "unknown".into());
    Ok((ids::client_key(&ip), ip))
}

/// Counts a public read (product, quote) against the client's limit: 429 with `Retry-After`
/// past it, so neither the store object nor coupon codes can be hammered from one place.
pub(super) async fn limit_reads(ctx: &Ctx<'_>, req: &Request) -> Handled<()> {
    let (key, _) = client(req)?;
    let stub = ctx.env.durable_object(limiter::BINDING)?.get_by_name(&key)?;
    let hit = Hit { limit: ctx.config.reads_per_minute_per_ip, now_ms: worker::Date::now().as_millis() as i64 };
    match limiter::hit(&stub, &hit).await? {
        Verdict::Allowed => Ok(()),
        Verdict::Limited { retry_after } => refuse(rate_limited("too many requests from this address", retry_after)),
    }
}

pub(super) fn rate_limited(message: &str, retry_after: i64) -> Result<Response> {
    let mut r = http::error(429, "rate_limited", format!("{message}; try again shortly"))?;
    r.headers_mut().set("Retry-After", &retry_after.to_string())?;
    Ok(r)
}
