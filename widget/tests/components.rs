//! Component tests in headless Chromium (`wasm-pack test --headless --chrome widget`), against a
//! fake API: `window.fetch` and `window.WebSocket` are replaced by a script that answers like the
//! worker and records what it was asked.

#![cfg(target_arch = "wasm32")]

use leptos::prelude::*;
use serde_json::{Value, json};
use shared::order::PublicOrder;
use shared::wire::{ErrorBody, ProductView, QuoteView};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{HtmlElement, HtmlInputElement};
use widget::env::{Env, EnvStore};
use widget::pay::PayScreen;

/// The locales' shipped form, to serve them as the widget's files do.
#[path = "../locale_format.rs"]
#[allow(dead_code)]
mod locale_format;

wasm_bindgen_test_configure!(run_in_browser);

/// The fake worker. `window.fakeQuotes` holds a quote per method, `window.fakeOrder` is what
/// order reads return (`window.fakeOrders[id]` for one order); `window.fakeCalls` records. An
/// order's reads can be held: `fakeHold[id] = true` keeps the next one waiting until
/// `fakeRelease(id)`.
///
/// `Date.now` runs `fakeSkew` ms ahead of the real clock, so that a test can move the widget's
/// time on rather than wait for its polls.
///
/// The fake socket: `window.fakeSockets` records every socket with what it was sent, and
/// `fakeSocketPlan[id]` says how an order's next sockets go: `fail` (closed without opening, as
/// a proxy or a server without sockets does; the default), `open` (opens at once) or `hold`
/// (connecting until the test calls `open()`). `push(view)` sends a view as the worker does.
const FAKE_API: &str = r#"
window.fakeCalls = [];
window.fetch = async (input, init) => {
  const req = input instanceof Request ? input : new Request(input, init);
  const url = new URL(req.url);
  const method = req.method;
  const sent = await req.clone().text();
  const body = sent ? JSON.parse(sent) : null;
  window.fakeCalls.push({ method, path: url.pathname, body, key: url.searchParams.get('idempotency_key'),
    secret: req.headers.get('X-Client-Secret'), headers: [...req.headers].map(([name, value]) => name + ': ' + value) });
  const reply = (status, data) => new Response(JSON.stringify(data), { status, headers: { 'Content-Type': 'application/json' } });
  if (url.pathname === '/v1/products/prod_test') {
    // `fakeProductFailures`: how the next product reads fail ('network').
    if ((window.fakeProductFailures ?? []).shift() === 'network') throw new TypeError('Failed to fetch');
    return reply(200, { data: window.fakeProduct });
  }
  // A locale's texts, as the widget's files serve them (`fakeLocales[tag]`).
  const locale = url.pathname.match(/^\/widget\/locales\/(.+)\.json$/);
  // `fakeLocaleFailures`: how the next locale requests fail ('network').
  if (locale && (window.fakeLocaleFailures ?? []).shift() === 'network') throw new TypeError('Failed to fetch');
  if (locale && window.fakeLocales?.[locale[1]]) return reply(200, window.fakeLocales[locale[1]]);
  if (url.pathname === '/v1/quote') {
    // `fakeQuoteFailures`: how the next quotes fail ('network').
    if ((window.fakeQuoteFailures ?? []).shift() === 'network') throw new TypeError('Failed to fetch');
    // `fakeQuoteHeld`: the next quote waits for `fakeQuoteRelease()`.
    if (window.fakeQuoteHeld) {
      window.fakeQuoteHeld = false;
      await new Promise((resolve) => { window.fakeQuoteRelease = resolve; });
    }
    return reply(200, { data: window.fakeQuotes[body.payment_method] });
  }
  if (url.pathname === '/v1/orders' && method === 'POST') {
    // `fakeCreateFailures` lists how the next creates fail: 503 (the provider is down), 'network',
    // or an answer of the test's own.
    const failure = window.fakeCreateFailures.shift();
    if (failure === 'network') throw new TypeError('Failed to fetch');
    // Or an answer of the test's own: `{ status, error }`.
    if (failure?.status) return reply(failure.status, { error: failure.error });
    if (failure === 503) return new Response(JSON.stringify(window.fakeUnavailable),
      { status: 503, headers: { 'Content-Type': 'application/json', 'Retry-After': '5' } });
    return reply(201, { data: window.fakeOrder });
  }
  if (url.pathname.startsWith('/v1/orders/')) {
    const id = url.pathname.split('/')[3];
    // The answer is the order as it was when asked, however long it is held.
    const data = window.fakeOrders[id] ?? window.fakeOrder;
    if (window.fakeHold[id]) await new Promise((resolve) => { window.fakeHold[id] = resolve; });
    return reply(200, { data });
  }
  return reply(404, { error: { code: 'not_found', message: 'no such endpoint' } });
};
window.fakeOrders = {};
window.fakeHold = {};
window.fakeRelease = (id) => { const release = window.fakeHold[id]; window.fakeHold[id] = false; release(); };
window.fakeSockets = [];
window.fakeSocketPlan = {};
window.WebSocket = class extends EventTarget {
  constructor(url) {
    super();
    Object.assign(this, { url, sent: [], readyState: 0, closedByClient: false });
    window.fakeSockets.push(this);
    const plan = (window.fakeSocketPlan[url.split('/').at(-2)] ?? []).shift() ?? 'fail';
    if (plan === 'fail') setTimeout(() => this.end(1006), 0);
    if (plan === 'open') setTimeout(() => this.open(), 0);
  }
  open() { this.readyState = 1; this.dispatchEvent(new Event('open')); }
  send(text) { this.sent.push(text); }
  push(view) { this.dispatchEvent(new MessageEvent('message', { data: JSON.stringify({ data: view }) })); }
  close() { this.closedByClient = true; this.end(1000); }
  end(code) {
    if (this.readyState === 3) return;
    this.readyState = 3;
    setTimeout(() => this.dispatchEvent(new CloseEvent('close', { code })), 0);
  }
};
window.fakeSocketsOf = (id) => window.fakeSockets.filter((s) => s.url.split('/').at(-2) === id);
// The page's clock, which tests move on (`fakeSkew` ms ahead) rather than wait for it.
if (!window.realDateNow) {
  window.realDateNow = Date.now;
  window.fakeSkew = 0;
  Date.now = () => window.realDateNow() + window.fakeSkew;
}
"#;

