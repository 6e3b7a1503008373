//! Upstream gateways: the seller's account at SellGate, Sellix, SellSN, Selly or CoinGate takes
//! the payment, and Tollgate keeps its own order in step with the provider's.
//!
//! Each provider's module turns an order into a [`Call`] (a request described as data) and
//! reads the provider's answers and webhooks into a [`UpstreamState`]. None of them does I/O,
//! so all of it is tested natively; [`fetch`] sends a call with a deadline.

pub mod coingate;
mod fetch;
pub mod sellgate;
pub mod sellix;
pub mod sellsn;
pub mod selly;

use hmac::{Hmac, Mac};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use sha2::Sha512;
use shared::address::validate_address;
use shared::upstream::Provider;
use shared::upstream::sync::UpstreamState;
use shared::uri::{is_wallet_link, parse_payment_uri, payment_uri};
use shared::{Asset, Environment, Order, PaymentMethod};

pub use fetch::send;

use crate::ids;

/// How Tollgate reaches the seller's account at a provider (from vars and secrets). Its `Debug`
/// output leaves the secrets out, so no log line can carry them.
#[derive(Clone, PartialEq, Eq)]
pub struct Settings {
    pub provider: Provider,
    /// The API base, without a trailing slash.
    pub base_url: String,
    pub api_key: String,
    pub webhook_secret: Option<String>,
    /// SellSN's store id.
    pub store_id: Option<String>,
    /// Sellix's `X-Sellix-Merchant` (the store's name, for accounts with several).
    pub merchant: Option<String>,
    /// An order is read from the provider at most once per this many seconds.
    pub refresh_seconds: u32,
    /// Every call to the provider is abandoned after this long.
    pub timeout_ms: u32,
    /// Testnet addresses while the worker runs in test mode.
    pub environment: Environment,
}

impl std::fmt::Debug for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Settings")
            .field("provider", &self.provider)
            .field("base_url", &self.base_url)
            .field("api_key", &"(secret)")
            .field("webhook_secret", &self.webhook_secret.as_ref().map(|_| "(secret)"))
            .field("store_id", &self.store_id)
            .field("merchant", &self.merchant)
            .field("refresh_seconds", &self.refresh_seconds)
            .field("timeout_ms", &self.timeout_ms)
            .field("environment", &self.environment)
            .finish()
    }
}

/// A request to a provider, as data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Call {
    pub method: &'static str,
    pub url: String,
    pub headers: Vec<(&'static str, String)>,
    pub body: Option<String>,
}

impl Call {
    fn get(url: String) -> Call {
        Call { method: "GET", url, headers: vec![("Accept", "application/json".into())], body: None }
    }

    fn post_json(url: String, body: &serde_json::Value) -> Call {
        Call {
            method: "POST",
            url,
            headers: vec![("Accept", "application/json".into()), ("Content-Type", "application/json".into())],
            body: Some(body.to_string()),
        }
    }

    fn header(mut self, name: &'static str, value: String) -> Call {
        self.headers.push((name, value));
        self
    }

    fn bearer(self, key: &str) -> Call {
        self.header("Authorization", format!("Bearer {key}"))
    }

    /// Tollgate's order id as the idempotency key: a create retried after a timeout names the
    /// same order to the provider.
    fn idempotent(self, order_id: &str) -> Call {
        self.header("Idempotency-Key", order_id.to_owned())
    }
}

/// What opening an order upstream needs besides the order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Opening {
    /// The product's id at the provider, where the provider prices the order itself.
    pub product_ref: String,
    /// Where the provider sends webhooks for this order (`…/v1/webhooks/<provider>?order=<id>`).
    pub callback_url: String,
    /// CoinGate's per-order callback token: sent at creation, checked in every callback.
    pub token: String,
}

/// The provider could not be used; the buyer is told to retry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Failure {
    /// 503 `upstream_unavailable` (timeout, 5xx, 429) or 502 `upstream_error` (an answer that
    /// makes no sense, or a refusal).
    pub status: u16,
    pub code: String,
    pub message: String,
    pub retry_after: u32,
}

impl Failure {
    pub fn unavailable(provider: Provider, why: impl std::fmt::Display, retry_after: u32) -> Failure {
        Failure {
            status: 503,
            code: "upstream_unavailable".into(),
            message: format!(
                "{} is not answering ({why}); nothing was charged, try again shortly",
                provider.display_name()
            ),
            retry_after,
        }
    }

