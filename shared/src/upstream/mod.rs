//! The upstream gateways' own order shapes and their statuses mapped onto Tollgate's.
//!
//! One module per provider; each holds the provider's wire type (fields from its seed
//! document, `../shared/seeds`) and a pure mapping function tested on every documented value.

pub mod coingate;
pub mod sellgate;
pub mod sellix;
pub mod sellsn;
pub mod selly;

use crate::status::OrderStatus;

/// A provider status in Tollgate's terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MappedStatus {
    pub status: OrderStatus,
    /// Some money arrived but not all of it (the order stays pending).
    pub partially_paid: bool,
}

impl MappedStatus {
    pub const fn of(status: OrderStatus) -> MappedStatus {
        MappedStatus { status, partially_paid: false }
    }

    pub const fn partial() -> MappedStatus {
        MappedStatus { status: OrderStatus::Pending, partially_paid: true }
    }
}

/// A status value the provider never documented. The worker answers `upstream_error` rather
/// than guess what it means.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{provider} sent an undocumented order status `{value}`")]
pub struct UnknownUpstreamStatus {
    pub provider: &'static str,
    pub value: String,
}

fn unknown(provider: &'static str, value: impl ToString) -> UnknownUpstreamStatus {
    UnknownUpstreamStatus { provider, value: value.to_string() }
}