fn product() -> Value {
    let method = |id: &str, group: &str, label: &str, asset: Value, network: Value, name: Value| json!({"id": id, "group": group, "label": label, "asset": asset, "network": network, "network_name": name});
    json!({
        "id": "prod_test", "name": "Premium License", "description": "A key.", "price": "29.99", "currency": "USD",
        "variants": [], "min_quantity": 1, "max_quantity": null, "in_stock": true, "sandbox": true,
        "payment_methods": [
            method("crypto_btc", "crypto", "Bitcoin", json!("BTC"), json!("bitcoin"), json!("Bitcoin")),
            method("flexpay_USDT_TRC20", "usdt", "USDT · TRON (TRC20)", json!("USDT"), json!("tron"), json!("TRON (TRC20)")),
            method("flexpay_BTC", "crypto", "Bitcoin (FlexPay)", json!("BTC"), json!("bitcoin"), json!("Bitcoin")),
            method("flexpay_USDT_ERC20", "usdt", "USDT · Ethereum (ERC20)", json!("USDT"), json!("ethereum"), json!("Ethereum (ERC20)")),
            method("flexpay_USDC_SOL", "usdc", "USDC · Solana (SPL)", json!("USDC"), json!("solana"), json!("Solana (SPL)")),
            method("stripe", "card", "Card", Value::Null, Value::Null, Value::Null),
        ]
    })
}

/// The quote the worker gives for one of `product()`'s methods: 29.99 USD, and what to send for
/// a crypto method.
fn quote(method: &str) -> Value {
    let crypto = |currency: &str, network: &str, amount: &str, rate: &str| json!({"currency": currency, "network": network, "amount": amount, "exchange_rate": rate});
    let crypto = match method {
        "crypto_btc" => crypto("BTC", "bitcoin", "0.00045125", "66461.25"),
        "flexpay_USDT_TRC20" => crypto("USDT", "tron", "29.99", "1"),
        "flexpay_BTC" => crypto("BTC", "bitcoin", "0.00045125", "66461.25"),
        "flexpay_USDT_ERC20" => crypto("USDT", "ethereum", "29.99", "1"),
        "flexpay_USDC_SOL" => crypto("USDC", "solana", "29.99", "1"),
        _ => Value::Null,
    };
    // The card is paid in a store whose prices include 20 % VAT: 29.99 × 20 / 120 = 5.00.
    let tax = if method == "stripe" { json!({"rate": "20", "inclusive": true, "amount": "5.00"}) } else { Value::Null };
    json!({
        "product_id": "prod_test", "variant_id": null, "payment_method": method,
        "breakdown": {
            "currency": "USD", "unit_price": "29.99", "quantity": 1, "subtotal": "29.99", "volume_discount": "0",
            "coupon_discount": "0", "fee": "0", "tax": tax, "total": "29.99"
        },
        "crypto": crypto
    })
}

/// An order as the worker shows it, `server_time` ten minutes before it expires and a day away
/// from the test machine's clock.
fn order(status: &str, paid: &str, remaining: &str, confirmations: u32) -> Value {
    json!({
        "id": "ord_00000000000000000000000000000001", "invoice_id": "INV-1", "order_number": "ORD-TEST-0001",
        "product_id": "prod_test", "product_name": "Premium License", "variant_id": null, "variant_name": null,
        "breakdown": quote("crypto_btc")["breakdown"], "buyer_email": "b***@example.com",
        "quantity": 1, "total_amount": "29.99", "currency": "USD", "discount_amount": null, "status": status,
        "payment_method": "crypto_btc", "crypto_currency": "BTC", "crypto_amount": "0.00045125", "network": "bitcoin",
        "network_name": "Bitcoin", "payment_address": "tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx",
        "payment_uri": "bitcoin:tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx?amount=0.00045125", "exchange_rate": "66461.25",
        "amount_paid": paid, "amount_remaining": remaining, "txid": null, "confirmations": confirmations,
        "confirmations_required": 2, "checkout_url": null, "created_at": "2020-01-01T10:00:00Z",
        "expires_at": "2020-01-01T10:30:00Z", "completed_at": null,
        "delivered_content": if status == "completed" { json!("TG-AAAA-BBBB-CCCC-DDDD") } else { Value::Null },
        "sandbox": true, "server_time": "2020-01-01T10:20:00Z", "client_secret": "cs_test"
    })
}

fn set_global(name: &str, value: &Value) {
    let v = js_sys::JSON::parse(&value.to_string()).unwrap();
    js_sys::Reflect::set(&js_sys::global(), &name.into(), &v).unwrap();
}

fn install_fake_api() {
    // The fake answers exactly as the worker would: its bodies parse as `shared`'s wire types.
    serde_json::from_value::<ProductView>(product()).expect("the fake product is a ProductView");
    js_sys::eval(FAKE_API).unwrap();
    set_global("fakeProduct", &product());
    let quotes: serde_json::Map<String, Value> = product()["payment_methods"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            let method = m["id"].as_str().unwrap();
            let q = quote(method);
            serde_json::from_value::<QuoteView>(q.clone()).expect("the fake quote is a QuoteView");
            (method.to_owned(), q)
        })
        .collect();
    set_global("fakeQuotes", &Value::Object(quotes));
    set_global("fakeOrder", &order("pending", "0", "0.00045125", 0));
    set_global("fakeCreateFailures", &json!([]));
    let unavailable = json!({"error": {"code": "upstream_unavailable", "message": "The payment provider is unavailable; try again shortly."}});
    serde_json::from_value::<ErrorBody>(unavailable.clone()).expect("the fake refusal is an ErrorBody");
    set_global("fakeUnavailable", &unavailable);
}

fn fake_calls() -> Value {
    let calls = js_sys::Reflect::get(&js_sys::global(), &"fakeCalls".into()).unwrap();
    serde_json::from_str(&String::from(js_sys::JSON::stringify(&calls).unwrap())).unwrap()
}

fn document() -> web_sys::Document {
    web_sys::window().unwrap().document().unwrap()
}

fn new_host() -> HtmlElement {
    let host: HtmlElement = document().create_element("div").unwrap().dyn_into().unwrap();
    document().body().unwrap().append_child(&host).unwrap();
    host
}

