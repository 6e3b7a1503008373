//! The object's side of the seller's webhooks: sending due events, one endpoint's in order,
//! signed, and recording every attempt; sending one again on request.

use gateways::Call;
use shared::signature;
use worker::Result;

use super::messages::OrderReply;
use super::{OrderObject, now};
use crate::notices;
use crate::outbound::exchange;

impl OrderObject {
    /// Sends every delivery that is due, one at a time, until none is. Each outcome is stored
    /// on the order as it is then (other requests may have changed it meanwhile).
    pub(super) async fn deliver_notices(&self) -> Result<()> {
        let Some(hooks) = self.config().and_then(|c| c.seller_webhooks) else { return Ok(()) };
        if self.delivering.replace(true) {
            return Ok(());
        }
        let sent = async {
            while let Some(r) = self.load().await? {
                let Some((i, j)) = notices::next_to_send(&r.notices, now()) else { break };
                let notice = &r.notices[i];
                let url = notice.deliveries.as_ref().map(|d| d[j].url.clone()).unwrap_or_default();
                let body = notices::body(notice);
                let call = Call::post(url, "application/json", body.clone())
                    .header(signature::HEADER, signature::sign(&hooks.secret, now().timestamp(), body.as_bytes()))
                    .header("User-Agent", "Tollgate-Webhooks/1".into());
                let outcome = exchange(&call, hooks.timeout_ms).await.map(|a| a.status);
                let Some(mut latest) = self.load().await? else { break };
                if let Some(d) =
                    latest.notices.get_mut(i).and_then(|n| n.deliveries.as_mut()).and_then(|d| d.get_mut(j))
                {
                    notices::record_attempt(d, outcome, now(), &hooks.retry_seconds);
                }
                self.save(&latest).await?;
            }
            Ok::<_, worker::Error>(())
        }
        .await;
        self.delivering.set(false);
        sent
    }

    /// Marks one event to be sent again now; the alarm sends it.
    pub(super) async fn redeliver(&self, event_id: &str) -> Result<OrderReply> {
        let Some(mut r) = self.load().await? else { return Ok(OrderReply::NotFound) };
        let Some(notice) = r.notices.iter_mut().find(|n| n.id == event_id) else { return Ok(OrderReply::NotFound) };
        notices::redeliver(notice, now());
        self.save(&r).await?;
        Ok(OrderReply::Notices { notices: r.notices })
    }
}
