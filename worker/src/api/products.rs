//! The seller's products and their stock: list, create, read, change (a JSON merge patch) and
//! archive; stock counts, items added from a pasted list, an item withdrawn. Products are
//! entries of the catalog document, as `catalog.toml` writes them; stock items live in the
//! store and are never shown, only counted (an item's id and its last characters identify it).

use serde_json::Value;
use shared::wire::Envelope;
use worker::Request;

use super::Ctx;
use super::access::Actor;
use super::catalog::{MAX_CATALOG_BODY, document, edit};
use super::objects::store_call;
use crate::catalog::edit::Edit;
use crate::http::{self, Handled, refuse};
use crate::store::{StockAdded, StockAppend, StockLevels, StockLevelsOf, StockStates, StockWithdraw, Withdrawn};

/// A pasted stock list may be long: 10,000 keys of up to 100 characters.
const MAX_STOCK_BODY: usize = 1024 * 1024;

fn not_found(id: &str) -> worker::Result<worker::Response> {
    http::error(404, "product_not_found", format!("no product `{id}`"))
}

fn is_stock(entry: &Value) -> bool {
    entry.pointer("/delivery/stock").is_some()
}

/// A product as the seller sees it: the entry, whether it is archived, and its stock counts.
async fn view(ctx: &Ctx<'_>, entry: Value) -> Handled<Value> {
    let levels = if is_stock(&entry) {
        Some(store_call(ctx, StockLevels { product_id: id_of(&entry), items: false }).await?)
    } else {
        None
    };
    shown(entry, levels)
}

fn id_of(entry: &Value) -> String {
    entry["id"].as_str().unwrap_or_default().to_owned()
}

/// The entry with `archived` always present, and the store's counts in place of its items.
fn shown(mut entry: Value, levels: Option<StockStates>) -> Handled<Value> {
    if entry.get("archived").is_none() {
        entry["archived"] = Value::Bool(false);
    }
    if levels.is_some()
        && let Some(d) = entry.get_mut("delivery")
    {
        d["stock"] = Value::from("(held by the store; see stock)");
    }
    entry["stock"] = serde_json::to_value(levels)?;
    Ok(entry)
}

async fn entry(ctx: &Ctx<'_>, id: &str) -> Handled<Value> {
    let (_, doc) = document(ctx).await?;
    let found = doc["products"].as_array().and_then(|ps| ps.iter().find(|p| p["id"] == id)).cloned();
    match found {
        Some(e) => Ok(e),
        None => refuse(not_found(id)),
    }
}

pub(super) async fn list(ctx: &Ctx<'_>, req: &Request) -> Handled {
    let (_, doc) = document(ctx).await?;
    let archived = http::query(req, "archived");
    let wanted: Vec<Value> = (doc["products"].as_array().cloned().unwrap_or_default().into_iter())
        .filter(|p| {
            let is_archived = p["archived"].as_bool().unwrap_or(false);
            match archived.as_deref() {
                Some("true") => is_archived,
                Some("all") => true,
                _ => !is_archived,
            }
        })
        .collect();
    // Every stocked product's counts in one call to the store (none when none is stocked).
    let product_ids: Vec<String> = wanted.iter().filter(|p| is_stock(p)).map(id_of).collect();
    let levels =
        if product_ids.is_empty() { Vec::new() } else { store_call(ctx, StockLevelsOf { product_ids }).await? };
    let mut levels = levels.into_iter();
    let out = (wanted.into_iter())
        .map(|p| {
            let counts = if is_stock(&p) { levels.next() } else { None };
            shown(p, counts)
        })
        .collect::<Handled<Vec<_>>>()?;
    Ok(http::json(200, &Envelope { data: out })?)
}

pub(super) async fn get(ctx: &Ctx<'_>, id: &str) -> Handled {
    let e = entry(ctx, id).await?;
    Ok(http::json(200, &Envelope { data: view(ctx, e).await? })?)
}

pub(super) async fn create(ctx: &Ctx<'_>, req: &mut Request, actor: Actor) -> Handled {
    let product = http::read_json_bounded(req, MAX_CATALOG_BODY).await?;
    let entry = edit(ctx, Edit::CreateProduct { product }, actor).await?;
    Ok(http::json(201, &Envelope { data: view(ctx, entry).await? })?)
}

pub(super) async fn update(ctx: &Ctx<'_>, req: &mut Request, id: &str, actor: Actor) -> Handled {
    let patch = http::read_json_bounded(req, MAX_CATALOG_BODY).await?;
    let entry = edit(ctx, Edit::UpdateProduct { id: id.into(), patch }, actor).await?;
    Ok(http::json(200, &Envelope { data: view(ctx, entry).await? })?)
}

