//! The sandbox's hosted card/PayPal page: what a buyer sees at `checkout_url` in test mode.

use shared::Order;

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&#39;")
}

pub fn checkout(order: &Order, token: &str) -> String {
    let id = escape(&order.id);
    let token = escape(token);
    let body = if order.status == shared::OrderStatus::Pending {
        format!(
            r#"<p>{product} × {qty}</p><p class="total">{total} {currency}</p>
<form method="post" action="/sandbox/checkout/{id}/pay"><input type="hidden" name="token" value="{token}"><button id="pay">Pay {total} {currency}</button></form>
<form method="post" action="/sandbox/checkout/{id}/cancel"><input type="hidden" name="token" value="{token}"><button id="cancel" class="secondary">Cancel</button></form>"#,
            product = escape(&order.product_name),
            qty = order.quantity,
            total = order.total_amount,
            currency = order.currency,
        )
    } else {
        format!(r#"<p id="result">This order is {}. You can close this tab.</p>"#, order.status)
    };
    page(&format!("{} · sandbox checkout", escape(&order.product_name)), &body)
}

pub fn done(message: &str) -> String {
    page("Sandbox checkout", &format!(r#"<p id="result">{}</p>"#, escape(message)))
}

fn page(title: &str, body: &str) -> String {
    format!(
        r#"<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>{title}</title>
<style>body{{font:16px/1.5 system-ui,sans-serif;max-width:28rem;margin:3rem auto;padding:0 1rem;color:#1c1c28}}.banner{{background:#fff4d6;border:1px solid #e0b84c;padding:.5rem .75rem;border-radius:6px}}.total{{font-size:1.5rem;font-weight:600}}button{{font:inherit;padding:.6rem 1.2rem;border-radius:6px;border:0;background:#3b3bd6;color:#fff;cursor:pointer;margin:.25rem 0}}button.secondary{{background:#e7e7ef;color:#1c1c28}}</style></head>
<body><p class="banner">Test mode: no real card is charged.</p><h1>{title}</h1>{body}</body></html>"#
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn escapes_html() {
        assert_eq!(super::escape("<b>\"x\" & 'y'</b>"), "&lt;b&gt;&quot;x&quot; &amp; &#39;y&#39;&lt;/b&gt;");
    }
}
