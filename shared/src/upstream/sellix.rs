//! Sellix (seed 002, `GET /v1/orders/{uniqid}`).

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::{MappedStatus, UnknownUpstreamStatus, unknown};
use crate::status::OrderStatus;

/// `{"status": 200, "data": {"order": …}, "error": …, "message": …}`
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SellixResponse {
    pub status: u16,
    pub data: Option<SellixData>,
    pub error: Option<String>,
    pub message: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SellixData {
    pub order: SellixOrder,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SellixOrder {
    pub uniqid: String,
    pub status: String,
    pub total: Decimal,
    pub currency: String,
    pub gateway: Option<String>,
    pub customer_email: Option<String>,
    pub crypto_address: Option<String>,
    pub crypto_amount: Option<Decimal>,
    pub crypto_received: Option<Decimal>,
    pub crypto_uri: Option<String>,
    pub crypto_confirmations_needed: Option<u32>,
    pub crypto_exchange_rate: Option<Decimal>,
    #[serde(default)]
    pub crypto_transactions: Option<Vec<SellixTransaction>>,
    /// The goods delivered (licence keys, one per entry).
    #[serde(default)]
    pub serials: Option<Vec<String>>,
    #[serde(default)]
    pub custom_fields: Option<serde_json::Value>,
    /// When Sellix last changed the order (Unix seconds).
    #[serde(default)]
    pub updated_at: Option<i64>,
}

/// A payment seen on chain for a Sellix invoice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SellixTransaction {
    pub crypto_amount: Option<Decimal>,
    pub hash: Option<String>,
    pub confirmations: Option<u32>,
}

/// Sellix invoice statuses. Source: the seed (PENDING, COMPLETED in `status_history`) and
/// Sellix's help article "What are payment statuses" (pending, partial, completed, canceled —
/// the unpaid-invoice timeout that the API calls VOIDED — confirmation, shop action,
/// reversed), with the API spellings of its dashboard.
pub fn map_status(s: &str) -> Result<MappedStatus, UnknownUpstreamStatus> {
    Ok(match s {
        "PENDING" | "SHOP_ACTION" => MappedStatus::of(OrderStatus::Pending),
        "PARTIAL" => MappedStatus::partial(),
        "WAITING_FOR_CONFIRMATIONS" | "PROCESSING" => MappedStatus::of(OrderStatus::Confirming),
        "COMPLETED" => MappedStatus::of(OrderStatus::Completed),
        "VOIDED" => MappedStatus::of(OrderStatus::Expired),
        "CANCELED" | "CANCELLED" => MappedStatus::of(OrderStatus::Cancelled),
        "REVERSED" | "REFUNDED" => MappedStatus::of(OrderStatus::Refunded),
        _ => return Err(unknown("Sellix", s)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use OrderStatus::*;

    #[test]
    fn every_status() {
        let table = [
            ("PENDING", Pending, false),
            ("SHOP_ACTION", Pending, false),
            ("PARTIAL", Pending, true),
            ("WAITING_FOR_CONFIRMATIONS", Confirming, false),
            ("PROCESSING", Confirming, false),
            ("COMPLETED", Completed, false),
            ("VOIDED", Expired, false),
            ("CANCELED", Cancelled, false),
            ("CANCELLED", Cancelled, false),
            ("REVERSED", Refunded, false),
            ("REFUNDED", Refunded, false),
        ];
        for (s, st, partial) in table {
            assert_eq!(map_status(s).unwrap(), MappedStatus { status: st, partially_paid: partial }, "{s}");
        }
        assert_eq!(map_status("pending").unwrap_err().value, "pending");
        assert!(map_status("WAITING_FOR_BUYER_RESPONSE").is_err());
    }
}
