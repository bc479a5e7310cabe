//! Kea's statistics, counted per worker.
//!
//! Every worker owns its counters: packet counters ([`Counters4`],
//! [`Counters6`]), per-subnet and per-pool counters ([`Scopes`]) and a
//! latency histogram ([`Latency`]). Each lives on cache lines only that
//! worker writes, so counting is a relaxed add that never contends; readers
//! (the control API, `/metrics`) sum all workers' lines when asked and never
//! write them (resets are baselines kept by the reader).

mod latency;
mod scope;
mod v4;
mod v6;

use std::sync::atomic::{AtomicU64, Ordering};

pub use latency::{Histogram, Latency, LATENCY_BOUNDS_US};
pub use scope::{ScopeStat, Scopes, SCOPE_STATS};
pub use v4::{Counters4, Stat4};
pub use v6::{Counters6, Stat6};

/// `N` counters on cache lines of their own, written by one thread.
#[derive(Debug)]
#[repr(align(64))]
pub struct Line<const N: usize> {
    values: [AtomicU64; N],
}

impl<const N: usize> Default for Line<N> {
    fn default() -> Self {
        Line {
            values: std::array::from_fn(|_| AtomicU64::new(0)),
        }
    }
}

impl<const N: usize> Line<N> {
    /// Adds `n` to counter `i` (ignored when out of range).
    pub fn add(&self, i: usize, n: u64) {
        if let Some(v) = self.values.get(i) {
            // One writer per line: a relaxed add never contends.
            v.fetch_add(n, Ordering::Relaxed);
        }
    }

    /// Current values.
    pub fn values(&self) -> [u64; N] {
        std::array::from_fn(|i| self.values[i].load(Ordering::Relaxed))
    }
}

/// The element-wise sum of several workers' values.
pub fn sum<const N: usize>(lines: impl IntoIterator<Item = [u64; N]>) -> [u64; N] {
    let mut total = [0u64; N];
    for line in lines {
        for (t, v) in total.iter_mut().zip(line) {
            *t += v;
        }
    }
    total
}

/// Everything one worker counts for one DHCP version: its packets and its
/// subnets' and pools' counters.
#[derive(Debug, Default)]
pub struct WorkerStats<C> {
    /// Kea's `pkt4-*` or `pkt6-*` counters.
    pub packets: C,
    /// Per-subnet and per-pool counters, sized from the configuration.
    pub scopes: Scopes,
}

/// A worker's DHCPv4 statistics.
pub type Stats4 = WorkerStats<Counters4>;
/// A worker's DHCPv6 statistics.
pub type Stats6 = WorkerStats<Counters6>;
