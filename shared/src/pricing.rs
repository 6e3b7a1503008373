//! Quotes: what a buyer pays, as a breakdown whose lines add up exactly to the total.
//!
//! Each line is rounded to the currency's minor unit (see [`Fiat::round`]) and the total is the
//! sum of the rounded lines, never rounded on its own, so a receipt always adds up.
//!
//! Longer than 400 lines: one set of pricing rules, whose unit and property tests (half the file)
//! sit beside them.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::chain::Coin;
use crate::money::{Fiat, ceil_dp};

/// A percentage or a fixed amount taken off (or, for fees, added).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", content = "value", rename_all = "lowercase")]
pub enum Adjustment {
    /// Percent of the base, e.g. `10` for 10 %.
    Percent(Decimal),
    /// A fixed amount in the price currency.
    Fixed(Decimal),
}

impl Adjustment {
    fn of(self, base: Decimal, currency: Fiat) -> Decimal {
        match self {
            Adjustment::Percent(p) => currency.round(base * p / Decimal::ONE_HUNDRED),
            Adjustment::Fixed(f) => currency.round(f),
        }
    }
}

/// A discount that applies from `min_quantity` units on; the highest threshold reached wins.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VolumeDiscount {
    pub min_quantity: u32,
    pub discount: Adjustment,
}

/// What a product costs and how many may be bought at once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PriceList {
    pub price: Decimal,
    pub currency: Fiat,
    pub min_quantity: u32,
    pub max_quantity: Option<u32>,
    #[serde(default)]
    pub volume_discounts: Vec<VolumeDiscount>,
}

/// A coupon as the store defines it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Coupon {
    pub id: String,
    pub code: String,
    pub discount: Adjustment,
    pub enabled: bool,
    /// Products it applies to; empty means every product.
    #[serde(default)]
    pub product_ids: Vec<String>,
    /// Uses left; `None` means unlimited.
    pub uses_left: Option<u32>,
}

/// A payment method's fee: `percent` of the amount plus `fixed`. Negative values are discounts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct MethodFee {
    pub percent: Decimal,
    pub fixed: Decimal,
}

/// Sales tax or VAT.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tax {
    /// Percent, e.g. `20` for 20 %.
    pub rate: Decimal,
    /// Whether prices already include the tax.
    pub inclusive: bool,
}

/// Everything a quote is computed from.
#[derive(Debug, Clone)]
pub struct QuoteInput<'a> {
    pub product_id: &'a str,
    pub prices: &'a PriceList,
    /// The chosen variant's own price, when it has one.
    pub variant_price: Option<Decimal>,
    pub quantity: u32,
    pub coupon: Option<&'a Coupon>,
    pub fee: MethodFee,
    pub tax: Option<Tax>,
}

/// Why no quote can be made. Each names the request field at fault.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PricingError {
    #[error("quantity must be at least {min}")]
    QuantityBelowMin { min: u32 },
    #[error("quantity must be at most {max}")]
    QuantityAboveMax { max: u32 },
    #[error("the coupon is not active")]
    CouponDisabled,
    #[error("the coupon does not apply to this product")]
    CouponNotForProduct,
    #[error("the coupon has been used up")]
    CouponUsedUp,
    #[error("the price is not a whole number of {currency} minor units")]
    InexactPrice { currency: Fiat },
    #[error("no exchange rate for {0}")]
    NoRate(String),
}

impl PricingError {
    /// The request field this error is about, for `invalid_fields`.
    pub fn field(&self) -> &'static str {
        match self {
            PricingError::QuantityBelowMin { .. } | PricingError::QuantityAboveMax { .. } => "quantity",
            PricingError::CouponDisabled | PricingError::CouponNotForProduct | PricingError::CouponUsedUp => {
                "coupon_code"
            }
            PricingError::InexactPrice { .. } => "product_id",
            PricingError::NoRate(_) => "payment_method",
        }
    }
}

/// How tax enters a breakdown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaxLine {
    pub rate: Decimal,
    pub inclusive: bool,
    /// Exclusive: added to the total. Inclusive: the part of the total that is tax.
    pub amount: Decimal,
}

/// A priced order. `total = subtotal − volume_discount − coupon_discount + fee (+ tax when exclusive)`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Breakdown {
    pub currency: Fiat,
    pub unit_price: Decimal,
    pub quantity: u32,
    pub subtotal: Decimal,
    pub volume_discount: Decimal,
    pub coupon_discount: Decimal,
    pub fee: Decimal,
    pub tax: Option<TaxLine>,
    pub total: Decimal,
}

