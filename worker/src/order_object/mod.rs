//! One Durable Object per order: the order, the buyer's secret, what it will deliver, and one
//! alarm for whatever is due next. Every change goes through `shared`'s transition function.
//!
//! With an upstream gateway the object also owns the link to the provider's order: it opens
//! it, reads it at most once per refresh interval however many buyers poll (concurrent polls
//! share one call and meanwhile get what is known), applies webhooks at once, and keeps
//! reading it on its alarm until it is final, whether or not anyone is watching.
//!
//! Two rules keep an order whole across awaits. Any await that leaves the object (a call to
//! the provider or to the store) lets other requests in, so the order is read again from
//! storage afterwards, never written back from a copy made before. And the store hears of
//! every change through an outbox (`rev` > `synced`): the change is saved first, then sent,
//! and resent from the alarm until the store has it, so stock is released or delivered
//! exactly once however often a call fails.

mod live;
mod messages;
mod notify;
mod record;
mod schedule;
mod upstream;

use std::cell::{Cell, RefCell};

use chrono::{DateTime, Duration, Utc};
use gateways::{Failure, Settings};
use shared::{OrderEvent, OrderStatus};
use worker::{
    Date, DurableObject, Env, Request, Response, Result, State, WebSocket, WebSocketIncomingMessage, durable_object,
};

pub use messages::{EventRefusal, HookRefusal, OrderReply, OrderRequest, UpstreamRef, WebhookDelivery, WebhookOutcome};
pub use record::{Link, Payment, Record};
pub use schedule::next_alarm;

use crate::config::{Config, Gateway};
use crate::notices;
use crate::store::{self, IndexUpdate};
use crate::{ids, rpc};
use record::settle;
use schedule::UPSTREAM_GRACE_DAYS;

pub const BINDING: &str = "ORDERS";

#[durable_object]
pub struct OrderObject {
    state: State,
    env: Env,
    /// A call to the provider is under way (create or read).
    busy: Cell<bool>,
    /// Events are being sent to the seller's endpoints.
    delivering: Cell<bool>,
    /// The last revision pushed to the buyer's live sockets.
    pushed_rev: Cell<u64>,
    /// When the provider was last asked (ms since the epoch).
    last_asked_ms: Cell<f64>,
    /// What went wrong the last time, answered again until the next attempt is due.
    last_failure: RefCell<Option<Failure>>,
    /// The record as last loaded or saved. Only this object writes it, so the copy stays true
    /// until its next save, and a buyer's poll costs no storage read and no JSON parse.
    record: RefCell<Option<Record>>,
}

/// Storage key set when the store gives up an order that was never made (`Abandon`).
const ABANDONED: &str = "abandoned";

/// The platform clock, in whole seconds like the API's timestamps.
pub fn now() -> DateTime<Utc> {
    DateTime::from_timestamp(Date::now().as_millis() as i64 / 1000, 0).unwrap_or_default()
}

impl OrderObject {
    async fn load(&self) -> Result<Option<Record>> {
        if let Some(r) = self.record.borrow().as_ref() {
            return Ok(Some(r.clone()));
        }
        let Some(doc) = self.state.storage().get::<String>("order").await? else { return Ok(None) };
        let r: Record = shared::wire::read(&doc)?;
        // A save while storage was read is newer than what was read.
        Ok(Some(self.record.borrow_mut().get_or_insert(r).clone()))
    }

    /// Saves the record and sets the alarm for what it needs next. New events for the seller
    /// are addressed to the endpoints configured now, and go out from the alarm, never in the
    /// request that made them.
    async fn save(&self, r: &Record) -> Result<()> {
        let mut r = r.clone();
        let endpoints = self.config().and_then(|c| c.seller_webhooks).map(|h| h.urls).unwrap_or_default();
        notices::address(&mut r.notices, &endpoints, now());
        self.state.storage().put("order", serde_json::to_string(&r)?).await?;
        // Only once stored: a failed put leaves the copy as storage has it. Nothing else runs in
        // this object while storage writes (its input gate is closed).
        *self.record.borrow_mut() = Some(r.clone());
        self.push(&r);
        self.schedule(&r).await
    }

