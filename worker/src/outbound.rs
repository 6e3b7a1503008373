//! Requests the worker makes to other servers (a provider's API, a seller's webhook endpoint),
//! each with a deadline: a server that does not answer in time is abandoned (the request is
//! aborted), so a slow one never holds the worker.

use std::time::Duration;

use futures_util::future::{Either, select};
use gateways::Call;
use worker::{AbortController, Delay, Fetch, Headers, Method, Request, RequestInit};

/// A server's answer.
pub struct Answer {
    pub status: u16,
    pub retry_after: Option<String>,
    pub body: String,
}

/// Sends `call`; the answer, or why there is none (a network error, no answer in time).
pub async fn exchange(call: &Call, timeout_ms: u32) -> Result<Answer, String> {
    let headers = Headers::new();
    for (name, value) in &call.headers {
        headers.set(name, value).map_err(|e| e.to_string())?;
    }
    let mut init = RequestInit::new();
    init.with_method(if call.method == "POST" { Method::Post } else { Method::Get }).with_headers(headers);
    if let Some(body) = &call.body {
        init.with_body(Some(body.as_str().into()));
    }
    let req = Request::new_with_init(&call.url, &init).map_err(|e| e.to_string())?;
    let controller = AbortController::default();
    let signal = controller.signal();
    let exchange = async {
        let mut resp = Fetch::Request(req).send_with_signal(&signal).await?;
        let retry_after = resp.headers().get("Retry-After").ok().flatten();
        let body = resp.text().await?;
        Ok::<_, worker::Error>(Answer { status: resp.status_code(), retry_after, body })
    };
    let deadline = Delay::from(Duration::from_millis(u64::from(timeout_ms)));
    match select(Box::pin(exchange), deadline).await {
        Either::Left((Ok(answer), _)) => Ok(answer),
        Either::Left((Err(e), _)) => Err(format!("network error: {e}")),
        Either::Right(((), _)) => {
            controller.abort();
            Err(format!("no answer within {timeout_ms} ms"))
        }
    }
}
