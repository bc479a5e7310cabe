//! Outstanding requests, found by transaction id in O(1).
//!
//! Transaction ids are handed out in sequence, so the table is a ring in
//! send order: a reply finds its slot by masking its xid, and expiry only
//! ever looks at the oldest slot.

use crate::scenario::Exchange;

#[derive(Clone, Copy)]
struct Entry {
    xid: u32,
    client: u32,
    sent_ns: u64,
    /// `Exchange as u8 + 1`; 0 when free.
    state: u8,
}

/// What a reply matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Matched {
    /// The exchange the request belonged to.
    pub exchange: Exchange,
    /// The client that sent it.
    pub client: u32,
    /// When it was sent.
    pub sent_ns: u64,
}

/// The ring of outstanding requests.
pub struct XidTable {
    entries: Vec<Entry>,
    mask: u64,
    xid_mask: u32,
    next: u64,
    oldest: u64,
}

impl XidTable {
    /// A table for at least `capacity` requests in flight, with transaction
    /// ids `xid_bits` wide, the first one derived from `start`.
    pub fn new(capacity: usize, xid_bits: u32, start: u64) -> Self {
        let cap = capacity.next_power_of_two().clamp(1024, 1 << 24);
        let xid_mask = if xid_bits >= 32 {
            u32::MAX
        } else {
            (1 << xid_bits) - 1
        };
        let start = start & xid_mask as u64;
        XidTable {
            entries: vec![
                Entry {
                    xid: 0,
                    client: 0,
                    sent_ns: 0,
                    state: 0
                };
                cap
            ],
            mask: cap as u64 - 1,
            xid_mask,
            next: start,
            oldest: start,
        }
    }

    /// Records a request about to be sent and returns its transaction id.
    /// When the ring is full the oldest request is given up on and returned.
    #[inline]
    pub fn insert(
        &mut self,
        exchange: Exchange,
        client: u32,
        now_ns: u64,
    ) -> (u32, Option<Exchange>) {
        let seq = self.next;
        self.next += 1;
        let e = &mut self.entries[(seq & self.mask) as usize];
        let evicted = (e.state != 0).then(|| Exchange::ALL[e.state as usize - 1]);
        let xid = (seq as u32) & self.xid_mask;
        *e = Entry {
            xid,
            client,
            sent_ns: now_ns,
            state: exchange as u8 + 1,
        };
        if self.next - self.oldest > self.entries.len() as u64 {
            self.oldest = self.next - self.entries.len() as u64;
        }
        (xid, evicted)
    }

    /// Takes the outstanding request `xid` if it belongs to one of `accept`.
    #[inline]
    pub fn take(&mut self, xid: u32, accept: impl Fn(Exchange) -> bool) -> Option<Matched> {
        let e = &mut self.entries[(xid as u64 & self.mask) as usize];
        if e.state == 0 || e.xid != xid {
            return None;
        }
        let exchange = Exchange::ALL[e.state as usize - 1];
        if !accept(exchange) {
            return None;
        }
        e.state = 0;
        Some(Matched {
            exchange,
            client: e.client,
            sent_ns: e.sent_ns,
        })
    }

    /// Gives up on requests sent before `deadline_ns` of their exchange,
    /// oldest first, reporting each unanswered one's exchange to `lost`.
    #[inline]
    pub fn expire(
        &mut self,
        deadline_ns: impl Fn(Exchange) -> u64,
        mut lost: impl FnMut(Exchange),
    ) {
        while self.oldest < self.next {
            let e = &mut self.entries[(self.oldest & self.mask) as usize];
            if e.state != 0 {
                let exchange = Exchange::ALL[e.state as usize - 1];
                if e.sent_ns >= deadline_ns(exchange) {
                    return;
                }
                lost(exchange);
                e.state = 0;
            }
            self.oldest += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replies_match_once_and_old_requests_expire() {
        let mut t = XidTable::new(1024, 24, 0xff_fffe);
        let (a, _) = t.insert(Exchange::First, 7, 100);
        let (b, _) = t.insert(Exchange::Second, 8, 200);
        assert_eq!((a, b), (0xff_fffe, 0xff_ffff));
        assert!(t.take(b, |e| e == Exchange::First).is_none());
        let m = t.take(b, |e| e != Exchange::First).unwrap();
        assert_eq!(
            (m.exchange, m.client, m.sent_ns),
            (Exchange::Second, 8, 200)
        );
        assert!(t.take(b, |_| true).is_none(), "a duplicate is an orphan");
        let mut lost = Vec::new();
        t.expire(|_| 150, |e| lost.push(e));
        assert_eq!(lost, vec![Exchange::First]);
        assert!(t.take(a, |_| true).is_none(), "a late reply is an orphan");
    }

    #[test]
    fn a_full_ring_evicts_the_oldest() {
        let mut t = XidTable::new(1024, 32, 0);
        for i in 0..1024 {
            assert_eq!(t.insert(Exchange::First, i, 0).1, None);
        }
        assert_eq!(t.insert(Exchange::First, 0, 0).1, Some(Exchange::First));
    }
}