    pub fn error(provider: Provider, why: impl std::fmt::Display) -> Failure {
        Failure {
            status: 502,
            code: "upstream_error".into(),
            message: format!("{} sent an answer Tollgate cannot use ({why})", provider.display_name()),
            retry_after: 30,
        }
    }
}

/// Reads a provider's HTTP answer: the body of a 2xx, or the failure it stands for.
pub fn interpret(provider: Provider, status: u16, retry_after: Option<&str>, body: String) -> Result<String, Failure> {
    let wait = retry_after.and_then(|r| r.trim().parse::<u32>().ok()).map(|s| s.clamp(1, 3600));
    match status {
        200..=299 => Ok(body),
        429 => Err(Failure::unavailable(provider, "rate limited", wait.unwrap_or(30))),
        500..=599 => Err(Failure::unavailable(provider, format!("HTTP {status}"), wait.unwrap_or(10))),
        401 | 403 => Err(Failure::error(provider, format!("HTTP {status}: check UPSTREAM_API_KEY"))),
        _ => Err(Failure::error(provider, format!("HTTP {status}"))),
    }
}

/// A webhook whose signature (or token) has been checked as far as the worker can without
/// the order: the rest is checked by the order's object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookNews {
    pub state: UpstreamState,
    /// CoinGate's callback token, compared with the order's own by its object.
    pub token: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WebhookRefusal {
    /// No or a wrong signature: 401.
    Unauthorized(String),
    /// Signed, but not readable: 400.
    Malformed(String),
}

/// Checks a hex HMAC-SHA512 of the raw body, in constant time.
pub fn verify_hmac_sha512(secret: &str, body: &[u8], signature: Option<&str>) -> Result<(), WebhookRefusal> {
    let Some(sig) = signature.map(str::trim).filter(|s| !s.is_empty()) else {
        return Err(WebhookRefusal::Unauthorized("the webhook is not signed".into()));
    };
    let mut mac = Hmac::<Sha512>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key length");
    mac.update(body);
    let expected = ids::hex(&mac.finalize().into_bytes());
    if ids::constant_time_eq(&expected, &sig.to_ascii_lowercase()) {
        Ok(())
    } else {
        Err(WebhookRefusal::Unauthorized("the webhook signature does not match".into()))
    }
}

/// The provider's adapter.
pub trait Adapter {
    /// Whether an order paid this way can be opened at the provider.
    fn supports(&self, method: PaymentMethod) -> bool;
    fn create(&self, s: &Settings, order: &Order, opening: &Opening) -> Call;
    /// Reads the answer to [`Adapter::create`].
    fn parse_created(&self, body: &str, order: &Order) -> Result<UpstreamState, String>;
    fn read(&self, s: &Settings, upstream_id: &str) -> Call;
    /// Reads the answer to [`Adapter::read`].
    fn parse_read(&self, body: &str, order: &Order) -> Result<UpstreamState, String>;
    /// Looks for the order a lost create answer may have made, by Tollgate's reference, where
    /// the provider lets orders be searched; elsewhere a retry relies on the Idempotency-Key.
    fn find(&self, _s: &Settings, _order: &Order) -> Option<Call> {
        None
    }
    /// Reads the answer to [`Adapter::find`]: the order with Tollgate's reference, if any.
    fn parse_found(&self, _body: &str, _order: &Order) -> Result<Option<UpstreamState>, String> {
        Ok(None)
    }
    /// Checks and reads a webhook; `None` when the provider sends none Tollgate can verify.
    fn webhook(
        &self,
        _s: &Settings,
        _header: &dyn Fn(&str) -> Option<String>,
        _body: &[u8],
        _order: &Order,
    ) -> Option<Result<WebhookNews, WebhookRefusal>> {
        None
    }
}

pub fn adapter(p: Provider) -> &'static dyn Adapter {
    match p {
        Provider::SellGate => &sellgate::SellGate,
        Provider::Sellix => &sellix::Sellix,
        Provider::SellSn => &sellsn::SellSn,
        Provider::Selly => &selly::Selly,
        Provider::CoinGate => &coingate::CoinGate,
    }
}

