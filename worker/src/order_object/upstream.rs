//! The object's side of an upstream order: opening it at the provider (or finding what a lost
//! create made), reading it at most once per refresh interval, and applying its webhooks.

use gateways::{Failure, Settings, UpstreamState, WebhookRefusal, reconcile};
use sha2::{Digest, Sha256};
use shared::OrderStatus;
use worker::{Date, Delay, Result};

use super::messages::{HookRefusal, OrderReply, WebhookDelivery, WebhookOutcome};
use super::record::{Link, Record, settle};
use super::{OrderObject, now};
use crate::{ids, upstream};

/// How many webhook digests an order remembers to recognise replays.
const SEEN_WEBHOOKS: usize = 64;

impl OrderObject {
    /// Opens the order at the provider unless that is done, under way, or pointless (the
    /// order is no longer pending: a resume after expiry opens nothing).
    pub(super) async fn open_upstream(&self) -> Result<OrderReply> {
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
    pub(super) async fn refresh(&self, force: bool) -> Result<std::result::Result<bool, Failure>> {
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
        if self.busy.get() && !force {
            // A read is under way (the alarm's, another poll's): share its outcome rather than
            // answer with what was known before it.
            let give_up = now_ms + f64::from(s.timeout_ms) + 1000.0;
            while self.busy.get() && (Date::now().as_millis() as f64) < give_up {
                Delay::from(std::time::Duration::from_millis(20)).await;
            }
            return Ok(self.last_failure.borrow().clone().map_or(Ok(false), Err));
        }
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

    pub(super) async fn webhook(&self, delivery: WebhookDelivery) -> Result<WebhookOutcome> {
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
