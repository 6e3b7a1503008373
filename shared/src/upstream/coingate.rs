//! CoinGate (seed 004, `POST /v2/orders`): a hosted payment page (`payment_url`).

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::{MappedStatus, UnknownUpstreamStatus, unknown};
use crate::status::OrderStatus;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CoinGateOrder {
    pub id: u64,
    pub status: String,
    pub price_currency: String,
    pub price_amount: Decimal,
    pub receive_currency: Option<String>,
    pub created_at: String,
    pub order_id: Option<String>,
    pub payment_url: String,
    pub underpaid_amount: Option<Decimal>,
    pub overpaid_amount: Option<Decimal>,
    /// Sent back in callbacks; Tollgate checks it there.
    pub token: Option<String>,
}

/// CoinGate's 422 body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CoinGateError {
    pub message: String,
    pub reason: String,
    #[serde(default)]
    pub errors: Vec<String>,
}

/// Source: CoinGate API v2 documentation, "Order Status".
pub fn map_status(s: &str) -> Result<MappedStatus, UnknownUpstreamStatus> {
    use OrderStatus::*;
    Ok(match s {
        "new" | "pending" => MappedStatus::of(Pending),
        "confirming" => MappedStatus::of(Confirming),
        "paid" => MappedStatus::of(Completed),
        // Not confirmed by the network, or refused for AML reasons: no sale.
        "invalid" | "canceled" => MappedStatus::of(Cancelled),
        "expired" => MappedStatus::of(Expired),
        "refunded" | "partially_refunded" => MappedStatus::of(Refunded),
        _ => return Err(unknown("CoinGate", s)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use OrderStatus::*;

    #[test]
    fn every_documented_status() {
        let table = [
            ("new", Pending),
            ("pending", Pending),
            ("confirming", Confirming),
            ("paid", Completed),
            ("invalid", Cancelled),
            ("expired", Expired),
            ("canceled", Cancelled),
            ("refunded", Refunded),
            ("partially_refunded", Refunded),
        ];
        for (s, st) in table {
            assert_eq!(map_status(s).unwrap().status, st, "{s}");
        }
        assert!(map_status("PAID").is_err());
        assert!(map_status("cancelled").is_err());
    }
}
