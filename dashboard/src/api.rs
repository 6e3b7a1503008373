//! The seller's API, same origin, over the browser's `fetch`, with the key from the tab's
//! `sessionStorage` (`key`). Answers are read as JSON values: the console shows what the API
//! says, typed only where it computes (orders, for the overview).

use serde::de::DeserializeOwned;
use serde_json::Value;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Headers, RequestInit, Response};

use crate::key;

/// A refused or failed call: the API's error code, message and fields, or the network's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub status: u16,
    pub code: String,
    pub message: String,
    pub fields: Vec<String>,
}

impl ApiError {
    fn local(code: &str, message: String) -> ApiError {
        ApiError { status: 0, code: code.into(), message, fields: vec![] }
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// A request body: JSON, or text (a pasted stock list).
pub enum Body {
    Json(Value),
    Text(String),
}

async fn send(method: &str, path: &str, body: Option<Body>) -> Result<(u16, Response), ApiError> {
    let window = web_sys::window().ok_or_else(|| ApiError::local("no_window", "no window".into()))?;
    let init = RequestInit::new();
    init.set_method(method);
    let headers = Headers::new().map_err(|_| ApiError::local("headers", "headers".into()))?;
    let _ = headers.set("Authorization", &format!("Bearer {}", key::get().unwrap_or_default()));
    match body {
        Some(Body::Json(v)) => {
            let _ = headers.set("Content-Type", "application/json");
            init.set_body(&JsValue::from_str(&v.to_string()));
        }
        Some(Body::Text(t)) => {
            let _ = headers.set("Content-Type", "text/plain; charset=utf-8");
            init.set_body(&JsValue::from_str(&t));
        }
        None => {}
    }
    init.set_headers(&headers);
    let resp: Response = JsFuture::from(window.fetch_with_str_and_init(path, &init))
        .await
        .map_err(|e| ApiError::local("network_error", format!("{:?}", e.as_string().unwrap_or_default())))?
        .unchecked_into();
    Ok((resp.status(), resp))
}

async fn text_of(resp: &Response) -> String {
    match resp.text() {
        Ok(p) => JsFuture::from(p).await.ok().and_then(|v| v.as_string()).unwrap_or_default(),
        Err(_) => String::new(),
    }
}

fn error_of(status: u16, text: &str) -> ApiError {
    let v: Value = serde_json::from_str(text).unwrap_or(Value::Null);
    let e = &v["error"];
    ApiError {
        status,
        code: e["code"].as_str().unwrap_or("bad_response").into(),
        message: e["message"].as_str().map_or_else(|| format!("HTTP {status}"), str::to_owned),
        fields: e["invalid_fields"]
            .as_array()
            .map(|f| f.iter().filter_map(Value::as_str).map(str::to_owned).collect())
            .unwrap_or_default(),
    }
}

/// Calls the API; the whole JSON answer on a 2xx.
pub async fn call(method: &str, path: &str, body: Option<Body>) -> Result<Value, ApiError> {
    let (status, resp) = send(method, path, body).await?;
    let text = text_of(&resp).await;
    if !(200..300).contains(&status) {
        return Err(error_of(status, &text));
    }
    serde_json::from_str(&text).map_err(|e| ApiError::local("bad_response", e.to_string()))
}

/// An answer's `data`, typed.
pub async fn data<T: DeserializeOwned>(path: &str) -> Result<T, ApiError> {
    let v = call("GET", path, None).await?;
    serde_json::from_value(v["data"].clone()).map_err(|e| ApiError::local("bad_response", e.to_string()))
}

/// A text answer (the CSV export).
pub async fn text(path: &str) -> Result<String, ApiError> {
    let (status, resp) = send("GET", path, None).await?;
    let text = text_of(&resp).await;
    if (200..300).contains(&status) { Ok(text) } else { Err(error_of(status, &text)) }
}

/// Sends an order's event to the seller's endpoints again, at once.
pub async fn redeliver(order_id: &str, event_id: &str) -> Result<(), ApiError> {
    call("POST", &format!("/v1/orders/{order_id}/events/{event_id}/redeliver"), None).await.map(drop)
}

/// Percent-encodes a query value.
pub fn enc(v: &str) -> String {
    String::from(js_sys::encode_uri_component(v))
}
