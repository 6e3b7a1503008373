//! Per-client request limits for the public reads (product, quote), one Durable Object per
//! client (an IPv4 address or an IPv6 /64), so a flood from one client neither reaches the
//! store object nor slows anyone else. Counts live in memory: an object that is evicted
//! starts its window afresh, which only ever lets a client through sooner.

use std::cell::RefCell;

use serde::{Deserialize, Serialize};
use worker::{DurableObject, Env, Request, Response, Result, State, Stub, durable_object};

use crate::rpc;

pub const BINDING: &str = "LIMITS";

/// One more request from this client, allowed if the minute's count stays within `limit`.
#[derive(Debug, Serialize, Deserialize)]
pub struct Hit {
    pub limit: u32,
    pub now_ms: i64,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Allowed,
    Limited { retry_after: i64 },
}

pub async fn hit(stub: &Stub, hit: &Hit) -> Result<Verdict> {
    rpc::call(stub, hit).await
}

/// A fixed one-minute window: `(window, count)` in, the verdict and the new state out.
pub fn count(state: (i64, u32), hit: &Hit) -> (Verdict, (i64, u32)) {
    let window = hit.now_ms.div_euclid(60_000);
    let n = if state.0 == window { state.1 } else { 0 };
    if n >= hit.limit {
        let retry_after = 60 - hit.now_ms.div_euclid(1000).rem_euclid(60);
        (Verdict::Limited { retry_after }, (window, n))
    } else {
        (Verdict::Allowed, (window, n + 1))
    }
}

#[durable_object]
pub struct LimiterObject {
    window: RefCell<(i64, u32)>,
}

impl DurableObject for LimiterObject {
    fn new(_state: State, _env: Env) -> Self {
        LimiterObject { window: RefCell::new((0, 0)) }
    }

    async fn fetch(&self, req: Request) -> Result<Response> {
        let hit: Hit = rpc::request(req).await?;
        let (verdict, next) = count(*self.window.borrow(), &hit);
        *self.window.borrow_mut() = next;
        rpc::reply(&verdict)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_minute_allows_the_limit_then_refuses_until_the_next() {
        let mut state = (0, 0);
        let at = |ms: i64| Hit { limit: 3, now_ms: 60_000 * 100 + ms };
        for _ in 0..3 {
            let (v, next) = count(state, &at(0));
            assert!(matches!(v, Verdict::Allowed));
            state = next;
        }
        let (v, _) = count(state, &at(15_000));
        assert!(matches!(v, Verdict::Limited { retry_after: 45 }), "{v:?}");
        let (v, next) = count(state, &at(60_000));
        assert!(matches!(v, Verdict::Allowed));
        assert_eq!(next.1, 1);
    }
}