/// A provider's name for a way to pay: `card` names Stripe and PayPal, `coins` the native
/// coins it takes; anything else it does not take.
fn gateway_name(
    method: PaymentMethod,
    card: [&'static str; 2],
    coins: &[(Asset, &'static str)],
) -> Option<&'static str> {
    match method {
        PaymentMethod::Stripe => Some(card[0]),
        PaymentMethod::PayPal => Some(card[1]),
        m => {
            let asset = m.coin().filter(|c| c.is_native())?.asset;
            coins.iter().find(|(a, _)| *a == asset).map(|(_, name)| *name)
        }
    }
}

/// The names the marketplaces (Sellix, SellSN) use for the coins and card processors
/// Tollgate offers through them.
fn marketplace_gateway(method: PaymentMethod) -> Option<&'static str> {
    let coins = [(Asset::Btc, "BITCOIN"), (Asset::Ltc, "LITECOIN"), (Asset::Eth, "ETHEREUM"), (Asset::Sol, "SOLANA")];
    gateway_name(method, ["STRIPE", "PAYPAL"], &coins)
}

/// What the buyer sees on the provider's page and the seller in its dashboard.
fn title(order: &Order) -> String {
    format!("{} × {}", order.product_name, order.quantity)
}

/// Checks a webhook signed with HMAC-SHA512 of its raw body, then reads it with `read`.
fn signed_webhook(
    s: &Settings,
    signature: Option<String>,
    body: &[u8],
    read: impl FnOnce(&str) -> Result<UpstreamState, String>,
) -> Option<Result<WebhookNews, WebhookRefusal>> {
    let secret = s.webhook_secret.as_deref()?;
    Some(verify_hmac_sha512(secret, body, signature.as_deref()).and_then(|()| {
        let text = std::str::from_utf8(body).map_err(|_| WebhookRefusal::Malformed("not UTF-8".into()))?;
        Ok(WebhookNews { state: read(text).map_err(WebhookRefusal::Malformed)?, token: None })
    }))
}

/// Takes the payment details of a freshly opened upstream order into the local one: the
/// address and amount (checked against the network before any buyer sees them), or the
/// provider's hosted page. The provider's prices win where it priced the order.
pub fn adopt(order: &mut Order, st: &UpstreamState, env: Environment) -> Result<(), String> {
    if let Some(total) = st.total_amount {
        order.total_amount = total;
    }
    if let Some(expires) = st.expires_at {
        order.expires_at = expires;
    }
    if let Some(url) = &st.checkout_url {
        // A buyer is sent there: https only, but for a stand-in on this machine in test mode.
        let local_test = env == Environment::Testnet && url.starts_with("http://");
        if !(url.starts_with("https://") || local_test) || url.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(format!("a payment page that is not an https address: `{url}`"));
        }
        order.checkout_url = Some(url.clone());
    }
    if let Some(required) = st.confirmations_required {
        order.confirmations_required = required;
    }
    // A provider's "confirming" must never read as complete here.
    order.confirmations_required = order.confirmations_required.max(1);
    let Some(coin) = order.payment_method.coin() else {
        return if order.checkout_url.is_some() { Ok(()) } else { Err("no payment page for a card order".into()) };
    };
    match (&st.payment_address, st.crypto_amount) {
        (Some(address), Some(amount)) if amount > Decimal::ZERO => {
            validate_address(coin.network, env, address)
                .map_err(|e| format!("an invalid {} address `{address}`: {e}", coin.describe()))?;
            order.network = Some(coin.network);
            // The provider's own conversion: Tollgate's rate no longer describes the amount.
            if order.crypto_amount != Some(amount) {
                order.exchange_rate = None;
            }
            order.crypto_amount = Some(amount);
            order.payment_address = Some(address.clone());
            order.payment_uri = match payment_uri(coin, env, address, amount) {
                Ok(uri) => Some(uri),
                // Tollgate cannot build one: the provider's, only if it is a wallet link that
                // pays this address.
                Err(_) => match &st.payment_uri {
                    Some(uri) if provider_uri_pays(uri, coin, address) => Some(uri.clone()),
                    Some(uri) => {
                        return Err(format!("a payment URI that is not a wallet link to the address: `{uri}`"));
                    }
                    None => None,
                },
            };
            Ok(())
        }
        // Hosted: the buyer picks and pays on the provider's page.
        _ if order.checkout_url.is_some() => {
            order.crypto_amount = None;
            order.exchange_rate = None;
            Ok(())
        }
        _ => Err("neither an address and amount nor a payment page".into()),
    }
}

