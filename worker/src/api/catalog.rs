//! The catalog as a whole: `GET /v1/catalog` (the document, for a backup) and
//! `POST /v1/catalog/import` (a whole document in its place, or the built-in seed again); and
//! `edit`, the one way the seller's routes change the catalog.

use std::cell::Cell;

use serde_json::Value;
use shared::wire::{Envelope, ErrorBody};
use worker::Request;

use super::Ctx;
use super::access::Actor;
use super::objects::store_call;
use crate::catalog;
use crate::catalog::edit::{Edit, Refused, field_of};
use crate::http::{self, Handled, refuse};
use crate::store::{CatalogDoc, CatalogEdit, CatalogRead, Edited};

/// The largest catalog or product body taken: a product may carry its first stock list.
pub(super) const MAX_CATALOG_BODY: usize = 1024 * 1024;

thread_local! {
    /// Test mode's `unseen_catalog_changes` fault: how many of this isolate's next changes it
    /// does not keep, as if another isolate had made them.
    static UNSEEN_CHANGES: Cell<u32> = const { Cell::new(0) };
}

/// Sets the `unseen_catalog_changes` fault.
pub(super) fn leave_changes_unseen(n: u32) {
    UNSEEN_CHANGES.set(n);
}

/// Makes a change at the store; the entry as it now reads. This isolate prices with the new
/// version at once.
pub(super) async fn edit(ctx: &Ctx<'_>, edit: Edit, actor: Actor) -> Handled<Value> {
    let now_ms = worker::Date::now().as_millis() as i64;
    match store_call(ctx, CatalogEdit { edit, actor: actor.0, now_ms }).await? {
        Edited::Done { version, doc, entry } => {
            match UNSEEN_CHANGES.get() {
                0 => drop(ctx.keep_catalog(version, &doc)?),
                n => UNSEEN_CHANGES.set(n - 1),
            }
            Ok(entry)
        }
        Edited::Refused { refused } => refuse(refusal(refused)),
    }
}

/// A refused change as its answer: 404, 409, or 422 naming every field at fault.
fn refusal(r: Refused) -> worker::Result<worker::Response> {
    match r {
        Refused::NotFound { what, id } => http::error(404, &format!("{what}_not_found"), format!("no {what} `{id}`")),
        Refused::Exists { what, id } => http::error(409, &format!("{what}_exists"), format!("a {what} `{id}` exists")),
        Refused::Invalid { at, problems } => {
            let mut fields: Vec<String> = problems.iter().map(|(path, _)| field_of(&at, path)).collect();
            fields.dedup();
            let message =
                problems.iter().map(|(path, what)| format!("{}: {what}", field_of(&at, path))).collect::<Vec<_>>();
            http::json(422, &ErrorBody::new("validation_failed", message.join("; ")).with_fields(fields))
        }
    }
}

/// The current document and its version, straight from the store (never a cached copy).
pub(super) async fn document(ctx: &Ctx<'_>) -> Handled<(u64, Value)> {
    let CatalogDoc { version, doc } = store_call(ctx, CatalogRead {}).await?;
    Ok((version, serde_json::from_str(&doc)?))
}

pub(super) async fn export(ctx: &Ctx<'_>) -> Handled {
    let (version, doc) = document(ctx).await?;
    Ok(http::json(200, &Envelope { data: serde_json::json!({"version": version, "catalog": doc}) })?)
}

/// An empty body imports the built-in catalog again; a JSON body (the shape of `GET
/// /v1/catalog`'s `catalog`) imports that. Stock items it lists are added unless the store has
/// them; products and coupons it leaves out are kept, archived.
pub(super) async fn import(ctx: &Ctx<'_>, req: &mut Request, actor: Actor) -> Handled {
    let body = http::read_body(req, MAX_CATALOG_BODY).await?;
    let doc = if body.iter().all(u8::is_ascii_whitespace) {
        serde_json::from_str(catalog::SOURCE_JSON)?
    } else {
        http::parse_body(&body)?
    };
    edit(ctx, Edit::Import { doc }, actor).await?;
    export(ctx).await
}
