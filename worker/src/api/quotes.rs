//! Products and quotes: what the widget shows before an order exists.

use shared::PaymentMethod;
use shared::wire::{Envelope, MethodView, ProductView, QuoteRequest, VariantView};
use worker::Request;

use super::Ctx;
use super::access::limit_reads;
use super::objects::store_call;
use crate::catalog::{Catalog, CouponDef, Delivery, Product};
use crate::checkout;
use crate::config::Gateway;
use crate::http::{self, Handled, refuse};
use crate::store::{CouponUses, StockCount};

pub(super) async fn product(ctx: &Ctx<'_>, req: &Request, id: &str) -> Handled {
    limit_reads(ctx, req).await?;
    let view = ctx.on_catalog(async |catalog| product_view(ctx, catalog, id).await).await?;
    // A buyer's checkout reads its product first: the order it may become finds its object open.
    super::prepared::prepare(ctx);
    Ok(http::json(200, &Envelope { data: view })?)
}

/// The buyer's view of a product: what it is, how it is paid, whether it is in stock, and the
/// quote for its defaults.
async fn product_view(ctx: &Ctx<'_>, catalog: &Catalog, id: &str) -> Handled<ProductView> {
    let p = catalog_product(catalog, id)?;
    let in_stock = match &p.delivery {
        Delivery::Text(_) => true,
        Delivery::Stock(_) => {
            store_call(ctx, StockCount { product_id: p.id.clone() }).await? >= i64::from(p.prices.min_quantity)
        }
    };
    let payment_methods: Vec<MethodView> =
        p.methods.iter().copied().filter(|m| gateway_takes(ctx, *m)).map(MethodView::from).collect();
    // Pure pricing (no coupon, so no store call); a product that cannot be priced so has none.
    let default_quote = match payment_methods.first() {
        Some(m) => {
            let q = QuoteRequest {
                product_id: p.id.clone(),
                payment_method: m.id,
                quantity: p.prices.min_quantity,
                variant_id: p.variants.first().map(|v| v.id.clone()),
                coupon_code: None,
            };
            priced(ctx, catalog, &q).await.ok().map(|priced| priced.view())
        }
        None => None,
    };
    Ok(ProductView {
        id: p.id.clone(),
        name: p.name.clone(),
        description: p.description.clone(),
        price: p.prices.price,
        currency: p.prices.currency,
        variants: p
            .variants
            .iter()
            .map(|v| VariantView { id: v.id.clone(), name: v.name.clone(), price: v.price })
            .collect(),
        min_quantity: p.prices.min_quantity,
        max_quantity: p.prices.max_quantity,
        payment_methods,
        in_stock,
        sandbox: ctx.config.sandbox,
        default_quote,
    })
}

/// The product `id` on sale, or a 404 `product_not_found`.
fn catalog_product<'c>(catalog: &'c Catalog, id: &str) -> Handled<&'c Product> {
    match catalog.product(id) {
        Some(p) => Ok(p),
        None => refuse(http::error(404, "product_not_found", format!("no product `{id}`"))),
    }
}

/// Whether the configured gateway can take a payment made this way.
fn gateway_takes(ctx: &Ctx<'_>, method: PaymentMethod) -> bool {
    match &ctx.config.gateway {
        Gateway::Sandbox => true,
        Gateway::Upstream(s) => s.provider.adapter().supports(method),
    }
}

/// Prices a quote or order request; a method the gateway cannot take is a field error.
pub(super) async fn priced<'c>(ctx: &Ctx<'_>, catalog: &'c Catalog, q: &QuoteRequest) -> Handled<checkout::Priced<'c>> {
    if let (Gateway::Upstream(s), Some(_)) = (&ctx.config.gateway, &q.coupon_code)
        && s.provider.prices_orders()
    {
        // The provider charges its own price: a coupon here would be shown and never given.
        return refuse(http::field_error(
            "coupon_code",
            "validation_failed",
            format!("coupon_code: coupons are not available when {} prices the order", s.provider.display_name()),
        ));
    }
    let uses = coupon_uses(ctx, catalog, q.coupon_code.as_deref()).await?;
    let priced =
        checkout::price(catalog, q, |_| uses, crate::order_object::now()).or_else(|e| refuse(http::field_errors(e)))?;
    if !gateway_takes(ctx, priced.method) {
        return refuse(http::field_error(
            "payment_method",
            "validation_failed",
            format!("payment_method: `{}` is not available with this store's payment provider", priced.method),
        ));
    }
    Ok(priced)
}

/// How often each limited coupon named in the request has been used.
async fn coupon_uses(ctx: &Ctx<'_>, catalog: &Catalog, code: Option<&str>) -> Handled<u32> {
    match code.and_then(|c| catalog.coupon(c)) {
        Some(CouponDef { max_uses: Some(_), coupon, .. }) => {
            Ok(store_call(ctx, CouponUses { code: coupon.code.clone() }).await?.max(0) as u32)
        }
        _ => Ok(0),
    }
}

pub(super) async fn quote(ctx: &Ctx<'_>, req: &mut Request) -> Handled {
    limit_reads(ctx, req).await?;
    let body = http::read_public_json(req, &ctx.config).await?;
    let q = QuoteRequest::from_json(&body).or_else(|e| refuse(http::field_errors(e)))?;
    let view = ctx.on_catalog(async |catalog| Ok(priced(ctx, catalog, &q).await?.view())).await?;
    // Another method or quantity in an open checkout.
    super::prepared::prepare(ctx);
    Ok(http::json(200, &Envelope { data: view })?)
}
