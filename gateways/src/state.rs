//! What an upstream provider says about an order, in Tollgate's terms, and how that news moves
//! the local order: always through [`transition`], never backwards.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use shared::Order;
use shared::status::{OrderEvent, OrderStatus, Settlement, transition};

/// A provider status in Tollgate's terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MappedStatus {
    pub status: OrderStatus,
    /// Some money arrived but not all of it (the order stays pending).
    pub partially_paid: bool,
}

impl MappedStatus {
    pub const fn of(status: OrderStatus) -> MappedStatus {
        MappedStatus { status, partially_paid: false }
    }

    pub const fn partial() -> MappedStatus {
        MappedStatus { status: OrderStatus::Pending, partially_paid: true }
    }
}

/// A status value the provider never documented. The worker answers `upstream_error` rather
/// than guess what it means.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{provider} sent an undocumented order status `{value}`")]
pub struct UnknownUpstreamStatus {
    pub provider: &'static str,
    pub value: String,
}

impl UnknownUpstreamStatus {
    pub(crate) fn new(provider: &'static str, value: impl ToString) -> UnknownUpstreamStatus {
        UnknownUpstreamStatus { provider, value: value.to_string() }
    }
}

/// One reading of an upstream order. `None` means the provider did not say.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UpstreamState {
    /// The provider's own order id (never shown to the buyer).
    pub upstream_id: String,
    pub status: OrderStatus,
    pub partially_paid: bool,
    /// The fiat total when the provider prices the order itself.
    pub total_amount: Option<Decimal>,
    /// What the buyer owes, in the coin, for white-label crypto orders.
    pub crypto_amount: Option<Decimal>,
    pub payment_address: Option<String>,
    /// The provider's own payment URI, used when Tollgate cannot build one.
    pub payment_uri: Option<String>,
    /// Paid so far, in what the buyer pays with (the coin, or the fiat total for cards).
    pub amount_paid: Option<Decimal>,
    pub confirmations: Option<u32>,
    pub confirmations_required: Option<u32>,
    pub txid: Option<String>,
    pub expires_at: Option<DateTime<Utc>>,
    pub delivered_content: Option<String>,
    /// The provider's hosted payment page.
    pub checkout_url: Option<String>,
    /// When the provider last changed the order, where it says: news older than what is known
    /// is stale.
    #[serde(default)]
    pub updated_at: Option<DateTime<Utc>>,
}

impl UpstreamState {
    pub fn new(upstream_id: impl Into<String>, status: MappedStatus) -> UpstreamState {
        UpstreamState {
            upstream_id: upstream_id.into(),
            status: status.status,
            partially_paid: status.partially_paid,
            total_amount: None,
            crypto_amount: None,
            payment_address: None,
            payment_uri: None,
            amount_paid: None,
            confirmations: None,
            confirmations_required: None,
            txid: None,
            expires_at: None,
            delivered_content: None,
            checkout_url: None,
            updated_at: None,
        }
    }
}

