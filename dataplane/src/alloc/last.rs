//! Where a subnet allocated last: Kea's iterative allocator is
//! subnet-wide, it goes on from the pool the subnet handed an address out
//! of last, and a shared network starts from the subnet that allocated
//! most recently.
//!
//! Shared by the workers through atomics: a race only changes which free
//! address a client is offered, never lets two clients claim one (the
//! lease store decides that).

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use super::Pool;

/// No pool yet.
const NONE: usize = usize::MAX;

/// One kind of pool (addresses, or delegated prefixes) of one subnet.
/// Kea keeps a subnet's pools sorted by their first address and walks
/// them in that order; the state speaks of *positions* in that order
/// ([`LastPool::pool_at`] turns one into the pool's index in the
/// configuration).
#[derive(Debug)]
pub struct LastPool {
    /// The pools' indexes by first address (empty: configuration order).
    order: Box<[usize]>,
    /// Position of the pool allocated from last ([`NONE`] before any).
    pool: AtomicUsize,
    /// When the subnet allocated last, on a scale only compared between
    /// the subnets of one shared network (0: never).
    stamp: AtomicU64,
}

impl Default for LastPool {
    /// Pools walked in configuration order from the first the client may
    /// use.
    fn default() -> Self {
        LastPool {
            order: Box::default(),
            pool: AtomicUsize::new(NONE),
            stamp: AtomicU64::new(0),
        }
    }
}

impl LastPool {
    /// The state of a subnet's `pools` (in configuration order) before
    /// any allocation: they are walked by first address, starting in the
    /// pool whose range holds `last`, the subnet's last address, as Kea's
    /// allocator starts there (else in the first pool the client may use).
    pub fn new<'a>(pools: impl Iterator<Item = &'a Pool>, last: u128) -> LastPool {
        let pools: Vec<&Pool> = pools.collect();
        let mut order: Vec<usize> = (0..pools.len()).collect();
        order.sort_by_key(|&i| pools[i].first);
        let start = order.iter().position(|&i| pools[i].covers(last));
        LastPool {
            order: order.into(),
            pool: AtomicUsize::new(start.unwrap_or(NONE)),
            stamp: AtomicU64::new(0),
        }
    }

    /// The index in the configuration of the pool at position `k`.
    pub fn pool_at(&self, k: usize) -> usize {
        self.order.get(k).copied().unwrap_or(k)
    }

    /// The position of the pool allocated from last, if any.
    pub fn get(&self) -> Option<usize> {
        Some(self.pool.load(Ordering::Relaxed)).filter(|&i| i != NONE)
    }

    /// Notes an allocation from the pool at position `i`.
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

    /// The position among `n` pools where Kea's allocator starts for a
    /// client that may use the positions `admitted` says: the pool
    /// allocated from last when the client may use it, else the first it
    /// may use.
    pub fn start(&self, n: usize, admitted: impl Fn(usize) -> bool) -> Option<usize> {
        let first = (0..n).find(|&i| admitted(i))?;
        Some(
            self.get()
                .filter(|&i| i < n && admitted(i))
                .unwrap_or(first),
        )
    }
}

/// A subnet's [`LastPool`] for addresses and for delegated prefixes.
#[derive(Debug, Default)]
pub struct LastPools {
    addresses: LastPool,
    prefixes: LastPool,
}

impl LastPools {
    /// The state of a subnet's address pools and pd-pools (in
    /// configuration order) whose prefix ends at `last` (see
    /// [`LastPool::new`]).
    pub fn new<'a>(
        addresses: impl Iterator<Item = &'a Pool>,
        prefixes: impl Iterator<Item = &'a Pool>,
        last: u128,
    ) -> LastPools {
        LastPools {
            addresses: LastPool::new(addresses, last),
            prefixes: LastPool::new(prefixes, last),
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