    async fn schedule(&self, r: &Record) -> Result<()> {
        let refresh = self.settings().map_or(0, |s| s.refresh_seconds);
        match next_alarm(r, now(), refresh) {
            Some(at) => self.state.storage().set_alarm(at).await,
            None => self.state.storage().delete_alarm().await,
        }
    }

    fn config(&self) -> Option<Config> {
        Config::cached(&self.env).ok()
    }

    /// The upstream settings, when an upstream gateway is configured.
    fn settings(&self) -> Option<Settings> {
        match self.config()?.gateway {
            Gateway::Upstream(s) => Some(s),
            Gateway::Sandbox => None,
        }
    }

    /// Sends the order's latest change to the store, if it has not had it. A failure is
    /// counted and retried from the alarm; the order itself stays as it is.
    async fn sync_store(&self) -> Result<()> {
        let Some(r) = self.load().await? else { return Ok(()) };
        if !r.store_behind() {
            return Ok(());
        }
        let update = IndexUpdate { order: r.order.clone(), rev: r.rev };
        let sent = async {
            let stub = self.env.durable_object(store::BINDING)?.get_by_name(store::NAME)?;
            store::ask(&stub, update).await
        }
        .await;
        // The order may have changed while the store was asked.
        let Some(mut latest) = self.load().await? else { return Ok(()) };
        match sent {
            Ok(()) => {
                latest.synced = latest.synced.max(r.rev);
                latest.sync_failures = 0;
            }
            Err(e) => {
                worker::console_warn!("store update for {} failed, retrying: {e}", r.order.id);
                latest.sync_failures = latest.sync_failures.saturating_add(1);
            }
        }
        self.save(&latest).await
    }

    /// Applies `events` (and the provider's delivery, if any) to the stored order: all or
    /// nothing. A change is saved, then sent to the store.
    async fn apply_events(
        &self,
        events: &[OrderEvent],
        delivered: Option<String>,
    ) -> Result<std::result::Result<Option<Record>, EventRefusal>> {
        let Some(mut r) = self.load().await? else { return Ok(Ok(None)) };
        if let Err(e) = settle(&mut r, events, delivered, now()) {
            return Ok(Err(e));
        }
        self.commit(r).await.map(Ok)
    }

    /// Saves a record changed in memory since it was loaded (with no await that leaves the
    /// object in between) and brings the store up to date.
    async fn commit(&self, r: Record) -> Result<Option<Record>> {
        self.save(&r).await?;
        if r.store_behind() {
            self.sync_store().await?;
        }
        self.load().await
    }

    async fn read(&self, buyer_secret: Option<String>) -> Result<OrderReply> {
        let Some(r) = self.load().await? else { return Ok(OrderReply::NotFound) };
        // The secret first: a stranger with an order id spends none of the provider's quota.
        let for_buyer = buyer_secret.is_some();
        if let Some(secret) = buyer_secret
            && !ids::constant_time_eq(&secret, &r.client_secret)
        {
            return Ok(OrderReply::NotFound);
        }
        if let Err(failure) = self.refresh(false).await? {
            return Ok(OrderReply::Upstream { failure });
        }
        let reply = |r: Record| if for_buyer { r.buyer_reply() } else { r.stored() };
        Ok(self.load().await?.map_or(OrderReply::NotFound, reply))
    }

    async fn create(&self, record: Record) -> Result<OrderReply> {
        if self.state.storage().get::<bool>(ABANDONED).await?.is_some() {
            return Ok(OrderReply::Abandoned);
        }
        if self.load().await?.is_none() {
            let mut r = record;
            notices::record(&mut r.notices, None, &r.order, now());
            // Nothing owed (a coupon took the whole price): complete now, with no payment.
            if r.order.amount_due().is_zero() && r.order.status == OrderStatus::Pending {
                settle(&mut r, &[OrderEvent::NothingDue], None, now())
                    .map_err(|e| worker::Error::RustError(format!("{e:?}")))?;
            }
            self.commit(r).await?;
        }
        self.open_upstream().await
    }

