//! Per-client request limits. A limit of n per minute means at most n requests in any 60 s,
//! counted from the times of the recent ones (a fixed clock minute would let a client send
//! 2n across a minute's turn). The public reads (product, quote) are counted here, one
//! Durable Object per client (an IPv4 address or an IPv6 /64), so a flood from one client
//! neither reaches the store object nor slows anyone else. Their times live in memory: an
//! object that is evicted starts afresh, which only ever lets a client through sooner, and an
//! object holds at most `limit` times (8 bytes each). The store counts orders with the same
//! rule, from times it keeps.

use std::cell::RefCell;
use std::collections::VecDeque;

use serde::{Deserialize, Serialize};
use worker::{DurableObject, Env, Request, Response, Result, State, Stub, durable_object};

use crate::rpc;

pub const BINDING: &str = "LIMITS";

const MINUTE_MS: i64 = 60_000;

/// One more request from this client, allowed if the last minute's count stays within `limit`.
#[derive(Debug, Serialize, Deserialize)]
pub struct Hit {
    pub limit: u32,
    pub now_ms: i64,
}

#[derive(Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Allowed,
    Limited { retry_after: i64 },
}

pub async fn hit(stub: &Stub, hit: &Hit) -> Result<Verdict> {
    rpc::call(stub, hit).await
}

/// The earliest time still within the minute that ends at `now_ms`.
pub fn since(now_ms: i64) -> i64 {
    now_ms - MINUTE_MS + 1
}

/// The verdict on one more request, given the times (oldest first) of the client's allowed
/// requests since [`since`]. When refused, the client may retry once the oldest of the last
/// `limit` has left the minute.
pub fn verdict(recent: &[i64], limit: u32, now_ms: i64) -> Verdict {
    let limit = limit as usize;
    if recent.len() < limit {
        return Verdict::Allowed;
    }
    let free_at = recent.get(recent.len() - limit).map_or(now_ms, |oldest| oldest + MINUTE_MS);
    let wait_ms = (free_at - now_ms).max(1);
    Verdict::Limited { retry_after: (wait_ms + 999) / 1000 }
}

#[durable_object]
pub struct LimiterObject {
    recent: RefCell<VecDeque<i64>>,
}

impl DurableObject for LimiterObject {
    fn new(_state: State, _env: Env) -> Self {
        LimiterObject { recent: RefCell::new(VecDeque::new()) }
    }

    async fn fetch(&self, req: Request) -> Result<Response> {
        let hit: Hit = rpc::request(req).await?;
        rpc::reply(&record(&mut self.recent.borrow_mut(), &hit))
    }
}

/// The verdict on `hit`, remembered in `recent` (the allowed times, oldest first) if allowed.
fn record(recent: &mut VecDeque<i64>, hit: &Hit) -> Verdict {
    // The times come from the callers' clocks: kept in order, a late one counts as the newest.
    let now_ms = recent.back().map_or(hit.now_ms, |&newest| hit.now_ms.max(newest));
    while recent.front().is_some_and(|&at| at < since(now_ms)) {
        recent.pop_front();
    }
    let verdict = verdict(recent.make_contiguous(), hit.limit, now_ms);
    if verdict == Verdict::Allowed {
        recent.push_back(now_ms);
    }
    verdict
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Counts requests as the read limiter does.
    fn run(limit: u32, times: &[i64]) -> Vec<Verdict> {
        let mut recent = VecDeque::new();
        times.iter().map(|&now_ms| record(&mut recent, &Hit { limit, now_ms })).collect()
    }

    #[test]
    fn times_from_clocks_slightly_apart_are_kept_in_order() {
        // A caller a little behind the last one: its time counts as the newest, so the times
        // stay in order and the oldest is always the first to leave the minute.
        let mut recent = VecDeque::new();
        for now_ms in [5_000, 4_990, 4_995] {
            assert_eq!(record(&mut recent, &Hit { limit: 3, now_ms }), Verdict::Allowed);
        }
        assert_eq!(recent, [5_000, 5_000, 5_000]);
        assert_eq!(record(&mut recent, &Hit { limit: 3, now_ms: 64_999 }), Verdict::Limited { retry_after: 1 });
        assert_eq!(record(&mut recent, &Hit { limit: 3, now_ms: 65_000 }), Verdict::Allowed);
        assert_eq!(recent, [65_000]);
    }

    #[test]
    fn a_burst_across_the_turn_of_a_minute_is_still_one_minute() {
        // Three just before a clock minute ends, one just after: a fixed window would allow it.
        let base = 60_000 * 100;
        let v = run(3, &[base - 300, base - 200, base - 100, base + 100]);
        assert_eq!(v[..3], [Verdict::Allowed, Verdict::Allowed, Verdict::Allowed]);
        assert_eq!(v[3], Verdict::Limited { retry_after: 60 });
    }

    #[test]
    fn a_refused_client_is_told_when_the_oldest_request_leaves_the_minute() {
        let v = run(2, &[0, 10_000, 15_000, 59_999, 60_000, 60_001]);
        assert_eq!(v[2], Verdict::Limited { retry_after: 45 });
        assert_eq!(v[3], Verdict::Limited { retry_after: 1 });
        // At 60 s the first request has left; the refused ones were never counted.
        assert_eq!(v[4], Verdict::Allowed);
        assert_eq!(v[5], Verdict::Limited { retry_after: 10 });
    }

    #[test]
    fn a_limit_of_zero_refuses_everything() {
        assert_eq!(run(0, &[5]), [Verdict::Limited { retry_after: 1 }]);
    }
}