async fn settle() {
    for _ in 0..5 {
        let p = js_sys::Promise::new(&mut |resolve, _| {
            web_sys::window().unwrap().set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 20).unwrap();
        });
        wasm_bindgen_futures::JsFuture::from(p).await.unwrap();
        leptos::task::tick().await;
    }
}

/// Mounts the full checkout through the public `mount` entry, in a shadow root.
async fn mount_checkout(events: &HtmlElement) -> (web_sys::ShadowRoot, widget::MountHandle) {
    install_fake_api();
    mount_with(events, json!({})).await
}

/// Mounts the checkout with `extra` options (a locale, say) on the fake API as it is.
async fn mount_with(events: &HtmlElement, extra: Value) -> (web_sys::ShadowRoot, widget::MountHandle) {
    let host = new_host();
    let root = host.attach_shadow(&web_sys::ShadowRootInit::new(web_sys::ShadowRootMode::Open)).unwrap();
    let mut options = json!({"product": "prod_test", "api": "http://fake.test", "mode": "inline", "assets": "http://fake.test/widget/"});
    options.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
    let handle = widget::mount(root.clone(), &options.to_string(), events.clone(), None, None).unwrap();
    settle().await;
    (root, handle)
}

fn query<T: JsCast>(root: &web_sys::ShadowRoot, selector: &str) -> T {
    root.query_selector(selector).unwrap().unwrap_or_else(|| panic!("no {selector}")).dyn_into().unwrap()
}

fn text(root: &web_sys::ShadowRoot, selector: &str) -> String {
    query::<HtmlElement>(root, selector).text_content().unwrap_or_default()
}

fn radio_values(root: &web_sys::ShadowRoot, selector: &str) -> Vec<String> {
    let radios = root.query_selector_all(selector).unwrap();
    (0..radios.length()).map(|i| radios.item(i).unwrap().dyn_into::<HtmlInputElement>().unwrap().value()).collect()
}

fn quoted(method: &str) -> bool {
    fake_calls().as_array().unwrap().iter().any(|c| c["path"] == "/v1/quote" && c["body"]["payment_method"] == method)
}

#[wasm_bindgen_test]
async fn the_picker_offers_each_asset_once_then_its_networks() {
    let (root, _h) = mount_checkout(&new_host()).await;
    // One choice per asset, in the seller's order; flexpay_BTC, listed after crypto_btc, is
    // not a second Bitcoin.
    assert_eq!(radio_values(&root, "input[name=asset]"), ["btc", "usdt", "usdc", "card"]);
    assert_eq!(text(&root, "fieldset.methods legend"), "Pay with");
    assert!(text(&root, ".assets").contains("Bitcoin") && text(&root, ".assets").contains("Card"));
    assert_eq!(root.query_selector_all(".asset .icon svg").unwrap().length(), 4, "each asset has its icon");
    // The first method is chosen, and its quote asked for at once.
    assert!(query::<HtmlInputElement>(&root, "input[name=asset][value=btc]").checked());
    assert!(quoted("crypto_btc"));
    assert!(root.query_selector("fieldset.networks").unwrap().is_none(), "Bitcoin has one network here");

    // USDT is offered on two networks: choosing it takes the first and shows both, in words.
    query::<HtmlInputElement>(&root, "input[name=asset][value=usdt]").click();
    settle().await;
    assert_eq!(radio_values(&root, "input[name=network]"), ["flexpay_USDT_TRC20", "flexpay_USDT_ERC20"]);
    assert!(query::<HtmlInputElement>(&root, "input[value=flexpay_USDT_TRC20]").checked());
    assert!(text(&root, "fieldset.networks").contains("TRON (TRC20)"));
    assert!(text(&root, "fieldset.networks").contains("Ethereum (ERC20)"));
    assert!(quoted("flexpay_USDT_TRC20"));
    query::<HtmlInputElement>(&root, "input[value=flexpay_USDT_ERC20]").click();
    settle().await;
    assert!(quoted("flexpay_USDT_ERC20"));
    // Fiat in the buyer's locale (English here), what to send exactly.
    assert!(text(&root, ".quote").contains("$29.99"), "{}", text(&root, ".quote"));
    assert_eq!(text(&root, ".quote [data-amount]"), "29.99 USDT");
    assert!(!text(&root, ".quote").contains("Tax"), "no tax line when there is no tax");

    // A store that charges tax shows its line.
    query::<HtmlInputElement>(&root, "input[name=asset][value=card]").click();
    settle().await;
    assert!(root.query_selector("fieldset.networks").unwrap().is_none());
    assert!(text(&root, ".quote").contains("Tax included$5.00"), "{}", text(&root, ".quote"));
}

#[wasm_bindgen_test]
async fn the_products_own_quote_answers_its_defaults_then_every_change_is_asked() {
    install_fake_api();
    // A total unlike the fake quote's, to see which one shows.
    let mut default = quote("crypto_btc");
    default["breakdown"]["total"] = json!("31.00");
    let mut p = product();
    p["default_quote"] = default;
    serde_json::from_value::<ProductView>(p.clone()).expect("a ProductView with its default quote");
    set_global("fakeProduct", &p);
    let (root, _h) = mount_with(&new_host(), json!({})).await;
    assert!(text(&root, ".quote .total").contains("$31.00"), "{}", text(&root, ".quote"));
    assert!(!quoted("crypto_btc"), "the first method's quote came with the product");
    query::<HtmlInputElement>(&root, "input[name=asset][value=usdt]").click();
    settle().await;
    assert!(quoted("flexpay_USDT_TRC20"));
    // Back to the defaults: asked anew, so no quote shown is older than the product.
    query::<HtmlInputElement>(&root, "input[name=asset][value=btc]").click();
    settle().await;
    assert!(quoted("crypto_btc"));
    assert!(text(&root, ".quote .total").contains("$29.99"), "{}", text(&root, ".quote"));
}

#[wasm_bindgen_test]
async fn a_bad_email_is_refused_before_anything_is_sent() {
    let (root, _h) = mount_checkout(&new_host()).await;
    query::<HtmlInputElement>(&root, "input[name=asset][value=btc]").click();
    let email: HtmlInputElement = query(&root, "input[name=email]");
    email.set_value("buyer@nowhere");
    email.dispatch_event(&web_sys::Event::new("input").unwrap()).unwrap();
    query::<HtmlElement>(&root, "button[type=submit]").click();
    settle().await;
    assert_eq!(text(&root, "[data-field=buyer_email]"), "Enter a valid email address.");
    assert_eq!(email.get_attribute("aria-invalid").as_deref(), Some("true"));
    assert!(!fake_calls().as_array().unwrap().iter().any(|c| c["path"] == "/v1/orders"));
}

