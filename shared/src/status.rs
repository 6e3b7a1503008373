//! Order status and the one function that moves it: [`transition`].
//!
//! Longer than 400 lines: the one transition function, with its tests and property tests (the last
//! 200 lines) beside it.

use std::fmt;
use std::str::FromStr;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// The statuses of the SellGate Orders API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OrderStatus {
    /// Created, awaiting payment (also while partly paid).
    Pending,
    /// The full amount is seen on chain, awaiting confirmations.
    Confirming,
    Completed,
    Refunded,
    Cancelled,
    Expired,
}

impl OrderStatus {
    pub const ALL: [OrderStatus; 6] = [
        OrderStatus::Pending,
        OrderStatus::Confirming,
        OrderStatus::Completed,
        OrderStatus::Refunded,
        OrderStatus::Cancelled,
        OrderStatus::Expired,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            OrderStatus::Pending => "pending",
            OrderStatus::Confirming => "confirming",
            OrderStatus::Completed => "completed",
            OrderStatus::Refunded => "refunded",
            OrderStatus::Cancelled => "cancelled",
            OrderStatus::Expired => "expired",
        }
    }

    /// Whether nothing but a seller's refund can change it any more.
    pub fn is_final(self) -> bool {
        !matches!(self, OrderStatus::Pending | OrderStatus::Confirming)
    }
}

impl fmt::Display for OrderStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown order status `{0}`")]
pub struct UnknownStatus(pub String);

impl FromStr for OrderStatus {
    type Err = UnknownStatus;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        OrderStatus::ALL.into_iter().find(|st| st.as_str() == s).ok_or_else(|| UnknownStatus(s.to_owned()))
    }
}

/// Something that happens to an order. Sent to the order's object in serde's default form,
/// `{"payment_seen": {..}}`: an internally tagged enum costs the worker a second copy of its
/// reader (see the worker's `rpc`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderEvent {
    /// A payment to the order's address, seen on chain (or by the card processor).
    PaymentSeen {
        amount: Decimal,
        confirmations: u32,
        txid: Option<String>,
    },
    /// The confirmation count of the payments seen changed.
    ConfirmationsUpdated {
        confirmations: u32,
    },
    /// The invoice's lifetime ran out.
    Expired,
    Cancelled,
    Refunded,
    /// The seller marked the order as completed.
    ManuallyCompleted,
    /// Nothing is owed (a coupon took the whole price): the order completes without a payment.
    NothingDue,
}

impl OrderEvent {
    /// The event a seller's `PATCH {"status": …}` stands for. `pending` and `confirming` are
    /// reached only through payments, never set.
    pub fn from_status_update(to: OrderStatus) -> Option<OrderEvent> {
        match to {
            OrderStatus::Completed => Some(OrderEvent::ManuallyCompleted),
            OrderStatus::Cancelled => Some(OrderEvent::Cancelled),
            OrderStatus::Refunded => Some(OrderEvent::Refunded),
            OrderStatus::Expired => Some(OrderEvent::Expired),
            OrderStatus::Pending | OrderStatus::Confirming => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    #[error("an order cannot go from {from} to {to}")]
    Illegal { from: OrderStatus, to: OrderStatus },
    #[error("a payment must be a positive amount")]
    NonPositivePayment,
    #[error("the payments add up to more than an amount can hold")]
    Overflow,
    #[error("the order has an amount to pay")]
    AmountDue,
}

/// The largest single payment or amount accepted from outside (a provider, the sandbox): far
/// beyond any real order, and small enough that sums of many stay exact.
pub fn max_amount() -> Decimal {
    Decimal::from(1_000_000_000_000u64)
}

/// The money side of an order: what is due, what has arrived, how confirmed it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settlement {
    pub status: OrderStatus,
    pub amount_due: Decimal,
    pub amount_paid: Decimal,
    pub confirmations: u32,
    pub confirmations_required: u32,
    /// Payments that arrived after the order expired or was cancelled: kept for the seller.
    pub late_paid: Decimal,
    /// The latest transaction seen.
    pub txid: Option<String>,
}

impl Settlement {
    pub fn new(amount_due: Decimal, confirmations_required: u32) -> Settlement {
        Settlement {
            status: OrderStatus::Pending,
            amount_due,
            amount_paid: Decimal::ZERO,
            confirmations: 0,
            confirmations_required,
            late_paid: Decimal::ZERO,
            txid: None,
        }
    }

