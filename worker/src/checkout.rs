//! Prices a quote or order request against the catalog with `shared`'s pricing, and builds
//! the order from what was priced. The quote endpoint and order creation both go through
//! [`price`], so a buyer pays what they were shown.

use chrono::{DateTime, Duration, Utc};
use rust_decimal::Decimal;
use shared::pricing::{self, Breakdown, CryptoQuote, PricingError, QuoteInput};
use shared::wire::{CreateOrderRequest, FieldErrors, QuoteRequest, QuoteView};
use shared::{Order, OrderStatus, PaymentMethod};

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

/// Prices `req` at `now`. `coupon_uses` tells how often a coupon has been used so far.
pub fn price<'a>(
    catalog: &'a Catalog,
    req: &QuoteRequest,
    coupon_uses: impl Fn(&CouponDef) -> u32,
    now: DateTime<Utc>,
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
            if def.expires_at.is_some_and(|at| at <= now) {
                return Err(field_error("coupon_code", "the coupon has expired"));
            }
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
        tax: catalog.tax,
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

/// What an order takes besides its priced request: its ids, its time and where the buyer is.
#[derive(Debug, Clone)]
pub struct OrderFacts {
    pub id: String,
    pub invoice_id: String,
    pub order_number: String,
    pub created_at: DateTime<Utc>,
    /// How long the buyer has to pay.
    pub lifetime: Duration,
    pub customer_ip: String,
    pub customer_country_code: Option<String>,
    pub sandbox: bool,
}

