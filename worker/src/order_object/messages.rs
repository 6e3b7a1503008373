//! What the worker asks an order's object, and what it answers.

use gateways::{Failure, Provider};
use serde::{Deserialize, Serialize};
use shared::status::TransitionError;
use shared::{Order, OrderEvent, OrderStatus};

use super::record::{Payment, Record};
use crate::notices::Notice;

/// A webhook as received: the raw body and the request's headers.
#[derive(Debug, Serialize, Deserialize)]
pub struct WebhookDelivery {
    pub body: String,
    pub headers: Vec<(String, String)>,
}

/// What the worker asks of an order's object.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderRequest {
    /// Stores a new order (or finds it stored) and opens it at the provider.
    Create {
        record: Box<Record>,
        /// Test mode's `lost_creates` fault: store the order, then answer with an error.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        lose_answer: bool,
    },
    /// Opens the object ahead of its order (`api::prepared`): its storage is set up, nothing is
    /// written, and nothing is read back (`Opened`), even when the order came first.
    Open,
    /// A create retried with the same Idempotency-Key: opens it upstream if the first could not.
    Resume,
    /// The order's reservation is old and its order may never have been made (the request
    /// that reserved it died). The order if it exists; otherwise `NotFound`, and the object
    /// refuses a `Create` that arrives later, so the reservation can be undone safely.
    Abandon,
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
    /// The order's events for the seller, with their deliveries.
    Notices,
    /// Sends one event again to every endpoint it was addressed to.
    Redeliver {
        event_id: String,
    },
}

/// The object's answer. Refusals are values, mapped to HTTP statuses once, by the API.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderReply {
    Order {
        order: Order,
        client_secret: String,
        /// The provider's order, for the seller.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        upstream: Option<UpstreamRef>,
        /// Each payment seen, for the seller.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        payments: Vec<Payment>,
    },
    /// No such order, or (for a buyer) a secret that does not match: the two look the same.
    NotFound,
    /// A `Create` that came after the order was given up (`Abandon`): nothing was stored.
    Abandoned,
    /// The object is open (`OrderRequest::Open`).
    Opened,
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
    Notices {
        notices: Vec<Notice>,
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

/// Which provider has the order and its id there (`None` until the provider has answered).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UpstreamRef {
    pub provider: Provider,
    pub id: Option<String>,
}
