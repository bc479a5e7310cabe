//! DHCPv6 wire codec (RFC 8415, 3633).
//!
//! [`Packet6::parse`] validates a whole received datagram once — every option
//! length at every nesting level, the fixed parts of IA and address options,
//! and the relay chain — and then hands out zero-copy views that borrow from
//! the caller's buffer. [`Message6Writer`] builds replies in place into a
//! caller's buffer, nesting options (and relay levels) by back-patching
//! lengths. Neither direction allocates and nothing panics on any input.

mod duid;
mod message;
mod options;
mod writer;

#[cfg(test)]
mod tests;

pub use duid::{Duid, DUID_EN, DUID_LL, DUID_LLT, DUID_UUID};
pub use message::{ClientMessage, MessageType, Packet6, RelayIter, RelayMessage};
pub use options::{
    IaAddr, IaNa, IaPd, IaPrefix, IaTa, OptionIter, Options, Oro, RemoteId, StatusCode,
};
pub use writer::{Message6Writer, OptionMark, RelayReplyMark};

/// Most relay levels [`Packet6::parse`] accepts.
///
/// RFC 8415 limits relaying to `HOP_COUNT_LIMIT` (8) hops; we allow far more
/// so odd but legitimate topologies still work, yet stay bounded so a crafted
/// packet cannot make any walk over the chain expensive.
pub const MAX_RELAY_DEPTH: usize = 32;

/// Most levels of encapsulated options (IA_NA ⊃ IAADDR ⊃ STATUS_CODE is 3)
/// the validator descends into before answering [`WireError::TooDeep`].
///
/// Validation of nested options recurses, so this bounds stack use.
///
/// [`WireError::TooDeep`]: crate::wire::WireError::TooDeep
pub const MAX_OPTION_DEPTH: usize = 8;

/// Length of a client/server message header (type + 24-bit transaction id).
pub const CLIENT_HEADER_LEN: usize = 4;
/// Length of a relay message header (type, hop count, link and peer address).
pub const RELAY_HEADER_LEN: usize = 34;

/// Shortest DUID accepted (2-byte type plus at least one byte), as Kea does.
pub const DUID_MIN_LEN: usize = 3;
/// Longest DUID accepted: 2-byte type plus 128 bytes (RFC 8415 §11.1).
pub const DUID_MAX_LEN: usize = 130;

