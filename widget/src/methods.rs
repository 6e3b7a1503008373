//! The method picker: the asset first (Bitcoin, USDT, Card …), each with its icon, then, for an
//! asset offered on several networks, the network. Both are radio groups the arrow keys drive.
//! The product's methods arrive already reduced to one per asset and network
//! (`shared::method::buyer_choices`, in `model::Product::read`).

use leptos::prelude::*;
use shared::method::AssetChoice;
use shared::{Asset, PaymentMethod};

use crate::i18n::{k, t};
use crate::model::Method;

/// Each choice's icon, drawn for this widget on a 24-unit square: a disc in a colour buyers
/// associate with the asset, and a white mark. Inline, so it costs no request.
fn icon(choice: AssetChoice) -> &'static str {
    use AssetChoice::*;
    match choice {
        Coin(Asset::Btc) => concat!(
            r##"<svg viewBox="0 0 24 24" aria-hidden="true"><circle cx="12" cy="12" r="12" fill="#f7931a"/>"##,
            r##"<path d="M9 7h4a2.5 2.5 0 0 1 0 5H9zm0 5h4.5a2.5 2.5 0 0 1 0 5H9zm2-7v2m0 10v2" fill="none" stroke="#fff" stroke-width="1.8"/></svg>"##
        ),
        Coin(Asset::Ltc) => concat!(
            r##"<svg viewBox="0 0 24 24" aria-hidden="true"><circle cx="12" cy="12" r="12" fill="#345d9d"/>"##,
            r##"<path d="M10 6v11h6M7.5 13.5l5-2" fill="none" stroke="#fff" stroke-width="2"/></svg>"##
        ),
        Coin(Asset::Eth) => concat!(
            r##"<svg viewBox="0 0 24 24" aria-hidden="true"><circle cx="12" cy="12" r="12" fill="#627eea"/>"##,
            r##"<path d="M12 4l-5 8.2 5 3 5-3zm-5 9.6l5 6.4 5-6.4-5 3z" fill="#fff"/></svg>"##
        ),
        Coin(Asset::Sol) => concat!(
            r##"<svg viewBox="0 0 24 24" aria-hidden="true"><circle cx="12" cy="12" r="12" fill="#9945ff"/>"##,
            r##"<path d="M8.5 7.5H18l-2.5 2.2H6zm-2.5 3.4h9.5l2.5 2.2H8.5zm2.5 3.4H18l-2.5 2.2H6z" fill="#fff"/></svg>"##
        ),
        Coin(Asset::Usdt) => concat!(
            r##"<svg viewBox="0 0 24 24" aria-hidden="true"><circle cx="12" cy="12" r="12" fill="#26a17b"/>"##,
            r##"<path d="M7 7h10M12 7v11M7.5 11.5c3 1 6 1 9 0" fill="none" stroke="#fff" stroke-width="2"/></svg>"##
        ),
        Coin(Asset::Usdc) => concat!(
            r##"<svg viewBox="0 0 24 24" aria-hidden="true"><circle cx="12" cy="12" r="12" fill="#2775ca"/>"##,
            r##"<path d="M15 9.2c-.4-1-1.5-1.7-3-1.7-1.8 0-3 .9-3 2.2s1.2 1.8 3 2.3 3 1 3 2.3-1.2 2.2-3 2.2c-1.5 0-2.6-.7-3-1.7M12 6v12" fill="none" stroke="#fff" stroke-width="1.6"/></svg>"##
        ),
        Card => concat!(
            r##"<svg viewBox="0 0 24 24" aria-hidden="true"><circle cx="12" cy="12" r="12" fill="#4b5563"/>"##,
            r##"<path d="M6 8h12v8H6zm0 2.5h12M8 14h3" fill="none" stroke="#fff" stroke-width="1.5"/></svg>"##
        ),
        PayPal => concat!(
            r##"<svg viewBox="0 0 24 24" aria-hidden="true"><circle cx="12" cy="12" r="12" fill="#003087"/>"##,
            r##"<path d="M9.5 18V6.5h3.5a3 3 0 0 1 0 6H9.5" fill="none" stroke="#fff" stroke-width="2"/></svg>"##
        ),
    }
}

/// The choice's name in the buyer's language (a card is the only one with words to translate).
fn name(choice: AssetChoice) -> String {
    match choice {
        AssetChoice::Card => t(k::CARD),
        other => other.name().to_owned(),
    }
}

/// The methods on offer as an asset grid, then the network where an asset has more than one.
/// Which radio is checked is the browser's own state from the first render on (the draft is
/// fitted to the product before it): a reactive `checked` per radio cost 1 KB of the download.
#[component]
pub fn MethodPicker(methods: Vec<Method>, selected: RwSignal<Option<PaymentMethod>>) -> impl IntoView {
    // The assets in the order the seller listed their first method.
    let mut assets: Vec<AssetChoice> = Vec::new();
    for m in &methods {
        if !assets.contains(&m.id.asset_choice()) {
            assets.push(m.id.asset_choice());
        }
    }
    let current = move || selected.get().map(PaymentMethod::asset_choice);
    let networks = {
        let methods = methods.clone();
        move || {
            let asset = current()?;
            let on_networks: Vec<Method> = methods.iter().filter(|m| m.id.asset_choice() == asset).cloned().collect();
            (on_networks.len() > 1).then(|| {
                view! {
                    <fieldset class="networks">
                        <legend>{t(k::NETWORK_LEGEND)}</legend>
                        {on_networks.into_iter().map(|m| {
                            let id = m.id;
                            let label = m.id.coin().map(|c| c.network_label()).unwrap_or_default();
                            view! {
                                <label class="network">
                                    <input type="radio" name="network" value=m.name
                                        checked=selected.get_untracked() == Some(id)
                                        on:change=move |_| selected.set(Some(id))/>
                                    <span>{label}</span>
                                </label>
                            }
                        }).collect_view()}
                    </fieldset>
                }
            })
        }
    };
    view! {
        <fieldset class="methods">
            <legend>{t(k::PAY_WITH)}</legend>
            <div class="assets">
                {assets.into_iter().map(|asset| {
                    // Choosing an asset takes its first network in the seller's order.
                    let first = methods.iter().find(|m| m.id.asset_choice() == asset).map(|m| m.id);
                    view! {
                        <label class="asset">
                            <input type="radio" name="asset" value=asset.key()
                                checked=untrack(current) == Some(asset)
                                on:change=move |_| selected.set(first)/>
                            <span class="icon" inner_html=icon(asset)></span>
                            <span>{name(asset)}</span>
                        </label>
                    }
                }).collect_view()}
            </div>
            {networks}
        </fieldset>
    }
}
