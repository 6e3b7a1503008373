//! One Durable Object per order: the order, the buyer's secret, what it will deliver, and an
//! alarm at `expires_at`. Every change goes through `shared`'s transition function and is then
//! passed on to the store's index.
//!
//! With an upstream gateway the object also owns the link to the provider's order: it opens
//! it, reads it at most once per refresh interval however many buyers poll (concurrent polls
//! share one call and meanwhile get what is known), and applies webhooks at once.

use std::cell::{Cell, RefCell};

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use shared::upstream::Provider;
use shared::upstream::sync::{UpstreamState, reconcile};
use shared::wire::ErrorBody;
use shared::{Order, OrderEvent, OrderStatus};
use worker::{Date, DurableObject, Env, Request, Response, Result, State, durable_object};

use crate::config::{Config, Gateway};
use crate::upstream::{self, Failure, Opening, Settings, WebhookRefusal};
use crate::{ids, rpc, store};

pub const BINDING: &str = "ORDERS";

/// How many webhook digests an order remembers to recognise replays.
const SEEN_WEBHOOKS: usize = 64;

#[derive(Debug, Serialize, Deserialize)]
pub struct Create {
    pub order: Order,
    pub client_secret: String,
    /// Stock items held for this order, delivered on completion.
    pub reserved: Vec<String>,
    /// Text delivered on completion when the product has no stock list.
    pub delivery_text: Option<String>,
    /// The provider's order, when an upstream gateway takes the payment.
    #[serde(default)]
    pub upstream: Option<Link>,
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

/// What the worker reads back.
#[derive(Debug, Serialize, Deserialize)]
pub struct Stored {
    pub order: Order,
    pub client_secret: String,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct Applied {
    pub order: Order,
    pub changed: bool,
}

/// A webhook as received: the raw body and the request's headers.
#[derive(Debug, Serialize, Deserialize)]
pub struct WebhookDelivery {
    pub body: String,
    pub headers: Vec<(String, String)>,
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

fn failure_response(f: &Failure) -> Result<Response> {
    Ok(rpc::reply(f)?.with_status(f.status))
}

/// The order after an upstream step, or the provider's failure.
fn answer(c: Create, step: std::result::Result<(), Failure>) -> Result<Response> {
    match step {
        Ok(()) => rpc::reply(&Stored { order: c.order, client_secret: c.client_secret }),
        Err(f) => failure_response(&f),
    }
}

impl OrderObject {
    async fn load(&self) -> Result<Option<Create>> {
        match self.state.storage().get::<String>("order").await? {
            Some(doc) => Ok(Some(serde_json::from_str(&doc)?)),
            None => Ok(None),
        }
    }

    async fn save(&self, c: &Create) -> Result<()> {
        self.state.storage().put("order", serde_json::to_string(c)?).await
    }

    async fn tell_store(&self, order: &Order) -> Result<()> {
        let stub = self.env.durable_object(store::BINDING)?.get_by_name(store::NAME)?;
        let (status, _, text): (u16, Option<()>, String) = rpc::call(&stub, "/update", order).await?;
        if status != 200 {
            return Err(worker::Error::RustError(format!("store update failed: {status} {text}")));
        }
        Ok(())
    }

    /// The upstream settings, when an upstream gateway is configured.
    fn settings(&self) -> Option<Settings> {
        match Config::from_env(&self.env).ok()?.gateway {
            Gateway::Upstream(s) => Some(s),
            Gateway::Sandbox => None,
        }
    }

    /// Applies events (and the provider's delivery, if any); a changed order is saved and
    /// indexed. Stops at the first illegal event and reports it.
    async fn settle(
        &self,
        c: &mut Create,
        events: &[OrderEvent],
        delivered: Option<String>,
    ) -> Result<std::result::Result<bool, String>> {
        let before = c.order.clone();
        for event in events {
            if let Err(e) = c.order.apply(event, now()) {
                c.order = before;
                return Ok(Err(e.to_string()));
            }
        }
        if c.order.status == OrderStatus::Completed && c.order.delivered_content.is_none() {
            c.order.delivered_content = delivered
                .or_else(|| if c.reserved.is_empty() { c.delivery_text.clone() } else { Some(c.reserved.join("\n")) });
        }
        let changed = c.order != before;
        if changed {
            self.save(c).await?;
            if c.order.status.is_final() || c.order.status == OrderStatus::Confirming {
                self.state.storage().delete_alarm().await?;
            }
            self.tell_store(&c.order).await?;
        }
        Ok(Ok(changed))
    }

    async fn apply(&self, event: &OrderEvent) -> Result<std::result::Result<Applied, String>> {
        let Some(mut c) = self.load().await? else {
            return Ok(Err("no such order".into()));
        };
        Ok(self
            .settle(&mut c, std::slice::from_ref(event), None)
            .await?
            .map(|changed| Applied { order: c.order, changed }))
    }

