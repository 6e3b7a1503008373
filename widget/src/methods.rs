//! The method picker: the product's payment methods in their groups, one radio group.

use leptos::prelude::*;
use shared::PaymentMethod;
use shared::method::MethodGroup;

use crate::model::Method;

fn group_name(g: MethodGroup) -> &'static str {
    use MethodGroup::*;
    match g {
        Crypto => "Crypto",
        Usdt => "USDT",
        Usdc => "USDC",
        Card => "Card & PayPal",
    }
}

/// The methods on offer, grouped, as one radio group the keyboard can drive.
#[component]
pub fn MethodPicker(methods: Vec<Method>, selected: RwSignal<Option<PaymentMethod>>) -> impl IntoView {
    let groups = [MethodGroup::Crypto, MethodGroup::Usdt, MethodGroup::Usdc, MethodGroup::Card];
    view! {
        <fieldset class="methods">
            <legend>"Pay with"</legend>
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
