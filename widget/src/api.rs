//! The worker's public API, over gloo-net. Bodies are parsed with serde_json, so amounts keep
//! every digit.

use gloo_net::http::{Request, Response};
use serde::de::DeserializeOwned;
use serde_json::Value;
use shared::order::PublicOrder;
use shared::wire::{Envelope, ErrorBody, ProductView, QuoteView};

/// A refused or failed call, as the widget shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// 0 when the network failed before any answer.
    pub status: u16,
    pub code: String,
    pub message: String,
    pub fields: Vec<String>,
}

impl ApiError {
    fn network(e: impl std::fmt::Display) -> ApiError {
        ApiError {
            status: 0,
            code: "network_error".into(),
            message: format!("Could not reach the checkout: {e}"),
            fields: vec![],
        }
    }
}

async fn read<T: DeserializeOwned>(resp: Response) -> Result<T, ApiError> {
    let status = resp.status();
    let text = resp.text().await.map_err(ApiError::network)?;
    if (200..300).contains(&status) {
        let e: Envelope<T> = serde_json::from_str(&text).map_err(|e| ApiError {
            status,
            code: "bad_response".into(),
            message: format!("Unexpected answer from the checkout: {e}"),
            fields: vec![],
        })?;
        return Ok(e.data);
    }
    Err(match serde_json::from_str::<ErrorBody>(&text) {
        Ok(b) => ApiError { status, code: b.error.code, message: b.error.message, fields: b.error.invalid_fields },
        Err(_) => ApiError {
            status,
            code: "http_error".into(),
            message: format!("The checkout answered {status}."),
            fields: vec![],
        },
    })
}

pub async fn product(api: &str, id: &str) -> Result<ProductView, ApiError> {
    let resp = Request::get(&format!("{api}/v1/products/{id}")).send().await.map_err(ApiError::network)?;
    read(resp).await
}

async fn post_json<T: DeserializeOwned>(url: &str, body: &Value, headers: &[(&str, &str)]) -> Result<T, ApiError> {
    let mut req = Request::post(url).header("Content-Type", "application/json");
    for (name, value) in headers {
        req = req.header(name, value);
    }
    let resp = req.body(body.to_string()).map_err(ApiError::network)?.send().await.map_err(ApiError::network)?;
    read(resp).await
}

pub async fn quote(api: &str, body: &Value) -> Result<QuoteView, ApiError> {
    post_json(&format!("{api}/v1/quote"), body, &[]).await
}

pub async fn create_order(api: &str, body: &Value, idempotency_key: &str) -> Result<PublicOrder, ApiError> {
    post_json(&format!("{api}/v1/orders"), body, &[("Idempotency-Key", idempotency_key)]).await
}

/// Reads an order; `None` when it has not changed since `etag` (304).
pub async fn order(
    api: &str,
    id: &str,
    secret: &str,
    etag: Option<&str>,
) -> Result<Option<(PublicOrder, Option<String>)>, ApiError> {
    let mut req = Request::get(&format!("{api}/v1/orders/{id}")).header("X-Client-Secret", secret);
    if let Some(tag) = etag {
        req = req.header("If-None-Match", tag);
    }
    let resp = req.send().await.map_err(ApiError::network)?;
    if resp.status() == 304 {
        return Ok(None);
    }
    let tag = resp.headers().get("ETag");
    Ok(Some((read(resp).await?, tag)))
}
