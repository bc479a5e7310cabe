//! xdhcp's dataplane: everything that touches packets and leases.
//!
//! The module tree follows one packet through the server: [`io`] moves
//! frames between the NIC queues and the workers, [`frame`] unwraps and
//! wraps layers 2 to 4, [`wire`] decodes the DHCP message and encodes the
//! reply, [`classify`] assigns client classes with Kea's expression
//! language, [`options`] knows what every option code means (Kea's definitions,
//! shared with the config compiler), [`alloc`] picks addresses from pools,
//! [`lease`] keeps the lease tables and [`journal`] makes them durable.

pub mod alloc;
pub mod classify;
pub mod config;
pub mod engine;
pub mod events;
pub mod frame;
pub mod io;
pub mod journal;
pub mod lease;
pub mod options;
pub mod server;
pub mod stats;
pub mod wire;
pub mod worker;
