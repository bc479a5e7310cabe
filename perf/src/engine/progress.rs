//! Counters the generator threads publish to each other, so `-D` and the
//! periodic report (`-t`) are about the whole run, not one thread's share.
//!
//! Each thread owns one cache line of relaxed atomics and overwrites it
//! once per loop; readers sum the lines. A total may be a loop behind,
//! which perfdhcp's own counters (sampled between batches) are as well.

use std::sync::atomic::{AtomicU64, Ordering};

use crate::scenario::Exchange;
use crate::stats::{Counts, Stats};

/// Sent, received and rejected of the two counted exchanges.
#[derive(Default)]
#[repr(align(64))]
struct Slot([AtomicU64; 6]);

/// One slot per generator thread.
pub struct Progress {
    slots: Box<[Slot]>,
}

impl Progress {
    /// Slots for `threads` threads.
    pub fn new(threads: usize) -> Progress {
        Progress {
            slots: (0..threads.max(1)).map(|_| Slot::default()).collect(),
        }
    }

    /// Publishes `thread`'s counters.
    #[inline]
    pub fn publish(&self, thread: usize, stats: &Stats) {
        let slot = &self.slots[thread].0;
        for (i, e) in [Exchange::First, Exchange::Second].into_iter().enumerate() {
            let s = stats.get(e);
            slot[3 * i].store(s.sent, Ordering::Relaxed);
            slot[3 * i + 1].store(s.received, Ordering::Relaxed);
            slot[3 * i + 2].store(s.rejected, Ordering::Relaxed);
        }
    }

    /// The sums over all threads, first exchange then second.
    #[inline]
    pub fn totals(&self) -> [Counts; 2] {
        let mut t = [Counts::default(); 2];
        for slot in self.slots.iter() {
            for (i, c) in t.iter_mut().enumerate() {
                c.sent += slot.0[3 * i].load(Ordering::Relaxed);
                c.received += slot.0[3 * i + 1].load(Ordering::Relaxed);
                c.rejected += slot.0[3 * i + 2].load(Ordering::Relaxed);
            }
        }
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn totals_sum_every_thread() {
        let p = Progress::new(2);
        let mut s = Stats::default();
        s.of(Exchange::First).sent = 5;
        s.of(Exchange::Second).rejected = 1;
        p.publish(0, &s);
        s.of(Exchange::First).received = 4;
        p.publish(1, &s);
        let [a, b] = p.totals();
        assert_eq!((a.sent, a.received, b.rejected), (10, 4, 2));
    }
}
