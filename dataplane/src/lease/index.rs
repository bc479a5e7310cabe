//! Open-addressing multi-map from a 64-bit key hash to slab slots.
//!
//! Entries are 8 bytes (hash tag + slot) with linear probing and
//! backward-shift deletion, so there are no tombstones and no per-entry heap
//! blocks. The table is sized for its capacity exactly, not rounded up to a
//! power of two (which left a large store's indexes 40% empty): a tag finds
//! its home by multiply-shift. Several slots may share a hash (two leases of one client, or a
//! hash collision): callers confirm a hit against the record itself.

const EMPTY: u32 = u32::MAX;

#[derive(Clone, Copy)]
struct Entry {
    tag: u32,
    slot: u32,
}

/// Hash-to-slot multi-map. Allocates only when it grows past its capacity.
pub struct MultiIndex {
    entries: Box<[Entry]>,
    len: usize,
}

impl MultiIndex {
    /// An index holding `capacity` entries without growing (load ≤ 7/8).
    pub fn with_capacity(capacity: usize) -> Self {
        MultiIndex::with_entries(capacity * 8 / 7 + 1)
    }

    /// An index of `n` entries (at least 16).
    fn with_entries(n: usize) -> Self {
        let n = n.max(16);
        MultiIndex {
            entries: vec![
                Entry {
                    tag: 0,
                    slot: EMPTY
                };
                n
            ]
            .into_boxed_slice(),
            len: 0,
        }
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Bytes of memory held.
    pub fn heap_bytes(&self) -> usize {
        self.entries.len() * std::mem::size_of::<Entry>()
    }

    /// Where `tag`'s probe starts: the tag scaled onto the table (tags are
    /// the low half of a well-mixed hash).
    fn home(&self, tag: u32) -> usize {
        ((u64::from(tag) * self.entries.len() as u64) >> 32) as usize
    }

    /// The entry after `i`, wrapping at the end.
    fn next(&self, i: usize) -> usize {
        if i + 1 == self.entries.len() {
            0
        } else {
            i + 1
        }
    }

    /// How far `to` lies after `from`, going round the table.
    fn distance(&self, from: usize, to: usize) -> usize {
        if to >= from {
            to - from
        } else {
            to + self.entries.len() - from
        }
    }

    /// Adds `slot` under `hash`.
    pub fn insert(&mut self, hash: u64, slot: u32) {
        if (self.len + 1) * 8 > self.entries.len() * 7 {
            self.grow();
        }
        let tag = hash as u32;
        let mut i = self.home(tag);
        while self.entries[i].slot != EMPTY {
            i = self.next(i);
        }
        self.entries[i] = Entry { tag, slot };
        self.len += 1;
    }

    /// Removes the entry (`hash`, `slot`); returns whether it was present.
    pub fn remove(&mut self, hash: u64, slot: u32) -> bool {
        let tag = hash as u32;
        let mut i = self.home(tag);
        loop {
            let e = self.entries[i];
            if e.slot == EMPTY {
                return false;
            }
            if e.tag == tag && e.slot == slot {
                break;
            }
            i = self.next(i);
        }
        // Backward shift: pull later entries of the cluster into the hole
        // when their home position allows it.
        let mut hole = i;
        let mut j = i;
        loop {
            j = self.next(j);
            let e = self.entries[j];
            if e.slot == EMPTY {
                break;
            }
            let home = self.home(e.tag);
            // Distance from home to j versus from hole to j (cyclic).
            if self.distance(home, j) >= self.distance(hole, j) {
                self.entries[hole] = e;
                hole = j;
            }
        }
        self.entries[hole].slot = EMPTY;
        self.len -= 1;
        true
    }

    /// Slots stored under `hash` (plus rare 32-bit tag collisions).
    pub fn get(&self, hash: u64) -> impl Iterator<Item = u32> + '_ {
        let tag = hash as u32;
        let mut i = self.home(tag);
        std::iter::from_fn(move || loop {
            let e = self.entries[i];
            if e.slot == EMPTY {
                return None;
            }
            i = self.next(i);
            if e.tag == tag {
                return Some(e.slot);
            }
        })
    }

    fn grow(&mut self) {
        let old = std::mem::replace(self, MultiIndex::with_entries(self.entries.len() * 2));
        for e in old.entries.iter().filter(|e| e.slot != EMPTY) {
            self.insert(e.tag as u64, e.slot);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn insert_remove_keep_others_reachable() {
        let mut m = MultiIndex::with_capacity(8);
        // Force collisions: same low bits.
        for s in 0..200u32 {
            m.insert((s % 7) as u64 * 1024, s);
        }
        for s in (0..200u32).step_by(3) {
            assert!(m.remove((s % 7) as u64 * 1024, s));
        }
        for s in 0..200u32 {
            let found = m.get((s % 7) as u64 * 1024).any(|x| x == s);
            assert_eq!(found, s % 3 != 0, "slot {s}");
        }
        assert_eq!(m.len(), 200 - 67);
    }
}
