//! Sellix: `POST /v1/payments` with the price Tollgate computed (Sellix Payments API: title,
//! value, currency, quantity, email, gateway, white_label, return_url, webhook, custom_fields;
//! with `white_label` the answer's `data.invoice` is the order, otherwise `data.url` is its
//! hosted page), then `GET /v1/orders/{uniqid}` (Sellix API, Get Order). Webhooks are signed with
//! HMAC-SHA512 of the raw body in `X-Sellix-Signature`; their `data` is the order.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::json;
use shared::{Asset, Order, OrderStatus, PaymentMethod};

use crate::adapter::{GatewayNames, parse_json, title};
use crate::settings::Setting;
use crate::webhook::{WEBHOOK_SECRET, signed_webhook};
use crate::{
    Adapter, Call, MappedStatus, Opening, Profile, Settings, UnknownUpstreamStatus, UpstreamState, WebhookNews,
    WebhookRefusal,
};

pub struct Sellix;

/// `X-Sellix-Merchant`: the store's name, for accounts with several.
pub const MERCHANT: Setting = Setting { var: "SELLIX_MERCHANT", secret: false, required: None };

/// API base: the Sellix API documentation's examples.
static PROFILE: Profile = Profile {
    name: "sellix",
    display_name: "Sellix",
    base_url: "https://dev.sellix.io",
    test_base_url: "https://dev.sellix.io",
    refresh_seconds: 15,
    prices_orders: false,
    callback_token: false,
    settings: &[WEBHOOK_SECRET, MERCHANT],
};

/// The names the marketplaces (Sellix, and SellSN after it) give the coins and card
/// processors Tollgate offers through them.
pub(crate) static GATEWAYS: GatewayNames = GatewayNames {
    card: ["STRIPE", "PAYPAL"],
    coins: &[(Asset::Btc, "BITCOIN"), (Asset::Ltc, "LITECOIN"), (Asset::Eth, "ETHEREUM"), (Asset::Sol, "SOLANA")],
};

/// Every call names the merchant, where the seller set one.
fn merchant(s: &Settings, call: Call) -> Call {
    match s.get(&MERCHANT) {
        Some(m) => call.header("X-Sellix-Merchant", m.to_owned()),
        None => call,
    }
}

#[derive(Deserialize)]
struct Answer<T> {
    data: T,
}

#[derive(Deserialize)]
struct Created {
    invoice: Option<SellixOrder>,
    uniqid: Option<String>,
    url: Option<String>,
}

#[derive(Deserialize)]
struct Read {
    order: SellixOrder,
}

fn state(o: SellixOrder, order: &Order) -> Result<UpstreamState, String> {
    let mut st = UpstreamState::new(o.uniqid, map_status(&o.status).map_err(|e| e.to_string())?);
    let txs = o.crypto_transactions.unwrap_or_default();
    if order.payment_method.is_crypto() {
        st.crypto_amount = o.crypto_amount;
        st.payment_address = o.crypto_address;
        st.payment_uri = o.crypto_uri;
        st.amount_paid = o.crypto_received.or_else(|| {
            let sum: Decimal = txs.iter().filter_map(|t| t.crypto_amount).sum();
            (!txs.is_empty()).then_some(sum)
        });
        st.confirmations_required = o.crypto_confirmations_needed;
        // The least confirmed payment decides how confirmed the whole amount is.
        st.confirmations = txs.iter().filter_map(|t| t.confirmations).min();
        st.txid = txs.iter().rev().find_map(|t| t.hash.clone());
    }
    st.delivered_content = o.serials.filter(|s| !s.is_empty()).map(|s| s.join("\n"));
    st.updated_at = o.updated_at.and_then(|t| chrono::DateTime::from_timestamp(t, 0));
    Ok(st)
}

impl Adapter for Sellix {
    fn profile(&self) -> &'static Profile {
        &PROFILE
    }

    fn supports(&self, method: PaymentMethod) -> bool {
        GATEWAYS.of(method).is_some()
    }

    fn create(&self, s: &Settings, order: &Order, opening: &Opening) -> Call {
        let body = json!({
            "title": title(order),
            "value": order.total_amount.to_string(),
            "currency": order.currency,
            "quantity": 1,
            "email": order.buyer_email,
            "gateway": GATEWAYS.of(order.payment_method),
            "white_label": order.payment_method.is_crypto(),
            "webhook": opening.callback_url,
            "custom_fields": {"tollgate_order": order.id},
        });
        merchant(s, Call::post_json(format!("{}/v1/payments", s.base_url), &body).bearer(&s.api_key))
            .idempotent(&order.id)
    }

    fn parse_created(&self, body: &str, order: &Order) -> Result<UpstreamState, String> {
        let c = parse_json::<Answer<Created>>(body)?.data;
        match (c.invoice, c.uniqid, c.url) {
            (Some(invoice), _, url) => {
                let mut st = state(invoice, order)?;
                st.checkout_url = url;
                Ok(st)
            }
            (None, Some(uniqid), Some(url)) => {
                let mut st = UpstreamState::new(uniqid, map_status("PENDING").map_err(|e| e.to_string())?);
                st.checkout_url = Some(url);
                Ok(st)
            }
            _ => Err("neither an invoice nor a payment page".into()),
        }
    }

    fn read(&self, s: &Settings, upstream_id: &str) -> Call {
        merchant(s, Call::get(format!("{}/v1/orders/{upstream_id}", s.base_url)).bearer(&s.api_key))
    }

    fn parse_read(&self, body: &str, order: &Order) -> Result<UpstreamState, String> {
        state(parse_json::<Answer<Read>>(body)?.data.order, order)
    }

    fn webhook(
        &self,
        s: &Settings,
        header: &dyn Fn(&str) -> Option<String>,
        body: &[u8],
        order: &Order,
        _: &Opening,
    ) -> Option<Result<WebhookNews, WebhookRefusal>> {
        signed_webhook(s, header("X-Sellix-Signature"), body, |text| {
            state(parse_json::<Answer<SellixOrder>>(text)?.data, order)
        })
    }
}

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

