//! The SellGate Orders API's examples (copied into `tests/fixtures`) deserialize into the types
//! of Tollgate's own API, which follows it, with their amounts exact.

use shared::Order;
use shared::wire::{CreateOrderRequest, Envelope};

fn fixture(name: &str) -> serde_json::Value {
    let path = format!(
        "{}/tests/fixtures/{name}.json",
        std::env::var("CARGO_MANIFEST_DIR").expect("cargo test sets CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(&std::fs::read_to_string(&path).expect(&path)).expect(&path)
}

#[test]
fn sellgate_create_request() {
    let r = CreateOrderRequest::from_json(&fixture("sellgate_create_request")).unwrap();
    assert_eq!(r.quote.product_id, "prod_xyz789");
    assert_eq!(r.quote.payment_method.to_string(), "crypto_btc");
    assert_eq!(r.quote.quantity, 1);
}

#[test]
fn sellgate_create_response_is_an_order() {
    let e: Envelope<Order> = serde_json::from_value(fixture("sellgate_create_response")).unwrap();
    let o = e.data;
    assert_eq!(o.id, "ord_abc123");
    assert_eq!(o.total_amount.to_string(), "29.99");
    assert_eq!(o.crypto_amount.unwrap().to_string(), "0.00045123");
    assert_eq!(o.status, shared::OrderStatus::Pending);
    assert_eq!(o.payment_method.to_string(), "crypto_btc");
    assert_eq!((o.expires_at - o.created_at).num_minutes(), 30);
}
