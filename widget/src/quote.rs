//! The server's quote for the draft, asked again whenever the draft changes.

use std::cell::Cell;
use std::rc::Rc;

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api;
use crate::draft::Draft;
use crate::env::EnvStore;
use crate::model::{Product, Quote};

/// The latest quote, and its refusals by field (a coupon that does not apply) in the same shape
/// as the form's own errors; or, when it could not be had at all (the network, a busy or
/// failing server), what to tell the buyer (Try again is the draft's method notified anew).
#[derive(Clone, Copy)]
pub struct LiveQuote {
    pub quote: RwSignal<Option<Quote>>,
    pub errors: RwSignal<Vec<(String, String)>>,
    pub failed: RwSignal<Option<String>>,
}

impl LiveQuote {
    /// Follows the draft once the product is loaded and a method is chosen.
    pub fn follow(product: RwSignal<Option<Product>>, draft: Draft, env: EnvStore) -> LiveQuote {
        let live = LiveQuote { quote: RwSignal::new(None), errors: RwSignal::new(vec![]), failed: RwSignal::new(None) };
        // An answer to an older draft is dropped. A `LocalResource` would do this for us, but
        // it costs 9.5 KB of the download; a request counter costs nothing (a plain cell: as a
        // `StoredValue<u64>` it cost 249 B).
        let asked = Rc::new(Cell::new(0u64));
        // The product's own quote answers the first draft if that is its defaults; after that
        // every quote is asked, so none shown is older than the product.
        let first = Cell::new(true);
        Effect::new(move |_| {
            let Some(p) = product.get() else { return };
            if draft.method.get().is_none() {
                return;
            }
            let body = draft.body(&p, false);
            let seq = asked.get() + 1;
            asked.set(seq);
            let default = p.default_quote.as_ref().filter(|_| first.replace(false));
            if let Some(d) = default.filter(|d| d.0 == body) {
                live.quote.set(Some(d.1.clone()));
                return;
            }
            let asked = asked.clone();
            let api = env.api();
            spawn_local(async move {
                let result = api::quote(&api, body).await;
                if asked.get() != seq {
                    return;
                }
                match result {
                    Ok(q) => {
                        live.quote.set(Some(q));
                        live.errors.set(vec![]);
                        live.failed.set(None);
                    }
                    Err(e) => {
                        live.quote.set(None);
                        live.errors.set(e.field_messages());
                        live.failed.set(e.fields.is_empty().then(|| e.text()));
                    }
                }
            });
        });
        live
    }
}
