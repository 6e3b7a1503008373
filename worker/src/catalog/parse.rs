//! `catalog.toml` read and checked: every problem is named with where it is, all at once. The
//! worker reads it as JSON (`parse_json`, made by `build.rs`); tests and the fuzzer read TOML
//! texts (`parse`); both are one shape and one check.
//!
//! Longer than 400 lines: one validator for one file format, reporting every problem at once; tests
//! are the last 80 lines.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::str::FromStr;

use rust_decimal::Decimal;
use serde::Deserialize;
use shared::chain::{Asset, Network};
use shared::pricing::{Adjustment, Coupon, MethodFee, PriceList, Tax, VolumeDiscount};
use shared::{Fiat, PaymentMethod};

use super::{Catalog, CouponDef, DEFAULT_MAX_QUANTITY, Delivery, Product, Variant};

// ---- The file's shape ----

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCatalog {
    store: RawStore,
    sandbox: RawSandbox,
    confirmations: BTreeMap<String, u32>,
    #[serde(default)]
    products: Vec<RawProduct>,
    #[serde(default)]
    coupons: Vec<RawCoupon>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStore {
    invoice_minutes: u32,
    methods: Vec<String>,
    #[serde(default)]
    fees: BTreeMap<String, RawFee>,
    #[serde(default)]
    tax: Option<RawTax>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTax {
    /// Percent, as a decimal string.
    rate: String,
    /// Whether the listed prices already include it.
    inclusive: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFee {
    #[serde(default)]
    percent: Option<String>,
    #[serde(default)]
    fixed: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSandbox {
    rates: BTreeMap<String, BTreeMap<String, String>>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum RawMethods {
    All(String),
    List(Vec<String>),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawProduct {
    id: String,
    name: String,
    #[serde(default)]
    description: String,
    price: String,
    currency: String,
    #[serde(default)]
    min_quantity: Option<u32>,
    #[serde(default)]
    max_quantity: Option<u32>,
    methods: RawMethods,
    delivery: RawDelivery,
    #[serde(default)]
    variants: Vec<RawVariant>,
    #[serde(default)]
    volume_discounts: Vec<RawVolume>,
    #[serde(default)]
    upstream_id: Option<String>,
    /// Archived: no longer sold; its orders keep it.
    #[serde(default)]
    archived: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDelivery {
    #[serde(default)]
    text: Option<String>,
    #[serde(default)]
    stock: Option<Vec<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawVariant {
    id: String,
    name: String,
    #[serde(default)]
    price: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawVolume {
    min_quantity: u32,
    #[serde(default)]
    percent: Option<String>,
    #[serde(default)]
    fixed: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCoupon {
    id: String,
    code: String,
    #[serde(default)]
    percent: Option<String>,
    #[serde(default)]
    fixed: Option<String>,
    #[serde(default)]
    products: Vec<String>,
    #[serde(default)]
    max_uses: Option<u32>,
    #[serde(default = "yes")]
    enabled: bool,
    /// When it stops applying, RFC 3339.
    #[serde(default)]
    expires_at: Option<String>,
    #[serde(default)]
    archived: bool,
}

fn yes() -> bool {
    true
}

/// Ids a seller gives products and coupons: they appear in URLs and CSV cells.
pub fn is_id(id: &str) -> bool {
    (1..=64).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

// ---- Validation ----

/// A problem and where it is: a path into the catalog such as `products[prod_x].price`.
pub type Problem = (String, String);

/// Problems as the messages a seller reads: `path: what`.
pub fn messages(problems: Vec<Problem>) -> Vec<String> {
    problems.into_iter().map(|(at, what)| format!("{at}: {what}")).collect()
}

/// Collects every problem, each naming where it is.
#[derive(Default)]
struct Problems(Vec<Problem>);

impl Problems {
    fn add(&mut self, at: &str, what: impl std::fmt::Display) {
        self.0.push((at.to_owned(), what.to_string()));
    }

    fn decimal(&mut self, at: &str, s: &str) -> Option<Decimal> {
        match Decimal::from_str_exact(s) {
            Ok(d) => Some(d),
            Err(_) => {
                self.add(at, format!("`{s}` is not a decimal number"));
                None
            }
        }
    }

    fn method(&mut self, at: &str, s: &str) -> Option<PaymentMethod> {
        s.parse().map_err(|e| self.add(at, e)).ok()
    }

    fn adjustment(&mut self, at: &str, percent: &Option<String>, fixed: &Option<String>) -> Option<Adjustment> {
        match (percent, fixed) {
            (Some(p), None) => self.decimal(at, p).map(Adjustment::Percent),
            (None, Some(f)) => self.decimal(at, f).map(Adjustment::Fixed),
            _ => {
                self.add(at, "needs exactly one of `percent` or `fixed`");
                None
            }
        }
    }
}

/// Parses and validates a catalog written in TOML. The error lists every problem found.
#[cfg(not(target_arch = "wasm32"))]
pub fn parse(source: &str) -> Result<Catalog, Vec<String>> {
    check(toml::from_str(source).map_err(|e| vec![format!("catalog.toml: {e}")])?).map_err(messages)
}

/// Parses and validates a catalog as `build.rs` turned it into JSON, or as the store keeps it.
/// Read through a `Value`, as `check_value` reads it: one reader of the catalog's shape in the
/// wasm, not a second one for text (20 KB).
pub fn parse_json(source: &str) -> Result<Catalog, Vec<String>> {
    let doc = serde_json::from_str(source).map_err(|e| vec![format!("catalog: {e}")])?;
    check_value(doc).map_err(messages)
}

/// Validates a catalog document (the JSON shape of `catalog.toml`, as the store keeps it), or
/// names every problem with its path.
pub fn check_value(doc: serde_json::Value) -> Result<Catalog, Vec<Problem>> {
    check(serde_json::from_value(doc).map_err(|e| vec![("catalog".to_owned(), e.to_string())])?)
}

/// Validates a catalog's shape into the typed catalog, or names every problem.
fn check(raw: RawCatalog) -> Result<Catalog, Vec<Problem>> {
    let mut p = Problems::default();

    let mut store_methods = Vec::new();
    for m in &raw.store.methods {
        if let Some(m) = p.method("store.methods", m) {
            if store_methods.contains(&m) {
                p.add("store.methods", format!("`{m}` is listed twice"));
            }
            store_methods.push(m);
        }
    }
    if raw.store.invoice_minutes == 0 {
        p.add("store.invoice_minutes", "must be at least 1");
    }

    let mut fees = HashMap::new();
    for (name, fee) in &raw.store.fees {
        let at = format!("store.fees.{name}");
        let method = p.method(&at, name);
        let percent = fee.percent.as_deref().map_or(Some(Decimal::ZERO), |s| p.decimal(&at, s));
        let fixed = fee.fixed.as_deref().map_or(Some(Decimal::ZERO), |s| p.decimal(&at, s));
        if let (Some(m), Some(percent), Some(fixed)) = (method, percent, fixed) {
            fees.insert(m, MethodFee { percent, fixed });
        }
    }

    let tax = raw.store.tax.as_ref().and_then(|t| {
        let rate = p.decimal("store.tax.rate", &t.rate)?;
        if rate <= Decimal::ZERO || rate >= Decimal::ONE_HUNDRED {
            p.add("store.tax.rate", "must be a percentage above 0 and below 100");
            return None;
        }
        Some(Tax { rate, inclusive: t.inclusive })
    });

    let mut rates = HashMap::new();
    for (currency, table) in &raw.sandbox.rates {
        let at = format!("sandbox.rates.{currency}");
        let Ok(fiat) = Fiat::from_str(currency) else {
            p.add(&at, format!("unknown currency `{currency}`"));
            continue;
        };
        for (ticker, rate) in table {
            let asset = serde_json::from_value::<Asset>(serde_json::Value::String(ticker.clone()));
            match (asset, p.decimal(&format!("{at}.{ticker}"), rate)) {
                (Ok(asset), Some(r)) if r > Decimal::ZERO => {
                    rates.insert((fiat, asset), r);
                }
                (Err(_), _) => p.add(&at, format!("unknown asset `{ticker}`")),
                (_, Some(_)) => p.add(&format!("{at}.{ticker}"), "must be positive"),
                _ => {}
            }
        }
    }

    let mut confirmations = HashMap::new();
    for (name, n) in &raw.confirmations {
        match serde_json::from_value::<Network>(serde_json::Value::String(name.clone())) {
            Ok(net) => {
                confirmations.insert(net, *n);
            }
            Err(_) => p.add("confirmations", format!("unknown network `{name}`")),
        }
    }

    let mut products = Vec::new();
    let mut ids = HashSet::new();
    let mut all_keys = HashSet::new();
    for raw_product in &raw.products {
        let at = format!("products[{}]", raw_product.id);
        if !ids.insert(raw_product.id.clone()) {
            p.add(&at, "is defined twice");
        }
        if let Some(product) = product(&mut p, &at, raw_product, &store_methods, &mut all_keys) {
            for m in &product.methods {
                if let Some(coin) = m.coin() {
                    let stable_usd = coin.asset.is_usd_stablecoin() && product.prices.currency == Fiat::Usd;
                    if !stable_usd && !rates.contains_key(&(product.prices.currency, coin.asset)) {
                        p.add(&at, format!("no sandbox rate for {}/{}", coin.asset.ticker(), product.prices.currency));
                    }
                    if !confirmations.contains_key(&coin.network) {
                        p.add(&at, format!("no confirmations count for network {:?}", coin.network));
                    }
                }
            }
            products.push(product);
        }
    }

    let mut coupons: Vec<CouponDef> = Vec::new();
    for c in &raw.coupons {
        let at = format!("coupons[{}]", c.id);
        if coupons.iter().any(|d| d.coupon.code.eq_ignore_ascii_case(&c.code)) {
            p.add(&format!("{at}.code"), format!("`{}` is used by another coupon", c.code));
        }
        if coupons.iter().any(|d| d.coupon.id == c.id) {
            p.add(&format!("{at}.id"), "is defined twice");
        }
        for pid in &c.products {
            if !ids.contains(pid) {
                p.add(&format!("{at}.products"), format!("names unknown product `{pid}`"));
            }
        }
        if !is_id(&c.id) {
            p.add(&format!("{at}.id"), "must be 1 to 64 letters, digits, `_` or `-`");
        }
        if !is_id(&c.code) {
            p.add(&format!("{at}.code"), "must be 1 to 64 letters, digits, `_` or `-`");
        }
        let expires_at = c.expires_at.as_deref().and_then(|t| {
            chrono::DateTime::parse_from_rfc3339(t)
                .map(|t| t.with_timezone(&chrono::Utc))
                .map_err(|_| p.add(&format!("{at}.expires_at"), format!("`{t}` is not an RFC 3339 time")))
                .ok()
        });
        if c.max_uses == Some(0) {
            p.add(&format!("{at}.max_uses"), "must be at least 1 (archive the coupon to stop it)");
        }
        if let Some(discount) = p.adjustment(&at, &c.percent, &c.fixed) {
            match discount {
                Adjustment::Percent(d) if d <= Decimal::ZERO || d > Decimal::ONE_HUNDRED => {
                    p.add(&format!("{at}.percent"), "must be above 0 and at most 100")
                }
                Adjustment::Fixed(d) if d <= Decimal::ZERO => p.add(&format!("{at}.fixed"), "must be above 0"),
                _ => {}
            }
            coupons.push(CouponDef {
                coupon: Coupon {
                    id: c.id.clone(),
                    code: c.code.clone(),
                    discount,
                    enabled: c.enabled,
                    product_ids: c.products.clone(),
                    uses_left: c.max_uses,
                },
                max_uses: c.max_uses,
                expires_at,
                archived: c.archived,
            });
        }
    }

    if !p.0.is_empty() {
        return Err(p.0);
    }
    Ok(Catalog {
        invoice_minutes: raw.store.invoice_minutes,
        tax,
        store_methods,
        fees,
        rates,
        confirmations,
        products,
        coupons,
    })
}

fn product(
    p: &mut Problems,
    at: &str,
    raw: &RawProduct,
    store_methods: &[PaymentMethod],
    all_keys: &mut HashSet<String>,
) -> Option<Product> {
    let field = |name: &str| format!("{at}.{name}");
    if raw.name.trim().is_empty() {
        p.add(&field("name"), "is empty");
    }
    if !is_id(&raw.id) {
        p.add(&field("id"), "must be 1 to 64 letters, digits, `_` or `-`");
    }
    let currency = Fiat::from_str(&raw.currency).map_err(|e| p.add(&field("currency"), e)).ok();
    let price = p.decimal(&field("price"), &raw.price);
    if let (Some(c), Some(pr)) = (currency, price)
        && (pr < Decimal::ZERO || !c.is_exact(pr))
    {
        p.add(&field("price"), format!("price {pr} is not a whole number of {c} minor units"));
    }
    let mut methods = Vec::new();
    match &raw.methods {
        RawMethods::All(s) if s == "all" => methods = store_methods.to_vec(),
        RawMethods::All(s) => p.add(&field("methods"), format!("must be \"all\" or a list, not `{s}`")),
        RawMethods::List(list) => {
            for s in list {
                if let Some(m) = p.method(&field("methods"), s) {
                    if store_methods.contains(&m) {
                        methods.push(m);
                    } else {
                        p.add(&field("methods"), format!("method `{m}` is not enabled for the store"));
                    }
                }
            }
        }
    }
    if methods.is_empty() {
        p.add(&field("methods"), "offers no payment method");
    }

    let mut variants = Vec::new();
    for v in &raw.variants {
        let vat = format!("{at}.variants[{}]", v.id);
        if variants.iter().any(|x: &Variant| x.id == v.id) {
            p.add(&vat, "is defined twice");
        }
        match v.price.as_deref() {
            None => p.add(&vat, "has no price"),
            Some(s) => {
                if let Some(price) = p.decimal(&vat, s) {
                    if currency.is_some_and(|c| !c.is_exact(price)) || price < Decimal::ZERO {
                        p.add(&vat, format!("price {price} is not a whole number of minor units"));
                    }
                    variants.push(Variant { id: v.id.clone(), name: v.name.clone(), price });
                }
            }
        }
    }

    let mut volume_discounts = Vec::new();
    for v in &raw.volume_discounts {
        if let Some(discount) =
            p.adjustment(&format!("{at}.volume_discounts[{}]", v.min_quantity), &v.percent, &v.fixed)
        {
            volume_discounts.push(VolumeDiscount { min_quantity: v.min_quantity, discount });
        }
    }

    let min_quantity = raw.min_quantity.unwrap_or(1).max(1);
    if let Some(max) = raw.max_quantity
        && max < min_quantity
    {
        p.add(&field("max_quantity"), format!("{max} is below min_quantity {min_quantity}"));
    }

    let delivery = match (&raw.delivery.text, &raw.delivery.stock) {
        (Some(t), None) if !t.trim().is_empty() => Some(Delivery::Text(t.clone())),
        (None, Some(keys)) => {
            for k in keys {
                if k.trim().is_empty() || !all_keys.insert(k.clone()) {
                    p.add(&field("delivery.stock"), format!("stock item `{k}` is empty or listed twice"));
                }
            }
            Some(Delivery::Stock(keys.clone()))
        }
        _ => {
            p.add(&field("delivery"), "needs exactly one of `text` or `stock`");
            None
        }
    };

    Some(Product {
        id: raw.id.clone(),
        name: raw.name.clone(),
        description: raw.description.clone(),
        prices: PriceList {
            price: price?,
            currency: currency?,
            min_quantity,
            max_quantity: Some(raw.max_quantity.unwrap_or(DEFAULT_MAX_QUANTITY.max(min_quantity))),
            volume_discounts,
        },
        variants,
        methods,
        delivery: delivery?,
        upstream_id: raw.upstream_id.clone(),
        archived: raw.archived,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::SOURCE;

    #[test]
    fn the_shipped_catalog_is_valid() {
        let c = parse(SOURCE).unwrap_or_else(|e| panic!("{e:#?}"));
        let premium = c.product("prod_xyz789").unwrap();
        assert_eq!(premium.name, "Premium License");
        assert_eq!(premium.prices.price.to_string(), "29.99");
        assert_eq!(premium.prices.currency, Fiat::Usd);
        assert_eq!(premium.methods.len(), PaymentMethod::ALL_STRINGS.len(), "every documented method");
        assert!(matches!(&premium.delivery, Delivery::Stock(k) if k.len() >= 50));
        assert!(c.products.iter().any(|p| !p.variants.is_empty()));
        assert!(c.products.iter().any(|p| p.prices.max_quantity.is_some() && !p.prices.volume_discounts.is_empty()));
        assert_eq!(c.coupon("save10").unwrap().coupon.discount, Adjustment::Percent(Decimal::TEN));
        assert_eq!(c.invoice_minutes, 30);
    }

    #[test]
    fn the_worker_reads_the_catalog_as_written() {
        assert_eq!(parse_json(crate::catalog::SOURCE_JSON), parse(SOURCE));
    }

    #[test]
    fn tax_is_a_percentage() {
        let taxed = |rate: &str| {
            SOURCE.replace(
                "invoice_minutes = 30\n",
                &format!("invoice_minutes = 30\ntax = {{ rate = \"{rate}\", inclusive = false }}\n"),
            )
        };
        let c = parse(&taxed("20")).unwrap();
        assert_eq!(c.tax, Some(Tax { rate: Decimal::from(20), inclusive: false }));
        for bad in ["0", "100", "-5", "twenty"] {
            let e = parse(&taxed(bad)).unwrap_err();
            assert!(e.len() == 1 && e[0].starts_with("store.tax.rate"), "{bad}: {e:?}");
        }
        assert_eq!(parse(SOURCE).unwrap().tax, None);
    }

    fn with(patch: &str) -> Vec<String> {
        parse(&format!("{SOURCE}\n{patch}")).expect_err("must be refused")
    }

    fn base(methods: &str, delivery: &str, extra: &str) -> String {
        format!(
            "[[products]]\nid = \"prod_bad\"\nname = \"Bad\"\nprice = \"1.00\"\ncurrency = \"USD\"\nmethods = {methods}\ndelivery = {delivery}\n{extra}"
        )
    }

    #[test]
    fn unknown_method_is_named() {
        let e = with(&base("[\"crypto_doge\"]", "{ text = \"x\" }", ""));
        assert!(
            e.iter().any(|m| m.contains("products[prod_bad].methods") && m.contains("unknown payment method `crypto_doge`")),
            "{e:?}"
        );
    }

    #[test]
    fn variant_without_price_is_named() {
        let e = with(&base("\"all\"", "{ text = \"x\" }", "[[products.variants]]\nid = \"var_x\"\nname = \"X\"\n"));
        assert!(
            e.iter().any(|m| m.contains("products[prod_bad].variants[var_x]") && m.contains("has no price")),
            "{e:?}"
        );
    }

    #[test]
    fn other_problems_are_named() {
        let e = with(&base("\"all\"", "{ stock = [\"TG-DUP\", \"TG-DUP\"] }", "max_quantity = 0"));
        assert!(e.iter().any(|m| m.contains("TG-DUP")), "{e:?}");
        let e = with(&base("\"all\"", "{ text = \"x\", stock = [\"a\"] }", ""));
        assert!(e.iter().any(|m| m.contains("exactly one of `text` or `stock`")), "{e:?}");
        let e = with("[[coupons]]\nid = \"c\"\ncode = \"SAVE10\"\npercent = \"5\"\n");
        assert!(e.iter().any(|m| m.contains("coupons[c].code: `SAVE10` is used by another coupon")), "{e:?}");
        let e = with("[[coupons]]\nid = \"c\"\ncode = \"X\"\npercent = \"5\"\nproducts = [\"prod_nope\"]\n");
        assert!(e.iter().any(|m| m.contains("unknown product `prod_nope`")), "{e:?}");
        let e = with(&base("\"all\"", "{ text = \"x\" }", "").replace("\"1.00\"", "\"1.001\""));
        assert!(e.iter().any(|m| m.contains("not a whole number")), "{e:?}");
        let e = with(&base("\"all\"", "{ text = \"x\" }", "").replace("\"USD\"", "\"CHF\""));
        assert!(e.iter().any(|m| m.contains("no sandbox rate for BTC/CHF")), "{e:?}");
        let e = parse("[store]\nname = 1").unwrap_err();
        assert!(e[0].starts_with("catalog.toml:"), "{e:?}");
    }
}
