//! The order record (SellGate's field names plus what a checkout needs) and the public view
//! that a buyer's browser receives.
//!
//! Longer than 400 lines: the order record and the buyer's view of it, with their tests (a third of
//! the file) beside them.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer, Serialize};

use crate::chain::{Environment, Network};
use crate::method::PaymentMethod;
use crate::money::{Fiat, ceil_dp};
use crate::pricing::Breakdown;
use crate::status::{OrderEvent, OrderStatus, Settlement, TransitionError, transition};
use crate::uri::payment_uri;

/// An order as the seller sees it. Field names follow the SellGate Orders API.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Order {
    pub id: String,
    pub invoice_id: String,
    pub order_number: String,
    pub product_id: String,
    pub product_name: String,
    #[serde(default)]
    pub variant_id: Option<String>,
    pub buyer_email: String,
    pub quantity: u32,
    pub total_amount: Decimal,
    pub currency: Fiat,
    pub status: OrderStatus,
    pub payment_method: PaymentMethod,
    #[serde(default)]
    pub crypto_currency: Option<String>,
    #[serde(default)]
    pub crypto_amount: Option<Decimal>,
    #[serde(default)]
    pub payment_address: Option<String>,
    #[serde(default)]
    pub amount_paid: Decimal,
    #[serde(default)]
    pub txid: Option<String>,
    #[serde(default)]
    pub confirmations: u32,
    #[serde(default)]
    pub coupon_id: Option<String>,
    #[serde(default)]
    pub discount_amount: Option<Decimal>,
    #[serde(default)]
    pub customer_ip: Option<String>,
    #[serde(default)]
    pub customer_country: Option<String>,
    #[serde(default)]
    pub customer_country_code: Option<String>,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    #[serde(default)]
    pub completed_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub delivered_content: Option<String>,

    // What a checkout needs beyond the SellGate Orders API's fields.
    #[serde(default)]
    pub network: Option<Network>,
    #[serde(default)]
    pub payment_uri: Option<String>,
    #[serde(default)]
    pub exchange_rate: Option<Decimal>,
    #[serde(default)]
    pub confirmations_required: u32,
    /// Hosted payment page for card and PayPal.
    #[serde(default)]
    pub checkout_url: Option<String>,
    /// Paid after the order expired or was cancelled: the seller must see it.
    #[serde(default)]
    pub late_amount_paid: Decimal,
    #[serde(default)]
    pub sandbox: bool,
    /// The variant's name as it was when the order was made, for the buyer's summary.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variant_name: Option<String>,
    /// How the total was made up when the order was made: the summary and receipt show it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub breakdown: Option<Breakdown>,
}

impl Order {
    /// The amount the buyer owes, in what they pay with: the crypto amount, or the fiat total.
    pub fn amount_due(&self) -> Decimal {
        self.crypto_amount.unwrap_or(self.total_amount)
    }

    pub fn settlement(&self) -> Settlement {
        Settlement {
            status: self.status,
            amount_due: self.amount_due(),
            amount_paid: self.amount_paid,
            confirmations: self.confirmations,
            confirmations_required: self.confirmations_required,
            late_paid: self.late_amount_paid,
            txid: self.txid.clone(),
        }
    }

    /// Applies an event through [`transition`]; on error the order is unchanged.
    /// Returns whether the status changed.
    pub fn apply(&mut self, event: &OrderEvent, now: DateTime<Utc>) -> Result<bool, TransitionError> {
        let before = self.status;
        let next = transition(&self.settlement(), event)?;
        self.status = next.status;
        self.amount_paid = next.amount_paid;
        self.confirmations = next.confirmations;
        self.late_amount_paid = next.late_paid;
        self.txid = next.txid;
        if self.status == OrderStatus::Completed && self.completed_at.is_none() {
            self.completed_at = Some(now);
        }
        Ok(before != self.status)
    }

