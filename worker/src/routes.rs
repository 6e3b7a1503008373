//! The API's routes as data: which endpoint a method and path reach, decided without I/O.

use worker::Method;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    Health,
    /// The buyer's view of a product (with the seller's key, `SellerRoute::Product`).
    Product(String),
    Quote,
    CreateOrder,
    /// An order, for the buyer by its client secret or the seller by key.
    GetOrder(String),
    /// A WebSocket of the buyer's view of one order.
    Live(String),
    SandboxPay(String),
    SandboxConfirm(String),
    SandboxCheckoutPage(String),
    SandboxCheckoutAction(String, CheckoutAction),
    /// News from an upstream provider (the provider's name).
    Webhook(String),
    /// A CORS preflight for a public endpoint.
    Preflight,
    /// The path exists but not for this method.
    MethodNotAllowed(&'static str),
    NotFound,
    /// An endpoint for the seller's key only: the key is checked once, before any of them runs.
    Seller(SellerRoute),
}

/// The endpoints that answer only the seller's key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SellerRoute {
    /// The seller's view of a product: archived or not, with its stock counts.
    Product(String),
    ListProducts,
    CreateProduct,
    UpdateProduct(String),
    /// DELETE archives: a product is never removed.
    ArchiveProduct(String),
    /// The seller's view of a product's stock: counts by state.
    ProductStock(String),
    AppendStock(String),
    /// (product id, item id)
    WithdrawStock(String, String),
    ListCoupons,
    CreateCoupon,
    Coupon(String),
    UpdateCoupon(String),
    ArchiveCoupon(String),
    /// The seller's changes, newest first.
    Audit,
    /// The catalog document whole, and a whole one put in its place.
    CatalogExport,
    CatalogImport,
    ListOrders,
    /// The seller's orders as CSV, with the list's filters.
    OrdersCsv,
    UpdateOrder(String),
    /// The seller's events for one order, with their deliveries.
    OrderEvents(String),
    /// Sends one event again: (order id, event id).
    Redeliver(String, String),
    /// Test mode: makes the store fail on purpose, for fault tests.
    SandboxFaults,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckoutAction {
    Pay,
    Cancel,
}

impl Route {
    /// Endpoints a buyer's browser calls, which answer CORS for allowed origins.
    pub fn is_public(&self) -> bool {
        matches!(
            self,
            Route::Product(_)
                | Route::Quote
                | Route::CreateOrder
                | Route::GetOrder(_)
                | Route::SandboxPay(_)
                | Route::SandboxConfirm(_)
                | Route::Preflight
                | Route::Health
        )
    }
}