#[wasm_bindgen_test]
async fn creating_an_order_fires_events_and_shows_the_payment() {
    let events = new_host();
    let seen = js_sys::Array::new();
    let record = {
        let seen = seen.clone();
        wasm_bindgen::closure::Closure::<dyn Fn(web_sys::CustomEvent)>::new(move |e: web_sys::CustomEvent| {
            seen.push(&e.type_().into());
            assert!(e.bubbles() && e.composed());
        })
    };
    for name in ["tollgate:order", "tollgate:status", "tollgate:error"] {
        events.add_event_listener_with_callback(name, record.as_ref().unchecked_ref()).unwrap();
    }
    let (root, _h) = mount_checkout(&events).await;
    query::<HtmlInputElement>(&root, "input[name=asset][value=btc]").click();
    let email: HtmlInputElement = query(&root, "input[name=email]");
    email.set_value("buyer@example.com");
    email.dispatch_event(&web_sys::Event::new("input").unwrap()).unwrap();
    settle().await;
    query::<HtmlElement>(&root, "button[type=submit]").click();
    settle().await;
    let calls = fake_calls();
    let create = calls.as_array().unwrap().iter().find(|c| c["path"] == "/v1/orders").expect("an order was created");
    assert_eq!(create["body"]["buyer_email"], "buyer@example.com");
    assert_eq!(create["body"]["payment_method"], "crypto_btc");
    let names: Vec<String> = seen.iter().map(|v| v.as_string().unwrap()).collect();
    assert_eq!(names, ["tollgate:order"]);
    assert_eq!(
        query::<HtmlElement>(&root, ".qr").get_attribute("data-uri").as_deref(),
        Some("bitcoin:tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx?amount=0.00045125")
    );
    // Ten minutes left by the server's clock, whatever this machine's clock says.
    assert!(
        matches!(text(&root, "[data-countdown]").as_str(), "10:00" | "09:59"),
        "{}",
        text(&root, "[data-countdown]")
    );
    record.forget();
}

/// Mounts only the payment screen with `order`, in a shadow root with the widget's styles.
async fn mount_pay(order: Value) -> web_sys::ShadowRoot {
    install_fake_api();
    set_global("fakeOrder", &order);
    let (root, handle) = mount_pay_screen(order, &new_host()).await;
    handle.forget();
    root
}

/// The payment screen for `order`, its events dispatched on `events`; unmounted when the handle
/// is dropped.
async fn mount_pay_screen(
    order: Value,
    events: &HtmlElement,
) -> (web_sys::ShadowRoot, leptos::mount::UnmountHandle<impl leptos::tachys::view::Mountable + use<>>) {
    // The payment screen alone speaks the page's language, whatever an earlier test chose.
    widget::i18n::select("en");
    let host = new_host();
    let root = host.attach_shadow(&web_sys::ShadowRootInit::new(web_sys::ShadowRootMode::Open)).unwrap();
    let container: HtmlElement = document().create_element("div").unwrap().dyn_into().unwrap();
    root.append_child(&container).unwrap();
    serde_json::from_value::<PublicOrder>(order.clone()).expect("the fake order is a PublicOrder");
    let o = widget::model::Order::from_body(&json!({ "data": order }).to_string()).expect("the widget reads it");
    let env = Env { api: "http://fake.test".into(), events: events.clone(), on_close: None, modal: false };
    let handle = leptos::mount::mount_to(container, move || {
        view! { <PayScreen order=o env=EnvStore::new(env) restart=|| ()/> }
    });
    settle().await;
    (root, handle)
}

#[wasm_bindgen_test]
async fn every_status_renders() {
    let cases = [
        ("pending", "0", "0.00045125", 0, "Waiting for your payment."),
        ("confirming", "0.00045125", "0.00000000", 1, "Payment seen. Confirmations: 1 of 2."),
        ("completed", "0.00045125", "0.00000000", 2, "Paid. Order ORD-TEST-0001 is complete."),
        ("expired", "0", "0.00045125", 0, "This invoice expired before it was paid."),
        ("cancelled", "0", "0.00045125", 0, "This order was cancelled."),
        ("refunded", "0.00045125", "0.00000000", 2, "This order was refunded."),
    ];
    for (status, paid, remaining, confirmations, line) in cases {
        let root = mount_pay(order(status, paid, remaining, confirmations)).await;
        assert_eq!(text(&root, ".status-line"), line, "{status}");
        assert_eq!(query::<HtmlElement>(&root, ".status-line").get_attribute("aria-live").as_deref(), Some("polite"));
        assert_eq!(
            root.query_selector(".qr").unwrap().is_some(),
            status == "pending",
            "{status}: QR only while pending"
        );
        assert_eq!(
            root.query_selector("[data-countdown]").unwrap().is_some(),
            matches!(status, "pending" | "confirming")
        );
        if status == "completed" {
            assert_eq!(text(&root, "[data-delivered]"), "TG-AAAA-BBBB-CCCC-DDDD");
        }
        if status == "expired" {
            assert!(text(&root, "button.primary").contains("Start a new order"));
        }
    }
}

#[wasm_bindgen_test]
async fn a_partial_payment_asks_for_exactly_the_remainder() {
    // After a part payment the worker's `payment_uri` is for the remainder; the widget shows it.
    let mut o = order("pending", "0.0002", "0.00025125", 0);
    o["payment_uri"] = json!("bitcoin:tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx?amount=0.00025125");
    let root = mount_pay(o).await;
    assert_eq!(text(&root, ".status-line"), "Received 0.0002 BTC. Send the remaining 0.00025125 BTC.");
    assert_eq!(
        query::<HtmlElement>(&root, ".qr").get_attribute("data-uri").as_deref(),
        Some("bitcoin:tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx?amount=0.00025125")
    );
    assert_eq!(text(&root, "[data-copy=amount]"), "0.00025125 BTC");
}

