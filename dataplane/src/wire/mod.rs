//! Zero-copy DHCP wire codecs.
//!
//! Readers borrow from the received frame and validate its structure once, so
//! accessors afterwards cannot fail on bounds; writers build replies in place
//! into a caller's buffer. Neither direction allocates.

pub mod v4;
pub mod v6;

use core::fmt;

/// Why a packet could not be decoded or a reply could not be encoded.
///
/// Every variant names the byte offset where the problem was found so a
/// malformed packet can be logged usefully before it is counted and dropped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WireError {
    /// The buffer ends before a structure that must be there.
    Truncated { offset: usize, needed: usize },
    /// An option's length runs past the end of the area holding it.
    OptionOverrun { code: u16, offset: usize },
    /// The DHCPv4 magic cookie is missing or wrong.
    BadMagicCookie,
    /// A field holds a value the protocol does not allow.
    BadValue { what: &'static str, offset: usize },
    /// Relay messages nest deeper than the codec allows.
    TooDeep,
    /// The reply does not fit into the caller's buffer (or the client's limit).
    NoSpace { needed: usize, available: usize },
}

impl fmt::Display for WireError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            WireError::Truncated { offset, needed } => {
                write!(
                    f,
                    "packet truncated at byte {offset}: {needed} more bytes expected"
                )
            }
            WireError::OptionOverrun { code, offset } => {
                write!(
                    f,
                    "option {code} at byte {offset} runs past the end of its area"
                )
            }
            WireError::BadMagicCookie => f.write_str("DHCPv4 magic cookie missing or wrong"),
            WireError::BadValue { what, offset } => write!(f, "invalid {what} at byte {offset}"),
            WireError::TooDeep => f.write_str("relay messages nested too deeply"),
            WireError::NoSpace { needed, available } => {
                write!(f, "reply needs {needed} bytes, only {available} available")
            }
        }
    }
}

impl std::error::Error for WireError {}
