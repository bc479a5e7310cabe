//! Where a subnet allocated last: Kea's iterative allocator is
//! subnet-wide, it goes on from the pool the subnet handed an address out
//! of last, and a shared network starts from the subnet that allocated
//! most recently.
//!
//! Shared by the workers through atomics: a race only changes which free
//! address a client is offered, never lets two clients claim one (the
//! lease store decides that).

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

/// No pool yet.
const NONE: usize = usize::MAX;

/// One kind of pool (addresses, or delegated prefixes) of one subnet.
#[derive(Debug)]
pub struct LastPool {
    /// Index of the pool allocated from last ([`NONE`] before any).
    pool: AtomicUsize,
    /// When the subnet allocated last, on a scale only compared between
    /// the subnets of one shared network (0: never).
    stamp: AtomicU64,
}

impl Default for LastPool {
    fn default() -> Self {
        LastPool::starting_at(None)
    }
}

impl LastPool {
    /// A subnet whose allocator starts at pool `pool` (by default the
    /// first pool the client may use). Kea starts at the pool holding the
    /// subnet's last address, when one does.
    pub fn starting_at(pool: Option<usize>) -> LastPool {
        LastPool {
            pool: AtomicUsize::new(pool.unwrap_or(NONE)),
            stamp: AtomicU64::new(0),
        }
    }

    /// The index of the pool allocated from last, if any.
    pub fn get(&self) -> Option<usize> {
        Some(self.pool.load(Ordering::Relaxed)).filter(|&i| i != NONE)
    }

    /// Notes an allocation from pool `i`.
    pub fn set(&self, i: usize) {
        self.pool.store(i, Ordering::Relaxed);
    }

    /// When the subnet allocated last (0: never).
    pub fn stamp(&self) -> u64 {
        self.stamp.load(Ordering::Relaxed)
    }

    /// Notes that the subnet allocated at `stamp`.
    pub fn mark(&self, stamp: u64) {
        self.stamp.store(stamp, Ordering::Relaxed);
    }

    /// The first of the `n` pools where Kea's allocator starts for a
    /// client that may use the pools `admitted` says: the pool allocated
    /// from last when the client may use it, else the first it may use.
    pub fn start(&self, n: usize, admitted: impl Fn(usize) -> bool) -> Option<usize> {
        let first = (0..n).find(|&i| admitted(i))?;
        Some(
            self.get()
                .filter(|&i| i < n && admitted(i))
                .unwrap_or(first),
        )
    }

    /// The pools a client may use, from [`LastPool::start`] to the last,
    /// then those before: the order pools are tried in.
    pub fn order(&self, n: usize, admitted: impl Fn(usize) -> bool) -> impl Iterator<Item = usize> {
        let start = self.start(n, &admitted).unwrap_or(n);
        (start..n).chain(0..start).filter(move |&i| admitted(i))
    }
}

/// A subnet's [`LastPool`] for addresses and for delegated prefixes.
#[derive(Debug, Default)]
pub struct LastPools {
    addresses: LastPool,
    prefixes: LastPool,
}

impl LastPools {
    /// A subnet whose address allocator starts at pool `addresses` (see
    /// [`LastPool::starting_at`]).
    pub fn starting_at(addresses: Option<usize>) -> LastPools {
        LastPools {
            addresses: LastPool::starting_at(addresses),
            prefixes: LastPool::default(),
        }
    }

    /// The state of the pd-pools (with `prefixes`) or the address pools.
    pub fn of(&self, prefixes: bool) -> &LastPool {
        if prefixes {
            &self.prefixes
        } else {
            &self.addresses
        }
    }
}
