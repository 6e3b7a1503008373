//! The method picker: the product's payment methods in their groups, one radio group.

use leptos::prelude::*;
use shared::PaymentMethod;
use shared::method::MethodGroup;

use crate::i18n::{k, t};
use crate::model::Method;

fn group_name(g: MethodGroup) -> String {
    use MethodGroup::*;
    match g {
        Crypto => t(k::GROUP_CRYPTO),
        Usdt => "USDT".into(),
        Usdc => "USDC".into(),
        Card => t(k::GROUP_CARD),
    }
}

/// The methods on offer, grouped, as one radio group the keyboard can drive.
#[component]
pub fn MethodPicker(methods: Vec<Method>, selected: RwSignal<Option<PaymentMethod>>) -> impl IntoView {
    let groups = [MethodGroup::Crypto, MethodGroup::Usdt, MethodGroup::Usdc, MethodGroup::Card];
    view! {
        <fieldset class="methods">
            <legend>{t(k::PAY_WITH)}</legend>
            {groups.into_iter().filter_map(|g| {
                let in_group: Vec<Method> = methods.iter().filter(|m| m.group == g).cloned().collect();
                (!in_group.is_empty()).then(|| view! {
                    <div class="group" role="group" aria-label=group_name(g)>
                        <span class="group-name">{group_name(g)}</span>
                        {in_group.into_iter().map(|m| {
                            let (id, name) = (m.id, m.name.clone());
                            // Token labels name their network ("USDT · TRON (TRC20)"), so it is always in view.
                            view! {
                                <label class="method" class:checked=move || selected.get() == Some(id)>
                                    <input type="radio" name="payment_method" value=name
                                        prop:checked=move || selected.get() == Some(id)
                                        on:change=move |_| selected.set(Some(id))/>
                                    <span class="label">{m.label.clone()}</span>
                                </label>
                            }
                        }).collect_view()}
                    </div>
                })
            }).collect_view()}
        </fieldset>
    }
}
