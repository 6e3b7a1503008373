//! Calls to the Durable Objects, and their replies as responses.

use gateways::Failure;
use shared::{Order, OrderEvent};
use worker::{Response, Result, Stub, console_error};

use std::rc::Rc;

use super::Ctx;
use crate::catalog::{self, Catalog, Known};
use crate::http::{self, Handled, Refusal, refuse};
use crate::order_object::{self, EventRefusal, OrderReply, OrderRequest, Payment, UpstreamRef};
use crate::store::{self, Ask, CatalogDoc, CatalogRead};
use crate::{ids, rpc};

/// The order as the object has it: the order, the buyer's secret, and for the seller the
/// provider's order and each payment seen.
pub(super) struct Stored {
    pub order: Order,
    pub client_secret: String,
    pub upstream: Option<UpstreamRef>,
    pub payments: Vec<Payment>,
}

pub(super) fn not_found_order() -> Result<Response> {
    http::error(404, "order_not_found", "no such order")
}

pub(super) fn order_stub(ctx: &Ctx<'_>, id: &str) -> Result<Stub> {
    ctx.env.durable_object(order_object::BINDING)?.get_by_name(id)
}

fn store_stub(ctx: &Ctx<'_>) -> Result<Stub> {
    ctx.env.durable_object(store::BINDING)?.get_by_name(store::NAME)
}

/// Reads an order, seller's (`buyer_secret` None) or buyer's.
pub(super) async fn read_order(ctx: &Ctx<'_>, id: &str, buyer_secret: Option<String>) -> Handled<Stored> {
    stored(order_call(ctx, id, &OrderRequest::Read { buyer_secret }).await?)
}

/// Asks an order's object. An id that is not an order id is 404 at once: no object is woken
/// for a string a stranger made up.
pub(super) async fn order_call(ctx: &Ctx<'_>, id: &str, request: &OrderRequest) -> Handled<OrderReply> {
    if !ids::is_order_id(id) {
        return refuse(not_found_order());
    }
    Ok(rpc::call(&order_stub(ctx, id)?, request).await?)
}

/// An order object's answer as a response: the order, or the refusal it stands for.
pub(super) fn stored(reply: OrderReply) -> Handled<Stored> {
    match reply {
        OrderReply::Order { order, client_secret, upstream, payments } => {
            Ok(Stored { order, client_secret, upstream, payments })
        }
        OrderReply::NotFound => refuse(not_found_order()),
        OrderReply::Abandoned => refuse(abandoned()),
        OrderReply::Upstream { failure } => refuse(upstream_failure(&failure)),
        OrderReply::Refused { refusal: EventRefusal::Illegal(message) } => {
            refuse(http::error(409, "illegal_transition", message))
        }
        OrderReply::Refused { refusal: EventRefusal::Invalid(message) } => {
            refuse(http::field_error("amount", "validation_failed", message))
        }
        OrderReply::Webhook { .. } | OrderReply::Notices { .. } | OrderReply::Opened => {
            Err(Refusal::Fail(worker::Error::RustError("an order object answered another request".into())))
        }
    }
}

/// A create that reached the order's object after its reservation was given up: nothing is
/// held any more, so the same request (with the same Idempotency-Key) can be sent again.
fn abandoned() -> Result<Response> {
    let mut r = http::error(
        503,
        "order_abandoned",
        "the order took too long to make and was given up; send the request again",
    )?;
    r.headers_mut().set("Retry-After", "1")?;
    Ok(r)
}

/// 502 `upstream_error` or 503 `upstream_unavailable`, with `Retry-After`.
fn upstream_failure(f: &Failure) -> Result<Response> {
    let mut r = http::error(f.status, &f.code, f.message.clone())?;
    r.headers_mut().set("Retry-After", &f.retry_after.to_string())?;
    Ok(r)
}

pub(super) async fn store_call<A: Ask>(ctx: &Ctx<'_>, request: A) -> Handled<A::Reply> {
    Ok(store::ask(&store_stub(ctx)?, request).await?)
}

impl Ctx<'_> {
    /// The catalog and its version: this isolate's copy, else the store's. A copy older than
    /// `catalog::FRESH_MS` is used as it is and read again in the background; `catalog_behind`
    /// then says this request's copy may be behind the store's.
    pub(super) async fn catalog(&self) -> Handled<(u64, Rc<Catalog>)> {
        if let Some(known) = self.catalog.borrow().clone() {
            return Ok(known);
        }
        let now_ms = worker::Date::now().as_millis() as f64;
        let known = match catalog::cached(now_ms) {
            Some(Known { version, catalog, fresh, ask }) => {
                self.catalog_behind.set(!fresh);
                if ask {
                    self.refresh_catalog(version);
                }
                (version, catalog)
            }
            None => {
                let CatalogDoc { version, doc } = store_call(self, CatalogRead {}).await?;
                self.keep_catalog(version, &doc)?
            }
        };
        *self.catalog.borrow_mut() = Some(known.clone());
        Ok(known)
    }

    /// Whether the catalog this request uses may be behind the store's.
    pub(super) fn catalog_behind(&self) -> bool {
        self.catalog_behind.get()
    }

    /// `work` on the catalog; when it refuses on a copy that may be behind the store's (a
    /// product made a second ago through another isolate), once more on the store's.
    pub(super) async fn on_catalog<T>(&self, work: impl AsyncFn(&Catalog) -> Handled<T>) -> Handled<T> {
        let (_, catalog) = self.catalog().await?;
        match work(&catalog).await {
            Err(Refusal::Respond(_)) if self.catalog_behind() => work(&self.reload_catalog().await?.1).await,
            done => done,
        }
    }

    /// Reads the store's version after this request, for the isolate's next ones.
    fn refresh_catalog(&self, asked_version: u64) {
        let Ok(stub) = store_stub(self) else { return };
        self.background.wait_until(async move {
            let read = store::ask(&stub, CatalogRead {}).await;
            let now_ms = worker::Date::now().as_millis() as f64;
            match read.map(|CatalogDoc { version, doc }| catalog::refreshed(asked_version, version, &doc, now_ms)) {
                Ok(Ok(())) => {}
                Ok(Err(problems)) => console_error!("the store's catalog does not check: {}", problems.join("; ")),
                Err(e) => console_error!("the catalog could not be read again: {e}"),
            }
        });
    }

    /// Takes a version the store gave (after a change, or on asking): this request and the
    /// isolate's next ones use it.
    pub(super) fn keep_catalog(&self, version: u64, doc: &str) -> Handled<(u64, Rc<Catalog>)> {
        let now_ms = worker::Date::now().as_millis() as f64;
        let parsed = catalog::remember(version, doc, now_ms)
            .or_else(|problems| refuse(http::error(503, "misconfigured", problems.join("; "))))?;
        *self.catalog.borrow_mut() = Some((version, Rc::clone(&parsed)));
        self.catalog_behind.set(false);
        Ok((version, parsed))
    }

    /// Forgets the catalog this request had: the store said it changed.
    pub(super) async fn reload_catalog(&self) -> Handled<(u64, Rc<Catalog>)> {
        let CatalogDoc { version, doc } = store_call(self, CatalogRead {}).await?;
        self.keep_catalog(version, &doc)
    }
}

/// Sends an event to an order; an illegal transition is 409 naming both statuses.
pub(super) async fn send_event(ctx: &Ctx<'_>, id: &str, event: &OrderEvent) -> Handled<Order> {
    Ok(stored(order_call(ctx, id, &OrderRequest::Event { event: event.clone() }).await?)?.order)
}
