//! The overview's figures, computed from the orders the API lists (pure, tested natively), and
//! drawn as inline SVG: no chart library, a few rectangles and labels.

use std::collections::BTreeMap;

use chrono::{Duration, NaiveDate};
use leptos::prelude::*;
use rust_decimal::Decimal;
use shared::{Order, OrderStatus};

/// One currency's completed revenue per day, oldest first, a day for every day of the range.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    pub currency: String,
    pub days: Vec<(NaiveDate, Decimal)>,
}

impl Series {
    pub fn total(&self) -> Decimal {
        self.days.iter().map(|(_, v)| *v).sum()
    }
}

/// Revenue of completed orders per day (the day each completed, UTC) for the `days` days
/// ending `today`, one series per currency, exact to the cent.
pub fn revenue_per_day(orders: &[Order], today: NaiveDate, days: u32) -> Vec<Series> {
    let first = today - Duration::days(i64::from(days) - 1);
    let mut by_currency: BTreeMap<String, BTreeMap<NaiveDate, Decimal>> = BTreeMap::new();
    for o in orders.iter().filter(|o| o.status == OrderStatus::Completed) {
        let day = o.completed_at.unwrap_or(o.created_at).date_naive();
        if day < first || day > today {
            continue;
        }
        *by_currency.entry(o.currency.to_string()).or_default().entry(day).or_default() += o.total_amount;
    }
    by_currency
        .into_iter()
        .map(|(currency, sums)| Series {
            currency,
            days: (0..days)
                .map(|i| {
                    let d = first + Duration::days(i64::from(i));
                    (d, sums.get(&d).copied().unwrap_or_default())
                })
                .collect(),
        })
        .collect()
}

/// How many orders fall under each key, most first (ties by key).
pub fn counts(orders: &[Order], key: impl Fn(&Order) -> String) -> Vec<(String, usize)> {
    let mut m: BTreeMap<String, usize> = BTreeMap::new();
    for o in orders {
        *m.entry(key(o)).or_default() += 1;
    }
    let mut v: Vec<(String, usize)> = m.into_iter().collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    v
}

const W: f64 = 640.0;
const H: f64 = 180.0;
const PAD: f64 = 28.0;

/// Revenue per day as bars, labelled with the range and the largest day.
#[component]
pub fn RevenueChart(series: Series, label: String) -> impl IntoView {
    let max = series.days.iter().map(|(_, v)| *v).max().unwrap_or_default();
    let n = series.days.len().max(1) as f64;
    let slot = (W - 2.0 * PAD) / n;
    let scale = |v: Decimal| -> f64 {
        if max.is_zero() { 0.0 } else { (v / max).to_string().parse::<f64>().unwrap_or(0.0) * (H - 2.0 * PAD) }
    };
    let bars = series
        .days
        .iter()
        .enumerate()
        .map(|(i, (day, v))| {
            let h = scale(*v);
            let x = PAD + i as f64 * slot + 1.0;
            let y = H - PAD - h;
            view! {
                <rect class="bar" x=format!("{x:.1}") y=format!("{y:.1}") width=format!("{:.1}", (slot - 2.0).max(1.0)) height=format!("{h:.1}")>
                    <title>{format!("{day}: {v} {}", series.currency)}</title>
                </rect>
            }
        })
        .collect_view();
    let first = series.days.first().map(|(d, _)| d.to_string()).unwrap_or_default();
    let last = series.days.last().map(|(d, _)| d.to_string()).unwrap_or_default();
    view! {
        <figure class="chart">
            <svg viewBox=format!("0 0 {W} {H}") role="img" aria-label=label.clone() data-currency=series.currency.clone()>
                <line class="axis" x1=PAD.to_string() y1=(H - PAD).to_string() x2=(W - PAD).to_string() y2=(H - PAD).to_string()></line>
                {bars}
                <text class="tick" x=PAD.to_string() y=(H - 8.0).to_string()>{first}</text>
                <text class="tick end" x=(W - PAD).to_string() y=(H - 8.0).to_string()>{last}</text>
                <text class="tick" x=PAD.to_string() y="14">{format!("{max} {}", series.currency)}</text>
            </svg>
            <figcaption>{label}</figcaption>
        </figure>
    }
}

/// Counts as horizontal bars, each with its label and number.
#[component]
pub fn CountChart(counts: Vec<(String, usize)>, label: String) -> impl IntoView {
    // Narrower than the revenue chart: it sits in half the width, and its labels stay legible.
    const CW: f64 = 400.0;
    let max = counts.iter().map(|(_, n)| *n).max().unwrap_or(1).max(1) as f64;
    let row = 24.0;
    let height = (counts.len() as f64 * row).max(row);
    let rows = counts
        .iter()
        .enumerate()
        .map(|(i, (k, n))| {
            let y = i as f64 * row;
            let w = (*n as f64 / max) * (CW - 200.0);
            view! {
                <g>
                    <text class="tick" x="0" y=format!("{:.1}", y + 16.0)>{k.clone()}</text>
                    <rect class="bar" x="150" y=format!("{:.1}", y + 4.0) width=format!("{w:.1}") height="16"></rect>
                    <text class="tick" x=format!("{:.1}", 156.0 + w) y=format!("{:.1}", y + 16.0)>{n.to_string()}</text>
                </g>
            }
        })
        .collect_view();
    view! {
        <figure class="chart">
            <svg viewBox=format!("0 0 {CW} {height}") role="img" aria-label=label>{rows}</svg>
        </figure>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn order(status: &str, total: &str, currency: &str, at: &str) -> Order {
        // The SellGate Orders API's documented order, with what each case needs.
        let doc: serde_json::Value =
            serde_json::from_str(include_str!("../../shared/tests/fixtures/sellgate_create_response.json")).unwrap();
        let mut o = doc["data"].clone();
        o["status"] = status.into();
        o["total_amount"] = serde_json::Value::String(total.into());
        o["currency"] = currency.into();
        o["created_at"] = at.into();
        o["completed_at"] = at.into();
        serde_json::from_value(o).unwrap()
    }

    #[test]
    fn revenue_is_summed_per_day_and_currency_to_the_cent() {
        let today: NaiveDate = "2026-11-26".parse().unwrap();
        let orders = [
            order("completed", "29.99", "USD", "2026-11-26T10:00:00Z"),
            order("completed", "0.02", "USD", "2026-11-26T23:59:59Z"),
            order("completed", "19.00", "EUR", "2026-11-20T00:00:00Z"),
            order("pending", "100.00", "USD", "2026-11-26T10:00:00Z"),
            order("completed", "5.00", "USD", "2026-10-27T23:59:59Z"),
        ];
        let s = revenue_per_day(&orders, today, 30);
        assert_eq!(s.len(), 2);
        let usd = s.iter().find(|s| s.currency == "USD").unwrap();
        assert_eq!(usd.days.len(), 30);
        assert_eq!(usd.days[29], (today, "30.01".parse().unwrap()));
        assert_eq!(usd.total().to_string(), "30.01", "a pending order and one before the range are not counted");
        assert_eq!(s.iter().find(|s| s.currency == "EUR").unwrap().total().to_string(), "19.00");
    }

    #[test]
    fn counts_are_most_first() {
        let at = "2026-11-26T10:00:00Z";
        let orders =
            [order("completed", "1", "USD", at), order("pending", "1", "USD", at), order("pending", "1", "USD", at)];
        assert_eq!(counts(&orders, |o| o.status.to_string()), [("pending".into(), 2), ("completed".into(), 1)]);
    }
}
