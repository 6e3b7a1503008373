//! What the widget says, as pure functions: countdowns, status lines, network warnings.

use shared::order::PublicOrder;
use shared::{Coin, OrderStatus};

/// `mm:ss` (or `h:mm:ss`) left, never negative.
pub fn countdown(seconds: i64) -> String {
    let s = seconds.max(0);
    if s >= 3600 {
        format!("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
    } else {
        format!("{:02}:{:02}", s / 60, s % 60)
    }
}

/// Seconds left on an order, by the server's clock: `offset_ms` is the server's time minus the
/// buyer's, taken when the order was last read.
pub fn seconds_left(order: &PublicOrder, buyer_now_ms: i64, offset_ms: i64) -> i64 {
    (order.expires_at.timestamp_millis() - (buyer_now_ms + offset_ms)).div_euclid(1000).max(0)
}

/// "Send only USDT on TRON (TRC20)".
pub fn network_warning(coin: Coin) -> String {
    format!("Send only {}", coin.describe())
}

/// The one line that says where the order stands; also what the live region announces.
pub fn status_line(o: &PublicOrder) -> String {
    let unit = o.crypto_currency.clone().unwrap_or_else(|| o.currency.to_string());
    match o.status {
        OrderStatus::Pending if o.amount_paid > rust_decimal::Decimal::ZERO => {
            format!(
                "Received {} {unit}. Send the remaining {} {unit}.",
                o.amount_paid.normalize(),
                o.amount_remaining.normalize()
            )
        }
        OrderStatus::Pending => "Waiting for your payment.".into(),
        OrderStatus::Confirming => format!(
            "Payment seen, {} of {} confirmations.",
            o.confirmations.min(o.confirmations_required),
            o.confirmations_required
        ),
        OrderStatus::Completed => format!("Paid. Order {} is complete.", o.order_number),
        OrderStatus::Expired => "This invoice expired before it was paid.".into(),
        OrderStatus::Cancelled => "This order was cancelled.".into(),
        OrderStatus::Refunded => "This order was refunded.".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn order(status: &str, paid: &str, remaining: &str, confirmations: u32) -> PublicOrder {
        serde_json::from_value(serde_json::json!({
            "id": "ord_1", "invoice_id": "INV-1", "order_number": "ORD-1", "product_id": "p", "product_name": "P",
            "variant_id": null, "buyer_email": "a@b.co", "quantity": 1, "total_amount": "29.99", "currency": "USD",
            "discount_amount": null, "status": status, "payment_method": "crypto_btc", "crypto_currency": "BTC",
            "crypto_amount": "0.00045125", "network": "bitcoin", "network_name": "Bitcoin", "payment_address": "tb1q",
            "payment_uri": "bitcoin:tb1q", "exchange_rate": "66461.25", "amount_paid": paid, "amount_remaining": remaining,
            "txid": null, "confirmations": confirmations, "confirmations_required": 2, "checkout_url": null,
            "created_at": "2026-01-01T10:00:00Z", "expires_at": "2026-01-01T10:30:00Z", "completed_at": null,
            "delivered_content": null, "sandbox": true, "server_time": "2026-01-01T10:00:00Z"
        }))
        .unwrap()
    }

    #[test]
    fn countdowns() {
        assert_eq!(countdown(1800), "30:00");
        assert_eq!(countdown(61), "01:01");
        assert_eq!(countdown(-5), "00:00");
        assert_eq!(countdown(3725), "1:02:05");
    }

    #[test]
    fn countdown_follows_the_server_clock_not_the_buyers() {
        let o = order("pending", "0", "0.00045125", 0);
        let server_now = o.server_time.timestamp_millis();
        // The buyer's clock is 10 minutes fast: the offset corrects it.
        let buyer_now = server_now + 600_000;
        assert_eq!(seconds_left(&o, buyer_now, server_now - buyer_now), 1800);
        assert_eq!(seconds_left(&o, buyer_now + 60_000, server_now - buyer_now), 1740);
        assert_eq!(seconds_left(&o, buyer_now + 3_600_000, server_now - buyer_now), 0);
    }

    #[test]
    fn status_lines() {
        assert_eq!(status_line(&order("pending", "0", "0.00045125", 0)), "Waiting for your payment.");
        assert_eq!(
            status_line(&order("pending", "0.0002", "0.00025125", 0)),
            "Received 0.0002 BTC. Send the remaining 0.00025125 BTC."
        );
        assert_eq!(status_line(&order("confirming", "0.00045125", "0", 1)), "Payment seen, 1 of 2 confirmations.");
        assert_eq!(status_line(&order("completed", "0.00045125", "0", 2)), "Paid. Order ORD-1 is complete.");
        assert!(status_line(&order("expired", "0", "0.00045125", 0)).contains("expired"));
        assert!(status_line(&order("cancelled", "0", "0", 0)).contains("cancelled"));
        assert!(status_line(&order("refunded", "0", "0", 0)).contains("refunded"));
        assert_eq!(
            network_warning(Coin::new(shared::Asset::Usdt, shared::Network::Tron)),
            "Send only USDT on TRON (TRC20)"
        );
    }
}
