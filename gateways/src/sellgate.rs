//! SellGate (its Orders API, the model of Tollgate's own): `POST /v1/orders` with the seller's
//! product id (SellGate prices the order), `GET /v1/orders/:id`. White-label crypto: the answer carries the address and the
//! amount. SellGate documents no webhooks and no hosted page, so orders are polled and only
//! crypto methods are offered.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::json;
use shared::{Order, OrderStatus, PaymentMethod};

use crate::adapter::{parse_json, rfc3339};
use crate::{Adapter, Call, MappedStatus, Opening, Profile, Settings, UnknownUpstreamStatus, UpstreamState};

pub struct SellGate;

/// API base: the SellGate Orders API's example requests. Orders are read often: SellGate
/// sends no webhooks.
static PROFILE: Profile = Profile {
    name: "sellgate",
    display_name: "SellGate",
    base_url: "https://api.sellgate.cc",
    test_base_url: "https://api.sellgate.cc",
    refresh_seconds: 5,
    prices_orders: true,
    callback_token: false,
    settings: &[],
};

#[derive(serde::Deserialize)]
struct Envelope {
    data: SellGateOrder,
}

fn state(body: &str) -> Result<UpstreamState, String> {
    let o = parse_json::<Envelope>(body)?.data;
    let mut st = UpstreamState::new(o.id, map_status(&o.status).map_err(|e| e.to_string())?);
    st.total_amount = Some(o.total_amount);
    st.crypto_amount = o.crypto_amount;
    st.payment_address = o.payment_address;
    st.amount_paid = o.amount_paid;
    st.confirmations = o.confirmations;
    st.txid = o.txid;
    st.expires_at = rfc3339(o.expires_at.as_deref())?;
    st.delivered_content = o.delivered_content;
    Ok(st)
}

impl Adapter for SellGate {
    fn profile(&self) -> &'static Profile {
        &PROFILE
    }

    fn supports(&self, method: PaymentMethod) -> bool {
        method.is_crypto()
    }

    fn create(&self, s: &Settings, order: &Order, opening: &Opening) -> Call {
        let mut body = json!({
            "product_id": opening.product_ref,
            "buyer_email": order.buyer_email,
            "payment_method": order.payment_method.to_string(),
            "quantity": order.quantity,
        });
        // Only a real address: without one the worker records `unknown`.
        let ip = order.customer_ip.clone().filter(|ip| ip.parse::<std::net::IpAddr>().is_ok());
        let fields = [
            ("variant_id", &order.variant_id),
            ("customer_ip", &ip),
            ("customer_country_code", &order.customer_country_code),
        ];
        for (k, v) in fields {
            if let Some(v) = v {
                body[k] = json!(v);
            }
        }
        Call::post_json(format!("{}/v1/orders", s.base_url), &body).bearer(&s.api_key).idempotent(&order.id)
    }

    fn parse_created(&self, body: &str, _: &Order) -> Result<UpstreamState, String> {
        state(body)
    }

    fn read(&self, s: &Settings, upstream_id: &str) -> Call {
        Call::get(format!("{}/v1/orders/{upstream_id}", s.base_url)).bearer(&s.api_key)
    }

    fn parse_read(&self, body: &str, _: &Order) -> Result<UpstreamState, String> {
        state(body)
    }
}

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
    s.parse::<OrderStatus>().map(MappedStatus::of).map_err(|_| UnknownUpstreamStatus::new("SellGate", s))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Provider;
    use crate::test_support::{header, json_body, opening, order, settings};

    /// The create answer in the SellGate Orders API.
    const CREATED: &str = include_str!("../../shared/tests/fixtures/sellgate_create_response.json");

    #[test]
    fn create_sends_the_product_and_the_key_in_a_header() {
        let s = settings(Provider::SellGate);
        let mut o = order("crypto_btc");
        o.customer_ip = Some("unknown".into());
        let call = SellGate.create(&s, &o, &opening());
        assert_eq!((call.method, call.url.as_str()), ("POST", "https://up.example/v1/orders"));
        assert!(call.headers.contains(&("Authorization", "Bearer key_live_123".into())));
        assert!(call.headers.contains(&("Idempotency-Key", o.id.clone())));
        let body = json_body(&call);
        assert_eq!(
            body,
            json!({"product_id": "prod_xyz789", "buyer_email": "buyer@example.com", "payment_method": "crypto_btc", "quantity": 1})
        );
        assert!(!call.url.contains("key_live"));
    }

    #[test]
    fn the_documented_answer_maps_to_the_last_digit() {
        let st = SellGate.parse_created(CREATED, &order("crypto_btc")).unwrap();
        assert_eq!(st.upstream_id, "ord_abc123");
        assert_eq!(st.status, OrderStatus::Pending);
        assert_eq!(st.crypto_amount.unwrap().to_string(), "0.00045123");
        assert_eq!(st.total_amount.unwrap().to_string(), "29.99");
        assert_eq!(st.expires_at.unwrap().to_rfc3339(), "2025-12-29T11:00:00+00:00");
        assert!(SellGate.parse_read("{\"data\":{}}", &order("crypto_btc")).is_err());
        assert!(SellGate.parse_read("not json", &order("crypto_btc")).unwrap_err().contains("unreadable"));
        let odd = CREATED.replace("\"pending\"", "\"paid\"");
        assert!(SellGate.parse_read(&odd, &order("crypto_btc")).unwrap_err().contains("undocumented"));
    }

    #[test]
    fn only_crypto_and_no_webhooks() {
        assert!(SellGate.supports("flexpay_USDT_TRC20".parse().unwrap()));
        assert!(!SellGate.supports(PaymentMethod::Stripe));
        let s = settings(Provider::SellGate);
        assert!(SellGate.webhook(&s, &header(&[]), b"{}", &order("crypto_btc"), &opening()).is_none());
    }

    #[test]
    fn every_status() {
        for st in OrderStatus::ALL {
            assert_eq!(map_status(st.as_str()).unwrap().status, st);
        }
        assert!(map_status("paid").is_err());
        assert!(map_status("Pending").is_err());
    }
}
