//! A seller's change to the catalog, any JSON: never a panic; a change taken leaves a document
//! that checks whole, still has every product (archived, never removed), and holds no stock
//! item (they belong to the store's stock table).
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use serde_json::Value;
use worker_app::catalog::{self, edit};

fn seed() -> &'static Value {
    static DOC: OnceLock<Value> = OnceLock::new();
    DOC.get_or_init(|| edit::seed(catalog::SOURCE_JSON).expect("the seed is valid").0)
}

fuzz_target!(|text: &str| {
    let Ok(change) = serde_json::from_str::<edit::Edit>(text) else { return };
    let doc = seed();
    let Ok(applied) = edit::apply(doc, &change, |prefix| format!("{prefix}_fuzz")) else { return };
    assert!(catalog::check_value(applied.doc.clone()).is_ok(), "a change taken checks whole");
    let ids = |d: &Value| -> Vec<String> {
        d["products"].as_array().into_iter().flatten().filter_map(|p| p["id"].as_str().map(str::to_owned)).collect()
    };
    let after = ids(&applied.doc);
    for id in ids(doc) {
        assert!(after.contains(&id), "{id} was removed");
    }
    for p in applied.doc["products"].as_array().into_iter().flatten() {
        let left = p.pointer("/delivery/stock").and_then(Value::as_array).map_or(0, Vec::len);
        assert_eq!(left, 0, "stock items stay out of the document");
    }
});
