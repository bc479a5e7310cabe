//! xdhcp's dataplane: everything that touches packets and leases.
//!
//! The module tree follows one packet through the server:
//! [`wire`] decodes the frame and encodes the reply, [`options`] knows what
//! every option code means (Kea's definitions, shared with the config compiler).

pub mod alloc;
pub mod journal;
pub mod lease;
pub mod options;
pub mod wire;
