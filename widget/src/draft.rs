//! What the buyer has chosen and typed, and the request bodies made of it. It lives as long as
//! the checkout, so the form shown again after an expired order starts from it.

use leptos::prelude::*;
use shared::PaymentMethod;
use wasm_bindgen::JsValue;

use crate::model::{self, Product};
use crate::options::Options;

#[derive(Clone, Copy)]
pub struct Draft {
    pub email: RwSignal<String>,
    pub variant: RwSignal<Option<String>>,
    pub quantity: RwSignal<u32>,
    pub coupon: RwSignal<String>,
    pub method: RwSignal<Option<PaymentMethod>>,
}

impl Draft {
    /// What the seller's button asked for; the product fits it later.
    pub fn new(options: &Options) -> Draft {
        Draft {
            email: RwSignal::new(options.email.clone().unwrap_or_default()),
            variant: RwSignal::new(options.variant.clone()),
            quantity: RwSignal::new(options.quantity.unwrap_or(0)),
            coupon: RwSignal::new(options.coupon.clone().unwrap_or_default()),
            method: RwSignal::new(None),
        }
    }

    /// At least the product's least quantity, its first variant unless one was asked for, and
    /// the `preferred` method, else the product's first. A preferred method the buyer is not
    /// shown (`flexpay_BTC` where `crypto_btc` comes first) picks the choice of the same asset
    /// and network.
    pub fn fit(self, p: &Product, preferred: Option<&str>) {
        if self.quantity.get_untracked() < p.min_quantity {
            self.quantity.set(p.min_quantity);
        }
        if self.variant.get_untracked().is_none() {
            self.variant.set(p.variants.first().map(|v| v.id.clone()));
        }
        let wanted = preferred.and_then(|m| m.parse::<PaymentMethod>().ok());
        let offered = wanted.and_then(|w| {
            p.methods.iter().find(|m| m.id.asset_choice() == w.asset_choice() && m.id.coin() == w.coin())
        });
        let kept = self.method.get_untracked().filter(|m| p.methods.iter().any(|v| v.id == *m));
        self.method.set(offered.map(|m| m.id).or(kept).or(p.methods.first().map(|m| m.id)));
    }

    /// The body of a quote request, or of an order when `with_email`; read in a reactive
    /// context, it tracks every field it reads.
    pub fn body(self, p: &Product, with_email: bool) -> String {
        let coupon = self.coupon.get();
        let coupon = coupon.trim();
        let mut fields = vec![
            ("product_id", Some(JsValue::from(p.id.as_str()))),
            (
                "payment_method",
                self.method.get().and_then(|m| p.methods.iter().find(|v| v.id == m)).map(|v| v.name.as_str().into()),
            ),
            ("quantity", Some(self.quantity.get().into())),
            ("variant_id", self.variant.get().map(JsValue::from)),
            ("coupon_code", (!coupon.is_empty()).then(|| coupon.into())),
        ];
        if with_email {
            fields.push(("buyer_email", Some(self.email.get().trim().into())));
        }
        model::body(&fields)
    }
}
