//! Prices a quote or order request against the catalog with `shared`'s pricing. The quote
//! endpoint and order creation both go through [`price`], so a buyer pays what they were shown.

use shared::PaymentMethod;
use shared::pricing::{self, Breakdown, CryptoQuote, PricingError, QuoteInput};
use shared::wire::{FieldErrors, QuoteRequest, QuoteView};

use crate::catalog::{Catalog, CouponDef, Product, Variant};

/// A priced request.
#[derive(Debug, Clone)]
pub struct Priced<'a> {
    pub product: &'a Product,
    pub variant: Option<&'a Variant>,
    pub method: PaymentMethod,
    pub coupon: Option<&'a CouponDef>,
    pub breakdown: Breakdown,
    pub crypto: Option<CryptoQuote>,
}

impl Priced<'_> {
    pub fn view(&self) -> QuoteView {
        QuoteView {
            product_id: self.product.id.clone(),
            variant_id: self.variant.map(|v| v.id.clone()),
            payment_method: self.method,
            breakdown: self.breakdown.clone(),
            crypto: self.crypto.map(Into::into),
        }
    }
}

fn field_error(field: &str, why: impl Into<String>) -> FieldErrors {
    let mut e = FieldErrors::default();
    e.push(field, why);
    e
}

fn pricing_error(e: PricingError) -> FieldErrors {
    field_error(e.field(), e.to_string())
}