/// OPTION_CLIENTID (RFC 8415 §21.2): the client's DUID.
pub const OPTION_CLIENTID: u16 = 1;
/// OPTION_SERVERID (RFC 8415 §21.3): the server's DUID.
pub const OPTION_SERVERID: u16 = 2;
/// OPTION_IA_NA (RFC 8415 §21.4): identity association for addresses.
pub const OPTION_IA_NA: u16 = 3;
/// OPTION_IA_TA (RFC 8415 §21.5): identity association for temporary addresses.
pub const OPTION_IA_TA: u16 = 4;
/// OPTION_IAADDR (RFC 8415 §21.6): an address inside IA_NA/IA_TA.
pub const OPTION_IAADDR: u16 = 5;
/// OPTION_ORO (RFC 8415 §21.7): option request option.
pub const OPTION_ORO: u16 = 6;
/// OPTION_PREFERENCE (RFC 8415 §21.8): server preference, one byte.
pub const OPTION_PREFERENCE: u16 = 7;
/// OPTION_ELAPSED_TIME (RFC 8415 §21.9): hundredths of a second, u16.
pub const OPTION_ELAPSED_TIME: u16 = 8;
/// OPTION_RELAY_MSG (RFC 8415 §21.10): the relayed message one level in.
pub const OPTION_RELAY_MSG: u16 = 9;
/// OPTION_AUTH (RFC 8415 §21.11).
pub const OPTION_AUTH: u16 = 11;
/// OPTION_UNICAST (RFC 8415 §21.12): server address for unicast, 16 bytes.
pub const OPTION_UNICAST: u16 = 12;
/// OPTION_STATUS_CODE (RFC 8415 §21.13).
pub const OPTION_STATUS_CODE: u16 = 13;
/// OPTION_RAPID_COMMIT (RFC 8415 §21.14): empty.
pub const OPTION_RAPID_COMMIT: u16 = 14;
/// OPTION_USER_CLASS (RFC 8415 §21.15).
pub const OPTION_USER_CLASS: u16 = 15;
/// OPTION_VENDOR_CLASS (RFC 8415 §21.16).
pub const OPTION_VENDOR_CLASS: u16 = 16;
/// OPTION_VENDOR_OPTS (RFC 8415 §21.17).
pub const OPTION_VENDOR_OPTS: u16 = 17;
/// OPTION_INTERFACE_ID (RFC 8415 §21.18): opaque, echoed in RELAY-REPL.
pub const OPTION_INTERFACE_ID: u16 = 18;
/// OPTION_RECONF_MSG (RFC 8415 §21.19): one byte message type.
pub const OPTION_RECONF_MSG: u16 = 19;
/// OPTION_RECONF_ACCEPT (RFC 8415 §21.20): empty.
pub const OPTION_RECONF_ACCEPT: u16 = 20;
/// OPTION_DNS_SERVERS (RFC 3646).
pub const OPTION_DNS_SERVERS: u16 = 23;
/// OPTION_DOMAIN_LIST (RFC 3646).
pub const OPTION_DOMAIN_LIST: u16 = 24;
/// OPTION_IA_PD (RFC 8415 §21.21): identity association for prefixes.
pub const OPTION_IA_PD: u16 = 25;
/// OPTION_IAPREFIX (RFC 8415 §21.22): a prefix inside IA_PD.
pub const OPTION_IAPREFIX: u16 = 26;
/// OPTION_INFORMATION_REFRESH_TIME (RFC 8415 §21.23).
pub const OPTION_INFORMATION_REFRESH_TIME: u16 = 32;
/// OPTION_REMOTE_ID (RFC 4649): enterprise number + relay-chosen id.
pub const OPTION_REMOTE_ID: u16 = 37;
/// OPTION_SUBSCRIBER_ID (RFC 4580).
pub const OPTION_SUBSCRIBER_ID: u16 = 38;
/// OPTION_CLIENT_FQDN (RFC 4704).
pub const OPTION_CLIENT_FQDN: u16 = 39;

/// DHCPv6 status codes carried in OPTION_STATUS_CODE (RFC 8415 §21.13).
pub mod status {
    /// Success.
    pub const SUCCESS: u16 = 0;
    /// Failure, reason unspecified.
    pub const UNSPEC_FAIL: u16 = 1;
    /// The server has no addresses available to assign to the IA(s).
    pub const NO_ADDRS_AVAIL: u16 = 2;
    /// Client record (binding) unavailable.
    pub const NO_BINDING: u16 = 3;
    /// The prefix for the address is not appropriate for the link.
    pub const NOT_ON_LINK: u16 = 4;
    /// Client must use the multicast address to contact the server.
    pub const USE_MULTICAST: u16 = 5;
    /// The server has no prefixes available to assign to the IA_PD(s).
    pub const NO_PREFIX_AVAIL: u16 = 6;
}

/// Reads a big-endian u16 at `at`, `None` when out of bounds.
#[inline]
pub(crate) fn be16(b: &[u8], at: usize) -> Option<u16> {
    b.get(at..)?
        .first_chunk::<2>()
        .map(|a| u16::from_be_bytes(*a))
}

/// Reads a big-endian u32 at `at`, `None` when out of bounds.
#[inline]
pub(crate) fn be32(b: &[u8], at: usize) -> Option<u32> {
    b.get(at..)?
        .first_chunk::<4>()
        .map(|a| u32::from_be_bytes(*a))
}

/// Borrows 16 bytes (an IPv6 address) at `at`, `None` when out of bounds.
#[inline]
pub(crate) fn addr16(b: &[u8], at: usize) -> Option<&[u8; 16]> {
    b.get(at..)?.first_chunk::<16>()
}
