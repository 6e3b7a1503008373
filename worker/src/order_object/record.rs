//! What the object keeps for its order, and how events change it.

use chrono::{DateTime, Utc};
use gateways::{Opening, Provider};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use shared::{Order, OrderEvent, OrderStatus};

use super::messages::{EventRefusal, OrderReply, UpstreamRef};
use crate::notices::{self, Notice};

/// Everything the object keeps for its order.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Record {
    pub order: Order,
    pub client_secret: String,
    /// Stock items held for this order, delivered on completion.
    pub reserved: Vec<String>,
    /// Text delivered on completion when the product has no stock list.
    pub delivery_text: Option<String>,
    /// The provider's order, when an upstream gateway takes the payment.
    #[serde(default)]
    pub upstream: Option<Link>,
    /// Changes made to the order so far, and how many of them the store has acknowledged.
    #[serde(default)]
    pub rev: u64,
    #[serde(default)]
    pub synced: u64,
    /// Failed attempts to update the store since it last acknowledged a change.
    #[serde(default)]
    pub sync_failures: u32,
    /// Follow-up reads in a row that brought no news (they back off).
    #[serde(default)]
    pub quiet_reads: u32,
    /// The order's events for the seller's endpoints, with their deliveries (an outbox).
    #[serde(default)]
    pub notices: Vec<Notice>,
    /// Each payment seen, for the seller (the order itself keeps only the sum and last txid).
    #[serde(default)]
    pub payments: Vec<Payment>,
}

/// The most payments an order keeps (the newest): dust sent to an address by the hundred must
/// not grow its record without bound.
pub const PAYMENTS_KEPT: usize = 50;

/// One payment seen on chain or by the card processor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Payment {
    pub at: DateTime<Utc>,
    pub amount: Decimal,
    pub txid: Option<String>,
    /// As last reported for the order's payments.
    pub confirmations: u32,
}

impl Record {
    /// A new order's record: nothing changed yet, nothing told to the store.
    pub fn new(
        order: Order,
        client_secret: String,
        reserved: Vec<String>,
        delivery_text: Option<String>,
        upstream: Option<Link>,
    ) -> Record {
        Record {
            order,
            client_secret,
            reserved,
            delivery_text,
            upstream,
            rev: 0,
            synced: 0,
            sync_failures: 0,
            quiet_reads: 0,
            notices: Vec::new(),
            payments: Vec::new(),
        }
    }

    pub(super) fn linked(&self) -> bool {
        self.upstream.as_ref().is_some_and(|l| l.upstream_id.is_some())
    }

    pub(super) fn store_behind(&self) -> bool {
        self.rev > self.synced
    }

    pub(super) fn stored(&self) -> OrderReply {
        OrderReply::Order {
            order: self.order.clone(),
            client_secret: self.client_secret.clone(),
            upstream: self.upstream.as_ref().map(|l| UpstreamRef { provider: l.provider, id: l.upstream_id.clone() }),
            payments: self.payments.clone(),
        }
    }