/// `seller_key`: the request carries an `Authorization` header, which makes `GET
/// /v1/products/:id` the seller's view.
pub fn route(method: &Method, path: &str, seller_key: bool) -> Route {
    let segments: Vec<&str> = path.trim_end_matches('/').split('/').skip(1).collect();
    let is = |m: Method| *method == m;
    if is(Method::Options) {
        return match segments.as_slice() {
            ["v1", "products", _] | ["v1", "quote"] | ["v1", "orders"] | ["v1", "orders", _] => Route::Preflight,
            ["v1", "sandbox", "orders", _, "pay" | "confirm"] => Route::Preflight,
            _ => Route::NotFound,
        };
    }
    match segments.as_slice() {
        ["v1", "health"] if is(Method::Get) => Route::Health,
        ["v1", "health"] => Route::MethodNotAllowed("GET"),
        ["v1", "products"] if is(Method::Get) => Route::Seller(SellerRoute::ListProducts),
        ["v1", "products"] if is(Method::Post) => Route::Seller(SellerRoute::CreateProduct),
        ["v1", "products"] => Route::MethodNotAllowed("GET, POST"),
        ["v1", "products", id] if is(Method::Get) && seller_key => Route::Seller(SellerRoute::Product(id.to_string())),
        ["v1", "products", id] if is(Method::Get) => Route::Product(id.to_string()),
        ["v1", "products", id] if is(Method::Patch) => Route::Seller(SellerRoute::UpdateProduct(id.to_string())),
        ["v1", "products", id] if is(Method::Delete) => Route::Seller(SellerRoute::ArchiveProduct(id.to_string())),
        ["v1", "products", _] => Route::MethodNotAllowed("GET, PATCH, DELETE"),
        ["v1", "products", id, "stock"] if is(Method::Get) => Route::Seller(SellerRoute::ProductStock(id.to_string())),
        ["v1", "products", id, "stock"] if is(Method::Post) => Route::Seller(SellerRoute::AppendStock(id.to_string())),
        ["v1", "products", _, "stock"] => Route::MethodNotAllowed("GET, POST"),
        ["v1", "products", id, "stock", item] if is(Method::Delete) => {
            Route::Seller(SellerRoute::WithdrawStock(id.to_string(), item.to_string()))
        }
        ["v1", "products", _, "stock", _] => Route::MethodNotAllowed("DELETE"),
        ["v1", "coupons"] if is(Method::Get) => Route::Seller(SellerRoute::ListCoupons),
        ["v1", "coupons"] if is(Method::Post) => Route::Seller(SellerRoute::CreateCoupon),
        ["v1", "coupons"] => Route::MethodNotAllowed("GET, POST"),
        ["v1", "coupons", id] if is(Method::Get) => Route::Seller(SellerRoute::Coupon(id.to_string())),
        ["v1", "coupons", id] if is(Method::Patch) => Route::Seller(SellerRoute::UpdateCoupon(id.to_string())),
        ["v1", "coupons", id] if is(Method::Delete) => Route::Seller(SellerRoute::ArchiveCoupon(id.to_string())),
        ["v1", "coupons", _] => Route::MethodNotAllowed("GET, PATCH, DELETE"),
        ["v1", "audit"] if is(Method::Get) => Route::Seller(SellerRoute::Audit),
        ["v1", "audit"] => Route::MethodNotAllowed("GET"),
        ["v1", "catalog"] if is(Method::Get) => Route::Seller(SellerRoute::CatalogExport),
        ["v1", "catalog"] => Route::MethodNotAllowed("GET"),
        ["v1", "catalog", "import"] if is(Method::Post) => Route::Seller(SellerRoute::CatalogImport),
        ["v1", "catalog", "import"] => Route::MethodNotAllowed("POST"),
        ["v1", "quote"] if is(Method::Post) => Route::Quote,
        ["v1", "quote"] => Route::MethodNotAllowed("POST"),
        ["v1", "orders"] if is(Method::Post) => Route::CreateOrder,
        ["v1", "orders"] if is(Method::Get) => Route::Seller(SellerRoute::ListOrders),
        ["v1", "orders"] => Route::MethodNotAllowed("GET, POST"),
        ["v1", "orders.csv"] if is(Method::Get) => Route::Seller(SellerRoute::OrdersCsv),
        ["v1", "orders.csv"] => Route::MethodNotAllowed("GET"),
        ["v1", "orders", id] if is(Method::Get) => Route::GetOrder(id.to_string()),
        ["v1", "orders", id] if is(Method::Patch) => Route::Seller(SellerRoute::UpdateOrder(id.to_string())),
        ["v1", "orders", _] => Route::MethodNotAllowed("GET, PATCH"),
        ["v1", "orders", id, "live"] if is(Method::Get) => Route::Live(id.to_string()),
        ["v1", "orders", _, "live"] => Route::MethodNotAllowed("GET"),
        ["v1", "orders", id, "events"] if is(Method::Get) => Route::Seller(SellerRoute::OrderEvents(id.to_string())),
        ["v1", "orders", _, "events"] => Route::MethodNotAllowed("GET"),
        ["v1", "orders", id, "events", event, "redeliver"] if is(Method::Post) => {
            Route::Seller(SellerRoute::Redeliver(id.to_string(), event.to_string()))
        }
        ["v1", "orders", _, "events", _, "redeliver"] => Route::MethodNotAllowed("POST"),
        ["v1", "sandbox", "orders", id, "pay"] if is(Method::Post) => Route::SandboxPay(id.to_string()),
        ["v1", "sandbox", "orders", id, "confirm"] if is(Method::Post) => Route::SandboxConfirm(id.to_string()),
        ["v1", "sandbox", "orders", _, "pay" | "confirm"] => Route::MethodNotAllowed("POST"),
        ["v1", "sandbox", "faults"] if is(Method::Post) => Route::Seller(SellerRoute::SandboxFaults),
        ["v1", "sandbox", "faults"] => Route::MethodNotAllowed("POST"),
        ["v1", "webhooks", provider] if is(Method::Post) => Route::Webhook(provider.to_string()),
        ["v1", "webhooks", _] => Route::MethodNotAllowed("POST"),
        ["sandbox", "checkout", id] if is(Method::Get) => Route::SandboxCheckoutPage(id.to_string()),
        ["sandbox", "checkout", id, "pay"] if is(Method::Post) => {
            Route::SandboxCheckoutAction(id.to_string(), CheckoutAction::Pay)
        }
        ["sandbox", "checkout", id, "cancel"] if is(Method::Post) => {
            Route::SandboxCheckoutAction(id.to_string(), CheckoutAction::Cancel)
        }
        _ => Route::NotFound,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes() {
        let seller = Route::Seller;
        // (method, path, whether a key was sent, the route): only a product's view turns on
        // the key.
        let cases = [
            (Method::Get, "/v1/health", false, Route::Health),
            (Method::Get, "/v1/products/prod_xyz789", false, Route::Product("prod_xyz789".into())),
            (Method::Get, "/v1/products/prod_xyz789", true, seller(SellerRoute::Product("prod_xyz789".into()))),
            (Method::Post, "/v1/orders", true, Route::CreateOrder),
            (Method::Post, "/v1/orders", false, Route::CreateOrder),
            (Method::Get, "/v1/orders/", false, seller(SellerRoute::ListOrders)),
            (Method::Get, "/v1/orders.csv", false, seller(SellerRoute::OrdersCsv)),
            (Method::Get, "/v1/products/prod_x/stock", false, seller(SellerRoute::ProductStock("prod_x".into()))),
            (Method::Post, "/v1/orders.csv", false, Route::MethodNotAllowed("GET")),
            (Method::Delete, "/v1/products/p", false, seller(SellerRoute::ArchiveProduct("p".into()))),
            (
                Method::Delete,
                "/v1/products/p/stock/itm_3",
                false,
                seller(SellerRoute::WithdrawStock("p".into(), "itm_3".into())),
            ),
            (Method::Put, "/v1/products/p", false, Route::MethodNotAllowed("GET, PATCH, DELETE")),
            (Method::Patch, "/v1/coupons/c", false, seller(SellerRoute::UpdateCoupon("c".into()))),
            (Method::Patch, "/v1/orders/ord_1", false, seller(SellerRoute::UpdateOrder("ord_1".into()))),
            (Method::Post, "/v1/sandbox/orders/ord_1/pay", false, Route::SandboxPay("ord_1".into())),
            (
                Method::Post,
                "/sandbox/checkout/ord_1/cancel",
                false,
                Route::SandboxCheckoutAction("ord_1".into(), CheckoutAction::Cancel),
            ),
            (Method::Options, "/v1/orders", false, Route::Preflight),
            (Method::Post, "/v1/webhooks/sellix", false, Route::Webhook("sellix".into())),
            (Method::Get, "/v1/webhooks/sellix", false, Route::MethodNotAllowed("POST")),
            (Method::Delete, "/v1/orders/ord_1", false, Route::MethodNotAllowed("GET, PATCH")),
            (Method::Put, "/v1/quote", false, Route::MethodNotAllowed("POST")),
            (Method::Get, "/v2/orders", false, Route::NotFound),
            (Method::Get, "/v1/orders/a/b/c", false, Route::NotFound),
            (Method::Get, "/v1/orders/ord_1/events", false, seller(SellerRoute::OrderEvents("ord_1".into()))),
            (
                Method::Post,
                "/v1/orders/ord_1/events/evt_1/redeliver",
                false,
                seller(SellerRoute::Redeliver("ord_1".into(), "evt_1".into())),
            ),
            (Method::Get, "/v1/orders/ord_1/events/evt_1/redeliver", false, Route::MethodNotAllowed("POST")),
            (Method::Get, "/v1/orders/ord_1/live", false, Route::Live("ord_1".into())),
        ];
        for (method, path, key, expected) in cases {
            assert_eq!(route(&method, path, key), expected, "{method:?} {path} (key: {key})");
        }
        assert!(!route(&Method::Get, "/v1/products", false).is_public());
        assert!(!route(&Method::Post, "/v1/catalog/import", false).is_public());
        assert!(!route(&Method::Post, "/v1/webhooks/sellix", false).is_public());
        assert!(!route(&Method::Get, "/v1/orders/ord_1/events", false).is_public());
        assert!(!route(&Method::Get, "/v1/orders/ord_1/live", false).is_public(), "a socket checks its origin itself");
        assert!(!route(&Method::Get, "/v1/orders", false).is_public());
        assert!(!route(&Method::Patch, "/v1/orders/x", false).is_public());
        assert!(route(&Method::Get, "/v1/orders/x", false).is_public());
    }
}
