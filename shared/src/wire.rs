//! Types that travel between the widget and the worker, and the error body.
//!
//! Requests are read from a `serde_json::Value` field by field, so one bad request reports
//! every field at fault at once, and wrong types become field errors rather than a generic
//! parse failure. Amounts go out as strings with their exact digits.
//!
//! Longer than 400 lines: every API body in one place, so the widget and the worker agree on one
//! list; tests are the last 110 lines.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::chain::{Asset, Network};
use crate::method::{MethodGroup, PaymentMethod};
use crate::money::Fiat;
use crate::pricing::{Breakdown, CryptoQuote};

/// Reads JSON text into `T` through a `Value`. The worker reads all its JSON this way (its
/// objects' calls and records, the providers' answers, as the API's bodies already are), so
/// each type's derived reader is compiled once, for `Value`, not once more for text: 40 KB of
/// the worker's wasm. The cost is one more tree per read, microseconds for these documents.
pub fn read<T: serde::de::DeserializeOwned>(text: &str) -> serde_json::Result<T> {
    serde_json::from_value(serde_json::from_str::<Value>(text)?)
}

/// `{"error":{"code":"…","message":"…","invalid_fields":["…"]}}`
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorDetail {
    pub code: String,
    pub message: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub invalid_fields: Vec<String>,
}

impl ErrorBody {
    pub fn new(code: &str, message: impl Into<String>) -> ErrorBody {
        ErrorBody { error: ErrorDetail { code: code.to_owned(), message: message.into(), invalid_fields: vec![] } }
    }

    pub fn with_fields(mut self, fields: Vec<String>) -> ErrorBody {
        self.error.invalid_fields = fields;
        self
    }
}

/// Field errors found while reading a request: each field and why.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FieldErrors(pub Vec<(String, String)>);

impl FieldErrors {
    pub fn push(&mut self, field: &str, why: impl Into<String>) {
        self.0.push((field.to_owned(), why.into()));
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn fields(&self) -> Vec<String> {
        self.0.iter().map(|(f, _)| f.clone()).collect()
    }

    /// One sentence naming every problem.
    pub fn message(&self) -> String {
        self.0.iter().map(|(f, why)| format!("{f}: {why}")).collect::<Vec<_>>().join("; ")
    }

    pub fn into_body(self) -> ErrorBody {
        ErrorBody::new("validation_failed", self.message()).with_fields(self.fields())
    }
}

/// Reads fields out of a JSON object, collecting errors.
struct Reader<'a> {
    obj: &'a Map<String, Value>,
    errors: FieldErrors,
}

impl<'a> Reader<'a> {
    fn string(&mut self, field: &str, required: bool, max_len: usize) -> Option<String> {
        match self.obj.get(field) {
            None | Some(Value::Null) => {
                if required {
                    self.errors.push(field, "is required");
                }
                None
            }
            Some(Value::String(s)) => {
                let s = s.trim();
                if s.is_empty() {
                    if required {
                        self.errors.push(field, "must not be empty");
                    }
                    None
                } else if s.chars().count() > max_len {
                    self.errors.push(field, format!("must be at most {max_len} characters"));
                    None
                } else {
                    Some(s.to_owned())
                }
            }
            Some(_) => {
                self.errors.push(field, "must be a string");
                None
            }
        }
    }

    fn quantity(&mut self) -> u32 {
        match self.obj.get("quantity") {
            None | Some(Value::Null) => 1,
            Some(Value::Number(n)) => match n.as_u64() {
                Some(q) if (1..=u64::from(MAX_QUANTITY)).contains(&q) => q as u32,
                _ => {
                    self.errors.push("quantity", format!("must be a whole number from 1 to {MAX_QUANTITY}"));
                    1
                }
            },
            Some(_) => {
                self.errors.push("quantity", "must be a whole number");
                1
            }
        }
    }
}

/// The largest quantity any request may name, whatever the product allows.
pub const MAX_QUANTITY: u32 = 10_000;

/// The body of `POST /v1/quote`: an order without the buyer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuoteRequest {
    pub product_id: String,
    pub payment_method: PaymentMethod,
    pub quantity: u32,
    pub variant_id: Option<String>,
    pub coupon_code: Option<String>,
}

/// The body of `POST /v1/orders` (SellGate's create-order fields). `customer_*` fields are
/// not read from the body: the server takes them from the connection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateOrderRequest {
    pub buyer_email: String,
    #[serde(flatten)]
    pub quote: QuoteRequest,
}

fn object(v: &Value) -> Result<&Map<String, Value>, FieldErrors> {
    v.as_object().ok_or_else(|| {
        let mut e = FieldErrors::default();
        e.push("body", "must be a JSON object");
        e
    })
}