impl Breakdown {
    /// All discounts together (the SellGate order's `discount_amount`).
    pub fn discount_total(&self) -> Decimal {
        self.volume_discount + self.coupon_discount
    }

    /// The lines added up; equal to `total` by construction.
    pub fn lines_sum(&self) -> Decimal {
        let tax = self.tax.filter(|t| !t.inclusive).map_or(Decimal::ZERO, |t| t.amount);
        self.subtotal - self.volume_discount - self.coupon_discount + self.fee + tax
    }
}

/// Checks the quantity against the price list's bounds.
pub fn check_quantity(prices: &PriceList, quantity: u32) -> Result<(), PricingError> {
    let min = prices.min_quantity.max(1);
    if quantity < min {
        return Err(PricingError::QuantityBelowMin { min });
    }
    if let Some(max) = prices.max_quantity
        && quantity > max
    {
        return Err(PricingError::QuantityAboveMax { max });
    }
    Ok(())
}

/// Checks that a coupon may be used on this product now.
pub fn check_coupon(coupon: &Coupon, product_id: &str) -> Result<(), PricingError> {
    if !coupon.enabled {
        return Err(PricingError::CouponDisabled);
    }
    if !coupon.product_ids.is_empty() && !coupon.product_ids.iter().any(|p| p == product_id) {
        return Err(PricingError::CouponNotForProduct);
    }
    if coupon.uses_left == Some(0) {
        return Err(PricingError::CouponUsedUp);
    }
    Ok(())
}

/// Prices an order. Every discount is capped so no line and no total is ever negative.
pub fn quote(input: &QuoteInput<'_>) -> Result<Breakdown, PricingError> {
    let currency = input.prices.currency;
    check_quantity(input.prices, input.quantity)?;
    let unit_price = input.variant_price.unwrap_or(input.prices.price);
    if unit_price < Decimal::ZERO || !currency.is_exact(unit_price) {
        return Err(PricingError::InexactPrice { currency });
    }
    let unit_price = currency.round(unit_price);
    let subtotal = currency.round(unit_price * Decimal::from(input.quantity));

    let volume_discount = input
        .prices
        .volume_discounts
        .iter()
        .filter(|v| v.min_quantity <= input.quantity)
        .max_by_key(|v| v.min_quantity)
        .map_or(Decimal::ZERO, |v| v.discount.of(subtotal, currency))
        .clamp(Decimal::ZERO, subtotal);
    let after_volume = subtotal - volume_discount;

    let coupon_discount = match input.coupon {
        Some(c) => {
            check_coupon(c, input.product_id)?;
            c.discount.of(after_volume, currency).clamp(Decimal::ZERO, after_volume)
        }
        None => Decimal::ZERO,
    };
    let net = after_volume - coupon_discount;

    let fee =
        (currency.round(net * input.fee.percent / Decimal::ONE_HUNDRED) + currency.round(input.fee.fixed)).max(-net);
    let taxable = net + fee;

    let tax = input.tax.map(|t| {
        let amount = if t.inclusive {
            currency.round(taxable * t.rate / (Decimal::ONE_HUNDRED + t.rate))
        } else {
            currency.round(taxable * t.rate / Decimal::ONE_HUNDRED)
        };
        TaxLine { rate: t.rate, inclusive: t.inclusive, amount }
    });

    let mut b = Breakdown {
        currency,
        unit_price,
        quantity: input.quantity,
        subtotal,
        volume_discount,
        coupon_discount,
        fee,
        tax,
        total: Decimal::ZERO,
    };
    b.total = currency.round(b.lines_sum());
    Ok(b)
}

/// A fiat total converted to a coin.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CryptoQuote {
    pub coin: Coin,
    /// Price of one coin in the quote's fiat currency.
    pub rate: Decimal,
    /// What the buyer sends, rounded up to [`Coin::quote_decimals`].
    pub amount: Decimal,
}

