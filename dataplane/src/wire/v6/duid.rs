//! DHCP Unique Identifiers (RFC 8415 §11).

use super::{be16, be32, DUID_MAX_LEN, DUID_MIN_LEN};
use crate::wire::WireError;

/// A DUID borrowed from a CLIENTID/SERVERID option, decoded by type.
///
/// Every variant keeps `raw`, the whole DUID as sent, because leases key on
/// the raw bytes: two DUIDs are the same client only if their bytes match.
/// A DUID of a known type whose body is too short for that type is reported
/// as [`Duid::Other`] rather than rejected, since Kea accepts any DUID of
/// acceptable length and a drop-in must not drop those clients.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Duid<'a> {
    /// DUID-LLT (type 1): hardware type, time, link-layer address.
    Llt {
        /// IANA hardware type (1 = Ethernet).
        hw_type: u16,
        /// Seconds since 2000-01-01 UTC, mod 2^32.
        time: u32,
        /// Link-layer address.
        link_layer: &'a [u8],
        /// The whole DUID including its type.
        raw: &'a [u8],
    },
    /// DUID-EN (type 2): enterprise number and vendor-chosen identifier.
    En {
        /// IANA private enterprise number.
        enterprise: u32,
        /// Vendor-assigned identifier.
        identifier: &'a [u8],
        /// The whole DUID including its type.
        raw: &'a [u8],
    },
    /// DUID-LL (type 3): hardware type and link-layer address.
    Ll {
        /// IANA hardware type (1 = Ethernet).
        hw_type: u16,
        /// Link-layer address.
        link_layer: &'a [u8],
        /// The whole DUID including its type.
        raw: &'a [u8],
    },
    /// DUID-UUID (type 4, RFC 6355): a 16-byte UUID.
    Uuid {
        /// The UUID.
        uuid: &'a [u8; 16],
        /// The whole DUID including its type.
        raw: &'a [u8],
    },
    /// Any other type, or a known type with a malformed body.
    Other {
        /// The DUID type field.
        duid_type: u16,
        /// Everything after the type field.
        data: &'a [u8],
        /// The whole DUID including its type.
        raw: &'a [u8],
    },
}

/// DUID-LLT type code.
pub const DUID_LLT: u16 = 1;
/// DUID-EN type code.
pub const DUID_EN: u16 = 2;
/// DUID-LL type code.
pub const DUID_LL: u16 = 3;
/// DUID-UUID type code.
pub const DUID_UUID: u16 = 4;

impl<'a> Duid<'a> {
    /// Decodes a DUID, checking only its overall length
    /// ([`DUID_MIN_LEN`](super::DUID_MIN_LEN)..=[`DUID_MAX_LEN`](super::DUID_MAX_LEN)).
    pub fn parse(raw: &'a [u8]) -> Result<Self, WireError> {
        Self::parse_at(raw, 0)
    }

    /// [`Duid::parse`] reporting errors at `base` (the DUID's offset in the packet).
    pub(crate) fn parse_at(raw: &'a [u8], base: usize) -> Result<Self, WireError> {
        if raw.len() < DUID_MIN_LEN || raw.len() > DUID_MAX_LEN {
            return Err(WireError::BadValue {
                what: "DUID length",
                offset: base,
            });
        }
        Ok(Self::decode(raw))
    }

    /// Decodes without the length check; never fails (short input is `Other`).
    pub(crate) fn decode(raw: &'a [u8]) -> Self {
        let duid_type = be16(raw, 0).unwrap_or(0);
        let body = raw.get(2..).unwrap_or(&[]);
        let other = Duid::Other {
            duid_type,
            data: body,
            raw,
        };
        match duid_type {
            DUID_LLT => match (be16(raw, 2), be32(raw, 4), raw.get(8..)) {
                (Some(hw_type), Some(time), Some(link_layer)) => Duid::Llt {
                    hw_type,
                    time,
                    link_layer,
                    raw,
                },
                _ => other,
            },
            DUID_EN => match (be32(raw, 2), raw.get(6..)) {
                (Some(enterprise), Some(identifier)) => Duid::En {
                    enterprise,
                    identifier,
                    raw,
                },
                _ => other,
            },
            DUID_LL => match (be16(raw, 2), raw.get(4..)) {
                (Some(hw_type), Some(link_layer)) => Duid::Ll {
                    hw_type,
                    link_layer,
                    raw,
                },
                _ => other,
            },
            DUID_UUID => match body.first_chunk::<16>() {
                Some(uuid) if body.len() == 16 => Duid::Uuid { uuid, raw },
                _ => other,
            },
            _ => other,
        }
    }

    /// The whole DUID as sent (type included): the key leases are stored under.
    pub fn as_bytes(&self) -> &'a [u8] {
        match *self {
            Duid::Llt { raw, .. }
            | Duid::En { raw, .. }
            | Duid::Ll { raw, .. }
            | Duid::Uuid { raw, .. }
            | Duid::Other { raw, .. } => raw,
        }
    }

    /// The DUID type field as sent.
    pub fn duid_type(&self) -> u16 {
        be16(self.as_bytes(), 0).unwrap_or(0)
    }

    /// The link-layer address for LLT and LL DUIDs (used for hardware-address
    /// host reservations), `None` for other types.
    pub fn link_layer(&self) -> Option<(u16, &'a [u8])> {
        match *self {
            Duid::Llt {
                hw_type,
                link_layer,
                ..
            }
            | Duid::Ll {
                hw_type,
                link_layer,
                ..
            } => Some((hw_type, link_layer)),
            _ => None,
        }
    }
}