/// Whether a provider's payment URI is a wallet link that pays `address` in `coin`.
fn provider_uri_pays(uri: &str, coin: shared::Coin, address: &str) -> bool {
    is_wallet_link(uri) && parse_payment_uri(uri, coin).is_ok_and(|p| p.address == address)
}

/// A provider's RFC 3339 time, if it gave one.
fn rfc3339(t: Option<&str>) -> Result<Option<chrono::DateTime<chrono::Utc>>, String> {
    t.map(|t| chrono::DateTime::parse_from_rfc3339(t).map(|t| t.to_utc()).map_err(|e| format!("time `{t}`: {e}")))
        .transpose()
}

/// Whether `body` parses as JSON at all (to tell malformed answers from unexpected shapes).
fn parse_json<T: serde::de::DeserializeOwned>(body: &str) -> Result<T, String> {
    serde_json::from_str(body).map_err(|e| format!("unreadable JSON: {e}"))
}

#[cfg(test)]
pub(crate) mod test_support {
    use shared::upstream::Provider;
    use shared::{Environment, Order};

    use super::{Opening, Settings};

    pub fn settings(provider: Provider) -> Settings {
        Settings {
            provider,
            base_url: "https://up.example".into(),
            api_key: "key_live_123".into(),
            webhook_secret: Some("whsec".into()),
            store_id: Some("123e4567-e89b-12d3-a456-426614174000".into()),
            merchant: Some("My Shop".into()),
            refresh_seconds: 5,
            timeout_ms: 8000,
            environment: Environment::Testnet,
        }
    }

    pub fn opening() -> Opening {
        Opening {
            product_ref: "prod_xyz789".into(),
            callback_url: "https://tollgate.example/v1/webhooks/x?order=ord_1".into(),
            token: "tok_abc".into(),
        }
    }

    /// A pending BTC order for the Premium License, 29.99 USD.
    pub fn order(method: &str) -> Order {
        let mut o: Order = serde_json::from_value(serde_json::json!({
            "id": "ord_0123456789abcdef0123456789abcdef",
            "invoice_id": "INV-1", "order_number": "ORD-1",
            "product_id": "prod_xyz789", "product_name": "Premium License",
            "buyer_email": "buyer@example.com", "quantity": 1,
            "total_amount": "29.99", "currency": "USD", "status": "pending",
            "payment_method": method, "crypto_amount": "0.00045125",
            "created_at": "2025-12-29T10:30:00Z", "expires_at": "2025-12-29T11:00:00Z",
            "confirmations_required": 2
        }))
        .unwrap();
        if o.payment_method.coin().is_none() {
            o.crypto_amount = None;
        }
        o
    }

    pub fn header<'a>(h: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| h.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::test_support::order;
    use super::*;
    use shared::upstream::MappedStatus;

    const TB1: &str = "tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx";

    #[test]
    fn answers_are_interpreted() {
        let p = Provider::Sellix;
        assert_eq!(interpret(p, 200, None, "{}".into()).unwrap(), "{}");
        let f = interpret(p, 429, Some("7"), String::new()).unwrap_err();
        assert_eq!((f.status, f.code.as_str(), f.retry_after), (503, "upstream_unavailable", 7));
        let f = interpret(p, 502, None, String::new()).unwrap_err();
        assert_eq!((f.status, f.retry_after), (503, 10));
        let f = interpret(p, 401, None, String::new()).unwrap_err();
        assert_eq!((f.status, f.code.as_str()), (502, "upstream_error"));
        assert!(f.message.contains("UPSTREAM_API_KEY") && !f.message.contains("key_live"));
    }

    #[test]
    fn debug_output_has_no_secrets() {
        let shown = format!("{:?}", super::test_support::settings(Provider::Sellix));
        assert!(!shown.contains("key_live_123") && !shown.contains("whsec"), "{shown}");
        assert!(shown.contains("https://up.example"));
    }

