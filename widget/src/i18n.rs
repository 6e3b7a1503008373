//! The buyer's language. Every text the checkout shows is looked up by a key of [`k`] in the
//! chosen locale's messages, fetched once from beside the widget's files
//! (`locales/<tag>.json`), with English, built in, for anything missing. Amounts and addresses
//! are never translated or reformatted here: what a buyer copies is the machine's exact form.
//!
//! Messages ship as a JSON array (`widget/locale_format.rs`): a key is its number in English's
//! order, so no key name is downloaded. They are read by the browser's `JSON.parse` and looked
//! up by `Reflect`, with `{name}` placeholders filled by [`tf`]: no formatting machinery in
//! the wasm.

#[cfg(target_arch = "wasm32")]
use std::cell::RefCell;

#[cfg(target_arch = "wasm32")]
use js_sys::{JSON, Reflect};
#[cfg(target_arch = "wasm32")]
use wasm_bindgen::JsValue;

/// The locales with messages (BCP 47 tags). `widget/locales/<tag>.json` holds each one's texts;
/// the `every_locale_has_every_text` test holds them to English's keys and placeholders.
pub const LOCALES: [&str; 20] = [
    "en", "es", "pt-BR", "fr", "de", "it", "nl", "pl", "tr", "ru", "uk", "ar", "he", "hi", "id", "vi", "th", "ja",
    "ko", "zh-CN",
];

/// English, built in (in its shipped form, by `build.rs`): the fallback for every key.
#[cfg(target_arch = "wasm32")]
const ENGLISH: &str = include_str!(concat!(env!("OUT_DIR"), "/en.json"));

/// English's source file, read natively by name.
#[cfg(not(target_arch = "wasm32"))]
const ENGLISH: &str = include_str!("../locales/en.json");

/// The locale for the asked one (the script tag's `data-locale`, `Tollgate.open`'s or the
/// element's `locale`), else for the first of the browser's languages that has one, else
/// English. A tag matches exactly (case aside), else by its language alone: `pt` and `pt-PT`
/// are served `pt-BR`, `zh-Hans` and `zh-SG` `zh-CN`, `de-AT` `de`.
pub fn choose<'a>(asked: Option<&'a str>, browser: impl IntoIterator<Item = &'a str>) -> &'static str {
    asked.into_iter().chain(browser).find_map(matching).unwrap_or("en")
}

fn matching(tag: &str) -> Option<&'static str> {
    let tag = tag.trim().replace('_', "-");
    let language = tag.split('-').next().unwrap_or_default();
    let exact = LOCALES.iter().find(|l| l.eq_ignore_ascii_case(&tag));
    let by_language = || LOCALES.iter().find(|l| l.split('-').next().is_some_and(|x| x.eq_ignore_ascii_case(language)));
    exact.or_else(by_language).copied()
}

/// Whether the locale is written right to left.
pub fn is_rtl(tag: &str) -> bool {
    matches!(tag, "ar" | "he")
}

