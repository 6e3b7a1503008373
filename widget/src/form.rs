//! The order form: the product's options, the buyer's email, coupon and method, the live quote,
//! and creating the order.

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::wire::is_valid_email;

use crate::api;
use crate::draft::Draft;
use crate::env::EnvStore;
use crate::format::num;
use crate::i18n::{k, t};
use crate::methods::MethodPicker;
use crate::model::{Order, Product};
use crate::quote::LiveQuote;
use crate::summary::Summary;

/// Messages by field: the form's own checks, the server's refusals.
type FieldErrors = RwSignal<Vec<(String, String)>>;

fn message(errors: FieldErrors, field: &str) -> Option<String> {
    errors.with(|e| e.iter().find(|(f, _)| f == field).map(|(_, m)| m.clone()))
}

/// A fresh idempotency key: 128 random bits from the browser, in hex.
fn new_key() -> String {
    let mut bytes = [0u8; 16];
    if let Some(c) = web_sys::window().and_then(|w| w.crypto().ok()) {
        let _ = c.get_random_values_with_u8_array(&mut bytes);
    }
    let hex = |d: u8| char::from(b"0123456789abcdef"[usize::from(d)]);
    bytes.iter().flat_map(|b| [hex(b >> 4), hex(b & 15)]).collect()
}

/// Sets `order` once the worker has made it.
#[component]
pub fn OrderForm(
    product: Product,
    draft: Draft,
    quote: LiveQuote,
    order: RwSignal<Option<Order>>,
    env: EnvStore,
) -> impl IntoView {
    let field_errors = RwSignal::new(Vec::new());
    let form_error = RwSignal::new(None::<String>);
    let submitting = RwSignal::new(false);
    // One key per order body: a retry of the same form after a 5xx or a lost answer resumes the
    // order the first try may have made; a changed form is a new order.
    let idem_key = RwSignal::new(String::new());
    let idem_body = RwSignal::new(String::new());
    let in_stock = product.in_stock;

    let submit = {
        let product = product.clone();
        move || {
            if submitting.get_untracked() {
                return; // a double click makes one order
            }
            // After a quote that could not be had, Try again asks for it anew: no order is sent
            // for a price the buyer has not seen. Its words stay until the answer, so no second
            // click sends an order meanwhile.
            if quote.failed.get_untracked().is_some() {
                draft.method.notify();
                return;
            }
            let mut errors = Vec::new();
            if !is_valid_email(draft.email.get_untracked().trim()) {
                errors.push(("buyer_email".to_owned(), t(k::FIELD_EMAIL)));
            }
            if draft.method.get_untracked().is_none() {
                errors.push(("payment_method".to_owned(), t(k::FIELD_METHOD)));
            }
            if !errors.is_empty() {
                field_errors.set(errors);
                return;
            }
            let body = untrack(|| draft.body(&product, true));
            if idem_body.get_untracked() != body {
                idem_body.set(body.clone());
                idem_key.set(new_key());
            }
            // Sent before the page changes: the form's updates below would otherwise run first.
            let answer = api::create_order(&env.api(), body, &idem_key.get_untracked());
            field_errors.set(Vec::new());
            submitting.set(true);
            form_error.set(None);
            // A plain task: an `Action` would add 5.3 KB to the download.
            spawn_local(async move {
                match answer.await {
                    Ok(o) => {
                        env.emit("order", &o.to_js());
                        order.set(Some(o));
                    }
                    Err(e) => {
                        // Never the server's English or the browser's raw error: the buyer's
                        // language, by code. The button sends the same order again.
                        if e.status == 422 && !e.fields.is_empty() {
                            // A refused field the form has no input beside (the variant, or one
                            // it never shows) is said above the button, not lost.
                            let messages = e.field_messages();
                            let elsewhere = messages.iter().find(|(f, _)| !PLACED.contains(&f.as_str()));
                            form_error.set(elsewhere.map(|(_, m)| m.clone()));
                            field_errors.set(messages);
                        } else {
                            form_error.set(Some(e.text()));
                        }
                        env.emit_error(&e);
                    }
                }
                submitting.set(false);
            });
        }
    };

    view! {
        <p class="description">{product.description.clone()}</p>
        {(!in_stock).then(|| view! { <p class="error" role="alert">{t(k::SOLD_OUT)}</p> })}
        <form novalidate on:submit=move |ev| { ev.prevent_default(); submit(); }>
            <Inputs product=product.clone() draft errors=field_errors quote_errors=quote.errors/>
            <MethodPicker methods=product.methods selected=draft.method/>
            <FieldError field="payment_method" errors=field_errors/>
            <FieldError field="quantity" errors=field_errors/>
            <Summary quote=quote.quote/>
            {move || form_error.get().or_else(|| quote.failed.get()).map(|m| view! { <p class="error" role="alert">{m}</p> })}
            // After a failure, in words above, the one button is Try again.
            <button type="submit" class="primary" disabled=move || submitting.get() || !in_stock>
                {move || {
                    let failed = form_error.get().is_some() || quote.failed.get().is_some();
                    t(if submitting.get() { k::SUBMITTING } else if failed { k::RETRY } else { k::SUBMIT })
                }}
            </button>
        </form>
    }
}

