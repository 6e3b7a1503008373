//! Calls between the worker and its Durable Objects: JSON over an internal fetch, read with
//! serde_json (not the JS parser) so amounts keep every digit.

use serde::Serialize;
use serde::de::DeserializeOwned;
use worker::{Headers, Method, Request, RequestInit, Response, Result, Stub};

/// A Durable Object's successful answer.
pub fn reply<T: Serialize>(value: &T) -> Result<Response> {
    let headers = Headers::new();
    headers.set("Content-Type", "application/json")?;
    Ok(Response::ok(serde_json::to_string(value)?)?.with_headers(headers))
}

/// Calls `op` on a Durable Object; returns the status and the parsed body (None unless 2xx).
pub async fn call<B: Serialize, T: DeserializeOwned>(
    stub: &Stub,
    op: &str,
    body: &B,
) -> Result<(u16, Option<T>, String)> {
    let mut init = RequestInit::new();
    init.with_method(Method::Post).with_body(Some(serde_json::to_string(body)?.into()));
    let req = Request::new_with_init(&format!("https://do.internal{op}"), &init)?;
    let mut resp = stub.fetch_with_request(req).await?;
    let status = resp.status_code();
    let text = resp.text().await?;
    if (200..300).contains(&status) {
        Ok((status, Some(serde_json::from_str(&text)?), text))
    } else {
        Ok((status, None, text))
    }
}
