//! Component tests in headless Chromium (`wasm-pack test --headless --chrome widget`), against a
//! fake API: `window.fetch` is replaced by a script that answers like the worker and records
//! what it was asked.

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

wasm_bindgen_test_configure!(run_in_browser);

/// The fake worker. `window.fakeQuotes` holds a quote per method, `window.fakeOrder` is what
/// order reads return; `window.fakeCalls` records.
const FAKE_API: &str = r#"
window.fakeCalls = [];
window.fetch = async (input, init) => {
  const req = input instanceof Request ? input : new Request(input, init);
  const url = new URL(req.url);
  const method = req.method;
  const sent = await req.clone().text();
  const body = sent ? JSON.parse(sent) : null;
  window.fakeCalls.push({ method, path: url.pathname, body,
    key: req.headers.get('Idempotency-Key'), secret: req.headers.get('X-Client-Secret') });
  const reply = (status, data) => new Response(JSON.stringify(data), { status, headers: { 'Content-Type': 'application/json' } });
  if (url.pathname === '/v1/products/prod_test') return reply(200, { data: window.fakeProduct });
  if (url.pathname === '/v1/quote') return reply(200, { data: window.fakeQuotes[body.payment_method] });
  if (url.pathname === '/v1/orders' && method === 'POST') {
    // `fakeCreateFailures` lists how the next creates fail: 503 (the provider is down) or 'network'.
    const failure = window.fakeCreateFailures.shift();
    if (failure === 'network') throw new TypeError('Failed to fetch');
    if (failure === 503) return new Response(JSON.stringify(window.fakeUnavailable),
      { status: 503, headers: { 'Content-Type': 'application/json', 'Retry-After': '5' } });
    return reply(201, { data: window.fakeOrder });
  }
  if (url.pathname.startsWith('/v1/orders/')) return reply(200, { data: window.fakeOrder });
  return reply(404, { error: { code: 'not_found', message: 'no such endpoint' } });
};
"#;

