//! Sends a provider's [`Call`] with a deadline: a provider that does not answer in time is abandoned (the
//! request is aborted) and reported as unavailable.

use std::time::Duration;

use futures_util::future::{Either, select};
use worker::{AbortController, Delay, Fetch, Headers, Method, Request, RequestInit};

use gateways::{Call, Failure, Settings, interpret};

/// Sends `call` to the provider; the body of a 2xx answer, or the failure it stands for.
pub async fn send(s: &Settings, call: &Call) -> Result<String, Failure> {
    let unavailable = |why: String| Failure::unavailable(s.provider, why, 5);
    let headers = Headers::new();
    for (name, value) in &call.headers {
        headers.set(name, value).map_err(|e| unavailable(e.to_string()))?;
    }
    let mut init = RequestInit::new();
    init.with_method(if call.method == "POST" { Method::Post } else { Method::Get }).with_headers(headers);
    if let Some(body) = &call.body {
        init.with_body(Some(body.as_str().into()));
    }
    let req = Request::new_with_init(&call.url, &init).map_err(|e| unavailable(e.to_string()))?;
    let controller = AbortController::default();
    let signal = controller.signal();
    let exchange = async {
        let mut resp = Fetch::Request(req).send_with_signal(&signal).await?;
        let retry_after = resp.headers().get("Retry-After").ok().flatten();
        let text = resp.text().await?;
        Ok::<_, worker::Error>((resp.status_code(), retry_after, text))
    };
    let deadline = Delay::from(Duration::from_millis(u64::from(s.timeout_ms)));
    match select(Box::pin(exchange), deadline).await {
        Either::Left((Ok((status, retry_after, text)), _)) => {
            interpret(s.provider, status, retry_after.as_deref(), text)
        }
        Either::Left((Err(e), _)) => Err(unavailable(format!("network error: {e}"))),
        Either::Right(((), _)) => {
            controller.abort();
            Err(unavailable(format!("no answer within {} ms", s.timeout_ms)))
        }
    }
}
