//! HTTP plumbing: JSON responses, the error body, bounded body reading, CORS.

use futures_util::StreamExt;
use serde::Serialize;
use serde_json::Value;
use shared::wire::{ErrorBody, FieldErrors};
use worker::{Headers, Request, Response, Result};

use crate::config::Config;

/// Request bodies above this are refused with 413.
pub const MAX_BODY: usize = 16 * 1024;

pub fn json<T: Serialize>(status: u16, body: &T) -> Result<Response> {
    json_text(status, serde_json::to_string(body)?)
}

/// A response of already serialized JSON.
pub fn json_text(status: u16, text: String) -> Result<Response> {
    let headers = Headers::new();
    headers.set("Content-Type", "application/json; charset=utf-8")?;
    headers.set("Cache-Control", "no-store")?;
    Ok(Response::ok(text)?.with_status(status).with_headers(headers))
}

pub fn error(status: u16, code: &str, message: impl Into<String>) -> Result<Response> {
    json(status, &ErrorBody::new(code, message))
}

pub fn field_errors(e: FieldErrors) -> Result<Response> {
    json(422, &e.into_body())
}

pub fn field_error(field: &str, code: &str, message: impl Into<String>) -> Result<Response> {
    json(422, &ErrorBody::new(code, message).with_fields(vec![field.to_owned()]))
}

/// A client-side problem, already rendered as a response, or a real failure.
pub enum Refusal {
    Respond(Response),
    Fail(worker::Error),
}

impl From<worker::Error> for Refusal {
    fn from(e: worker::Error) -> Self {
        Refusal::Fail(e)
    }
}

impl From<serde_json::Error> for Refusal {
    fn from(e: serde_json::Error) -> Self {
        Refusal::Fail(e.into())
    }
}

pub type Handled<T = Response> = std::result::Result<T, Refusal>;

pub fn refuse<T>(r: Result<Response>) -> Handled<T> {
    match r {
        Ok(resp) => Err(Refusal::Respond(resp)),
        Err(e) => Err(Refusal::Fail(e)),
    }
}