    /// What the buyer still owes, in what they pay with. A crypto remainder is rounded up to
    /// the coin's quote decimals, so it can be sent from a wallet and a URI can carry it (a
    /// payment of 18 decimals would otherwise leave a remainder no BTC wallet can send).
    pub fn amount_owed(&self) -> Decimal {
        let remaining = self.settlement().remaining();
        match self.payment_method.coin() {
            Some(coin) if self.crypto_amount.is_some() => ceil_dp(remaining, coin.quote_decimals()),
            _ => remaining,
        }
    }

    /// The payment URI for what is still owed: the one made at creation until something is
    /// paid, then one for exactly the remainder, so a wallet never asks the buyer to pay twice.
    /// Nothing owed, or a remainder no URI can carry, gives no URI: never the full amount again.
    fn payment_uri_for(&self, owed: Decimal) -> Option<String> {
        let uri = self.payment_uri.clone()?;
        if self.amount_paid.is_zero() {
            return Some(uri);
        }
        if owed.is_zero() {
            return None;
        }
        let (coin, address) = (self.payment_method.coin()?, self.payment_address.as_deref()?);
        let env = if self.sandbox { Environment::Testnet } else { Environment::Mainnet };
        payment_uri(coin, env, address, owed).ok()
    }

    /// What the buyer's browser may see of this order.
    pub fn public_view(&self, server_time: DateTime<Utc>) -> PublicOrder {
        let owed = self.amount_owed();
        PublicOrder {
            id: self.id.clone(),
            invoice_id: self.invoice_id.clone(),
            order_number: self.order_number.clone(),
            product_id: self.product_id.clone(),
            product_name: self.product_name.clone(),
            variant_id: self.variant_id.clone(),
            variant_name: self.variant_name.clone(),
            breakdown: self.breakdown.clone(),
            buyer_email: MaskedEmail::mask(&self.buyer_email),
            quantity: self.quantity,
            total_amount: self.total_amount,
            currency: self.currency,
            discount_amount: self.discount_amount,
            status: self.status,
            payment_method: self.payment_method,
            crypto_currency: self.crypto_currency.clone(),
            crypto_amount: self.crypto_amount,
            network: self.network,
            network_name: self.network.and_then(|_| self.payment_method.coin()).map(|c| c.network_label()),
            payment_address: self.payment_address.clone(),
            payment_uri: self.payment_uri_for(owed),
            exchange_rate: self.exchange_rate,
            amount_paid: self.amount_paid,
            amount_remaining: owed,
            txid: self.txid.clone(),
            confirmations: self.confirmations,
            confirmations_required: self.confirmations_required,
            checkout_url: self.checkout_url.clone(),
            created_at: self.created_at,
            expires_at: self.expires_at,
            completed_at: self.completed_at,
            delivered_content: if self.status == OrderStatus::Completed {
                self.delivered_content.clone()
            } else {
                None
            },
            sandbox: self.sandbox,
            server_time,
            client_secret: None,
        }
    }
}

/// An email address with its local part hidden: `c***@example.com`.
///
/// It can only be made by masking, and masking a masked address changes nothing, so a
/// [`PublicOrder`] cannot carry a buyer's address in clear, however it was built.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct MaskedEmail(String);

