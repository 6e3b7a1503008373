//! The API's request readers on any JSON: an order, a quote, a seller's PATCH, a sandbox
//! payment. Never a panic; a request read is one whose fields hold what the reader promises.
#![no_main]

use libfuzzer_sys::fuzz_target;
use shared::wire::{CreateOrderRequest, QuoteRequest, SandboxPayment};
use shared::{OrderEvent, OrderStatus};

fuzz_target!(|data: &[u8]| {
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(data) else { return };
    if let Ok(q) = QuoteRequest::from_json(&value) {
        assert!(q.quantity >= 1, "a quote for nothing");
    }
    match CreateOrderRequest::from_json(&value) {
        Ok(r) => assert!(r.buyer_email.contains('@'), "an order without an email"),
        // Every refusal names its fields.
        Err(e) => assert!(!e.fields().is_empty()),
    }
    if let Some(status) = value.get("status").and_then(|s| s.as_str()).and_then(|s| s.parse::<OrderStatus>().ok()) {
        let _ = OrderEvent::from_status_update(status);
    }
    let _ = serde_json::from_value::<SandboxPayment>(value);
});
