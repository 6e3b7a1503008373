//! The summary: the server's price breakdown, and what to send for a crypto method.

use leptos::prelude::*;

use crate::i18n::{k, t};
use crate::model::{Quote, is_zero};

#[component]
pub fn Summary(quote: RwSignal<Option<Quote>>) -> impl IntoView {
    move || {
        quote.get().map(|q| {
            let c = q.currency;
            // A discount, fee or tax line shows only when it is not zero.
            let line = |label: &str, sign: &'static str, amount: &str, class: &'static str, always: bool| {
                let label = t(label);
                (always || !is_zero(amount)).then(|| {
                    view! { <div class=class><span>{label}</span><span>{sign.to_owned() + amount + " " + &c}</span></div> }
                })
            };
            view! {
                <div class="quote" aria-live="polite">
                    {line(k::SUBTOTAL, "", &q.subtotal, "line", true)}
                    {line(k::VOLUME_DISCOUNT, "-", &q.volume_discount, "line", false)}
                    {line(k::COUPON_LINE, "-", &q.coupon_discount, "line", false)}
                    {line(k::FEE, "", &q.fee, "line", false)}
                    {line(if q.tax_included { k::TAX_INCLUDED } else { k::TAX }, "", &q.tax, "line", false)}
                    {line(k::TOTAL, "", &q.total, "line total", true)}
                    {q.crypto.map(|(amount, ticker)| view! {
                        <div class="line crypto"><span>{t(k::YOU_SEND)}</span><span data-amount>{amount + " " + &ticker}</span></div>
                    })}
                </div>
            }
        })
    }
}
