//! Address and prefix allocators, one per pool (Kea's `allocator` and
//! `pd-allocator`: `iterative`, `random`, `flq`).
//!
//! An allocator only proposes candidates; the lease store claims one under
//! its shard lock, so two workers racing for the same candidate cannot both
//! win and the allocator itself needs no lock (an atomic cursor, or a
//! lock-free queue for `flq`).

pub mod last;
pub mod permute;
pub mod pool;
pub mod walk;

use std::sync::atomic::{AtomicU64, Ordering};

use crossbeam::queue::ArrayQueue;

pub use last::{LastPool, LastPools};
pub use pool::Pool;
pub use walk::Walk;

/// Allocation strategy.
#[derive(Clone, Copy, Debug, PartialEq, Eq, rkyv::Archive, rkyv::Serialize, rkyv::Deserialize)]
pub enum AllocatorKind {
    /// Walks the pool in order, wrapping around (Kea's default).
    Iterative,
    /// Visits every address once per cycle in a pseudo-random order.
    Random,
    /// Hands out addresses from a queue of free ones (Kea's `flq`).
    FreeLeaseQueue,
}

impl AllocatorKind {
    /// Parses Kea's `allocator` / `pd-allocator` value.
    pub fn from_kea(s: &str) -> Option<Self> {
        Some(match s {
            "iterative" => AllocatorKind::Iterative,
            "random" => AllocatorKind::Random,
            "flq" => AllocatorKind::FreeLeaseQueue,
            _ => return None,
        })
    }
}

/// Largest pool a free-lease queue is built for (16 Mi addresses).
pub const FLQ_MAX: u64 = 1 << 24;

/// The iterative cursor's bit saying the pool is not spent.
const LIVE: u64 = 1;
/// One offset, in the iterative cursor.
const STEP: u64 = 2;

/// Candidate source for one pool.
pub struct Allocator {
    pool: Pool,
    kind: AllocatorKind,
    /// `iterative`: Kea's per-pool state, the offset to hand out next
    /// shifted left by one, with the low bit ([`LIVE`]) set until the pool
    /// is spent. `random`: how many candidates were drawn.
    cursor: AtomicU64,
    seed: u64,
    queue: Option<ArrayQueue<u64>>,
}

impl Allocator {
    /// An allocator over `pool`. A `flq` allocator starts with every
    /// address queued; call [`Allocator::fill_free`] to match existing leases.
    pub fn new(pool: Pool, kind: AllocatorKind) -> Self {
        // A queue needs 8 bytes per address: past FLQ_MAX (v6 ranges) fall
        // back to `random`, which needs no memory per address.
        let kind = if kind == AllocatorKind::FreeLeaseQueue && pool.count > FLQ_MAX {
            tracing::warn!(
                addresses = pool.count,
                "pool too large for the flq allocator; using random"
            );
            AllocatorKind::Random
        } else {
            kind
        };
        let queue = (kind == AllocatorKind::FreeLeaseQueue).then(|| {
            // The queue needs one slot per address: flq is for small pools,
            // as in Kea.
            let q = ArrayQueue::new(pool.count.max(1) as usize);
            for i in 0..pool.count {
                let _ = q.push(i);
            }
            q
        });
        Allocator {
            pool,
            kind,
            cursor: AtomicU64::new(if kind == AllocatorKind::Iterative {
                LIVE
            } else {
                0
            }),
            seed: 0x9e37_79b9_7f4a_7c15,
            queue,
        }
    }

    /// The pool.
    pub fn pool(&self) -> &Pool {
        &self.pool
    }

    /// The strategy.
    pub fn kind(&self) -> AllocatorKind {
        self.kind
    }

    /// How many candidates to try before declaring the pool exhausted.
    pub fn attempts(&self) -> u64 {
        match &self.queue {
            Some(q) => q.len() as u64,
            None => self.pool.count,
        }
    }

    /// Next candidate address (as an integer), or `None` (flq empty).
    pub fn next(&self) -> Option<u128> {
        let n = self.pool.count;
        let off = match self.kind {
            // In order, from the first again after the last.
            AllocatorKind::Iterative => return Some(self.step().unwrap_or_else(|| self.restart())),
            AllocatorKind::Random => loop {
                let c = self.cursor.fetch_add(1, Ordering::Relaxed);
                if let Some(o) = permute::nth(c, n, self.seed) {
                    break o;
                }
            },
            AllocatorKind::FreeLeaseQueue => self.queue.as_ref()?.pop()?,
        };
        Some(self.pool.nth(off))
    }

    /// Kea's iterative step inside the pool: the first address of a fresh
    /// pool, else the one after the address handed out last. `None` at
    /// the pool's end, which leaves the pool spent (skipped by
    /// [`Allocator::step`] until [`Allocator::rewind`]), and for a pool
    /// already spent.
    pub fn step(&self) -> Option<u128> {
        // One add in the common case, where workers allocating from the
        // same pool would otherwise retry a compare-and-swap against each
        // other (10-15% of an allocation in the lease bench). The add never
        // touches the live bit, so a spent pool stays spent.
        let before = self.cursor.fetch_add(STEP, Ordering::Relaxed);
        let next = before >> 1;
        if before & LIVE == 0 {
            return None;
        }
        if next < self.pool.count {
            return Some(self.pool.nth(next));
        }
        // Past the end: spend the pool, unless a rewind came in between.
        let mut now = before + STEP;
        while now & LIVE == LIVE && now >> 1 >= self.pool.count {
            match self.cursor.compare_exchange_weak(
                now,
                now & !LIVE,
                Ordering::Relaxed,
                Ordering::Relaxed,
            ) {
                Ok(_) => break,
                Err(seen) => now = seen,
            }
        }
        None
    }

    /// Makes the pool fresh again: [`Allocator::step`] starts over from
    /// its first address (Kea's rewind after the last pool).
    pub fn rewind(&self) {
        self.cursor.store(LIVE, Ordering::Relaxed);
    }

    /// Hands out the pool's first address, as the first step of a fresh
    /// pool does.
    pub fn restart(&self) -> u128 {
        self.cursor.store(STEP | LIVE, Ordering::Relaxed);
        self.pool.nth(0)
    }

    /// Tells a `flq` allocator that `addr` is free again (no-op otherwise).
    pub fn give_back(&self, addr: u128) {
        if let (Some(q), Some(off)) = (&self.queue, self.pool.offset_of(addr)) {
            let _ = q.push(off);
        }
    }

    /// Rebuilds a `flq` queue with the addresses for which `is_free` holds.
    pub fn fill_free(&self, is_free: impl Fn(u128) -> bool) {
        if let Some(q) = &self.queue {
            while q.pop().is_some() {}
            for i in 0..self.pool.count {
                if is_free(self.pool.nth(i)) {
                    let _ = q.push(i);
                }
            }
        }
    }
}
