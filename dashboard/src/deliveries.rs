//! Webhook deliveries across orders: the events of the newest orders, a page of orders at a
//! time, each delivery to each endpoint with its state, attempts and last answer, and a button
//! to send it again. Those not delivered come first.

use std::cmp::Reverse;

use leptos::prelude::*;
use serde_json::Value;

use crate::api;
use crate::i18n::t;
use crate::ui;
use crate::ui::field as s;

/// Orders read per page: each one's events are one more request.
const PAGE: u32 = 20;

/// One event's delivery to one endpoint.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub order_id: String,
    pub order_number: String,
    pub event_id: String,
    pub kind: String,
    pub at: String,
    pub url: String,
    /// The state's text key (`state`).
    pub state: &'static str,
    pub attempts: usize,
    pub last: String,
}

/// A delivery's state as a text key: delivered, being retried, or given up.
pub fn state(d: &Value) -> &'static str {
    if d["delivered_at"].is_string() {
        "order.delivered"
    } else if d["next_try"].is_string() {
        "order.retrying"
    } else {
        "order.given_up"
    }
}

/// The last attempt's outcome: the endpoint's HTTP status, or what went wrong.
pub fn last_answer(d: &Value) -> String {
    let Some(last) = d["attempts"].as_array().and_then(|a| a.last()) else { return String::new() };
    match (last["status"].as_u64(), last["error"].as_str()) {
        (Some(code), _) => format!("HTTP {code}"),
        (None, Some(error)) => error.to_owned(),
        (None, None) => String::new(),
    }
}

/// Every delivery of these orders' events, those not delivered first, then the newest.
pub fn rows(orders: &[(Value, Vec<Value>)]) -> Vec<Row> {
    let mut rows: Vec<Row> = orders
        .iter()
        .flat_map(|(order, events)| {
            events.iter().flat_map(move |e| {
                e["deliveries"].as_array().into_iter().flatten().map(move |d| Row {
                    order_id: s(order, "id"),
                    order_number: s(order, "order_number"),
                    event_id: s(e, "id"),
                    kind: s(e, "type"),
                    at: s(e, "created_at"),
                    url: s(d, "url"),
                    state: state(d),
                    attempts: d["attempts"].as_array().map_or(0, Vec::len),
                    last: last_answer(d),
                })
            })
        })
        .collect();
    // RFC 3339 times in UTC sort as text.
    rows.sort_by(|a, b| {
        (a.state == "order.delivered", Reverse(&a.at)).cmp(&(b.state == "order.delivered", Reverse(&b.at)))
    });
    rows
}

/// A page of orders and each one's events (their reads in parallel), and how many orders there
/// are.
async fn load(page: u32) -> Result<(Vec<(Value, Vec<Value>)>, u64), api::ApiError> {
    let list = api::call("GET", &format!("/v1/orders?limit={PAGE}&page={page}"), None).await?;
    let orders = list["data"].as_array().cloned().unwrap_or_default();
    let reads = orders.iter().map(|o| {
        let path = format!("/v1/orders/{}/events", s(o, "id"));
        async move { api::call("GET", &path, None).await }
    });
    let mut with_events = Vec::with_capacity(orders.len());
    for (order, events) in orders.iter().zip(futures::future::join_all(reads).await) {
        with_events.push((order.clone(), events?["data"].as_array().cloned().unwrap_or_default()));
    }
    Ok((with_events, list["meta"]["total"].as_u64().unwrap_or(0)))
}

#[component]
pub fn Deliveries() -> impl IntoView {
    let page = RwSignal::new(1u32);
    let version = RwSignal::new(0u32);
    let only_undelivered = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let data = LocalResource::new(move || {
        version.track();
        load(page.get())
    });
    let redeliver = move |order_id: String, event_id: String| {
        leptos::task::spawn_local(async move {
            match api::redeliver(&order_id, &event_id).await {
                Ok(()) => {
                    error.set(None);
                    version.update(|v| *v += 1);
                }
                Err(e) => error.set(Some(ui::describe(&e))),
            }
        });
    };
    view! {
        <h1>{t("deliveries.title")}</h1>
        <p class="hint">{t("deliveries.hint")}</p>
        <p>
            <input id="d-undelivered" type="checkbox" prop:checked=move || only_undelivered.get()
                on:change=move |ev| only_undelivered.set(event_target_checked(&ev))/>
            " " <label for="d-undelivered">{t("deliveries.only_undelivered")}</label>
        </p>
        <ui::ErrorText error/>
        {ui::answer(data, move |(orders, total)| {
            let all = rows(&orders);
            let pages = total.div_ceil(u64::from(PAGE)).max(1);
            view! {
                {move || {
                    let shown: Vec<Row> = all.iter().filter(|r| !only_undelivered.get() || r.state != "order.delivered").cloned().collect();
                    if shown.is_empty() {
                        return view! { <p class="hint">{t("deliveries.none")}</p> }.into_any();
                    }
                    view! { <DeliveryTable rows=shown redeliver/> }.into_any()
                }}
                <ui::Pager page pages/>
            }.into_any()
        })}
    }
}

