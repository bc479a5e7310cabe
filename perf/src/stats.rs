//! Counters and delay statistics per exchange, as perfdhcp keeps them, plus
//! an HDR histogram of delays for percentiles.

use hdrhistogram::Histogram;

use crate::scenario::Exchange;

/// Longest delay the histogram records; longer ones are clamped to it.
const MAX_DELAY_NS: u64 = 60_000_000_000;

/// Statistics of one exchange type.
pub struct ExchangeStats {
    /// Requests sent.
    pub sent: u64,
    /// Replies matched to a request sent.
    pub received: u64,
    /// Requests unanswered after the drop time (`-d`).
    pub timed_out: u64,
    /// Replies matching no outstanding request (duplicate, late, unknown).
    pub orphans: u64,
    /// Replies refusing the lease (NAK, no address, error status).
    pub rejected: u64,
    min_ns: u64,
    max_ns: u64,
    sum_s: f64,
    sum_sq_s: f64,
    hist: Histogram<u64>,
}

impl Default for ExchangeStats {
    fn default() -> Self {
        ExchangeStats {
            sent: 0,
            received: 0,
            timed_out: 0,
            orphans: 0,
            rejected: 0,
            min_ns: u64::MAX,
            max_ns: 0,
            sum_s: 0.0,
            sum_sq_s: 0.0,
            // Allocated once with its bounds; recording never resizes.
            hist: Histogram::new_with_bounds(1, MAX_DELAY_NS, 3).expect("valid histogram bounds"),
        }
    }
}

impl ExchangeStats {
    /// Counts a matched reply that took `delay_ns`.
    #[inline]
    pub fn record(&mut self, delay_ns: u64) {
        let d = delay_ns.clamp(1, MAX_DELAY_NS);
        self.received += 1;
        self.min_ns = self.min_ns.min(d);
        self.max_ns = self.max_ns.max(d);
        let s = d as f64 * 1e-9;
        self.sum_s += s;
        self.sum_sq_s += s * s;
        let _ = self.hist.record(d);
    }

    /// perfdhcp's drops: requests sent and not answered.
    pub fn drops(&self) -> u64 {
        self.counts().drops()
    }

    /// Drops as a percentage of requests sent (NaN when none was sent).
    pub fn drops_ratio(&self) -> f64 {
        self.counts().drops_ratio()
    }

    /// The counters exit conditions and periodic reports read.
    pub fn counts(&self) -> Counts {
        Counts {
            sent: self.sent,
            received: self.received,
            rejected: self.rejected,
        }
    }

    /// Adds the counts and delays of `other` (another thread's share).
    pub fn merge(&mut self, other: &ExchangeStats) {
        self.sent += other.sent;
        self.received += other.received;
        self.timed_out += other.timed_out;
        self.orphans += other.orphans;
        self.rejected += other.rejected;
        self.min_ns = self.min_ns.min(other.min_ns);
        self.max_ns = self.max_ns.max(other.max_ns);
        self.sum_s += other.sum_s;
        self.sum_sq_s += other.sum_sq_s;
        // Same bounds on both sides, so adding cannot fail.
        let _ = self.hist.add(&other.hist);
    }

    /// Delay summary in milliseconds, `None` when nothing was received.
    pub fn delays(&self) -> Option<Delays> {
        if self.received == 0 {
            return None;
        }
        let n = self.received as f64;
        let avg = self.sum_s / n;
        let var = (self.sum_sq_s / n - avg * avg).max(0.0);
        let pct = |q: f64| self.hist.value_at_quantile(q) as f64 / 1e6;
        Some(Delays {
            min_ms: self.min_ns as f64 / 1e6,
            avg_ms: avg * 1e3,
            max_ms: self.max_ns as f64 / 1e6,
            std_ms: var.sqrt() * 1e3,
            p50_ms: pct(0.50),
            p90_ms: pct(0.90),
            p99_ms: pct(0.99),
            p999_ms: pct(0.999),
        })
    }
}

/// What one exchange's exit conditions and periodic report look at: few
/// enough numbers for generator threads to publish to each other.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Requests sent.
    pub sent: u64,
    /// Replies matched.
    pub received: u64,
    /// Replies refusing the lease.
    pub rejected: u64,
}

impl Counts {
    /// perfdhcp's drops: requests sent and not answered.
    pub fn drops(&self) -> u64 {
        self.sent.saturating_sub(self.received)
    }

    /// Drops as a percentage of requests sent (NaN when none was sent).
    pub fn drops_ratio(&self) -> f64 {
        100.0 * self.drops() as f64 / self.sent as f64
    }
}

/// Delay summary of one exchange, in milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Delays {
    /// Shortest delay.
    pub min_ms: f64,
    /// Mean delay.
    pub avg_ms: f64,
    /// Longest delay.
    pub max_ms: f64,
    /// Population standard deviation, as perfdhcp computes it.
    pub std_ms: f64,
    /// Median.
    pub p50_ms: f64,
    /// 90th percentile.
    pub p90_ms: f64,
    /// 99th percentile.
    pub p99_ms: f64,
    /// 99.9th percentile.
    pub p999_ms: f64,
}

/// Everything a run counts.
#[derive(Default)]
pub struct Stats {
    /// Per exchange, indexed by `Exchange as usize`.
    pub exchanges: [ExchangeStats; 4],
    /// Datagrams that were not a readable DHCP reply.
    pub malformed: u64,
    /// Sends refused by the local system (e.g. a full socket buffer).
    pub local_limit: u64,
}

impl Stats {
    /// The statistics of `e`.
    #[inline]
    pub fn of(&mut self, e: Exchange) -> &mut ExchangeStats {
        &mut self.exchanges[e as usize]
    }

    /// Read-only statistics of `e`.
    pub fn get(&self, e: Exchange) -> &ExchangeStats {
        &self.exchanges[e as usize]
    }

    /// Adds another thread's statistics.
    pub fn merge(&mut self, other: &Stats) {
        for (mine, theirs) in self.exchanges.iter_mut().zip(&other.exchanges) {
            mine.merge(theirs);
        }
        self.malformed += other.malformed;
        self.local_limit += other.local_limit;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_and_drops_follow_perfdhcp_definitions() {
        let mut s = ExchangeStats::default();
        assert!(s.delays().is_none());
        s.sent = 4;
        for ms in [1, 2, 3] {
            s.record(ms * 1_000_000);
        }
        assert_eq!(s.drops(), 1);
        assert_eq!(s.drops_ratio(), 25.0);
        let d = s.delays().unwrap();
        assert_eq!((d.min_ms, d.max_ms), (1.0, 3.0));
        assert!((d.avg_ms - 2.0).abs() < 1e-9);
        assert!((d.std_ms - (2.0f64 / 3.0).sqrt()).abs() < 1e-9);
        assert!((d.p50_ms - 2.0).abs() < 0.01);
    }

    #[test]
    fn merged_shares_add_up() {
        let (mut a, mut b) = (ExchangeStats::default(), ExchangeStats::default());
        (a.sent, b.sent) = (2, 3);
        a.record(1_000_000);
        b.record(3_000_000);
        b.record(5_000_000);
        a.merge(&b);
        assert_eq!((a.sent, a.received, a.drops()), (5, 3, 2));
        let d = a.delays().unwrap();
        assert_eq!((d.min_ms, d.max_ms), (1.0, 5.0));
        assert!((d.avg_ms - 3.0).abs() < 1e-9);
        assert!((d.p50_ms - 3.0).abs() < 0.01);
    }
}
