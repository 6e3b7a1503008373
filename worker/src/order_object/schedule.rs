//! When an order's object wakes next: one alarm for whatever is due first.

use chrono::{DateTime, Duration, Utc};
use shared::OrderStatus;

use super::record::Record;

/// Follow-up reads at the refresh interval before they start to back off.
const QUIET_READS_BEFORE_BACKOFF: u32 = 4;
/// The longest wait between two follow-up reads of an upstream order.
const MAX_FOLLOW_UP_SECONDS: i64 = 15 * 60;
/// An upstream order not final this long after its creation is no longer read on the alarm
/// (the buyer's polls and the provider's webhooks still move it).
const FOLLOW_UP_DAYS: i64 = 30;
/// A pending upstream order is expired here this long after its invoice lapsed, whatever the
/// provider says.
pub(super) const UPSTREAM_GRACE_DAYS: i64 = 1;
/// The longest wait between two attempts to bring the store up to date.
const MAX_SYNC_WAIT_SECONDS: i64 = 5 * 60;

/// `base` seconds doubled `n` times, at most `cap`.
fn backoff(base: i64, n: u32, cap: i64) -> i64 {
    base.saturating_mul(1i64 << n.min(20)).min(cap)
}

/// When the object must wake next for this order: to bring the store up to date, to let the
/// invoice lapse, to ask the provider again, or to deliver an event to the seller. `None`: nothing is left to do.
pub fn next_alarm(r: &Record, now: DateTime<Utc>, refresh_seconds: u32) -> Option<DateTime<Utc>> {
    let mut due = Vec::new();
    if r.store_behind() {
        due.push(now + Duration::seconds(backoff(1, r.sync_failures, MAX_SYNC_WAIT_SECONDS)));
    }
    let status = r.order.status;
    if r.linked() {
        if !status.is_final() && now < r.order.created_at + Duration::days(FOLLOW_UP_DAYS) {
            let quiet = r.quiet_reads.saturating_sub(QUIET_READS_BEFORE_BACKOFF);
            let mut at =
                now + Duration::seconds(backoff(i64::from(refresh_seconds.max(1)), quiet, MAX_FOLLOW_UP_SECONDS));
            // The provider is asked at expiry, and decides.
            if status == OrderStatus::Pending && r.order.expires_at > now {
                at = at.min(r.order.expires_at);
            }
            due.push(at);
        }
    } else if status == OrderStatus::Pending {
        due.push(r.order.expires_at);
    }
    due.extend(crate::notices::next_due(&r.notices));
    due.into_iter().min()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::order_object::record::tests::sample;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().to_utc()
    }

    #[test]
    fn a_sandbox_order_wakes_at_expiry_and_then_never() {
        let r = sample(OrderStatus::Pending, false);
        let now = at("2025-12-29T10:31:00Z");
        assert_eq!(next_alarm(&r, now, 5), Some(r.order.expires_at));
        assert_eq!(next_alarm(&sample(OrderStatus::Confirming, false), now, 5), None);
        assert_eq!(next_alarm(&sample(OrderStatus::Completed, false), now, 5), None);
    }

    #[test]
    fn an_upstream_order_is_followed_until_final_with_back_off() {
        let now = at("2025-12-29T10:31:00Z");
        let mut r = sample(OrderStatus::Confirming, true);
        assert_eq!(next_alarm(&r, now, 5), Some(now + Duration::seconds(5)));
        r.quiet_reads = QUIET_READS_BEFORE_BACKOFF + 2;
        assert_eq!(next_alarm(&r, now, 5), Some(now + Duration::seconds(20)));
        r.quiet_reads = 40;
        assert_eq!(next_alarm(&r, now, 5), Some(now + Duration::seconds(MAX_FOLLOW_UP_SECONDS)));
        // Pending: asked at expiry at the latest.
        let p = sample(OrderStatus::Pending, true);
        assert_eq!(next_alarm(&p, at("2025-12-29T10:59:30Z"), 60), Some(p.order.expires_at));
        assert_eq!(next_alarm(&sample(OrderStatus::Refunded, true), now, 5), None);
        // Bounded: a month on, the alarm no longer reads it.
        assert_eq!(next_alarm(&r, now + Duration::days(FOLLOW_UP_DAYS), 5), None);
    }

    #[test]
    fn a_store_behind_is_retried_with_back_off() {
        let now = at("2025-12-29T10:31:00Z");
        let mut r = sample(OrderStatus::Refunded, false);
        r.rev = 2;
        assert_eq!(next_alarm(&r, now, 5), Some(now + Duration::seconds(1)));
        r.sync_failures = 3;
        assert_eq!(next_alarm(&r, now, 5), Some(now + Duration::seconds(8)));
        r.sync_failures = 30;
        assert_eq!(next_alarm(&r, now, 5), Some(now + Duration::seconds(MAX_SYNC_WAIT_SECONDS)));
    }
}
