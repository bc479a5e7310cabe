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
pub use scope::{PoolKey, ScopeLayout, ScopeStat, ScopeTotals, Scopes, SCOPE_STATS};
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::{v4, v6};

    #[test]
    fn packets_count_under_kea_rules_and_sum_over_workers() {
        let (a, b) = (Counters4::default(), Counters4::default());
        a.parse_failed();
        b.received(v4::MessageType::Other(200));
        b.sent(v4::MessageType::Ack);
        let total = sum([a.values(), b.values()]);
        let at = |s: Stat4| total[s as usize];
        assert_eq!(at(Stat4::Received), 2);
        assert_eq!(at(Stat4::ParseFailed), 1);
        assert_eq!(at(Stat4::ReceiveDrop), 1);
        assert_eq!(at(Stat4::UnknownReceived), 1);
        assert_eq!((at(Stat4::Sent), at(Stat4::AckSent)), (1, 1));
        let c = Counters6::default();
        c.received(v6::MessageType::InformationRequest);
        c.sent(v6::MessageType::Advertise);
        let v = c.values();
        assert_eq!(v[Stat6::InfRequestReceived as usize], 1);
        assert_eq!(v[Stat6::AdvertiseSent as usize], 1);
        assert_eq!(
            Counters6::NAMES[Stat6::Dhcpv4ResponseSent as usize],
            "pkt6-dhcpv4-response-sent"
        );
    }
}
