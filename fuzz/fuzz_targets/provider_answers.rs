//! Every provider's answer and webhook readers on any body, for a crypto and a card order.
//! Never a panic; a webhook is believed only when it is signed (or carries the order's token).
#![no_main]

use arbitrary::Arbitrary;
use gateways::{Opening, Provider, Settings};
use libfuzzer_sys::fuzz_target;
use shared::{Environment, Order};

#[derive(Arbitrary, Debug)]
struct Input<'a> {
    body: &'a [u8],
    signature: Option<&'a str>,
    card: bool,
}

fn order(method: &str) -> Order {
    serde_json::from_value(serde_json::json!({
        "id": "ord_0123456789abcdef0123456789abcdef", "invoice_id": "INV-1", "order_number": "ORD-1",
        "product_id": "prod_xyz789", "product_name": "Premium License", "buyer_email": "buyer@example.com",
        "quantity": 1, "total_amount": "29.99", "currency": "USD", "status": "pending",
        "payment_method": method, "created_at": "2025-12-29T10:30:00Z", "expires_at": "2025-12-29T11:00:00Z"
    }))
    .expect("the fuzz order")
}

fuzz_target!(|input: Input| {
    let o = order(if input.card { "stripe" } else { "crypto_btc" });
    let opening = Opening {
        product_ref: "prod_xyz789".into(),
        callback_url: "https://t.example/".into(),
        token: Some("tok_secret".into()),
    };
    let text = String::from_utf8_lossy(input.body);
    for p in Provider::ALL {
        let mut s = Settings::new(p, "https://up.example".into(), "key".into(), Environment::Testnet);
        for own in p.profile().settings {
            s.set(own, "whsec_fuzz_0123456789");
        }
        let a = p.adapter();
        let _ = a.parse_created(&text, &o);
        let _ = a.parse_read(&text, &o);
        let _ = a.parse_found(&text, &o);
        let header = |name: &str| {
            name.to_ascii_lowercase().contains("signature").then(|| input.signature.unwrap_or_default().to_owned())
        };
        if let Some(Ok(_)) = a.webhook(&s, &header, input.body, &o, &opening) {
            // Believed: then it carried a real signature or the order's token, which random
            // input finds only by breaking HMAC-SHA512 or guessing the token.
            let signed = input.signature.is_some_and(|sig| sig.len() == 128);
            let token = text.contains("tok_secret");
            assert!(signed || token, "{p}: an unsigned webhook was believed");
        }
    }
});