/// The variant, quantity, email and coupon inputs, bound to the draft.
#[component]
fn Inputs(product: Product, draft: Draft, errors: FieldErrors, quote_errors: FieldErrors) -> impl IntoView {
    let (min_q, max_q) = (product.min_quantity, product.max_quantity);
    let variants = (!product.variants.is_empty()).then(|| {
        view! {
            <label>{t(k::OPTION)}
                <select name="variant" on:change=move |ev| draft.variant.set(Some(event_target_value(&ev)))>
                    {product.variants.into_iter().map(|v| {
                        let selected = draft.variant.get_untracked().as_deref() == Some(v.id.as_str());
                        let price = crate::intl::money(&v.price, &product.currency);
                        view! { <option value=v.id selected=selected>{v.name + " · " + &price}</option> }
                    }).collect_view()}
                </select>
            </label>
        }
    });
    view! {
        {variants}
        <label>{t(k::QUANTITY)}
            <input type="number" name="quantity" min=num(min_q.into()) max=max_q.map(|m| num(m.into()))
                inputmode="numeric" prop:value=move || num(draft.quantity.get().into())
                on:change=move |ev| {
                    let n = event_target_value(&ev).parse::<u32>().unwrap_or(min_q).max(min_q);
                    draft.quantity.set(max_q.map_or(n, |m| n.min(m)));
                }/>
        </label>
        <label>{t(k::EMAIL)}
            <input type="email" name="email" autocomplete="email" required
                aria-invalid=move || if message(errors, "buyer_email").is_some() { "true" } else { "false" }
                prop:value=move || draft.email.get()
                on:input=move |ev| draft.email.set(event_target_value(&ev))/>
        </label>
        <FieldError field="buyer_email" errors/>
        <label>{t(k::COUPON)}
            <input type="text" name="coupon" autocomplete="off" prop:value=move || draft.coupon.get()
                on:change=move |ev| draft.coupon.set(event_target_value(&ev))/>
        </label>
        // A coupon the quote refused shows before the order is tried.
        <FieldError field="coupon_code" errors also=quote_errors/>
    }
}

/// The fields the form shows a refusal beside.
const PLACED: [&str; 4] = ["buyer_email", "payment_method", "quantity", "coupon_code"];

/// The message for `field`, from `errors` or else from `also`.
#[component]
fn FieldError(field: &'static str, errors: FieldErrors, #[prop(optional)] also: Option<FieldErrors>) -> impl IntoView {
    move || {
        message(errors, field)
            .or_else(|| also.and_then(|a| message(a, field)))
            .map(|m| view! { <p class="error field" data-field=field>{m}</p> })
    }
}
