//! The worker's public API, over gloo-net. Bodies are read by [`crate::model`].

use gloo_net::http::{Request, Response};

use crate::model::{Json, Order, Product, Quote};

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
    fn new(status: u16, code: &str, message: String) -> ApiError {
        ApiError { status, code: code.into(), message, fields: vec![] }
    }

    fn network(e: impl std::fmt::Display) -> ApiError {
        ApiError::new(0, "network_error", format!("Could not reach the checkout: {e}"))
    }

    fn bad_response(status: u16) -> ApiError {
        ApiError::new(status, "bad_response", "Unexpected answer from the checkout.".into())
    }
}

/// The body's text on success; the API's error (or a plain one) otherwise.
async fn read_text(resp: Response) -> Result<String, ApiError> {
    let status = resp.status();
    let text = resp.text().await.map_err(ApiError::network)?;
    if (200..300).contains(&status) {
        return Ok(text);
    }
    let error = Json::parse(&text).map(|b| b.get("error")).filter(Json::is_present);
    Err(match error {
        Some(e) => ApiError {
            status,
            code: e.text("code"),
            message: e.text("message"),
            fields: e.list("invalid_fields").iter().filter_map(|f| f.as_string()).collect(),
        },
        None => ApiError::new(status, "http_error", format!("The checkout answered {status}.")),
    })
}

/// Reads the `data` of a successful answer with `reader`.
async fn read<T>(resp: Response, reader: fn(&Json) -> Option<T>) -> Result<T, ApiError> {
    let status = resp.status();
    let text = read_text(resp).await?;
    Json::parse(&text).and_then(|b| reader(&b.get("data"))).ok_or_else(|| ApiError::bad_response(status))
}

pub async fn product(api: &str, id: &str) -> Result<Product, ApiError> {
    let resp = Request::get(&format!("{api}/v1/products/{id}")).send().await.map_err(ApiError::network)?;
    read(resp, Product::read).await
}

async fn post_json(url: &str, body: String, headers: &[(&str, &str)]) -> Result<Response, ApiError> {
    let mut req = Request::post(url).header("Content-Type", "application/json");
    for (name, value) in headers {
        req = req.header(name, value);
    }
    req.body(body).map_err(ApiError::network)?.send().await.map_err(ApiError::network)
}

pub async fn quote(api: &str, body: String) -> Result<Quote, ApiError> {
    read(post_json(&format!("{api}/v1/quote"), body, &[]).await?, Quote::read).await
}

pub async fn create_order(api: &str, body: String, idempotency_key: &str) -> Result<Order, ApiError> {
    let resp = post_json(&format!("{api}/v1/orders"), body, &[("Idempotency-Key", idempotency_key)]).await?;
    let status = resp.status();
    Order::from_body(&read_text(resp).await?).ok_or_else(|| ApiError::bad_response(status))
}

/// Reads an order; `None` when it has not changed since `etag` (304).
pub async fn order(
    api: &str,
    id: &str,
    secret: &str,
    etag: Option<&str>,
) -> Result<Option<(Order, Option<String>)>, ApiError> {
    let mut req = Request::get(&format!("{api}/v1/orders/{id}")).header("X-Client-Secret", secret);
    if let Some(tag) = etag {
        req = req.header("If-None-Match", tag);
    }
    let resp = req.send().await.map_err(ApiError::network)?;
    let status = resp.status();
    if status == 304 {
        return Ok(None);
    }
    let tag = resp.headers().get("ETag");
    let order = Order::from_body(&read_text(resp).await?).ok_or_else(|| ApiError::bad_response(status))?;
    Ok(Some((order, tag)))
}
