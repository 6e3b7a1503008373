//! Price summaries: the live quote's breakdown on the form, and on the payment screen what the
//! order is for, its lines as priced, and for crypto the amount with its rate.

use leptos::prelude::*;

use crate::format::num;
use crate::i18n::{Key, k, t, tf};
use crate::intl;
use crate::live::LiveOrder;
use crate::model::{Quote, is_zero, trim_zeros};

/// The breakdown's lines (a discount, fee or tax line only when it is not zero), and what to
/// send for a crypto method. Fiat in the buyer's locale; the crypto amount exactly.
fn lines(q: Quote) -> impl IntoView {
    let c = q.currency;
    let line = |label: Key, sign: &'static str, amount: &str, class: &'static str, always: bool| {
        let label = t(label);
        (always || !is_zero(amount)).then(|| {
            view! { <div class=class><span>{label}</span><span>{sign.to_owned() + &intl::money(amount, &c)}</span></div> }
        })
    };
    view! {
        {line(k::SUBTOTAL, "", &q.subtotal, "line", true)}
        {line(k::VOLUME_DISCOUNT, "-", &q.volume_discount, "line", false)}
        {line(k::COUPON_LINE, "-", &q.coupon_discount, "line", false)}
        {line(k::FEE, "", &q.fee, "line", false)}
        {line(if q.tax_included { k::TAX_INCLUDED } else { k::TAX }, "", &q.tax, "line", false)}
        {line(k::TOTAL, "", &q.total, "line total", true)}
        {q.crypto.map(|(amount, ticker)| view! {
            <div class="line crypto"><span>{t(k::YOU_SEND)}</span><span data-amount>{trim_zeros(&amount).to_owned() + " " + &ticker}</span></div>
        })}
    }
}

/// The form's summary, following the live quote.
#[component]
pub fn Summary(quote: RwSignal<Option<Quote>>) -> impl IntoView {
    move || quote.get().map(|q| view! { <div class="quote" aria-live="polite">{lines(q)}</div> })
}

/// What the order is for (product, variant, quantity), its lines as priced when it was made,
/// the rate, and its number. How long the rate holds is said beside the payment, while it is
/// unpaid.
#[component]
pub fn OrderSummary(order: LiveOrder) -> impl IntoView {
    let o = order.get_untracked();
    let mut item = o.product_name.clone();
    if let Some(v) = &o.variant_name {
        item = item + " · " + v;
    }
    if o.quantity != 1 {
        item = item + " × " + &num(o.quantity.into());
    }
    let mut priced = o.breakdown.clone();
    if let (Some(q), Some(amount), Some(ticker)) = (priced.as_mut(), &o.crypto_amount, &o.crypto_currency) {
        q.crypto = Some((amount.clone(), ticker.clone()));
    }
    let rate = o.exchange_rate.as_ref().zip(o.crypto_currency.as_ref()).map(|(rate, unit)| {
        // "1 BTC = $66,461.25" reads left to right inside any sentence (first-strong isolate).
        let equation = "\u{2068}1 ".to_owned() + unit + " = " + &intl::money(rate, &o.currency) + "\u{2069}";
        view! { <p class="muted">{tf(k::RATE, &[("rate", &equation)])}</p> }
    });
    view! {
        <div class="quote order-summary">
            <p class="item">{item}</p>
            // The form's own summary, given the order's lines: one copy of their code, not two.
            <Summary quote=RwSignal::new(priced)/>
            {rate}
            <p class="muted" data-order-number=o.order_number.clone()>{tf(k::ORDER_NUMBER, &[("order", &o.order_number)])}</p>
        </div>
    }
}
