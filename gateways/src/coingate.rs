//! CoinGate (CoinGate API v2, Create Order): `POST /v2/orders` as a form with the price Tollgate computed, answered
//! with a hosted `payment_url` where the buyer picks a coin and pays; `GET /v2/orders/:id`.
//! The key goes in `Authorization: Token …`. Callbacks are forms that carry back the `token`
//! sent at creation, compared with the order's own.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::json;
use shared::{Order, OrderStatus, PaymentMethod};

use crate::adapter::{parse_json, title};
use crate::webhook::same_secret;
use crate::{
    Adapter, Call, MappedStatus, Opening, Profile, Settings, UnknownUpstreamStatus, UpstreamState, WebhookNews,
    WebhookRefusal,
};

pub struct CoinGate;

/// API bases: CoinGate's documentation (`api.coingate.com`, and `api-sandbox.coingate.com`
/// for its sandbox).
static PROFILE: Profile = Profile {
    name: "coingate",
    display_name: "CoinGate",
    base_url: "https://api.coingate.com",
    test_base_url: "https://api-sandbox.coingate.com",
    refresh_seconds: 15,
    prices_orders: false,
    callback_token: true,
    settings: &[],
};

fn state(o: CoinGateOrder) -> Result<UpstreamState, String> {
    let mut st = UpstreamState::new(o.id.to_string(), map_status(&o.status).map_err(|e| e.to_string())?);
    st.checkout_url = Some(o.payment_url);
    Ok(st)
}

fn get(s: &Settings, url: String) -> Call {
    Call::get(url).header("Authorization", format!("Token {}", s.api_key))
}

fn form(fields: &[(&str, &str)]) -> String {
    form_urlencoded::Serializer::new(String::new()).extend_pairs(fields).finish()
}

