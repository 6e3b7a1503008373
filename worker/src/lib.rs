//! Tollgate's edge worker: the orders API, the sandbox gateway on Durable Objects, and the
//! demo store's static files (served by Workers assets before this code runs).

pub mod api;
pub mod catalog;
pub mod checkout;
pub mod config;
pub mod csv;
pub mod http;
pub mod ids;
pub mod limiter;
pub mod notices;
pub mod order_object;
pub mod outbound;
pub mod routes;
pub mod rpc;
pub mod sandbox;
pub mod store;
#[cfg(test)]
mod test_support;
pub mod upstream;

use worker::{Context, Env, Request, Response, Result, event};

#[event(fetch)]
async fn fetch(req: Request, env: Env, ctx: Context) -> Result<Response> {
    api::handle(req, env, &ctx).await
}
