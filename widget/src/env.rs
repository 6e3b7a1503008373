//! What every part of the checkout reaches: the API, where events go, how to close. Components
//! take it as a prop: Leptos's context (`provide_context`) would add 1.7 KB to the download.

use leptos::prelude::*;
use wasm_bindgen::JsValue;
use web_sys::HtmlElement;

use crate::api::ApiError;
use crate::{events, model};

pub struct Env {
    pub api: String,
    pub events: HtmlElement,
    pub on_close: Option<js_sys::Function>,
    pub modal: bool,
}

/// A copyable handle on the [`Env`], which holds browser objects and so stays on this thread.
#[derive(Clone, Copy)]
pub struct EnvStore(StoredValue<Env, LocalStorage>);

impl EnvStore {
    pub fn new(env: Env) -> EnvStore {
        EnvStore(StoredValue::new_local(env))
    }

    pub fn api(self) -> String {
        self.0.with_value(|e| e.api.clone())
    }

    pub fn modal(self) -> bool {
        self.0.with_value(|e| e.modal)
    }

    /// Dispatches `tollgate:{name}` on the events element.
    pub fn emit(self, name: &str, detail: &JsValue) {
        self.0.with_value(|e| events::dispatch(&e.events, name, detail));
    }

    pub fn emit_error(self, e: &ApiError) {
        let detail =
            model::object(&[("code", Some(e.code.as_str().into())), ("message", Some(e.message.as_str().into()))]);
        self.emit("error", &detail);
    }

    /// Tells the loader the buyer closed the modal.
    pub fn close(self) {
        self.0.with_value(|e| {
            if let Some(f) = &e.on_close {
                let _ = f.call0(&JsValue::NULL);
            }
        });
    }
}
