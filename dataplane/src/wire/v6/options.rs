//! DHCPv6 options: a validated option list, its iterator, and typed views.

use core::net::Ipv6Addr;

use super::duid::Duid;
use super::*;
use crate::wire::WireError;

/// An option area that has passed validation (see [`Options::parse`]).
///
/// Because every length inside it — including encapsulated options of IA and
/// address options — was checked once, iterating and the typed accessors
/// cannot fail; they only skip what is not there.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Options<'a> {
    data: &'a [u8],
}

impl<'a> Options<'a> {
    /// Validates `data` as a sequence of DHCPv6 options (recursively, down to
    /// [`MAX_OPTION_DEPTH`]) and wraps it.
    pub fn parse(data: &'a [u8]) -> Result<Self, WireError> {
        validate_options(data, 0, 0)?;
        Ok(Options { data })
    }

    /// Wraps an area the caller's parse already validated.
    pub(crate) fn validated(data: &'a [u8]) -> Self {
        Options { data }
    }

    /// The raw option bytes.
    pub fn as_bytes(&self) -> &'a [u8] {
        self.data
    }

    /// True when there are no options.
    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    /// Iterates `(code, data)` in wire order.
    pub fn iter(&self) -> OptionIter<'a> {
        OptionIter::new(self.data)
    }

    /// Data of the first option with `code`.
    pub fn find(&self, code: u16) -> Option<&'a [u8]> {
        self.iter().find(|&(c, _)| c == code).map(|(_, d)| d)
    }

    /// Data of every option with `code` (IA_NA, IAADDR etc. may repeat).
    pub fn find_all(&self, code: u16) -> impl Iterator<Item = &'a [u8]> + 'a {
        self.iter().filter(move |&(c, _)| c == code).map(|(_, d)| d)
    }

    /// CLIENTID as a [`Duid`].
    pub fn client_id(&self) -> Option<Duid<'a>> {
        self.find(OPTION_CLIENTID).map(Duid::decode)
    }

    /// SERVERID as a [`Duid`].
    pub fn server_id(&self) -> Option<Duid<'a>> {
        self.find(OPTION_SERVERID).map(Duid::decode)
    }

    /// Every IA_NA, in wire order.
    pub fn ia_nas(&self) -> impl Iterator<Item = IaNa<'a>> + 'a {
        self.find_all(OPTION_IA_NA).filter_map(IaNa::view)
    }

    /// Every IA_TA, in wire order.
    pub fn ia_tas(&self) -> impl Iterator<Item = IaTa<'a>> + 'a {
        self.find_all(OPTION_IA_TA).filter_map(IaTa::view)
    }

    /// Every IA_PD, in wire order.
    pub fn ia_pds(&self) -> impl Iterator<Item = IaPd<'a>> + 'a {
        self.find_all(OPTION_IA_PD).filter_map(IaPd::view)
    }

    /// Every IAADDR (inside an IA_NA/IA_TA's options), in wire order.
    pub fn ia_addrs(&self) -> impl Iterator<Item = IaAddr<'a>> + 'a {
        self.find_all(OPTION_IAADDR).filter_map(IaAddr::view)
    }

    /// Every IAPREFIX (inside an IA_PD's options), in wire order.
    pub fn ia_prefixes(&self) -> impl Iterator<Item = IaPrefix<'a>> + 'a {
        self.find_all(OPTION_IAPREFIX).filter_map(IaPrefix::view)
    }

    /// The first STATUS_CODE.
    pub fn status_code(&self) -> Option<StatusCode<'a>> {
        self.find(OPTION_STATUS_CODE).and_then(StatusCode::view)
    }

    /// The ORO.
    pub fn oro(&self) -> Option<Oro<'a>> {
        self.find(OPTION_ORO).map(|data| Oro { data })
    }

    /// ELAPSED_TIME in hundredths of a second.
    pub fn elapsed_time(&self) -> Option<u16> {
        self.find(OPTION_ELAPSED_TIME).and_then(|d| be16(d, 0))
    }

    /// PREFERENCE.
    pub fn preference(&self) -> Option<u8> {
        self.find(OPTION_PREFERENCE)
            .and_then(|d| d.first().copied())
    }

    /// True when RAPID_COMMIT is present.
    pub fn rapid_commit(&self) -> bool {
        self.find(OPTION_RAPID_COMMIT).is_some()
    }

    /// INTERFACE_ID bytes (relay messages).
    pub fn interface_id(&self) -> Option<&'a [u8]> {
        self.find(OPTION_INTERFACE_ID)
    }

    /// REMOTE_ID (relay messages).
    pub fn remote_id(&self) -> Option<RemoteId<'a>> {
        self.find(OPTION_REMOTE_ID).and_then(RemoteId::view)
    }

    /// UNICAST server address.
    pub fn unicast(&self) -> Option<Ipv6Addr> {
        self.find(OPTION_UNICAST)
            .and_then(|d| addr16(d, 0))
            .map(|a| Ipv6Addr::from(*a))
    }
}

