//! The API's answers as the widget uses them, read from the browser's own `JSON.parse`.
//!
//! The worker writes these bodies with `shared`'s serde types (`ProductView`, `QuoteView`,
//! `PublicOrder`, `ErrorBody`). The widget reads only the fields it shows, by name, without
//! serde_json, chrono or rust_decimal: that keeps the download small. Amounts arrive as exact
//! decimal strings and stay strings; times become milliseconds through `Date.parse`. The
//! component tests feed these readers JSON made by `shared`'s own types, so a renamed field
//! fails a test.

use js_sys::{JSON, Reflect};
use shared::{OrderStatus, PaymentMethod};
use wasm_bindgen::{JsCast, JsValue};

/// A parsed JSON value and typed reads of its fields; a missing or mistyped field reads as
/// absent.
pub struct Json(JsValue);

impl Json {
    pub fn parse(text: &str) -> Option<Json> {
        JSON::parse(text).ok().filter(|v| v.is_object()).map(Json)
    }

    pub fn get(&self, key: &str) -> Json {
        Json(Reflect::get(&self.0, &key.into()).unwrap_or(JsValue::UNDEFINED))
    }

    pub fn str(&self, key: &str) -> Option<String> {
        self.get(key).0.as_string()
    }

    /// A string field, or "" when absent.
    pub fn text(&self, key: &str) -> String {
        self.str(key).unwrap_or_default()
    }

    pub fn u32(&self, key: &str) -> Option<u32> {
        self.get(key).0.as_f64().filter(|n| n.fract() == 0.0 && (0.0..=u32::MAX as f64).contains(n)).map(|n| n as u32)
    }

    pub fn bool(&self, key: &str) -> bool {
        self.get(key).0.as_bool().unwrap_or(false)
    }

    /// A time field (RFC 3339) as milliseconds since the epoch.
    pub fn millis(&self, key: &str) -> Option<f64> {
        self.str(key).map(|s| js_sys::Date::parse(&s)).filter(|n| n.is_finite())
    }

    pub fn list(&self, key: &str) -> Vec<Json> {
        let v = self.get(key).0;
        if !js_sys::Array::is_array(&v) {
            return vec![];
        }
        js_sys::Array::from(&v).iter().map(Json).collect()
    }

    /// This value itself, when it is a string.
    pub fn as_string(&self) -> Option<String> {
        self.0.as_string()
    }

    pub fn is_present(&self) -> bool {
        self.0.is_object()
    }

    pub fn into_js(self) -> JsValue {
        self.0
    }
}

/// An object from `(field, value)` pairs; `None` values are written as `null`.
pub fn object(fields: &[(&str, Option<JsValue>)]) -> JsValue {
    let obj = js_sys::Object::new();
    for (k, v) in fields {
        let _ = Reflect::set(&obj, &(*k).into(), v.as_ref().unwrap_or(&JsValue::NULL));
    }
    obj.into()
}

/// A JSON request body from `(field, value)` pairs.
pub fn body(fields: &[(&str, Option<JsValue>)]) -> String {
    JSON::stringify(&object(fields)).ok().and_then(|s| s.as_string()).unwrap_or_default()
}

/// Whether a decimal string is zero ("0", "0.00", "-0").
pub fn is_zero(amount: &str) -> bool {
    amount.bytes().all(|b| matches!(b, b'0' | b'.' | b'-'))
}

/// A decimal string without trailing fractional zeros: "0.004000" → "0.004", "2.00" → "2".
pub fn trim_zeros(amount: &str) -> &str {
    if !amount.contains('.') {
        return amount;
    }
    amount.trim_end_matches('0').trim_end_matches('.')
}

