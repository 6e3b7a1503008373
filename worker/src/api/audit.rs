//! `GET /v1/audit`: the seller's changes, newest first, paged like the order list.

use shared::wire::{ListMeta, ListResponse};
use worker::Request;

use super::Ctx;
use super::objects::store_call;
use super::seller::page;
use crate::http::{self, Handled};
use crate::store::AuditRead;

pub(super) async fn read(ctx: &Ctx<'_>, req: &Request) -> Handled {
    let (limit, offset) = page(req, 50, 200)?;
    let logged = store_call(ctx, AuditRead { limit, offset }).await?;
    Ok(http::json(200, &ListResponse { data: logged.entries, meta: ListMeta { total: logged.total, limit, offset } })?)
}