impl<'a> IntoIterator for Options<'a> {
    type Item = (u16, &'a [u8]);
    type IntoIter = OptionIter<'a>;
    fn into_iter(self) -> OptionIter<'a> {
        self.iter()
    }
}

/// Iterator over `(code, data)` of an option area.
///
/// Works on any bytes: it stops at the first option whose header or body
/// does not fit, so it is safe (if incomplete) on unvalidated input.
#[derive(Debug, Clone)]
pub struct OptionIter<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> OptionIter<'a> {
    /// Iterates the options in `data`.
    pub fn new(data: &'a [u8]) -> Self {
        OptionIter { data, pos: 0 }
    }
}

impl<'a> Iterator for OptionIter<'a> {
    type Item = (u16, &'a [u8]);

    fn next(&mut self) -> Option<Self::Item> {
        let code = be16(self.data, self.pos);
        let len = be16(self.data, self.pos.wrapping_add(2));
        let start = self.pos.wrapping_add(4);
        let body = match (code, len) {
            (Some(code), Some(len)) => self
                .data
                .get(start..start + len as usize)
                .map(|body| (code, body)),
            _ => None,
        };
        match body {
            Some((code, body)) => {
                self.pos = start + body.len();
                Some((code, body))
            }
            None => {
                // Malformed or finished: stop for good.
                self.pos = self.data.len();
                None
            }
        }
    }
}

/// Validates an option area found at packet offset `base`, `depth` levels of
/// encapsulation deep.
pub(crate) fn validate_options(data: &[u8], base: usize, depth: usize) -> Result<(), WireError> {
    if depth > MAX_OPTION_DEPTH {
        return Err(WireError::TooDeep);
    }
    let mut pos = 0;
    while pos < data.len() {
        let offset = base + pos;
        let remaining = data.len() - pos;
        let (code, len) = match (be16(data, pos), be16(data, pos + 2)) {
            (Some(c), Some(l)) => (c, l as usize),
            _ => {
                return Err(WireError::Truncated {
                    offset,
                    needed: 4 - remaining,
                })
            }
        };
        let body = data
            .get(pos + 4..pos + 4 + len)
            .ok_or(WireError::OptionOverrun { code, offset })?;
        validate_option(code, body, offset + 4, depth)?;
        pos += 4 + len;
    }
    Ok(())
}

/// Checks the fixed layout of the options we give typed views to (and
/// their encapsulated options); other options are opaque bytes.
fn validate_option(code: u16, body: &[u8], base: usize, depth: usize) -> Result<(), WireError> {
    let exact = |n: usize, what: &'static str| {
        if body.len() == n {
            Ok(())
        } else {
            Err(WireError::BadValue { what, offset: base })
        }
    };
    match code {
        OPTION_CLIENTID | OPTION_SERVERID => Duid::parse_at(body, base).map(|_| ()),
        OPTION_IA_NA => IaNa::parse_at(body, base, depth).map(|_| ()),
        OPTION_IA_TA => IaTa::parse_at(body, base, depth).map(|_| ()),
        OPTION_IA_PD => IaPd::parse_at(body, base, depth).map(|_| ()),
        OPTION_IAADDR => IaAddr::parse_at(body, base, depth).map(|_| ()),
        OPTION_IAPREFIX => IaPrefix::parse_at(body, base, depth).map(|_| ()),
        OPTION_STATUS_CODE => StatusCode::parse_at(body, base).map(|_| ()),
        OPTION_ORO => Oro::parse_at(body, base).map(|_| ()),
        OPTION_REMOTE_ID => RemoteId::parse_at(body, base).map(|_| ()),
        OPTION_ELAPSED_TIME => exact(2, "ELAPSED_TIME length"),
        OPTION_PREFERENCE => exact(1, "PREFERENCE length"),
        OPTION_RAPID_COMMIT => exact(0, "RAPID_COMMIT length"),
        OPTION_RECONF_ACCEPT => exact(0, "RECONF_ACCEPT length"),
        OPTION_RECONF_MSG => exact(1, "RECONF_MSG length"),
        OPTION_UNICAST => exact(16, "UNICAST length"),
        // RELAY_MSG is validated as the next relay level by the message parser.
        _ => Ok(()),
    }
}