pub(super) async fn archive(ctx: &Ctx<'_>, id: &str, actor: Actor) -> Handled {
    let entry = edit(ctx, Edit::ArchiveProduct { id: id.into() }, actor).await?;
    Ok(http::json(200, &Envelope { data: view(ctx, entry).await? })?)
}

/// `GET /v1/products/:id/stock`: counts by state; with `?items=true`, each item's id, state and
/// last characters. A product delivered as a text has no items.
pub(super) async fn stock(ctx: &Ctx<'_>, req: &Request, id: &str) -> Handled {
    let e = entry(ctx, id).await?;
    let items = http::query(req, "items").as_deref() == Some("true");
    let mut data = if is_stock(&e) {
        let levels = store_call(ctx, StockLevels { product_id: id.into(), items }).await?;
        serde_json::to_value(levels)?
    } else {
        serde_json::json!({"available": 0, "reserved": 0, "delivered": 0, "withdrawn": 0})
    };
    data["product_id"] = Value::from(id);
    data["delivery"] = Value::from(if is_stock(&e) { "stock" } else { "text" });
    Ok(http::json(200, &Envelope { data })?)
}

/// `POST /v1/products/:id/stock`: a `text/plain` body, one item per line, or JSON
/// `{"items": [..]}`. All or nothing: a line that repeats, or is already in stock (or was
/// delivered or withdrawn), refuses the whole list, naming every such line.
pub(super) async fn append_stock(ctx: &Ctx<'_>, req: &mut Request, id: &str, actor: Actor) -> Handled {
    let plain = req.headers().get("Content-Type")?.unwrap_or_default().to_ascii_lowercase().starts_with("text/plain");
    let items: Vec<String> = if plain {
        let bytes = http::read_body(req, MAX_STOCK_BODY).await?;
        match String::from_utf8(bytes) {
            Ok(text) => text.lines().map(str::to_owned).collect(),
            Err(_) => return refuse(http::error(400, "invalid_body", "the list is not UTF-8 text")),
        }
    } else {
        let body = http::read_json_bounded(req, MAX_STOCK_BODY).await?;
        match body.get("items").and_then(Value::as_array) {
            Some(list) if list.iter().all(Value::is_string) => {
                list.iter().filter_map(Value::as_str).map(str::to_owned).collect()
            }
            _ => {
                return refuse(http::field_error("items", "validation_failed", "items: a list of strings is required"));
            }
        }
    };
    let now_ms = worker::Date::now().as_millis() as i64;
    match store_call(ctx, StockAppend { product_id: id.into(), items, actor: actor.0, now_ms }).await? {
        StockAdded::Added { added, levels } => {
            Ok(http::json(201, &Envelope { data: serde_json::json!({"added": added, "stock": levels}) })?)
        }
        StockAdded::Refused { problems } => {
            let fields = problems.iter().map(|(at, _)| at.clone()).collect();
            let message = problems.iter().map(|(at, what)| format!("{at}: {what}")).collect::<Vec<_>>().join("; ");
            refuse(http::json(422, &shared::wire::ErrorBody::new("validation_failed", message).with_fields(fields)))
        }
        StockAdded::NoSuchProduct => refuse(not_found(id)),
        StockAdded::NotStock => refuse(http::error(
            409,
            "not_stock_delivered",
            format!("`{id}` delivers a text; set its delivery to {{\"stock\": []}} to sell items"),
        )),
    }
}

/// `DELETE /v1/products/:id/stock/:item_id`: an available item taken out of sale for good.
pub(super) async fn withdraw_stock(ctx: &Ctx<'_>, id: &str, item_id: &str, actor: Actor) -> Handled {
    let now_ms = worker::Date::now().as_millis() as i64;
    let request = StockWithdraw { product_id: id.into(), item_id: item_id.into(), actor: actor.0, now_ms };
    match store_call(ctx, request).await? {
        Withdrawn::Done { levels } => Ok(http::json(200, &Envelope { data: levels })?),
        Withdrawn::NoSuchItem => refuse(http::error(404, "item_not_found", format!("`{id}` has no item `{item_id}`"))),
        Withdrawn::NotAvailable { state } => refuse(http::error(
            409,
            "item_not_available",
            format!("item `{item_id}` is {state}; only an available item can be withdrawn"),
        )),
    }
}
