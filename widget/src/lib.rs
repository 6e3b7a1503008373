//! Tollgate's checkout widget. This crate is a placeholder that proves the shared model
//! builds into the browser bundle; the Leptos app arrives with the widget issue.

use wasm_bindgen::prelude::*;

/// The payment methods the widget knows, as their API strings.
#[wasm_bindgen]
pub fn payment_methods() -> Vec<String> {
    shared::PaymentMethod::all().into_iter().map(|m| m.to_string()).collect()
}