#[derive(Debug, Clone, PartialEq)]
pub struct Variant {
    pub id: String,
    pub name: String,
    pub price: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Method {
    pub id: PaymentMethod,
    /// The method as the API spells it (`crypto_btc`), which is how it is sent back: the
    /// widget never formats a `PaymentMethod` (see `crate::format` on `format!`).
    pub name: String,
}

/// `GET /v1/products/{id}`.
#[derive(Debug, Clone, PartialEq)]
pub struct Product {
    pub id: String,
    pub name: String,
    pub description: String,
    pub currency: String,
    pub variants: Vec<Variant>,
    pub min_quantity: u32,
    pub max_quantity: Option<u32>,
    pub methods: Vec<Method>,
    pub in_stock: bool,
    pub sandbox: bool,
    /// The quote the product came with, and the quote request's body it answers (shared: a
    /// product is cloned wherever it is read).
    pub default_quote: Option<std::sync::Arc<(String, Quote)>>,
}

impl Product {
    pub fn read(j: &Json) -> Option<Product> {
        Some(Product {
            id: j.str("id")?,
            name: j.text("name"),
            description: j.text("description"),
            currency: j.text("currency"),
            variants: j
                .list("variants")
                .iter()
                .filter_map(|v| Some(Variant { id: v.str("id")?, name: v.text("name"), price: v.text("price") }))
                .collect(),
            min_quantity: j.u32("min_quantity").unwrap_or(1).max(1),
            max_quantity: j.u32("max_quantity"),
            methods: methods(j),
            in_stock: j.bool("in_stock"),
            sandbox: j.bool("sandbox"),
            default_quote: default_quote(j).map(std::sync::Arc::new),
        })
    }
}

/// The product's `default_quote`, with the body `Draft::body` writes for the same request (the
/// same fields in the same order): a draft whose body is this one needs no quote request.
fn default_quote(j: &Json) -> Option<(String, Quote)> {
    let q = j.get("default_quote");
    let quote = Quote::read(&q)?;
    let request = body(&[
        ("product_id", Some(q.str("product_id")?.into())),
        ("payment_method", Some(q.str("payment_method")?.into())),
        ("quantity", Some(j.u32("min_quantity").unwrap_or(1).max(1).into())),
        ("variant_id", q.str("variant_id").map(JsValue::from)),
        ("coupon_code", None),
    ]);
    Some((request, quote))
}

/// The product's methods, one per asset and network, in the seller's order. A method this
/// build does not know is left out rather than shown wrongly.
fn methods(j: &Json) -> Vec<Method> {
    let known: Vec<Method> = j
        .list("payment_methods")
        .iter()
        .filter_map(|m| {
            let name = m.str("id")?;
            Some(Method { id: name.parse().ok()?, name })
        })
        .collect();
    let ids: Vec<PaymentMethod> = known.iter().map(|m| m.id).collect();
    let chosen = shared::method::buyer_choices(&ids);
    known.into_iter().filter(|m| chosen.contains(&m.id)).collect()
}

/// `POST /v1/quote`: the breakdown in fiat, and what to send in crypto.
#[derive(Debug, Clone, PartialEq)]
pub struct Quote {
    pub currency: String,
    pub subtotal: String,
    pub volume_discount: String,
    pub coupon_discount: String,
    pub fee: String,
    /// Sales tax or VAT, and whether the prices include it.
    pub tax: String,
    pub tax_included: bool,
    pub total: String,
    /// Amount and ticker, for crypto methods.
    pub crypto: Option<(String, String)>,
}

impl Quote {
    pub fn read(j: &Json) -> Option<Quote> {
        let b = j.get("breakdown");
        let crypto = j.get("crypto");
        Some(Quote {
            currency: b.str("currency")?,
            subtotal: b.text("subtotal"),
            volume_discount: b.text("volume_discount"),
            coupon_discount: b.text("coupon_discount"),
            fee: b.text("fee"),
            tax: b.get("tax").text("amount"),
            tax_included: b.get("tax").bool("inclusive"),
            total: b.str("total")?,
            crypto: crypto.is_present().then(|| (crypto.text("amount"), crypto.text("currency"))),
        })
    }
}

/// `GET /v1/orders/{id}`: the buyer's view of an order.
#[derive(Debug, Clone, PartialEq)]
pub struct Order {
    pub id: String,
    pub order_number: String,
    pub product_name: String,
    pub variant_name: Option<String>,
    pub quantity: u32,
    /// The price's lines as the order was made (read like a quote's breakdown).
    pub breakdown: Option<Quote>,
    /// Fiat per unit of the crypto, as priced.
    pub exchange_rate: Option<String>,
    pub crypto_amount: Option<String>,
    /// Masked: `c***@example.com`.
    pub buyer_email: String,
    pub status: OrderStatus,
    pub payment_method: Option<PaymentMethod>,
    pub currency: String,
    pub crypto_currency: Option<String>,
    pub payment_address: Option<String>,
    /// For what is still owed (the worker rebuilds it after a part payment).
    pub payment_uri: Option<String>,
    pub amount_paid: String,
    pub amount_remaining: String,
    pub confirmations: u32,
    pub confirmations_required: u32,
    pub checkout_url: Option<String>,
    pub expires_at_ms: f64,
    pub server_time_ms: f64,
    pub delivered_content: Option<String>,
    pub client_secret: Option<String>,
    /// The API's body as received (see `to_js`).
    pub raw: String,
}

impl Order {
    pub fn read(j: &Json, raw: String) -> Option<Order> {
        Some(Order {
            id: j.str("id")?,
            order_number: j.text("order_number"),
            product_name: j.text("product_name"),
            variant_name: j.str("variant_name"),
            quantity: j.u32("quantity").unwrap_or(1),
            breakdown: Quote::read(j),
            exchange_rate: j.str("exchange_rate"),
            crypto_amount: j.str("crypto_amount"),
            buyer_email: j.text("buyer_email"),
            status: j.str("status")?.parse().ok()?,
            payment_method: j.str("payment_method").and_then(|m| m.parse().ok()),
            currency: j.text("currency"),
            crypto_currency: j.str("crypto_currency"),
            payment_address: j.str("payment_address"),
            payment_uri: j.str("payment_uri"),
            amount_paid: j.str("amount_paid").unwrap_or_else(|| "0".into()),
            amount_remaining: j.str("amount_remaining").unwrap_or_else(|| "0".into()),
            confirmations: j.u32("confirmations").unwrap_or(0),
            confirmations_required: j.u32("confirmations_required").unwrap_or(0),
            checkout_url: j.str("checkout_url"),
            expires_at_ms: j.millis("expires_at")?,
            server_time_ms: j.millis("server_time")?,
            delivered_content: j.str("delivered_content"),
            client_secret: j.str("client_secret"),
            raw,
        })
    }

    /// Reads an order from the `data` of an API body.
    pub fn from_body(text: &str) -> Option<Order> {
        Order::read(&Json::parse(text)?.get("data"), text.to_owned())
    }

    /// The order as the API sent it, for event details: a fresh copy each time, without the
    /// secret (events reach every script on the seller's page; only the widget may hold it).
    pub fn to_js(&self) -> JsValue {
        let data = Json::parse(&self.raw).map_or(JsValue::NULL, |body| body.get("data").0);
        let _ = Reflect::delete_property(data.unchecked_ref::<js_sys::Object>(), &"client_secret".into());
        data
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimal_strings() {
        assert!(is_zero("0") && is_zero("0.00000000") && is_zero("-0.00"));
        assert!(!is_zero("0.00000001") && !is_zero("10"));
        assert_eq!(trim_zeros("0.004000"), "0.004");
        assert_eq!(trim_zeros("2.00"), "2");
        assert_eq!(trim_zeros("100"), "100");
        assert_eq!(trim_zeros("0.00025125"), "0.00025125");
    }
}
