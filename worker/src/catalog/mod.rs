//! The store's catalog, typed: products, variants, deliveries, coupons, fees, tax, rates.
//! It is data: the store object keeps it as a document (the JSON shape of `catalog.toml`),
//! seeded once from `worker/catalog.toml` (compiled in as JSON by `build.rs`) and changed
//! through the seller's API (`edit`). Every version is validated whole by `parse`, every problem
//! named with its path. Each isolate keeps the latest version it was given for a moment
//! (`cached`), and an order is only reserved against the version it was priced with.

pub mod edit;
mod parse;

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use rust_decimal::Decimal;
use shared::chain::{Asset, Network};
use shared::pricing::{Coupon, MethodFee, PriceList, Tax};
use shared::{Fiat, PaymentMethod};

#[cfg(not(target_arch = "wasm32"))]
pub use parse::parse;
pub use parse::{Problem, check_value, is_id, messages, parse_json};

/// What one order may buy of a product that names no `max_quantity`: one unauthenticated
/// order must not hold a whole stock list (and its coupon) while it waits for payment.
pub const DEFAULT_MAX_QUANTITY: u32 = 10;

/// The seed catalog, as the seller wrote it.
pub const SOURCE: &str = include_str!("../../catalog.toml");

/// The same, as `build.rs` turned it into JSON: what the store seeds itself with.
pub const SOURCE_JSON: &str = include_str!(concat!(env!("OUT_DIR"), "/catalog.json"));

/// How long an isolate's copy counts as current. An older copy is still used, so no buyer waits
/// for the store: the request that finds it old has it read again in the background, and a
/// refusal made on it (an unknown product, say) is checked again on the store's. A change made
/// through this isolate applies at once. An order is never made on an old version: the store
/// refuses its reservation, and it is priced again.
pub const FRESH_MS: f64 = 2000.0;

struct Cached {
    version: u64,
    /// When the store last gave (or confirmed) this version.
    given_ms: f64,
    /// When a request last had it read again: one at a time, at most once per `FRESH_MS`.
    asked_ms: f64,
    catalog: Rc<Catalog>,
}

thread_local! {
    static CACHE: RefCell<Option<Cached>> = const { RefCell::new(None) };
}

/// The isolate's copy of the catalog, as `cached` gives it.
pub struct Known {
    pub version: u64,
    pub catalog: Rc<Catalog>,
    /// Given by the store less than `FRESH_MS` ago; an older copy may be behind the store's.
    pub fresh: bool,
    /// This request is the one to have it read again.
    pub ask: bool,
}

/// The version this isolate was last given. Of the requests finding it old, one asks.
pub fn cached(now_ms: f64) -> Option<Known> {
    CACHE.with_borrow_mut(|c| {
        let c = c.as_mut()?;
        let fresh = now_ms - c.given_ms < FRESH_MS;
        let ask = !fresh && now_ms - c.asked_ms >= FRESH_MS;
        if ask {
            c.asked_ms = now_ms;
        }
        Some(Known { version: c.version, catalog: Rc::clone(&c.catalog), fresh, ask })
    })
}

/// Keeps a version read in the background after `cached` found the copy old, unless another
/// came meanwhile (a change made through this isolate): an older read never replaces it.
pub fn refreshed(asked_version: u64, version: u64, doc: &str, now_ms: f64) -> Result<(), Vec<String>> {
    if CACHE.with_borrow(|c| c.as_ref().is_some_and(|c| c.version == asked_version)) {
        remember(version, doc, now_ms)?;
    }
    Ok(())
}

/// Keeps the version the store gave; a document is only parsed when its version is new.
pub fn remember(version: u64, doc: &str, now_ms: f64) -> Result<Rc<Catalog>, Vec<String>> {
    let known = CACHE.with_borrow(|c| c.as_ref().filter(|c| c.version == version).map(|c| Rc::clone(&c.catalog)));
    let catalog = match known {
        Some(c) => c,
        None => Rc::new(parse_json(doc)?),
    };
    CACHE.set(Some(Cached { version, given_ms: now_ms, asked_ms: now_ms, catalog: Rc::clone(&catalog) }));
    Ok(catalog)
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
    /// No longer sold; the seller still sees it, and its orders keep their terms.
    pub archived: bool,
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
    /// When it stops applying.
    pub expires_at: Option<chrono::DateTime<chrono::Utc>>,
    /// No longer offered; its uses stay counted.
    pub archived: bool,
}

impl Catalog {
    /// A product on sale: archived ones are not.
    pub fn product(&self, id: &str) -> Option<&Product> {
        self.products.iter().find(|p| p.id == id && !p.archived)
    }

    /// A coupon on offer, by code (case-insensitively): archived ones are not.
    pub fn coupon(&self, code: &str) -> Option<&CouponDef> {
        self.coupons.iter().find(|c| c.coupon.code.eq_ignore_ascii_case(code) && !c.archived)
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

#[cfg(test)]
mod tests {
    use super::{FRESH_MS, SOURCE_JSON, cached, refreshed, remember};

    /// (version, fresh, ask) as a request at `now_ms` finds the copy.
    fn version_now(now_ms: f64) -> (u64, bool, bool) {
        let known = cached(now_ms).expect("a copy is kept");
        (known.version, known.fresh, known.ask)
    }

    #[test]
    fn an_old_copy_is_still_used_and_only_one_request_asks_again() {
        remember(1, SOURCE_JSON, 0.0).unwrap();
        assert_eq!(version_now(FRESH_MS - 1.0), (1, true, false));
        // The first request to find it old asks; the ones just after it do not, and know that
        // their copy may be behind.
        assert_eq!(version_now(FRESH_MS + 5.0), (1, false, true));
        assert_eq!(version_now(FRESH_MS + 6.0), (1, false, false));
        // A read that never came back is asked for again, once, a while later.
        assert_eq!(version_now(2.0 * FRESH_MS + 5.0), (1, false, true));
        assert_eq!(version_now(2.0 * FRESH_MS + 6.0), (1, false, false));
        refreshed(1, 2, SOURCE_JSON, 2.0 * FRESH_MS + 40.0).unwrap();
        assert_eq!(version_now(2.0 * FRESH_MS + 50.0), (2, true, false));
    }

    #[test]
    fn a_read_in_the_background_never_replaces_a_newer_copy() {
        remember(1, SOURCE_JSON, 0.0).unwrap();
        assert!(!cached(FRESH_MS * 2.0).unwrap().fresh);
        // Meanwhile the seller changed the catalog through this isolate: version 2.
        remember(2, SOURCE_JSON, FRESH_MS * 2.0 + 1.0).unwrap();
        // The background read, asked for while the copy was 1, came back with 1.
        refreshed(1, 1, SOURCE_JSON, FRESH_MS * 2.0 + 9.0).unwrap();
        assert_eq!(version_now(FRESH_MS * 2.0 + 10.0), (2, true, false));
    }
}
