//! The console's texts: English built in (`locales/en.json`), another language fetched from
//! `/dashboard/locales/<tag>.json` before the app mounts, by the browser's languages. A key the
//! language lacks shows in English.

use std::cell::RefCell;
use std::collections::HashMap;

use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

const ENGLISH: &str = include_str!("../locales/en.json");

/// The languages shipped beside English, as their files are named.
pub const LOCALES: [&str; 19] = [
    "ar", "de", "es", "fr", "he", "hi", "id", "it", "ja", "ko", "nl", "pl", "pt-BR", "ru", "th", "tr", "uk", "vi",
    "zh-CN",
];

thread_local! {
    static EN: HashMap<String, String> = serde_json::from_str(ENGLISH).expect("locales/en.json is a JSON object of strings");
    static CURRENT: RefCell<(String, HashMap<String, String>)> = RefCell::new(("en".into(), HashMap::new()));
}

/// The text for `key` in the chosen language.
pub fn t(key: &str) -> String {
    CURRENT
        .with_borrow(|(_, m)| m.get(key).cloned())
        .or_else(|| EN.with(|m| m.get(key).cloned()))
        .unwrap_or_else(|| key.to_owned())
}

/// The text for `key` with `{name}` placeholders filled.
pub fn tf(key: &str, args: &[(&str, &str)]) -> String {
    args.iter().fold(t(key), |s, (name, value)| s.replace(&format!("{{{name}}}"), value))
}

/// The chosen language's tag.
pub fn lang() -> String {
    CURRENT.with_borrow(|(tag, _)| tag.clone())
}

pub fn is_rtl(tag: &str) -> bool {
    matches!(tag, "ar" | "he")
}

/// The first of `wanted` (the browser's languages, best first) that ships, by its full tag or
/// its language; English when none does.
pub fn choose<'a>(wanted: impl IntoIterator<Item = &'a str>) -> &'static str {
    for w in wanted {
        let lower = w.to_ascii_lowercase();
        if lower == "en" || lower.starts_with("en-") {
            return "en";
        }
        if let Some(l) = LOCALES.iter().find(|l| l.to_ascii_lowercase() == lower) {
            return l;
        }
        let base = lower.split('-').next().unwrap_or_default();
        if let Some(l) = LOCALES.iter().find(|l| l.to_ascii_lowercase().split('-').next() == Some(base)) {
            return l;
        }
    }
    "en"
}

/// Picks the language from `?lang=` or the browser's, and loads its texts.
pub async fn load() {
    let Some(window) = web_sys::window() else { return };
    let search = window.location().search().unwrap_or_default();
    let asked = search.trim_start_matches('?').split('&').find_map(|p| p.strip_prefix("lang=")).map(str::to_owned);
    let browser: Vec<String> = window.navigator().languages().iter().filter_map(|v| v.as_string()).collect();
    let tag = choose(asked.iter().map(String::as_str).chain(browser.iter().map(String::as_str)));
    if tag == "en" {
        return;
    }
    let texts = async {
        let resp: web_sys::Response = JsFuture::from(window.fetch_with_str(&format!("/dashboard/locales/{tag}.json")))
            .await
            .ok()?
            .dyn_into()
            .ok()?;
        if !resp.ok() {
            return None;
        }
        let text = JsFuture::from(resp.text().ok()?).await.ok()?.as_string()?;
        serde_json::from_str::<HashMap<String, String>>(&text).ok()
    };
    if let Some(m) = texts.await {
        CURRENT.set((tag.to_owned(), m));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_browser_languages_pick_a_shipped_locale() {
        assert_eq!(choose(["pt-PT", "en"]), "pt-BR");
        assert_eq!(choose(["zh-TW"]), "zh-CN");
        assert_eq!(choose(["xx", "de-AT"]), "de");
        assert_eq!(choose(["en-GB", "de"]), "en");
        assert_eq!(choose([]), "en");
    }

    #[test]
    fn every_locale_file_has_exactly_the_english_keys() {
        let en: HashMap<String, String> = serde_json::from_str(ENGLISH).unwrap();
        let dir =
            format!("{}/locales", std::env::var("CARGO_MANIFEST_DIR").expect("cargo test sets CARGO_MANIFEST_DIR"));
        for tag in LOCALES {
            let text = std::fs::read_to_string(format!("{dir}/{tag}.json")).unwrap_or_else(|e| panic!("{tag}: {e}"));
            let m: HashMap<String, String> = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{tag}: {e}"));
            let mut missing: Vec<&String> = en.keys().filter(|k| !m.contains_key(*k)).collect();
            let mut extra: Vec<&String> = m.keys().filter(|k| !en.contains_key(*k)).collect();
            missing.sort();
            extra.sort();
            assert!(missing.is_empty() && extra.is_empty(), "{tag}: missing {missing:?}, extra {extra:?}");
            for (k, v) in &en {
                for p in placeholders(v) {
                    assert!(m[k].contains(&p), "{tag}: {k} lacks {p}");
                }
            }
        }
    }

    fn placeholders(s: &str) -> Vec<String> {
        s.split('{').skip(1).filter_map(|p| p.split_once('}').map(|(n, _)| format!("{{{n}}}"))).collect()
    }
}