    /// The order as a buyer's poll needs it: what only the seller sees (the provider's order,
    /// each payment) stays in the object instead of crossing to the worker on every poll.
    pub(super) fn buyer_reply(&self) -> OrderReply {
        OrderReply::Order {
            order: self.order.clone(),
            client_secret: self.client_secret.clone(),
            upstream: None,
            payments: Vec::new(),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Link {
    pub provider: Provider,
    pub opening: Opening,
    /// Set once the provider has answered the create.
    pub upstream_id: Option<String>,
    /// Creates sent so far: after one whose answer was lost, the provider is searched first.
    #[serde(default)]
    pub attempts: u32,
    /// Digests of the webhooks applied, newest last.
    #[serde(default)]
    pub seen: Vec<String>,
    /// The newest change time the provider has reported (from reads and webhooks).
    #[serde(default)]
    pub news_at: Option<DateTime<Utc>>,
}

impl Link {
    /// A link to an order the object is yet to open at `provider`.
    pub fn new(provider: Provider, opening: Opening) -> Link {
        Link { provider, opening, upstream_id: None, attempts: 0, seen: Vec::new(), news_at: None }
    }
}

/// Applies `events` to the record in memory, all or nothing, and delivers the goods when the
/// order completes. A change counts as a revision for the store.
pub(super) fn settle(
    r: &mut Record,
    events: &[OrderEvent],
    delivered: Option<String>,
    at: DateTime<Utc>,
) -> std::result::Result<(), EventRefusal> {
    let before = r.order.clone();
    for event in events {
        if let Err(e) = r.order.apply(event, at) {
            r.order = before;
            return Err(e.into());
        }
    }
    if r.order.status == OrderStatus::Completed && r.order.delivered_content.is_none() {
        r.order.delivered_content = delivered
            .or_else(|| if r.reserved.is_empty() { r.delivery_text.clone() } else { Some(r.reserved.join("\n")) });
    }
    for event in events {
        record_payment(&mut r.payments, event, at);
    }
    if r.order != before {
        r.rev += 1;
        r.quiet_reads = 0;
        notices::record(&mut r.notices, Some(&before), &r.order, at);
    }
    Ok(())
}

/// Keeps a payment seen, or the confirmations its order's payments now have.
fn record_payment(payments: &mut Vec<Payment>, event: &OrderEvent, at: DateTime<Utc>) {
    match event {
        OrderEvent::PaymentSeen { amount, confirmations, txid } => {
            payments.push(Payment { at, amount: *amount, txid: txid.clone(), confirmations: *confirmations });
            let over = payments.len().saturating_sub(PAYMENTS_KEPT);
            payments.drain(..over);
        }
        OrderEvent::ConfirmationsUpdated { confirmations } => {
            payments.iter_mut().for_each(|p| p.confirmations = *confirmations);
        }
        _ => {}
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    /// A Premium License order in `status`, opened at a provider when `linked`.
    pub fn sample(status: OrderStatus, linked: bool) -> Record {
        let mut order = crate::test_support::order();
        order.confirmations_required = 0;
        order.status = status;
        let upstream = linked.then(|| Link {
            provider: Provider::SellGate,
            opening: Opening {
                product_ref: "prod_xyz789".into(),
                callback_url: "https://t.example/".into(),
                token: None,
            },
            upstream_id: Some("up_1".into()),
            attempts: 1,
            seen: vec![],
            news_at: None,
        });
        Record {
            order,
            client_secret: "cs".into(),
            reserved: vec![],
            delivery_text: None,
            upstream,
            rev: 1,
            synced: 1,
            sync_failures: 0,
            quiet_reads: 0,
            notices: vec![],
            payments: vec![],
        }
    }

    #[test]
    fn settling_counts_revisions_and_delivers_once() {
        let mut r = sample(OrderStatus::Pending, false);
        r.reserved = vec!["KEY-1".into()];
        let at = r.order.created_at;
        assert!(settle(&mut r, &[OrderEvent::ManuallyCompleted], None, at).is_ok());
        assert_eq!((r.rev, r.order.delivered_content.as_deref()), (2, Some("KEY-1")));
        let told: Vec<_> = r.notices.iter().map(|n| (n.kind, n.order.status)).collect();
        assert_eq!(told, [(crate::notices::NoticeKind::Completed, OrderStatus::Completed)]);
        let refused = settle(&mut r, &[OrderEvent::Cancelled], None, at);
        assert!(matches!(refused, Err(EventRefusal::Illegal(_))), "{refused:?}");
        assert_eq!(r.rev, 2);
    }

    #[test]
    fn each_payment_is_kept_with_its_transaction_and_the_confirmations_reported() {
        let mut r = sample(OrderStatus::Pending, false);
        r.order.confirmations_required = 2;
        let at = r.order.created_at;
        let half = r.order.crypto_amount.unwrap() / Decimal::from(2);
        let pay = |txid: &str, confirmations| OrderEvent::PaymentSeen {
            amount: half,
            confirmations,
            txid: Some(txid.into()),
        };
        settle(&mut r, &[pay("tx-a", 0)], None, at).unwrap();
        settle(&mut r, &[pay("tx-b", 1)], None, at + chrono::Duration::seconds(30)).unwrap();
        settle(&mut r, &[OrderEvent::ConfirmationsUpdated { confirmations: 2 }], None, at).unwrap();
        let seen: Vec<_> = r.payments.iter().map(|p| (p.txid.as_deref(), p.amount, p.confirmations)).collect();
        assert_eq!(seen, [(Some("tx-a"), half, 2), (Some("tx-b"), half, 2)]);
        assert_eq!(r.payments[1].at, at + chrono::Duration::seconds(30));
        // A refused event records nothing.
        let before = r.payments.clone();
        assert!(
            settle(
                &mut r,
                &[OrderEvent::PaymentSeen { amount: Decimal::ZERO, confirmations: 0, txid: None }],
                None,
                at
            )
            .is_err()
        );
        assert_eq!(r.payments, before);
    }

    #[test]
    fn an_order_keeps_its_newest_payments_only() {
        let mut payments = Vec::new();
        let at = sample(OrderStatus::Pending, false).order.created_at;
        for n in 0..(PAYMENTS_KEPT + 5) {
            let event =
                OrderEvent::PaymentSeen { amount: Decimal::ONE, confirmations: 0, txid: Some(format!("tx-{n}")) };
            record_payment(&mut payments, &event, at);
        }
        assert_eq!(payments.len(), PAYMENTS_KEPT);
        assert_eq!(payments[0].txid.as_deref(), Some("tx-5"));
    }
}
