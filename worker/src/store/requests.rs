//! What the worker and the order objects ask the store, each request with the type of its reply.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use shared::Order;
use worker::{Result, Stub};

use crate::catalog::Problem;
use crate::catalog::edit::{Edit, Refused};
use crate::rpc;

/// A request to the store, and the type of its reply.
pub trait Ask: Into<StoreRequest> {
    type Reply: Serialize + DeserializeOwned;
}

/// Sends one request to the store and reads its typed reply.
pub async fn ask<A: Ask>(stub: &Stub, request: A) -> Result<A::Reply> {
    rpc::call(stub, &request.into()).await
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StoreRequest {
    Reserve(Box<Reserve>),
    Update(Box<IndexUpdate>),
    Abort(Abort),
    List(ListQuery),
    Stock(StockCount),
    StockLevels(StockLevels),
    StockLevelsOf(StockLevelsOf),
    CouponUses(CouponUses),
    Fault(Fault),
    CatalogRead(CatalogRead),
    CatalogEdit(Box<CatalogEdit>),
    StockAppend(StockAppend),
    StockWithdraw(StockWithdraw),
    AuditRead(AuditRead),
    AuditRecord(AuditRecord),
}

macro_rules! asks {
    ($($request:ident => $variant:ident($wrap:expr) -> $reply:ty),* $(,)?) => {$(
        impl From<$request> for StoreRequest {
            fn from(r: $request) -> Self {
                StoreRequest::$variant($wrap(r))
            }
        }
        impl Ask for $request {
            type Reply = $reply;
        }
    )*};
}

asks! {
    Reserve => Reserve(Box::new) -> Reserved,
    IndexUpdate => Update(Box::new) -> (),
    Abort => Abort(std::convert::identity) -> (),
    ListQuery => List(std::convert::identity) -> Listed,
    StockCount => Stock(std::convert::identity) -> i64,
    StockLevels => StockLevels(std::convert::identity) -> StockStates,
    StockLevelsOf => StockLevelsOf(std::convert::identity) -> Vec<StockStates>,
    CouponUses => CouponUses(std::convert::identity) -> i64,
    Fault => Fault(std::convert::identity) -> (),
    CatalogRead => CatalogRead(std::convert::identity) -> CatalogDoc,
    CatalogEdit => CatalogEdit(Box::new) -> Edited,
    StockAppend => StockAppend(std::convert::identity) -> StockAdded,
    StockWithdraw => StockWithdraw(std::convert::identity) -> Withdrawn,
    AuditRead => AuditRead(std::convert::identity) -> AuditPage,
    AuditRecord => AuditRecord(std::convert::identity) -> (),
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Reserve {
    pub order: Order,
    /// `(Idempotency-Key, hash of the body)`, scoped to `client` and remembered for
    /// `idempotency_seconds`.
    pub idempotency: Option<(String, String)>,
    pub idempotency_seconds: u32,
    /// Who is ordering, for the rate limit and the idempotency scope: an IPv4 address or an
    /// IPv6 /64 (`ids::client_key`).
    pub client: String,
    pub limit_per_minute: u32,
    /// Stock items to hold for the order (0 for text delivery).
    pub stock_units: u32,
    /// `(coupon code, lifetime maximum)` when the coupon is limited.
    pub coupon: Option<(String, u32)>,
    /// The catalog version the order was priced with: a reservation on another is refused.
    pub catalog_version: u64,
    pub now_ms: i64,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reserved {
    Reserved {
        items: Vec<String>,
        /// Test mode's `lost_creates` fault: the order's object is to store the order and
        /// then answer with an error, as when its answer is lost on the way back.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        lose_answer: bool,
    },
    /// The same key and body were seen from this client: this is that order.
    Replay {
        order_id: String,
        /// When the first request with the key reserved (ms since the epoch).
        reserved_ms: i64,
    },
    Refused {
        refusal: NotReserved,
    },
}

/// Why nothing was reserved.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NotReserved {
    IdempotencyConflict,
    RateLimited {
        retry_after: i64,
    },
    CouponUsedUp,
    OutOfStock {
        available: u32,
    },
    /// The catalog changed since the order was priced: price it again.
    CatalogChanged,
}

/// An order's latest state for the index; `rev` orders the updates, so a late one is ignored.
#[derive(Debug, Serialize, Deserialize)]
pub struct IndexUpdate {
    pub order: Order,
    pub rev: u64,
}

/// Undoes the reservation of an order that could not be created.
#[derive(Debug, Serialize, Deserialize)]
pub struct Abort {
    pub order_id: String,
}

#[derive(Debug, Default, Serialize, Deserialize)]
pub struct ListQuery {
    pub status: Option<String>,
    pub email: Option<String>,
    pub product_id: Option<String>,
    /// A payment method's string (`crypto_btc`).
    #[serde(default)]
    pub method: Option<String>,
    /// Created at or after, and before (ms since the epoch).
    #[serde(default)]
    pub from_ms: Option<i64>,
    #[serde(default)]
    pub to_ms: Option<i64>,
    /// An order's id, number (`ORD-…`) or invoice id (`INV-…`).
    #[serde(default)]
    pub number: Option<String>,
    pub limit: u32,
    pub offset: u64,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct Listed {
    pub total: u64,
    pub orders: Vec<Order>,
}

/// Available items of a product.
#[derive(Debug, Serialize, Deserialize)]
pub struct StockCount {
    pub product_id: String,
}

/// A product's items by state, for the seller; with `items`, each item's id and hint too.
#[derive(Debug, Serialize, Deserialize)]
pub struct StockLevels {
    pub product_id: String,
    #[serde(default)]
    pub items: bool,
}

/// The counts of several products' items, in the order asked: the seller's product list in one
/// call, not one per product.
#[derive(Debug, Serialize, Deserialize)]
pub struct StockLevelsOf {
    pub product_ids: Vec<String>,
}

/// How many of a product's items are available, held by an open order, delivered and
/// withdrawn; never the items themselves.
#[derive(Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StockStates {
    pub available: i64,
    pub reserved: i64,
    pub delivered: i64,
    pub withdrawn: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub items: Option<Vec<StockItem>>,
}

/// One stock item as the seller sees it: its id, its state and the end of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StockItem {
    pub id: String,
    pub state: String,
    pub hint: String,
    pub order_id: Option<String>,
}

/// The catalog document and its version.
#[derive(Debug, Serialize, Deserialize)]
pub struct CatalogRead {}

#[derive(Debug, Serialize, Deserialize)]
pub struct CatalogDoc {
    pub version: u64,
    pub doc: String,
}

/// A seller's change to the catalog; `actor` is who made it, for the audit log.
#[derive(Debug, Serialize, Deserialize)]
pub struct CatalogEdit {
    pub edit: Edit,
    pub actor: String,
    pub now_ms: i64,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Edited {
    Done { version: u64, doc: String, entry: Value },
    Refused { refused: Refused },
}

/// Items to add to a product's stock, one per line as pasted.
#[derive(Debug, Serialize, Deserialize)]
pub struct StockAppend {
    pub product_id: String,
    pub items: Vec<String>,
    pub actor: String,
    pub now_ms: i64,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StockAdded {
    Added {
        added: Vec<StockItem>,
        levels: StockStates,
    },
    /// Every line at fault, nothing added.
    Refused {
        problems: Vec<Problem>,
    },
    NoSuchProduct,
    /// The product is delivered as a text, not from stock.
    NotStock,
}

/// Takes an available item out of sale (a leaked key).
#[derive(Debug, Serialize, Deserialize)]
pub struct StockWithdraw {
    pub product_id: String,
    pub item_id: String,
    pub actor: String,
    pub now_ms: i64,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Withdrawn {
    Done {
        levels: StockStates,
    },
    NoSuchItem,
    /// Reserved, delivered or already withdrawn: only an available item can be.
    NotAvailable {
        state: String,
    },
}

/// The audit log, newest first.
#[derive(Debug, Serialize, Deserialize)]
pub struct AuditRead {
    pub limit: u32,
    pub offset: u64,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct AuditPage {
    pub total: u64,
    pub entries: Vec<AuditEntry>,
}

/// One change: who (which key), what, to what, when.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AuditEntry {
    pub seq: i64,
    pub at_ms: i64,
    pub actor: String,
    pub action: String,
    pub target: String,
    pub detail: Value,
}

/// A change made elsewhere (an order's status set by the seller), for the log.
#[derive(Debug, Serialize, Deserialize)]
pub struct AuditRecord {
    pub actor: String,
    pub action: String,
    pub target: String,
    pub detail: Value,
    pub now_ms: i64,
}

/// How often a coupon has been used.
#[derive(Debug, Serialize, Deserialize)]
pub struct CouponUses {
    pub code: String,
}

/// Test mode only: the next `updates` index updates fail, as a store that cannot be reached.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub struct Fault {
    /// Index updates that fail.
    pub updates: u32,
    /// Reservations made whose answer is then an error, as when the creating request dies.
    #[serde(default)]
    pub lost_reservations: u32,
    /// Orders made whose object's answer is then an error, as when it is lost on the way back.
    #[serde(default)]
    pub lost_creates: u32,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_name_their_operation() {
        let json = serde_json::to_value(StoreRequest::from(StockCount { product_id: "p".into() })).unwrap();
        assert_eq!(json, serde_json::json!({"stock": {"product_id": "p"}}));
        let json = serde_json::to_value(StoreRequest::from(Abort { order_id: "o".into() })).unwrap();
        assert_eq!(json["abort"]["order_id"], "o");
    }
}