fn read_quote(r: &mut Reader<'_>) -> Option<QuoteRequest> {
    let product_id = r.string("product_id", true, 64);
    let method = r.string("payment_method", true, 64).and_then(|m| match m.parse::<PaymentMethod>() {
        Ok(m) => Some(m),
        Err(e) => {
            r.errors.push("payment_method", e.to_string());
            None
        }
    });
    let quantity = r.quantity();
    let variant_id = r.string("variant_id", false, 64);
    let coupon_code = r.string("coupon_code", false, 64);
    Some(QuoteRequest { product_id: product_id?, payment_method: method?, quantity, variant_id, coupon_code })
}

impl QuoteRequest {
    pub fn from_json(v: &Value) -> Result<QuoteRequest, FieldErrors> {
        let mut r = Reader { obj: object(v)?, errors: FieldErrors::default() };
        let q = read_quote(&mut r);
        match q {
            Some(q) if r.errors.is_empty() => Ok(q),
            _ => Err(r.errors),
        }
    }
}

impl CreateOrderRequest {
    pub fn from_json(v: &Value) -> Result<CreateOrderRequest, FieldErrors> {
        let mut r = Reader { obj: object(v)?, errors: FieldErrors::default() };
        let quote = read_quote(&mut r);
        let email = r.string("buyer_email", true, 254).and_then(|e| {
            if is_valid_email(&e) {
                Some(e)
            } else {
                r.errors.push("buyer_email", "is not a valid email address");
                None
            }
        });
        match (quote, email) {
            (Some(quote), Some(buyer_email)) if r.errors.is_empty() => Ok(CreateOrderRequest { buyer_email, quote }),
            _ => Err(r.errors),
        }
    }
}

/// A practical email check: one `@`, a local part of printable characters, a dotted domain of
/// letters, digits and hyphens. Deliverability is the mail server's business, not ours.
pub fn is_valid_email(email: &str) -> bool {
    let Some((local, domain)) = email.rsplit_once('@') else {
        return false;
    };
    let local_ok = !local.is_empty()
        && local.len() <= 64
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && local.chars().all(|c| c.is_ascii_alphanumeric() || "!#$%&'*+-/=?^_`{|}~.".contains(c));
    let labels: Vec<&str> = domain.split('.').collect();
    let domain_ok = labels.len() >= 2
        && domain.len() <= 253
        && labels.iter().all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
        && labels.last().is_some_and(|tld| tld.len() >= 2 && tld.chars().all(|c| c.is_ascii_alphabetic()));
    local_ok && domain_ok
}

/// A payment method as the picker shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MethodView {
    pub id: PaymentMethod,
    pub group: MethodGroup,
    pub label: String,
    pub asset: Option<Asset>,
    pub network: Option<Network>,
    pub network_name: Option<String>,
}

impl From<PaymentMethod> for MethodView {
    fn from(m: PaymentMethod) -> MethodView {
        let coin = m.coin();
        MethodView {
            id: m,
            group: m.group(),
            label: m.label(),
            asset: coin.map(|c| c.asset),
            network: coin.map(|c| c.network),
            network_name: coin.map(|c| c.network_label()),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VariantView {
    pub id: String,
    pub name: String,
    pub price: Decimal,
}

/// `GET /v1/products/:id`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductView {
    pub id: String,
    pub name: String,
    pub description: String,
    pub price: Decimal,
    pub currency: Fiat,
    pub variants: Vec<VariantView>,
    pub min_quantity: u32,
    pub max_quantity: Option<u32>,
    pub payment_methods: Vec<MethodView>,
    pub in_stock: bool,
    pub sandbox: bool,
    /// The quote a checkout shows before the buyer changes anything (the first of
    /// `payment_methods`, the first variant, the least quantity, no coupon), sent with the
    /// product so that it needs no request of its own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_quote: Option<QuoteView>,
}

/// The crypto side of a quote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CryptoQuoteView {
    pub currency: Asset,
    pub network: Network,
    pub amount: Decimal,
    pub exchange_rate: Decimal,
}

impl From<CryptoQuote> for CryptoQuoteView {
    fn from(q: CryptoQuote) -> Self {
        CryptoQuoteView { currency: q.coin.asset, network: q.coin.network, amount: q.amount, exchange_rate: q.rate }
    }
}

/// `POST /v1/quote`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuoteView {
    pub product_id: String,
    pub variant_id: Option<String>,
    pub payment_method: PaymentMethod,
    pub breakdown: Breakdown,
    pub crypto: Option<CryptoQuoteView>,
}

/// `{"data": …}`
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Envelope<T> {
    pub data: T,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListMeta {
    pub total: u64,
    pub limit: u32,
    pub offset: u64,
}

/// `GET /v1/orders`: `{"data": [...], "meta": {total, limit, offset}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListResponse<T> {
    pub data: Vec<T>,
    pub meta: ListMeta,
}

