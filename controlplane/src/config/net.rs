//! Addresses, prefixes and address ranges as configurations write them.

use std::fmt;
use std::net::IpAddr;

/// An IP prefix such as `192.0.2.0/24` or `2001:db8::/48`. The address is
/// kept as written (Kea accepts host bits set, e.g. `10.0.0.1/24`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Prefix {
    /// Address part as written.
    pub addr: IpAddr,
    /// Prefix length.
    pub len: u8,
}

/// Widen an address to 128 bits so v4 and v6 share arithmetic.
pub fn to_u128(a: IpAddr) -> u128 {
    match a {
        IpAddr::V4(a) => u32::from(a) as u128,
        IpAddr::V6(a) => u128::from(a),
    }
}

fn bits(a: IpAddr) -> u8 {
    if a.is_ipv4() {
        32
    } else {
        128
    }
}

impl Prefix {
    /// Parse `addr/len`.
    pub fn parse(text: &str) -> Result<Prefix, String> {
        let (a, l) = text
            .split_once('/')
            .ok_or_else(|| format!("'{text}' is not a prefix (address/length)"))?;
        let addr: IpAddr = a
            .trim()
            .parse()
            .map_err(|_| format!("'{}' is not an IP address", a.trim()))?;
        let len: u8 = l
            .trim()
            .parse()
            .map_err(|_| format!("'{}' is not a prefix length", l.trim()))?;
        if len > bits(addr) {
            return Err(format!("prefix length {len} is too long for {addr}"));
        }
        Ok(Prefix { addr, len })
    }

    /// First address of the prefix, as a 128-bit number.
    pub fn first(&self) -> u128 {
        let a = to_u128(self.addr);
        let host = self.host_bits();
        if host >= 128 {
            0
        } else {
            a >> host << host
        }
    }

    /// Last address of the prefix, as a 128-bit number.
    pub fn last(&self) -> u128 {
        let host = self.host_bits();
        if host >= 128 {
            u128::MAX
        } else {
            self.first() | ((1u128 << host) - 1)
        }
    }

    fn host_bits(&self) -> u32 {
        (bits(self.addr) - self.len) as u32
    }

    /// Whether `a` (of the same family) lies in the prefix.
    pub fn contains(&self, a: IpAddr) -> bool {
        a.is_ipv4() == self.addr.is_ipv4() && (self.first()..=self.last()).contains(&to_u128(a))
    }

    /// Whether the prefix wholly contains `other`.
    pub fn covers(&self, other: &Prefix) -> bool {
        other.addr.is_ipv4() == self.addr.is_ipv4()
            && other.len >= self.len
            && self.first() <= other.first()
            && other.last() <= self.last()
    }

    /// The same prefix with host bits cleared.
    pub fn network(&self) -> (u128, u8) {
        (self.first(), self.len)
    }
}

impl fmt::Display for Prefix {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.addr, self.len)
    }
}

/// An inclusive address range (a pool).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Range {
    /// First address.
    pub first: IpAddr,
    /// Last address.
    pub last: IpAddr,
}

impl Range {
    /// Parse a pool: `first-last` (spaces allowed) or `addr/len`.
    pub fn parse(text: &str, v6: bool) -> Result<Range, String> {
        let fam = |a: IpAddr| {
            if a.is_ipv6() != v6 {
                Err(format!(
                    "'{a}' is not an {} address",
                    if v6 { "IPv6" } else { "IPv4" }
                ))
            } else {
                Ok(a)
            }
        };
        if text.contains('/') {
            let p = Prefix::parse(text)?;
            fam(p.addr)?;
            return Ok(Range {
                first: from_u128(p.first(), v6),
                last: from_u128(p.last(), v6),
            });
        }
        let (a, b) = text
            .split_once('-')
            .ok_or_else(|| format!("'{text}' is not a pool (first-last or prefix/length)"))?;
        let parse = |s: &str| -> Result<IpAddr, String> {
            fam(s
                .trim()
                .parse()
                .map_err(|_| format!("'{}' is not an IP address", s.trim()))?)
        };
        let (first, last) = (parse(a)?, parse(b)?);
        if to_u128(first) > to_u128(last) {
            return Err(format!("pool {text} ends before it starts"));
        }
        Ok(Range { first, last })
    }

    /// Whether two ranges share an address.
    pub fn overlaps(&self, o: &Range) -> bool {
        to_u128(self.first) <= to_u128(o.last) && to_u128(o.first) <= to_u128(self.last)
    }

    /// Whether `a` is in the range.
    pub fn contains(&self, a: IpAddr) -> bool {
        (to_u128(self.first)..=to_u128(self.last)).contains(&to_u128(a))
    }
}

impl fmt::Display for Range {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.first, self.last)
    }
}

/// An address from its 128-bit number.
pub fn from_u128(n: u128, v6: bool) -> IpAddr {
    if v6 {
        IpAddr::V6(n.into())
    } else {
        IpAddr::V4((n as u32).into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix_and_range() {
        let p = Prefix::parse("10.0.0.1/24").unwrap();
        assert!(p.contains("10.0.0.255".parse().unwrap()));
        assert!(!p.contains("10.0.1.0".parse().unwrap()));
        let r = Range::parse("10.0.0.5 - 10.0.0.9", false).unwrap();
        assert!(r.overlaps(&Range::parse("10.0.0.8/30", false).unwrap()));
        assert!(Range::parse("2001:db8::/64", true).is_ok());
        assert!(Range::parse("10.0.0.9-10.0.0.1", false).is_err());
        assert_eq!(Prefix::parse("::/0").unwrap().last(), u128::MAX);
    }
}