#[wasm_bindgen_test]
async fn delivered_content_is_text_never_html() {
    let mut o = order("completed", "0.00045125", "0.00000000", 2);
    o["delivered_content"] = json!("<img src=x onerror=alert(1)>KEY");
    let root = mount_pay(o).await;
    assert_eq!(text(&root, "[data-delivered]"), "<img src=x onerror=alert(1)>KEY");
    assert!(root.query_selector("[data-delivered] img").unwrap().is_none());
}

/// Chooses the asset `asset` (one network each in the fake product), types `email` and lets the
/// quote arrive.
async fn fill_form(root: &web_sys::ShadowRoot, asset: &str, email: &str) {
    query::<HtmlInputElement>(root, &format!("input[name=asset][value={asset}]")).click();
    let input: HtmlInputElement = query(root, "input[name=email]");
    input.set_value(email);
    input.dispatch_event(&web_sys::Event::new("input").unwrap()).unwrap();
    settle().await;
}

async fn submit(root: &web_sys::ShadowRoot) {
    query::<HtmlElement>(root, "button[type=submit]").click();
    leptos::task::tick().await;
    settle().await;
}

/// The idempotency key of every `POST /v1/orders` so far.
fn create_keys() -> Vec<String> {
    fake_calls()
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["path"] == "/v1/orders" && c["method"] == "POST")
        .map(|c| c["key"].as_str().expect("every create has an idempotency key").to_owned())
        .collect()
}

/// Every POST so far is a simple request, which needs no CORS preflight: a `text/plain` body
/// and no header of the widget's own.
fn assert_posts_are_simple() {
    let calls = fake_calls();
    let posts: Vec<&Value> = calls.as_array().unwrap().iter().filter(|c| c["method"] == "POST").collect();
    assert!(!posts.is_empty());
    for c in posts {
        assert_eq!(c["headers"], json!(["content-type: text/plain;charset=UTF-8"]), "{}", c["path"]);
    }
}

#[wasm_bindgen_test]
async fn a_retry_after_a_provider_failure_or_a_lost_answer_keeps_the_idempotency_key() {
    let (root, _h) = mount_checkout(&new_host()).await;
    fill_form(&root, "btc", "buyer@example.com").await;
    set_global("fakeCreateFailures", &json!([503, "network"]));
    submit(&root).await;
    // The buyer's words for the error's code, never the server's English message.
    let shown = text(&root, "form [role=alert]");
    assert_eq!(shown, "The payment service is not answering right now. Please try again in a moment.");
    assert_eq!(text(&root, "button[type=submit]"), "Try again");
    assert!(root.query_selector(".qr").unwrap().is_none());
    submit(&root).await;
    // Nor the browser's raw error ("TypeError: Failed to fetch").
    let shown = text(&root, "form [role=alert]");
    assert_eq!(shown, "The checkout could not be reached. Check your connection and try again.");
    submit(&root).await;
    assert!(root.query_selector(".qr svg").unwrap().is_some(), "the third try made the order");
    // The worker resumes the order the first try left waiting, instead of making a second one.
    let keys = create_keys();
    assert_eq!(keys.len(), 3);
    assert!(!keys[0].is_empty());
    assert!(keys.iter().all(|k| *k == keys[0]), "{keys:?}");
    // Quotes and creates alike, so the buyer waits for no preflight.
    assert_posts_are_simple();
}

#[wasm_bindgen_test]
async fn a_quote_that_cannot_be_reached_is_said_so_in_words_with_a_retry() {
    let (root, _h) = mount_checkout(&new_host()).await;
    fill_form(&root, "usdc", "buyer@example.com").await;
    assert!(root.query_selector(".quote").unwrap().is_some());
    set_global("fakeQuoteFailures", &json!(["network"]));
    query::<HtmlInputElement>(&root, "input[name=asset][value=btc]").click();
    settle().await;
    assert!(root.query_selector(".quote").unwrap().is_none(), "no price of another method stays");
    assert_eq!(
        text(&root, "form [role=alert]"),
        "The checkout could not be reached. Check your connection and try again."
    );
    // The form's one button says Try again, and asks for the quote, not for an order; until the
    // answer it still does, however often it is pressed.
    assert_eq!(text(&root, "button[type=submit]"), "Try again");
    set_global("fakeQuoteHeld", &json!(true));
    submit(&root).await;
    assert_eq!(text(&root, "button[type=submit]"), "Try again");
    submit(&root).await;
    assert!(create_keys().is_empty(), "no order while the quote is asked again");
    js_sys::eval("window.fakeQuoteRelease()").unwrap();
    settle().await;
    assert!(root.query_selector("form [role=alert]").unwrap().is_none());
    assert_eq!(text(&root, ".quote .total span:last-child"), "$29.99");
    assert_eq!(text(&root, "button[type=submit]"), "Continue to payment");
    assert!(create_keys().is_empty(), "no order was sent");
}

#[wasm_bindgen_test]
async fn a_locale_request_that_failed_before_the_click_is_made_again_by_the_checkout() {
    install_fake_api();
    let shipped = locale_format::shipped(include_str!("../locales/fr.json"), include_str!("../locales/en.json"));
    set_global("fakeLocales", &json!({"fr": serde_json::from_str::<Value>(&shipped).unwrap()}));
    set_global("fakeLocaleFailures", &json!(["network"]));
    // As the loader does when a Buy button comes into view, offline for the moment.
    widget::prepare("fr", "en-US,en", "http://fake.test/widget/");
    settle().await;
    let (root, _h) = mount_with(&new_host(), json!({"locale": "fr"})).await;
    let words: Value = serde_json::from_str(include_str!("../locales/fr.json")).unwrap();
    assert_eq!(text(&root, "button[type=submit]"), words["form.submit"]);
    let asked = fake_calls().as_array().unwrap().iter().filter(|c| c["path"] == "/widget/locales/fr.json").count();
    assert_eq!(asked, 2, "the failed request, then the checkout's own");
}

