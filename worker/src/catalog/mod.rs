//! The store's catalog: `worker/catalog.toml`, compiled in (as JSON, by `build.rs`), read once
//! and validated into typed values. Every problem is reported with the entry it is in.

mod parse;

use std::collections::HashMap;

use rust_decimal::Decimal;
use shared::chain::{Asset, Network};
use shared::pricing::{Coupon, MethodFee, PriceList, Tax};
use shared::{Fiat, PaymentMethod};

#[cfg(not(target_arch = "wasm32"))]
pub use parse::parse;
pub use parse::parse_json;

/// What one order may buy of a product that names no `max_quantity`: one unauthenticated
/// order must not hold a whole stock list (and its coupon) while it waits for payment.
pub const DEFAULT_MAX_QUANTITY: u32 = 10;

/// The catalog this worker was built with, as the seller wrote it.
pub const SOURCE: &str = include_str!("../../catalog.toml");

/// The same, as `build.rs` turned it into JSON: what the worker reads.
pub const SOURCE_JSON: &str = include_str!(concat!(env!("OUT_DIR"), "/catalog.json"));

/// The built-in catalog, parsed once per isolate; its problems if it is invalid.
pub fn get() -> Result<&'static Catalog, &'static [String]> {
    static CATALOG: std::sync::OnceLock<Result<Catalog, Vec<String>>> = std::sync::OnceLock::new();
    match CATALOG.get_or_init(|| parse_json(SOURCE_JSON)) {
        Ok(c) => Ok(c),
        Err(problems) => Err(problems),
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Catalog {
    pub invoice_minutes: u32,
    /// Sales tax or VAT on every order, when the seller charges it.
    pub tax: Option<Tax>,
    pub store_methods: Vec<PaymentMethod>,
    pub fees: HashMap<PaymentMethod, MethodFee>,
    /// Sandbox rates: fiat price of one coin.
    pub rates: HashMap<(Fiat, Asset), Decimal>,
    pub confirmations: HashMap<Network, u32>,
    pub products: Vec<Product>,
    pub coupons: Vec<CouponDef>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Product {
    pub id: String,
    pub name: String,
    pub description: String,
    pub prices: PriceList,
    pub variants: Vec<Variant>,
    /// Enabled for both the store and the product, in the store's order.
    pub methods: Vec<PaymentMethod>,
    pub delivery: Delivery,
    /// The product's id at an upstream provider that prices orders itself (SellGate, SellSN);
    /// by default the same id.
    pub upstream_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Variant {
    pub id: String,
    pub name: String,
    pub price: Decimal,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Delivery {
    /// The same text for every buyer (a download link, instructions).
    Text(String),
    /// One item per unit sold (licence keys), each delivered once.
    Stock(Vec<String>),
}

impl Delivery {
    /// The text every buyer gets, for a product without a stock list.
    pub fn text(&self) -> Option<&str> {
        match self {
            Delivery::Text(t) => Some(t),
            Delivery::Stock(_) => None,
        }
    }

    /// Stock items an order of `quantity` holds: one per unit from a stock list, else none.
    pub fn stock_units(&self, quantity: u32) -> u32 {
        match self {
            Delivery::Text(_) => 0,
            Delivery::Stock(_) => quantity,
        }
    }
}

/// A coupon with its lifetime limit; uses so far are counted by the store object.
#[derive(Debug, Clone, PartialEq)]
pub struct CouponDef {
    pub coupon: Coupon,
    pub max_uses: Option<u32>,
}

impl Catalog {
    pub fn product(&self, id: &str) -> Option<&Product> {
        self.products.iter().find(|p| p.id == id)
    }

    /// Coupon codes match case-insensitively.
    pub fn coupon(&self, code: &str) -> Option<&CouponDef> {
        self.coupons.iter().find(|c| c.coupon.code.eq_ignore_ascii_case(code))
    }

    pub fn fee(&self, m: PaymentMethod) -> MethodFee {
        self.fees.get(&m).copied().unwrap_or_default()
    }

    pub fn rate(&self, currency: Fiat, asset: Asset) -> Option<Decimal> {
        self.rates.get(&(currency, asset)).copied()
    }

    pub fn confirmations_for(&self, network: Network) -> u32 {
        self.confirmations.get(&network).copied().unwrap_or(1)
    }
}

impl Product {
    pub fn variant(&self, id: &str) -> Option<&Variant> {
        self.variants.iter().find(|v| v.id == id)
    }
}