/// `POST /v1/sandbox/orders/:id/pay`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SandboxPayment {
    pub amount: Decimal,
    #[serde(default)]
    pub confirmations: u32,
    #[serde(default)]
    pub txid: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn create_order_reads_the_documented_body() {
        let body = json!({
            "product_id": "prod_xyz789",
            "buyer_email": "customer@example.com",
            "payment_method": "crypto_btc",
            "quantity": 1,
            "customer_ip": "1.2.3.4",
            "total_amount": 0.01,
            "unknown": true
        });
        let r = CreateOrderRequest::from_json(&body).unwrap();
        assert_eq!(r.buyer_email, "customer@example.com");
        assert_eq!(r.quote.product_id, "prod_xyz789");
        assert_eq!(r.quote.payment_method.to_string(), "crypto_btc");
        assert_eq!(r.quote.quantity, 1);
        assert_eq!(r.quote.coupon_code, None);
    }

    #[test]
    fn every_bad_field_is_reported_at_once() {
        let body = json!({
            "product_id": 7,
            "buyer_email": "not-an-email",
            "payment_method": "crypto_doge",
            "quantity": -1,
            "variant_id": ["x"],
            "coupon_code": false
        });
        let e = CreateOrderRequest::from_json(&body).unwrap_err();
        assert_eq!(
            e.fields(),
            ["product_id", "payment_method", "quantity", "variant_id", "coupon_code", "buyer_email"]
        );
        let body = e.into_body();
        assert_eq!(body.error.code, "validation_failed");
        assert!(body.error.message.contains("unknown payment method `crypto_doge`"), "{}", body.error.message);
    }

    #[test]
    fn missing_and_mistyped() {
        let e = CreateOrderRequest::from_json(&json!({})).unwrap_err();
        assert_eq!(e.fields(), ["product_id", "payment_method", "buyer_email"]);
        let e = CreateOrderRequest::from_json(&json!([1, 2])).unwrap_err();
        assert_eq!(e.fields(), ["body"]);
        let e = QuoteRequest::from_json(&json!({"product_id": "p", "payment_method": "stripe", "quantity": 1.5}))
            .unwrap_err();
        assert_eq!(e.fields(), ["quantity"]);
        let e = QuoteRequest::from_json(&json!({"product_id": "p", "payment_method": "stripe", "quantity": "2"}))
            .unwrap_err();
        assert_eq!(e.fields(), ["quantity"]);
        let e = QuoteRequest::from_json(&json!({"product_id": "  ", "payment_method": "stripe"})).unwrap_err();
        assert_eq!(e.fields(), ["product_id"]);
        let long = "x".repeat(65);
        let e = QuoteRequest::from_json(&json!({"product_id": long, "payment_method": "stripe"})).unwrap_err();
        assert_eq!(e.fields(), ["product_id"]);
        let q = QuoteRequest::from_json(
            &json!({"product_id": "p", "payment_method": "paypal", "variant_id": null, "coupon_code": " SAVE10 "}),
        )
        .unwrap();
        assert_eq!(q.coupon_code.as_deref(), Some("SAVE10"));
    }

    #[test]
    fn emails() {
        for ok in ["a@b.co", "customer@example.com", "first.last+tag@sub.example.org", "x_y@exa-mple.io"] {
            assert!(is_valid_email(ok), "{ok}");
        }
        for bad in
            ["", "a", "a@", "@b.co", "a@b", "a@b.c", "a b@c.de", "a@b..co", ".a@b.co", "a@-b.co", "a@b.c0", "a@@b.co"]
        {
            assert!(!is_valid_email(bad), "{bad}");
        }
    }

    #[test]
    fn error_body_shape() {
        let b = ErrorBody::new("not_found", "no such order");
        assert_eq!(
            serde_json::to_value(&b).unwrap(),
            json!({"error": {"code": "not_found", "message": "no such order"}})
        );
        let b = b.with_fields(vec!["quantity".into()]);
        assert_eq!(serde_json::to_value(&b).unwrap()["error"]["invalid_fields"], json!(["quantity"]));
    }

    #[test]
    fn amounts_accept_numbers_and_strings_exactly() {
        let p: SandboxPayment = serde_json::from_str(r#"{"amount": "0.000451250000000001"}"#).unwrap();
        assert_eq!(p.amount.to_string(), "0.000451250000000001");
        let p: SandboxPayment =
            serde_json::from_str(r#"{"amount": 0.000451250000000001, "confirmations": 2}"#).unwrap();
        assert_eq!(p.amount.to_string(), "0.000451250000000001");
        assert_eq!(p.confirmations, 2);
        assert!(serde_json::from_str::<SandboxPayment>(r#"{"amount": "abc"}"#).is_err());
    }

    #[test]
    fn method_view() {
        let v = MethodView::from("flexpay_USDT_TRC20".parse::<PaymentMethod>().unwrap());
        let j = serde_json::to_value(&v).unwrap();
        assert_eq!(j["id"], "flexpay_USDT_TRC20");
        assert_eq!(j["group"], "usdt");
        assert_eq!(j["network"], "tron");
        assert_eq!(j["network_name"], "TRON (TRC20)");
        assert_eq!(j["asset"], "USDT");
    }
}
