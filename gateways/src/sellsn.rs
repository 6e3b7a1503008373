//! SellSN (SellSN API docs, Orders): `POST /stores/{storeId}/orders` returns the order and a
//! `checkoutUrl`; `GET /stores/{storeId}/orders/{orderId}`. SellSN prices the order from its
//! own product. Its documentation gives no create body and no amount owed in the coin, so the
//! buyer pays on SellSN's hosted page; the body sent is the order's own field names (products,
//! emailAddress, gateway, customValues). It documents no webhook signature: orders are polled. Its
//! search finds orders but not their checkout page, so a create retried after a lost answer
//! relies on the Idempotency-Key.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::json;
use shared::{Order, OrderStatus, PaymentMethod};

use crate::adapter::parse_json;
use crate::sellix::GATEWAYS;
use crate::settings::Setting;
use crate::{Adapter, Call, MappedStatus, Opening, Profile, Settings, UnknownUpstreamStatus, UpstreamState};

pub struct SellSn;

/// The seller's store at SellSN.
pub const STORE_ID: Setting =
    Setting { var: "SELLSN_STORE_ID", secret: false, required: Some("names the store in every path of its API") };

/// API base: the SellSN API docs' examples.
static PROFILE: Profile = Profile {
    name: "sellsn",
    display_name: "SellSN",
    base_url: "https://api.sellsn.io",
    test_base_url: "https://api.sellsn.io",
    refresh_seconds: 5,
    prices_orders: true,
    callback_token: false,
    settings: &[STORE_ID],
};

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Created {
    order: SellSnOrder,
    checkout_url: Option<String>,
}

#[derive(Deserialize)]
struct Answer {
    data: Vec<Created>,
}

fn state(o: SellSnOrder) -> Result<UpstreamState, String> {
    let mut st = UpstreamState::new(o.id, map_status(&o.status).map_err(|e| e.to_string())?);
    st.txid = o.transaction_id.filter(|t| !t.is_empty());
    st.delivered_content = o.delivered_item.filter(|d| !d.is_empty());
    // SellSN prices the order from its own product: what it charges is what the buyer sees.
    st.total_amount = o.cost.filter(|c| *c > Decimal::ZERO);
    Ok(st)
}

fn store(s: &Settings) -> String {
    format!("{}/stores/{}/orders", s.base_url, s.get(&STORE_ID).unwrap_or_default())
}

impl Adapter for SellSn {
    fn profile(&self) -> &'static Profile {
        &PROFILE
    }

    fn supports(&self, method: PaymentMethod) -> bool {
        GATEWAYS.of(method).is_some()
    }

    fn create(&self, s: &Settings, order: &Order, opening: &Opening) -> Call {
        let body = json!({
            "products": [{"productId": opening.product_ref, "quantity": order.quantity}],
            "emailAddress": order.buyer_email,
            "gateway": GATEWAYS.of(order.payment_method),
            "customValues": [{"key": "tollgate_order", "value": order.id}],
        });
        Call::post_json(store(s), &body).bearer(&s.api_key).idempotent(&order.id)
    }

    fn parse_created(&self, body: &str, _: &Order) -> Result<UpstreamState, String> {
        let created = parse_json::<Answer>(body)?.data.into_iter().next().ok_or("an empty `data` list")?;
        let mut st = state(created.order)?;
        st.checkout_url = created.checkout_url;
        Ok(st)
    }

    fn read(&self, s: &Settings, upstream_id: &str) -> Call {
        Call::get(format!("{}/{upstream_id}", store(s))).bearer(&s.api_key)
    }

    fn parse_read(&self, body: &str, _: &Order) -> Result<UpstreamState, String> {
        state(parse_json(body)?)
    }
}

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

/// SellSN's documentation types `status` as free text and lists no values, so only unambiguous names
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
        _ => return Err(UnknownUpstreamStatus::new("SellSN", s)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Provider;
    use crate::test_support::{json_body, opening, order, settings};

    const EXAMPLE: &str = include_str!("../tests/fixtures/sellsn_order.json");

    #[test]
    fn create_names_the_store_and_the_product() {
        let s = settings(Provider::SellSn);
        let call = SellSn.create(&s, &order("crypto_ltc"), &opening());
        assert_eq!(call.url, "https://up.example/stores/123e4567-e89b-12d3-a456-426614174000/orders");
        let body = json_body(&call);
        assert_eq!(body["products"][0]["productId"], "prod_xyz789");
        assert_eq!(body["gateway"], "LITECOIN");
        let read = SellSn.read(&s, "abc");
        assert!(
            read.url.ends_with("/orders/abc")
                && read.headers.contains(&("Authorization", "Bearer key_live_123".into()))
        );
    }

    #[test]
    fn answers() {
        let created = r#"{"success":true,"pages":1,"data":[{"order":{"id":"u1","dateCreated":"2025-05-21T11:56:58.046Z","status":"Pending"},"checkoutUrl":"https://sellsn.example/checkout/u1"}]}"#;
        let st = SellSn.parse_created(created, &order("crypto_btc")).unwrap();
        assert_eq!(
            (st.upstream_id.as_str(), st.checkout_url.as_deref()),
            ("u1", Some("https://sellsn.example/checkout/u1"))
        );
        assert!(SellSn.parse_created(r#"{"data":[]}"#, &order("crypto_btc")).is_err());
        let priced = created.replace(r#""status":"Pending""#, r#""status":"Pending","cost":31.49"#);
        let st = SellSn.parse_created(&priced, &order("crypto_btc")).unwrap();
        assert_eq!(st.total_amount.map(|c| c.to_string()).as_deref(), Some("31.49"));
        // The documentation's example says `"status": "text"`: not a status Tollgate can guess at.
        assert!(SellSn.parse_read(EXAMPLE, &order("crypto_btc")).unwrap_err().contains("undocumented"));
        let delivered = EXAMPLE.replace("\"status\": \"text\"", "\"status\": \"Completed\"");
        let st = SellSn.parse_read(&delivered, &order("crypto_btc")).unwrap();
        assert_eq!((st.status, st.delivered_content.as_deref()), (shared::OrderStatus::Completed, Some("text")));
    }
    #[test]
    fn mapped_names() {
        use OrderStatus::*;
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
