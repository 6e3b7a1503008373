//! Sends a provider's [`Call`] with the provider's deadline, and reads what came back.

use gateways::{Call, Failure, Settings, interpret};

use crate::outbound::exchange;

/// Sends `call` to the provider; the body of a 2xx answer, or the failure it stands for.
pub async fn send(s: &Settings, call: &Call) -> Result<String, Failure> {
    match exchange(call, s.timeout_ms).await {
        Ok(a) => interpret(s.provider, a.status, a.retry_after.as_deref(), a.body),
        Err(why) => Err(Failure::unavailable(s.provider, why, 5)),
    }
}