    #[test]
    fn hmac_signatures() {
        // HMAC-SHA512("key", "The quick brown fox jumps over the lazy dog"), RFC 4231-style
        // vector published on Wikipedia's HMAC page.
        let sig = "b42af09057bac1e2d41708e48a902e09b5ff7f12ab428a4fe86653c73dd248fb82f948a549f7b791a5b41915ee4d1ec3935357e4e2317250d0372afa2ebeeb3a";
        let body = b"The quick brown fox jumps over the lazy dog";
        assert_eq!(verify_hmac_sha512("key", body, Some(sig)), Ok(()));
        assert_eq!(verify_hmac_sha512("key", body, Some(&sig.to_uppercase())), Ok(()));
        assert!(matches!(
            verify_hmac_sha512("key", b"The quick brown fox", Some(sig)),
            Err(WebhookRefusal::Unauthorized(_))
        ));
        assert!(matches!(verify_hmac_sha512("other", body, Some(sig)), Err(WebhookRefusal::Unauthorized(_))));
        assert!(matches!(verify_hmac_sha512("key", body, None), Err(WebhookRefusal::Unauthorized(_))));
    }

    #[test]
    fn adopting_checks_the_address_and_builds_the_uri() {
        let mut o = order("crypto_btc");
        let mut st = UpstreamState::new("up_1", MappedStatus::of(shared::OrderStatus::Pending));
        st.payment_address = Some(TB1.into());
        st.crypto_amount = Some(Decimal::from_str_exact("0.00045200").unwrap());
        st.confirmations_required = Some(3);
        adopt(&mut o, &st, Environment::Testnet).unwrap();
        assert_eq!(o.payment_uri.as_deref(), Some(&*format!("bitcoin:{TB1}?amount=0.000452")));
        assert_eq!((o.confirmations_required, o.crypto_amount.unwrap().to_string().as_str()), (3, "0.00045200"));
        // A mainnet address in test mode, or garbage, never reaches a buyer.
        let mut bad = st.clone();
        bad.payment_address = Some("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4".into());
        assert!(adopt(&mut order("crypto_btc"), &bad, Environment::Testnet).unwrap_err().contains("invalid BTC"));
        bad.payment_address = None;
        assert!(adopt(&mut order("crypto_btc"), &bad, Environment::Testnet).is_err());
    }

    #[test]
    fn adopting_a_hosted_page() {
        let mut o = order("crypto_eth");
        let mut st = UpstreamState::new("1", MappedStatus::of(shared::OrderStatus::Pending));
        st.checkout_url = Some("https://pay.example/invoice/1".into());
        adopt(&mut o, &st, Environment::Mainnet).unwrap();
        assert_eq!((o.crypto_amount, o.payment_address.as_deref()), (None, None));
        assert_eq!(o.confirmations_required, 2);
        st.checkout_url = Some("javascript:alert(1)".into());
        assert!(adopt(&mut order("stripe"), &st, Environment::Mainnet).is_err());
        // Plain http is for a stand-in in test mode only.
        st.checkout_url = Some("http://pay.example/invoice/1".into());
        assert!(adopt(&mut order("stripe"), &st, Environment::Mainnet).unwrap_err().contains("https"));
        assert!(adopt(&mut order("stripe"), &st, Environment::Testnet).is_ok());
    }

    #[test]
    fn adopting_refuses_a_provider_uri_that_is_not_a_wallet_link() {
        // USDT on Sepolia has no official contract, so Tollgate builds no URI and would fall
        // back on the provider's.
        let mut st = UpstreamState::new("up_1", MappedStatus::of(shared::OrderStatus::Pending));
        st.payment_address = Some("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed".into());
        st.crypto_amount = Some(Decimal::from_str_exact("29.99").unwrap());
        st.payment_uri = Some("javascript:alert(document.cookie)".into());
        let e = adopt(&mut order("flexpay_USDT_ERC20"), &st, Environment::Testnet).unwrap_err();
        assert!(e.contains("not a wallet link"), "{e}");
        // Nor a wallet link that pays someone else.
        st.payment_uri = Some("ethereum:0x0000000000000000000000000000000000000001@11155111?value=1".into());
        assert!(adopt(&mut order("flexpay_USDT_ERC20"), &st, Environment::Testnet).is_err());
        st.payment_uri = None;
        let mut o = order("flexpay_USDT_ERC20");
        adopt(&mut o, &st, Environment::Testnet).unwrap();
        assert_eq!(o.payment_uri, None);
    }
}
