//! How an order ended, where there is more to show than its status: a completed order's number
//! and purchase, and a new start after an expired one.

use leptos::either::Either;
use leptos::prelude::*;
use shared::OrderStatus;

use crate::clipboard::CopyButton;
use crate::i18n::{k, t, tf};
use crate::live::LiveOrder;

#[component]
pub fn Outcome(
    order: LiveOrder,
    copied: RwSignal<Option<String>>,
    restart: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    // `Either`, not `into_any()`: see the checkout's body.
    move || {
        let o = order.get();
        match o.status {
            OrderStatus::Completed => {
                let content = o.delivered_content.clone().unwrap_or_default();
                Some(Either::Left(view! {
                    <div class="done">
                        <p data-receipt-for>{tf(k::RECEIPT_FOR, &[("email", &o.buyer_email)])}</p>
                        {(!content.is_empty()).then(|| view! {
                            <p class="caption">{t(k::PURCHASE)}</p>
                            <pre class="delivered" data-delivered>{content.clone()}</pre>
                            <CopyButton text=content done=copied what=k::COPIED/>
                        })}
                    </div>
                }))
            }
            OrderStatus::Expired => Some(Either::Right(view! {
                <button type="button" class="primary" on:click=move |_| restart()>{t(k::NEW_ORDER)}</button>
            })),
            _ => None,
        }
    }
}
