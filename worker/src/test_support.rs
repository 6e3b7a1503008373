//! Fixtures for the worker's unit tests.

use shared::Order;

/// A pending BTC order for the Premium License, 29.99 USD, two confirmations required.
pub fn order() -> Order {
    serde_json::from_value(serde_json::json!({
        "id": "ord_0123456789abcdef0123456789abcdef", "invoice_id": "INV-1", "order_number": "ORD-1",
        "product_id": "prod_xyz789", "product_name": "Premium License", "buyer_email": "buyer@example.com",
        "quantity": 1, "total_amount": "29.99", "currency": "USD", "status": "pending",
        "payment_method": "crypto_btc", "crypto_amount": "0.00045125", "confirmations_required": 2,
        "created_at": "2025-12-29T10:30:00Z", "expires_at": "2025-12-29T11:00:00Z"
    }))
    .expect("the sample order")
}
