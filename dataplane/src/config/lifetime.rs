//! Lifetimes with Kea's bounds, shared by both families.

/// A lifetime with Kea's bounds: clients may ask for any value in
/// `min..=max`; `default` applies when they do not ask.
#[derive(Debug, Clone, Copy, PartialEq, Eq, rkyv::Archive, rkyv::Serialize, rkyv::Deserialize)]
pub struct Lifetime {
    /// `valid-lifetime`.
    pub default: u32,
    /// `min-valid-lifetime`.
    pub min: u32,
    /// `max-valid-lifetime`.
    pub max: u32,
}

impl Lifetime {
    /// The same value for default, min and max.
    pub fn fixed(secs: u32) -> Self {
        Lifetime {
            default: secs,
            min: secs,
            max: secs,
        }
    }

    /// The lifetime granted for a client's request (option 51), if any.
    pub fn grant(&self, requested: Option<u32>) -> u32 {
        requested.map_or(self.default, |r| r.clamp(self.min, self.max))
    }

    /// The lifetime granted for a DHCPv6 hint, where 0 means no hint
    /// (RFC 8415 §21.6).
    pub fn grant_hint(&self, hint: u32) -> u32 {
        self.grant(Some(hint).filter(|&h| h != 0))
    }
}
