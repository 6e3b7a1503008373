//! The next order's id, its object opened before the buyer presses Pay.
//!
//! A Durable Object's first request sets up its storage. Locally that is a new SQLite database
//! created and synced to disk (its file, journal and WAL, and the directory twice), which holds
//! the runtime's one thread for 5 to 10 ms; on Cloudflare it is the object's placement. An
//! order whose object was opened ahead waits for none of it.
//!
//! Each isolate keeps one such id, chosen and opened when a buyer's checkout reads its product
//! or a quote, and after each order it makes. So at most one object per isolate is
//! ever opened without an order, whatever a client sends; one never used holds no data. The id
//! is random like any other (`ids::order_id`) and is handed out once: the isolate runs one
//! request's code at a time, and taking it leaves none behind.

use std::cell::RefCell;
use std::time::Duration;

use worker::Delay;

use super::Ctx;
use super::objects::order_stub;
use crate::order_object::{OrderReply, OrderRequest};
use crate::{ids, rpc};

/// How long the opening waits after the answer: locally the set-up holds the runtime's one
/// thread and the disk for several milliseconds, which the answer, and the buyer's page drawing
/// it (about 15 ms here), should not share. A buyer takes seconds to pay.
const AFTER_THE_ANSWER: Duration = Duration::from_millis(100);

thread_local! {
    static NEXT: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// The id for a new order: the prepared one, else a fresh one.
pub(super) fn order_id() -> String {
    NEXT.with_borrow_mut(Option::take).unwrap_or_else(ids::order_id)
}

/// An id to open ahead, kept as the next order's; `None` while one is kept.
fn choose() -> Option<String> {
    NEXT.with_borrow_mut(|next| match next {
        Some(_) => None,
        None => Some(next.insert(ids::order_id()).clone()),
    })
}

/// Opens the next order's object once this request's answer has gone, unless one is kept
/// already. The id is kept at once: an order made before the opening opens the object itself,
/// and the late opening finds it made. A failed opening costs nothing either.
pub(super) fn prepare(ctx: &Ctx<'_>) {
    let Some(id) = choose() else { return };
    let Ok(stub) = order_stub(ctx, &id) else { return };
    ctx.background.wait_until(async move {
        Delay::from(AFTER_THE_ANSWER).await;
        if let Err(e) = rpc::call::<_, OrderReply>(&stub, &OrderRequest::Open).await {
            worker::console_warn!("the next order's object could not be opened ahead: {e}");
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_id_is_prepared_once_and_handed_out_once() {
        NEXT.with_borrow_mut(|n| *n = None);
        let prepared = choose().expect("none kept: one is chosen");
        assert!(ids::is_order_id(&prepared));
        assert_eq!(choose(), None, "one kept: no second is opened");
        assert_eq!(order_id(), prepared, "the order takes the prepared id");
        let fresh = order_id();
        assert!(ids::is_order_id(&fresh) && fresh != prepared, "taken: the next order gets a fresh id");
        let next = choose().expect("taken: the next one is chosen");
        assert!(next != prepared && next != fresh);
    }
}
