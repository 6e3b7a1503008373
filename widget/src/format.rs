//! What the widget says, as pure functions: countdowns, status lines, network warnings.
//!
//! Without `format!`: every `format!` or `Display` call keeps Rust's formatting machinery
//! (integers, padding, the writer) in the wasm. Without any in the widget, only the part a
//! dependency still uses is left (wasm-streams, under Leptos's server functions), and the
//! download is 529 B smaller. Texts are joined from their parts, numbers written by [`num`].

use shared::{Coin, OrderStatus};

use crate::i18n::{k, t, tf};
use crate::model::{Order, is_zero, trim_zeros};

/// A number in decimal: "0", "42".
pub fn num(n: u64) -> String {
    let mut digits = Vec::new();
    let mut n = n;
    loop {
        digits.push(b'0' + (n % 10) as u8);
        n /= 10;
        if n == 0 {
            break;
        }
    }
    digits.iter().rev().map(|&d| char::from(d)).collect()
}

/// At least two digits: "05", "42".
pub fn two(n: u64) -> String {
    if n < 10 { "0".to_owned() + &num(n) } else { num(n) }
}

/// `mm:ss` (or `h:mm:ss`) left, never negative.
pub fn countdown(seconds: u64) -> String {
    let s = seconds;
    if s >= 3600 {
        num(s / 3600) + ":" + &two(s / 60 % 60) + ":" + &two(s % 60)
    } else {
        two(s / 60) + ":" + &two(s % 60)
    }
}

/// Seconds left on an order, by the server's clock: `offset_ms` is the server's time minus the
/// buyer's, taken when the order was last read.
pub fn seconds_left(order: &Order, buyer_now_ms: f64, offset_ms: f64) -> u64 {
    ((order.expires_at_ms - (buyer_now_ms + offset_ms)) / 1000.0).floor().max(0.0) as u64
}

/// "Send only USDT on TRON (TRC20)": `Coin::describe`'s words, joined here without `format!`.
pub fn network_warning(coin: Coin) -> String {
    tf(k::SEND_ONLY, &[("asset", coin.asset.ticker()), ("network", &coin.network_label())])
}

/// A crypto payment's steps as list items (our own texts, escaped), the confirmations one with
/// its count while they come in (`1/2`); none for a hosted payment.
pub fn steps_html(o: &Order) -> String {
    if o.payment_method.and_then(|m| m.coin()).is_none() {
        return String::new();
    }
    let mut html = String::new();
    for key in [k::STEP_WAITING, k::STEP_SEEN, k::STEP_CONFIRMING, k::STEP_PAID] {
        let mut text = t(key).replace('&', "&amp;").replace('<', "&lt;");
        if key == k::STEP_CONFIRMING && o.status == OrderStatus::Confirming {
            let count = o.confirmations.min(o.confirmations_required);
            text = text + " " + &num(count.into()) + "/" + &num(o.confirmations_required.into());
        }
        html = html + "<li>" + &text + "</li>";
    }
    html
}