fn product() -> Value {
    let method = |id: &str, group: &str, label: &str, asset: Value, network: Value, name: Value| json!({"id": id, "group": group, "label": label, "asset": asset, "network": network, "network_name": name});
    json!({
        "id": "prod_test", "name": "Premium License", "description": "A key.", "price": "29.99", "currency": "USD",
        "variants": [], "min_quantity": 1, "max_quantity": null, "in_stock": true, "sandbox": true,
        "payment_methods": [
            method("crypto_btc", "crypto", "Bitcoin", json!("BTC"), json!("bitcoin"), json!("Bitcoin")),
            method("flexpay_USDT_TRC20", "usdt", "USDT · TRON (TRC20)", json!("USDT"), json!("tron"), json!("TRON (TRC20)")),
            method("flexpay_USDC_SOL", "usdc", "USDC · Solana", json!("USDC"), json!("solana"), json!("Solana")),
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
        "product_id": "prod_test", "product_name": "Premium License", "variant_id": null, "buyer_email": "b***@example.com",
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
    let host = new_host();
    let root = host.attach_shadow(&web_sys::ShadowRootInit::new(web_sys::ShadowRootMode::Open)).unwrap();
    let options = json!({"product": "prod_test", "api": "http://fake.test", "mode": "inline"}).to_string();
    let handle = widget::mount(root.clone(), &options, events.clone(), None).unwrap();
    settle().await;
    (root, handle)
}

fn query<T: JsCast>(root: &web_sys::ShadowRoot, selector: &str) -> T {
    root.query_selector(selector).unwrap().unwrap_or_else(|| panic!("no {selector}")).dyn_into().unwrap()
}

fn text(root: &web_sys::ShadowRoot, selector: &str) -> String {
    query::<HtmlElement>(root, selector).text_content().unwrap_or_default()
}

#[wasm_bindgen_test]
async fn method_picker_groups_every_offered_method_as_one_radio_group() {
    let (root, _h) = mount_checkout(&new_host()).await;
    let radios = root.query_selector_all("fieldset.methods input[type=radio]").unwrap();
    let values: Vec<String> =
        (0..radios.length()).map(|i| radios.item(i).unwrap().dyn_into::<HtmlInputElement>().unwrap().value()).collect();
    assert_eq!(values, ["crypto_btc", "flexpay_USDT_TRC20", "flexpay_USDC_SOL", "stripe"]);
    // One name: the browser makes them a single Tab stop moved by the arrow keys.
    for i in 0..radios.length() {
        assert_eq!(radios.item(i).unwrap().dyn_into::<HtmlInputElement>().unwrap().name(), "payment_method");
    }
    assert_eq!(text(&root, "fieldset.methods legend"), "Pay with");
    let groups = root.query_selector_all("fieldset.methods [role=group]").unwrap();
    let labels: Vec<String> = (0..groups.length())
        .map(|i| groups.item(i).unwrap().dyn_into::<HtmlElement>().unwrap().get_attribute("aria-label").unwrap())
        .collect();
    assert_eq!(labels, ["Crypto", "USDT", "USDC", "Card & PayPal"]);
    // The network is always in words beside a token.
    assert!(text(&root, "fieldset.methods").contains("TRON (TRC20)"));

    // Choosing a method (as a keyboard's Space would) asks the server for a quote.
    let usdt: HtmlInputElement = query(&root, "input[value=flexpay_USDT_TRC20]");
    usdt.click();
    settle().await;
    assert!(usdt.checked());
    let calls = fake_calls();
    assert!(
        calls
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["path"] == "/v1/quote" && c["body"]["payment_method"] == "flexpay_USDT_TRC20")
    );
    assert!(text(&root, ".quote").contains("29.99 USD"));
    assert_eq!(text(&root, ".quote [data-amount]"), "29.99 USDT");
    assert!(!text(&root, ".quote").contains("Tax"), "no tax line when there is no tax");

    // A store that charges tax shows its line.
    query::<HtmlInputElement>(&root, "input[value=stripe]").click();
    settle().await;
    assert!(text(&root, ".quote").contains("Tax included5.00 USD"), "{}", text(&root, ".quote"));
}

#[wasm_bindgen_test]
async fn a_bad_email_is_refused_before_anything_is_sent() {
    let (root, _h) = mount_checkout(&new_host()).await;
    query::<HtmlInputElement>(&root, "input[value=crypto_btc]").click();
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
    query::<HtmlInputElement>(&root, "input[value=crypto_btc]").click();
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
    let host = new_host();
    let root = host.attach_shadow(&web_sys::ShadowRootInit::new(web_sys::ShadowRootMode::Open)).unwrap();
    let container: HtmlElement = document().create_element("div").unwrap().dyn_into().unwrap();
    root.append_child(&container).unwrap();
    serde_json::from_value::<PublicOrder>(order.clone()).expect("the fake order is a PublicOrder");
    let o = widget::model::Order::from_body(&json!({ "data": order }).to_string()).expect("the widget reads it");
    let env = Env { api: "http://fake.test".into(), events: host.clone(), on_close: None, modal: false };
    let handle = leptos::mount::mount_to(container, move || {
        view! { <PayScreen order=o env=EnvStore::new(env) restart=|| ()/> }
    });
    handle.forget();
    settle().await;
    root
}

#[wasm_bindgen_test]
async fn every_status_renders() {
    let cases = [
        ("pending", "0", "0.00045125", 0, "Waiting for your payment."),
        ("confirming", "0.00045125", "0.00000000", 1, "Payment seen, 1 of 2 confirmations."),
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

/// Chooses `method`, types `email` and lets the quote arrive.
async fn fill_form(root: &web_sys::ShadowRoot, method: &str, email: &str) {
    query::<HtmlInputElement>(root, &format!("input[value={method}]")).click();
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

/// The Idempotency-Key of every `POST /v1/orders` so far.
fn create_keys() -> Vec<String> {
    fake_calls()
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["path"] == "/v1/orders" && c["method"] == "POST")
        .map(|c| c["key"].as_str().expect("every create has an Idempotency-Key").to_owned())
        .collect()
}

#[wasm_bindgen_test]
async fn a_retry_after_a_provider_failure_or_a_lost_answer_keeps_the_idempotency_key() {
    let (root, _h) = mount_checkout(&new_host()).await;
    fill_form(&root, "crypto_btc", "buyer@example.com").await;
    set_global("fakeCreateFailures", &json!([503, "network"]));
    submit(&root).await;
    assert_eq!(text(&root, "form [role=alert]"), "The payment provider is unavailable; try again shortly.");
    assert!(root.query_selector(".qr").unwrap().is_none());
    submit(&root).await;
    assert!(text(&root, "form [role=alert]").starts_with("Could not reach the checkout"));
    submit(&root).await;
    assert!(root.query_selector(".qr svg").unwrap().is_some(), "the third try made the order");
    // The worker resumes the order the first try left waiting, instead of making a second one.
    let keys = create_keys();
    assert_eq!(keys.len(), 3);
    assert!(!keys[0].is_empty());
    assert!(keys.iter().all(|k| *k == keys[0]), "{keys:?}");
}

#[wasm_bindgen_test]
async fn a_changed_form_after_a_failure_gets_a_new_idempotency_key() {
    let (root, _h) = mount_checkout(&new_host()).await;
    fill_form(&root, "crypto_btc", "buyer@example.com").await;
    set_global("fakeCreateFailures", &json!([503]));
    submit(&root).await;
    // Reusing the key with another body would be refused as an idempotency conflict.
    fill_form(&root, "crypto_btc", "other@example.com").await;
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
    fill_form(&root, "crypto_btc", "buyer@example.com").await;
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
