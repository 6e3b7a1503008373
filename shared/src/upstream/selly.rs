//! Selly (seed 003, `/api/v2/orders`): numeric statuses.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::{MappedStatus, UnknownUpstreamStatus, unknown};
use crate::status::OrderStatus;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SellyOrder {
    pub id: String,
    pub product_id: Option<String>,
    pub email: Option<String>,
    pub payment_gateway: Option<String>,
    pub status: u16,
    pub currency: String,
    pub value: Decimal,
    pub quantity: Option<u32>,
    pub delivered: Option<String>,
    pub crypto_address: Option<String>,
    /// In the coin's smallest unit ("the equivalent of satoshis").
    pub crypto_value: Option<u64>,
    pub crypto_received: Option<u64>,
    pub crypto_confirmations: Option<u32>,
    /// When Selly last changed the order (RFC 3339).
    #[serde(default)]
    pub updated_at: Option<String>,
}

/// Selly's status codes as the seed lists them.
pub fn map_status(code: u16) -> Result<MappedStatus, UnknownUpstreamStatus> {
    use OrderStatus::*;
    Ok(match code {
        0 => MappedStatus::of(Pending),    // not paid
        1 => MappedStatus::of(Expired),    // expired
        5 => MappedStatus::of(Cancelled),  // bad card
        10 => MappedStatus::of(Cancelled), // blocked
        11 => MappedStatus::of(Cancelled), // canceled
        50 => MappedStatus::of(Cancelled), // fraudulent match
        51 => MappedStatus::of(Refunded),  // chargeback / reversal
        // High risk: paid, but Selly holds delivery until the seller acts, so not completed.
        52 => MappedStatus::of(Confirming),
        53 => MappedStatus::partial(),      // partially paid cryptocurrency
        54 => MappedStatus::of(Confirming), // confirming cryptocurrency
        55 => MappedStatus::of(Pending),    // pending (on the payment processor's side)
        56 => MappedStatus::of(Refunded),   // refunded
        100 => MappedStatus::of(Completed), // completed
        _ => return Err(unknown("Selly", code)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use OrderStatus::*;

    #[test]
    fn every_documented_code() {
        let table = [
            (0, Pending),
            (1, Expired),
            (5, Cancelled),
            (10, Cancelled),
            (11, Cancelled),
            (50, Cancelled),
            (51, Refunded),
            (52, Confirming),
            (53, Pending),
            (54, Confirming),
            (55, Pending),
            (56, Refunded),
            (100, Completed),
        ];
        for (code, st) in table {
            let m = map_status(code).unwrap();
            assert_eq!(m.status, st, "{code}");
            assert_eq!(m.partially_paid, code == 53, "{code}");
        }
        for code in (0..=200).filter(|c| !table.iter().any(|(k, _)| k == c)) {
            assert!(map_status(code).is_err(), "{code}");
        }
    }
}
