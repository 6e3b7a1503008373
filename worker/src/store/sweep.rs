//! Undoing reservations whose order was never made.
//!
//! The API reserves at the store, then creates the order's object. A request that dies in
//! between (a crash, a lost connection) leaves stock, a coupon use and an index row held by an
//! order that does not exist. A buyer who retries with the same Idempotency-Key undoes it
//! (`api::orders`); for one who never does, the store's alarm asks each reservation still
//! unheard of after `ABANDONED_AFTER_MS` whether its order exists. `OrderRequest::Abandon` is
//! answered by the order's object alone, so it cannot race a late create: either the order
//! exists and is kept, or the object refuses it from then on and the reservation is undone.

use chrono::{DateTime, Utc};
use worker::{Date, Result};

use super::requests::Abort;
use super::{StoreObject, int};
use crate::order_object::{self, OrderReply, OrderRequest};
use crate::rpc;

/// A reservation whose order has not been heard of this long after it is in doubt: the API
/// makes an order's object at once after reserving, so only a request that died leaves one so
/// old.
pub const ABANDONED_AFTER_MS: i64 = 15_000;

/// Reservations checked per alarm; the rest wait for the next one, a second later.
const BATCH: i64 = 50;

#[derive(serde::Deserialize)]
struct Unmade {
    order_id: String,
    reserved_ms: i64,
}

/// When the sweep should run for reservations made at `oldest_ms`, with `more` still waiting
/// beyond one batch.
fn due(oldest_ms: i64, now_ms: i64, more: bool) -> i64 {
    if more { now_ms + 1_000 } else { (oldest_ms + ABANDONED_AFTER_MS + 1_000).max(now_ms + 1_000) }
}

/// A time in milliseconds as the alarm takes it (a bare integer would be an offset).
fn at(ms: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(ms).unwrap_or_default()
}

impl StoreObject {
    fn unmade(&self, limit: i64) -> Result<Vec<Unmade>> {
        self.sql()
            .exec("SELECT order_id, reserved_ms FROM unmade ORDER BY reserved_ms LIMIT ?", vec![int(limit)])?
            .to_array()
    }

    /// Sets the alarm for the oldest reservation in doubt, unless one is already set.
    pub(super) async fn plan_sweep(&self) -> Result<()> {
        let storage = self.state.storage();
        if storage.get_alarm().await?.is_some() {
            return Ok(());
        }
        if let Some(oldest) = self.unmade(1)?.first() {
            storage.set_alarm(at(due(oldest.reserved_ms, Date::now().as_millis() as i64, false))).await?;
        }
        Ok(())
    }

    /// Asks the objects of the reservations old enough, and undoes those never made.
    pub(super) async fn sweep(&self) -> Result<()> {
        let now_ms = Date::now().as_millis() as i64;
        let rows = self.unmade(BATCH)?;
        let old: Vec<&Unmade> = rows.iter().filter(|u| now_ms - u.reserved_ms >= ABANDONED_AFTER_MS).collect();
        let namespace = self.env.durable_object(order_object::BINDING)?;
        for u in &old {
            // One object that cannot answer now is asked again next time; the others go on.
            let asked = async {
                rpc::call::<_, OrderReply>(&namespace.get_by_name(&u.order_id)?, &OrderRequest::Abandon).await
            };
            match asked.await {
                Err(e) => worker::console_warn!("order {} could not be asked about its reservation: {e}", u.order_id),
                Ok(OrderReply::NotFound) => {
                    worker::console_warn!(
                        "order {} was reserved but never made: its reservation is undone",
                        u.order_id
                    );
                    self.abort(Abort { order_id: u.order_id.clone() })?;
                }
                Ok(_) => {
                    self.sql().exec("DELETE FROM unmade WHERE order_id = ?", vec![super::text(&u.order_id)])?;
                }
            }
        }
        let more = old.len() as i64 == BATCH;
        if let Some(oldest) = self.unmade(1)?.first() {
            self.state.storage().set_alarm(at(due(oldest.reserved_ms, now_ms, more))).await?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sweep_waits_for_the_oldest_reservation_to_be_in_doubt() {
        assert_eq!(due(10_000, 11_000, false), 10_000 + ABANDONED_AFTER_MS + 1_000);
        // Already overdue (after a restart): at once, but not in a busy loop.
        assert_eq!(due(0, 100_000, false), 101_000);
        // A full batch: the next one a second later.
        assert_eq!(due(10_000, 11_000, true), 12_000);
    }
}
