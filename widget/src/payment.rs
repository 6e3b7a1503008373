//! How to pay a pending order: a crypto payment's QR, amount, address and wallet link, or the
//! link to a provider's hosted page.

use leptos::prelude::*;
use shared::OrderStatus;

use crate::clipboard::CopyButton;
use crate::i18n::{k, t, tf};
use crate::intl;
use crate::live::LiveOrder;
use crate::model::trim_zeros;
use crate::{format, qr};

#[component]
pub fn CryptoPayment(order: LiveOrder, copied: RwSignal<Option<String>>) -> impl IntoView {
    let shown = std::cell::Cell::new(false);
    move || {
        let o = order.get();
        let coin = o.payment_method?.coin()?;
        if o.status != OrderStatus::Pending {
            return None;
        }
        // No address: the provider's hosted page takes the payment (the card view links it).
        let address = o.payment_address.clone()?;
        let uri = o.payment_uri.clone().unwrap_or_default();
        // Only a wallet's scheme is a link: a bare address (TRON) would be a relative link that
        // takes the seller's page away, and an empty one reloads it.
        let wallet = shared::uri::is_wallet_link(&uri).then(|| uri.clone());
        // The QR carries the URI, else the bare address. With neither there is nothing to pay
        // to, as with no address, and never a QR of an empty string.
        let text = if uri.is_empty() { address.clone() } else { uri };
        if text.is_empty() {
            return None;
        }
        let svg = qr::svg(&text).unwrap_or_default();
        if !shown.replace(true) {
            crate::events::mark_next_frame("tollgate:qr");
        }
        let amount = trim_zeros(&o.amount_remaining).to_owned();
        let ticker = coin.asset.ticker();
        Some(view! {
            <div class="pay">
                <div class="qr" role="img" aria-label=t(k::QR_LABEL) data-uri=text inner_html=svg></div>
                <p class="warning">{format::network_warning(coin)}</p>
                <p class="muted">{tf(k::RATE_HELD, &[("time", &intl::time(o.expires_at_ms))])}</p>
                <div class="copyable">
                    <span class="caption">{t(k::AMOUNT)}</span>
                    <code data-copy="amount">{amount.clone() + " " + ticker}</code>
                    <CopyButton text=amount done=copied what=k::AMOUNT_COPIED/>
                </div>
                <div class="copyable">
                    <span class="caption">{t(k::ADDRESS)}</span>
                    <code data-copy="address">{address.clone()}</code>
                    <CopyButton text=address done=copied what=k::ADDRESS_COPIED/>
                </div>
                {wallet.map(|href| view! { <a class="wallet" href=href>{t(k::OPEN_WALLET)}</a> })}
            </div>
        })
    }
}

/// A provider's hosted page (card, PayPal), opened beside the checkout.
#[component]
pub fn HostedPayment(order: LiveOrder) -> impl IntoView {
    move || {
        let o = order.get();
        let url = o.checkout_url.clone()?;
        (o.status == OrderStatus::Pending).then(|| {
            view! {
                <p>{t(k::HOSTED)}</p>
                <a class="primary button" href=url target="_blank" rel="noopener">{t(k::CONTINUE)}</a>
            }
        })
    }
}
