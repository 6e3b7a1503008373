//! Tollgate's order and pricing model, shared by the widget (wasm32, in the browser) and the
//! worker (wasm32, on Cloudflare) and tested natively. Pure Rust: no browser or worker
//! runtime, no floating point where money is computed.

pub mod address;
pub mod chain;
pub mod method;
pub mod money;
pub mod order;
pub mod pricing;
pub mod signature;
pub mod status;
pub mod testnet;
pub mod uri;
pub mod wire;

pub use chain::{Asset, Coin, Environment, Network};
pub use method::PaymentMethod;
pub use money::Fiat;
pub use order::{MaskedEmail, Order, PublicOrder};
pub use status::{OrderEvent, OrderStatus};

#[cfg(test)]
pub(crate) mod test_util {
    use rust_decimal::Decimal;

    use crate::order::Order;

    /// An exact decimal from its digits.
    pub fn dec(s: &str) -> Decimal {
        Decimal::from_str_exact(s).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    /// A BTC order for the Premium License of the SellGate Orders API's example.
    pub fn sample_order() -> Order {
        serde_json::from_value(serde_json::json!({
            "id": "ord_abc123",
            "invoice_id": "INV-M5KX2H-ABC1",
            "order_number": "ORD-M5KX2H-XYZ9",
            "product_id": "prod_xyz789",
            "product_name": "Premium License",
            "buyer_email": "customer@example.com",
            "quantity": 1,
            "total_amount": "29.99",
            "currency": "USD",
            "status": "pending",
            "payment_method": "crypto_btc",
            "crypto_currency": "BTC",
            "crypto_amount": "0.00045125",
            "payment_address": "tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx",
            "coupon_id": "cpn_save10",
            "customer_ip": "203.0.113.7",
            "customer_country": "United States",
            "customer_country_code": "US",
            "confirmations_required": 2,
            "created_at": "2025-12-29T10:30:00Z",
            "expires_at": "2025-12-29T11:00:00Z"
        }))
        .expect("sample order")
    }
}