    /// Brings the order to what the provider reports. `link_changed`: the caller changed the
    /// link's bookkeeping, which is saved with the order (one write either way).
    async fn apply_news(&self, c: &mut Create, news: &UpstreamState, mut link_changed: bool) -> Result<()> {
        if let Some(link) = c.upstream.as_mut()
            && news.updated_at > link.news_at
        {
            link.news_at = news.updated_at;
            link_changed = true;
        }
        let events = reconcile(&c.order, news);
        // Each event was checked against the order by `reconcile`; none can be refused here.
        let order_changed = matches!(self.settle(c, &events, news.delivered_content.clone()).await?, Ok(true));
        if link_changed && !order_changed {
            self.save(c).await?;
        }
        Ok(())
    }

    /// Opens the order at the provider unless that is done (or under way).
    async fn open_upstream(&self, c: &mut Create) -> Result<std::result::Result<(), Failure>> {
        let Some(link) = c.upstream.clone() else { return Ok(Ok(())) };
        if link.upstream_id.is_some() {
            return Ok(Ok(()));
        }
        let Some(s) = self.settings() else {
            return Ok(Err(Failure::error(link.provider, "the worker no longer has this gateway configured")));
        };
        if self.busy.replace(true) {
            return Ok(Err(Failure::unavailable(link.provider, "the order is being opened", 1)));
        }
        let asked = self.find_or_create(&s, c, &link).await;
        self.busy.set(false);
        self.last_asked_ms.set(Date::now().as_millis() as f64);
        let news = match asked? {
            Ok(news) => news,
            Err(f) => return Ok(Err(f)),
        };
        let mut order = c.order.clone();
        if let Err(e) = upstream::adopt(&mut order, &news, s.environment) {
            return Ok(Err(Failure::error(s.provider, e)));
        }
        c.order = order;
        if let Some(l) = c.upstream.as_mut() {
            l.upstream_id = Some(news.upstream_id.clone());
        }
        self.state.storage().set_alarm(c.order.expires_at).await?;
        self.tell_store(&c.order).await?;
        self.apply_news(c, &news, true).await?;
        Ok(Ok(()))
    }

    /// After a create whose answer was lost, the order it may have made, where the provider
    /// can be searched; otherwise (or when it is not there) a create, counted first.
    async fn find_or_create(
        &self,
        s: &Settings,
        c: &mut Create,
        link: &Link,
    ) -> Result<std::result::Result<UpstreamState, Failure>> {
        let adapter = upstream::adapter(s.provider);
        let failed = |e: String| Failure::error(s.provider, e);
        if let Some(call) = adapter.find(s, &c.order).filter(|_| link.attempts > 0) {
            let found =
                upstream::send(s, &call).await.and_then(|body| adapter.parse_found(&body, &c.order).map_err(failed));
            match found {
                Ok(Some(news)) => return Ok(Ok(news)),
                Ok(None) => {}
                Err(f) => return Ok(Err(f)),
            }
        }
        if let Some(l) = c.upstream.as_mut() {
            l.attempts += 1;
        }
        self.save(c).await?;
        let created = upstream::send(s, &adapter.create(s, &c.order, &link.opening)).await;
        Ok(created.and_then(|body| adapter.parse_created(&body, &c.order).map_err(failed)))
    }

    /// Reads the provider's order when the last reading is older than the refresh interval
    /// (or when `force`d); otherwise, and while another reading is under way, keeps what is
    /// known. A failed reading is answered again until the next one is due.
    async fn refresh(&self, c: &mut Create, force: bool) -> Result<std::result::Result<(), Failure>> {
        let Some(Link { upstream_id: Some(upstream_id), provider, .. }) = c.upstream.clone() else {
            return Ok(Ok(()));
        };
        if c.order.status.is_final() && !force {
            return Ok(Ok(()));
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
                None => Ok(()),
            });
        }
        self.busy.set(true);
        self.last_asked_ms.set(now_ms);
        let adapter = upstream::adapter(s.provider);
        let answer = upstream::send(&s, &adapter.read(&s, &upstream_id)).await;
        self.busy.set(false);
        let news =
            answer.and_then(|body| adapter.parse_read(&body, &c.order).map_err(|e| Failure::error(s.provider, e)));
        *self.last_failure.borrow_mut() = news.as_ref().err().cloned();
        match news {
            Ok(news) => {
                // Storage may have moved on (a webhook) while the provider was asked.
                if let Some(latest) = self.load().await? {
                    *c = latest;
                }
                self.apply_news(c, &news, false).await?;
                Ok(Ok(()))
            }
            Err(f) => Ok(Err(f)),
        }
    }