/// Converts `total` in `currency` to `coin`. `rate` is the fiat price of one coin; stablecoins
/// priced in USD ignore it and go 1:1. The amount is rounded up so the seller is never short.
pub fn to_crypto(
    total: Decimal,
    currency: Fiat,
    coin: Coin,
    rate: Option<Decimal>,
) -> Result<CryptoQuote, PricingError> {
    let rate = if coin.asset.is_usd_stablecoin() && currency == Fiat::Usd {
        Decimal::ONE
    } else {
        rate.filter(|r| *r > Decimal::ZERO)
            .ok_or_else(|| PricingError::NoRate(format!("{}/{}", coin.asset.ticker(), currency)))?
    };
    let dp = coin.quote_decimals();
    let mut amount = ceil_dp(total / rate, dp);
    // Decimal division keeps 28 significant digits; if that truncation left the amount a hair
    // short, one more smallest unit settles it.
    if amount * rate < total {
        amount += Decimal::new(1, dp);
    }
    Ok(CryptoQuote { coin, rate, amount })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chain::{Asset, Network};
    use crate::test_util::dec;

    fn usd(price: &str) -> PriceList {
        PriceList {
            price: dec(price),
            currency: Fiat::Usd,
            min_quantity: 1,
            max_quantity: None,
            volume_discounts: vec![],
        }
    }

    fn input<'a>(prices: &'a PriceList, quantity: u32) -> QuoteInput<'a> {
        QuoteInput {
            product_id: "prod_xyz789",
            prices,
            variant_price: None,
            quantity,
            coupon: None,
            fee: MethodFee::default(),
            tax: None,
        }
    }

    fn save10() -> Coupon {
        Coupon {
            id: "cpn_save10".into(),
            code: "SAVE10".into(),
            discount: Adjustment::Percent(dec("10")),
            enabled: true,
            product_ids: vec![],
            uses_left: None,
        }
    }

    #[test]
    fn plain_price() {
        let p = usd("29.99");
        let b = quote(&input(&p, 1)).unwrap();
        assert_eq!(b.total.to_string(), "29.99");
        assert_eq!(b.subtotal.to_string(), "29.99");
        let b = quote(&input(&p, 3)).unwrap();
        assert_eq!(b.total.to_string(), "89.97");
    }

    #[test]
    fn full_breakdown_to_the_cent() {
        let mut p = usd("29.99");
        p.volume_discounts = vec![
            VolumeDiscount { min_quantity: 3, discount: Adjustment::Percent(dec("5")) },
            VolumeDiscount { min_quantity: 10, discount: Adjustment::Percent(dec("15")) },
        ];
        let coupon = save10();
        let mut i = input(&p, 4);
        i.coupon = Some(&coupon);
        i.fee = MethodFee { percent: dec("2.9"), fixed: dec("0.30") };
        i.tax = Some(Tax { rate: dec("20"), inclusive: false });
        let b = quote(&i).unwrap();
        // 4 × 29.99 = 119.96; 5 % = 5.998 → 6.00; coupon 10 % of 113.96 = 11.396 → 11.40;
        // net 102.56; fee 2.9 % = 2.97424 → 2.97 + 0.30 = 3.27; taxable 105.83; tax 21.166 → 21.17.
        assert_eq!(b.subtotal.to_string(), "119.96");
        assert_eq!(b.volume_discount.to_string(), "6.00");
        assert_eq!(b.coupon_discount.to_string(), "11.40");
        assert_eq!(b.fee.to_string(), "3.27");
        assert_eq!(b.tax.unwrap().amount.to_string(), "21.17");
        assert_eq!(b.total.to_string(), "127.00");
        assert_eq!(b.discount_total().to_string(), "17.40");
        assert_eq!(b.lines_sum(), b.total);
    }

    #[test]
    fn highest_volume_threshold_wins() {
        let mut p = usd("10.00");
        p.volume_discounts = vec![
            VolumeDiscount { min_quantity: 10, discount: Adjustment::Fixed(dec("15")) },
            VolumeDiscount { min_quantity: 5, discount: Adjustment::Fixed(dec("5")) },
        ];
        assert_eq!(quote(&input(&p, 4)).unwrap().volume_discount, Decimal::ZERO);
        assert_eq!(quote(&input(&p, 5)).unwrap().volume_discount.to_string(), "5.00");
        assert_eq!(quote(&input(&p, 12)).unwrap().volume_discount.to_string(), "15.00");
    }

    #[test]
    fn inclusive_tax_is_part_of_the_total() {
        let p = usd("120.00");
        let mut i = input(&p, 1);
        i.tax = Some(Tax { rate: dec("20"), inclusive: true });
        let b = quote(&i).unwrap();
        assert_eq!(b.total.to_string(), "120.00");
        assert_eq!(b.tax.unwrap().amount.to_string(), "20.00");
    }

    #[test]
    fn negative_fee_is_a_discount_and_never_makes_a_negative_total() {
        let p = usd("1.00");
        let mut i = input(&p, 1);
        i.fee = MethodFee { percent: dec("-3"), fixed: Decimal::ZERO };
        assert_eq!(quote(&i).unwrap().total.to_string(), "0.97");
        i.fee = MethodFee { percent: Decimal::ZERO, fixed: dec("-5") };
        let b = quote(&i).unwrap();
        assert_eq!(b.total, Decimal::ZERO);
        assert_eq!(b.fee.to_string(), "-1.00");
    }

    #[test]
    fn fixed_coupon_larger_than_price_is_capped() {
        let p = usd("4.00");
        let mut c = save10();
        c.discount = Adjustment::Fixed(dec("10"));
        let mut i = input(&p, 1);
        i.coupon = Some(&c);
        let b = quote(&i).unwrap();
        assert_eq!(b.coupon_discount.to_string(), "4.00");
        assert_eq!(b.total.to_string(), "0.00");
    }

    #[test]
    fn variant_price_and_zero_decimal_currency() {
        let p = PriceList { currency: Fiat::Jpy, ..usd("3000") };
        let mut i = input(&p, 3);
        i.variant_price = Some(dec("4500"));
        i.coupon = None;
        let mut c = save10();
        c.discount = Adjustment::Percent(dec("3.3"));
        i.coupon = Some(&c);
        let b = quote(&i).unwrap();
        // 13500 × 3.3 % = 445.5 → 446
        assert_eq!(b.coupon_discount.to_string(), "446");
        assert_eq!(b.total.to_string(), "13054");
    }

    #[test]
    fn quantity_bounds() {
        let mut p = usd("5.00");
        p.min_quantity = 2;
        p.max_quantity = Some(10);
        assert_eq!(quote(&input(&p, 1)), Err(PricingError::QuantityBelowMin { min: 2 }));
        assert_eq!(quote(&input(&p, 11)), Err(PricingError::QuantityAboveMax { max: 10 }));
        assert!(quote(&input(&p, 10)).is_ok());
        let p = usd("5.00");
        assert_eq!(quote(&input(&p, 0)), Err(PricingError::QuantityBelowMin { min: 1 }));
        assert_eq!(PricingError::QuantityAboveMax { max: 1 }.field(), "quantity");
    }

    #[test]
    fn coupon_checks() {
        let p = usd("5.00");
        let mut c = save10();
        let mut i = input(&p, 1);
        c.enabled = false;
        i.coupon = Some(&c);
        assert_eq!(quote(&i), Err(PricingError::CouponDisabled));
        let mut c = save10();
        c.product_ids = vec!["prod_other".into()];
        i.coupon = Some(&c);
        assert_eq!(quote(&i), Err(PricingError::CouponNotForProduct));
        let mut c = save10();
        c.uses_left = Some(0);
        i.coupon = Some(&c);
        assert_eq!(quote(&i), Err(PricingError::CouponUsedUp));
        assert_eq!(PricingError::CouponUsedUp.field(), "coupon_code");
    }

    #[test]
    fn inexact_price_is_refused() {
        let p = usd("29.999");
        assert_eq!(quote(&input(&p, 1)), Err(PricingError::InexactPrice { currency: Fiat::Usd }));
    }

    #[test]
    fn crypto_conversion_rounds_up() {
        let btc = Coin::new(Asset::Btc, Network::Bitcoin);
        let q = to_crypto(dec("29.99"), Fiat::Usd, btc, Some(dec("66461.25"))).unwrap();
        // 29.99 / 66461.25 = 0.000451240…  → 0.00045125
        assert_eq!(q.amount.to_string(), "0.00045125");
        assert!(q.amount * q.rate >= dec("29.99"));
        assert_eq!(q.rate.to_string(), "66461.25");

        let usdt = Coin::new(Asset::Usdt, Network::Tron);
        let q = to_crypto(dec("29.99"), Fiat::Usd, usdt, None).unwrap();
        assert_eq!(q.amount.to_string(), "29.990000");
        assert_eq!(q.rate, Decimal::ONE);

        // A stablecoin priced in EUR needs a rate.
        assert_eq!(to_crypto(dec("10"), Fiat::Eur, usdt, None), Err(PricingError::NoRate("USDT/EUR".into())));
        let q = to_crypto(dec("10.00"), Fiat::Eur, usdt, Some(dec("0.92"))).unwrap();
        assert_eq!(q.amount.to_string(), "10.869566");

        let eth = Coin::new(Asset::Eth, Network::Ethereum);
        let q = to_crypto(dec("29.99"), Fiat::Usd, eth, Some(dec("3000"))).unwrap();
        assert_eq!(q.amount.to_string(), "0.00999667");
        assert!(to_crypto(dec("1"), Fiat::Usd, eth, Some(Decimal::ZERO)).is_err());
    }

    mod props {
        use super::*;
        use proptest::prelude::*;

        fn money(max_cents: i64) -> impl Strategy<Value = Decimal> {
            (0..max_cents).prop_map(|c| Decimal::new(c, 2))
        }

        fn adjustment() -> impl Strategy<Value = Adjustment> {
            prop_oneof![
                (0i64..=10_000).prop_map(|p| Adjustment::Percent(Decimal::new(p, 2))),
                (0i64..=50_000).prop_map(|c| Adjustment::Fixed(Decimal::new(c, 2))),
            ]
        }

        proptest! {
            #[test]
            fn parts_add_up_and_never_negative(
                price in money(100_000),
                qty in 1u32..50,
                vd in proptest::option::of((1u32..20, adjustment())),
                cd in proptest::option::of(adjustment()),
                fee_pct in -1000i64..1000,
                fee_fixed in -500i64..500,
                tax in proptest::option::of((0i64..3000, any::<bool>())),
            ) {
                let mut p = PriceList { price, currency: Fiat::Usd, min_quantity: 1, max_quantity: None, volume_discounts: vec![] };
                if let Some((min_quantity, discount)) = vd {
                    p.volume_discounts.push(VolumeDiscount { min_quantity, discount });
                }
                let coupon = cd.map(|discount| Coupon { id: "c".into(), code: "C".into(), discount, enabled: true, product_ids: vec![], uses_left: Some(1) });
                let i = QuoteInput {
                    product_id: "p",
                    prices: &p,
                    variant_price: None,
                    quantity: qty,
                    coupon: coupon.as_ref(),
                    fee: MethodFee { percent: Decimal::new(fee_pct, 2), fixed: Decimal::new(fee_fixed, 2) },
                    tax: tax.map(|(r, inclusive)| Tax { rate: Decimal::new(r, 2), inclusive }),
                };
                let b = quote(&i).unwrap();
                prop_assert_eq!(b.lines_sum(), b.total);
                prop_assert!(b.total >= Decimal::ZERO);
                prop_assert!(b.volume_discount >= Decimal::ZERO && b.coupon_discount >= Decimal::ZERO);
                prop_assert!(b.subtotal - b.volume_discount - b.coupon_discount >= Decimal::ZERO);
                for line in [b.subtotal, b.volume_discount, b.coupon_discount, b.fee, b.total] {
                    prop_assert!(line.scale() <= 2, "{} has more than 2 decimals", line);
                    prop_assert_eq!(Fiat::Usd.round(line), line);
                }
                // The same input always gives the same quote.
                prop_assert_eq!(quote(&i).unwrap(), b);
            }

            #[test]
            fn rounding_is_idempotent(mantissa in any::<i64>(), scale in 0u32..20) {
                let d = Decimal::new(mantissa, scale);
                for f in Fiat::ALL {
                    prop_assert_eq!(f.round(f.round(d)), f.round(d));
                }
                prop_assert_eq!(ceil_dp(ceil_dp(d, 8), 8), ceil_dp(d, 8));
            }

            #[test]
            fn crypto_amount_covers_the_total(
                total in money(10_000_000),
                rate_mantissa in 1i64..10_000_000_000,
                rate_scale in 0u32..6,
                coin_ix in 0usize..4,
            ) {
                let coins = [
                    Coin::new(Asset::Btc, Network::Bitcoin),
                    Coin::new(Asset::Eth, Network::Ethereum),
                    Coin::new(Asset::Sol, Network::Solana),
                    Coin::new(Asset::Usdc, Network::Bsc),
                ];
                let coin = coins[coin_ix];
                let rate = Decimal::new(rate_mantissa, rate_scale);
                let q = to_crypto(total, Fiat::Eur, coin, Some(rate)).unwrap();
                prop_assert!(q.amount * q.rate >= total);
                prop_assert!(q.amount.scale() <= coin.quote_decimals());
                // And not more than one smallest quote unit over.
                let unit = Decimal::new(1, coin.quote_decimals());
                prop_assert!((q.amount - unit) * q.rate < total || q.amount.is_zero());
            }
        }
    }
}
