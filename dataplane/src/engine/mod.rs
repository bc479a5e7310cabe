//! The DHCP engines: pure functions from a received message, the compiled
//! configuration and the lease store to a reply. No I/O happens here; every
//! packet backend calls the same engine.

pub mod names;
pub mod network;
pub mod v4;
pub mod v6;
