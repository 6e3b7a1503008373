//! A request to a provider as data, and what its HTTP answer means.

use serde::{Deserialize, Serialize};

use crate::Provider;

/// A request to a provider, as data: the worker sends it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Call {
    pub method: &'static str,
    pub url: String,
    pub headers: Vec<(&'static str, String)>,
    pub body: Option<String>,
}

impl Call {
    pub(crate) fn get(url: String) -> Call {
        Call { method: "GET", url, headers: vec![("Accept", "application/json".into())], body: None }
    }

    pub fn post(url: String, content_type: &'static str, body: String) -> Call {
        Call {
            method: "POST",
            url,
            headers: vec![("Accept", "application/json".into()), ("Content-Type", content_type.into())],
            body: Some(body),
        }
    }

    pub(crate) fn post_json(url: String, body: &serde_json::Value) -> Call {
        Call::post(url, "application/json", body.to_string())
    }

    pub fn header(mut self, name: &'static str, value: String) -> Call {
        self.headers.push((name, value));
        self
    }

    pub(crate) fn bearer(self, key: &str) -> Call {
        self.header("Authorization", format!("Bearer {key}"))
    }

    /// Tollgate's order id as the idempotency key: a create retried after a timeout names the
    /// same order to the provider.
    pub(crate) fn idempotent(self, order_id: &str) -> Call {
        self.header("Idempotency-Key", order_id.to_owned())
    }
}

/// The provider could not be used; the buyer is told to retry. It stays this value until the
/// worker writes the response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Failure {
    /// 503 `upstream_unavailable` (timeout, 5xx, 429) or 502 `upstream_error` (an answer that
    /// makes no sense, or a refusal).
    pub status: u16,
    pub code: String,
    pub message: String,
    pub retry_after: u32,
}

impl Failure {
    pub fn unavailable(provider: Provider, why: impl std::fmt::Display, retry_after: u32) -> Failure {
        Failure {
            status: 503,
            code: "upstream_unavailable".into(),
            message: format!(
                "{} is not answering ({why}); nothing was charged, try again shortly",
                provider.display_name()
            ),
            retry_after,
        }
    }

    pub fn error(provider: Provider, why: impl std::fmt::Display) -> Failure {
        Failure {
            status: 502,
            code: "upstream_error".into(),
            message: format!("{} sent an answer Tollgate cannot use ({why})", provider.display_name()),
            retry_after: 30,
        }
    }
}

/// Reads a provider's HTTP answer: the body of a 2xx, or the failure it stands for.
pub fn interpret(provider: Provider, status: u16, retry_after: Option<&str>, body: String) -> Result<String, Failure> {
    let wait = retry_after.and_then(|r| r.trim().parse::<u32>().ok()).map(|s| s.clamp(1, 3600));
    match status {
        200..=299 => Ok(body),
        429 => Err(Failure::unavailable(provider, "rate limited", wait.unwrap_or(30))),
        500..=599 => Err(Failure::unavailable(provider, format!("HTTP {status}"), wait.unwrap_or(10))),
        401 | 403 => Err(Failure::error(provider, format!("HTTP {status}: check UPSTREAM_API_KEY"))),
        _ => Err(Failure::error(provider, format!("HTTP {status}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_are_interpreted() {
        let p = Provider::Sellix;
        assert_eq!(interpret(p, 200, None, "{}".into()).unwrap(), "{}");
        let f = interpret(p, 429, Some("7"), String::new()).unwrap_err();
        assert_eq!((f.status, f.code.as_str(), f.retry_after), (503, "upstream_unavailable", 7));
        let f = interpret(p, 502, None, String::new()).unwrap_err();
        assert_eq!((f.status, f.retry_after), (503, 10));
        let f = interpret(p, 401, None, String::new()).unwrap_err();
        assert_eq!((f.status, f.code.as_str()), (502, "upstream_error"));
        assert!(f.message.contains("UPSTREAM_API_KEY") && !f.message.contains("key_live"));
    }
}
