//! SellSN (seed 001, `/stores/{storeId}/orders`).

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::{MappedStatus, UnknownUpstreamStatus, unknown};
use crate::status::OrderStatus;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SellSnOrder {
    pub id: String,
    pub date_created: String,
    pub status: String,
    pub gateway: Option<String>,
    pub delivered_item: Option<String>,
    pub transaction_id: Option<String>,
    pub cost: Option<Decimal>,
    pub amount_paid: Option<Decimal>,
    pub crypto_price: Option<Decimal>,
    pub cryptocurrency_address: Option<String>,
    #[serde(default)]
    pub custom_values: Vec<SellSnCustomValue>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SellSnCustomValue {
    pub key: String,
    pub value: String,
}

/// SellSN's seed types `status` as free text and lists no values, so only unambiguous names
/// are mapped (compared case-insensitively); anything else is reported, never guessed.
pub fn map_status(s: &str) -> Result<MappedStatus, UnknownUpstreamStatus> {
    use OrderStatus::*;
    Ok(match s.to_ascii_lowercase().as_str() {
        "pending" | "unpaid" | "awaiting_payment" => MappedStatus::of(Pending),
        "partially_paid" | "partial" => MappedStatus::partial(),
        "confirming" | "processing" => MappedStatus::of(Confirming),
        "completed" | "paid" | "delivered" => MappedStatus::of(Completed),
        "refunded" | "reversed" => MappedStatus::of(Refunded),
        "cancelled" | "canceled" => MappedStatus::of(Cancelled),
        "expired" => MappedStatus::of(Expired),
        _ => return Err(unknown("SellSN", s)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use OrderStatus::*;

    #[test]
    fn mapped_names() {
        let table = [
            ("Pending", Pending),
            ("unpaid", Pending),
            ("AWAITING_PAYMENT", Pending),
            ("partially_paid", Pending),
            ("Confirming", Confirming),
            ("processing", Confirming),
            ("Completed", Completed),
            ("paid", Completed),
            ("Delivered", Completed),
            ("Refunded", Refunded),
            ("reversed", Refunded),
            ("Cancelled", Cancelled),
            ("canceled", Cancelled),
            ("Expired", Expired),
        ];
        for (s, st) in table {
            assert_eq!(map_status(s).unwrap().status, st, "{s}");
        }
        assert!(map_status("partial").unwrap().partially_paid);
        assert!(map_status("text").is_err());
        assert!(map_status("").is_err());
    }
}
