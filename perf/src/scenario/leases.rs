//! Leases kept for `-f`/`-F`: a fixed ring of fixed-size records, allocated
//! once, so keeping or renewing a lease costs no allocation.

/// Bytes of protocol data a kept lease may hold (v6: server DUID and IAs).
pub const LEASE_DATA: usize = 320;

/// One kept lease: the client and opaque protocol bytes.
#[derive(Clone, Copy)]
pub struct Lease {
    /// Client number.
    pub client: u32,
    /// Length of `data` in use.
    pub len: u16,
    /// Protocol-defined content.
    pub data: [u8; LEASE_DATA],
}

/// A FIFO of leases: renew takes the oldest and puts it back at the end,
/// release takes the oldest for good; when full, the oldest is forgotten.
pub struct LeaseRing {
    slots: Vec<Lease>,
    head: usize,
    len: usize,
}

impl LeaseRing {
    /// A ring holding up to `capacity` leases (at least one).
    pub fn new(capacity: usize) -> Self {
        let empty = Lease {
            client: 0,
            len: 0,
            data: [0; LEASE_DATA],
        };
        LeaseRing {
            slots: vec![empty; capacity.max(1)],
            head: 0,
            len: 0,
        }
    }

    /// Number of leases kept.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether no lease is kept.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Appends a lease; `fill` writes its data and returns the length used.
    pub fn push(&mut self, client: u32, fill: impl FnOnce(&mut [u8; LEASE_DATA]) -> usize) {
        let cap = self.slots.len();
        if self.len == cap {
            self.head = (self.head + 1) % cap;
            self.len -= 1;
        }
        let slot = &mut self.slots[(self.head + self.len) % cap];
        slot.client = client;
        slot.len = fill(&mut slot.data).min(LEASE_DATA) as u16;
        self.len += 1;
    }

    /// The oldest lease, moved to the back of the ring (for a renewal).
    pub fn rotate(&mut self) -> Option<&Lease> {
        if self.len == 0 {
            return None;
        }
        let cap = self.slots.len();
        let from = self.head;
        let to = (self.head + self.len) % cap;
        self.head = (self.head + 1) % cap;
        if from != to {
            self.slots.swap(from, to);
        }
        Some(&self.slots[to])
    }

    /// Removes and returns the oldest lease (for a release).
    pub fn pop(&mut self) -> Option<&Lease> {
        if self.len == 0 {
            return None;
        }
        let at = self.head;
        self.head = (self.head + 1) % self.slots.len();
        self.len -= 1;
        Some(&self.slots[at])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rotate_cycles_pop_removes_and_full_ring_forgets_oldest() {
        let mut r = LeaseRing::new(3);
        for c in 0..4 {
            r.push(c, |d| {
                d[0] = c as u8;
                1
            });
        }
        assert_eq!(r.len(), 3);
        assert_eq!(r.rotate().map(|l| l.client), Some(1));
        assert_eq!(r.rotate().map(|l| l.client), Some(2));
        assert_eq!(r.pop().map(|l| (l.client, l.data[0])), Some((3, 3)));
        assert_eq!(r.pop().map(|l| l.client), Some(1));
        assert_eq!(r.pop().map(|l| l.client), Some(2));
        assert!(r.pop().is_none() && r.is_empty());
    }
}
