//! The order list: filters (status, method, email, dates), search by order number, pages of
//! 25, and the same selection as a CSV download.

use leptos::prelude::*;
use serde_json::Value;
use shared::PaymentMethod;

use crate::api::{self, enc};
use crate::i18n::{t, tf};
use crate::ui::{self, Status, field as s};

const PAGE: u32 = 25;
const STATUSES: [&str; 6] = ["pending", "confirming", "completed", "refunded", "cancelled", "expired"];

/// The filters as the API's query parameters.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Filters {
    pub status: String,
    pub method: String,
    pub email: String,
    pub from: String,
    pub to: String,
    pub q: String,
}

impl Filters {
    pub fn query(&self) -> String {
        [
            ("status", &self.status),
            ("method", &self.method),
            ("email", &self.email),
            ("from", &self.from),
            ("to", &self.to),
            ("q", &self.q),
        ]
        .iter()
        .filter(|(_, v)| !v.trim().is_empty())
        .map(|(k, v)| format!("&{k}={}", enc(v.trim())))
        .collect()
    }
}

#[component]
pub fn Orders() -> impl IntoView {
    let filters = RwSignal::new(Filters::default());
    let draft = RwSignal::new(Filters::default());
    let page = RwSignal::new(1u32);
    let error = RwSignal::new(None::<String>);
    let list = LocalResource::new(move || {
        let query = filters.get().query();
        let page = page.get();
        async move { api::call("GET", &format!("/v1/orders?limit={PAGE}&page={page}{query}"), None).await }
    });
    let apply = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        page.set(1);
        filters.set(draft.get_untracked());
    };
    let export = move |_| {
        let query = filters.get_untracked().query();
        leptos::task::spawn_local(async move {
            match api::text(&format!("/v1/orders.csv?{}", query.trim_start_matches('&'))).await {
                Ok(csv) => ui::download("orders.csv", &csv, "text/csv"),
                Err(e) => error.set(Some(ui::describe(&e))),
            }
        });
    };
    let field = move |id: &'static str,
                      label: &'static str,
                      kind: &'static str,
                      get: fn(&Filters) -> String,
                      set: fn(&mut Filters, String)| {
        view! {
            <label for=id>{t(label)}</label>
            <input id=id type=kind prop:value=move || draft.with(get)
                on:input=move |ev| draft.update(|d| set(d, event_target_value(&ev)))/>
        }
    };
    view! {
        <h1>{t("orders.title")}</h1>
        <form class="filters" on:submit=apply role="search">
            <label for="f-status">{t("orders.status")}</label>
            <select id="f-status" on:change=move |ev| draft.update(|d| d.status = event_target_value(&ev))>
                <option value="">{t("orders.any")}</option>
                {STATUSES.iter().map(|s| view! { <option value=*s>{t(&format!("status.{s}"))}</option> }).collect_view()}
            </select>
            <label for="f-method">{t("orders.method")}</label>
            <select id="f-method" on:change=move |ev| draft.update(|d| d.method = event_target_value(&ev))>
                <option value="">{t("orders.any")}</option>
                {PaymentMethod::ALL_STRINGS.iter().map(|m| view! { <option value=*m>{*m}</option> }).collect_view()}
            </select>
            {field("f-email", "orders.email", "email", |f| f.email.clone(), |f, v| f.email = v)}
            {field("f-from", "orders.from", "date", |f| f.from.clone(), |f, v| f.from = v)}
            {field("f-to", "orders.to", "date", |f| f.to.clone(), |f, v| f.to = v)}
            {field("f-q", "orders.number", "search", |f| f.q.clone(), |f, v| f.q = v)}
            <button type="submit">{t("orders.apply")}</button>
            <button type="button" class="quiet" on:click=export>{t("orders.csv")}</button>
        </form>
        <ui::ErrorText error/>
        {ui::answer(list, move |v| {
                    let total = v["meta"]["total"].as_u64().unwrap_or(0);
                    let rows = v["data"].as_array().cloned().unwrap_or_default();
                    let pages = total.div_ceil(u64::from(PAGE)).max(1);
                    view! {
                        <p class="hint" aria-live="polite">{tf("orders.count", &[("n", &total.to_string())])}</p>
                        <OrderTable rows/>
                        <ui::Pager page pages/>
                    }.into_any()
                }
            )}
    }
}

#[component]
fn OrderTable(rows: Vec<Value>) -> impl IntoView {
    if rows.is_empty() {
        return view! { <p class="hint">{t("orders.none")}</p> }.into_any();
    }
    view! {
        <div class="scroll">
            <table class="orders">
                <thead><tr>
                    <th scope="col">{t("orders.number")}</th>
                    <th scope="col">{t("orders.created")}</th>
                    <th scope="col">{t("orders.email")}</th>
                    <th scope="col">{t("orders.product")}</th>
                    <th scope="col" class="num">{t("orders.total")}</th>
                    <th scope="col">{t("orders.method")}</th>
                    <th scope="col">{t("orders.status")}</th>
                </tr></thead>
                <tbody>
                    {rows.into_iter().map(|o| view! {
                        <tr>
                            <td><a href=format!("#/orders/{}", s(&o, "id"))>{s(&o, "order_number")}</a></td>
                            <td>{ui::when(&s(&o, "created_at"))}</td>
                            <td>{s(&o, "buyer_email")}</td>
                            <td>{s(&o, "product_name")}</td>
                            <td class="num">{format!("{} {}", s(&o, "total_amount"), s(&o, "currency"))}</td>
                            <td>{s(&o, "payment_method")}</td>
                            <td><Status status=s(&o, "status")/></td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}
