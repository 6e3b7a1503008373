//! The providers' documented JSON examples (copied into `tests/fixtures`) deserialize into
//! each provider's types, with their amounts exact.

use gateways::{MappedStatus, coingate, sellgate, sellix, sellsn, selly};
use shared::wire::ListResponse;

fn fixture(name: &str) -> serde_json::Value {
    let path = format!(
        "{}/tests/fixtures/{name}.json",
        std::env::var("CARGO_MANIFEST_DIR").expect("cargo test sets CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(&std::fs::read_to_string(&path).expect(&path)).expect(&path)
}

#[test]
fn sellgate_list() {
    let l: ListResponse<sellgate::SellGateOrder> = serde_json::from_value(fixture("sellgate_list")).unwrap();
    assert_eq!(l.meta.total, 156);
    assert_eq!(l.meta.limit, 25);
    let o = &l.data[0];
    assert_eq!(o.amount_paid.unwrap().to_string(), "0.00045");
    assert_eq!(o.confirmations, Some(3));
    assert_eq!(sellgate::map_status(&o.status).unwrap(), MappedStatus::of(shared::OrderStatus::Completed));
}

#[test]
fn sellix_order() {
    let r: sellix::SellixResponse = serde_json::from_value(fixture("sellix_order")).unwrap();
    let o = r.data.unwrap().order;
    assert_eq!(o.total.to_string(), "4.5");
    assert_eq!(o.crypto_amount.unwrap().to_string(), "0.014174");
    assert_eq!(o.crypto_uri.as_deref(), Some("solana:3RUx8gs74R5KdXrs8wU6Z2xQkS8jmGVCnTVTRpwSoE3B?amount=0.014174"));
    assert_eq!(sellix::map_status(&o.status).unwrap().status, shared::OrderStatus::Completed);
}

#[test]
fn selly_order() {
    let o: selly::SellyOrder = serde_json::from_value(fixture("selly_order")).unwrap();
    assert_eq!(o.value.to_string(), "14.18");
    assert_eq!(selly::map_status(o.status).unwrap().status, shared::OrderStatus::Completed);
}

#[test]
fn sellsn_order() {
    let o: sellsn::SellSnOrder = serde_json::from_value(fixture("sellsn_order")).unwrap();
    assert_eq!(o.amount_paid.unwrap().to_string(), "1");
    // The documentation's placeholder status "text" is no status at all.
    assert!(sellsn::map_status(&o.status).is_err());
}

#[test]
fn coingate_create_and_error() {
    let o: coingate::CoinGateOrder = serde_json::from_value(fixture("coingate_create")).unwrap();
    assert_eq!(o.id, 390551);
    assert_eq!(o.price_amount.to_string(), "1229.0");
    assert_eq!(o.order_id.as_deref(), Some("111"));
    assert_eq!(coingate::map_status(&o.status).unwrap().status, shared::OrderStatus::Pending);
    let e: coingate::CoinGateError = serde_json::from_value(fixture("coingate_error")).unwrap();
    assert_eq!(e.reason, "OrderIsNotValid");
    assert_eq!(e.errors.len(), 4);
}