/// Fails with `Truncated` when `body` is shorter than the fixed part `n`.
fn need(body: &[u8], n: usize, base: usize) -> Result<(), WireError> {
    if body.len() < n {
        Err(WireError::Truncated {
            offset: base + body.len(),
            needed: n - body.len(),
        })
    } else {
        Ok(())
    }
}

/// Validates an option body made of a fixed part followed by encapsulated
/// options (IA_NA, IA_TA, IA_PD, IAADDR, IAPREFIX), then reads it with `view`.
fn parse_encapsulating<'a, T>(
    body: &'a [u8],
    fixed: usize,
    base: usize,
    depth: usize,
    view: fn(&'a [u8]) -> Option<T>,
) -> Result<T, WireError> {
    need(body, fixed, base)?;
    validate_options(body.get(fixed..).unwrap_or(&[]), base + fixed, depth + 1)?;
    view(body).ok_or(WireError::Truncated {
        offset: base,
        needed: fixed,
    })
}

/// IA_NA (option 3): IAID, T1, T2 and encapsulated options (IAADDR, STATUS_CODE).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IaNa<'a> {
    /// Identity association id, chosen by the client.
    pub iaid: u32,
    /// Renew time, seconds.
    pub t1: u32,
    /// Rebind time, seconds.
    pub t2: u32,
    /// Encapsulated options.
    pub options: Options<'a>,
}

impl<'a> IaNa<'a> {
    /// Fixed part: IAID, T1, T2.
    pub const FIXED_LEN: usize = 12;

    /// Validates the option body (including encapsulated options).
    pub fn parse(body: &'a [u8]) -> Result<Self, WireError> {
        Self::parse_at(body, 0, 0)
    }

    pub(crate) fn parse_at(body: &'a [u8], base: usize, depth: usize) -> Result<Self, WireError> {
        parse_encapsulating(body, Self::FIXED_LEN, base, depth, Self::view)
    }

    /// Reads an already validated body without re-checking encapsulated options.
    pub(crate) fn view(body: &'a [u8]) -> Option<Self> {
        Some(IaNa {
            iaid: be32(body, 0)?,
            t1: be32(body, 4)?,
            t2: be32(body, 8)?,
            options: Options::validated(body.get(Self::FIXED_LEN..)?),
        })
    }

    /// Addresses in this IA.
    pub fn addresses(&self) -> impl Iterator<Item = IaAddr<'a>> + 'a {
        self.options.ia_addrs()
    }

    /// The IA's STATUS_CODE, if any.
    pub fn status(&self) -> Option<StatusCode<'a>> {
        self.options.status_code()
    }
}

/// IA_TA (option 4): IAID and encapsulated options.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IaTa<'a> {
    /// Identity association id, chosen by the client.
    pub iaid: u32,
    /// Encapsulated options.
    pub options: Options<'a>,
}

impl<'a> IaTa<'a> {
    /// Fixed part: IAID.
    pub const FIXED_LEN: usize = 4;

    /// Validates the option body (including encapsulated options).
    pub fn parse(body: &'a [u8]) -> Result<Self, WireError> {
        Self::parse_at(body, 0, 0)
    }

    pub(crate) fn parse_at(body: &'a [u8], base: usize, depth: usize) -> Result<Self, WireError> {
        parse_encapsulating(body, Self::FIXED_LEN, base, depth, Self::view)
    }