#[wasm_bindgen_test]
async fn a_refused_field_shows_beside_its_input_or_else_above_the_button() {
    let (root, _h) = mount_checkout(&new_host()).await;
    fill_form(&root, "btc", "buyer@example.com").await;
    let refusal = |fields: Value| {
        let error = json!({"code": "invalid_request", "message": "Invalid fields.", "invalid_fields": fields});
        serde_json::from_value::<ErrorBody>(json!({ "error": error.clone() })).expect("an ErrorBody");
        json!({"status": 422, "error": error})
    };
    set_global(
        "fakeCreateFailures",
        &json!([refusal(json!(["buyer_email", "variant_id"])), refusal(json!(["product_id"]))]),
    );
    submit(&root).await;
    assert_eq!(text(&root, "[data-field=buyer_email]"), "Enter a valid email address.");
    // No variant input on this product: its refusal is not dropped but said above the button.
    assert_eq!(text(&root, "form [role=alert]"), "Choose one of the options.");
    submit(&root).await;
    assert!(root.query_selector("[data-field]").unwrap().is_none(), "the last answer's fields only");
    assert_eq!(text(&root, "form [role=alert]"), "Part of this order was not accepted. Please check your choices.");
    assert!(root.query_selector(".qr").unwrap().is_none());
}

#[wasm_bindgen_test]
async fn a_changed_form_after_a_failure_gets_a_new_idempotency_key() {
    let (root, _h) = mount_checkout(&new_host()).await;
    fill_form(&root, "btc", "buyer@example.com").await;
    set_global("fakeCreateFailures", &json!([503]));
    submit(&root).await;
    // Reusing the key with another body would be refused as an idempotency conflict.
    fill_form(&root, "btc", "other@example.com").await;
    submit(&root).await;
    assert!(root.query_selector(".qr svg").unwrap().is_some());
    let keys = create_keys();
    assert_eq!(keys.len(), 2);
    assert_ne!(keys[0], keys[1]);
}

#[wasm_bindgen_test]
async fn events_never_carry_the_client_secret() {
    let events = new_host();
    let seen = js_sys::Array::new();
    let record = {
        let seen = seen.clone();
        wasm_bindgen::closure::Closure::<dyn Fn(web_sys::CustomEvent)>::new(move |e: web_sys::CustomEvent| {
            seen.push(&js_sys::Array::of2(&e.type_().into(), &e.detail()));
        })
    };
    for name in ["tollgate:order", "tollgate:status", "tollgate:completed", "tollgate:expired"] {
        events.add_event_listener_with_callback(name, record.as_ref().unchecked_ref()).unwrap();
    }
    let (root, _h) = mount_checkout(&events).await;
    fill_form(&root, "btc", "buyer@example.com").await;
    submit(&root).await;
    // Every answer of the fake carries a secret, reads included: none may reach the page.
    set_global("fakeOrder", &order("completed", "0.00045125", "0.00000000", 2));
    for _ in 0..50 {
        if root.query_selector("[data-delivered]").unwrap().is_some() {
            break;
        }
        settle().await;
    }
    assert_eq!(text(&root, "[data-delivered]"), "TG-AAAA-BBBB-CCCC-DDDD");
    let seen: Vec<(String, Value)> = seen
        .iter()
        .map(|pair| {
            let pair = js_sys::Array::from(&pair);
            let detail = String::from(js_sys::JSON::stringify(&pair.get(1)).unwrap());
            (pair.get(0).as_string().unwrap(), serde_json::from_str(&detail).unwrap())
        })
        .collect();
    let names: Vec<&str> = seen.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["tollgate:order", "tollgate:status", "tollgate:completed"]);
    for (name, detail) in &seen {
        assert_eq!(detail["id"], "ord_00000000000000000000000000000001", "{name}");
        assert!(detail.get("client_secret").is_none(), "{name} carries the client secret: {detail}");
    }
    assert_eq!(seen[0].1["payment_uri"], "bitcoin:tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx?amount=0.00045125");
    assert_eq!(seen[2].1["delivered_content"], "TG-AAAA-BBBB-CCCC-DDDD");
    // The widget itself still reads the order with it.
    let calls = fake_calls();
    let read = calls
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["method"] == "GET" && c["path"] == "/v1/orders/ord_00000000000000000000000000000001");
    assert_eq!(read.expect("the order was read")["secret"], "cs_test");
    record.forget();
}

/// A pending USDT order on TRON whose `payment_uri` and `payment_address` are as given.
fn tron_order(uri: Value, address: &str) -> Value {
    let mut o = order("pending", "0", "29.99", 0);
    o["payment_method"] = json!("flexpay_USDT_TRC20");
    o["crypto_currency"] = json!("USDT");
    o["crypto_amount"] = json!("29.99");
    o["network"] = json!("tron");
    o["network_name"] = json!("TRON (TRC20)");
    o["payment_address"] = json!(address);
    o["payment_uri"] = uri;
    o
}

#[wasm_bindgen_test]
async fn the_wallet_link_is_only_for_a_wallet_uri_and_the_qr_never_empty() {
    const TRON: &str = "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t";
    const BTC: &str = "bitcoin:tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx?amount=0.00045125";
    // (payment_uri, payment_address, the link's href, what the QR encodes; None: no payment screen)
    let cases = [
        // A bare address would be a relative link that takes the seller's page away.
        (json!(TRON), TRON, None, Some(TRON)),
        // An empty href reloads the page.
        (json!(""), TRON, None, Some(TRON)),
        (Value::Null, TRON, None, Some(TRON)),
        (json!("javascript:alert(1)"), TRON, None, Some("javascript:alert(1)")),
        (json!(" bitcoin:x"), TRON, None, Some(" bitcoin:x")),
        (json!(""), "", None, None),
        (json!(BTC), TRON, Some(BTC), Some(BTC)),
    ];
    for (uri, address, link, qr) in cases {
        let root = mount_pay(tron_order(uri.clone(), address)).await;
        let case = format!("payment_uri {uri}, payment_address {address:?}");
        assert_eq!(text(&root, ".status-line"), "Waiting for your payment.", "{case}");
        // Nothing to pay to: no QR, no address to copy, as when the provider gives no address.
        assert_eq!(root.query_selector("[data-copy=address]").unwrap().is_some(), qr.is_some(), "{case}");
        let href = root.query_selector("a.wallet").unwrap().map(|a| a.get_attribute("href").unwrap_or_default());
        assert_eq!(href.as_deref(), link, "{case}");
        if link.is_none() {
            assert!(root.query_selector("a").unwrap().is_none(), "{case}: no link at all");
        }
        let encoded = root.query_selector(".qr").unwrap().map(|q| q.get_attribute("data-uri").unwrap_or_default());
        assert_eq!(encoded.as_deref(), qr, "{case}");
        assert_eq!(root.query_selector(".qr svg").unwrap().is_some(), qr.is_some(), "{case}");
    }
}

