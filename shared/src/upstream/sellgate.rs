//! SellGate Orders API (seed 000): the model of Tollgate's own API, used upstream as is.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::{MappedStatus, UnknownUpstreamStatus, unknown};
use crate::status::OrderStatus;

/// An order as SellGate returns it. `payment_method` stays a string: SellGate's list example
/// shows the bare family name (`"crypto"`) where its create example shows `"crypto_btc"`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SellGateOrder {
    pub id: String,
    pub invoice_id: Option<String>,
    pub order_number: Option<String>,
    pub product_id: String,
    pub product_name: Option<String>,
    pub variant_id: Option<String>,
    pub buyer_email: Option<String>,
    pub quantity: u32,
    pub total_amount: Decimal,
    pub currency: String,
    pub status: String,
    pub payment_method: String,
    pub crypto_currency: Option<String>,
    pub crypto_amount: Option<Decimal>,
    pub payment_address: Option<String>,
    pub amount_paid: Option<Decimal>,
    pub txid: Option<String>,
    pub confirmations: Option<u32>,
    pub discount_amount: Option<Decimal>,
    pub created_at: String,
    pub expires_at: Option<String>,
    pub completed_at: Option<String>,
    pub delivered_content: Option<String>,
}

/// SellGate's statuses are Tollgate's.
pub fn map_status(s: &str) -> Result<MappedStatus, UnknownUpstreamStatus> {
    s.parse::<OrderStatus>().map(MappedStatus::of).map_err(|_| unknown("SellGate", s))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_status() {
        for st in OrderStatus::ALL {
            assert_eq!(map_status(st.as_str()).unwrap().status, st);
        }
        assert!(map_status("paid").is_err());
        assert!(map_status("Pending").is_err());
    }
}
