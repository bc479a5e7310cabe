//! What the simulated clients send and how replies are read: one module per
//! protocol family behind the [`Protocol`] trait, so the engine never looks
//! inside a DHCP message.

pub mod clients;
pub mod leases;
pub mod v4;
pub mod v6;

/// The exchanges perfdhcp counts separately, in report order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Exchange {
    /// DISCOVER-OFFER or SOLICIT-ADVERTISE.
    First = 0,
    /// REQUEST-ACK or REQUEST-REPLY.
    Second = 1,
    /// Renewal REQUEST-ACK or RENEW-REPLY (`-f`).
    Renew = 2,
    /// RELEASE (v4, no answer) or RELEASE-REPLY (`-F`).
    Release = 3,
}

impl Exchange {
    /// All exchanges, indexable by `as usize`.
    pub const ALL: [Exchange; 4] = [
        Exchange::First,
        Exchange::Second,
        Exchange::Renew,
        Exchange::Release,
    ];

    /// perfdhcp's name for the exchange in `family`.
    pub fn name(self, family: u8) -> &'static str {
        match (family, self) {
            (4, Exchange::First) => "DISCOVER-OFFER",
            (4, Exchange::Second) => "REQUEST-ACK",
            (4, Exchange::Renew) => "REQUEST-ACK (renewal)",
            (4, Exchange::Release) => "RELEASE",
            (_, Exchange::First) => "SOLICIT-ADVERTISE",
            (_, Exchange::Second) => "REQUEST-REPLY",
            (_, Exchange::Renew) => "RENEW-REPLY",
            (_, Exchange::Release) => "RELEASE-REPLY",
        }
    }
}

/// What a received message is, as far as the statistics care.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reply {
    /// Transaction id, reduced to the protocol's width.
    pub xid: u32,
    /// The exchange this kind of reply ends.
    pub exchange: Exchange,
    /// False when the server refused the lease (NAK, no address, bad status).
    pub granted: bool,
}

/// A DHCP family as the engine drives it: build requests, read replies.
///
/// Every method writes into a caller's buffer and returns the length
/// written; none allocates.
pub trait Protocol {
    /// Transaction ids are this many bits wide (32 for v4, 24 for v6).
    const XID_BITS: u32;
    /// Whether the server answers a release (v6 does, v4 does not).
    const RELEASE_ANSWERED: bool;

    /// Writes the first message (DISCOVER/SOLICIT) of `client`.
    fn first(&mut self, client: u32, xid: u32, buf: &mut [u8]) -> usize;

    /// Reads a received datagram; `None` when it is malformed or not a reply.
    fn read_reply(&self, pkt: &[u8]) -> Option<Reply>;

    /// Writes the REQUEST answering the OFFER/ADVERTISE `reply` of `client`;
    /// 0 when the reply does not allow one.
    fn second(&mut self, reply: &[u8], client: u32, xid: u32, buf: &mut [u8]) -> usize;

    /// Keeps the lease granted by the ACK/REPLY `reply` for renew and release.
    fn keep_lease(&mut self, reply: &[u8], client: u32);

    /// Writes a renewal of a kept lease; `None` when none is kept.
    fn renew(&mut self, xid: u32, buf: &mut [u8]) -> Option<(usize, u32)>;

    /// Writes a release of a kept lease and forgets it; `None` when none is kept.
    fn release(&mut self, xid: u32, buf: &mut [u8]) -> Option<(usize, u32)>;
}
