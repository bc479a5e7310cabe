//! The client directory: hardware-address and client-key indexes sharded
//! by the key's own hash, so finding a client's leases takes one directory
//! lock instead of a visit to every address shard.
//!
//! Entries point at `(address shard, slot)`. Lock order is always address
//! shard, then directory shard: mutations update the directory while they
//! hold the address shard; lookups take the directory lock alone, copy the
//! references out, release it, and confirm each hit under its address
//! shard's lock (a reference may be stale by then; the key check drops it).

use crossbeam::utils::CachePadded;
use parking_lot::Mutex;

use super::index::MultiIndex;

/// Which directory index.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Key {
    /// Hardware address.
    Hw,
    /// Client-id (v4) or DUID+IAID+type (v6).
    Client,
}

/// Most leases one lookup returns for a key (a client holds a handful).
pub const MAX_HITS: usize = 32;

struct DirShard {
    by_hw: MultiIndex,
    by_client: MultiIndex,
}

impl DirShard {
    fn index(&mut self, k: Key) -> &mut MultiIndex {
        match k {
            Key::Hw => &mut self.by_hw,
            Key::Client => &mut self.by_client,
        }
    }
}

/// Key-sharded indexes from key hash to `(address shard, slot)`.
pub struct Directory {
    shards: Box<[CachePadded<Mutex<DirShard>>]>,
    mask: usize,
    /// Bits of a reference holding the slot; the rest hold the shard.
    slot_bits: u32,
}

impl Directory {
    /// A directory with `n` shards (a power of two) for `addr_shards`
    /// address shards, sized for `capacity` leases in all.
    pub fn new(n: usize, addr_shards: usize, capacity: usize) -> Self {
        let per = capacity / n + capacity / n / 16 + 64;
        Directory {
            shards: (0..n)
                .map(|_| {
                    CachePadded::new(Mutex::new(DirShard {
                        by_hw: MultiIndex::with_capacity(per),
                        by_client: MultiIndex::with_capacity(per),
                    }))
                })
                .collect(),
            mask: n - 1,
            slot_bits: 32 - addr_shards.trailing_zeros(),
        }
    }

    /// Largest slot number a reference can hold.
    pub fn max_slot(&self) -> u32 {
        if self.slot_bits == 32 {
            u32::MAX - 1
        } else {
            (1 << self.slot_bits) - 1
        }
    }

    /// Packs `(address shard, slot)`.
    pub fn reference(&self, shard: usize, slot: u32) -> u32 {
        assert!(
            slot <= self.max_slot(),
            "lease shard full: raise the shard count"
        );
        if self.slot_bits == 32 {
            slot
        } else {
            (shard as u32) << self.slot_bits | slot
        }
    }

    /// Unpacks a reference.
    pub fn split(&self, r: u32) -> (usize, u32) {
        if self.slot_bits == 32 {
            (0, r)
        } else {
            (
                (r >> self.slot_bits) as usize,
                r & ((1 << self.slot_bits) - 1),
            )
        }
    }

    fn shard(&self, key: u64) -> &Mutex<DirShard> {
        // High bits pick the shard; the index uses the low 32.
        &self.shards[(key >> 40) as usize & self.mask]
    }

    /// Adds reference `r` under `key`.
    pub fn insert(&self, k: Key, key: u64, r: u32) {
        self.shard(key).lock().index(k).insert(key, r);
    }

    /// Removes reference `r` under `key`.
    pub fn remove(&self, k: Key, key: u64, r: u32) {
        self.shard(key).lock().index(k).remove(key, r);
    }

    /// Copies the references under `key` into `out`; returns how many.
    pub fn lookup(&self, k: Key, key: u64, out: &mut [u32; MAX_HITS]) -> usize {
        let mut d = self.shard(key).lock();
        let mut n = 0;
        for r in d.index(k).get(key).take(MAX_HITS) {
            out[n] = r;
            n += 1;
        }
        n
    }

    /// True when `r` is stored under `key`.
    pub fn contains(&self, k: Key, key: u64, r: u32) -> bool {
        self.shard(key).lock().index(k).get(key).any(|x| x == r)
    }

    /// Entries in one index, all shards.
    pub fn len(&self, k: Key) -> usize {
        self.shards.iter().map(|s| s.lock().index(k).len()).sum()
    }

    /// Bytes of memory held.
    pub fn heap_bytes(&self) -> usize {
        self.shards
            .iter()
            .map(|s| {
                let s = s.lock();
                s.by_hw.heap_bytes() + s.by_client.heap_bytes()
            })
            .sum()
    }
}
