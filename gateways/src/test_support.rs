//! Fixtures for the providers' unit tests.

use rust_decimal::Decimal;
use shared::{Environment, Order};

use crate::{Call, Opening, Provider, Settings};

/// An exact decimal from its digits.
pub fn dec(s: &str) -> Decimal {
    Decimal::from_str_exact(s).unwrap_or_else(|e| panic!("{s}: {e}"))
}

/// Every provider's settings, its own included, with a stand-in's base.
pub fn settings(provider: Provider) -> Settings {
    let mut s = Settings::new(provider, "https://up.example".into(), "key_live_123".into(), Environment::Testnet);
    s.refresh_seconds = 5;
    for setting in provider.profile().settings {
        let value = match setting.var {
            "WEBHOOK_SECRET" => "whsec",
            "SELLSN_STORE_ID" => "123e4567-e89b-12d3-a456-426614174000",
            "SELLIX_MERCHANT" => "My Shop",
            other => panic!("no test value for {other}"),
        };
        s.set(setting, value);
    }
    s
}

pub fn opening() -> Opening {
    Opening {
        product_ref: "prod_xyz789".into(),
        callback_url: "https://tollgate.example/v1/webhooks/x?order=ord_1".into(),
        token: Some("tok_abc".into()),
    }
}

/// A pending order for the Premium License, 29.99 USD, paid with `method`.
pub fn order(method: &str) -> Order {
    let mut o: Order = serde_json::from_value(serde_json::json!({
        "id": "ord_0123456789abcdef0123456789abcdef",
        "invoice_id": "INV-1", "order_number": "ORD-1",
        "product_id": "prod_xyz789", "product_name": "Premium License",
        "buyer_email": "buyer@example.com", "quantity": 1,
        "total_amount": "29.99", "currency": "USD", "status": "pending",
        "payment_method": method, "crypto_amount": "0.00045125",
        "created_at": "2025-12-29T10:30:00Z", "expires_at": "2025-12-29T11:00:00Z",
        "confirmations_required": 2
    }))
    .unwrap();
    if o.payment_method.coin().is_none() {
        o.crypto_amount = None;
    }
    o
}

/// Request headers by name, as the worker hands them to an adapter.
pub fn header<'a>(h: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
    move |name| h.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.to_string())
}

/// A hex HMAC-SHA512 signature of `body` with the test secret.
pub fn sign(body: &str) -> String {
    use hmac::Mac;
    let mut mac = hmac::Hmac::<sha2::Sha512>::new_from_slice(b"whsec").unwrap();
    mac.update(body.as_bytes());
    mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect()
}

/// A call's JSON body.
pub fn json_body(call: &Call) -> serde_json::Value {
    serde_json::from_str(call.body.as_deref().expect("a body")).expect("a JSON body")
}