/// Prices `req`. `coupon_uses` tells how often a coupon has been used so far.
pub fn price<'a>(
    catalog: &'a Catalog,
    req: &QuoteRequest,
    coupon_uses: impl Fn(&CouponDef) -> u32,
) -> Result<Priced<'a>, FieldErrors> {
    let product = catalog
        .product(&req.product_id)
        .ok_or_else(|| field_error("product_id", format!("unknown product `{}`", req.product_id)))?;
    let variant = match (&req.variant_id, product.variants.is_empty()) {
        (Some(id), _) => Some(
            product
                .variant(id)
                .ok_or_else(|| field_error("variant_id", format!("unknown variant `{id}` of this product")))?,
        ),
        (None, false) => {
            return Err(field_error("variant_id", "is required: this product has variants"));
        }
        (None, true) => None,
    };
    if !product.methods.contains(&req.payment_method) {
        return Err(field_error("payment_method", format!("`{}` is not enabled for this product", req.payment_method)));
    }
    let coupon = match &req.coupon_code {
        Some(code) => {
            let def =
                catalog.coupon(code).ok_or_else(|| field_error("coupon_code", format!("unknown coupon `{code}`")))?;
            Some(def)
        }
        None => None,
    };
    let mut live_coupon = coupon.map(|d| d.coupon.clone());
    if let (Some(c), Some(def)) = (live_coupon.as_mut(), coupon) {
        c.uses_left = def.max_uses.map(|max| max.saturating_sub(coupon_uses(def)));
    }
    let breakdown = pricing::quote(&QuoteInput {
        product_id: &product.id,
        prices: &product.prices,
        variant_price: variant.map(|v| v.price),
        quantity: req.quantity,
        coupon: live_coupon.as_ref(),
        fee: catalog.fee(req.payment_method),
        tax: None,
    })
    .map_err(pricing_error)?;
    // Nothing to pay (a coupon took the whole price): no coin amount, and the order completes
    // at once, with no payment.
    let crypto = match req.payment_method.coin().filter(|_| !breakdown.total.is_zero()) {
        Some(coin) => Some(
            pricing::to_crypto(breakdown.total, breakdown.currency, coin, catalog.rate(breakdown.currency, coin.asset))
                .map_err(pricing_error)?,
        ),
        None => None,
    };
    Ok(Priced { product, variant, method: req.payment_method, coupon, breakdown, crypto })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog;

    fn req(product: &str, method: &str) -> QuoteRequest {
        QuoteRequest {
            product_id: product.into(),
            payment_method: method.parse().unwrap(),
            quantity: 1,
            variant_id: None,
            coupon_code: None,
        }
    }

    fn fields(e: FieldErrors) -> Vec<String> {
        e.fields()
    }

    #[test]
    fn premium_licence_in_btc() {
        let c = catalog::parse(catalog::SOURCE).unwrap();
        let p = price(&c, &req("prod_xyz789", "crypto_btc"), |_| 0).unwrap();
        assert_eq!(p.breakdown.total.to_string(), "29.99");
        let crypto = p.crypto.unwrap();
        assert_eq!(crypto.amount.to_string(), "0.00045125");
        assert_eq!(crypto.rate.to_string(), "66461.25");
    }

    #[test]
    fn card_fee_and_coupon() {
        let c = catalog::parse(catalog::SOURCE).unwrap();
        let mut r = req("prod_xyz789", "stripe");
        r.coupon_code = Some("save10".into());
        let p = price(&c, &r, |_| 0).unwrap();
        // 29.99 − 3.00 = 26.99; fee 2.9 % = 0.78271 → 0.78 + 0.30 = 1.08; total 28.07.
        assert_eq!(p.breakdown.coupon_discount.to_string(), "3.00");
        assert_eq!(p.breakdown.fee.to_string(), "1.08");
        assert_eq!(p.breakdown.total.to_string(), "28.07");
        assert!(p.crypto.is_none());
    }

    #[test]
    fn volume_discount_and_bounds() {
        let c = catalog::parse(catalog::SOURCE).unwrap();
        let mut r = req("prod_credits", "flexpay_USDT_TRC20");
        r.quantity = 100;
        let p = price(&c, &r, |_| 0).unwrap();
        assert_eq!(p.breakdown.volume_discount.to_string(), "75.00");
        assert_eq!(p.crypto.unwrap().amount.to_string(), "425.000000");
        r.quantity = 4;
        assert_eq!(fields(price(&c, &r, |_| 0).unwrap_err()), ["quantity"]);
        r.quantity = 501;
        assert_eq!(fields(price(&c, &r, |_| 0).unwrap_err()), ["quantity"]);
    }

    #[test]
    fn one_order_holds_at_most_the_default_maximum_of_a_stock_list() {
        let c = catalog::parse(catalog::SOURCE).unwrap();
        let mut r = req("prod_xyz789", "crypto_btc");
        r.quantity = catalog::DEFAULT_MAX_QUANTITY;
        assert!(price(&c, &r, |_| 0).is_ok());
        r.quantity = 100;
        assert_eq!(fields(price(&c, &r, |_| 0).unwrap_err()), ["quantity"]);
    }

    #[test]
    fn a_free_order_has_no_coin_amount() {
        let c = catalog::parse(catalog::SOURCE).unwrap();
        let mut r = req("prod_xyz789", "crypto_btc");
        r.coupon_code = Some("GIFT100".into());
        let p = price(&c, &r, |_| 0).unwrap();
        assert_eq!((p.breakdown.total.to_string().as_str(), p.crypto), ("0.00", None));
    }

    #[test]
    fn refusals_name_their_field() {
        let c = catalog::parse(catalog::SOURCE).unwrap();
        assert_eq!(fields(price(&c, &req("prod_nope", "stripe"), |_| 0).unwrap_err()), ["product_id"]);
        assert_eq!(fields(price(&c, &req("prod_credits", "paypal"), |_| 0).unwrap_err()), ["payment_method"]);
        assert_eq!(fields(price(&c, &req("prod_bundle", "stripe"), |_| 0).unwrap_err()), ["variant_id"]);
        let mut r = req("prod_bundle", "stripe");
        r.variant_id = Some("var_nope".into());
        assert_eq!(fields(price(&c, &r, |_| 0).unwrap_err()), ["variant_id"]);
        r.variant_id = Some("var_team".into());
        assert_eq!(price(&c, &r, |_| 0).unwrap().breakdown.subtotal.to_string(), "79.00");
        for code in ["NOPE", "SUMMER"] {
            r.coupon_code = Some(code.into());
            assert_eq!(fields(price(&c, &r, |_| 0).unwrap_err()), ["coupon_code"], "{code}");
        }
        r.coupon_code = Some("ONCE".into());
        assert!(price(&c, &r, |_| 0).is_ok());
        assert_eq!(fields(price(&c, &r, |_| 1).unwrap_err()), ["coupon_code"]);
        let mut r = req("prod_xyz789", "stripe");
        r.coupon_code = Some("BUNDLE5".into());
        assert_eq!(fields(price(&c, &r, |_| 0).unwrap_err()), ["coupon_code"]);
    }

    #[test]
    fn euro_product_converts_stablecoins_at_a_rate() {
        let c = catalog::parse(catalog::SOURCE).unwrap();
        let p = price(&c, &req("prod_guide_eur", "flexpay_USDT_ERC20"), |_| 0).unwrap();
        // 12.50 EUR / 0.92 = 13.5869565… → 13.586957 USDT
        assert_eq!(p.crypto.unwrap().amount.to_string(), "13.586957");
    }
}
