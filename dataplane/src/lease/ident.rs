//! Client identifiers stored inline, so a typical lease costs no heap block.

use std::fmt;

/// Byte string kept inline up to `N` bytes; longer values (rare: long DUIDs,
/// long hostnames) fall back to one heap block, created off the hot path.
#[derive(Clone, PartialEq, Eq)]
pub enum Ident<const N: usize> {
    /// Short value held in place.
    Inline {
        /// Number of used bytes in `data`.
        len: u8,
        /// The bytes; only `..len` are meaningful.
        data: [u8; N],
    },
    /// Value longer than `N` bytes.
    Heap(Box<[u8]>),
}

impl<const N: usize> Ident<N> {
    /// The empty identifier.
    pub const EMPTY: Self = Ident::Inline {
        len: 0,
        data: [0; N],
    };

    /// Copies `bytes`; allocates only when longer than `N`.
    pub fn new(bytes: &[u8]) -> Self {
        if bytes.len() <= N {
            let mut data = [0; N];
            data[..bytes.len()].copy_from_slice(bytes);
            Ident::Inline {
                len: bytes.len() as u8,
                data,
            }
        } else {
            Ident::Heap(bytes.into())
        }
    }

    /// The stored bytes.
    pub fn as_bytes(&self) -> &[u8] {
        match self {
            Ident::Inline { len, data } => &data[..*len as usize],
            Ident::Heap(b) => b,
        }
    }

    /// True when no bytes are stored.
    pub fn is_empty(&self) -> bool {
        self.as_bytes().is_empty()
    }
}

impl<const N: usize> Default for Ident<N> {
    fn default() -> Self {
        Self::EMPTY
    }
}

impl<const N: usize> fmt::Debug for Ident<N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", Hex(self.as_bytes()))
    }
}

/// Client identifier (option 61) or DUID.
pub type ClientId = Ident<22>;
/// Hostname (FQDN or option 12).
pub type Hostname = Ident<30>;

/// Hardware address: hardware type plus at most 20 bytes (Kea's limit).
#[derive(Clone, Copy, PartialEq, Eq, Default)]
pub struct HwAddr {
    /// ARP hardware type (1 = Ethernet).
    pub htype: u8,
    len: u8,
    data: [u8; HwAddr::MAX],
}

impl HwAddr {
    /// Longest hardware address accepted.
    pub const MAX: usize = 20;

    /// Builds an address; `None` when `bytes` exceeds [`HwAddr::MAX`].
    pub fn new(htype: u8, bytes: &[u8]) -> Option<Self> {
        if bytes.len() > Self::MAX {
            return None;
        }
        let mut data = [0; Self::MAX];
        data[..bytes.len()].copy_from_slice(bytes);
        Some(HwAddr {
            htype,
            len: bytes.len() as u8,
            data,
        })
    }

    /// The address bytes (without the type).
    pub fn as_bytes(&self) -> &[u8] {
        &self.data[..self.len as usize]
    }

    /// True when no address is stored.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

impl fmt::Debug for HwAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.htype, Hex(self.as_bytes()))
    }
}

/// Formats bytes as Kea does: lowercase hex pairs joined by colons.
pub struct Hex<'a>(pub &'a [u8]);

impl fmt::Display for Hex<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, b) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(":")?;
            }
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}

/// Parses `01:02:ab` (colons optional, as Kea accepts); `None` on bad input.
pub fn parse_hex(s: &str) -> Option<Vec<u8>> {
    let digits: Vec<u8> = s.bytes().filter(|&c| c != b':').collect();
    if digits.len() & 1 == 1 {
        // Kea accepts single-digit groups such as "1:2:3".
        return s
            .split(':')
            .map(|g| u8::from_str_radix(g, 16).ok())
            .collect();
    }
    digits
        .chunks(2)
        .map(|p| u8::from_str_radix(std::str::from_utf8(p).ok()?, 16).ok())
        .collect()
}

/// 64-bit hash of a byte string (FNV-1a then a final mix): cheap, no state.
pub fn hash_bytes(tag: u64, bytes: &[u8]) -> u64 {
    let mut h = 0xcbf2_9ce4_8422_2325u64 ^ tag;
    for &b in bytes {
        h = (h ^ b as u64).wrapping_mul(0x100_0000_01b3);
    }
    mix(h)
}

/// Finalizer (splitmix64) spreading all input bits over the output.
pub fn mix(mut x: u64) -> u64 {
    x ^= x >> 30;
    x = x.wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x ^= x >> 27;
    x = x.wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// A lease's user context, as JSON text. Few leases have one, so it sits
/// behind a single thin pointer (a box of a boxed string): 8 bytes in every
/// lease record where a boxed string would take 16.
#[derive(Clone, PartialEq, Eq)]
pub struct UserContext(Box<Box<str>>);

impl std::ops::Deref for UserContext {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

impl From<&str> for UserContext {
    fn from(text: &str) -> Self {
        UserContext(Box::new(text.into()))
    }
}

impl From<String> for UserContext {
    fn from(text: String) -> Self {
        UserContext(Box::new(text.into_boxed_str()))
    }
}

impl fmt::Debug for UserContext {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}
