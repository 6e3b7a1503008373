//! The upstream gateways: the seller's account at SellGate, Sellix, SellSN, Selly or CoinGate
//! takes the payment, and Tollgate keeps its own order in step with the provider's.
//!
//! Each provider is one module: its wire types and status map (from its API documentation),
//! its [`Profile`] (names, API base, refresh interval, the settings it needs), the requests it
//! is sent as data ([`Call`]), and how its answers and webhooks read into an [`UpstreamState`].
//! Nothing here does I/O or reads the clock, so all of it is tested natively; the worker sends
//! the calls and keeps the orders.

mod adapter;
mod adopt;
mod call;
mod settings;
mod state;
mod webhook;

pub mod coingate;
pub mod sellgate;
pub mod sellix;
pub mod sellsn;
pub mod selly;

#[cfg(test)]
mod test_support;

use std::fmt;
use std::str::FromStr;

use shared::Environment;

pub use adapter::{Adapter, Opening, Profile};
pub use adopt::adopt;
pub use call::{Call, Failure, interpret};
pub use settings::{Setting, Settings};
pub use state::{MappedStatus, UnknownUpstreamStatus, UpstreamState, reconcile};
pub use webhook::{WebhookNews, WebhookRefusal};

/// The upstream providers Tollgate can take payments through. The serde names are the
/// profiles' `name`s (a test holds them equal): they are stored in each order's record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Provider {
    SellGate,
    Sellix,
    SellSn,
    Selly,
    CoinGate,
}

impl Provider {
    pub const ALL: [Provider; 5] =
        [Provider::SellGate, Provider::Sellix, Provider::SellSn, Provider::Selly, Provider::CoinGate];

    /// The provider's adapter: the one place a provider is matched to its module.
    pub fn adapter(self) -> &'static dyn Adapter {
        match self {
            Provider::SellGate => &sellgate::SellGate,
            Provider::Sellix => &sellix::Sellix,
            Provider::SellSn => &sellsn::SellSn,
            Provider::Selly => &selly::Selly,
            Provider::CoinGate => &coingate::CoinGate,
        }
    }

    pub fn profile(self) -> &'static Profile {
        self.adapter().profile()
    }

    /// The name used in `GATEWAY` and in webhook paths.
    pub fn as_str(self) -> &'static str {
        self.profile().name
    }

    pub fn display_name(self) -> &'static str {
        self.profile().display_name
    }

    /// The provider's public API base in live or test mode.
    pub fn default_base_url(self, environment: Environment) -> &'static str {
        let p = self.profile();
        match environment {
            Environment::Mainnet => p.base_url,
            Environment::Testnet => p.test_base_url,
        }
    }

    /// Whether the provider prices an order from its own product, so Tollgate's coupons,
    /// volume discounts and fees cannot apply to what the buyer is charged.
    pub fn prices_orders(self) -> bool {
        self.profile().prices_orders
    }
}

impl fmt::Display for Provider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Provider {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Provider::ALL.into_iter().find(|p| p.as_str() == s).ok_or_else(|| format!("unknown provider `{s}`"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_names_are_the_profiles_names() {
        for p in Provider::ALL {
            assert_eq!(serde_json::to_value(p).unwrap(), p.as_str());
            assert_eq!(p.as_str().parse::<Provider>(), Ok(p));
            assert!(p.default_base_url(Environment::Mainnet).starts_with("https://"));
            assert!(p.default_base_url(Environment::Testnet).starts_with("https://"));
        }
        assert!("stripe".parse::<Provider>().is_err());
    }
}