    /// What is still to pay; zero once the full amount arrived. It keeps the amounts' decimal
    /// places (`0.000000`, not `0`), so a view shows it like the amount due.
    pub fn remaining(&self) -> Decimal {
        let mut r = (self.amount_due - self.amount_paid).max(Decimal::ZERO);
        r.rescale(self.amount_due.scale().max(self.amount_paid.scale()));
        r
    }

    /// What arrived beyond the amount due.
    pub fn overpaid(&self) -> Decimal {
        (self.amount_paid - self.amount_due).max(Decimal::ZERO)
    }

    fn fully_paid(&self) -> bool {
        self.amount_paid >= self.amount_due
    }

    fn status_for_payment(&self) -> OrderStatus {
        if !self.fully_paid() {
            OrderStatus::Pending
        } else if self.confirmations >= self.confirmations_required {
            OrderStatus::Completed
        } else {
            OrderStatus::Confirming
        }
    }
}

/// Applies `event` to `s`, returning the new settlement. Nothing is changed on error.
///
/// Payments are never dropped: one that arrives after expiry or cancellation, or beyond the
/// amount due, is recorded (`late_paid`, `overpaid`) without changing a final status.
pub fn transition(s: &Settlement, event: &OrderEvent) -> Result<Settlement, TransitionError> {
    use OrderStatus::*;
    let illegal = |to| Err(TransitionError::Illegal { from: s.status, to });
    let mut next = s.clone();
    match event {
        OrderEvent::PaymentSeen { amount, confirmations, txid } => {
            if *amount <= Decimal::ZERO {
                return Err(TransitionError::NonPositivePayment);
            }
            if txid.is_some() {
                next.txid = txid.clone();
            }
            // Checked: an overflow is the payer's error to hear about, never a trap.
            next.amount_paid = s.amount_paid.checked_add(*amount).ok_or(TransitionError::Overflow)?;
            match s.status {
                Pending | Confirming => {
                    next.confirmations = *confirmations;
                    next.status = next.status_for_payment();
                }
                Expired | Cancelled => {
                    next.late_paid = s.late_paid.checked_add(*amount).ok_or(TransitionError::Overflow)?;
                }
                Completed | Refunded => {}
            }
        }
        OrderEvent::ConfirmationsUpdated { confirmations } => {
            next.confirmations = *confirmations;
            if s.status == Confirming {
                next.status = next.status_for_payment();
            }
        }
        OrderEvent::Expired => match s.status {
            Pending => next.status = Expired,
            _ => return illegal(Expired),
        },
        OrderEvent::Cancelled => match s.status {
            Pending => next.status = Cancelled,
            _ => return illegal(Cancelled),
        },
        OrderEvent::Refunded => match s.status {
            Completed | Confirming => next.status = Refunded,
            // Money held for an expired or cancelled order (a part payment before expiry, or a
            // late one after it) can be sent back.
            Expired | Cancelled if s.amount_paid > Decimal::ZERO => next.status = Refunded,
            _ => return illegal(Refunded),
        },
        OrderEvent::ManuallyCompleted => match s.status {
            Pending | Confirming => next.status = Completed,
            _ => return illegal(Completed),
        },
        OrderEvent::NothingDue => match s.status {
            Pending if s.amount_due.is_zero() => next.status = Completed,
            Pending => return Err(TransitionError::AmountDue),
            _ => return illegal(Completed),
        },
    }
    Ok(next)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_util::dec;
    use OrderStatus::*;

    fn pay(amount: &str, confirmations: u32) -> OrderEvent {
        OrderEvent::PaymentSeen { amount: dec(amount), confirmations, txid: Some(format!("tx{amount}")) }
    }

    fn order() -> Settlement {
        Settlement::new(dec("0.00045125"), 2)
    }

    #[test]
    fn full_path_pending_confirming_completed() {
        let s = transition(&order(), &pay("0.0002", 0)).unwrap();
        assert_eq!(s.status, Pending);
        assert_eq!(s.remaining().to_string(), "0.00025125");
        let s = transition(&s, &pay("0.00025125", 1)).unwrap();
        assert_eq!(s.status, Confirming);
        assert_eq!(s.remaining(), Decimal::ZERO);
        let s = transition(&s, &OrderEvent::ConfirmationsUpdated { confirmations: 2 }).unwrap();
        assert_eq!(s.status, Completed);
        assert_eq!(s.txid.as_deref(), Some("tx0.00025125"));
    }

    #[test]
    fn enough_confirmations_at_once_completes() {
        let s = transition(&order(), &pay("0.00045125", 6)).unwrap();
        assert_eq!(s.status, Completed);
    }

    #[test]
    fn overpayment_is_recorded() {
        let s = transition(&order(), &pay("0.001", 0)).unwrap();
        assert_eq!(s.status, Confirming);
        assert_eq!(s.overpaid().to_string(), "0.00054875");
        assert_eq!(s.remaining().to_string(), "0.00000000");
        let s = transition(&s, &pay("0.5", 9)).unwrap();
        assert_eq!(s.amount_paid.to_string(), "0.501");
    }

    #[test]
    fn late_payment_is_kept_and_status_stays() {
        let s = transition(&order(), &OrderEvent::Expired).unwrap();
        let s = transition(&s, &pay("0.00045125", 3)).unwrap();
        assert_eq!(s.status, Expired);
        assert_eq!(s.late_paid.to_string(), "0.00045125");
        // The seller may send it back.
        assert_eq!(transition(&s, &OrderEvent::Refunded).unwrap().status, Refunded);
    }

    #[test]
    fn a_part_payment_then_expiry_can_be_refunded() {
        let s = transition(&order(), &pay("0.0002", 1)).unwrap();
        let s = transition(&s, &OrderEvent::Expired).unwrap();
        assert_eq!((s.status, s.late_paid), (Expired, Decimal::ZERO));
        assert_eq!(transition(&s, &OrderEvent::Refunded).unwrap().status, Refunded);
    }

    #[test]
    fn overflowing_payments_are_refused_not_trapped() {
        let max = Decimal::MAX;
        let s = transition(&order(), &OrderEvent::PaymentSeen { amount: max, confirmations: 0, txid: None }).unwrap();
        let again = OrderEvent::PaymentSeen { amount: max, confirmations: 0, txid: None };
        assert_eq!(transition(&s, &again), Err(TransitionError::Overflow));
        let expired = transition(&Settlement { amount_paid: max, ..order() }, &OrderEvent::Expired).unwrap();
        assert_eq!(transition(&expired, &again), Err(TransitionError::Overflow));
    }

    #[test]
    fn nothing_due_completes_only_a_free_order() {
        let free = Settlement::new(Decimal::ZERO, 2);
        assert_eq!(transition(&free, &OrderEvent::NothingDue).unwrap().status, Completed);
        assert_eq!(transition(&order(), &OrderEvent::NothingDue), Err(TransitionError::AmountDue));
    }

    #[test]
    fn illegal_transitions_name_both_statuses() {
        let expired = transition(&order(), &OrderEvent::Expired).unwrap();
        let err = transition(&expired, &OrderEvent::ManuallyCompleted).unwrap_err();
        assert_eq!(err, TransitionError::Illegal { from: Expired, to: Completed });
        assert_eq!(err.to_string(), "an order cannot go from expired to completed");
        // Without a late payment there is nothing to refund.
        assert!(transition(&expired, &OrderEvent::Refunded).is_err());
        let done = transition(&order(), &OrderEvent::ManuallyCompleted).unwrap();
        assert_eq!(transition(&done, &OrderEvent::Refunded).unwrap().status, Refunded);
        assert!(transition(&done, &OrderEvent::Expired).is_err());
        assert!(transition(&done, &OrderEvent::Cancelled).is_err());
        let confirming = transition(&order(), &pay("1", 0)).unwrap();
        assert!(transition(&confirming, &OrderEvent::Expired).is_err());
        assert!(transition(&confirming, &OrderEvent::Cancelled).is_err());
        assert_eq!(transition(&confirming, &OrderEvent::Refunded).unwrap().status, Refunded);
    }

    #[test]
    fn every_status_event_pair_is_decided() {
        // Exhaustive table: (from, event) → Some(to) when legal.
        let legal = |from: OrderStatus, e: &OrderEvent, held: bool, free: bool| -> Option<OrderStatus> {
            match (from, e) {
                (Pending, OrderEvent::Expired) => Some(Expired),
                (Pending, OrderEvent::Cancelled) => Some(Cancelled),
                (Pending | Confirming, OrderEvent::ManuallyCompleted) => Some(Completed),
                (Completed | Confirming, OrderEvent::Refunded) => Some(Refunded),
                (Expired | Cancelled, OrderEvent::Refunded) if held => Some(Refunded),
                (Pending, OrderEvent::NothingDue) if free => Some(Completed),
                _ => None,
            }
        };
        let events = [
            OrderEvent::Expired,
            OrderEvent::Cancelled,
            OrderEvent::Refunded,
            OrderEvent::ManuallyCompleted,
            OrderEvent::NothingDue,
        ];
        for from in OrderStatus::ALL {
            for (paid, due) in [("0", "0.00045125"), ("0.0001", "0.00045125"), ("0", "0")] {
                let s = Settlement { status: from, amount_paid: dec(paid), amount_due: dec(due), ..order() };
                let (held, free) = (s.amount_paid > Decimal::ZERO, s.amount_due.is_zero());
                for e in &events {
                    let got = transition(&s, e).ok().map(|n| n.status);
                    assert_eq!(got, legal(from, e, held, free), "{from} + {e:?} paid {paid} due {due}");
                }
            }
        }
    }

    #[test]
    fn status_updates_map_to_events() {
        assert_eq!(OrderEvent::from_status_update(Completed), Some(OrderEvent::ManuallyCompleted));
        assert_eq!(OrderEvent::from_status_update(Pending), None);
        assert_eq!(OrderEvent::from_status_update(Confirming), None);
    }

    #[test]
    fn zero_payment_is_refused() {
        assert_eq!(transition(&order(), &pay("0", 1)), Err(TransitionError::NonPositivePayment));
        assert_eq!(transition(&order(), &pay("-1", 1)), Err(TransitionError::NonPositivePayment));
    }

    #[test]
    fn status_strings() {
        for st in OrderStatus::ALL {
            assert_eq!(st.as_str().parse::<OrderStatus>().unwrap(), st);
            assert_eq!(serde_json::to_string(&st).unwrap(), format!("\"{st}\""));
        }
        assert_eq!("paid".parse::<OrderStatus>(), Err(UnknownStatus("paid".into())));
        assert!(!Pending.is_final() && !Confirming.is_final() && Expired.is_final());
    }

    mod props {
        use super::*;
        use proptest::prelude::*;

        fn event() -> impl Strategy<Value = OrderEvent> {
            let amount = prop_oneof![
                (0i64..100_000_000).prop_map(|n| Decimal::new(n, 8)),
                Just(Decimal::MAX),
                Just(Decimal::new(-1, 0)),
            ];
            prop_oneof![
                (amount, 0u32..5).prop_map(|(amount, confirmations)| OrderEvent::PaymentSeen {
                    amount,
                    confirmations,
                    txid: None
                }),
                (0u32..5).prop_map(|confirmations| OrderEvent::ConfirmationsUpdated { confirmations }),
                Just(OrderEvent::Expired),
                Just(OrderEvent::Cancelled),
                Just(OrderEvent::Refunded),
                Just(OrderEvent::ManuallyCompleted),
                Just(OrderEvent::NothingDue),
            ]
        }

        proptest! {
            /// Over any run of events: no panic, money seen never goes down, and a final status
            /// only ever moves on to `refunded`.
            #[test]
            fn any_sequence_keeps_the_invariants(events in proptest::collection::vec(event(), 0..24)) {
                let mut s = order();
                for e in &events {
                    let Ok(next) = transition(&s, e) else { continue };
                    prop_assert!(next.amount_paid >= s.amount_paid);
                    prop_assert!(next.late_paid >= s.late_paid);
                    if s.status.is_final() && next.status != s.status {
                        prop_assert_eq!(next.status, Refunded, "{} + {:?}", s.status, e);
                    }
                    s = next;
                }
            }
        }
    }
}
