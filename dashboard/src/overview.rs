//! Revenue per day over the last 30 days, per currency, and the period's orders by status and
//! by payment method, computed from the order list.

use chrono::{Duration, NaiveDate};
use leptos::prelude::*;
use shared::Order;

use crate::api;
use crate::charts::{CountChart, RevenueChart, counts, revenue_per_day};
use crate::i18n::{t, tf};

const DAYS: u32 = 30;
/// Pages of 100 read at most: 2,000 orders in 30 days; a busier store reads its CSV.
const MAX_PAGES: u32 = 20;

fn today() -> NaiveDate {
    let iso = String::from(js_sys::Date::new_0().to_iso_string());
    iso.get(..10).and_then(|d| d.parse().ok()).unwrap_or_default()
}

/// The orders created in the range (newest first), and whether there were more than were read.
async fn recent(first: NaiveDate) -> Result<(Vec<Order>, bool), api::ApiError> {
    let mut all = Vec::new();
    for page in 1..=MAX_PAGES {
        let v = api::call("GET", &format!("/v1/orders?limit=100&page={page}&from={first}"), None).await?;
        let orders: Vec<Order> = serde_json::from_value(v["data"].clone()).unwrap_or_default();
        let total = v["meta"]["total"].as_u64().unwrap_or(0);
        all.extend(orders);
        if all.len() as u64 >= total {
            return Ok((all, false));
        }
    }
    Ok((all, true))
}

#[component]
pub fn Overview() -> impl IntoView {
    let today = today();
    let first = today - Duration::days(i64::from(DAYS) - 1);
    let data = LocalResource::new(move || recent(first));
    view! {
        <h1>{t("overview.title")}</h1>
        <p class="hint">{tf("overview.range", &[("from", &first.to_string()), ("to", &today.to_string())])}</p>
        {crate::ui::answer(data, move |(orders, truncated)| {
                    let series = revenue_per_day(&orders, today, DAYS);
                    let totals = series.iter().map(|s| format!("{} {}", s.total(), s.currency)).collect::<Vec<_>>().join(" · ");
                    view! {
                        <section class="figures" aria-label=t("overview.figures")>
                            <div><span class="figure" data-figure="orders">{orders.len()}</span>{t("overview.orders")}</div>
                            <div><span class="figure" data-figure="revenue">{if totals.is_empty() { "0".into() } else { totals }}</span>{t("overview.revenue")}</div>
                        </section>
                        {truncated.then(|| view! { <p class="hint">{t("overview.truncated")}</p> })}
                        <section>
                            <h2>{t("overview.revenue_per_day")}</h2>
                            {if series.is_empty() {
                                view! { <p class="hint">{t("overview.no_revenue")}</p> }.into_any()
                            } else {
                                series.into_iter().map(|s| {
                                    let label = tf("overview.revenue_chart", &[("currency", &s.currency), ("total", &s.total().to_string())]);
                                    view! { <RevenueChart series=s label/> }
                                }).collect_view().into_any()
                            }}
                        </section>
                        <section class="pair">
                            <div>
                                <h2>{t("overview.by_status")}</h2>
                                <CountChart counts=counts(&orders, |o| t(&format!("status.{}", o.status))) label=t("overview.by_status")/>
                            </div>
                            <div>
                                <h2>{t("overview.by_method")}</h2>
                                <CountChart counts=counts(&orders, |o| o.payment_method.to_string()) label=t("overview.by_method")/>
                            </div>
                        </section>
                    }.into_any()
                }
            )}
    }
}
