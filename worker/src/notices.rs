//! The seller's webhooks: which changes of an order are events, the events kept with the order
//! (each with one delivery per endpoint, an outbox), when a delivery is due, and what is sent.
//! Pure: the order's object sends, and stores what came of it.
//!
//! Each endpoint gets an order's events in order: a delivery waits until the ones before it to
//! the same endpoint have been accepted or given up. An event's id is derived from the order's,
//! so it is the same on every retry and a seller can recognise a duplicate.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use shared::{Order, OrderStatus};

/// What happened to an order, as the seller's endpoint is told.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum NoticeKind {
    #[serde(rename = "order.created")]
    Created,
    /// The first money seen, part or all of what is owed.
    #[serde(rename = "order.payment_seen")]
    PaymentSeen,
    #[serde(rename = "order.confirming")]
    Confirming,
    #[serde(rename = "order.completed")]
    Completed,
    #[serde(rename = "order.expired")]
    Expired,
    #[serde(rename = "order.cancelled")]
    Cancelled,
    #[serde(rename = "order.refunded")]
    Refunded,
    /// Money that arrived after the order expired or was cancelled.
    #[serde(rename = "order.late_payment")]
    LatePayment,
}

/// The events a change from `before` to `after` makes (`before` is `None` for a new order).
pub fn kinds(before: Option<&Order>, after: &Order) -> Vec<NoticeKind> {
    let Some(before) = before else { return vec![NoticeKind::Created] };
    let mut kinds = Vec::new();
    if before.amount_paid.is_zero() && !after.amount_paid.is_zero() {
        kinds.push(NoticeKind::PaymentSeen);
    }
    if after.late_amount_paid > before.late_amount_paid {
        kinds.push(NoticeKind::LatePayment);
    }
    if after.status != before.status {
        match after.status {
            OrderStatus::Pending => {}
            OrderStatus::Confirming => kinds.push(NoticeKind::Confirming),
            OrderStatus::Completed => kinds.push(NoticeKind::Completed),
            OrderStatus::Expired => kinds.push(NoticeKind::Expired),
            OrderStatus::Cancelled => kinds.push(NoticeKind::Cancelled),
            OrderStatus::Refunded => kinds.push(NoticeKind::Refunded),
        }
    }
    kinds
}

/// One event and its deliveries.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Notice {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: NoticeKind,
    pub created_at: DateTime<Utc>,
    /// The seller's full view of the order when it happened.
    pub order: Order,
    /// One per endpoint; `None` until the object has addressed the event to the endpoints
    /// configured then.
    #[serde(default)]
    pub deliveries: Option<Vec<Delivery>>,
}

/// An event as the seller's API lists it: without the order (the seller reads that whole),
/// with the status it was in and every delivery's attempts.
#[derive(Debug, Serialize)]
pub struct NoticeView<'a> {
    pub id: &'a str,
    #[serde(rename = "type")]
    pub kind: NoticeKind,
    pub created_at: DateTime<Utc>,
    pub status: OrderStatus,
    pub deliveries: &'a [Delivery],
}

impl<'a> From<&'a Notice> for NoticeView<'a> {
    fn from(n: &'a Notice) -> Self {
        NoticeView {
            id: &n.id,
            kind: n.kind,
            created_at: n.created_at,
            status: n.order.status,
            deliveries: n.deliveries.as_deref().unwrap_or_default(),
        }
    }
}

/// An event on its way to one endpoint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Delivery {
    pub url: String,
    /// When the endpoint accepted it (a 2xx).
    pub delivered_at: Option<DateTime<Utc>>,
    pub attempts: Vec<Attempt>,
    /// When it is tried next; `None` once delivered or given up.
    pub next_try: Option<DateTime<Utc>>,
}