impl Adapter for CoinGate {
    fn profile(&self) -> &'static Profile {
        &PROFILE
    }

    /// Every coin: the buyer chooses on CoinGate's page.
    fn supports(&self, method: PaymentMethod) -> bool {
        method.is_crypto()
    }

    fn create(&self, s: &Settings, order: &Order, opening: &Opening) -> Call {
        let total = order.total_amount.to_string();
        let title = title(order);
        let currency = json!(order.currency).as_str().unwrap_or_default().to_owned();
        let body = form(&[
            ("order_id", &order.id),
            ("price_amount", &total),
            ("price_currency", &currency),
            // Keep the coins the buyer paid with; no conversion by the provider.
            ("receive_currency", "DO_NOT_CONVERT"),
            ("title", &title),
            ("callback_url", &opening.callback_url),
            ("token", opening.token.as_deref().unwrap_or_default()),
            ("purchaser_email", &order.buyer_email),
        ]);
        Call::post(format!("{}/v2/orders", s.base_url), "application/x-www-form-urlencoded", body)
            .header("Authorization", format!("Token {}", s.api_key))
            .idempotent(&order.id)
    }

    fn parse_created(&self, body: &str, _: &Order) -> Result<UpstreamState, String> {
        state(parse_json(body)?)
    }

    fn read(&self, s: &Settings, upstream_id: &str) -> Call {
        get(s, format!("{}/v2/orders/{upstream_id}", s.base_url))
    }

    fn parse_read(&self, body: &str, _: &Order) -> Result<UpstreamState, String> {
        state(parse_json(body)?)
    }

    /// CoinGate's order list (`GET /v2/orders`: per_page up to 100, sort, created_at[from]),
    /// newest first from the order's day, matched on `order_id`.
    fn find(&self, s: &Settings, order: &Order) -> Option<Call> {
        let query = form(&[
            ("per_page", "100"),
            ("sort", "created_at_desc"),
            ("created_at[from]", &order.created_at.format("%Y-%m-%d").to_string()),
        ]);
        Some(get(s, format!("{}/v2/orders?{query}", s.base_url)))
    }

    fn parse_found(&self, body: &str, order: &Order) -> Result<Option<UpstreamState>, String> {
        #[derive(serde::Deserialize)]
        struct Page {
            orders: Vec<CoinGateOrder>,
        }
        let page: Page = parse_json(body)?;
        page.orders.into_iter().find(|o| o.order_id.as_deref() == Some(order.id.as_str())).map(state).transpose()
    }

    fn webhook(
        &self,
        _: &Settings,
        _: &dyn Fn(&str) -> Option<String>,
        body: &[u8],
        _: &Order,
        opening: &Opening,
    ) -> Option<Result<WebhookNews, WebhookRefusal>> {
        let field = |name: &str| form_urlencoded::parse(body).find(|(k, _)| k == name).map(|(_, v)| v.into_owned());
        let ours = opening.token.as_deref().unwrap_or_default();
        Some(match (field("token"), field("id"), field("status")) {
            (None, _, _) => Err(WebhookRefusal::Unauthorized("the callback carries no token".into())),
            (Some(token), ..) if ours.is_empty() || !same_secret(&token, ours) => {
                Err(WebhookRefusal::Unauthorized("the callback token does not match".into()))
            }
            (Some(_), Some(id), Some(status)) => map_status(&status)
                .map(|m| WebhookNews { state: UpstreamState::new(id, m) })
                .map_err(|e| WebhookRefusal::Malformed(e.to_string())),
            _ => Err(WebhookRefusal::Malformed("the callback lacks `id` or `status`".into())),
        })
    }
}

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
        _ => return Err(UnknownUpstreamStatus::new("CoinGate", s)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Provider;
    use crate::test_support::{header, opening, order, settings};

    const EXAMPLE: &str = include_str!("../tests/fixtures/coingate_create.json");

    #[test]
    fn create_is_a_form_with_the_token_and_the_key_in_a_header() {
        let o = order("crypto_btc");
        let call = CoinGate.create(&settings(Provider::CoinGate), &o, &opening());
        assert_eq!(call.url, "https://up.example/v2/orders");
        assert!(call.headers.contains(&("Authorization", "Token key_live_123".into())));
        let body = call.body.unwrap();
        let fields: Vec<(String, String)> = form_urlencoded::parse(body.as_bytes()).into_owned().collect();
        let get = |k: &str| fields.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
        assert_eq!(get("order_id"), Some(o.id.as_str()));
        assert_eq!((get("price_amount"), get("price_currency")), (Some("29.99"), Some("USD")));
        assert_eq!((get("token"), get("purchaser_email")), (Some("tok_abc"), Some("buyer@example.com")));
        assert_eq!(get("title"), Some("Premium License × 1"));
    }

    #[test]
    fn the_documented_answer_is_a_hosted_page() {
        let st = CoinGate.parse_created(EXAMPLE, &order("crypto_btc")).unwrap();
        assert_eq!((st.upstream_id.as_str(), st.status), ("390551", OrderStatus::Pending));
        assert!(st.checkout_url.unwrap().starts_with("https://pay-sandbox.coingate.com/invoice/"));
        assert!(CoinGate.parse_read(&EXAMPLE.replace("\"new\"", "\"PAID\""), &order("crypto_btc")).is_err());
    }

    #[test]
    fn a_lost_create_is_found_by_order_id() {
        let o = order("crypto_btc");
        let call = CoinGate.find(&settings(Provider::CoinGate), &o).unwrap();
        assert_eq!(
            call.url,
            "https://up.example/v2/orders?per_page=100&sort=created_at_desc&created_at%5Bfrom%5D=2025-12-29"
        );
        assert!(call.headers.contains(&("Authorization", "Token key_live_123".into())));
        let ours = EXAMPLE.replace("\"order_id\": \"111\"", &format!("\"order_id\": \"{}\"", o.id));
        let page = format!(
            "{{\"current_page\":1,\"per_page\":100,\"total_orders\":2,\"total_pages\":1,\"orders\":[{EXAMPLE},{ours}]}}"
        );
        assert_eq!(CoinGate.parse_found(&page, &o).unwrap().unwrap().upstream_id, "390551");
        let theirs = format!("{{\"orders\":[{EXAMPLE}]}}");
        assert_eq!(CoinGate.parse_found(&theirs, &o).unwrap(), None);
    }

    #[test]
    fn callbacks_need_a_token() {
        let s = settings(Provider::CoinGate);
        let o = order("crypto_btc");
        let h = header(&[]);
        let callback = |body: &[u8], opening: &Opening| CoinGate.webhook(&s, &h, body, &o, opening).unwrap();
        let news = callback(b"id=390551&order_id=x&status=paid&token=tok_abc", &opening()).unwrap();
        assert_eq!(news.state.status, OrderStatus::Completed);
        let unauthorized = |r| matches!(r, Err(WebhookRefusal::Unauthorized(_)));
        assert!(unauthorized(callback(b"id=1&status=paid", &opening())));
        assert!(unauthorized(callback(b"id=1&status=paid&token=tok_abd", &opening())));
        // An order opened without a token takes no callback at all.
        let tokenless = Opening { token: None, ..opening() };
        assert!(unauthorized(callback(b"id=1&status=paid&token=", &tokenless)));
        assert!(matches!(callback(b"token=tok_abc&id=1&status=weird", &opening()), Err(WebhookRefusal::Malformed(_))));
    }

    #[test]
    fn every_documented_status() {
        use OrderStatus::*;
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
