//! The catalog reader on any text. Never a panic; a catalog it accepts has what every order
//! relies on: products with a positive price and quantity bounds in order.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rust_decimal::Decimal;
use worker_app::catalog;

fuzz_target!(|text: &str| {
    if let Ok(c) = catalog::parse(text) {
        assert!(c.invoice_minutes >= 1);
        for p in &c.products {
            assert!(p.prices.price >= Decimal::ZERO, "{}", p.id);
            if let Some(max) = p.prices.max_quantity {
                assert!(max >= p.prices.min_quantity, "{}", p.id);
            }
        }
    }
});