    pub(crate) fn view(body: &'a [u8]) -> Option<Self> {
        Some(IaTa {
            iaid: be32(body, 0)?,
            options: Options::validated(body.get(Self::FIXED_LEN..)?),
        })
    }

    /// Addresses in this IA.
    pub fn addresses(&self) -> impl Iterator<Item = IaAddr<'a>> + 'a {
        self.options.ia_addrs()
    }
}

/// IA_PD (option 25): IAID, T1, T2 and encapsulated options (IAPREFIX, STATUS_CODE).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IaPd<'a> {
    /// Identity association id, chosen by the client.
    pub iaid: u32,
    /// Renew time, seconds.
    pub t1: u32,
    /// Rebind time, seconds.
    pub t2: u32,
    /// Encapsulated options.
    pub options: Options<'a>,
}

impl<'a> IaPd<'a> {
    /// Fixed part: IAID, T1, T2.
    pub const FIXED_LEN: usize = 12;

    /// Validates the option body (including encapsulated options).
    pub fn parse(body: &'a [u8]) -> Result<Self, WireError> {
        Self::parse_at(body, 0, 0)
    }

    pub(crate) fn parse_at(body: &'a [u8], base: usize, depth: usize) -> Result<Self, WireError> {
        parse_encapsulating(body, Self::FIXED_LEN, base, depth, Self::view)
    }

    pub(crate) fn view(body: &'a [u8]) -> Option<Self> {
        Some(IaPd {
            iaid: be32(body, 0)?,
            t1: be32(body, 4)?,
            t2: be32(body, 8)?,
            options: Options::validated(body.get(Self::FIXED_LEN..)?),
        })
    }

    /// Prefixes in this IA.
    pub fn prefixes(&self) -> impl Iterator<Item = IaPrefix<'a>> + 'a {
        self.options.ia_prefixes()
    }

    /// The IA's STATUS_CODE, if any.
    pub fn status(&self) -> Option<StatusCode<'a>> {
        self.options.status_code()
    }
}

/// IAADDR (option 5): address, preferred and valid lifetimes, options.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IaAddr<'a> {
    /// The address.
    pub address: Ipv6Addr,
    /// Preferred lifetime, seconds.
    pub preferred: u32,
    /// Valid lifetime, seconds.
    pub valid: u32,
    /// Encapsulated options.
    pub options: Options<'a>,
}

impl<'a> IaAddr<'a> {
    /// Fixed part: address, preferred, valid.
    pub const FIXED_LEN: usize = 24;

    /// Validates the option body (including encapsulated options).
    pub fn parse(body: &'a [u8]) -> Result<Self, WireError> {
        Self::parse_at(body, 0, 0)
    }

    pub(crate) fn parse_at(body: &'a [u8], base: usize, depth: usize) -> Result<Self, WireError> {
        parse_encapsulating(body, Self::FIXED_LEN, base, depth, Self::view)
    }

    pub(crate) fn view(body: &'a [u8]) -> Option<Self> {
        Some(IaAddr {
            address: Ipv6Addr::from(*addr16(body, 0)?),
            preferred: be32(body, 16)?,
            valid: be32(body, 20)?,
            options: Options::validated(body.get(Self::FIXED_LEN..)?),
        })
    }

    /// The address's STATUS_CODE, if any.
    pub fn status(&self) -> Option<StatusCode<'a>> {
        self.options.status_code()
    }
}

/// IAPREFIX (option 26): lifetimes, prefix length, prefix, options.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IaPrefix<'a> {
    /// Preferred lifetime, seconds.
    pub preferred: u32,
    /// Valid lifetime, seconds.
    pub valid: u32,
    /// Prefix length in bits (0..=128).
    pub prefix_len: u8,
    /// The prefix.
    pub prefix: Ipv6Addr,
    /// Encapsulated options.
    pub options: Options<'a>,
}

impl<'a> IaPrefix<'a> {
    /// Fixed part: preferred, valid, prefix length, prefix.
    pub const FIXED_LEN: usize = 25;

    /// Validates the option body (including encapsulated options).
    pub fn parse(body: &'a [u8]) -> Result<Self, WireError> {
        Self::parse_at(body, 0, 0)
    }

