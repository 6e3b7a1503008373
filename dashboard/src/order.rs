//! One order: its facts, each payment seen, its timeline (every event, with each webhook
//! delivery's attempts and a redeliver button), what was delivered, and the actions its status
//! allows.

use leptos::prelude::*;
use serde_json::{Value, json};

use crate::api::{self, Body};
use crate::deliveries;
use crate::i18n::{t, tf};
use crate::ui::field as s;
use crate::ui::{self, Status};

/// What the seller may set an order to from `status`; the API decides in the end.
pub fn actions(status: &str) -> &'static [&'static str] {
    match status {
        "pending" | "confirming" => &["completed", "cancelled"],
        "completed" => &["refunded"],
        _ => &[],
    }
}

#[component]
pub fn OrderDetail(id: String) -> impl IntoView {
    let version = RwSignal::new(0u32);
    let error = RwSignal::new(None::<String>);
    let order_id = id.clone();
    let data = LocalResource::new(move || {
        version.track();
        let id = order_id.clone();
        async move {
            let order = api::call("GET", &format!("/v1/orders/{id}"), None).await?;
            let events = api::call("GET", &format!("/v1/orders/{id}/events"), None).await?;
            Ok::<_, api::ApiError>((order["data"].clone(), events["data"].as_array().cloned().unwrap_or_default()))
        }
    });
    let act = {
        let id = id.clone();
        move |status: &'static str| {
            let id = id.clone();
            leptos::task::spawn_local(async move {
                match api::call("PATCH", &format!("/v1/orders/{id}"), Some(Body::Json(json!({"status": status})))).await
                {
                    Ok(_) => {
                        error.set(None);
                        version.update(|v| *v += 1);
                    }
                    Err(e) => error.set(Some(ui::describe(&e))),
                }
            });
        }
    };
    let redeliver = {
        let id = id.clone();
        move |event: String| {
            let id = id.clone();
            leptos::task::spawn_local(async move {
                match api::redeliver(&id, &event).await {
                    Ok(()) => version.update(|v| *v += 1),
                    Err(e) => error.set(Some(ui::describe(&e))),
                }
            });
        }
    };
    view! {
        <p><a href="#/orders">{t("order.back")}</a></p>
        <ui::ErrorText error/>
        {ui::answer(data, move |(o, events)| {
                    let act = act.clone();
                    let redeliver = redeliver.clone();
                    let status = s(&o, "status");
                    view! {
                        <h1>{tf("order.title", &[("number", &s(&o, "order_number"))])} " " <Status status=status.clone()/></h1>
                        <div class="actions">
                            {actions(&status).iter().map(|to| {
                                let act = act.clone();
                                let to = *to;
                                view! { <button on:click=move |_| act(to) data-action=to>{t(&format!("order.set.{to}"))}</button> }
                            }).collect_view()}
                        </div>
                        <Facts o=o.clone()/>
                        <h2>{t("order.payments")}</h2>
                        <Payments payments=o["payments"].as_array().cloned().unwrap_or_default() currency=s(&o, "crypto_currency")/>
                        <h2>{t("order.timeline")}</h2>
                        <ol class="timeline">
                            {events.into_iter().map(|e| {
                                let redeliver = redeliver.clone();
                                let event_id = s(&e, "id");
                                let deliveries = e["deliveries"].as_array().cloned().unwrap_or_default();
                                view! {
                                    <li>
                                        <time>{ui::when(&s(&e, "created_at"))}</time>
                                        " " <strong>{s(&e, "type")}</strong> " " <Status status=s(&e, "status")/>
                                        <ul class="deliveries">
                                            {deliveries.into_iter().map(|d| {
                                                let attempts = d["attempts"].as_array().map_or(0, Vec::len);
                                                let state = t(deliveries::state(&d));
                                                view! { <li>{s(&d, "url")} " · " {state} " · " {tf("order.attempts", &[("n", &attempts.to_string())])}</li> }
                                            }).collect_view()}
                                        </ul>
                                        <button class="quiet" on:click=move |_| redeliver(event_id.clone())>{t("order.redeliver")}</button>
                                    </li>
                                }
                            }).collect_view()}
                        </ol>
                    }.into_any()
                }
            )}
    }
}

