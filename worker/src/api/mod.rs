//! The orders API: each route's handler, one module per concern. Validation happens before
//! any storage is touched, so a refused request leaves nothing behind.
//!
//! - `access`: who is asking (the seller's key, the buyer's secret, the client's address) and
//!   the per-client read limit;
//! - `objects`: calls to the Durable Objects and their replies as responses;
//! - `quotes`: products and quotes; `orders`: order creation and reading; `live`: the buyer's
//!   WebSocket to the order's object;
//! - `seller`: the seller's list, status changes and order events; `webhooks`: news from a
//!   provider;
//! - `products`, `coupons`: the seller's catalog and stock; `catalog`: the catalog whole
//!   (export, import); `audit`: the log of the seller's changes;
//! - `sandbox`: test-mode payments, the hosted card page and fault injection.

mod access;
mod audit;
mod catalog;
mod coupons;
mod live;
mod objects;
mod orders;
mod prepared;
mod products;
mod quotes;
mod sandbox;
mod seller;
mod webhooks;

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use worker::{Context, Env, Request, Response, Result, console_error};

use crate::catalog::Catalog;
use crate::config::{Config, Gateway};
use crate::http::{self, Handled, Refusal, refuse};
use crate::routes::{Route, SellerRoute, route};
use access::Actor;

/// What every handler may use: the environment, the checked settings, the catalog (the
/// isolate's copy or the store's, when a handler first asks for it: `Ctx::catalog`), and work
/// to finish after the answer.
struct Ctx<'a> {
    env: &'a Env,
    config: Config,
    catalog: RefCell<Option<(u64, Rc<Catalog>)>>,
    catalog_behind: Cell<bool>,
    background: &'a Context,
}

/// Serves one request.
pub async fn handle(req: Request, env: Env, background: &Context) -> Result<Response> {
    let route = route(&req.method(), &req.path(), req.headers().has("Authorization")?);
    let origin = http::origin(&req);
    let config = match Config::cached(&env) {
        Ok(c) => c,
        Err(problems) => return http::error(503, "misconfigured", problems.join("; ")),
    };
    let seller_call = req.headers().has("Authorization")?;
    let public = route.is_public() && !seller_call;
    let ctx = Ctx { env: &env, config, catalog: RefCell::new(None), catalog_behind: Cell::new(false), background };
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
            | Route::Seller(SellerRoute::SandboxFaults)
    );
    if sandbox_only && !(ctx.config.sandbox && ctx.config.gateway == Gateway::Sandbox) {
        return refuse(http::error(404, "not_found", "no such endpoint"));
    }
    match route {
        Route::Health => Ok(http::json(200, &serde_json::json!({"status": "ok", "sandbox": ctx.config.sandbox}))?),
        Route::Preflight => Ok(http::preflight(&req, &ctx.config)?),
        Route::Seller(route) => {
            let actor = access::seller(ctx, &req)?;
            dispatch_seller(ctx, route, req, actor).await
        }
        Route::Product(id) => quotes::product(ctx, &req, &id).await,
        Route::Quote => quotes::quote(ctx, &mut req).await,
        Route::CreateOrder => orders::create(ctx, &mut req).await,
        Route::GetOrder(id) => orders::get(ctx, &req, &id).await,
        Route::Live(id) => live::open(ctx, req, &id).await,
        Route::SandboxPay(id) => sandbox::pay(ctx, &mut req, &id).await,
        Route::SandboxConfirm(id) => sandbox::confirm(ctx, &mut req, &id).await,
        Route::SandboxCheckoutPage(id) => sandbox::checkout_page(ctx, &req, &id).await,
        Route::SandboxCheckoutAction(id, action) => sandbox::checkout_action(ctx, &mut req, &id, action).await,
        Route::Webhook(provider) => webhooks::receive(ctx, &mut req, &provider).await,
        Route::MethodNotAllowed(allow) => {
            let mut r = http::error(405, "method_not_allowed", format!("use {allow}"))?;
            r.headers_mut().set("Allow", allow)?;
            Ok(r)
        }
        Route::NotFound => refuse(http::error(404, "not_found", "no such endpoint")),
    }
}

/// The seller's endpoints, reached only with the seller's key (`actor` is who it is).
async fn dispatch_seller(ctx: &Ctx<'_>, route: SellerRoute, mut req: Request, actor: Actor) -> Handled {
    match route {
        SellerRoute::Product(id) => products::get(ctx, &id).await,
        SellerRoute::ListProducts => products::list(ctx, &req).await,
        SellerRoute::CreateProduct => products::create(ctx, &mut req, actor).await,
        SellerRoute::UpdateProduct(id) => products::update(ctx, &mut req, &id, actor).await,
        SellerRoute::ArchiveProduct(id) => products::archive(ctx, &id, actor).await,
        SellerRoute::ProductStock(id) => products::stock(ctx, &req, &id).await,
        SellerRoute::AppendStock(id) => products::append_stock(ctx, &mut req, &id, actor).await,
        SellerRoute::WithdrawStock(id, item) => products::withdraw_stock(ctx, &id, &item, actor).await,
        SellerRoute::ListCoupons => coupons::list(ctx).await,
        SellerRoute::CreateCoupon => coupons::create(ctx, &mut req, actor).await,
        SellerRoute::Coupon(id) => coupons::get(ctx, &id).await,
        SellerRoute::UpdateCoupon(id) => coupons::update(ctx, &mut req, &id, actor).await,
        SellerRoute::ArchiveCoupon(id) => coupons::archive(ctx, &id, actor).await,
        SellerRoute::Audit => audit::read(ctx, &req).await,
        SellerRoute::CatalogExport => catalog::export(ctx).await,
        SellerRoute::CatalogImport => catalog::import(ctx, &mut req, actor).await,
        SellerRoute::ListOrders => seller::list_orders(ctx, &req).await,
        SellerRoute::OrdersCsv => seller::orders_csv(ctx, &req).await,
        SellerRoute::UpdateOrder(id) => seller::update_order(ctx, &mut req, &id, actor).await,
        SellerRoute::OrderEvents(id) => seller::order_events(ctx, &id).await,
        SellerRoute::Redeliver(id, event_id) => seller::redeliver(ctx, &id, &event_id).await,
        SellerRoute::SandboxFaults => sandbox::faults(ctx, &mut req).await,
    }
}