/// Sellix invoice statuses. Source: the Sellix API's Get Order example (PENDING, COMPLETED in `status_history`) and
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
        _ => return Err(UnknownUpstreamStatus::new("Sellix", s)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Provider;
    use crate::test_support::{header, json_body, opening, order, settings, sign};

    const EXAMPLE: &str = include_str!("../tests/fixtures/sellix_order.json");

    #[test]
    fn create_prices_with_tollgate_and_names_the_merchant() {
        let o = order("crypto_btc");
        let call = Sellix.create(&settings(Provider::Sellix), &o, &opening());
        assert_eq!(call.url, "https://up.example/v1/payments");
        assert!(call.headers.contains(&("X-Sellix-Merchant", "My Shop".into())));
        assert!(call.headers.contains(&("Authorization", "Bearer key_live_123".into())));
        let body = json_body(&call);
        assert_eq!(body["value"], "29.99");
        assert_eq!(body["gateway"], "BITCOIN");
        assert_eq!(body["white_label"], true);
        assert_eq!(body["custom_fields"]["tollgate_order"], o.id.as_str());
        assert_eq!(body["webhook"], opening().callback_url.as_str());
    }

    #[test]
    fn the_documented_order_maps_to_the_last_digit() {
        let st = Sellix.parse_read(EXAMPLE, &order("crypto_sol")).unwrap();
        assert_eq!(st.status, OrderStatus::Completed);
        assert_eq!(st.crypto_amount.unwrap().to_string(), "0.014174");
        assert_eq!(st.amount_paid.unwrap().to_string(), "0.014174");
        assert_eq!((st.confirmations, st.confirmations_required), (Some(1), Some(1)));
        assert_eq!(st.payment_address.as_deref(), Some("3RUx8gs74R5KdXrs8wU6Z2xQkS8jmGVCnTVTRpwSoE3B"));
        assert_eq!(st.delivered_content.as_deref(), Some("activation-key-#1\nactivation-key-#2\nactivation-key-#3"));
        assert!(st.txid.unwrap().starts_with("234dB62Q"));
    }

    #[test]
    fn signed_webhooks_only() {
        let s = settings(Provider::Sellix);
        let o = order("crypto_sol");
        let order_json =
            serde_json::to_value(serde_json::from_str::<serde_json::Value>(EXAMPLE).unwrap()["data"]["order"].clone())
                .unwrap();
        let body = json!({"event": "order:paid", "data": order_json}).to_string();
        let good = sign(&body);
        let news = Sellix
            .webhook(&s, &header(&[("X-Sellix-Signature", &good)]), body.as_bytes(), &o, &opening())
            .unwrap()
            .unwrap();
        assert_eq!(news.state.status, OrderStatus::Completed);
        let forged = body.replace("COMPLETED", "REFUNDED");
        let refused =
            Sellix.webhook(&s, &header(&[("X-Sellix-Signature", &good)]), forged.as_bytes(), &o, &opening()).unwrap();
        assert!(matches!(refused, Err(WebhookRefusal::Unauthorized(_))));
        let unsigned = Sellix.webhook(&s, &header(&[]), body.as_bytes(), &o, &opening()).unwrap();
        assert!(matches!(unsigned, Err(WebhookRefusal::Unauthorized(_))));
        let junk = "{\"data\": 1}";
        let malformed = Sellix
            .webhook(&s, &header(&[("X-Sellix-Signature", &sign(junk))]), junk.as_bytes(), &o, &opening())
            .unwrap();
        assert!(matches!(malformed, Err(WebhookRefusal::Malformed(_))));
    }

    #[test]
    fn hosted_answers_and_methods() {
        let st = Sellix
            .parse_created(
                r#"{"status":200,"data":{"uniqid":"abc","url":"https://checkout.example/abc"}}"#,
                &order("stripe"),
            )
            .unwrap();
        assert_eq!(
            (st.upstream_id.as_str(), st.checkout_url.as_deref()),
            ("abc", Some("https://checkout.example/abc"))
        );
        assert!(Sellix.parse_created(r#"{"status":200,"data":{}}"#, &order("stripe")).is_err());
        assert!(Sellix.supports(PaymentMethod::PayPal) && !Sellix.supports("flexpay_USDT_TON".parse().unwrap()));
    }

    #[test]
    fn every_status() {
        use OrderStatus::*;
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
