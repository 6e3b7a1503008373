//! Calls between the worker and its Durable Objects: one typed request sent as JSON over an
//! internal fetch, one typed reply read back with serde_json (not the JS parser), so amounts
//! keep every digit. A renamed operation or reply is a compile error, not a string mismatch.
//!
//! The requests and replies are enums in serde's default form, `{"variant": {..}}`, never
//! `#[serde(tag = ..)]`: serde reads an internally tagged enum through its buffered `Content`,
//! a second copy of the reader of every type inside it (the whole order and its record). The
//! default form took 180 KB off the worker's wasm. Both sides read with [`shared::wire::read`],
//! through a `Value`, so the readers here are the same code as the API's (40 KB less).

use serde::Serialize;
use serde::de::DeserializeOwned;
use worker::{Headers, Method, Request, RequestInit, Response, Result, Stub};

/// A Durable Object's reply.
pub fn reply<T: Serialize>(value: &T) -> Result<Response> {
    let headers = Headers::new();
    headers.set("Content-Type", "application/json")?;
    Ok(Response::ok(serde_json::to_string(value)?)?.with_headers(headers))
}

/// Reads the request a Durable Object was sent.
pub async fn request<T: DeserializeOwned>(mut req: Request) -> Result<T> {
    Ok(shared::wire::read(&req.text().await?)?)
}

/// Sends `request` to a Durable Object and reads its reply. Anything but a 2xx with a reply
/// of the expected type is an error: objects answer refusals as reply values, not statuses.
pub async fn call<B: Serialize, T: DeserializeOwned>(stub: &Stub, request: &B) -> Result<T> {
    let mut init = RequestInit::new();
    init.with_method(Method::Post).with_body(Some(serde_json::to_string(request)?.into()));
    let req = Request::new_with_init("https://do.internal/", &init)?;
    let mut resp = stub.fetch_with_request(req).await?;
    let status = resp.status_code();
    let text = resp.text().await?;
    if !(200..300).contains(&status) {
        return Err(worker::Error::RustError(format!("durable object answered {status}: {text}")));
    }
    Ok(shared::wire::read(&text)?)
}
