//! One worker's response latency histogram: fixed buckets on one cache
//! line, counted per batch (every message of a batch waited as long as the
//! batch took), so the cost is two clock reads per batch and no allocation.

use super::Line;

/// Upper bounds of the buckets, in microseconds (the last bucket, +Inf,
/// is implicit).
pub const LATENCY_BOUNDS_US: [u64; 12] = [
    10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 50_000, 250_000,
];

/// Buckets (not cumulative), then +Inf, then the message count and the
/// sum of latencies in microseconds.
const SLOTS: usize = LATENCY_BOUNDS_US.len() + 3;

/// A latency histogram written by one worker.
#[derive(Debug, Default)]
pub struct Latency {
    line: Line<SLOTS>,
}

/// A histogram read from one or more workers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct Histogram {
    /// Messages per bucket, `LATENCY_BOUNDS_US` order then +Inf (not cumulative).
    pub buckets: [u64; LATENCY_BOUNDS_US.len() + 1],
    /// Messages observed.
    pub count: u64,
    /// Sum of their latencies, microseconds.
    pub sum_us: u64,
}

impl Latency {
    /// Records `messages` answered in a batch that took `us` microseconds.
    pub fn observe(&self, us: u64, messages: u64) {
        let bucket = LATENCY_BOUNDS_US
            .iter()
            .position(|&b| us <= b)
            .unwrap_or(LATENCY_BOUNDS_US.len());
        self.line.add(bucket, messages);
        self.line.add(SLOTS - 2, messages);
        self.line.add(SLOTS - 1, us.saturating_mul(messages));
    }

    /// The histogram so far.
    pub fn read(&self) -> Histogram {
        let v = self.line.values();
        let mut h = Histogram {
            count: v[SLOTS - 2],
            sum_us: v[SLOTS - 1],
            ..Histogram::default()
        };
        h.buckets.copy_from_slice(&v[..SLOTS - 2]);
        h
    }
}

impl Histogram {
    /// Adds another worker's histogram.
    pub fn add(&mut self, o: &Histogram) {
        for (a, b) in self.buckets.iter_mut().zip(o.buckets) {
            *a += b;
        }
        self.count += o.count;
        self.sum_us += o.sum_us;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_batch_lands_in_the_first_bucket_that_holds_it() {
        let l = Latency::default();
        l.observe(10, 3);
        l.observe(11, 1);
        l.observe(1_000_000, 2);
        let h = l.read();
        assert_eq!(h.buckets[0], 3);
        assert_eq!(h.buckets[1], 1);
        assert_eq!(h.buckets[LATENCY_BOUNDS_US.len()], 2);
        assert_eq!(h.count, 6);
        assert_eq!(h.sum_us, 30 + 11 + 2_000_000);
    }
}
