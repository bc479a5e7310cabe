//! One lock's worth of leases: a slab of records plus its indexes.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use super::index::MultiIndex;
use super::{addr_hash, Lease, LeaseState};
use crate::journal::frame::Op;
use crate::journal::{RecordKind, Segment};

/// Leases of one shard with indexes by address, hardware address, client
/// key, hostname and next-action time (expiry heap).
pub struct Shard<L: Lease> {
    slots: Vec<Option<L>>,
    free: Vec<u32>,
    by_addr: MultiIndex,
    by_hw: MultiIndex,
    by_client: MultiIndex,
    by_host: MultiIndex,
    /// Min-heap of `(time << 32) | slot`; stale entries are skipped lazily.
    expiry: BinaryHeap<Reverse<u64>>,
    expiry_cap: usize,
    /// `hold-reclaimed-time` used to time reclaimed leases' removal.
    pub(crate) hold: u32,
    /// This shard's journal, when persistence is on.
    pub(crate) journal: Option<Segment>,
    /// Last sequence number written.
    pub(crate) seq: u64,
}

impl<L: Lease> Shard<L> {
    /// A shard that holds `capacity` leases without allocating.
    pub fn with_capacity(capacity: usize) -> Self {
        // Stale entries (one per renewal) are dropped by a rebuild when full.
        let expiry_cap = capacity + capacity / 2 + 64;
        Shard {
            slots: Vec::with_capacity(capacity),
            free: Vec::with_capacity(capacity),
            by_addr: MultiIndex::with_capacity(capacity),
            by_hw: MultiIndex::with_capacity(capacity),
            by_client: MultiIndex::with_capacity(capacity),
            by_host: MultiIndex::with_capacity(capacity / 4),
            expiry: BinaryHeap::with_capacity(expiry_cap),
            expiry_cap,
            hold: 0,
            journal: None,
            seq: 0,
        }
    }

