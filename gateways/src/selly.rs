//! Selly: `POST /api/v2/pay` with the price Tollgate computed (Selly's Pay API: title, gateway,
//! email, value, currency, return_url, webhook_url, white_label), whose answer is read as
//! Selly's order object plus the hosted page's `url`; then `GET /api/v2/orders/:id` (Selly API, Orders).
//! Crypto amounts come in the coin's smallest unit. Webhooks carry the order, signed with
//! HMAC-SHA512 of the raw body in `X-Selly-Signature`.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::json;
use shared::uri::from_atomic;
use shared::{Asset, Order, OrderStatus, PaymentMethod};

use crate::adapter::{GatewayNames, parse_json, rfc3339, title};
use crate::webhook::{WEBHOOK_SECRET, signed_webhook};
use crate::{
    Adapter, Call, MappedStatus, Opening, Profile, Settings, UnknownUpstreamStatus, UpstreamState, WebhookNews,
    WebhookRefusal,
};

pub struct Selly;

/// API base: the Selly API's examples. Selly allows 150 API requests an hour per account (its
/// API documentation), so its orders lean on webhooks and are read rarely.
static PROFILE: Profile = Profile {
    name: "selly",
    display_name: "Selly",
    base_url: "https://selly.io",
    test_base_url: "https://selly.io",
    refresh_seconds: 120,
    prices_orders: false,
    callback_token: false,
    settings: &[WEBHOOK_SECRET],
};

/// Selly's gateway names (Selly API, Orders: `payment_gateway`).
static GATEWAYS: GatewayNames = GatewayNames {
    card: ["stripe", "paypal"],
    coins: &[(Asset::Btc, "bitcoin"), (Asset::Ltc, "litecoin"), (Asset::Eth, "ethereum")],
};

#[derive(Deserialize)]
struct Created {
    #[serde(flatten)]
    order: SellyOrder,
    url: Option<String>,
}

fn state(o: SellyOrder, order: &Order) -> Result<UpstreamState, String> {
    let mut st = UpstreamState::new(o.id, map_status(o.status).map_err(|e| e.to_string())?);
    if let Some(coin) = order.payment_method.coin() {
        // Shown with the coin's usual places (0.00045200 BTC), never fewer than it has.
        let coins = |atomic: Option<u64>| {
            atomic
                .map(|a| {
                    let mut d = from_atomic(u128::from(a), coin.decimals()).map_err(|e| e.to_string())?;
                    d.rescale(coin.quote_decimals().max(d.scale()));
                    Ok::<_, String>(d)
                })
                .transpose()
        };
        st.crypto_amount = coins(o.crypto_value)?.filter(|a| !a.is_zero());
        st.amount_paid = coins(o.crypto_received)?;
        st.payment_address = o.crypto_address;
        st.confirmations = o.crypto_confirmations;
    }
    st.delivered_content = o.delivered.filter(|d| !d.is_empty());
    st.updated_at = rfc3339(o.updated_at.as_deref())?;
    Ok(st)
}

impl Adapter for Selly {
    fn profile(&self) -> &'static Profile {
        &PROFILE
    }

    fn supports(&self, method: PaymentMethod) -> bool {
        GATEWAYS.of(method).is_some()
    }

    fn create(&self, s: &Settings, order: &Order, opening: &Opening) -> Call {
        let body = json!({
            "title": title(order),
            "gateway": GATEWAYS.of(order.payment_method),
            "email": order.buyer_email,
            "value": order.total_amount.to_string(),
            "currency": order.currency,
            "webhook_url": opening.callback_url,
            "white_label": order.payment_method.is_crypto(),
        });
        Call::post_json(format!("{}/api/v2/pay", s.base_url), &body).bearer(&s.api_key).idempotent(&order.id)
    }

    fn parse_created(&self, body: &str, order: &Order) -> Result<UpstreamState, String> {
        let c: Created = parse_json(body)?;
        let mut st = state(c.order, order)?;
        st.checkout_url = c.url;
        Ok(st)
    }

    fn read(&self, s: &Settings, upstream_id: &str) -> Call {
        Call::get(format!("{}/api/v2/orders/{upstream_id}", s.base_url)).bearer(&s.api_key)
    }

    fn parse_read(&self, body: &str, order: &Order) -> Result<UpstreamState, String> {
        state(parse_json(body)?, order)
    }

    fn webhook(
        &self,
        s: &Settings,
        header: &dyn Fn(&str) -> Option<String>,
        body: &[u8],
        order: &Order,
        _: &Opening,
    ) -> Option<Result<WebhookNews, WebhookRefusal>> {
        signed_webhook(s, header("X-Selly-Signature"), body, |text| state(parse_json(text)?, order))
    }
}

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

/// Selly's status codes as its API documentation lists them.
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
        _ => return Err(UnknownUpstreamStatus::new("Selly", code)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Provider;
    use crate::test_support::{json_body, opening, order, settings};

    const EXAMPLE: &str = include_str!("../tests/fixtures/selly_order.json");

    #[test]
    fn create_and_read_calls() {
        let s = settings(Provider::Selly);
        let call = Selly.create(&s, &order("crypto_eth"), &opening());
        assert_eq!(call.url, "https://up.example/api/v2/pay");
        let body = json_body(&call);
        assert_eq!((body["gateway"].as_str(), body["value"].as_str()), (Some("ethereum"), Some("29.99")));
        assert_eq!(Selly.read(&s, "58ec").url, "https://up.example/api/v2/orders/58ec");
        assert!(!Selly.supports("crypto_sol".parse().unwrap()) && Selly.supports(PaymentMethod::PayPal));
    }

    #[test]
    fn smallest_units_become_coins_exactly() {
        let st = Selly.parse_read(EXAMPLE, &order("paypal")).unwrap();
        assert_eq!((st.status, st.delivered_content.as_deref()), (OrderStatus::Completed, Some("SERIAL-123456")));
        let crypto = EXAMPLE
            .replace("\"status\": 100", "\"status\": 53")
            .replace("\"crypto_value\": null", "\"crypto_value\": 45125")
            .replace("\"crypto_received\": 0", "\"crypto_received\": 20000")
            .replace("\"crypto_address\": null", "\"crypto_address\": \"tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx\"");
        let st = Selly.parse_read(&crypto, &order("crypto_btc")).unwrap();
        assert!(st.partially_paid);
        assert_eq!(st.crypto_amount.unwrap().to_string(), "0.00045125");
        assert_eq!(st.amount_paid.unwrap().to_string(), "0.00020000");
    }
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