impl Delivery {
    fn pending(&self) -> bool {
        self.next_try.is_some()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attempt {
    pub at: DateTime<Utc>,
    /// The endpoint's HTTP status, when it answered.
    pub status: Option<u16>,
    /// What went wrong, when it did.
    pub error: Option<String>,
}

/// Appends the events of a change to `notices`.
pub fn record(notices: &mut Vec<Notice>, before: Option<&Order>, after: &Order, at: DateTime<Utc>) {
    for kind in kinds(before, after) {
        let n = notices.len() + 1;
        let id = format!("evt_{}_{n}", after.id.trim_start_matches("ord_"));
        notices.push(Notice { id, kind, created_at: at, order: after.clone(), deliveries: None });
    }
}

/// Gives each event not yet addressed one delivery per endpoint, due at once.
pub fn address(notices: &mut [Notice], endpoints: &[String], now: DateTime<Utc>) {
    for n in notices.iter_mut().filter(|n| n.deliveries.is_none()) {
        let to =
            |url: &String| Delivery { url: url.clone(), delivered_at: None, attempts: vec![], next_try: Some(now) };
        n.deliveries = Some(endpoints.iter().map(to).collect());
    }
}

/// Each endpoint's next delivery in event order, as (event index, delivery index): the first
/// of its pending ones. Later events to an endpoint wait behind it.
fn heads(notices: &[Notice]) -> Vec<(usize, usize)> {
    let mut seen: Vec<&str> = Vec::new();
    let mut heads = Vec::new();
    for (i, n) in notices.iter().enumerate() {
        for (j, d) in n.deliveries.iter().flatten().enumerate() {
            if d.pending() && !seen.contains(&d.url.as_str()) {
                seen.push(&d.url);
                heads.push((i, j));
            }
        }
    }
    heads
}

fn delivery(notices: &[Notice], (i, j): (usize, usize)) -> &Delivery {
    &notices[i].deliveries.as_ref().expect("heads are addressed")[j]
}

/// The delivery to send now, if any endpoint's next one is due.
pub fn next_to_send(notices: &[Notice], now: DateTime<Utc>) -> Option<(usize, usize)> {
    heads(notices).into_iter().find(|h| delivery(notices, *h).next_try.is_some_and(|t| t <= now))
}

/// When the next delivery is due, for the object's alarm.
pub fn next_due(notices: &[Notice]) -> Option<DateTime<Utc>> {
    heads(notices).into_iter().filter_map(|h| delivery(notices, h).next_try).min()
}

/// Records an attempt: a 2xx delivers; anything else is tried again after the next interval of
/// `retry_seconds`, and given up when they are spent.
pub fn record_attempt(d: &mut Delivery, outcome: Result<u16, String>, at: DateTime<Utc>, retry_seconds: &[u32]) {
    let (status, error) = match outcome {
        Ok(s) if (200..300).contains(&s) => (Some(s), None),
        Ok(s) => (Some(s), Some(format!("HTTP {s}"))),
        Err(e) => (None, Some(e)),
    };
    let accepted = error.is_none();
    d.attempts.push(Attempt { at, status, error });
    if accepted {
        d.delivered_at = Some(at);
        d.next_try = None;
    } else {
        let failures = d.attempts.iter().filter(|a| a.error.is_some()).count();
        d.next_try = retry_seconds.get(failures - 1).map(|s| at + Duration::seconds(i64::from(*s)));
    }
}

/// Sends an event again to every endpoint it was addressed to, now.
pub fn redeliver(n: &mut Notice, now: DateTime<Utc>) {
    for d in n.deliveries.iter_mut().flatten() {
        d.delivered_at = None;
        d.next_try = Some(now);
    }
}

/// The body the seller's endpoint receives: `{id, type, created_at, data}`.
pub fn body(n: &Notice) -> String {
    serde_json::json!({"id": n.id, "type": n.kind, "created_at": n.created_at, "data": n.order}).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::Decimal;
    use shared::OrderEvent;

    const A: &str = "https://a.example/hook";
    const B: &str = "https://b.example/hook";

    use crate::test_support::order;

    fn at(s: i64) -> DateTime<Utc> {
        order().created_at + Duration::seconds(s)
    }

    fn after(o: &Order, e: OrderEvent) -> Order {
        let mut next = o.clone();
        next.apply(&e, o.created_at).unwrap();
        next
    }

    fn paid(amount: &str, confirmations: u32) -> OrderEvent {
        OrderEvent::PaymentSeen { amount: Decimal::from_str_exact(amount).unwrap(), confirmations, txid: None }
    }

    #[test]
    fn each_change_is_its_event() {
        use NoticeKind::*;
        let o = order();
        assert_eq!(kinds(None, &o), [Created]);
        let part = after(&o, paid("0.0002", 0));
        assert_eq!(kinds(Some(&o), &part), [PaymentSeen]);
        let whole = after(&part, paid("0.00025125", 0));
        assert_eq!(kinds(Some(&part), &whole), [Confirming], "the first payment was already told");
        let done = after(&whole, OrderEvent::ConfirmationsUpdated { confirmations: 2 });
        assert_eq!(kinds(Some(&whole), &done), [Completed]);
        assert_eq!(kinds(Some(&done), &after(&done, OrderEvent::Refunded)), [Refunded]);
        // All at once: seen and confirmed in one reading.
        assert_eq!(kinds(Some(&o), &after(&o, paid("0.00045125", 2))), [PaymentSeen, Completed]);
        let expired = after(&o, OrderEvent::Expired);
        assert_eq!(kinds(Some(&o), &expired), [Expired]);
        assert_eq!(kinds(Some(&expired), &after(&expired, paid("0.0001", 1))), [PaymentSeen, LatePayment]);
        assert_eq!(kinds(Some(&o), &after(&o, OrderEvent::Cancelled)), [Cancelled]);
        assert_eq!(kinds(Some(&o), &o), []);
    }

    #[test]
    fn ids_are_stable_and_distinct() {
        let mut notices = Vec::new();
        let o = order();
        record(&mut notices, None, &o, at(0));
        record(&mut notices, Some(&o), &after(&o, paid("0.00045125", 2)), at(5));
        let ids: Vec<&str> = notices.iter().map(|n| n.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "evt_0123456789abcdef0123456789abcdef_1",
                "evt_0123456789abcdef0123456789abcdef_2",
                "evt_0123456789abcdef0123456789abcdef_3"
            ]
        );
        let body: serde_json::Value = serde_json::from_str(&body(&notices[2])).unwrap();
        assert_eq!(body["type"], "order.completed");
        assert_eq!(body["data"]["status"], "completed");
        assert_eq!(body["created_at"], "2025-12-29T10:30:05Z");
    }

    #[test]
    fn deliveries_go_in_order_per_endpoint_and_back_off() {
        let o = order();
        let mut notices = Vec::new();
        record(&mut notices, None, &o, at(0));
        record(&mut notices, Some(&o), &after(&o, OrderEvent::Cancelled), at(1));
        address(&mut notices, &[A.into(), B.into()], at(1));
        let retry = [10, 60];
        // A fails the first event: its second waits; B goes on.
        assert_eq!(next_to_send(&notices, at(1)), Some((0, 0)));
        record_attempt(&mut notices[0].deliveries.as_mut().unwrap()[0], Ok(500), at(1), &retry);
        assert_eq!(next_to_send(&notices, at(1)), Some((0, 1)));
        record_attempt(&mut notices[0].deliveries.as_mut().unwrap()[1], Ok(204), at(1), &retry);
        assert_eq!(next_to_send(&notices, at(1)), Some((1, 1)), "B's second event, A's is blocked");
        record_attempt(&mut notices[1].deliveries.as_mut().unwrap()[1], Ok(200), at(1), &retry);
        assert_eq!(next_to_send(&notices, at(1)), None);
        assert_eq!(next_due(&notices), Some(at(11)));
        assert_eq!(next_to_send(&notices, at(11)), Some((0, 0)));
        record_attempt(&mut notices[0].deliveries.as_mut().unwrap()[0], Err("timeout".into()), at(11), &retry);
        assert_eq!(next_due(&notices), Some(at(71)));
        record_attempt(&mut notices[0].deliveries.as_mut().unwrap()[0], Ok(503), at(71), &retry);
        // Spent: given up, and A's next event goes.
        let d = &notices[0].deliveries.as_ref().unwrap()[0];
        assert_eq!((d.next_try, d.delivered_at, d.attempts.len()), (None, None, 3));
        assert_eq!(next_to_send(&notices, at(71)), Some((1, 0)));
        // Redelivered on request, history kept.
        redeliver(&mut notices[0], at(100));
        assert_eq!(next_to_send(&notices, at(100)), Some((0, 0)));
        assert_eq!(notices[0].deliveries.as_ref().unwrap()[0].attempts.len(), 3);
    }

    #[test]
    fn no_endpoint_means_nothing_to_send() {
        let mut notices = Vec::new();
        record(&mut notices, None, &order(), at(0));
        assert_eq!(next_due(&notices), None);
        address(&mut notices, &[], at(0));
        assert_eq!((next_to_send(&notices, at(0)), next_due(&notices)), (None, None));
        assert_eq!(notices[0].deliveries, Some(vec![]));
    }
}