/// The order's facts, payment and delivery as a definition list.
#[component]
fn Facts(o: Value) -> impl IntoView {
    let rows: Vec<(&str, String)> = vec![
        ("order.id", s(&o, "id")),
        ("order.invoice", s(&o, "invoice_id")),
        ("orders.created", ui::when(&s(&o, "created_at"))),
        ("orders.email", s(&o, "buyer_email")),
        ("orders.product", format!("{} × {}", s(&o, "product_name"), s(&o, "quantity"))),
        ("orders.total", format!("{} {}", s(&o, "total_amount"), s(&o, "currency"))),
        ("orders.method", s(&o, "payment_method")),
        ("order.crypto", format!("{} {}", s(&o, "crypto_amount"), s(&o, "crypto_currency"))),
        ("order.address", s(&o, "payment_address")),
        ("order.paid", s(&o, "amount_paid")),
        ("order.txid", s(&o, "txid")),
        ("order.confirmations", format!("{} / {}", s(&o, "confirmations"), s(&o, "confirmations_required"))),
        ("order.delivered_content", s(&o, "delivered_content")),
        ("order.provider", provider(&o["upstream"])),
    ];
    view! {
        <dl class="facts">
            {rows.into_iter().filter(|(_, v)| !v.trim().is_empty() && v.trim() != "/").map(|(k, v)| view! {
                <dt>{t(k)}</dt><dd>{v}</dd>
            }).collect_view()}
        </dl>
    }
}

/// Each payment seen: when, how much, its transaction and the confirmations reported.
#[component]
fn Payments(payments: Vec<Value>, currency: String) -> impl IntoView {
    if payments.is_empty() {
        return view! { <p class="hint">{t("order.no_payments")}</p> }.into_any();
    }
    view! {
        // Focusable, so a keyboard can scroll it on a narrow screen: it holds no link or button.
        <div class="scroll" tabindex="0" role="region" aria-label=t("order.payments")><table class="payments">
            <thead><tr>
                <th scope="col">{t("activity.when")}</th>
                <th scope="col" class="num">{t("order.amount")}</th>
                <th scope="col">{t("order.txid")}</th>
                <th scope="col" class="num">{t("order.confirmations")}</th>
            </tr></thead>
            <tbody>
                {payments.into_iter().map(|p| view! {
                    <tr>
                        <td>{ui::when(&s(&p, "at"))}</td>
                        <td class="num">{format!("{} {}", s(&p, "amount"), currency)}</td>
                        <td><code>{s(&p, "txid")}</code></td>
                        <td class="num">{s(&p, "confirmations")}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table></div>
    }
    .into_any()
}

/// The provider that has the order and its id there; nothing for the built-in gateway.
pub fn provider(upstream: &Value) -> String {
    match (upstream["provider"].as_str(), upstream["id"].as_str()) {
        (Some(name), Some(id)) => format!("{name} · {id}"),
        (Some(name), None) => format!("{name} · {}", t("order.provider_pending")),
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::{actions, provider};
    use serde_json::{Value, json};

    #[test]
    fn the_provider_is_named_with_its_id() {
        assert_eq!(provider(&json!({"provider": "sellix", "id": "up_7"})), "sellix · up_7");
        assert_eq!(provider(&json!({"provider": "selly", "id": null})), "selly · not opened there yet");
        assert_eq!(provider(&Value::Null), "");
    }

    #[test]
    fn actions_follow_the_status() {
        assert_eq!(actions("pending"), ["completed", "cancelled"]);
        assert_eq!(actions("completed"), ["refunded"]);
        assert!(actions("expired").is_empty());
    }
}
