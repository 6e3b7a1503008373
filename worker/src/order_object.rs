//! One Durable Object per order: the order, the buyer's secret, what it will deliver, and an
//! alarm at `expires_at`. Every change goes through `shared`'s transition function and is then
//! passed on to the store's index.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use shared::{Order, OrderEvent, OrderStatus};
use worker::{Date, DurableObject, Env, Request, Response, Result, State, durable_object};

use crate::{rpc, store};

pub const BINDING: &str = "ORDERS";

#[derive(Debug, Serialize, Deserialize)]
pub struct Create {
    pub order: Order,
    pub client_secret: String,
    /// Stock items held for this order, delivered on completion.
    pub reserved: Vec<String>,
    /// Text delivered on completion when the product has no stock list.
    pub delivery_text: Option<String>,
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

#[durable_object]
pub struct OrderObject {
    state: State,
    env: Env,
}

/// The platform clock, in whole seconds like the API's timestamps.
pub fn now() -> DateTime<Utc> {
    DateTime::from_timestamp(Date::now().as_millis() as i64 / 1000, 0).unwrap_or_default()
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

    /// Applies an event; a changed order is saved and indexed.
    async fn apply(&self, event: &OrderEvent) -> Result<std::result::Result<Applied, String>> {
        let Some(mut c) = self.load().await? else {
            return Ok(Err("no such order".into()));
        };
        let before = c.order.clone();
        if let Err(e) = c.order.apply(event, now()) {
            return Ok(Err(e.to_string()));
        }
        if c.order.status == OrderStatus::Completed && c.order.delivered_content.is_none() {
            c.order.delivered_content =
                if c.reserved.is_empty() { c.delivery_text.clone() } else { Some(c.reserved.join("\n")) };
        }
        let changed = c.order != before;
        if changed {
            self.save(&c).await?;
            if c.order.status.is_final() || c.order.status == OrderStatus::Confirming {
                self.state.storage().delete_alarm().await?;
            }
            self.tell_store(&c.order).await?;
        }
        Ok(Ok(Applied { order: c.order, changed }))
    }
}

impl DurableObject for OrderObject {
    fn new(state: State, env: Env) -> Self {
        OrderObject { state, env }
    }

    async fn fetch(&self, mut req: Request) -> Result<Response> {
        let body = req.text().await?;
        match req.path().as_str() {
            "/create" => {
                if let Some(existing) = self.load().await? {
                    return rpc::reply(&Stored { order: existing.order, client_secret: existing.client_secret });
                }
                let c: Create = serde_json::from_str(&body)?;
                self.save(&c).await?;
                self.state.storage().set_alarm(c.order.expires_at).await?;
                rpc::reply(&Stored { order: c.order, client_secret: c.client_secret })
            }
            "/read" => match self.load().await? {
                Some(c) => rpc::reply(&Stored { order: c.order, client_secret: c.client_secret }),
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
            other => Response::error(format!("no order operation {other}"), 404),
        }
    }

    /// The invoice's lifetime ran out: a pending order expires. Anything else already moved on.
    async fn alarm(&self) -> Result<Response> {
        if let Some(c) = self.load().await?
            && c.order.status == OrderStatus::Pending
        {
            let _ = self.apply(&OrderEvent::Expired).await?;
        }
        Response::ok("")
    }
}
