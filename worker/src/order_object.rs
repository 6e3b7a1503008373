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

use std::cell::{Cell, RefCell};

use chrono::{DateTime, Duration, Utc};
use gateways::{Failure, Opening, Provider, Settings, UpstreamState, WebhookRefusal, reconcile};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use shared::status::TransitionError;
use shared::{Order, OrderEvent, OrderStatus};
use worker::{Date, DurableObject, Env, Request, Response, Result, State, durable_object};

use crate::config::{Config, Gateway};
use crate::store::{self, IndexUpdate};
use crate::upstream;
use crate::{ids, rpc};

pub const BINDING: &str = "ORDERS";

/// How many webhook digests an order remembers to recognise replays.
const SEEN_WEBHOOKS: usize = 64;
/// Follow-up reads at the refresh interval before they start to back off.
const QUIET_READS_BEFORE_BACKOFF: u32 = 4;
/// The longest wait between two follow-up reads of an upstream order.
const MAX_FOLLOW_UP_SECONDS: i64 = 15 * 60;
/// An upstream order not final this long after its creation is no longer read on the alarm
/// (the buyer's polls and the provider's webhooks still move it).
const FOLLOW_UP_DAYS: i64 = 30;
/// A pending upstream order is expired here this long after its invoice lapsed, whatever the
/// provider says.
const UPSTREAM_GRACE_DAYS: i64 = 1;
/// The longest wait between two attempts to bring the store up to date.
const MAX_SYNC_WAIT_SECONDS: i64 = 5 * 60;

/// Everything the object keeps for its order.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Record {
    pub order: Order,
    pub client_secret: String,
    /// Stock items held for this order, delivered on completion.
    pub reserved: Vec<String>,
    /// Text delivered on completion when the product has no stock list.
    pub delivery_text: Option<String>,
    /// The provider's order, when an upstream gateway takes the payment.
    #[serde(default)]
    pub upstream: Option<Link>,
    /// Changes made to the order so far, and how many of them the store has acknowledged.
    #[serde(default)]
    pub rev: u64,
    #[serde(default)]
    pub synced: u64,
    /// Failed attempts to update the store since it last acknowledged a change.
    #[serde(default)]
    pub sync_failures: u32,
    /// Follow-up reads in a row that brought no news (they back off).
    #[serde(default)]
    pub quiet_reads: u32,
}

impl Record {
    /// A new order's record: nothing changed yet, nothing told to the store.
    pub fn new(
        order: Order,
        client_secret: String,
        reserved: Vec<String>,
        delivery_text: Option<String>,
        upstream: Option<Link>,
    ) -> Record {
        Record {
            order,
            client_secret,
            reserved,
            delivery_text,
            upstream,
            rev: 0,
            synced: 0,
            sync_failures: 0,
            quiet_reads: 0,
        }
    }

    fn linked(&self) -> bool {
        self.upstream.as_ref().is_some_and(|l| l.upstream_id.is_some())
    }

    fn store_behind(&self) -> bool {
        self.rev > self.synced
    }