/// The one line that says where the order stands; also what the live region announces.
pub fn status_line(o: &Order) -> String {
    let unit = o.crypto_currency.as_deref().unwrap_or(&o.currency);
    match o.status {
        OrderStatus::Pending if !is_zero(&o.amount_paid) => tf(
            k::PARTIAL,
            &[("paid", trim_zeros(&o.amount_paid)), ("remaining", trim_zeros(&o.amount_remaining)), ("unit", unit)],
        ),
        OrderStatus::Pending => t(k::WAITING),
        OrderStatus::Confirming => tf(
            k::CONFIRMING,
            &[
                ("count", &num(o.confirmations.min(o.confirmations_required).into())),
                ("required", &num(o.confirmations_required.into())),
            ],
        ),
        OrderStatus::Completed => tf(k::COMPLETED, &[("order", &o.order_number)]),
        OrderStatus::Expired => t(k::EXPIRED),
        OrderStatus::Cancelled => t(k::CANCELLED),
        OrderStatus::Refunded => t(k::REFUNDED),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A BTC order; times in milliseconds, the server's clock at creation.
    fn order(status: OrderStatus, paid: &str, remaining: &str, confirmations: u32) -> Order {
        Order {
            id: "ord_1".into(),
            order_number: "ORD-1".into(),
            product_name: "Premium License".into(),
            variant_name: None,
            quantity: 1,
            breakdown: None,
            exchange_rate: None,
            crypto_amount: None,
            buyer_email: "b***@example.com".into(),
            status,
            payment_method: "crypto_btc".parse().ok(),
            currency: "USD".into(),
            crypto_currency: Some("BTC".into()),
            payment_address: Some("tb1q".into()),
            payment_uri: Some("bitcoin:tb1q".into()),
            amount_paid: paid.into(),
            amount_remaining: remaining.into(),
            confirmations,
            confirmations_required: 2,
            checkout_url: None,
            expires_at_ms: 1_767_263_400_000.0,
            server_time_ms: 1_767_261_600_000.0,
            delivered_content: None,
            client_secret: None,
            raw: String::new(),
        }
    }

    #[test]
    fn numbers() {
        for n in [0u64, 1, 9, 10, 42, 100, 3600, 1_000_007, u64::MAX] {
            assert_eq!(num(n), n.to_string());
        }
        assert_eq!((two(0), two(7), two(10), two(59)), ("00".into(), "07".into(), "10".into(), "59".into()));
    }

    #[test]
    fn the_warning_is_coin_describe() {
        for m in shared::PaymentMethod::all() {
            if let Some(coin) = m.coin() {
                assert_eq!(network_warning(coin), format!("Send only {}", coin.describe()));
            }
        }
    }

    #[test]
    fn steps_for_a_crypto_payment_only() {
        use OrderStatus::*;
        let html = steps_html(&order(Pending, "0", "0.00045125", 0));
        assert_eq!(html, "<li>Waiting for payment</li><li>Payment seen</li><li>Confirmations</li><li>Paid</li>");
        let mut card = order(Pending, "0", "0", 0);
        card.payment_method = "stripe".parse().ok();
        assert_eq!(steps_html(&card), "");
    }

    #[test]
    fn countdowns() {
        assert_eq!(countdown(1800), "30:00");
        assert_eq!(countdown(61), "01:01");
        assert_eq!(countdown(0), "00:00");
        assert_eq!(countdown(3725), "1:02:05");
    }

    #[test]
    fn countdown_follows_the_server_clock_not_the_buyers() {
        use OrderStatus::*;
        let o = order(Pending, "0", "0.00045125", 0);
        let server_now = o.server_time_ms;
        // The buyer's clock is 10 minutes fast: the offset corrects it.
        let buyer_now = server_now + 600_000.0;
        assert_eq!(seconds_left(&o, buyer_now, server_now - buyer_now), 1800);
        assert_eq!(seconds_left(&o, buyer_now + 60_000.0, server_now - buyer_now), 1740);
        assert_eq!(seconds_left(&o, buyer_now + 1_799_500.0, server_now - buyer_now), 0);
        assert_eq!(seconds_left(&o, buyer_now + 3_600_000.0, server_now - buyer_now), 0);
    }

    #[test]
    fn status_lines() {
        use OrderStatus::*;
        assert_eq!(status_line(&order(Pending, "0", "0.00045125", 0)), "Waiting for your payment.");
        assert_eq!(
            status_line(&order(Pending, "0.00020000", "0.00025125", 0)),
            "Received 0.0002 BTC. Send the remaining 0.00025125 BTC."
        );
        assert_eq!(status_line(&order(Confirming, "0.00045125", "0", 1)), "Payment seen. Confirmations: 1 of 2.");
        assert_eq!(status_line(&order(Confirming, "0.00045125", "0", 7)), "Payment seen. Confirmations: 2 of 2.");
        assert_eq!(status_line(&order(Completed, "0.00045125", "0", 2)), "Paid. Order ORD-1 is complete.");
        assert!(status_line(&order(Expired, "0", "0.00045125", 0)).contains("expired"));
        assert!(status_line(&order(Cancelled, "0", "0", 0)).contains("cancelled"));
        assert!(status_line(&order(Refunded, "0", "0", 0)).contains("refunded"));
        assert_eq!(
            network_warning(Coin::new(shared::Asset::Usdt, shared::Network::Tron)),
            "Send only USDT on TRON (TRC20)"
        );
    }
}
