//! CoinGate (seed 004): `POST /v2/orders` as a form with the price Tollgate computed, answered
//! with a hosted `payment_url` where the buyer picks a coin and pays; `GET /v2/orders/:id`.
//! The key goes in `Authorization: Token …`. Callbacks are forms that carry back the `token`
//! sent at creation, compared with the order's own by its Durable Object.

use serde_json::json;
use shared::upstream::coingate::{CoinGateOrder, map_status};
use shared::upstream::sync::UpstreamState;
use shared::{Order, PaymentMethod};

use super::{Adapter, Call, Opening, Settings, WebhookNews, WebhookRefusal, parse_json, title};

pub struct CoinGate;

fn state(o: CoinGateOrder) -> Result<UpstreamState, String> {
    let mut st = UpstreamState::new(o.id.to_string(), map_status(&o.status).map_err(|e| e.to_string())?);
    st.checkout_url = Some(o.payment_url);
    Ok(st)
}

fn get(s: &Settings, url: String) -> Call {
    Call::get(url).header("Authorization", format!("Token {}", s.api_key))
}

fn form(fields: &[(&str, &str)]) -> String {
    url::form_urlencoded::Serializer::new(String::new()).extend_pairs(fields).finish()
}

impl Adapter for CoinGate {
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
            ("token", &opening.token),
            ("purchaser_email", &order.buyer_email),
        ]);
        Call {
            method: "POST",
            url: format!("{}/v2/orders", s.base_url),
            headers: vec![
                ("Accept", "application/json".into()),
                ("Content-Type", "application/x-www-form-urlencoded".into()),
                ("Authorization", format!("Token {}", s.api_key)),
                ("Idempotency-Key", order.id.clone()),
            ],
            body: Some(body),
        }
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
    ) -> Option<Result<WebhookNews, WebhookRefusal>> {
        let field =
            |name: &str| url::form_urlencoded::parse(body).find(|(k, _)| k == name).map(|(_, v)| v.into_owned());
        Some(match (field("token"), field("id"), field("status")) {
            (None, _, _) => Err(WebhookRefusal::Unauthorized("the callback carries no token".into())),
            (Some(token), Some(id), Some(status)) => map_status(&status)
                .map(|m| WebhookNews { state: UpstreamState::new(id, m), token: Some(token) })
                .map_err(|e| WebhookRefusal::Malformed(e.to_string())),
            _ => Err(WebhookRefusal::Malformed("the callback lacks `id` or `status`".into())),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::upstream::test_support::{header, opening, order, settings};
    use shared::OrderStatus;
    use shared::upstream::Provider;

    const SEED: &str = include_str!("../../../shared/tests/fixtures/coingate_create.json");

    #[test]
    fn create_is_a_form_with_the_token_and_the_key_in_a_header() {
        let o = order("crypto_btc");
        let call = CoinGate.create(&settings(Provider::CoinGate), &o, &opening());
        assert_eq!(call.url, "https://up.example/v2/orders");
        assert!(call.headers.contains(&("Authorization", "Token key_live_123".into())));
        let body = call.body.unwrap();
        let fields: Vec<(String, String)> = url::form_urlencoded::parse(body.as_bytes()).into_owned().collect();
        let get = |k: &str| fields.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
        assert_eq!(get("order_id"), Some(o.id.as_str()));
        assert_eq!((get("price_amount"), get("price_currency")), (Some("29.99"), Some("USD")));
        assert_eq!((get("token"), get("purchaser_email")), (Some("tok_abc"), Some("buyer@example.com")));
        assert_eq!(get("title"), Some("Premium License × 1"));
    }

    #[test]
    fn the_seed_answer_is_a_hosted_page() {
        let st = CoinGate.parse_created(SEED, &order("crypto_btc")).unwrap();
        assert_eq!((st.upstream_id.as_str(), st.status), ("390551", OrderStatus::Pending));
        assert!(st.checkout_url.unwrap().starts_with("https://pay-sandbox.coingate.com/invoice/"));
        assert!(CoinGate.parse_read(&SEED.replace("\"new\"", "\"PAID\""), &order("crypto_btc")).is_err());
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
        let ours = SEED.replace("\"order_id\": \"111\"", &format!("\"order_id\": \"{}\"", o.id));
        let page = format!(
            "{{\"current_page\":1,\"per_page\":100,\"total_orders\":2,\"total_pages\":1,\"orders\":[{SEED},{ours}]}}"
        );
        assert_eq!(CoinGate.parse_found(&page, &o).unwrap().unwrap().upstream_id, "390551");
        let theirs = format!("{{\"orders\":[{SEED}]}}");
        assert_eq!(CoinGate.parse_found(&theirs, &o).unwrap(), None);
    }

    #[test]
    fn callbacks_need_a_token() {
        let s = settings(Provider::CoinGate);
        let o = order("crypto_btc");
        let h = header(&[]);
        let news = CoinGate.webhook(&s, &h, b"id=390551&order_id=x&status=paid&token=tok_abc", &o).unwrap().unwrap();
        assert_eq!((news.state.status, news.token.as_deref()), (OrderStatus::Completed, Some("tok_abc")));
        assert!(matches!(
            CoinGate.webhook(&s, &h, b"id=1&status=paid", &o).unwrap(),
            Err(WebhookRefusal::Unauthorized(_))
        ));
        assert!(matches!(
            CoinGate.webhook(&s, &h, b"token=t&id=1&status=weird", &o).unwrap(),
            Err(WebhookRefusal::Malformed(_))
        ));
    }
}
