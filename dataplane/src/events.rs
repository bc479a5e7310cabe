//! Lease events: what the engines tell the outside world (Kea's lease
//! log messages, forensic logging) without knowing who listens.
//!
//! An engine holds an optional [`LeaseEvents`] sink. It asks
//! [`LeaseEvents::wants`] first, so an event nobody listens to costs one
//! call; a wanted one is a fixed-size [`LeaseEvent4`] copied into the sink,
//! which must not block or allocate (a bounded queue that drops when full).

use std::net::{Ipv4Addr, Ipv6Addr};

use crate::config::v6::MacSource;
use crate::lease::HwAddr;

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum LeaseEventKind {
    /// An address was offered (Kea's `DHCP4_LEASE_ADVERT`).
    Offer = 0,
    /// A new lease was granted (`DHCP4_LEASE_ALLOC`).
    Allocate = 1,
    /// The client's lease was extended (also `DHCP4_LEASE_ALLOC` in Kea).
    Renew = 2,
    /// The client released its lease (`DHCP4_RELEASE`).
    Release = 3,
    /// The client declined the address (`DHCP4_DECLINE_LEASE`).
    Decline = 4,
    /// A request was refused with a NAK (`DHCP4_PACKET_NAK_0004`).
    Nak = 5,
    /// A client in INIT-REBOOT asks for its address (`DHCP4_INIT_REBOOT`).
    InitReboot = 6,
}

/// Which engine reports an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    /// DHCPv4.
    V4,
    /// DHCPv6.
    V6,
}

impl LeaseEventKind {
    /// The bit of this kind of `family`'s events in a set of them.
    pub const fn bit(self, family: Family) -> u16 {
        let shift = match family {
            Family::V4 => 0,
            Family::V6 => 8,
        };
        1 << (self as u16 + shift)
    }
}

/// Longest identifier an event carries; longer ones are cut (logging only).
pub const ID_MAX: usize = 64;

/// A short byte string held in place.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct ShortId {
    len: u8,
    data: [u8; ID_MAX],
}

impl ShortId {
    /// No bytes.
    pub const EMPTY: ShortId = ShortId {
        len: 0,
        data: [0; ID_MAX],
    };

    /// The first [`ID_MAX`] bytes of `bytes`.
    pub fn new(bytes: &[u8]) -> ShortId {
        let n = bytes.len().min(ID_MAX);
        let mut data = [0; ID_MAX];
        data[..n].copy_from_slice(&bytes[..n]);
        ShortId { len: n as u8, data }
    }

    /// The stored bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.data[..self.len as usize]
    }
}

impl std::fmt::Debug for ShortId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", crate::lease::ident::Hex(self.as_bytes()))
    }
}

/// One DHCPv4 lease event, with what Kea's messages and the forensic log
/// print about the client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LeaseEvent4 {
    /// What happened.
    pub kind: LeaseEventKind,
    /// The address offered, granted, released or declined; for a NAK the
    /// address the client asked for (unspecified if none).
    pub addr: Ipv4Addr,
    /// The request's ciaddr.
    pub ciaddr: Ipv4Addr,
    /// Valid lifetime granted, or the decline probation period, in seconds.
    pub lifetime: u32,
    /// The request's transaction id.
    pub xid: u32,
    /// The client's hardware address.
    pub hw: HwAddr,
    /// The client identifier (option 61), empty if none.
    pub client_id: ShortId,
    /// The relay's address (giaddr), unspecified when not relayed.
    pub giaddr: Ipv4Addr,
    /// Option 82 circuit-id, empty if none.
    pub circuit_id: ShortId,
    /// Option 82 remote-id, empty if none.
    pub remote_id: ShortId,
    /// Option 82 subscriber-id, empty if none.
    pub subscriber_id: ShortId,
    /// The worker thread (`pthread_self`), which Kea's log lines show.
    pub thread: u64,
    /// When it happened, in microseconds since the UNIX epoch.
    pub at_us: u64,
}

/// The relay nearest the server, for a relayed DHCPv6 message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Relay6 {
    /// Where the relay received the message from.
    pub peer: Ipv6Addr,
    /// The client's link.
    pub link: Ipv6Addr,
    /// Its hop count.
    pub hops: u8,
    /// Remote-id (option 37) of the relay nearest the client that sent
    /// one, empty if none.
    pub remote_id: ShortId,
    /// Subscriber-id (option 38), likewise.
    pub subscriber_id: ShortId,
    /// Interface-id (option 18), likewise.
    pub interface_id: ShortId,
}

/// One DHCPv6 lease event: one address or prefix of one IA.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LeaseEvent6 {
    /// What happened (never [`LeaseEventKind::Nak`]).
    pub kind: LeaseEventKind,
    /// The address, or the delegated prefix.
    pub addr: Ipv6Addr,
    /// 128 for an address, the delegated length for a prefix.
    pub prefix_len: u8,
    /// True for IA_PD.
    pub prefix: bool,
    /// The IA's IAID.
    pub iaid: u32,
    /// Valid lifetime granted, or the decline probation period.
    pub lifetime: u32,
    /// The message's transaction id.
    pub xid: u32,
    /// The client's DUID.
    pub duid: ShortId,
    /// The client's link-layer address, when known.
    pub hw: HwAddr,
    /// Which `mac-sources` entry gave `hw`.
    pub hw_source: Option<MacSource>,
    /// The relay nearest the server, if relayed.
    pub relay: Option<Relay6>,
    /// The worker thread (`pthread_self`).
    pub thread: u64,
    /// When it happened, in microseconds since the UNIX epoch.
    pub at_us: u64,
}

/// Where engines send lease events. Implementations must return at once:
/// no blocking, no allocation.
pub trait LeaseEvents: Send + Sync {
    /// True when `family`'s events of `kind` are listened to.
    fn wants(&self, family: Family, kind: LeaseEventKind) -> bool;
    /// Takes one DHCPv4 event (or drops and counts it when full).
    fn record(&self, event: &LeaseEvent4);
    /// Takes one DHCPv6 event (or drops and counts it when full).
    fn record6(&self, event: &LeaseEvent6);
}

/// Microseconds since the UNIX epoch, now.
pub fn now_us() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_micros() as u64)
}

/// The calling thread's id as Kea prints it.
pub fn thread_id() -> u64 {
    // SAFETY: pthread_self has no preconditions.
    unsafe { libc::pthread_self() as u64 }
}
