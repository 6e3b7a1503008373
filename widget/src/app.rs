//! The checkout: product and form, method picker, order creation, then the payment screen.

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::wire::is_valid_email;
use shared::{OrderStatus, PaymentMethod};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::HtmlElement;

use crate::api::{self, ApiError};
use crate::model::{self, Method, Order, Product, Quote, is_zero};
use crate::pay::PayScreen;
use crate::{Options, events};

/// What every part of the checkout reaches: the API, where events go, how to close.
#[derive(Clone)]
pub struct Env {
    pub api: String,
    pub events: HtmlElement,
    pub on_close: Option<js_sys::Function>,
    pub modal: bool,
}

pub type EnvStore = StoredValue<Env, LocalStorage>;

pub fn emit(env: EnvStore, name: &str, detail: &JsValue) {
    env.with_value(|e| events::dispatch(&e.events, name, detail));
}

fn emit_error(env: EnvStore, e: &ApiError) {
    let detail = model::object(&[("code", Some(e.code.as_str().into())), ("message", Some(e.message.as_str().into()))]);
    emit(env, "error", &detail);
}

fn close(env: EnvStore) {
    env.with_value(|e| {
        if let Some(f) = &e.on_close {
            let _ = f.call0(&wasm_bindgen::JsValue::NULL);
        }
    });
}