/// `order(...)` with another id, so that no other test's screen follows it.
fn order_numbered(id: &str, status: &str, paid: &str, remaining: &str, confirmations: u32) -> Value {
    let mut o = order(status, paid, remaining, confirmations);
    o["id"] = json!(id);
    o
}

/// Runs `code` in the page; its value through JSON.
fn js(code: &str) -> Value {
    let v = js_sys::eval(code).unwrap();
    let text = js_sys::JSON::stringify(&v).ok().and_then(|s| s.as_string()).unwrap_or_else(|| "null".into());
    serde_json::from_str(&text).unwrap()
}

/// An order's sockets so far: address, what the widget sent, state, and whether it closed them.
fn sockets(id: &str) -> Vec<Value> {
    let list = js(&format!(
        "window.fakeSocketsOf('{id}').map((s) => ({{ url: s.url, sent: s.sent, readyState: s.readyState, closedByClient: s.closedByClient }}))"
    ));
    list.as_array().unwrap().clone()
}

/// Sends `view` over the order's latest socket, as the worker does.
fn push(id: &str, view: &Value) {
    js(&format!("window.fakeSocketsOf('{id}').at(-1).push({view}); null"));
}

/// How often the widget has read the order (`GET /v1/orders/{id}`).
fn reads(id: &str) -> usize {
    let path = format!("/v1/orders/{id}");
    fake_calls().as_array().unwrap().iter().filter(|c| c["method"] == "GET" && c["path"] == path.as_str()).count()
}

/// Moves the page's clock `ms` on, then lets the widget's loop (a turn every 250 ms) see it.
async fn advance(ms: u32) {
    js(&format!("window.fakeSkew += {ms}; null"));
    pause(600).await;
}

async fn pause(ms: i32) {
    let p = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window().unwrap().set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms).unwrap();
    });
    wasm_bindgen_futures::JsFuture::from(p).await.unwrap();
    leptos::task::tick().await;
}

async fn wait_until(what: &str, ms: f64, mut check: impl FnMut() -> bool) {
    let started = js_sys::Date::now();
    while !check() {
        assert!(js_sys::Date::now() - started < ms, "{what}: not within {ms} ms");
        settle().await;
    }
}

/// The names of the `tollgate:status`, `completed` and `expired` events dispatched on `host`.
fn record_status_events(host: &HtmlElement) -> js_sys::Array {
    let seen = js_sys::Array::new();
    let record = {
        let seen = seen.clone();
        wasm_bindgen::closure::Closure::<dyn Fn(web_sys::CustomEvent)>::new(move |e: web_sys::CustomEvent| {
            seen.push(&e.type_().into());
        })
    };
    for name in ["tollgate:status", "tollgate:completed", "tollgate:expired"] {
        host.add_event_listener_with_callback(name, record.as_ref().unchecked_ref()).unwrap();
    }
    record.forget();
    seen
}

fn names(seen: &js_sys::Array) -> Vec<String> {
    seen.iter().map(|v| v.as_string().unwrap()).collect()
}

