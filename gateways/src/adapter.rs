//! What every provider module provides: its [`Profile`] and its [`Adapter`], plus the small
//! readers they share.

use serde::{Deserialize, Serialize};
use shared::{Asset, Order, PaymentMethod};

use crate::call::Call;
use crate::settings::{Setting, Settings};
use crate::state::UpstreamState;
use crate::webhook::{WebhookNews, WebhookRefusal};

/// What a provider is, declared once in its module.
#[derive(Debug)]
pub struct Profile {
    /// The name used in `GATEWAY`, in webhook paths and in stored orders.
    pub name: &'static str,
    pub display_name: &'static str,
    /// The public API base for live orders, and for test mode (the same where the provider
    /// has no sandbox of its own).
    pub base_url: &'static str,
    pub test_base_url: &'static str,
    /// Seconds between two reads of one order.
    pub refresh_seconds: u32,
    /// Whether the provider prices an order from its own product (Tollgate's coupons,
    /// discounts and fees cannot apply).
    pub prices_orders: bool,
    /// Whether each order gets a random token that the provider's callbacks carry back.
    pub callback_token: bool,
    /// The settings it needs besides `UPSTREAM_API_KEY` and the generic `UPSTREAM_*` ones.
    pub settings: &'static [Setting],
}

/// What opening an order upstream needs besides the order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Opening {
    /// The product's id at the provider, where the provider prices the order itself.
    pub product_ref: String,
    /// Where the provider sends webhooks for this order (`…/v1/webhooks/<provider>?order=<id>`).
    pub callback_url: String,
    /// The per-order callback token, for a provider whose profile asks for one.
    #[serde(default)]
    pub token: Option<String>,
}

/// A provider's adapter: requests as data, answers and webhooks read into [`UpstreamState`].
pub trait Adapter: Sync {
    fn profile(&self) -> &'static Profile;
    /// Whether an order paid this way can be opened at the provider.
    fn supports(&self, method: PaymentMethod) -> bool;
    fn create(&self, s: &Settings, order: &Order, opening: &Opening) -> Call;
    /// Reads the answer to [`Adapter::create`].
    fn parse_created(&self, body: &str, order: &Order) -> Result<UpstreamState, String>;
    fn read(&self, s: &Settings, upstream_id: &str) -> Call;
    /// Reads the answer to [`Adapter::read`].
    fn parse_read(&self, body: &str, order: &Order) -> Result<UpstreamState, String>;
    /// Looks for the order a lost create answer may have made, by Tollgate's reference, where
    /// the provider lets orders be searched; elsewhere a retry relies on the Idempotency-Key.
    fn find(&self, _s: &Settings, _order: &Order) -> Option<Call> {
        None
    }
    /// Reads the answer to [`Adapter::find`]: the order with Tollgate's reference, if any.
    fn parse_found(&self, _body: &str, _order: &Order) -> Result<Option<UpstreamState>, String> {
        Ok(None)
    }
    /// Checks and reads a webhook about `order` (opened with `opening`); `None` when the
    /// provider sends none Tollgate can verify.
    fn webhook(
        &self,
        _s: &Settings,
        _header: &dyn Fn(&str) -> Option<String>,
        _body: &[u8],
        _order: &Order,
        _opening: &Opening,
    ) -> Option<Result<WebhookNews, WebhookRefusal>> {
        None
    }
}

/// A provider's names for the ways to pay it takes: `card` names Stripe and PayPal, `coins`
/// the native coins; anything else it does not take.
pub struct GatewayNames {
    pub card: [&'static str; 2],
    pub coins: &'static [(Asset, &'static str)],
}

impl GatewayNames {
    pub fn of(&self, method: PaymentMethod) -> Option<&'static str> {
        match method {
            PaymentMethod::Stripe => Some(self.card[0]),
            PaymentMethod::PayPal => Some(self.card[1]),
            m => {
                let asset = m.coin().filter(|c| c.is_native())?.asset;
                self.coins.iter().find(|(a, _)| *a == asset).map(|(_, name)| *name)
            }
        }
    }
}

/// What the buyer sees on the provider's page and the seller in its dashboard.
pub fn title(order: &Order) -> String {
    format!("{} × {}", order.product_name, order.quantity)
}

/// A provider's RFC 3339 time, if it gave one.
pub fn rfc3339(t: Option<&str>) -> Result<Option<chrono::DateTime<chrono::Utc>>, String> {
    t.map(|t| chrono::DateTime::parse_from_rfc3339(t).map(|t| t.to_utc()).map_err(|e| format!("time `{t}`: {e}")))
        .transpose()
}

/// A JSON answer read into `T`; a body that is not JSON at all says so.
pub fn parse_json<T: serde::de::DeserializeOwned>(body: &str) -> Result<T, String> {
    shared::wire::read(body).map_err(|e| format!("unreadable JSON: {e}"))
}