/// A fresh idempotency key: 128 random bits from the browser.
fn new_key() -> String {
    let mut bytes = [0u8; 16];
    if let Some(c) = web_sys::window().and_then(|w| w.crypto().ok()) {
        let _ = c.get_random_values_with_u8_array(&mut bytes);
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn group_name(g: shared::method::MethodGroup) -> &'static str {
    use shared::method::MethodGroup::*;
    match g {
        Crypto => "Crypto",
        Usdt => "USDT",
        Usdc => "USDC",
        Card => "Card & PayPal",
    }
}

#[component]
pub fn Checkout(options: Options, env: EnvStore) -> impl IntoView {
    let product = RwSignal::new(None::<Product>);
    let load_error = RwSignal::new(None::<String>);
    let email = RwSignal::new(options.email.clone().unwrap_or_default());
    let variant = RwSignal::new(options.variant.clone());
    let quantity = RwSignal::new(options.quantity.unwrap_or(0));
    let coupon = RwSignal::new(options.coupon.clone().unwrap_or_default());
    let method = RwSignal::new(None::<PaymentMethod>);
    let quote = RwSignal::new(None::<Quote>);
    // The quote's refusals by field (a coupon that does not apply), beside the form's own.
    let quote_errors = RwSignal::new(Vec::<(String, String)>::new());
    let field_errors = RwSignal::new(Vec::<(String, String)>::new());
    let form_error = RwSignal::new(None::<String>);
    let submitting = RwSignal::new(false);
    // One key per order body: a retry of the same form after a 5xx or a lost answer resumes the
    // order the first try may have made; a changed form is a new order.
    let idem_key = RwSignal::new(String::new());
    let idem_body = RwSignal::new(String::new());
    let order = RwSignal::new(None::<Order>);
    let product_id = options.product.clone().unwrap_or_default();
    let preferred_method = options.method.clone();

    // Load the product once.
    {
        let api = env.with_value(|e| e.api.clone());
        let id = product_id.clone();
        spawn_local(async move {
            match api::product(&api, &id).await {
                Ok(p) => {
                    if quantity.get_untracked() < p.min_quantity {
                        quantity.set(p.min_quantity);
                    }
                    if variant.get_untracked().is_none() {
                        variant.set(p.variants.first().map(|v| v.id.clone()));
                    }
                    let wanted = preferred_method.as_deref().and_then(|m| m.parse::<PaymentMethod>().ok());
                    if let Some(m) = wanted.filter(|m| p.methods.iter().any(|v| v.id == *m)) {
                        method.set(Some(m));
                    }
                    product.set(Some(p));
                }
                Err(e) => {
                    emit_error(env, &e);
                    load_error.set(Some(e.message));
                }
            }
        });
    }

    // The server's quote, refreshed whenever what it depends on changes; stale answers dropped.
    let quote_seq = StoredValue::new(0u64);
    Effect::new(move |_| {
        let (Some(p), Some(m)) = (product.get(), method.get()) else { return };
        let body = request_body(&p, Some(m), quantity.get(), variant.get(), &coupon.get(), None);
        quote_seq.update_value(|s| *s += 1);
        let seq = quote_seq.get_value();
        let api = env.with_value(|e| e.api.clone());
        spawn_local(async move {
            let result = api::quote(&api, body).await;
            if quote_seq.get_value() != seq {
                return;
            }
            match result {
                Ok(q) => {
                    quote.set(Some(q));
                    quote_errors.set(vec![]);
                }
                Err(e) => {
                    quote.set(None);
                    quote_errors.set(e.fields.iter().map(|f| (f.clone(), e.message.clone())).collect());
                }
            }
        });
    });

    let error_for =
        move |field: &'static str| move || field_errors.get().into_iter().find(|(f, _)| f == field).map(|(_, m)| m);

    let submit = move || {
        if submitting.get_untracked() {
            return; // a double click makes one order
        }
        let mut errors = Vec::new();
        if !is_valid_email(email.get_untracked().trim()) {
            errors.push(("buyer_email".to_owned(), "Enter a valid email address.".to_owned()));
        }
        if method.get_untracked().is_none() {
            errors.push(("payment_method".to_owned(), "Choose how to pay.".to_owned()));
        }
        field_errors.set(errors.clone());
        if !errors.is_empty() {
            return;
        }
        let Some(p) = product.get_untracked() else { return };
        let body = request_body(
            &p,
            method.get_untracked(),
            quantity.get_untracked(),
            variant.get_untracked(),
            &coupon.get_untracked(),
            Some(email.get_untracked().trim()),
        );
        if idem_body.get_untracked() != body {
            idem_body.set(body.clone());
            idem_key.set(new_key());
        }
        submitting.set(true);
        form_error.set(None);
        let api = env.with_value(|e| e.api.clone());
        let key = idem_key.get_untracked();
        spawn_local(async move {
            match api::create_order(&api, body, &key).await {
                Ok(o) => {
                    emit(env, "order", &o.to_js());
                    order.set(Some(o));
                }
                Err(e) => {
                    if e.status == 422 && !e.fields.is_empty() {
                        field_errors.set(e.fields.iter().map(|f| (f.clone(), e.message.clone())).collect());
                    } else {
                        form_error.set(Some(e.message.clone()));
                    }
                    emit_error(env, &e);
                }
            }
            submitting.set(false);
        });
    };

    let restart = move || {
        order.set(None);
        idem_body.set(String::new()); // the same form again is a new order now
    };

    let form = move || {
        let Some(p) = product.get() else {
            return match load_error.get() {
                Some(msg) => view! { <p class="error" role="alert">{msg}</p> }.into_any(),
                None => view! { <p class="muted">"Loading…"</p> }.into_any(),
            };
        };
        let variants = p.variants.clone();
        let has_variants = !variants.is_empty();
        let methods = p.methods.clone();
        let min_q = p.min_quantity;
        let max_q = p.max_quantity;
        view! {
            <p class="description">{p.description.clone()}</p>
            {(!p.in_stock).then(|| view! { <p class="error" role="alert">"Sold out."</p> })}
            <form novalidate on:submit=move |ev| { ev.prevent_default(); submit(); }>
                {has_variants.then(|| view! {
                    <label>"Option"
                        <select name="variant" on:change=move |ev| variant.set(Some(event_target_value(&ev)))>
                            {variants.iter().map(|v| {
                                let id = v.id.clone();
                                let selected = variant.get_untracked().as_deref() == Some(id.as_str());
                                view! { <option value=id.clone() selected=selected>{format!("{} · {}", v.name, v.price)}</option> }
                            }).collect_view()}
                        </select>
                    </label>
                })}
                <label>"Quantity"
                    <input type="number" name="quantity" min=min_q max=max_q inputmode="numeric"
                        prop:value=move || quantity.get().to_string()
                        on:change=move |ev| {
                            let n = event_target_value(&ev).parse::<u32>().unwrap_or(min_q).max(min_q);
                            quantity.set(max_q.map_or(n, |m| n.min(m)));
                        }/>
                </label>
                <label>"Email for your receipt and delivery"
                    <input type="email" name="email" autocomplete="email" required
                        aria-invalid=move || error_for("buyer_email")().is_some().to_string()
                        prop:value=move || email.get()
                        on:input=move |ev| email.set(event_target_value(&ev))/>
                </label>
                {move || error_for("buyer_email")().map(|m| view! { <p class="error field" data-field="buyer_email">{m}</p> })}
                <label>"Coupon"
                    <input type="text" name="coupon" autocomplete="off" prop:value=move || coupon.get()
                        on:change=move |ev| coupon.set(event_target_value(&ev))/>
                </label>
                {move || error_for("coupon_code")().or_else(|| quote_errors.get().into_iter().find(|(f, _)| f == "coupon_code").map(|(_, m)| m))
                    .map(|m| view! { <p class="error field" data-field="coupon_code">{m}</p> })}
                <MethodPicker methods=methods selected=method/>
                {move || error_for("payment_method")().map(|m| view! { <p class="error field" data-field="payment_method">{m}</p> })}
                {move || error_for("quantity")().map(|m| view! { <p class="error field" data-field="quantity">{m}</p> })}
                <QuoteLines quote=quote/>
                {move || form_error.get().map(|m| view! { <p class="error" role="alert">{m}</p> })}
                <button type="submit" class="primary" disabled=move || submitting.get() || !p.in_stock>
                    {move || if submitting.get() { "Creating your order…" } else { "Continue to payment" }}
                </button>
            </form>
        }
        .into_any()
    };

    let title = move || product.get().map(|p| p.name).unwrap_or_else(|| "Checkout".into());
    let modal = env.with_value(|e| e.modal);
    let body = move || match order.get() {
        Some(o) => view! { <PayScreen order=o env=env restart=restart/> }.into_any(),
        None => form().into_any(),
    };
    let sandbox = move || {
        product.get().is_some_and(|p| p.sandbox).then(|| {
            view! { <p class="sandbox" role="note">"Test mode — do not send real funds."</p> }
        })
    };
    let dialog_ref = NodeRef::<leptos::html::Div>::new();
    Effect::new(move |_| {
        if let Some(el) = dialog_ref.get() {
            let _ = el.focus();
        }
    });
    // A modal closes on Escape wherever focus is, and Tab stays inside it.
    if modal {
        let handle = window_event_listener(leptos::ev::keydown, move |ev| {
            if ev.key() == "Escape" {
                ev.prevent_default();
                close(env);
            } else if ev.key() == "Tab"
                && let Some(dialog) = dialog_ref.get_untracked()
            {
                trap_focus(&dialog, &ev);
            }
        });
        on_cleanup(move || handle.remove());
    }
    view! {
        <div class=if modal { "overlay" } else { "inline" } on:click=move |ev| {
            if modal && ev.target() == ev.current_target() { close(env); }
        }>
            <div class="dialog" node_ref=dialog_ref tabindex="-1" role=if modal { "dialog" } else { "region" }
                aria-modal=if modal { "true" } else { "false" } aria-labelledby="tg-title">
                <header>
                    <h2 id="tg-title">{title}</h2>
                    {modal.then(|| view! { <button type="button" class="close" aria-label="Close" on:click=move |_| close(env)>"×"</button> })}
                </header>
                {sandbox}
                {body}
            </div>
        </div>
    }
}

/// Keeps Tab and Shift-Tab inside the dialog.
fn trap_focus(dialog: &HtmlElement, ev: &web_sys::KeyboardEvent) {
    let Ok(list) = dialog.query_selector_all("button:not([disabled]), a[href], input, select, [tabindex='0']") else {
        return;
    };
    let items: Vec<HtmlElement> =
        (0..list.length()).filter_map(|i| list.item(i)?.dyn_into::<HtmlElement>().ok()).collect();
    let (Some(first), Some(last)) = (items.first(), items.last()) else { return };
    let root = dialog.get_root_node();
    let active =
        js_sys::Reflect::get(&root, &"activeElement".into()).ok().and_then(|a| a.dyn_into::<HtmlElement>().ok());
    let at = |el: &HtmlElement| active.as_ref().is_some_and(|a| a == el);
    if ev.shift_key() && (at(first) || active.is_none()) {
        ev.prevent_default();
        let _ = last.focus();
    } else if !ev.shift_key() && at(last) {
        ev.prevent_default();
        let _ = first.focus();
    }
}

/// The methods on offer, grouped, as one radio group the keyboard can drive.
#[component]
fn MethodPicker(methods: Vec<Method>, selected: RwSignal<Option<PaymentMethod>>) -> impl IntoView {
    let groups = [
        shared::method::MethodGroup::Crypto,
        shared::method::MethodGroup::Usdt,
        shared::method::MethodGroup::Usdc,
        shared::method::MethodGroup::Card,
    ];
    view! {
        <fieldset class="methods">
            <legend>"Pay with"</legend>
            {groups.into_iter().filter_map(|g| {
                let in_group: Vec<Method> = methods.iter().filter(|m| m.group == g).cloned().collect();
                (!in_group.is_empty()).then(|| view! {
                    <div class="group" role="group" aria-label=group_name(g)>
                        <span class="group-name">{group_name(g)}</span>
                        {in_group.into_iter().map(|m| {
                            let id = m.id;
                            // Token labels name their network ("USDT · TRON (TRC20)"), so it is always in view.
                            view! {
                                <label class="method" class:checked=move || selected.get() == Some(id)>
                                    <input type="radio" name="payment_method" value=id.to_string()
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

/// The server's price breakdown.
#[component]
fn QuoteLines(quote: RwSignal<Option<Quote>>) -> impl IntoView {
    move || {
        quote.get().map(|q| {
            let c = q.currency;
            // A discount or fee line shows only when it is not zero.
            let line = |label: &'static str, sign: &'static str, amount: &str, class: &'static str, always: bool| {
                (always || !is_zero(amount)).then(|| {
                    view! { <div class=class><span>{label}</span><span>{format!("{sign}{amount} {c}")}</span></div> }
                })
            };
            view! {
                <div class="quote" aria-live="polite">
                    {line("Subtotal", "", &q.subtotal, "line", true)}
                    {line("Volume discount", "-", &q.volume_discount, "line", false)}
                    {line("Coupon", "-", &q.coupon_discount, "line", false)}
                    {line("Payment fee", "", &q.fee, "line", false)}
                    {line("Total", "", &q.total, "line total", true)}
                    {q.crypto.map(|(amount, ticker)| view! {
                        <div class="line crypto"><span>"You send"</span><span data-amount>{format!("{amount} {ticker}")}</span></div>
                    })}
                </div>
            }
        })
    }
}

/// The body of a quote request, or of an order when `email` is given.
fn request_body(
    p: &Product,
    method: Option<PaymentMethod>,
    quantity: u32,
    variant: Option<String>,
    coupon: &str,
    email: Option<&str>,
) -> String {
    let coupon = coupon.trim();
    let mut fields = vec![
        ("product_id", Some(JsValue::from(p.id.as_str()))),
        ("payment_method", method.map(|m| m.to_string().into())),
        ("quantity", Some(quantity.into())),
        ("variant_id", variant.map(JsValue::from)),
        ("coupon_code", (!coupon.is_empty()).then(|| coupon.into())),
    ];
    if let Some(email) = email {
        fields.push(("buyer_email", Some(email.into())));
    }
    model::body(&fields)
}

/// Whether the widget should keep polling an order in this status.
pub fn is_live(status: OrderStatus) -> bool {
    !status.is_final()
}