    /// Number of leases held.
    pub fn len(&self) -> usize {
        self.by_addr.len()
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Bytes of memory this shard holds (records, indexes, heap).
    pub fn heap_bytes(&self) -> usize {
        self.slots.capacity() * std::mem::size_of::<Option<L>>()
            + self.free.capacity() * 4
            + self.by_addr.heap_bytes()
            + self.by_hw.heap_bytes()
            + self.by_client.heap_bytes()
            + self.by_host.heap_bytes()
            + self.expiry.capacity() * 8
    }

    /// Slot holding `addr`.
    pub fn find(&self, addr: L::Addr) -> Option<u32> {
        self.by_addr
            .get(addr_hash::<L>(addr))
            .find(|&s| self.slot(s).addr() == addr)
    }

    /// The lease in a live slot.
    pub fn slot(&self, s: u32) -> &L {
        self.slots[s as usize].as_ref().expect("live slot")
    }

    /// The lease at `addr`.
    pub fn get(&self, addr: L::Addr) -> Option<&L> {
        self.find(addr).map(|s| self.slot(s))
    }

    /// Calls `f` for each lease whose hardware-address hash is `key`.
    pub fn each_by_hw(&self, key: u64, mut f: impl FnMut(&L)) {
        for s in self.by_hw.get(key) {
            let l = self.slot(s);
            if l.hw_key() == Some(key) {
                f(l)
            }
        }
    }

    /// Calls `f` for each lease whose client-key hash is `key`.
    pub fn each_by_client(&self, key: u64, mut f: impl FnMut(&L)) {
        for s in self.by_client.get(key) {
            let l = self.slot(s);
            if l.client_key() == Some(key) {
                f(l)
            }
        }
    }

    /// Calls `f` for each lease whose hostname hash is `key`.
    pub fn each_by_host(&self, key: u64, mut f: impl FnMut(&L)) {
        for s in self.by_host.get(key) {
            let l = self.slot(s);
            if l.host_key() == Some(key) {
                f(l)
            }
        }
    }

    /// Every live lease.
    pub fn iter(&self) -> impl Iterator<Item = &L> {
        self.slots.iter().filter_map(Option::as_ref)
    }

    /// Clones up to `n` leases from slot `from` on into `out`; returns the
    /// next slot to look at and whether the slab end was reached.
    pub fn copy_slots(&self, from: usize, n: usize, out: &mut Vec<L>) -> (usize, bool) {
        let mut i = from;
        while i < self.slots.len() && out.len() < n {
            if let Some(l) = &self.slots[i] {
                out.push(l.clone());
            }
            i += 1;
        }
        (i, i >= self.slots.len())
    }

    fn action_time(&self, l: &L) -> u64 {
        match l.state() {
            LeaseState::Default | LeaseState::Declined => l.expire(),
            LeaseState::ExpiredReclaimed | LeaseState::Released => l.expire() + self.hold as u64,
        }
    }

    fn push_expiry(&mut self, slot: u32, time: u64) {
        if self.expiry.len() >= self.expiry_cap {
            self.rebuild_expiry();
        }
        let t = time.min(u32::MAX as u64);
        self.expiry.push(Reverse(t << 32 | slot as u64));
    }

    /// Drops stale heap entries by rebuilding from the live leases
    /// (reuses the heap's memory).
    pub(crate) fn rebuild_expiry(&mut self) {
        let mut v = std::mem::take(&mut self.expiry).into_vec();
        v.clear();
        for (s, l) in self.slots.iter().enumerate() {
            if let Some(l) = l {
                let t = self.action_time(l).min(u32::MAX as u64);
                v.push(Reverse(t << 32 | s as u64));
            }
        }
        self.expiry = BinaryHeap::from(v);
        if self.expiry.len() >= self.expiry_cap {
            self.expiry_cap = self.expiry.len() * 2;
        }
    }

    /// Pops the next lease whose action time is `<= now`, skipping stale
    /// heap entries. Returns its slot.
    pub(crate) fn pop_due(&mut self, now: u64) -> Option<u32> {
        while let Some(&Reverse(e)) = self.expiry.peek() {
            let (t, s) = (e >> 32, e as u32);
            if t > now.min(u32::MAX as u64) {
                return None;
            }
            self.expiry.pop();
            if let Some(Some(l)) = self.slots.get(s as usize) {
                if self.action_time(l).min(u32::MAX as u64) == t {
                    return Some(s);
                }
            }
        }
        None
    }

    /// True when the heap's earliest entry is due (it may be stale).
    pub(crate) fn has_due(&self, now: u64) -> bool {
        self.expiry
            .peek()
            .is_some_and(|&Reverse(e)| e >> 32 <= now.min(u32::MAX as u64))
    }

    fn index(&mut self, s: u32, l: &L) {
        self.by_addr.insert(addr_hash::<L>(l.addr()), s);
        if let Some(k) = l.hw_key() {
            self.by_hw.insert(k, s);
        }
        if let Some(k) = l.client_key() {
            self.by_client.insert(k, s);
        }
        if let Some(k) = l.host_key() {
            self.by_host.insert(k, s);
        }
    }

    fn unindex_secondary(&mut self, s: u32, l: &L) {
        if let Some(k) = l.hw_key() {
            self.by_hw.remove(k, s);
        }
        if let Some(k) = l.client_key() {
            self.by_client.remove(k, s);
        }
        if let Some(k) = l.host_key() {
            self.by_host.remove(k, s);
        }
    }

    /// Inserts a lease whose address is not present; returns its slot.
    pub fn insert(&mut self, l: L) -> u32 {
        let s = match self.free.pop() {
            Some(s) => s,
            None => {
                self.slots.push(None);
                (self.slots.len() - 1) as u32
            }
        };
        self.index(s, &l);
        let t = self.action_time(&l);
        self.slots[s as usize] = Some(l);
        self.push_expiry(s, t);
        s
    }

    /// Replaces the lease in `s` (same address), re-indexing what changed.
    /// Returns the old lease.
    pub fn replace(&mut self, s: u32, l: L) -> L {
        let old = self.slots[s as usize].take().expect("live slot");
        debug_assert!(old.addr() == l.addr());
        if old.hw_key() != l.hw_key()
            || old.client_key() != l.client_key()
            || old.host_key() != l.host_key()
        {
            self.unindex_secondary(s, &old);
            if let Some(k) = l.hw_key() {
                self.by_hw.insert(k, s);
            }
            if let Some(k) = l.client_key() {
                self.by_client.insert(k, s);
            }
            if let Some(k) = l.host_key() {
                self.by_host.insert(k, s);
            }
        }
        let (t_old, t_new) = (self.action_time(&old), self.action_time(&l));
        self.slots[s as usize] = Some(l);
        if t_old != t_new {
            self.push_expiry(s, t_new);
        }
        old
    }

    /// Modifies the lease in `s` in place via `f`, re-indexing afterwards.
    pub fn modify(&mut self, s: u32, f: impl FnOnce(&mut L)) {
        let mut l = self.slots[s as usize].take().expect("live slot");
        let (hw, cid, host, t) = (
            l.hw_key(),
            l.client_key(),
            l.host_key(),
            self.action_time(&l),
        );
        f(&mut l);
        if hw != l.hw_key() || cid != l.client_key() || host != l.host_key() {
            for (old, new, ix) in [
                (hw, l.hw_key(), &mut self.by_hw),
                (cid, l.client_key(), &mut self.by_client),
                (host, l.host_key(), &mut self.by_host),
            ] {
                if old != new {
                    if let Some(k) = old {
                        ix.remove(k, s);
                    }
                    if let Some(k) = new {
                        ix.insert(k, s);
                    }
                }
            }
        }
        let t_new = self.action_time(&l);
        self.slots[s as usize] = Some(l);
        if t != t_new {
            self.push_expiry(s, t_new);
        }
    }

    /// Removes the lease in `s`.
    pub fn remove(&mut self, s: u32) -> L {
        let l = self.slots[s as usize].take().expect("live slot");
        self.by_addr.remove(addr_hash::<L>(l.addr()), s);
        self.unindex_secondary(s, &l);
        self.free.push(s);
        l
    }

    /// Appends the new image of the lease in `s` to the journal.
    pub(crate) fn log_upsert(&mut self, kind: RecordKind, s: u32) -> std::io::Result<u64> {
        self.seq += 1;
        let seq = self.seq;
        if let Some(j) = self.journal.as_mut() {
            let l = self.slots[s as usize].as_ref().expect("live slot");
            j.append(kind, Op::Upsert, seq, l.encoded_len(), |b| l.encode(b))?;
        }
        Ok(seq)
    }

    /// Appends a removal of `addr` to the journal.
    pub(crate) fn log_delete(&mut self, kind: RecordKind, addr: L::Addr) -> std::io::Result<u64> {
        self.seq += 1;
        let seq = self.seq;
        if let Some(j) = self.journal.as_mut() {
            let v = L::addr_to_u128(addr).to_be_bytes();
            let b: &[u8] = if L::FAMILY == 4 { &v[12..] } else { &v };
            j.append(kind, Op::Delete, seq, b.len(), |o| o.copy_from_slice(b))?;
        }
        Ok(seq)
    }

    /// Checks that every index agrees with the slab (for tests).
    pub fn check_consistency(&self) -> Result<(), String> {
        let live = self.iter().count();
        if live != self.by_addr.len() {
            return Err(format!(
                "{live} leases but {} address entries",
                self.by_addr.len()
            ));
        }
        let (mut hw, mut cid, mut host) = (0, 0, 0);
        for (s, l) in self.slots.iter().enumerate() {
            let Some(l) = l else { continue };
            let s = s as u32;
            if self.find(l.addr()) != Some(s) {
                return Err(format!("{:?} not found by address", l.addr()));
            }
            for (k, ix, n) in [
                (l.hw_key(), &self.by_hw, &mut hw),
                (l.client_key(), &self.by_client, &mut cid),
                (l.host_key(), &self.by_host, &mut host),
            ] {
                if let Some(k) = k {
                    *n += 1;
                    if !ix.get(k).any(|x| x == s) {
                        return Err(format!("{:?} missing from a secondary index", l.addr()));
                    }
                }
            }
        }
        if hw != self.by_hw.len() || cid != self.by_client.len() || host != self.by_host.len() {
            return Err("stale secondary index entries".into());
        }
        Ok(())
    }
}
