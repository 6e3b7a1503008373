//! What the object keeps for its order, and how events change it.

use chrono::{DateTime, Utc};
use gateways::{Opening, Provider};
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
    if r.order != before {
        r.rev += 1;
        r.quiet_reads = 0;
        notices::record(&mut r.notices, Some(&before), &r.order, at);
    }
    Ok(())
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
}
