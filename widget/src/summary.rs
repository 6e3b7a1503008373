//! The summary: the server's price breakdown, and what to send for a crypto method.

use leptos::prelude::*;

use crate::model::{Quote, is_zero};

#[component]
pub fn Summary(quote: RwSignal<Option<Quote>>) -> impl IntoView {
    move || {
        quote.get().map(|q| {
            let c = q.currency;
            // A discount, fee or tax line shows only when it is not zero.
            let line = |label: &'static str, sign: &'static str, amount: &str, class: &'static str, always: bool| {
                (always || !is_zero(amount)).then(|| {
                    view! { <div class=class><span>{label}</span><span>{sign.to_owned() + amount + " " + &c}</span></div> }
                })
            };
            view! {
                <div class="quote" aria-live="polite">
                    {line("Subtotal", "", &q.subtotal, "line", true)}
                    {line("Volume discount", "-", &q.volume_discount, "line", false)}
                    {line("Coupon", "-", &q.coupon_discount, "line", false)}
                    {line("Payment fee", "", &q.fee, "line", false)}
                    {line(if q.tax_included { "Tax included" } else { "Tax" }, "", &q.tax, "line", false)}
                    {line("Total", "", &q.total, "line total", true)}
                    {q.crypto.map(|(amount, ticker)| view! {
                        <div class="line crypto"><span>"You send"</span><span data-amount>{amount + " " + &ticker}</span></div>
                    })}
                </div>
            }
        })
    }
}