    async fn handle(&self, request: OrderRequest) -> Result<OrderReply> {
        match request {
            OrderRequest::Create { record, .. } => self.create(*record).await,
            OrderRequest::Resume => self.open_upstream().await,
            OrderRequest::Open => {
                // A read of one small key: whatever the runtime sets up on first use is done now.
                self.state.storage().get::<bool>(ABANDONED).await?;
                Ok(OrderReply::Opened)
            }
            OrderRequest::Abandon => match self.load().await? {
                Some(r) => Ok(r.stored()),
                None => {
                    self.state.storage().put(ABANDONED, true).await?;
                    Ok(OrderReply::NotFound)
                }
            },
            OrderRequest::Read { buyer_secret } => self.read(buyer_secret).await,
            OrderRequest::Event { event } => Ok(match self.apply_events(std::slice::from_ref(&event), None).await? {
                Ok(Some(r)) => r.stored(),
                Ok(None) => OrderReply::NotFound,
                Err(refusal) => OrderReply::Refused { refusal },
            }),
            OrderRequest::Webhook { delivery } => Ok(OrderReply::Webhook { outcome: self.webhook(delivery).await? }),
            OrderRequest::Notices => {
                Ok(self.load().await?.map_or(OrderReply::NotFound, |r| OrderReply::Notices { notices: r.notices }))
            }
            OrderRequest::Redeliver { event_id } => self.redeliver(&event_id).await,
        }
    }

    /// The alarm's work: catch the store up, tell the seller, ask the provider again, let the
    /// invoice lapse.
    async fn wake(&self) -> Result<()> {
        self.sync_store().await?;
        self.deliver_notices().await?;
        let Some(r) = self.load().await? else { return Ok(()) };
        let now = now();
        if r.linked() && !r.order.status.is_final() {
            let changed = matches!(self.refresh(true).await?, Ok(true));
            let Some(mut r) = self.load().await? else { return Ok(()) };
            r.quiet_reads = if changed { 0 } else { r.quiet_reads.saturating_add(1) };
            let overdue = now > r.order.expires_at + Duration::days(UPSTREAM_GRACE_DAYS);
            if r.order.status == OrderStatus::Pending && overdue {
                settle(&mut r, &[OrderEvent::Expired], None, now).ok();
            }
            self.commit(r).await?;
        } else if r.order.status == OrderStatus::Pending && now >= r.order.expires_at {
            let _ = self.apply_events(&[OrderEvent::Expired], None).await?;
        }
        // Whatever happened above, the next wake-up follows from the record as it now is.
        if let Some(r) = self.load().await? {
            self.schedule(&r).await?;
        }
        Ok(())
    }
}

impl DurableObject for OrderObject {
    fn new(state: State, env: Env) -> Self {
        OrderObject {
            state,
            env,
            busy: Cell::new(false),
            delivering: Cell::new(false),
            pushed_rev: Cell::new(0),
            last_asked_ms: Cell::new(0.0),
            last_failure: RefCell::new(None),
            record: RefCell::new(None),
        }
    }

    async fn fetch(&self, req: Request) -> Result<Response> {
        if req.headers().get("Upgrade")?.is_some_and(|u| u.eq_ignore_ascii_case("websocket")) {
            return self.open_socket(req).await;
        }
        let request: OrderRequest = rpc::request(req).await?;
        let lose_answer = matches!(request, OrderRequest::Create { lose_answer: true, .. });
        let reply = self.handle(request).await?;
        if lose_answer {
            // Stored, but answered as an error: the creating request must find the order.
            return Response::error("the order's answer is lost on purpose (test mode fault)", 500);
        }
        rpc::reply(&reply)
    }

    async fn websocket_message(&self, ws: WebSocket, message: WebSocketIncomingMessage) -> Result<()> {
        let text = match message {
            WebSocketIncomingMessage::String(t) => Some(t),
            WebSocketIncomingMessage::Binary(_) => None,
        };
        self.socket_message(ws, text).await
    }

    async fn websocket_close(&self, ws: WebSocket, _code: usize, _reason: String, _clean: bool) -> Result<()> {
        // The other side has gone: finish the closing handshake.
        let _ = ws.close(Some(1000), Some("closed"));
        Ok(())
    }

    async fn websocket_error(&self, _ws: WebSocket, _error: worker::Error) -> Result<()> {
        Ok(())
    }

    async fn alarm(&self) -> Result<Response> {
        self.wake().await?;
        Response::ok("")
    }
}