/// Reads a request body of at most `max` bytes: a larger one is refused with 413 as soon as
/// its declared length or the bytes read so far say so, without reading the rest (a chunked
/// upload has no length to trust).
pub async fn read_body(req: &mut Request, max: usize) -> Handled<Vec<u8>> {
    let too_large = || refuse(error(413, "payload_too_large", format!("the body may be at most {max} bytes")));
    let declared = req.headers().get("Content-Length")?.and_then(|l| l.parse::<usize>().ok());
    if declared.is_some_and(|l| l > max) {
        return too_large();
    }
    // No body at all (`null` to the runtime) reads as empty.
    let Ok(mut stream) = req.stream() else { return Ok(Vec::new()) };
    let mut body = Vec::new();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk?;
        if body.len() + chunk.len() > max {
            return too_large();
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// Reads a JSON request body: 415 unless it is declared JSON, 413 above [`MAX_BODY`],
/// 400 when it does not parse.
pub async fn read_json(req: &mut Request) -> Handled<Value> {
    read_json_bounded(req, MAX_BODY).await
}

/// As [`read_json`], for a body that may be larger (a catalog, a stock list): at most `max`.
pub async fn read_json_bounded(req: &mut Request, max: usize) -> Handled<Value> {
    if !content_type(req)?.starts_with("application/json") {
        return refuse(error(415, "unsupported_media_type", "send the body as application/json"));
    }
    parse_json(req, max).await
}

/// Reads the JSON body of a public call that a browser may send as a simple request: as
/// `text/plain`, which needs no CORS preflight, so the buyer waits one round trip less. No
/// preflight has checked its origin then, so the worker does: 403 unless it is allowed.
/// Without an `Origin` (not a browser), or of another type, as [`read_json`].
pub async fn read_public_json(req: &mut Request, config: &Config) -> Handled<Value> {
    let Some(origin) = origin(req).filter(|_| content_type(req).is_ok_and(|t| t.starts_with("text/plain"))) else {
        return read_json(req).await;
    };
    if !config.allowed_origins.allows(&origin) {
        return refuse(error(403, "origin_not_allowed", "a text/plain body is taken only from an allowed origin"));
    }
    parse_json(req, MAX_BODY).await
}

fn content_type(req: &Request) -> Result<String> {
    Ok(req.headers().get("Content-Type")?.unwrap_or_default().to_ascii_lowercase())
}

async fn parse_json(req: &mut Request, max: usize) -> Handled<Value> {
    parse_body(&read_body(req, max).await?)
}

/// A request body read as JSON, or a 400 saying why not. Read as text first: the worker's
/// other JSON comes as text, and one parser of it ships rather than two (text and bytes).
pub fn parse_body(bytes: &[u8]) -> Handled<Value> {
    let parsed = std::str::from_utf8(bytes)
        .map_err(|e| e.to_string())
        .and_then(|text| serde_json::from_str::<Value>(text).map_err(|e| e.to_string()));
    match parsed {
        Ok(v) => Ok(v),
        Err(e) => refuse(error(400, "invalid_json", format!("the body is not valid JSON: {e}"))),
    }
}

/// The request's `Origin`, when a browser sent one.
pub fn origin(req: &Request) -> Option<String> {
    req.headers().get("Origin").ok().flatten()
}

/// A query parameter of the request, decoded. Read from the URL as the runtime serialized it,
/// without a URL parser: the worker ships none (its Unicode tables cost ~60 KB of wasm).
pub fn query(req: &Request, name: &str) -> Option<String> {
    query_in(&req.inner().url(), name)
}

fn query_in(url: &str, name: &str) -> Option<String> {
    let query = url.split_once('?')?.1;
    let query = query.split_once('#').map_or(query, |(q, _)| q);
    form_urlencoded::parse(query.as_bytes()).find(|(k, _)| k == name).map(|(_, v)| v.into_owned())
}

/// The origin (`scheme://host[:port]`) this worker was reached at.
pub fn own_origin(req: &Request) -> String {
    origin_of(&req.inner().url())
}

/// A serialized URL's origin: up to the first `/` after `://` (a serialized http(s) URL always
/// has one there; its host is already lower-case ASCII and a default port left out).
fn origin_of(url: &str) -> String {
    let after_scheme = url.find("://").map_or(0, |i| i + 3);
    let end = url[after_scheme..].find(['/', '?', '#']).map_or(url.len(), |i| after_scheme + i);
    url[..end].to_owned()
}

/// Adds CORS headers for an allowed origin (public endpoints only), and lets that origin see
/// the calls' Resource Timing in full: a seller's analytics can tell the wait from the network.
pub fn with_cors(resp: Response, origin: Option<&str>, config: &Config) -> Result<Response> {
    let Some(origin) = origin.filter(|o| config.allowed_origins.allows(o)) else {
        return Ok(resp);
    };
    let mut resp = resp;
    let h = resp.headers_mut();
    h.set("Access-Control-Allow-Origin", origin)?;
    h.set("Access-Control-Expose-Headers", "ETag, Retry-After, Date")?;
    h.set("Timing-Allow-Origin", origin)?;
    h.append("Vary", "Origin")?;
    Ok(resp)
}

/// Answers a CORS preflight for a public endpoint: 204 for an allowed origin, 403 otherwise.
/// `Authorization` is never allowed cross-origin: seller calls come from servers.
pub fn preflight(req: &Request, config: &Config) -> Result<Response> {
    match origin(req) {
        Some(o) if config.allowed_origins.allows(&o) => {
            let headers = Headers::new();
            headers.set("Access-Control-Allow-Origin", &o)?;
            headers.set("Access-Control-Allow-Methods", "GET, POST, OPTIONS")?;
            headers
                .set("Access-Control-Allow-Headers", "Content-Type, Idempotency-Key, X-Client-Secret, If-None-Match")?;
            headers.set("Access-Control-Max-Age", "600")?;
            headers.set("Vary", "Origin")?;
            Ok(Response::empty()?.with_status(204).with_headers(headers))
        }
        _ => error(403, "origin_not_allowed", "this origin may not call the API"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_url_gives_its_query_and_origin() {
        let url = "https://shop.example:8443/v1/orders?status=pending&email=a%2Bb%40x.example&page=2#frag";
        assert_eq!(query_in(url, "email").as_deref(), Some("a+b@x.example"));
        assert_eq!(query_in(url, "page").as_deref(), Some("2"));
        assert_eq!(query_in(url, "frag"), None);
        assert_eq!(query_in("http://127.0.0.1:8787/v1/orders", "status"), None);
        assert_eq!(origin_of(url), "https://shop.example:8443");
        assert_eq!(origin_of("http://127.0.0.1:8787/"), "http://127.0.0.1:8787");
    }
}