    async fn webhook(&self, delivery: WebhookDelivery) -> Result<Response> {
        let refuse = |status: u16, code: &str, message: String| {
            Ok(rpc::reply(&ErrorBody::new(code, message))?.with_status(status))
        };
        let Some(mut c) = self.load().await? else {
            return refuse(404, "order_not_found", "no such order".into());
        };
        let (Some(link), Some(s)) = (c.upstream.clone(), self.settings()) else {
            return refuse(404, "order_not_found", "this order is not paid through a provider".into());
        };
        if link.provider != s.provider {
            return refuse(404, "order_not_found", "this order belongs to another provider".into());
        }
        let header =
            |name: &str| delivery.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.clone());
        let news = match upstream::adapter(s.provider).webhook(&s, &header, delivery.body.as_bytes(), &c.order) {
            None => {
                return refuse(404, "not_found", format!("{} webhooks are not supported", s.provider.display_name()));
            }
            Some(Err(WebhookRefusal::Unauthorized(why))) => return refuse(401, "invalid_signature", why),
            Some(Err(WebhookRefusal::Malformed(why))) => return refuse(400, "invalid_webhook", why),
            Some(Ok(news)) => news,
        };
        if let Some(token) = &news.token
            && !ids::constant_time_eq(token, &link.opening.token)
        {
            return refuse(401, "invalid_signature", "the callback token does not match".into());
        }
        if link.upstream_id.as_deref() != Some(news.state.upstream_id.as_str()) {
            return refuse(401, "invalid_signature", "the webhook is about another order".into());
        }
        let digest = ids::hex(&Sha256::digest(delivery.body.as_bytes()));
        if link.seen.contains(&digest) {
            return rpc::reply(&serde_json::json!({"received": true, "replay": true}));
        }
        // Signed, but older than what the provider has already said: out of date, refused.
        if let (Some(at), Some(known)) = (news.state.updated_at, link.news_at)
            && at < known
        {
            let why = format!("the webhook reports the order as of {at}; it is known as of {known}");
            return refuse(401, "stale_webhook", why);
        }
        if let Some(l) = c.upstream.as_mut() {
            l.seen.push(digest);
            let excess = l.seen.len().saturating_sub(SEEN_WEBHOOKS);
            l.seen.drain(..excess);
        }
        self.apply_news(&mut c, &news.state, true).await?;
        rpc::reply(&serde_json::json!({"received": true, "status": c.order.status}))
    }
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

    async fn fetch(&self, mut req: Request) -> Result<Response> {
        let body = req.text().await?;
        match req.path().as_str() {
            "/create" => {
                let mut c = match self.load().await? {
                    Some(existing) => existing,
                    None => {
                        let c: Create = serde_json::from_str(&body)?;
                        self.save(&c).await?;
                        self.state.storage().set_alarm(c.order.expires_at).await?;
                        c
                    }
                };
                let step = self.open_upstream(&mut c).await?;
                answer(c, step)
            }
            // A retried create: the order exists; open it upstream if the first try could not.
            "/resume" => match self.load().await? {
                Some(mut c) => {
                    let step = self.open_upstream(&mut c).await?;
                    answer(c, step)
                }
                None => Response::error("no such order", 404),
            },
            "/read" => match self.load().await? {
                Some(mut c) => {
                    let step = self.refresh(&mut c, false).await?;
                    answer(c, step)
                }
                None => Response::error("no such order", 404),
            },
            "/event" => {
                let event: OrderEvent = serde_json::from_str(&body)?;
                match self.apply(&event).await? {
                    Ok(applied) => rpc::reply(&applied),
                    Err(message) if message == "no such order" => Response::error(message, 404),
                    Err(message) => Response::error(message, 409),
                }
            }
            "/webhook" => self.webhook(serde_json::from_str(&body)?).await,
            other => Response::error(format!("no order operation {other}"), 404),
        }
    }

    /// The invoice's lifetime ran out: a pending order expires. Anything else already moved on.
    /// An upstream order is asked about first: the provider decides when its invoice lapses,
    /// so a still-pending one is looked at again later, and expired here a day on at the most.
    async fn alarm(&self) -> Result<Response> {
        let Some(mut c) = self.load().await? else { return Response::ok("") };
        if c.order.status != OrderStatus::Pending {
            return Response::ok("");
        }
        if c.upstream.as_ref().is_some_and(|l| l.upstream_id.is_some()) {
            let asked = self.refresh(&mut c, true).await?;
            let overdue = now() > c.order.expires_at + Duration::days(1);
            if c.order.status == OrderStatus::Pending && !overdue {
                let wait = if asked.is_ok() { Duration::minutes(5) } else { Duration::minutes(1) };
                self.state.storage().set_alarm(now() + wait).await?;
                return Response::ok("");
            }
        }
        if c.order.status == OrderStatus::Pending {
            let _ = self.apply(&OrderEvent::Expired).await?;
        }
        Response::ok("")
    }
}