/// The pending order for a priced request, before any way to pay is attached to it.
pub fn new_order(priced: &Priced, request: &CreateOrderRequest, facts: OrderFacts) -> Order {
    let discount = priced.breakdown.discount_total();
    Order {
        id: facts.id,
        invoice_id: facts.invoice_id,
        order_number: facts.order_number,
        product_id: priced.product.id.clone(),
        product_name: priced.product.name.clone(),
        variant_id: priced.variant.map(|v| v.id.clone()),
        buyer_email: request.buyer_email.clone(),
        quantity: request.quote.quantity,
        total_amount: priced.breakdown.total,
        currency: priced.breakdown.currency,
        status: OrderStatus::Pending,
        payment_method: priced.method,
        crypto_currency: priced.crypto.map(|c| c.coin.asset.ticker().to_owned()),
        crypto_amount: priced.crypto.map(|c| c.amount),
        payment_address: None,
        amount_paid: Decimal::ZERO,
        txid: None,
        confirmations: 0,
        coupon_id: priced.coupon.map(|c| c.coupon.id.clone()),
        discount_amount: (discount > Decimal::ZERO).then_some(discount),
        customer_ip: Some(facts.customer_ip),
        customer_country: None,
        customer_country_code: facts.customer_country_code,
        created_at: facts.created_at,
        expires_at: facts.created_at + facts.lifetime,
        completed_at: None,
        delivered_content: None,
        network: None,
        payment_uri: None,
        exchange_rate: priced.crypto.map(|c| c.rate),
        confirmations_required: 0,
        checkout_url: None,
        late_amount_paid: Decimal::ZERO,
        sandbox: facts.sandbox,
        variant_name: priced.variant.map(|v| v.name.clone()),
        breakdown: Some(priced.breakdown.clone()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog;

    fn at() -> DateTime<Utc> {
        "2026-11-26T12:00:00Z".parse().unwrap()
    }

    #[test]
    fn an_expired_coupon_is_refused_and_one_not_yet_expired_applies() {
        let mut c = catalog::parse(catalog::SOURCE).unwrap();
        let def = c.coupons.iter_mut().find(|d| d.coupon.code == "SAVE10").unwrap();
        def.expires_at = Some(at());
        let mut r = req("prod_xyz789", "stripe");
        r.coupon_code = Some("SAVE10".into());
        assert!(price(&c, &r, |_| 0, at() - Duration::seconds(1)).is_ok());
        let e = price(&c, &r, |_| 0, at()).unwrap_err();
        assert_eq!(e.0, [("coupon_code".to_owned(), "the coupon has expired".to_owned())]);
    }

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
        let p = price(&c, &req("prod_xyz789", "crypto_btc"), |_| 0, at()).unwrap();
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
        let p = price(&c, &r, |_| 0, at()).unwrap();
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
        let p = price(&c, &r, |_| 0, at()).unwrap();
        assert_eq!(p.breakdown.volume_discount.to_string(), "75.00");
        assert_eq!(p.crypto.unwrap().amount.to_string(), "425.000000");
        r.quantity = 4;
        assert_eq!(fields(price(&c, &r, |_| 0, at()).unwrap_err()), ["quantity"]);
        r.quantity = 501;
        assert_eq!(fields(price(&c, &r, |_| 0, at()).unwrap_err()), ["quantity"]);
    }

    #[test]
    fn one_order_holds_at_most_the_default_maximum_of_a_stock_list() {
        let c = catalog::parse(catalog::SOURCE).unwrap();
        let mut r = req("prod_xyz789", "crypto_btc");
        r.quantity = catalog::DEFAULT_MAX_QUANTITY;
        assert!(price(&c, &r, |_| 0, at()).is_ok());
        r.quantity = 100;
        assert_eq!(fields(price(&c, &r, |_| 0, at()).unwrap_err()), ["quantity"]);
    }

    #[test]
    fn a_free_order_has_no_coin_amount() {
        let c = catalog::parse(catalog::SOURCE).unwrap();
        let mut r = req("prod_xyz789", "crypto_btc");
        r.coupon_code = Some("GIFT100".into());
        let p = price(&c, &r, |_| 0, at()).unwrap();
        assert_eq!((p.breakdown.total.to_string().as_str(), p.crypto), ("0.00", None));
    }

    #[test]
    fn refusals_name_their_field() {
        let c = catalog::parse(catalog::SOURCE).unwrap();
        assert_eq!(fields(price(&c, &req("prod_nope", "stripe"), |_| 0, at()).unwrap_err()), ["product_id"]);
        assert_eq!(fields(price(&c, &req("prod_credits", "paypal"), |_| 0, at()).unwrap_err()), ["payment_method"]);
        assert_eq!(fields(price(&c, &req("prod_bundle", "stripe"), |_| 0, at()).unwrap_err()), ["variant_id"]);
        let mut r = req("prod_bundle", "stripe");
        r.variant_id = Some("var_nope".into());
        assert_eq!(fields(price(&c, &r, |_| 0, at()).unwrap_err()), ["variant_id"]);
        r.variant_id = Some("var_team".into());
        assert_eq!(price(&c, &r, |_| 0, at()).unwrap().breakdown.subtotal.to_string(), "79.00");
        for code in ["NOPE", "SUMMER"] {
            r.coupon_code = Some(code.into());
            assert_eq!(fields(price(&c, &r, |_| 0, at()).unwrap_err()), ["coupon_code"], "{code}");
        }
        r.coupon_code = Some("ONCE".into());
        assert!(price(&c, &r, |_| 0, at()).is_ok());
        assert_eq!(fields(price(&c, &r, |_| 1, at()).unwrap_err()), ["coupon_code"]);
        let mut r = req("prod_xyz789", "stripe");
        r.coupon_code = Some("BUNDLE5".into());
        assert_eq!(fields(price(&c, &r, |_| 0, at()).unwrap_err()), ["coupon_code"]);
    }

    fn facts() -> OrderFacts {
        OrderFacts {
            id: "ord_0123456789abcdef0123456789abcdef".into(),
            invoice_id: "INV-1".into(),
            order_number: "ORD-1".into(),
            created_at: DateTime::parse_from_rfc3339("2026-11-26T10:00:00Z").unwrap().to_utc(),
            lifetime: Duration::minutes(30),
            customer_ip: "203.0.113.7".into(),
            customer_country_code: Some("FR".into()),
            sandbox: true,
        }
    }

    fn create(quote: QuoteRequest) -> CreateOrderRequest {
        CreateOrderRequest { quote, buyer_email: "buyer@example.com".into() }
    }

    #[test]
    fn the_order_is_what_was_priced() {
        let c = catalog::parse(catalog::SOURCE).unwrap();
        let mut r = req("prod_xyz789", "crypto_btc");
        r.coupon_code = Some("save10".into());
        let priced = price(&c, &r, |_| 0, at()).unwrap();
        let o = new_order(&priced, &create(r), facts());
        assert_eq!((o.status, o.product_name.as_str(), o.quantity), (OrderStatus::Pending, "Premium License", 1));
        // 29.99 − 10 % (3.00) = 26.99 USD at 66461.25 → 0.00040610 BTC, rounded up.
        assert_eq!(
            (o.total_amount.to_string().as_str(), o.discount_amount.unwrap().to_string().as_str()),
            ("26.99", "3.00")
        );
        assert_eq!(o.crypto_amount, priced.crypto.map(|c| c.amount));
        assert_eq!(
            (o.crypto_currency.as_deref(), o.exchange_rate.unwrap().to_string().as_str()),
            (Some("BTC"), "66461.25")
        );
        assert_eq!(o.coupon_id, priced.coupon.map(|c| c.coupon.id.clone()));
        assert_eq!((o.expires_at - o.created_at).num_minutes(), 30);
        assert!(o.amount_due() > Decimal::ZERO);
        assert_eq!(o.customer_country_code.as_deref(), Some("FR"));
        assert_eq!((o.payment_address, o.payment_uri, o.checkout_url), (None, None, None));
        // No discount is no discount line; a card order has no coin.
        let o = new_order(
            &price(&c, &req("prod_xyz789", "stripe"), |_| 0, at()).unwrap(),
            &create(req("prod_xyz789", "stripe")),
            facts(),
        );
        assert_eq!((o.discount_amount, o.crypto_amount, o.exchange_rate), (None, None, None));
    }

    #[test]
    fn a_store_with_tax_charges_it() {
        let taxed = catalog::SOURCE
            .replace("invoice_minutes = 30\n", "invoice_minutes = 30\ntax = { rate = \"20\", inclusive = false }\n");
        let c = catalog::parse(&taxed).unwrap();
        let p = price(&c, &req("prod_xyz789", "crypto_btc"), |_| 0, at()).unwrap();
        // 29.99 + 20 % (5.998 → 6.00) = 35.99.
        assert_eq!(p.breakdown.tax.unwrap().amount.to_string(), "6.00");
        assert_eq!(p.breakdown.total.to_string(), "35.99");
    }

    #[test]
    fn euro_product_converts_stablecoins_at_a_rate() {
        let c = catalog::parse(catalog::SOURCE).unwrap();
        let p = price(&c, &req("prod_guide_eur", "flexpay_USDT_ERC20"), |_| 0, at()).unwrap();
        // 12.50 EUR / 0.92 = 13.5869565… → 13.586957 USDT
        assert_eq!(p.crypto.unwrap().amount.to_string(), "13.586957");
    }
}
