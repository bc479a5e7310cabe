//! Rate pacing by elapsed time: at any instant the number of messages due is
//! `elapsed × rate` minus those already sent, so a late loop catches up in a
//! burst and an early one sends nothing (no drift, no per-packet timers).

/// Paces one kind of message at a fixed rate.
pub struct Pacer {
    rate: u64,
    sent: u64,
}

impl Pacer {
    /// `rate` per second; 0 means unpaced.
    pub fn new(rate: u64) -> Self {
        Pacer { rate, sent: 0 }
    }

    /// How many messages are due at `now_ns` since the start, at most `cap`.
    #[inline]
    pub fn due(&self, now_ns: u64, cap: u64) -> u64 {
        if self.rate == 0 {
            return cap;
        }
        let allowed = (now_ns as u128 * self.rate as u128 / 1_000_000_000) as u64 + 1;
        allowed.saturating_sub(self.sent).min(cap)
    }

    /// Counts `n` messages sent.
    #[inline]
    pub fn sent(&mut self, n: u64) {
        self.sent += n;
    }

    /// When the next message falls due (ns since the start); `None` if unpaced.
    pub fn next_due_ns(&self) -> Option<u64> {
        (self.rate > 0).then(|| (self.sent as u128 * 1_000_000_000 / self.rate as u128) as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn due_follows_elapsed_time() {
        let mut p = Pacer::new(1000);
        assert_eq!(p.due(0, 64), 1);
        p.sent(1);
        assert_eq!(p.due(500_000, 64), 0);
        assert_eq!(p.next_due_ns(), Some(1_000_000));
        assert_eq!(p.due(10_000_000, 64), 10);
        assert_eq!(p.due(1_000_000_000, 64), 64);
        assert_eq!(Pacer::new(0).due(0, 64), 64);
    }
}
