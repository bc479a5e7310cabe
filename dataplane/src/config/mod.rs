//! The compiled configuration the engines read: Kea's settings with
//! inheritance already resolved and option data already encoded, so a
//! worker copies bytes and compares numbers instead of interpreting JSON.
//!
//! The control plane builds these from a Kea configuration; workers share a
//! snapshot read-only and swap it between batches on reload.

pub mod options;
pub mod v4;

pub use options::OptionSet;
pub use v4::{Config4, Lifetime, Reservation4, Subnet4};