/// The events that bring `order` to what the provider reports. Each is legal from where the
/// previous one leaves the order; news that would move it backwards (a late `pending` after
/// `confirming`, `expired` after `completed`) yields nothing.
pub fn reconcile(order: &Order, news: &UpstreamState) -> Vec<OrderEvent> {
    let mut s = order.settlement();
    let mut events = Vec::new();
    let mut push = |e: OrderEvent, s: &mut Settlement| {
        if let Ok(next) = transition(s, &e) {
            *s = next;
            events.push(e);
        }
    };
    let confirmations = news.confirmations.unwrap_or(s.confirmations);
    if let Some(paid) = news.amount_paid
        && paid > s.amount_paid
    {
        let e = OrderEvent::PaymentSeen { amount: paid - s.amount_paid, confirmations, txid: news.txid.clone() };
        push(e, &mut s);
    } else if confirmations != s.confirmations {
        push(OrderEvent::ConfirmationsUpdated { confirmations }, &mut s);
    }
    let remaining = s.remaining();
    match news.status {
        OrderStatus::Pending => {}
        OrderStatus::Confirming if s.status == OrderStatus::Pending && remaining > Decimal::ZERO => {
            // The provider saw the whole payment but did not say how much: take its word.
            let confirmations = confirmations.min(s.confirmations_required.saturating_sub(1));
            push(OrderEvent::PaymentSeen { amount: remaining, confirmations, txid: news.txid.clone() }, &mut s);
        }
        OrderStatus::Confirming => {}
        // A refund means the money had arrived: the order is completed first, then refunded.
        OrderStatus::Completed | OrderStatus::Refunded => {
            if s.status == OrderStatus::Pending && news.amount_paid.is_none() && remaining > Decimal::ZERO {
                let confirmations = confirmations.max(s.confirmations_required);
                push(OrderEvent::PaymentSeen { amount: remaining, confirmations, txid: news.txid.clone() }, &mut s);
            }
            if s.status == OrderStatus::Confirming && news.status == OrderStatus::Completed {
                let confirmations = confirmations.max(s.confirmations_required);
                push(OrderEvent::ConfirmationsUpdated { confirmations }, &mut s);
            }
            // The provider completed it on terms of its own (an accepted underpayment).
            if s.status == OrderStatus::Pending {
                push(OrderEvent::ManuallyCompleted, &mut s);
            }
            if news.status == OrderStatus::Refunded {
                push(OrderEvent::Refunded, &mut s);
            }
        }
        OrderStatus::Expired => push(OrderEvent::Expired, &mut s),
        OrderStatus::Cancelled => push(OrderEvent::Cancelled, &mut s),
    }
    events
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{dec, order};
    use OrderStatus::*;

    fn news(status: OrderStatus) -> UpstreamState {
        UpstreamState::new("up_1", MappedStatus::of(status))
    }

    fn applied(order: &Order, news: &UpstreamState) -> Order {
        let mut o = order.clone();
        for e in reconcile(order, news) {
            o.apply(&e, order.created_at).unwrap();
        }
        o
    }

    #[test]
    fn every_status_is_reached_from_pending() {
        let order = order("crypto_btc");
        for status in OrderStatus::ALL {
            let got = applied(&order, &news(status));
            assert_eq!(got.status, status, "{status}");
        }
        // Without amounts, confirming means the whole amount was seen.
        let got = applied(&order, &news(Confirming));
        assert_eq!(got.amount_paid, dec("0.00045125"));
        assert_eq!(got.confirmations, 0);
    }

    #[test]
    fn amounts_and_confirmations_are_taken_to_the_last_digit() {
        let order = order("crypto_btc");
        let mut n = news(Pending);
        n.amount_paid = Some(dec("0.0002"));
        n.txid = Some("tx1".into());
        let partial = applied(&order, &n);
        assert_eq!((partial.status, partial.amount_paid), (Pending, dec("0.0002")));
        assert_eq!(partial.settlement().remaining(), dec("0.00025125"));
        let mut n = news(Confirming);
        n.amount_paid = Some(dec("0.00045125"));
        n.confirmations = Some(1);
        let confirming = applied(&partial, &n);
        assert_eq!((confirming.status, confirming.confirmations), (Confirming, 1));
        let mut n = news(Completed);
        n.confirmations = Some(2);
        let done = applied(&confirming, &n);
        assert_eq!((done.status, done.confirmations, done.amount_paid), (Completed, 2, dec("0.00045125")));
    }

    #[test]
    fn news_never_moves_an_order_backwards() {
        let order = order("crypto_btc");
        let done = applied(&order, &news(Completed));
        for status in [Pending, Confirming, Expired, Cancelled] {
            assert!(reconcile(&done, &news(status)).is_empty(), "{status}");
        }
        let confirming = applied(&order, &news(Confirming));
        assert!(reconcile(&confirming, &news(Pending)).is_empty());
        assert!(reconcile(&confirming, &news(Expired)).is_empty());
        // The same news twice changes nothing the second time.
        assert!(reconcile(&done, &news(Completed)).is_empty());
    }

    #[test]
    fn an_underpaid_order_the_provider_completes_is_completed() {
        let mut n = news(Completed);
        n.amount_paid = Some(dec("0.0004"));
        let done = applied(&order("crypto_btc"), &n);
        assert_eq!((done.status, done.amount_paid), (Completed, dec("0.0004")));
    }
}
