//! Relay agent information, option 82 (RFC 3046), and its sub-options.

use std::net::Ipv4Addr;

use super::RawOption;
use crate::wire::WireError;

/// Sub-option codes of option 82 that servers act on.
pub mod sub {
    /// Agent circuit id (RFC 3046).
    pub const CIRCUIT_ID: u8 = 1;
    /// Agent remote id (RFC 3046).
    pub const REMOTE_ID: u8 = 2;
    /// Link selection (RFC 3527): the subnet to select instead of giaddr's.
    pub const LINK_SELECTION: u8 = 5;
    /// Subscriber id (RFC 3993).
    pub const SUBSCRIBER_ID: u8 = 6;
    /// RADIUS attributes (RFC 4014).
    pub const RADIUS_ATTRIBUTES: u8 = 7;
    /// Vendor-specific information (RFC 4243).
    pub const VENDOR_SPECIFIC: u8 = 9;
    /// Relay agent flags (RFC 5010).
    pub const FLAGS: u8 = 10;
    /// Server identifier override (RFC 5107).
    pub const SERVER_ID_OVERRIDE: u8 = 11;
    /// Relay id (RFC 6925).
    pub const RELAY_ID: u8 = 12;
}

/// The sub-options of one option 82 value, validated on construction.
///
/// Sub-options share the code/length framing of options but have no pad or
/// end codes; a 0 or 255 here is an ordinary sub-option code, so the walk
/// below does not reuse the option-area rules for those two codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RelayAgentInfo<'a> {
    data: &'a [u8],
}

impl<'a> RelayAgentInfo<'a> {
    /// Validates the framing of every sub-option in `data` (the joined value
    /// of option 82).
    pub fn parse(data: &'a [u8]) -> Result<Self, WireError> {
        let mut subs = SubOptions { data, pos: 0 };
        while subs.pos < data.len() {
            subs.next_checked()?;
        }
        Ok(RelayAgentInfo { data })
    }

    /// The option's bytes, for echoing back to the relay unchanged.
    pub fn as_bytes(&self) -> &'a [u8] {
        self.data
    }

    /// Every sub-option in wire order.
    pub fn sub_options(&self) -> SubOptions<'a> {
        SubOptions {
            data: self.data,
            pos: 0,
        }
    }

    /// The first sub-option with `code`.
    pub fn get(&self, code: u8) -> Option<&'a [u8]> {
        self.sub_options().find(|o| o.code == code).map(|o| o.data)
    }

    /// Agent circuit id.
    pub fn circuit_id(&self) -> Option<&'a [u8]> {
        self.get(sub::CIRCUIT_ID)
    }

    /// Agent remote id.
    pub fn remote_id(&self) -> Option<&'a [u8]> {
        self.get(sub::REMOTE_ID)
    }

    /// Link selection address, when present and four bytes long.
    pub fn link_selection(&self) -> Option<Ipv4Addr> {
        let v: [u8; 4] = self.get(sub::LINK_SELECTION)?.try_into().ok()?;
        Some(v.into())
    }

    /// Server identifier override address, when present and four bytes long.
    pub fn server_id_override(&self) -> Option<Ipv4Addr> {
        let v: [u8; 4] = self.get(sub::SERVER_ID_OVERRIDE)?.try_into().ok()?;
        Some(v.into())
    }
}

/// Iterator over the sub-options of a validated option 82.
#[derive(Debug, Clone)]
pub struct SubOptions<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> SubOptions<'a> {
    fn next_checked(&mut self) -> Result<RawOption<'a>, WireError> {
        let code = self.data[self.pos];
        let overrun = WireError::OptionOverrun {
            code: code.into(),
            offset: self.pos,
        };
        let len = usize::from(*self.data.get(self.pos + 1).ok_or(overrun)?);
        let end = self.pos + 2 + len;
        let data = self.data.get(self.pos + 2..end).ok_or(overrun)?;
        self.pos = end;
        Ok(RawOption { code, data })
    }
}

impl<'a> Iterator for SubOptions<'a> {
    type Item = RawOption<'a>;

    fn next(&mut self) -> Option<RawOption<'a>> {
        if self.pos >= self.data.len() {
            return None;
        }
        self.next_checked().ok()
    }
}
