//! The seller's orders as CSV (`GET /v1/orders.csv`): RFC 4180, a header row, then one row per
//! order. The columns are a stable contract for the seller's spreadsheets and scripts: new ones
//! are only ever added at the end.

use chrono::{DateTime, SecondsFormat, Utc};
use shared::Order;

/// The columns, in order (README, "Seller API").
pub const COLUMNS: [&str; 23] = [
    "order_id",
    "order_number",
    "created_at",
    "status",
    "product_id",
    "product_name",
    "variant_id",
    "quantity",
    "currency",
    "total_amount",
    "discount_amount",
    "coupon_id",
    "payment_method",
    "crypto_currency",
    "crypto_amount",
    "network",
    "amount_paid",
    "confirmations",
    "txid",
    "buyer_email",
    "customer_country_code",
    "completed_at",
    "expires_at",
];

/// The header and a row for each order, each line ending in CRLF as RFC 4180 says.
pub fn orders(orders: &[Order]) -> String {
    let mut out = line(COLUMNS.map(str::to_owned));
    for o in orders {
        out.push_str(&line(row(o)));
    }
    out
}

fn row(o: &Order) -> [String; 23] {
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    let time = |t: &DateTime<Utc>| t.to_rfc3339_opts(SecondsFormat::Secs, true);
    [
        o.id.clone(),
        o.order_number.clone(),
        time(&o.created_at),
        o.status.as_str().to_owned(),
        o.product_id.clone(),
        o.product_name.clone(),
        text(&o.variant_id),
        o.quantity.to_string(),
        o.currency.to_string(),
        o.total_amount.to_string(),
        o.discount_amount.map(|d| d.to_string()).unwrap_or_default(),
        text(&o.coupon_id),
        o.payment_method.to_string(),
        text(&o.crypto_currency),
        o.crypto_amount.map(|a| a.to_string()).unwrap_or_default(),
        o.network.map(|n| n.to_string()).unwrap_or_default(),
        o.amount_paid.to_string(),
        o.confirmations.to_string(),
        text(&o.txid),
        o.buyer_email.clone(),
        text(&o.customer_country_code),
        o.completed_at.as_ref().map(time).unwrap_or_default(),
        time(&o.expires_at),
    ]
}

fn line<const N: usize>(fields: [String; N]) -> String {
    let cells: Vec<String> = fields.iter().map(|f| cell(f)).collect();
    cells.join(",") + "\r\n"
}

/// One field: quoted when it holds a comma, a quote or a line break (its quotes doubled). A
/// field a spreadsheet would run as a formula (it starts with `=`, `+`, `-`, `@`, a tab or a
/// carriage return: a buyer's email or a product name can) is kept as text by a leading `'`.
fn cell(field: &str) -> String {
    let formula = field.starts_with(['=', '+', '-', '@', '\t', '\r']);
    let field = if formula { "'".to_owned() + field } else { field.to_owned() };
    if field.contains([',', '"', '\n', '\r']) { "\"".to_owned() + &field.replace('"', "\"\"") + "\"" } else { field }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::Decimal;

    use crate::test_support::order;

    #[test]
    fn fields_are_quoted_only_when_they_must_be() {
        assert_eq!(cell("plain"), "plain");
        assert_eq!(cell("a,b"), "\"a,b\"");
        assert_eq!(cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(cell("two\nlines"), "\"two\nlines\"");
        assert_eq!(cell(""), "");
    }

    #[test]
    fn a_field_a_spreadsheet_would_run_is_kept_as_text() {
        assert_eq!(cell("=HYPERLINK(\"http://x\")"), "\"'=HYPERLINK(\"\"http://x\"\")\"");
        assert_eq!(cell("+1"), "'+1");
        assert_eq!(cell("-2"), "'-2");
        assert_eq!(cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(cell("buyer@example.com"), "buyer@example.com");
    }

    #[test]
    fn an_order_is_one_row_under_the_header_with_exact_amounts() {
        let mut o = order();
        o.product_name = "Pro, \"Team\"".into();
        o.amount_paid = Decimal::from_str_exact("0.00045125").unwrap();
        let csv = orders(&[o.clone()]);
        let lines: Vec<&str> = csv.split("\r\n").collect();
        assert_eq!(lines.len(), 3, "{csv:?}");
        assert_eq!(lines[0], COLUMNS.join(","));
        assert_eq!(lines[2], "");
        let row = lines[1];
        assert!(row.starts_with(&(o.id.clone() + "," + &o.order_number + ",")), "{row}");
        assert!(row.contains(",\"Pro, \"\"Team\"\"\","), "{row}");
        assert!(row.contains(",0.00045125,"), "{row}");
        assert!(row.contains(",USD,29.99,"), "{row}");
        assert!(row.contains(",2025-12-29T10:30:00Z,pending,"), "{row}");
        assert!(row.ends_with(",buyer@example.com,,,2025-12-29T11:00:00Z"), "{row}");
    }
}
