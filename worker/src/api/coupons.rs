//! The seller's coupons: list, create, read, change (a JSON merge patch; the code stays, since
//! uses are counted by it) and archive. A coupon is a percent or a fixed amount off, with an
//! optional limit on uses, an expiry and the products it applies to.

use serde_json::Value;
use shared::wire::Envelope;
use worker::Request;

use super::Ctx;
use super::access::Actor;
use super::catalog::{MAX_CATALOG_BODY, document, edit};
use super::objects::store_call;
use crate::catalog::edit::Edit;
use crate::http::{self, Handled, refuse};
use crate::store::CouponUses;

/// A coupon as the seller sees it: the entry, whether it is archived, and its uses so far.
async fn view(ctx: &Ctx<'_>, mut entry: Value) -> Handled<Value> {
    let code = entry["code"].as_str().unwrap_or_default().to_owned();
    if entry.get("archived").is_none() {
        entry["archived"] = Value::Bool(false);
    }
    entry["uses"] = Value::from(store_call(ctx, CouponUses { code }).await?);
    Ok(entry)
}

pub(super) async fn list(ctx: &Ctx<'_>) -> Handled {
    let (_, doc) = document(ctx).await?;
    let mut out = Vec::new();
    for c in doc["coupons"].as_array().cloned().unwrap_or_default() {
        out.push(view(ctx, c).await?);
    }
    Ok(http::json(200, &Envelope { data: out })?)
}

pub(super) async fn get(ctx: &Ctx<'_>, id: &str) -> Handled {
    let (_, doc) = document(ctx).await?;
    match doc["coupons"].as_array().and_then(|cs| cs.iter().find(|c| c["id"] == id)).cloned() {
        Some(c) => Ok(http::json(200, &Envelope { data: view(ctx, c).await? })?),
        None => refuse(http::error(404, "coupon_not_found", format!("no coupon `{id}`"))),
    }
}

pub(super) async fn create(ctx: &Ctx<'_>, req: &mut Request, actor: Actor) -> Handled {
    let coupon = http::read_json_bounded(req, MAX_CATALOG_BODY).await?;
    let entry = edit(ctx, Edit::CreateCoupon { coupon }, actor).await?;
    Ok(http::json(201, &Envelope { data: view(ctx, entry).await? })?)
}

pub(super) async fn update(ctx: &Ctx<'_>, req: &mut Request, id: &str, actor: Actor) -> Handled {
    let patch = http::read_json_bounded(req, MAX_CATALOG_BODY).await?;
    let entry = edit(ctx, Edit::UpdateCoupon { id: id.into(), patch }, actor).await?;
    Ok(http::json(200, &Envelope { data: view(ctx, entry).await? })?)
}

pub(super) async fn archive(ctx: &Ctx<'_>, id: &str, actor: Actor) -> Handled {
    let entry = edit(ctx, Edit::ArchiveCoupon { id: id.into() }, actor).await?;
    Ok(http::json(200, &Envelope { data: view(ctx, entry).await? })?)
}
