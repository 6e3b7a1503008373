//! `transition` over any sequence of events, applied to an order as the worker does. Never a
//! panic, and the invariants hold after every step: what was paid never decreases; a final
//! status changes only to `refunded` (money sent back); an order completes at most once, so its
//! goods go out at most once.
#![no_main]

use arbitrary::Arbitrary;
use chrono::{DateTime, Utc};
use libfuzzer_sys::fuzz_target;
use rust_decimal::Decimal;
use shared::status::OrderStatus;
use shared::{Order, OrderEvent};

#[derive(Arbitrary, Debug)]
enum Event {
    Paid { mantissa: i64, scale: u8, confirmations: u32 },
    Confirmations(u32),
    Expired,
    Cancelled,
    Refunded,
    ManuallyCompleted,
    NothingDue,
}

#[derive(Arbitrary, Debug)]
struct Input {
    due_cents: u32,
    confirmations_required: u8,
    events: Vec<Event>,
}

fuzz_target!(|input: Input| {
    let now = DateTime::<Utc>::from_timestamp(1_767_000_000, 0).expect("a time");
    let mut o: Order = serde_json::from_value(serde_json::json!({
        "id": "ord_0123456789abcdef0123456789abcdef", "invoice_id": "INV-1", "order_number": "ORD-1",
        "product_id": "p", "product_name": "P", "buyer_email": "b@example.com", "quantity": 1,
        "total_amount": "1", "currency": "USD", "status": "pending", "payment_method": "crypto_btc",
        "created_at": "2025-12-29T10:30:00Z", "expires_at": "2025-12-29T11:00:00Z"
    }))
    .expect("the fuzz order");
    o.crypto_amount = Some(Decimal::new(i64::from(input.due_cents), 2));
    o.confirmations_required = u32::from(input.confirmations_required);
    let mut completions = 0;
    for e in input.events.iter().take(64) {
        let event = match e {
            Event::Paid { mantissa, scale, confirmations } => {
                let Ok(amount) = Decimal::try_from_i128_with_scale(i128::from(*mantissa), u32::from(*scale % 29))
                else {
                    continue;
                };
                OrderEvent::PaymentSeen { amount, confirmations: *confirmations, txid: None }
            }
            Event::Confirmations(c) => OrderEvent::ConfirmationsUpdated { confirmations: *c },
            Event::Expired => OrderEvent::Expired,
            Event::Cancelled => OrderEvent::Cancelled,
            Event::Refunded => OrderEvent::Refunded,
            Event::ManuallyCompleted => OrderEvent::ManuallyCompleted,
            Event::NothingDue => OrderEvent::NothingDue,
        };
        let before = o.clone();
        if o.apply(&event, now).is_err() {
            assert_eq!(o, before, "a refused event changed the order");
            continue;
        }
        assert!(o.amount_paid >= before.amount_paid, "paid went down: {event:?}");
        assert!(o.late_amount_paid >= before.late_amount_paid);
        if before.status.is_final() && o.status != before.status {
            assert_eq!(o.status, OrderStatus::Refunded, "{:?} → {:?} on {event:?}", before.status, o.status);
        }
        if o.status == OrderStatus::Completed && before.status != OrderStatus::Completed {
            completions += 1;
        }
        assert!(completions <= 1, "completed twice");
    }
});