impl MaskedEmail {
    pub fn mask(email: &str) -> MaskedEmail {
        match email.rsplit_once('@') {
            Some((local, domain)) => {
                let first: String = local.chars().take(1).collect();
                MaskedEmail(format!("{first}***@{domain}"))
            }
            None => MaskedEmail("***".into()),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl<'de> Deserialize<'de> for MaskedEmail {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Ok(MaskedEmail::mask(&s))
    }
}

/// The order as a buyer's browser sees it. It has no field for the customer's IP, country,
/// coupon or unmasked email, so no code path can leak them through it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicOrder {
    pub id: String,
    pub invoice_id: String,
    pub order_number: String,
    pub product_id: String,
    pub product_name: String,
    pub variant_id: Option<String>,
    pub variant_name: Option<String>,
    /// Subtotal, discounts, fee, tax and total, as priced when the order was made.
    pub breakdown: Option<Breakdown>,
    pub buyer_email: MaskedEmail,
    pub quantity: u32,
    pub total_amount: Decimal,
    pub currency: Fiat,
    pub discount_amount: Option<Decimal>,
    pub status: OrderStatus,
    pub payment_method: PaymentMethod,
    pub crypto_currency: Option<String>,
    pub crypto_amount: Option<Decimal>,
    pub network: Option<Network>,
    pub network_name: Option<String>,
    pub payment_address: Option<String>,
    /// A URI for what is still owed: the whole amount, or exactly the remainder after a part
    /// payment.
    pub payment_uri: Option<String>,
    pub exchange_rate: Option<Decimal>,
    pub amount_paid: Decimal,
    pub amount_remaining: Decimal,
    pub txid: Option<String>,
    pub confirmations: u32,
    pub confirmations_required: u32,
    pub checkout_url: Option<String>,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub completed_at: Option<DateTime<Utc>>,
    /// Present only once the order is completed.
    pub delivered_content: Option<String>,
    pub sandbox: bool,
    /// The server's clock when this view was made, so a countdown needs no trust in the
    /// buyer's clock.
    pub server_time: DateTime<Utc>,
    /// Given once, on creation: the buyer's key to read this order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<String>,
}

impl PublicOrder {
    /// Seconds left to pay, by the server's clock.
    pub fn seconds_left(&self) -> i64 {
        (self.expires_at - self.server_time).num_seconds().max(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_util::{dec, sample_order};

    #[test]
    fn masking() {
        assert_eq!(MaskedEmail::mask("customer@example.com").as_str(), "c***@example.com");
        let once = MaskedEmail::mask("customer@example.com");
        assert_eq!(MaskedEmail::mask(once.as_str()), once);
        assert_eq!(MaskedEmail::mask("no-at-sign").as_str(), "***");
        let m: MaskedEmail = serde_json::from_str("\"alice@example.org\"").unwrap();
        assert_eq!(m.as_str(), "a***@example.org");
    }

    #[test]
    fn public_view_has_no_pii() {
        let o = sample_order();
        let json = serde_json::to_string(&o.public_view(o.created_at)).unwrap();
        for secret in
            ["customer@example.com", "203.0.113.7", "United States", "\"US\"", "cpn_save10", "customer_ip", "coupon_id"]
        {
            assert!(!json.contains(secret), "{secret} leaked: {json}");
        }
        assert!(json.contains("c***@example.com"));
    }

    #[test]
    fn delivered_content_only_when_completed() {
        let mut o = sample_order();
        o.delivered_content = Some("KEY-1".into());
        assert_eq!(o.public_view(o.created_at).delivered_content, None);
        o.apply(&OrderEvent::ManuallyCompleted, o.created_at).unwrap();
        assert_eq!(o.public_view(o.created_at).delivered_content.as_deref(), Some("KEY-1"));
        assert_eq!(o.completed_at, Some(o.created_at));
    }

    #[test]
    fn partial_payment_exposes_the_remainder() {
        let mut o = sample_order();
        o.sandbox = true;
        o.payment_uri = Some("bitcoin:tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx?amount=0.00045125".into());
        let changed = o
            .apply(&OrderEvent::PaymentSeen { amount: dec("0.0004"), confirmations: 0, txid: None }, o.created_at)
            .unwrap();
        assert!(!changed);
        let v = o.public_view(o.created_at);
        assert_eq!(v.status, OrderStatus::Pending);
        assert_eq!(v.amount_remaining.to_string(), "0.00005125");
        assert_eq!(v.amount_paid.to_string(), "0.0004");
        assert_eq!(
            v.payment_uri.as_deref(),
            Some("bitcoin:tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx?amount=0.00005125")
        );
    }

    #[test]
    fn a_remainder_too_precise_for_the_coin_is_rounded_up() {
        let mut o = sample_order();
        o.sandbox = true;
        o.payment_uri = Some("bitcoin:tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx?amount=0.00045125".into());
        let pay = OrderEvent::PaymentSeen { amount: dec("0.000400000000000001"), confirmations: 0, txid: None };
        o.apply(&pay, o.created_at).unwrap();
        let v = o.public_view(o.created_at);
        assert_eq!(v.amount_remaining.to_string(), "0.00005125");
        assert_eq!(
            v.payment_uri.as_deref(),
            Some("bitcoin:tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx?amount=0.00005125")
        );
        // Paid in full: nothing to ask for, so no URI at all.
        o.apply(&OrderEvent::PaymentSeen { amount: dec("0.0001"), confirmations: 0, txid: None }, o.created_at)
            .unwrap();
        assert_eq!(o.public_view(o.created_at).payment_uri, None);
    }

    mod props {
        use super::*;
        use crate::chain::{Asset, Coin, Network};
        use crate::uri::parse_payment_uri;
        use proptest::prelude::*;

        proptest! {
            /// After any part payment, the URI asks for exactly what is owed, rounded up to the
            /// coin's quote decimals, and never for less.
            #[test]
            fn the_remainder_uri_asks_for_exactly_what_is_owed(
                due_units in 1i64..10_000_000_000,
                paid_units in 1i64..10_000_000_000,
                paid_scale in 0u32..19,
                which in 0usize..4,
            ) {
                let (method, coin, address) = [
                    ("crypto_btc", Coin::new(Asset::Btc, Network::Bitcoin), "tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx"),
                    ("crypto_eth", Coin::new(Asset::Eth, Network::Ethereum), "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"),
                    ("crypto_sol", Coin::new(Asset::Sol, Network::Solana), "11111111111111111111111111111111"),
                    ("flexpay_USDC_MATIC", Coin::new(Asset::Usdc, Network::Polygon), "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"),
                ][which];
                let mut o = sample_order();
                o.sandbox = true;
                o.payment_method = method.parse().unwrap();
                o.payment_address = Some(address.into());
                let due = Decimal::new(due_units, coin.quote_decimals());
                o.crypto_amount = Some(due);
                o.payment_uri = Some(payment_uri(coin, Environment::Testnet, address, due).unwrap());
                let paid = Decimal::new(paid_units, paid_scale);
                o.apply(&OrderEvent::PaymentSeen { amount: paid, confirmations: 0, txid: None }, o.created_at).unwrap();
                let v = o.public_view(o.created_at);
                let exact = (due - paid).max(Decimal::ZERO);
                prop_assert!(v.amount_remaining >= exact);
                prop_assert!(v.amount_remaining - exact < Decimal::new(1, coin.quote_decimals()));
                match v.payment_uri {
                    None => prop_assert!(v.amount_remaining.is_zero()),
                    Some(uri) => {
                        let asked = parse_payment_uri(&uri, coin).unwrap();
                        prop_assert_eq!(asked.amount.unwrap(), v.amount_remaining.normalize());
                        prop_assert_eq!(asked.address, address);
                    }
                }
            }
        }
    }

    #[test]
    fn countdown_uses_server_time() {
        let o = sample_order();
        let v = o.public_view(o.created_at + chrono::Duration::seconds(60));
        assert_eq!(v.seconds_left(), 29 * 60);
        let v = o.public_view(o.expires_at + chrono::Duration::seconds(5));
        assert_eq!(v.seconds_left(), 0);
    }

    #[test]
    fn amounts_serialize_as_exact_strings() {
        let o = sample_order();
        let v: serde_json::Value = serde_json::to_value(&o).unwrap();
        assert_eq!(v["total_amount"], "29.99");
        assert_eq!(v["crypto_amount"], "0.00045125");
        assert_eq!(v["payment_method"], "crypto_btc");
        assert_eq!(v["created_at"], "2025-12-29T10:30:00Z");
        let back: Order = serde_json::from_value(v).unwrap();
        assert_eq!(back, o);
    }
}
