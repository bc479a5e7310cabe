//! Pools: address ranges (v4, v6) and delegated-prefix pools.

use std::net::{Ipv4Addr, Ipv6Addr};

/// A range of candidates: `first + i * 2^shift` for `i` in `0..count`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pool {
    /// First address as an integer.
    pub first: u128,
    /// Number of addresses or prefixes.
    pub count: u64,
    /// `128 - delegated_len` for pd-pools, 0 for address pools.
    pub shift: u32,
    /// Delegated prefix length (pd-pools), 128 or 32 otherwise.
    pub delegated_len: u8,
    /// Kea's pool id (0 when unset).
    pub pool_id: u32,
    /// Subnet the pool belongs to.
    pub subnet_id: u32,
}

impl Pool {
    /// A v4 range `first..=last`.
    pub fn v4(first: Ipv4Addr, last: Ipv4Addr, subnet_id: u32) -> Self {
        let (a, b) = (u32::from(first), u32::from(last));
        Pool {
            first: a as u128,
            count: b.saturating_sub(a) as u64 + 1,
            shift: 0,
            delegated_len: 32,
            pool_id: 0,
            subnet_id,
        }
    }

    /// A v6 range `first..=last` (capped at 2^63 addresses).
    pub fn v6(first: Ipv6Addr, last: Ipv6Addr, subnet_id: u32) -> Self {
        let (a, b) = (u128::from(first), u128::from(last));
        Pool {
            first: a,
            count: (b.saturating_sub(a)).min(1 << 62) as u64 + 1,
            shift: 0,
            delegated_len: 128,
            pool_id: 0,
            subnet_id,
        }
    }

    /// A pd-pool: `prefix/prefix_len` delegated in `/delegated_len` pieces.
    pub fn pd(prefix: Ipv6Addr, prefix_len: u8, delegated_len: u8, subnet_id: u32) -> Self {
        let bits = delegated_len.saturating_sub(prefix_len).min(62) as u32;
        let shift = 128 - delegated_len as u32;
        let mask = if prefix_len == 0 {
            0
        } else {
            u128::MAX << (128 - prefix_len as u32)
        };
        Pool {
            first: u128::from(prefix) & mask,
            count: 1u64 << bits,
            shift,
            delegated_len,
            pool_id: 0,
            subnet_id,
        }
    }

    /// Sets the pool id.
    pub fn with_id(mut self, id: u32) -> Self {
        self.pool_id = id;
        self
    }

    /// The `i`-th candidate.
    pub fn nth(&self, i: u64) -> u128 {
        self.first + ((i as u128) << self.shift)
    }

    /// True when `addr` lies between the pool's first address and the
    /// last address of its last candidate (Kea's `inRange`; for a
    /// pd-pool, anywhere inside one of its prefixes).
    pub fn covers(&self, addr: u128) -> bool {
        addr.checked_sub(self.first)
            .is_some_and(|d| d >> self.shift < u128::from(self.count))
    }

    /// Index of `addr` in this pool, if it is one of its candidates.
    pub fn offset_of(&self, addr: u128) -> Option<u64> {
        let d = addr.checked_sub(self.first)?;
        if d & ((1u128 << self.shift) - 1) != 0 {
            return None;
        }
        let i = d >> self.shift;
        (i < self.count as u128).then_some(i as u64)
    }
}
