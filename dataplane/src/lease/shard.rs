//! One lock's worth of leases: a slab of records plus its indexes.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::sync::Arc;

use super::directory::{Directory, Key};
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
    /// Hardware-address and client-key indexes, shared by all shards.
    dir: Arc<Directory>,
    /// This shard's number (for directory references).
    id: usize,
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
    pub fn with_capacity(capacity: usize, id: usize, dir: Arc<Directory>) -> Self {
        // Stale entries (one per renewal) are dropped by a rebuild when full.
        let expiry_cap = capacity + capacity / 2 + 64;
        Shard {
            slots: Vec::with_capacity(capacity),
            free: Vec::with_capacity(capacity),
            by_addr: MultiIndex::with_capacity(capacity),
            dir,
            id,
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

    /// The lease in slot `s`, if live.
    pub fn slot_opt(&self, s: u32) -> Option<&L> {
        self.slots.get(s as usize).and_then(Option::as_ref)
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
        if self.has_due(now) {
            self.expiry.pop().map(|Reverse(e)| e as u32)
        } else {
            None
        }
    }

    /// True when a lease is due at `now`; drops stale heap entries on top.
    pub(crate) fn has_due(&mut self, now: u64) -> bool {
        while let Some(&Reverse(e)) = self.expiry.peek() {
            let (t, s) = (e >> 32, e as u32);
            if t > now.min(u32::MAX as u64) {
                return false;
            }
            if let Some(Some(l)) = self.slots.get(s as usize) {
                if self.action_time(l).min(u32::MAX as u64) == t {
                    return true;
                }
            }
            self.expiry.pop();
        }
        false
    }

    fn rekey(&mut self, s: u32, k: Key, old: Option<u64>, new: Option<u64>) {
        if old != new {
            let r = self.dir.reference(self.id, s);
            if let Some(o) = old {
                self.dir.remove(k, o, r);
            }
            if let Some(n) = new {
                self.dir.insert(k, n, r);
            }
        }
    }

    /// Moves slot `s`'s secondary index entries from `old`'s keys to
    /// `new`'s (either may be absent).
    fn reindex(&mut self, s: u32, old: Option<&L>, new: Option<&L>) {
        self.rekey(s, Key::Hw, old.and_then(L::hw_key), new.and_then(L::hw_key));
        self.rekey(
            s,
            Key::Client,
            old.and_then(L::client_key),
            new.and_then(L::client_key),
        );
        let (o, n) = (old.and_then(L::host_key), new.and_then(L::host_key));
        if o != n {
            if let Some(o) = o {
                self.by_host.remove(o, s);
            }
            if let Some(n) = n {
                self.by_host.insert(n, s);
            }
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
        self.by_addr.insert(addr_hash::<L>(l.addr()), s);
        self.reindex(s, None, Some(&l));
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
        self.reindex(s, Some(&old), Some(&l));
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
        self.rekey(s, Key::Hw, hw, l.hw_key());
        self.rekey(s, Key::Client, cid, l.client_key());
        if host != l.host_key() {
            if let Some(o) = host {
                self.by_host.remove(o, s);
            }
            if let Some(n) = l.host_key() {
                self.by_host.insert(n, s);
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
        self.reindex(s, Some(&l), None);
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

    /// Checks that every index agrees with the slab (for tests); returns
    /// how many hardware-address and client keys the shard's leases hold.
    pub fn check_consistency(&self) -> Result<(usize, usize), String> {
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
            let r = self.dir.reference(self.id, s);
            for (key, k, n) in [
                (l.hw_key(), Key::Hw, &mut hw),
                (l.client_key(), Key::Client, &mut cid),
            ] {
                if let Some(key) = key {
                    *n += 1;
                    if !self.dir.contains(k, key, r) {
                        return Err(format!("{:?} missing from the client directory", l.addr()));
                    }
                }
            }
            if let Some(k) = l.host_key() {
                host += 1;
                if !self.by_host.get(k).any(|x| x == s) {
                    return Err(format!("{:?} missing from the hostname index", l.addr()));
                }
            }
        }
        if host != self.by_host.len() {
            return Err("stale hostname index entries".into());
        }
        Ok((hw, cid))
    }
}
