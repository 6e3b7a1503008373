//! The worker's public API, over the browser's own `fetch`. Bodies are read by [`crate::model`].
//!
//! No HTTP crate: gloo-net's request builder (URL and query handling, `http::Method`, its error
//! type) cost more of the download than these few calls need.

use js_sys::{Object, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{RequestInit, Response};

use crate::format::num;
use crate::i18n;
use crate::model::{Json, Order, Product, Quote};

#[wasm_bindgen]
extern "C" {
    /// The page's `fetch`, looked up when called (the component tests replace it).
    #[wasm_bindgen(js_name = fetch)]
    fn fetch_with(url: &str, init: &RequestInit) -> Promise;
}

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

    /// The browser's reason, as in "TypeError: Failed to fetch".
    fn network(e: JsValue) -> ApiError {
        let reason = String::from(e.unchecked_into::<js_sys::Error>().to_string());
        ApiError::new(0, "network_error", "Could not reach the checkout: ".to_owned() + &reason)
    }

    fn bad_response(status: u16) -> ApiError {
        ApiError::new(status, "bad_response", "Unexpected answer from the checkout.".into())
    }

    /// What the buyer is told, in their language, by the error's code.
    pub fn text(&self) -> String {
        i18n::error_text(&self.code)
    }

    /// The buyer's message for each field the API refused.
    pub fn field_messages(&self) -> Vec<(String, String)> {
        let out_of_stock = self.code == "out_of_stock";
        let text = |f: &str| if out_of_stock { self.text() } else { i18n::field_text(f) };
        self.fields.iter().map(|f| (f.clone(), text(f))).collect()
    }
}

/// Sends a request: a POST of the JSON `body` if there is one, else a GET. A POST goes as a
/// simple request (the body's type left to the browser, `text/plain`, and no header of its
/// own), which needs no CORS preflight: the worker takes it from the seller's allowed origins.
async fn send(url: &str, body: Option<String>, headers: &[(&str, &str)]) -> Result<Response, ApiError> {
    answer(start(url, body, headers)).await
}

/// Sends a request at once (as [`send`] does when first polled).
fn start(url: &str, body: Option<String>, headers: &[(&str, &str)]) -> JsFuture {
    let init = RequestInit::new();
    let h = Object::new();
    let set = |name: &str, value: &str| {
        let _ = Reflect::set(&h, &name.into(), &value.into());
    };
    for (name, value) in headers {
        set(name, value);
    }
    if let Some(b) = body {
        init.set_method("POST");
        init.set_body(&b.into());
    }
    init.set_headers(&h);
    JsFuture::from(fetch_with(url, &init))
}

async fn answer(sent: JsFuture) -> Result<Response, ApiError> {
    sent.await.map(JsCast::unchecked_into).map_err(ApiError::network)
}

/// The body's text on success; the API's error (or a plain one) otherwise.
async fn read_text(resp: Response) -> Result<String, ApiError> {
    let status = resp.status();
    let text = JsFuture::from(resp.text().map_err(ApiError::network)?).await.map_err(ApiError::network)?;
    let text = text.as_string().unwrap_or_default();
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
        None => ApiError::new(status, "http_error", "The checkout answered ".to_owned() + &num(status.into()) + "."),
    })
}

/// Reads the `data` of a successful answer with `reader`.
async fn read<T>(resp: Response, reader: fn(&Json) -> Option<T>) -> Result<T, ApiError> {
    let status = resp.status();
    let text = read_text(resp).await?;
    Json::parse(&text).and_then(|b| reader(&b.get("data"))).ok_or_else(|| ApiError::bad_response(status))
}

/// The texts of locale `tag` from the widget's files at `assets`, taken into `i18n`: one
/// request per page, shared by the loader's `prepare` and the checkout, each reading its own
/// copy of the answer. A request that failed is forgotten, so the next asks anew.
pub async fn load_locale(tag: &'static str, assets: &str) {
    let url = assets.to_owned() + "locales/" + tag + ".json";
    let sent = i18n::request(tag, || fetch_with(&url, &RequestInit::new()));
    let text = async { read_text(answer(JsFuture::from(sent)).await?.clone().map_err(ApiError::network)?).await };
    match text.await {
        Ok(json) => i18n::add(tag, &json),
        Err(_) => i18n::forget(tag),
    }
}

pub async fn product(api: &str, id: &str) -> Result<Product, ApiError> {
    read(send(&(api.to_owned() + "/v1/products/" + id), None, &[]).await?, Product::read).await
}

/// The product from the loader's own request, sent beside the wasm's download.
pub async fn fetched_product(answer: Promise) -> Result<Product, ApiError> {
    let resp = JsFuture::from(answer).await.map_err(ApiError::network)?;
    read(resp.unchecked_into(), Product::read).await
}

pub async fn quote(api: &str, body: String) -> Result<Quote, ApiError> {
    read(send(&(api.to_owned() + "/v1/quote"), Some(body), &[]).await?, Quote::read).await
}

/// Sends the order now, when called, not when the answer is first awaited.
pub fn create_order(
    api: &str,
    body: String,
    idempotency_key: &str,
) -> impl Future<Output = Result<Order, ApiError>> + use<> {
    // The key in the query, not a header: a header of its own would need a preflight.
    let sent = start(&(api.to_owned() + "/v1/orders?idempotency_key=" + idempotency_key), Some(body), &[]);
    async move {
        let resp = answer(sent).await?;
        let status = resp.status();
        Order::from_body(&read_text(resp).await?).ok_or_else(|| ApiError::bad_response(status))
    }
}

/// The order's live socket (`wss` for an `https` API, `ws` for `http`). Its first message
/// carries the client secret: never the URL, which ends up in logs.
pub fn live_url(api: &str, id: &str) -> String {
    let base = match api.strip_prefix("http") {
        Some(rest) => "ws".to_owned() + rest,
        None => api.to_owned(),
    };
    base + "/v1/orders/" + id + "/live"
}

/// Reads an order; `None` when it has not changed since `etag` (304).
pub async fn order(
    api: &str,
    id: &str,
    secret: &str,
    etag: Option<&str>,
) -> Result<Option<(Order, Option<String>)>, ApiError> {
    let secret = ("X-Client-Secret", secret);
    let headers = match etag {
        Some(tag) => &[secret, ("If-None-Match", tag)][..],
        None => &[secret][..],
    };
    let resp = send(&(api.to_owned() + "/v1/orders/" + id), None, headers).await?;
    let status = resp.status();
    if status == 304 {
        return Ok(None);
    }
    let tag = resp.headers().get("ETag").ok().flatten();
    let order = Order::from_body(&read_text(resp).await?).ok_or_else(|| ApiError::bad_response(status))?;
    Ok(Some((order, tag)))
}

#[cfg(test)]
mod tests {
    use super::live_url;

    #[test]
    fn the_socket_follows_the_api_scheme() {
        assert_eq!(live_url("https://pay.example.com", "ord_1"), "wss://pay.example.com/v1/orders/ord_1/live");
        assert_eq!(live_url("http://127.0.0.1:8787", "ord_1"), "ws://127.0.0.1:8787/v1/orders/ord_1/live");
    }
}