    fn stored(&self) -> OrderReply {
        OrderReply::Order { order: self.order.clone(), client_secret: self.client_secret.clone() }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Link {
    pub provider: Provider,
    pub opening: Opening,
    /// Set once the provider has answered the create.
    pub upstream_id: Option<String>,
    /// Creates sent so far: after one whose answer was lost, the provider is searched first.
    #[serde(default)]
    pub attempts: u32,
    /// Digests of the webhooks applied, newest last.
    #[serde(default)]
    pub seen: Vec<String>,
    /// The newest change time the provider has reported (from reads and webhooks).
    #[serde(default)]
    pub news_at: Option<DateTime<Utc>>,
}

impl Link {
    /// A link to an order the object is yet to open at `provider`.
    pub fn new(provider: Provider, opening: Opening) -> Link {
        Link { provider, opening, upstream_id: None, attempts: 0, seen: Vec::new(), news_at: None }
    }
}

/// A webhook as received: the raw body and the request's headers.
#[derive(Debug, Serialize, Deserialize)]
pub struct WebhookDelivery {
    pub body: String,
    pub headers: Vec<(String, String)>,
}

/// What the worker asks of an order's object.
#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum OrderRequest {
    /// Stores a new order (or finds it stored) and opens it at the provider.
    Create {
        record: Box<Record>,
    },
    /// A create retried with the same Idempotency-Key: opens it upstream if the first could not.
    Resume,
    /// The order, brought up to date with the provider. `buyer_secret` is checked before the
    /// provider is asked; a seller's read (already authorised by key) sends none.
    Read {
        buyer_secret: Option<String>,
    },
    Event {
        event: OrderEvent,
    },
    Webhook {
        delivery: WebhookDelivery,
    },
}

/// The object's answer. Refusals are values, mapped to HTTP statuses once, by the API.
#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "reply", rename_all = "snake_case")]
pub enum OrderReply {
    Order {
        order: Order,
        client_secret: String,
    },
    /// No such order, or (for a buyer) a secret that does not match: the two look the same.
    NotFound,
    /// The event does not apply to the order as it is.
    Refused {
        refusal: EventRefusal,
    },
    /// The provider could not be used; the order is as it was.
    Upstream {
        failure: Failure,
    },
    Webhook {
        outcome: WebhookOutcome,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum EventRefusal {
    /// Not allowed from the order's status: 409.
    Illegal(String),
    /// An amount that cannot be taken (it would overflow): 422.
    Invalid(String),
}

impl From<TransitionError> for EventRefusal {
    fn from(e: TransitionError) -> Self {
        match e {
            TransitionError::Overflow | TransitionError::NonPositivePayment => EventRefusal::Invalid(e.to_string()),
            TransitionError::Illegal { .. } | TransitionError::AmountDue => EventRefusal::Illegal(e.to_string()),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum WebhookOutcome {
    Applied {
        status: OrderStatus,
    },
    /// The same body was applied before: nothing to do.
    Replay,
    Refused(HookRefusal),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum HookRefusal {
    /// 404: no such order, or not one of this provider's.
    NoSuchOrder(String),
    /// 404: the provider sends no webhooks Tollgate can verify.
    Unsupported(String),
    /// 401: no or a wrong signature or token, or about another order.
    Unauthorized(String),
    /// 401: signed, but older than what the provider already said.
    Stale(String),
    /// 400: signed, but unreadable.
    Malformed(String),
}

#[durable_object]
pub struct OrderObject {
    state: State,
    env: Env,
    /// A call to the provider is under way (create or read).
    busy: Cell<bool>,
    /// When the provider was last asked (ms since the epoch).
    last_asked_ms: Cell<f64>,
    /// What went wrong the last time, answered again until the next attempt is due.
    last_failure: RefCell<Option<Failure>>,
}

/// The platform clock, in whole seconds like the API's timestamps.
pub fn now() -> DateTime<Utc> {
    DateTime::from_timestamp(Date::now().as_millis() as i64 / 1000, 0).unwrap_or_default()
}

/// `base` seconds doubled `n` times, at most `cap`.
fn backoff(base: i64, n: u32, cap: i64) -> i64 {
    base.saturating_mul(1i64 << n.min(20)).min(cap)
}

/// When the object must wake next for this order: to bring the store up to date, to let the
/// invoice lapse, or to ask the provider again. `None`: nothing is left to do.
pub fn next_alarm(r: &Record, now: DateTime<Utc>, refresh_seconds: u32) -> Option<DateTime<Utc>> {
    let mut due = Vec::new();
    if r.store_behind() {
        due.push(now + Duration::seconds(backoff(1, r.sync_failures, MAX_SYNC_WAIT_SECONDS)));
    }
    let status = r.order.status;
    if r.linked() {
        if !status.is_final() && now < r.order.created_at + Duration::days(FOLLOW_UP_DAYS) {
            let quiet = r.quiet_reads.saturating_sub(QUIET_READS_BEFORE_BACKOFF);
            let mut at =
                now + Duration::seconds(backoff(i64::from(refresh_seconds.max(1)), quiet, MAX_FOLLOW_UP_SECONDS));
            // The provider is asked at expiry, and decides.
            if status == OrderStatus::Pending && r.order.expires_at > now {
                at = at.min(r.order.expires_at);
            }
            due.push(at);
        }
    } else if status == OrderStatus::Pending {
        due.push(r.order.expires_at);
    }
    due.into_iter().min()
}

impl OrderObject {
    async fn load(&self) -> Result<Option<Record>> {
        match self.state.storage().get::<String>("order").await? {
            Some(doc) => Ok(Some(serde_json::from_str(&doc)?)),
            None => Ok(None),
        }
    }

    /// Saves the record and sets the alarm for what it needs next.
    async fn save(&self, r: &Record) -> Result<()> {
        self.state.storage().put("order", serde_json::to_string(r)?).await?;
        self.schedule(r).await
    }

    async fn schedule(&self, r: &Record) -> Result<()> {
        let refresh = self.settings().map_or(0, |s| s.refresh_seconds);
        match next_alarm(r, now(), refresh) {
            Some(at) => self.state.storage().set_alarm(at).await,
            None => self.state.storage().delete_alarm().await,
        }
    }

    /// The upstream settings, when an upstream gateway is configured.
    fn settings(&self) -> Option<Settings> {
        match Config::from_env(&self.env).ok()?.gateway {
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

    /// Opens the order at the provider unless that is done, under way, or pointless (the
    /// order is no longer pending: a resume after expiry opens nothing).
    async fn open_upstream(&self) -> Result<OrderReply> {
        let Some(r) = self.load().await? else { return Ok(OrderReply::NotFound) };
        let Some(link) = r.upstream.clone() else { return Ok(r.stored()) };
        if link.upstream_id.is_some() || r.order.status != OrderStatus::Pending {
            return Ok(r.stored());
        }
        let Some(s) = self.settings() else {
            let failure = Failure::error(link.provider, "the worker no longer has this gateway configured");
            return Ok(OrderReply::Upstream { failure });
        };
        if self.busy.replace(true) {
            let failure = Failure::unavailable(link.provider, "the order is being opened", 1);
            return Ok(OrderReply::Upstream { failure });
        }
        let asked = self.find_or_create(&s, r).await;
        self.busy.set(false);
        self.last_asked_ms.set(Date::now().as_millis() as f64);
        let news = match asked? {
            Ok(news) => news,
            Err(failure) => return Ok(OrderReply::Upstream { failure }),
        };
        // A seller's cancel or the expiry alarm may have come in while the provider was asked.
        let Some(mut r) = self.load().await? else { return Ok(OrderReply::NotFound) };
        if r.order.status == OrderStatus::Pending {
            let mut order = r.order.clone();
            if let Err(e) = gateways::adopt(&mut order, &news, s.environment) {
                return Ok(OrderReply::Upstream { failure: Failure::error(s.provider, e) });
            }
            if order != r.order {
                r.order = order;
                r.rev += 1;
            }
        }
        // Linked either way: a provider's order made for an order that has since ended here is
        // still followed, so a payment to it is recorded (as late), never delivered.
        if let Some(l) = r.upstream.as_mut() {
            l.upstream_id = Some(news.upstream_id.clone());
        }
        take_news(&mut r, &news);
        Ok(self.commit(r).await?.map_or(OrderReply::NotFound, |r| r.stored()))
    }

    /// After a create whose answer was lost, the order it may have made, where the provider
    /// can be searched; otherwise (or when it is not there) a create, counted first.
    async fn find_or_create(&self, s: &Settings, mut r: Record) -> Result<std::result::Result<UpstreamState, Failure>> {
        let adapter = s.provider.adapter();
        let failed = |e: String| Failure::error(s.provider, e);
        let attempts = r.upstream.as_ref().map_or(0, |l| l.attempts);
        if let Some(call) = adapter.find(s, &r.order).filter(|_| attempts > 0) {
            let found =
                upstream::send(s, &call).await.and_then(|body| adapter.parse_found(&body, &r.order).map_err(failed));
            match found {
                Ok(Some(news)) => return Ok(Ok(news)),
                Ok(None) => {}
                Err(f) => return Ok(Err(f)),
            }
            // Counted on the record as it is now, not on the copy from before the search.
            match self.load().await? {
                Some(latest) if latest.order.status == OrderStatus::Pending => r = latest,
                _ => return Ok(Err(Failure::error(s.provider, "the order ended while the provider was searched"))),
            }
        }
        if let Some(l) = r.upstream.as_mut() {
            l.attempts += 1;
        }
        self.save(&r).await?;
        let opening = r.upstream.as_ref().map(|l| l.opening.clone()).expect("an upstream order has a link");
        let created = upstream::send(s, &adapter.create(s, &r.order, &opening)).await;
        Ok(created.and_then(|body| adapter.parse_created(&body, &r.order).map_err(failed)))
    }

    /// Reads the provider's order when the last reading is older than the refresh interval
    /// (or when `force`d); otherwise, and while another reading is under way, keeps what is
    /// known. A failed reading is answered again until the next one is due. Returns whether
    /// the reading changed the order.
    async fn refresh(&self, force: bool) -> Result<std::result::Result<bool, Failure>> {
        let Some(r) = self.load().await? else { return Ok(Ok(false)) };
        let Some(Link { upstream_id: Some(upstream_id), provider, .. }) = r.upstream.clone() else {
            return Ok(Ok(false));
        };
        if r.order.status.is_final() && !force {
            return Ok(Ok(false));
        }
        let Some(s) = self.settings() else {
            return Ok(Err(Failure::error(provider, "the worker no longer has this gateway configured")));
        };
        let now_ms = Date::now().as_millis() as f64;
        let interval_ms = f64::from(s.refresh_seconds) * 1000.0;
        let since = now_ms - self.last_asked_ms.get();
        if self.busy.get() || (!force && since < interval_ms) {
            return Ok(match self.last_failure.borrow().clone() {
                Some(mut f) => {
                    f.retry_after = f.retry_after.max(((interval_ms - since) / 1000.0).ceil().max(1.0) as u32);
                    Err(f)
                }
                None => Ok(false),
            });
        }
        self.busy.set(true);
        self.last_asked_ms.set(now_ms);
        let adapter = s.provider.adapter();
        let answer = upstream::send(&s, &adapter.read(&s, &upstream_id)).await;
        self.busy.set(false);
        let news =
            answer.and_then(|body| adapter.parse_read(&body, &r.order).map_err(|e| Failure::error(s.provider, e)));
        *self.last_failure.borrow_mut() = news.as_ref().err().cloned();
        let news = match news {
            Ok(news) => news,
            Err(f) => return Ok(Err(f)),
        };
        // Storage may have moved on (a webhook, a seller's change) while the provider was asked.
        let Some(mut latest) = self.load().await? else { return Ok(Ok(false)) };
        let rev = latest.rev;
        take_news(&mut latest, &news);
        let changed = latest.rev != rev;
        self.commit(latest).await?;
        Ok(Ok(changed))
    }

    async fn read(&self, buyer_secret: Option<String>) -> Result<OrderReply> {
        let Some(r) = self.load().await? else { return Ok(OrderReply::NotFound) };
        // The secret first: a stranger with an order id spends none of the provider's quota.
        if let Some(secret) = buyer_secret
            && !ids::constant_time_eq(&secret, &r.client_secret)
        {
            return Ok(OrderReply::NotFound);
        }
        if let Err(failure) = self.refresh(false).await? {
            return Ok(OrderReply::Upstream { failure });
        }
        Ok(self.load().await?.map_or(OrderReply::NotFound, |r| r.stored()))
    }

    async fn webhook(&self, delivery: WebhookDelivery) -> Result<WebhookOutcome> {
        use HookRefusal::*;
        let refuse = |r: HookRefusal| Ok(WebhookOutcome::Refused(r));
        let Some(mut r) = self.load().await? else { return refuse(NoSuchOrder("no such order".into())) };
        let (Some(link), Some(s)) = (r.upstream.clone(), self.settings()) else {
            return refuse(NoSuchOrder("this order is not paid through a provider".into()));
        };
        if link.provider != s.provider {
            return refuse(NoSuchOrder("this order belongs to another provider".into()));
        }
        let header =
            |name: &str| delivery.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.clone());
        let body = delivery.body.as_bytes();
        let news = match s.provider.adapter().webhook(&s, &header, body, &r.order, &link.opening) {
            None => return refuse(Unsupported(format!("{} webhooks are not supported", s.provider.display_name()))),
            Some(Err(WebhookRefusal::Unauthorized(why))) => return refuse(Unauthorized(why)),
            Some(Err(WebhookRefusal::Malformed(why))) => return refuse(Malformed(why)),
            Some(Ok(news)) => news,
        };
        if link.upstream_id.as_deref() != Some(news.state.upstream_id.as_str()) {
            return refuse(Unauthorized("the webhook is about another order".into()));
        }
        let digest = ids::hex(&Sha256::digest(delivery.body.as_bytes()));
        if link.seen.contains(&digest) {
            return Ok(WebhookOutcome::Replay);
        }
        if let (Some(at), Some(known)) = (news.state.updated_at, link.news_at)
            && at < known
        {
            return refuse(Stale(format!("the webhook reports the order as of {at}; it is known as of {known}")));
        }
        if let Some(l) = r.upstream.as_mut() {
            l.seen.push(digest);
            let excess = l.seen.len().saturating_sub(SEEN_WEBHOOKS);
            l.seen.drain(..excess);
        }
        take_news(&mut r, &news.state);
        let status = self.commit(r).await?.map_or(OrderStatus::Pending, |r| r.order.status);
        Ok(WebhookOutcome::Applied { status })
    }

    async fn create(&self, record: Record) -> Result<OrderReply> {
        if self.load().await?.is_none() {
            let mut r = record;
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
            OrderRequest::Create { record } => self.create(*record).await,
            OrderRequest::Resume => self.open_upstream().await,
            OrderRequest::Read { buyer_secret } => self.read(buyer_secret).await,
            OrderRequest::Event { event } => Ok(match self.apply_events(std::slice::from_ref(&event), None).await? {
                Ok(Some(r)) => r.stored(),
                Ok(None) => OrderReply::NotFound,
                Err(refusal) => OrderReply::Refused { refusal },
            }),
            OrderRequest::Webhook { delivery } => Ok(OrderReply::Webhook { outcome: self.webhook(delivery).await? }),
        }
    }

    /// The alarm's work: catch the store up, ask the provider again, let the invoice lapse.
    async fn wake(&self) -> Result<()> {
        self.sync_store().await?;
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

/// Applies `events` to the record in memory, all or nothing, and delivers the goods when the
/// order completes. A change counts as a revision for the store.
fn settle(
    r: &mut Record,
    events: &[OrderEvent],
    delivered: Option<String>,
    at: DateTime<Utc>,
) -> std::result::Result<(), EventRefusal> {
    let before = r.order.clone();
    for event in events {
        if let Err(e) = r.order.apply(event, at) {
            r.order = before;
            return Err(e.into());
        }
    }
    if r.order.status == OrderStatus::Completed && r.order.delivered_content.is_none() {
        r.order.delivered_content = delivered
            .or_else(|| if r.reserved.is_empty() { r.delivery_text.clone() } else { Some(r.reserved.join("\n")) });
    }
    if r.order != before {
        r.rev += 1;
        r.quiet_reads = 0;
    }
    Ok(())
}

/// Brings the record to what the provider reports (never backwards: `reconcile` only proposes
/// events `transition` allows).
fn take_news(r: &mut Record, news: &UpstreamState) {
    if let Some(link) = r.upstream.as_mut()
        && news.updated_at > link.news_at
    {
        link.news_at = news.updated_at;
    }
    let events = reconcile(&r.order, news);
    // Each event was checked against the order by `reconcile`; none can be refused here.
    let _ = settle(r, &events, news.delivered_content.clone(), now());
}

impl DurableObject for OrderObject {
    fn new(state: State, env: Env) -> Self {
        OrderObject {
            state,
            env,
            busy: Cell::new(false),
            last_asked_ms: Cell::new(0.0),
            last_failure: RefCell::new(None),
        }
    }

    async fn fetch(&self, req: Request) -> Result<Response> {
        let request: OrderRequest = rpc::request(req).await?;
        rpc::reply(&self.handle(request).await?)
    }

    async fn alarm(&self) -> Result<Response> {
        self.wake().await?;
        Response::ok("")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(status: OrderStatus, linked: bool) -> Record {
        let mut order: Order = serde_json::from_value(serde_json::json!({
            "id": "ord_0123456789abcdef0123456789abcdef", "invoice_id": "INV-1", "order_number": "ORD-1",
            "product_id": "prod_xyz789", "product_name": "Premium License", "buyer_email": "buyer@example.com",
            "quantity": 1, "total_amount": "29.99", "currency": "USD", "status": "pending",
            "payment_method": "crypto_btc", "crypto_amount": "0.00045125",
            "created_at": "2025-12-29T10:30:00Z", "expires_at": "2025-12-29T11:00:00Z"
        }))
        .unwrap();
        order.status = status;
        let upstream = linked.then(|| Link {
            provider: Provider::SellGate,
            opening: Opening {
                product_ref: "prod_xyz789".into(),
                callback_url: "https://t.example/".into(),
                token: None,
            },
            upstream_id: Some("up_1".into()),
            attempts: 1,
            seen: vec![],
            news_at: None,
        });
        Record {
            order,
            client_secret: "cs".into(),
            reserved: vec![],
            delivery_text: None,
            upstream,
            rev: 1,
            synced: 1,
            sync_failures: 0,
            quiet_reads: 0,
        }
    }

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().to_utc()
    }

    #[test]
    fn a_sandbox_order_wakes_at_expiry_and_then_never() {
        let r = record(OrderStatus::Pending, false);
        let now = at("2025-12-29T10:31:00Z");
        assert_eq!(next_alarm(&r, now, 5), Some(r.order.expires_at));
        assert_eq!(next_alarm(&record(OrderStatus::Confirming, false), now, 5), None);
        assert_eq!(next_alarm(&record(OrderStatus::Completed, false), now, 5), None);
    }

    #[test]
    fn an_upstream_order_is_followed_until_final_with_back_off() {
        let now = at("2025-12-29T10:31:00Z");
        let mut r = record(OrderStatus::Confirming, true);
        assert_eq!(next_alarm(&r, now, 5), Some(now + Duration::seconds(5)));
        r.quiet_reads = QUIET_READS_BEFORE_BACKOFF + 2;
        assert_eq!(next_alarm(&r, now, 5), Some(now + Duration::seconds(20)));
        r.quiet_reads = 40;
        assert_eq!(next_alarm(&r, now, 5), Some(now + Duration::seconds(MAX_FOLLOW_UP_SECONDS)));
        // Pending: asked at expiry at the latest.
        let p = record(OrderStatus::Pending, true);
        assert_eq!(next_alarm(&p, at("2025-12-29T10:59:30Z"), 60), Some(p.order.expires_at));
        assert_eq!(next_alarm(&record(OrderStatus::Refunded, true), now, 5), None);
        // Bounded: a month on, the alarm no longer reads it.
        assert_eq!(next_alarm(&r, now + Duration::days(FOLLOW_UP_DAYS), 5), None);
    }

    #[test]
    fn a_store_behind_is_retried_with_back_off() {
        let now = at("2025-12-29T10:31:00Z");
        let mut r = record(OrderStatus::Refunded, false);
        r.rev = 2;
        assert_eq!(next_alarm(&r, now, 5), Some(now + Duration::seconds(1)));
        r.sync_failures = 3;
        assert_eq!(next_alarm(&r, now, 5), Some(now + Duration::seconds(8)));
        r.sync_failures = 30;
        assert_eq!(next_alarm(&r, now, 5), Some(now + Duration::seconds(MAX_SYNC_WAIT_SECONDS)));
    }

    #[test]
    fn settling_counts_revisions_and_delivers_once() {
        let mut r = record(OrderStatus::Pending, false);
        r.reserved = vec!["KEY-1".into()];
        let at = r.order.created_at;
        assert!(settle(&mut r, &[OrderEvent::ManuallyCompleted], None, at).is_ok());
        assert_eq!((r.rev, r.order.delivered_content.as_deref()), (2, Some("KEY-1")));
        let refused = settle(&mut r, &[OrderEvent::Cancelled], None, at);
        assert!(matches!(refused, Err(EventRefusal::Illegal(_))), "{refused:?}");
        assert_eq!(r.rev, 2);
    }
}
