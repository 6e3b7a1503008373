//! Tollgate's edge worker.

pub mod catalog;
pub mod checkout;