#[component]
fn DeliveryTable(rows: Vec<Row>, redeliver: impl Fn(String, String) + Copy + Send + Sync + 'static) -> impl IntoView {
    view! {
        <div class="scroll"><table class="deliveries">
            <thead><tr>
                <th scope="col">{t("activity.when")}</th>
                <th scope="col">{t("orders.number")}</th>
                <th scope="col">{t("deliveries.event")}</th>
                <th scope="col">{t("deliveries.endpoint")}</th>
                <th scope="col">{t("orders.status")}</th>
                <th scope="col" class="num">{t("deliveries.attempts")}</th>
                <th scope="col">{t("deliveries.last")}</th>
                <th scope="col"><span class="visually-hidden">{t("deliveries.actions")}</span></th>
            </tr></thead>
            <tbody>
                {rows.into_iter().map(|r| {
                    let (order_id, event_id) = (r.order_id.clone(), r.event_id.clone());
                    view! {
                        <tr data-state=r.state>
                            <td>{ui::when(&r.at)}</td>
                            <td><a href=format!("#/orders/{}", r.order_id)>{r.order_number.clone()}</a></td>
                            <td>{r.kind.clone()}</td>
                            <td><code>{r.url.clone()}</code></td>
                            <td>{t(r.state)}</td>
                            <td class="num">{r.attempts}</td>
                            <td>{r.last.clone()}</td>
                            // The row's event and order in the button's name, for a screen
                            // reader's list of buttons; the visible text starts it.
                            <td><button class="quiet" on:click=move |_| redeliver(order_id.clone(), event_id.clone())>
                                {t("order.redeliver")}
                                <span class="visually-hidden">{format!(" ({}, {})", r.kind, r.order_number)}</span>
                            </button></td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table></div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn deliveries_not_made_come_first_then_the_newest() {
        let order = json!({"id": "ord_1", "order_number": "1001"});
        let events = vec![
            json!({"id": "evt_1", "type": "order.created", "created_at": "2026-11-26T10:00:00Z", "deliveries": [
                {"url": "https://a.example/hook", "delivered_at": "2026-11-26T10:00:01Z", "attempts": [{"at": "2026-11-26T10:00:01Z", "status": 200}], "next_try": null},
                {"url": "https://b.example/hook", "delivered_at": null, "attempts": [{"at": "2026-11-26T10:00:01Z", "status": 500}], "next_try": "2026-11-26T10:01:00Z"}
            ]}),
            json!({"id": "evt_2", "type": "order.completed", "created_at": "2026-11-26T11:00:00Z", "deliveries": [
                {"url": "https://a.example/hook", "delivered_at": "2026-11-26T11:00:01Z", "attempts": [{"at": "2026-11-26T11:00:01Z", "status": 204}], "next_try": null},
                {"url": "https://b.example/hook", "delivered_at": null, "attempts": [{"at": "2026-11-26T11:00:01Z", "status": null, "error": "connection refused"}], "next_try": null}
            ]}),
        ];
        let got = rows(&[(order, events)]);
        let seen: Vec<(&str, &str, &str, &str)> =
            got.iter().map(|r| (r.event_id.as_str(), r.url.as_str(), r.state, r.last.as_str())).collect();
        assert_eq!(
            seen,
            [
                ("evt_2", "https://b.example/hook", "order.given_up", "connection refused"),
                ("evt_1", "https://b.example/hook", "order.retrying", "HTTP 500"),
                ("evt_2", "https://a.example/hook", "order.delivered", "HTTP 204"),
                ("evt_1", "https://a.example/hook", "order.delivered", "HTTP 200"),
            ]
        );
        assert!(got.iter().all(|r| r.order_number == "1001" && r.attempts == 1));
    }

    #[test]
    fn an_event_with_no_endpoint_has_no_row() {
        let order = json!({"id": "ord_1", "order_number": "1001"});
        assert!(rows(&[(order, vec![json!({"id": "evt_1", "deliveries": []})])]).is_empty());
    }
}