/// The locale in use, the locales fetched so far (each once per page), their requests, and
/// English.
#[cfg(target_arch = "wasm32")]
struct Messages {
    current: &'static str,
    loaded: Vec<(&'static str, JsValue)>,
    requested: Vec<(&'static str, js_sys::Promise)>,
    english: JsValue,
}

#[cfg(target_arch = "wasm32")]
thread_local! {
    static MESSAGES: RefCell<Messages> = RefCell::new(Messages {
        current: "en",
        loaded: Vec::new(),
        requested: Vec::new(),
        english: JSON::parse(ENGLISH).unwrap_or(JsValue::UNDEFINED),
    });
}

/// Makes `tag` the language of what is shown from now on (one page, one language: the last
/// checkout opened sets it). Whether its texts are in yet: English always is.
#[cfg(target_arch = "wasm32")]
pub fn select(tag: &'static str) -> bool {
    MESSAGES.with(|m| {
        let mut m = m.borrow_mut();
        m.current = tag;
        tag == "en" || m.loaded.iter().any(|(t, _)| *t == tag)
    })
}

/// The locale in use, for `Intl`.
#[cfg(target_arch = "wasm32")]
pub fn current() -> &'static str {
    MESSAGES.with(|m| m.borrow().current)
}

/// The request for `tag`'s texts: sent by `send` on the first ask (the loader's, when a Buy
/// button comes into view, so a checkout opened later finds them on their way or in), the
/// same one after, until [`forget`].
#[cfg(target_arch = "wasm32")]
pub fn request(tag: &'static str, send: impl FnOnce() -> js_sys::Promise) -> js_sys::Promise {
    MESSAGES.with(|m| {
        let requested = &mut m.borrow_mut().requested;
        if let Some((_, r)) = requested.iter().find(|(t, _)| *t == tag) {
            return r.clone();
        }
        let r = send();
        requested.push((tag, r.clone()));
        r
    })
}

/// Drops a request that failed: the next checkout asks anew.
#[cfg(target_arch = "wasm32")]
pub fn forget(tag: &'static str) {
    MESSAGES.with(|m| m.borrow_mut().requested.retain(|(t, _)| *t != tag));
}

/// Takes a locale's texts as fetched, if they are for this widget's keys: a file whose
/// fingerprint (its first item) is not English's is of another release, and English shows.
#[cfg(target_arch = "wasm32")]
pub fn add(tag: &'static str, json: &str) {
    MESSAGES.with(|m| {
        let mut m = m.borrow_mut();
        if m.loaded.iter().any(|(t, _)| *t == tag) {
            return; // read by the loader's `prepare` and a checkout alike
        }
        let texts = JSON::parse(json).unwrap_or(JsValue::UNDEFINED);
        let ours = texts.is_object() && Reflect::get_u32(&texts, 0).ok() == Reflect::get_u32(&m.english, 0).ok();
        m.loaded.push((tag, if ours { texts } else { JsValue::UNDEFINED }));
    })
}

/// The text for `key`: the chosen locale's, else English.
#[cfg(target_arch = "wasm32")]
pub fn t(key: Key) -> String {
    MESSAGES.with(|m| {
        let m = m.borrow();
        let found = |texts: &JsValue| Reflect::get_u32(texts, key as u32 + 1).ok().and_then(|v| v.as_string());
        let current = m.loaded.iter().find(|(t, _)| *t == m.current).and_then(|(_, texts)| found(texts));
        current.or_else(|| found(&m.english)).unwrap_or_default()
    })
}

/// Natively there is nothing to fetch: English only.
#[cfg(not(target_arch = "wasm32"))]
pub fn select(tag: &'static str) -> bool {
    tag == "en"
}

#[cfg(not(target_arch = "wasm32"))]
pub fn add(_tag: &'static str, _json: &str) {}

#[cfg(not(target_arch = "wasm32"))]
pub fn request(_tag: &'static str, send: impl FnOnce() -> js_sys::Promise) -> js_sys::Promise {
    send()
}

#[cfg(not(target_arch = "wasm32"))]
pub fn forget(_tag: &'static str) {}

/// Natively (the unit tests of the texts' users), English, read from its file by key name.
#[cfg(not(target_arch = "wasm32"))]
pub fn t(key: Key) -> String {
    let name = k::NAMES[key as usize];
    let text = locale_format::entries(ENGLISH).into_iter().find(|(k, _)| *k == name).map(|(_, t)| t);
    text.map(|t| t[1..t.len() - 1].replace("\\\"", "\"")).unwrap_or_else(|| name.to_owned())
}

// Natively only its reader is used outside the tests (in the wasm, nothing: `build.rs` has
// shipped English); the build script and xtask use the rest.
#[allow(dead_code)]
#[path = "../locale_format.rs"]
mod locale_format;

/// The text for `key` with each `{name}` replaced by its value.
pub fn tf(key: Key, args: &[(&str, &str)]) -> String {
    fill(t(key), args)
}

/// The text for `key` split where `{name}` stands, for markup to go between the two parts.
pub fn around(key: Key, name: &str) -> (String, String) {
    let text = t(key);
    let mark = "{".to_owned() + name + "}";
    match text.split_once(&mark) {
        Some((a, b)) => (a.to_owned(), b.to_owned()),
        None => (text, String::new()),
    }
}

fn fill(mut text: String, args: &[(&str, &str)]) -> String {
    for (name, value) in args {
        text = text.replace(&("{".to_owned() + name + "}"), value);
    }
    text
}

macro_rules! keys {
    ($($name:ident = $key:literal,)*) => {
        /// The keys of the texts, in English's order (`en.json`'s, which a test holds them to):
        /// a mistyped key does not compile, and a key is its number in the shipped texts.
        pub mod k {
            #[allow(non_camel_case_types)]
            #[derive(Clone, Copy, PartialEq, Eq, Debug)]
            pub enum Key { $($name,)* }
            pub use Key::*;
            /// Each key's name in the source files, by number.
            pub const NAMES: &[&str] = &[$($key),*];
        }
    };
}

pub use k::Key;

keys! {
    TITLE = "checkout.title",
    LOADING = "checkout.loading",
    CLOSE = "checkout.close",
    TEST_MODE = "checkout.test_mode",
    OPTION = "form.option",
    QUANTITY = "form.quantity",
    EMAIL = "form.email",
    COUPON = "form.coupon",
    PAY_WITH = "form.pay_with",
    SUBMIT = "form.submit",
    SUBMITTING = "form.submitting",
    SOLD_OUT = "form.sold_out",
    CARD = "methods.card",
    SUBTOTAL = "summary.subtotal",
    VOLUME_DISCOUNT = "summary.volume_discount",
    COUPON_LINE = "summary.coupon",
    FEE = "summary.fee",
    TAX = "summary.tax",
    TAX_INCLUDED = "summary.tax_included",
    TOTAL = "summary.total",
    YOU_SEND = "summary.you_send",
    QR_LABEL = "pay.qr_label",
    SEND_ONLY = "pay.send_only",
    AMOUNT = "pay.amount",
    ADDRESS = "pay.address",
    OPEN_WALLET = "pay.open_wallet",
    HOSTED = "pay.hosted",
    CONTINUE = "pay.continue",
    TIME_LEFT = "pay.time_left",
    COPY = "copy.copy",
    COPIED = "copy.copied",
    AMOUNT_COPIED = "copy.amount_copied",
    ADDRESS_COPIED = "copy.address_copied",
    COPY_FAILED = "copy.failed",
    WAITING = "status.waiting",
    PARTIAL = "status.partial",
    CONFIRMING = "status.confirming",
    COMPLETED = "status.completed",
    EXPIRED = "status.expired",
    CANCELLED = "status.cancelled",
    REFUNDED = "status.refunded",
    RECONNECTING = "status.reconnecting",
    PURCHASE = "outcome.purchase",
    ORDER_NUMBER = "outcome.order_number",
    NEW_ORDER = "outcome.new_order",
    NETWORK = "error.network",
    RETRY = "error.retry",
    UNEXPECTED = "error.unexpected",
    BUSY = "error.busy",
    UNAVAILABLE = "error.unavailable",
    PRODUCT_NOT_FOUND = "error.product_not_found",
    ORDER_NOT_FOUND = "error.order_not_found",
    OUT_OF_STOCK = "error.out_of_stock",
    FIELD_EMAIL = "error.field.buyer_email",
    FIELD_METHOD = "error.field.payment_method",
    FIELD_QUANTITY = "error.field.quantity",
    FIELD_COUPON = "error.field.coupon_code",
    FIELD_VARIANT = "error.field.variant_id",
    FIELD_OTHER = "error.field.other",
    NETWORK_LEGEND = "methods.network",
    RATE = "summary.rate",
    RATE_HELD = "summary.rate_held",
    RECEIPT_FOR = "receipt.for",
    STEP_WAITING = "steps.waiting",
    STEP_SEEN = "steps.seen",
    STEP_CONFIRMING = "steps.confirming",
    STEP_PAID = "steps.paid",
}

/// What to tell the buyer about a refused or failed call, by the API's error code: never the
/// server's English message or the browser's raw error.
pub fn error_text(code: &str) -> String {
    t(match code {
        "network_error" => k::NETWORK,
        "rate_limited" | "idempotency_in_progress" => k::BUSY,
        "upstream_unavailable" | "upstream_error" | "order_abandoned" => k::UNAVAILABLE,
        "product_not_found" => k::PRODUCT_NOT_FOUND,
        "order_not_found" => k::ORDER_NOT_FOUND,
        "out_of_stock" => k::OUT_OF_STOCK,
        _ => k::UNEXPECTED,
    })
}

/// What to tell the buyer about a field the API refused.
pub fn field_text(field: &str) -> String {
    t(match field {
        "buyer_email" => k::FIELD_EMAIL,
        "payment_method" => k::FIELD_METHOD,
        "quantity" => k::FIELD_QUANTITY,
        "coupon_code" => k::FIELD_COUPON,
        "variant_id" => k::FIELD_VARIANT,
        _ => k::FIELD_OTHER,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_locale_is_the_asked_one_then_the_browsers_then_english() {
        assert_eq!(choose(Some("de"), ["ja"]), "de");
        assert_eq!(choose(Some("DE-at"), []), "de");
        assert_eq!(choose(Some("pt"), []), "pt-BR");
        assert_eq!(choose(Some("pt_BR"), []), "pt-BR");
        assert_eq!(choose(Some("zh-Hans-CN"), []), "zh-CN");
        assert_eq!(choose(Some("xx"), ["sw", "fr-CA", "de"]), "fr");
        assert_eq!(choose(None, ["sw"]), "en");
        assert_eq!(choose(Some(""), []), "en");
        assert!(is_rtl("ar") && is_rtl("he") && !is_rtl("en"));
    }

    #[test]
    fn placeholders_are_filled_wherever_they_stand() {
        let text = "{unit} {paid} / {remaining} {unit}".to_owned();
        assert_eq!(fill(text, &[("paid", "0.5"), ("remaining", "1"), ("unit", "BTC")]), "BTC 0.5 / 1 BTC");
    }

    /// Each locale's file has exactly English's keys, each with the same placeholders; English
    /// has exactly the keys the code uses. A missing or mistyped key fails here.
    #[test]
    fn every_locale_has_every_text() {
        use std::collections::BTreeSet;
        let source = |tag: &str| {
            let path = std::path::PathBuf::from(
                std::env::var("CARGO_MANIFEST_DIR").expect("cargo test sets CARGO_MANIFEST_DIR"),
            )
            .join("locales")
            .join(tag.to_owned() + ".json");
            std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        };
        let read = |tag: &str| -> serde_json::Map<String, serde_json::Value> {
            serde_json::from_str(&source(tag)).unwrap_or_else(|e| panic!("{tag}: {e}"))
        };
        let placeholders = |s: &str| -> Vec<String> {
            let mut found: Vec<String> =
                s.split('{').skip(1).filter_map(|rest| rest.split_once('}').map(|(name, _)| name.to_owned())).collect();
            found.sort();
            found
        };
        let english = read("en");
        let keys: BTreeSet<&str> = english.keys().map(String::as_str).collect();
        // The order matters: a key is its number in the shipped texts.
        let en_source = source("en");
        let in_order: Vec<&str> = locale_format::entries(&en_source).into_iter().map(|(key, _)| key).collect();
        assert_eq!(in_order, k::NAMES, "en.json's keys, in order, are the keys in the code");
        assert_eq!(in_order.len(), english.len(), "one text a line in en.json");
        let mut files: Vec<String> = std::fs::read_dir(
            std::path::PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo test sets CARGO_MANIFEST_DIR"))
                .join("locales"),
        )
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().trim_end_matches(".json").to_owned())
        .collect();
        files.sort();
        let mut listed: Vec<String> = LOCALES.iter().map(|l| l.to_string()).collect();
        listed.sort();
        assert_eq!(files, listed, "a file for each locale in LOCALES, and no other");
        let fingerprint = locale_format::fingerprint(k::NAMES.iter().copied());
        for tag in LOCALES {
            let messages = read(tag);
            let theirs: BTreeSet<&str> = messages.keys().map(String::as_str).collect();
            assert_eq!(theirs, keys, "{tag}: its keys");
            // As shipped: English's fingerprint, then each text at its key's number.
            let shipped: Vec<serde_json::Value> =
                serde_json::from_str(&locale_format::shipped(&source(tag), &en_source))
                    .unwrap_or_else(|e| panic!("{tag} as shipped: {e}"));
            assert_eq!(shipped[0], fingerprint.as_str(), "{tag}: the fingerprint");
            for (n, name) in k::NAMES.iter().enumerate() {
                assert_eq!(shipped[n + 1], messages[*name], "{tag}: {name} at {}", n + 1);
            }
            for (key, en) in &english {
                let text = messages[key].as_str().unwrap_or_else(|| panic!("{tag} {key}: not a string"));
                assert!(!text.trim().is_empty(), "{tag} {key}: empty");
                assert_eq!(placeholders(text), placeholders(en.as_str().unwrap()), "{tag} {key}: its placeholders");
            }
        }
    }

    #[test]
    fn the_fingerprint_changes_with_any_key_or_its_place() {
        let f = |keys: &[&str]| locale_format::fingerprint(keys.iter().copied());
        let base = f(&["a.b", "c.d"]);
        assert_eq!(base.len(), 8);
        assert_ne!(base, f(&["c.d", "a.b"]), "moved");
        assert_ne!(base, f(&["a.b", "c.e"]), "renamed");
        assert_ne!(base, f(&["a.b"]), "removed");
        assert_ne!(base, f(&["a.bc.d"]), "joined");
    }

    #[test]
    fn a_text_the_locale_lacks_ships_as_null() {
        let english = "{\n  \"a\": \"A \\\"x\\\"\",\n  \"b\": \"B\"\n}\n";
        let german = "{\n  \"b\": \"Be\"\n}\n";
        let shipped = locale_format::shipped(german, english);
        assert_eq!(shipped, "[\"".to_owned() + &locale_format::fingerprint(["a", "b"]) + "\",null,\"Be\"]");
        let parsed: Vec<serde_json::Value> = serde_json::from_str(&locale_format::shipped(english, english)).unwrap();
        assert_eq!(parsed[1], "A \"x\"");
    }
}