#[wasm_bindgen_test]
async fn the_socket_brings_every_change_and_nothing_is_polled() {
    const ID: &str = "ord_00000000000000000000000000000002";
    install_fake_api();
    js(&format!("window.fakeSocketPlan['{ID}'] = ['open']; null"));
    let events = new_host();
    let seen = record_status_events(&events);
    let pending = order_numbered(ID, "pending", "0", "0.00045125", 0);
    let (root, _handle) = mount_pay_screen(pending.clone(), &events).await;
    // What the order is for, its price as it was made, the rate and how long it holds.
    let summary = text(&root, ".order-summary");
    for part in [
        "Premium License",
        "Subtotal$29.99",
        "Total$29.99",
        "0.00045125 BTC",
        "Rate: \u{2068}1 BTC = $66,461.25\u{2069}",
    ] {
        assert!(summary.contains(part), "{part} in {summary}");
    }
    assert!(text(&root, ".pay").contains("This rate holds until"), "{}", text(&root, ".pay"));
    // The steps follow the status (the stylesheet marks them from `data-status`).
    assert_eq!(root.query_selector_all(".steps li").unwrap().length(), 4, "a crypto payment has steps");
    let step = |root: &web_sys::ShadowRoot| query::<HtmlElement>(root, ".status").get_attribute("data-status").unwrap();
    assert_eq!(step(&root), "pending");
    wait_until("the socket's first message", 2000.0, || sockets(ID).first().is_some_and(|s| s["sent"] != json!([])))
        .await;
    let socket = &sockets(ID)[0];
    assert_eq!(socket["url"], format!("ws://fake.test/v1/orders/{ID}/live"));
    // Who it is, in its first message: the secret is never in the address.
    assert_eq!(socket["sent"], json!([r#"{"client_secret":"cs_test"}"#]));

    // The order at once, as the worker sends it; then a change, shown and announced.
    push(ID, &pending);
    push(ID, &order_numbered(ID, "confirming", "0.00045125", "0.00000000", 1));
    settle().await;
    assert_eq!(text(&root, ".status-line"), "Payment seen. Confirmations: 1 of 2.");
    assert_eq!(step(&root), "confirming");
    assert_eq!(text(&root, ".steps li:nth-child(3)"), "Confirmations 1/2");
    assert_eq!(names(&seen), ["tollgate:status"]);

    // Many polls' intervals with the socket up: not one read, and a heartbeat after 25 s.
    advance(26_000).await;
    assert_eq!(reads(ID), 0, "no polling while the socket is up");
    assert_eq!(sockets(ID)[0]["sent"], json!([r#"{"client_secret":"cs_test"}"#, "ping"]));
    assert!(!text(&root, ".status").contains("Reconnecting"));

    push(ID, &order_numbered(ID, "completed", "0.00045125", "0.00000000", 2));
    settle().await;
    assert_eq!(text(&root, "[data-delivered]"), "TG-AAAA-BBBB-CCCC-DDDD");
    assert_eq!(step(&root), "completed");
    // The receipt: what was bought, its number and whom it is for.
    assert!(text(&root, ".order-summary").contains("Premium License"));
    assert!(root.query_selector(".order-summary [data-order-number]").unwrap().is_some());
    assert_eq!(text(&root, "[data-receipt-for]"), "Receipt for b***@example.com");
    assert!(root.query_selector(".pay").unwrap().is_none(), "nothing to pay, no rate to hold once paid");
    assert_eq!(names(&seen), ["tollgate:status", "tollgate:status", "tollgate:completed"]);
    // A final order needs no socket.
    wait_until("the socket closed", 1000.0, || sockets(ID)[0]["closedByClient"] == json!(true)).await;
    assert_eq!(sockets(ID).len(), 1);
}

#[wasm_bindgen_test]
async fn without_a_socket_polling_takes_over_quietly_and_the_socket_is_tried_again() {
    const ID: &str = "ord_00000000000000000000000000000003";
    install_fake_api();
    // Every socket fails, as behind a proxy that refuses them; the order has moved on meanwhile.
    let confirming = order_numbered(ID, "confirming", "0.00045125", "0.00000000", 1);
    js(&format!("window.fakeOrders['{ID}'] = {confirming}; null"));
    let (root, _handle) = mount_pay_screen(order_numbered(ID, "pending", "0", "0.00045125", 0), &new_host()).await;
    wait_until("a socket refused", 2000.0, || sockets(ID).first().is_some_and(|s| s["readyState"] == 3)).await;
    assert_eq!(reads(ID), 0);

    // The poll comes as before, 3 s on, and brings the change.
    advance(3000).await;
    wait_until("the polled change", 2000.0, || text(&root, ".status-line") == "Payment seen. Confirmations: 1 of 2.")
        .await;
    assert_eq!(reads(ID), 1);
    assert!(!text(&root, ".status").contains("Reconnecting"), "a refused socket is nothing to alarm the buyer with");
    // The socket is tried again with back-off: 2 s after the first try, then 4 s after that.
    assert_eq!(sockets(ID).len(), 2);
    advance(2000).await;
    assert_eq!(sockets(ID).len(), 2);
    advance(2500).await;
    assert_eq!(sockets(ID).len(), 3);
}

#[wasm_bindgen_test]
async fn a_poll_sent_before_a_pushed_view_is_dropped_and_unmounting_closes_the_socket() {
    const ID: &str = "ord_00000000000000000000000000000004";
    install_fake_api();
    // The socket stays connecting, so the order is polled; that read is held.
    js(&format!("window.fakeSocketPlan['{ID}'] = ['hold']; window.fakeHold['{ID}'] = true; null"));
    let events = new_host();
    let seen = record_status_events(&events);
    let pending = order_numbered(ID, "pending", "0", "0.00045125", 0);
    js(&format!("window.fakeOrders['{ID}'] = {pending}; null"));
    let (root, handle) = mount_pay_screen(pending.clone(), &events).await;
    advance(3000).await;
    wait_until("a poll", 2000.0, || reads(ID) == 1).await;

    // While the read is under way the socket opens and pushes a newer view...
    js(&format!("window.fakeSocketsOf('{ID}')[0].open(); null"));
    settle().await;
    assert_eq!(sockets(ID)[0]["sent"], json!([r#"{"client_secret":"cs_test"}"#]));
    push(ID, &order_numbered(ID, "confirming", "0.00045125", "0.00000000", 1));
    settle().await;
    assert_eq!(text(&root, ".status-line"), "Payment seen. Confirmations: 1 of 2.");
    // ...so the read's older answer, when it comes, is dropped.
    js(&format!("window.fakeRelease('{ID}'); null"));
    settle().await;
    settle().await;
    assert_eq!(text(&root, ".status-line"), "Payment seen. Confirmations: 1 of 2.");
    assert_eq!(names(&seen), ["tollgate:status"], "never back to pending");

    advance(10_000).await;
    assert_eq!(reads(ID), 1, "no polling once the socket is up");
    // The checkout closed: the socket with it.
    drop(handle);
    wait_until("the socket closed", 1000.0, || sockets(ID)[0]["closedByClient"] == json!(true)).await;
}

#[wasm_bindgen_test]
async fn a_product_that_cannot_be_reached_is_said_so_in_words_with_a_retry() {
    install_fake_api();
    set_global("fakeProductFailures", &json!(["network"]));
    let (root, _h) = mount_with(&new_host(), json!({})).await;
    assert_eq!(text(&root, "[role=alert]"), "The checkout could not be reached. Check your connection and try again.");
    let retry: HtmlElement = query(&root, "button.primary");
    assert_eq!(retry.text_content().unwrap(), "Try again");
    retry.click();
    settle().await;
    assert!(root.query_selector("[role=alert]").unwrap().is_none());
    assert_eq!(text(&root, "fieldset.methods legend"), "Pay with", "the form, once the product came");
}

#[wasm_bindgen_test]
async fn the_checkout_speaks_the_buyers_language_and_mirrors_for_rtl() {
    let texts = |tag: &str| -> Value {
        serde_json::from_str(match tag {
            "de" => include_str!("../locales/de.json"),
            _ => include_str!("../locales/ar.json"),
        })
        .unwrap()
    };
    install_fake_api();
    let shipped = |tag: &str| -> Value {
        let source = if tag == "de" { include_str!("../locales/de.json") } else { include_str!("../locales/ar.json") };
        serde_json::from_str(&locale_format::shipped(source, include_str!("../locales/en.json"))).unwrap()
    };
    set_global("fakeLocales", &json!({"de": shipped("de"), "ar": shipped("ar")}));
    // Asked for by the page; the browser's languages come second.
    let (root, _h) = mount_with(&new_host(), json!({"locale": "de-AT", "languages": ["ja"]})).await;
    let container: HtmlElement = root.first_element_child().unwrap().dyn_into().unwrap();
    assert_eq!((container.lang(), container.dir()), ("de".to_owned(), "ltr".to_owned()));
    assert_eq!(text(&root, "fieldset.methods legend"), texts("de")["form.pay_with"]);
    assert_eq!(text(&root, "button[type=submit]"), texts("de")["form.submit"]);
    // No locale asked: the browser's first language that has one.
    let (root, _h) = mount_with(&new_host(), json!({"languages": ["sw", "ar-EG"]})).await;
    let container: HtmlElement = root.first_element_child().unwrap().dyn_into().unwrap();
    assert_eq!((container.lang(), container.dir()), ("ar".to_owned(), "rtl".to_owned()));
    assert_eq!(text(&root, "fieldset.methods legend"), texts("ar")["form.pay_with"]);
}