    pub(crate) fn parse_at(body: &'a [u8], base: usize, depth: usize) -> Result<Self, WireError> {
        // A prefix longer than the address is meaningless; refuse it here so
        // consumers can shift by prefix_len without checking.
        if body.get(8).copied().unwrap_or(0) > 128 {
            return Err(WireError::BadValue {
                what: "IAPREFIX prefix length",
                offset: base + 8,
            });
        }
        parse_encapsulating(body, Self::FIXED_LEN, base, depth, Self::view)
    }

    pub(crate) fn view(body: &'a [u8]) -> Option<Self> {
        Some(IaPrefix {
            preferred: be32(body, 0)?,
            valid: be32(body, 4)?,
            prefix_len: *body.get(8)?,
            prefix: Ipv6Addr::from(*addr16(body, 9)?),
            options: Options::validated(body.get(Self::FIXED_LEN..)?),
        })
    }

    /// The prefix's STATUS_CODE, if any.
    pub fn status(&self) -> Option<StatusCode<'a>> {
        self.options.status_code()
    }
}

/// STATUS_CODE (option 13): a status and a message for humans.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatusCode<'a> {
    /// The status (see [`status`](super::status)).
    pub code: u16,
    /// The message bytes; RFC 8415 says UTF-8 but they are not checked,
    /// since nothing in the server acts on them.
    pub message: &'a [u8],
}

impl<'a> StatusCode<'a> {
    /// Reads the option body (at least the 2-byte code).
    pub fn parse(body: &'a [u8]) -> Result<Self, WireError> {
        Self::parse_at(body, 0)
    }

    pub(crate) fn parse_at(body: &'a [u8], base: usize) -> Result<Self, WireError> {
        need(body, 2, base)?;
        Self::view(body).ok_or(WireError::Truncated {
            offset: base,
            needed: 2,
        })
    }

    pub(crate) fn view(body: &'a [u8]) -> Option<Self> {
        Some(StatusCode {
            code: be16(body, 0)?,
            message: body.get(2..)?,
        })
    }

    /// The message as text, when it is valid UTF-8.
    pub fn message_str(&self) -> Option<&'a str> {
        core::str::from_utf8(self.message).ok()
    }
}

/// ORO (option 6): the option codes a client asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Oro<'a> {
    data: &'a [u8],
}

impl<'a> Oro<'a> {
    /// Reads the option body, which must be an even number of bytes.
    pub fn parse(body: &'a [u8]) -> Result<Self, WireError> {
        Self::parse_at(body, 0)
    }

    pub(crate) fn parse_at(body: &'a [u8], base: usize) -> Result<Self, WireError> {
        if body.len() & 1 != 0 {
            return Err(WireError::BadValue {
                what: "ORO length",
                offset: base,
            });
        }
        Ok(Oro { data: body })
    }

    /// The requested codes in wire order.
    pub fn codes(&self) -> impl Iterator<Item = u16> + 'a {
        self.data
            .chunks_exact(2)
            .filter_map(|c| c.first_chunk::<2>())
            .map(|a| u16::from_be_bytes(*a))
    }

    /// Number of requested codes.
    pub fn len(&self) -> usize {
        self.data.len() / 2
    }

    /// True when no codes are requested.
    pub fn is_empty(&self) -> bool {
        self.data.len() < 2
    }

    /// True when `code` is requested.
    pub fn contains(&self, code: u16) -> bool {
        self.codes().any(|c| c == code)
    }
}

/// REMOTE_ID (option 37, RFC 4649): enterprise number and relay-chosen id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RemoteId<'a> {
    /// IANA private enterprise number of the relay vendor.
    pub enterprise: u32,
    /// Opaque remote id.
    pub id: &'a [u8],
}

impl<'a> RemoteId<'a> {
    /// Reads the option body (at least the 4-byte enterprise number).
    pub fn parse(body: &'a [u8]) -> Result<Self, WireError> {
        Self::parse_at(body, 0)
    }

    pub(crate) fn parse_at(body: &'a [u8], base: usize) -> Result<Self, WireError> {
        need(body, 4, base)?;
        Self::view(body).ok_or(WireError::Truncated {
            offset: base,
            needed: 4,
        })
    }

    pub(crate) fn view(body: &'a [u8]) -> Option<Self> {
        Some(RemoteId {
            enterprise: be32(body, 0)?,
            id: body.get(4..)?,
        })
    }
}
