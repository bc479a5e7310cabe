//! [`LeaseStore`]: the sharded lease table, its journal and its pools.

use std::io;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Weak};

use crossbeam::utils::CachePadded;
use parking_lot::{Mutex, RwLock};

use super::directory::{Directory, Key, MAX_HITS};
use super::shard::Shard;
use super::{addr_hash, reusable, Lease, LeaseState};
use crate::alloc::Allocator;
use crate::journal::frame::Op;
use crate::journal::{self, FlushPolicy, JournalConfig, RecordKind, RecoveryReport, Segment};

/// Store settings.
#[derive(Clone, Debug)]
pub struct StoreConfig {
    /// Number of shards (rounded up to a power of two).
    pub shards: usize,
    /// Leases the store should hold without growing (sizes slabs/indexes).
    pub capacity: usize,
    /// Journal settings.
    pub journal: JournalConfig,
}

impl StoreConfig {
    /// In-memory store.
    pub fn memory(shards: usize, capacity: usize) -> Self {
        StoreConfig {
            shards,
            capacity,
            journal: JournalConfig::memory(),
        }
    }
}

/// Why a store operation failed.
#[derive(Debug)]
pub enum StoreError {
    /// Writing the journal failed.
    Io(io::Error),
    /// A lease for that address already exists (and is in use).
    Exists,
    /// No lease for that address.
    NotFound,
    /// The pool has no free address left.
    Exhausted,
    /// The caller's check on the existing lease failed (e.g. other client).
    Mismatch,
}

impl std::fmt::Display for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StoreError::Io(e) => write!(f, "lease journal: {e}"),
            StoreError::Exists => f.write_str("lease exists"),
            StoreError::NotFound => f.write_str("no such lease"),
            StoreError::Exhausted => f.write_str("pool exhausted"),
            StoreError::Mismatch => f.write_str("lease belongs to another client"),
        }
    }
}

impl std::error::Error for StoreError {}

impl From<io::Error> for StoreError {
    fn from(e: io::Error) -> Self {
        StoreError::Io(e)
    }
}

/// Proof that a change was written to a shard's journal; pass it to
/// [`LeaseStore::commit`] to wait until it is durable.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ticket {
    /// Shard number.
    pub shard: u32,
    /// Shard sequence number of the record.
    pub seq: u64,
}

/// Highest sequence number per shard written by one worker's batch.
pub struct Batch {
    seqs: Box<[u64]>,
}

impl Batch {
    /// Notes a record the batch must wait for.
    pub fn add(&mut self, t: Ticket) {
        let s = &mut self.seqs[t.shard as usize];
        *s = (*s).max(t.seq);
    }
}

/// Group-commit state of one shard, separate from the shard lock so that
/// an `msync` never blocks workers that only append.
pub(crate) struct Durable {
    /// (generation, offset synced so far); held across the msync.
    lock: Mutex<(u64, usize)>,
    seq: AtomicU64,
    /// When the shard was last found fully flushed, microseconds since
    /// the store opened.
    flushed_us: AtomicU64,
}

/// How far the journal's stable copy trails what was written.
#[derive(Debug, Clone, Copy, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct FlushLag {
    /// Records written but not yet known to be on stable storage.
    pub records: u64,
    /// Seconds since the stalest shard holding such records was last
    /// fully flushed (0 when every record is flushed).
    pub seconds: f64,
}

/// All leases of one family, sharded by address.
pub struct LeaseStore<L: Lease> {
    pub(crate) shards: Box<[CachePadded<Mutex<Shard<L>>>]>,
    pub(crate) durable: Box<[Durable]>,
    dir: Arc<Directory>,
    mask: usize,
    pub(crate) cfg: StoreConfig,
    pub(crate) gen: AtomicU64,
    pools: RwLock<Vec<Arc<Allocator>>>,
    has_flq: AtomicBool,
    opened: std::time::Instant,
    pub(crate) compacting: Mutex<()>,
    /// Consecutive reclamation passes cut short by their limits.
    pub(crate) incomplete_passes: std::sync::atomic::AtomicU32,
    /// Shard a reclamation pass starts at (rotates for fairness).
    pub(crate) reclaim_cursor: std::sync::atomic::AtomicUsize,
    stop: Arc<AtomicBool>,
}

impl<L: Lease> LeaseStore<L> {
    /// Opens the store: replays snapshot and journals when persistent,
    /// then starts a new journal generation.
    pub fn open(cfg: StoreConfig) -> io::Result<(Arc<Self>, RecoveryReport)> {
        let n = cfg.shards.max(1).next_power_of_two();
        // Headroom for uneven address hashing across shards.
        let per = cfg.capacity / n + cfg.capacity / n / 16 + 64;
        let dir = Arc::new(Directory::new(n, n, cfg.capacity));
        let shards: Box<[_]> = (0..n)
            .map(|i| CachePadded::new(Mutex::new(Shard::with_capacity(per, i, dir.clone()))))
            .collect();
        let durable = (0..n)
            .map(|_| Durable {
                lock: Mutex::new((0, 0)),
                seq: AtomicU64::new(0),
                flushed_us: AtomicU64::new(0),
            })
            .collect();
        let store = LeaseStore {
            shards,
            durable,
            dir,
            mask: n - 1,
            cfg,
            gen: AtomicU64::new(0),
            pools: RwLock::new(Vec::new()),
            has_flq: AtomicBool::new(false),
            opened: std::time::Instant::now(),
            compacting: Mutex::new(()),
            incomplete_passes: Default::default(),
            reclaim_cursor: Default::default(),
            stop: Arc::new(AtomicBool::new(false)),
        };
        let mut report = RecoveryReport::default();
        if store.cfg.journal.persist {
            let dir = store.cfg.journal.dir.clone();
            std::fs::create_dir_all(&dir)?;
            report = journal::recover::recover(&dir, L::FAMILY, |op, body| store.replay(op, body))?;
            let seq = report.last_seq.iter().map(|e| e.1).max().unwrap_or(0);
            let gen = report.last_gen + 1;
            store.gen.store(gen, Ordering::Relaxed);
            for (i, sh) in store.shards.iter().enumerate() {
                let seg = Segment::create(
                    &journal::journal_path(&dir, i, gen),
                    L::FAMILY,
                    gen,
                    store.cfg.journal.segment_bytes,
                )?;
                let mut sh = sh.lock();
                sh.journal = Some(seg);
                sh.seq = seq;
            }
        }
        let store = Arc::new(store);
        if let (true, FlushPolicy::Periodic(every)) =
            (store.cfg.journal.persist, store.cfg.journal.flush)
        {
            let weak: Weak<Self> = Arc::downgrade(&store);
            let stop = store.stop.clone();
            std::thread::Builder::new()
                .name("lease-flush".into())
                .spawn(move || {
                    while !stop.load(Ordering::Relaxed) {
                        std::thread::sleep(every);
                        let Some(s) = weak.upgrade() else { break };
                        if let Err(e) = s.maintain().and_then(|_| s.flush_all()) {
                            tracing::error!("lease journal flush failed: {e}");
                        }
                    }
                })?;
        }
        Ok((store, report))
    }

    fn replay(&self, op: Op, body: &[u8]) -> bool {
        match op {
            Op::Upsert => {
                let Some(l) = L::decode(body) else {
                    return false;
                };
                let mut sh = self.shard(l.addr()).lock();
                match sh.find(l.addr()) {
                    Some(s) => {
                        sh.replace(s, l);
                    }
                    None => {
                        sh.insert(l);
                    }
                }
                true
            }
            Op::Delete => {
                let a = match body.len() {
                    4 if L::FAMILY == 4 => u32::from_be_bytes(body.try_into().unwrap()) as u128,
                    16 if L::FAMILY == 6 => u128::from_be_bytes(body.try_into().unwrap()),
                    _ => return false,
                };
                let a = L::addr_from_u128(a);
                let mut sh = self.shard(a).lock();
                if let Some(s) = sh.find(a) {
                    sh.remove(s);
                }
                true
            }
        }
    }

    /// The configuration the store was opened with.
    pub fn config(&self) -> &StoreConfig {
        &self.cfg
    }

    /// Number of shards.
    pub fn shard_count(&self) -> usize {
        self.shards.len()
    }

    fn shard_index(&self, a: L::Addr) -> usize {
        // High hash bits pick the shard; the indexes use the low bits.
        (addr_hash::<L>(a) >> 40) as usize & self.mask
    }

    pub(crate) fn shard(&self, a: L::Addr) -> &Mutex<Shard<L>> {
        &self.shards[self.shard_index(a)]
    }

    /// A copy of the lease at `a`.
    pub fn get(&self, a: L::Addr) -> Option<L> {
        self.shard(a).lock().get(a).cloned()
    }

    /// Runs `f` on the lease at `a` without copying it.
    pub fn with<R>(&self, a: L::Addr, f: impl FnOnce(&L) -> R) -> Option<R> {
        self.shard(a).lock().get(a).map(f)
    }

    /// Number of leases.
    pub fn len(&self) -> usize {
        self.shards.iter().map(|s| s.lock().len()).sum()
    }

    /// True when no lease is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Calls `f` for every lease (shard by shard, each under its lock).
    pub fn for_each(&self, mut f: impl FnMut(&L)) {
        for s in self.shards.iter() {
            s.lock().iter().for_each(&mut f);
        }
    }

    /// All leases sorted by address (for export and tests).
    pub fn snapshot_sorted(&self) -> Vec<L> {
        let mut v = Vec::with_capacity(self.len());
        self.for_each(|l| v.push(l.clone()));
        v.sort_by_key(|l| l.addr());
        v
    }

    /// Calls `f` for each lease with hardware-address key `key`
    /// (see `v4::hw_hash`, `v6::hw_hash`): one directory lookup, then each
    /// hit confirmed under its shard's lock. At most
    /// [`MAX_HITS`] leases per key.
    pub fn each_by_hw(&self, key: u64, f: impl FnMut(&L)) {
        self.each_by(Key::Hw, key, f)
    }

    /// Calls `f` for each lease with client key `key` (v4 client-id,
    /// v6 DUID+IAID+type); see [`LeaseStore::each_by_hw`].
    pub fn each_by_client(&self, key: u64, f: impl FnMut(&L)) {
        self.each_by(Key::Client, key, f)
    }

    fn each_by(&self, k: Key, key: u64, mut f: impl FnMut(&L)) {
        let mut refs = [0u32; MAX_HITS];
        let n = self.dir.lookup(k, key, &mut refs);
        for &r in &refs[..n] {
            let (shard, slot) = self.dir.split(r);
            let sh = self.shards[shard].lock();
            if let Some(l) = sh.slot_opt(slot) {
                let lk = match k {
                    Key::Hw => l.hw_key(),
                    Key::Client => l.client_key(),
                };
                if lk == Some(key) {
                    f(l)
                }
            }
        }
    }

    /// Calls `f` for each lease with hostname `name` (case-insensitive).
    /// Hostname lookups are rare (DDNS conflicts), so this index stays per
    /// address shard and the lookup visits every shard.
    pub fn each_by_hostname(&self, name: &str, mut f: impl FnMut(&L)) {
        let key = super::v4::host_hash(name.as_bytes());
        for s in self.shards.iter() {
            s.lock().each_by_host(key, &mut f);
        }
    }

    /// Bytes written to the current journal generation (all shards): the
    /// caller's cue, besides `lfc-interval`, to run [`LeaseStore::compact`].
    pub fn journal_bytes(&self) -> usize {
        self.shards
            .iter()
            .map(|s| s.lock().journal.as_ref().map_or(0, |j| j.end()))
            .sum()
    }

    /// Bytes of memory held by records and indexes.
    pub fn heap_bytes(&self) -> usize {
        self.shards
            .iter()
            .map(|s| s.lock().heap_bytes())
            .sum::<usize>()
            + self.dir.heap_bytes()
    }

    /// Verifies every shard's indexes against its records.
    pub fn check_consistency(&self) -> Result<(), String> {
        let (mut hw, mut cid) = (0, 0);
        for (i, s) in self.shards.iter().enumerate() {
            let s = s.lock();
            let (h, c) = s
                .check_consistency()
                .map_err(|e| format!("shard {i}: {e}"))?;
            hw += h;
            cid += c;
            for l in s.iter() {
                if self.shard_index(l.addr()) != i {
                    return Err(format!("{:?} in the wrong shard", l.addr()));
                }
            }
        }
        if hw != self.dir.len(Key::Hw) || cid != self.dir.len(Key::Client) {
            return Err("stale client directory entries".into());
        }
        Ok(())
    }

    fn ticket(&self, a: L::Addr, seq: u64) -> Ticket {
        Ticket {
            shard: self.shard_index(a) as u32,
            seq,
        }
    }

    /// Takes `l.addr()` for `l` if it is free or its lease may be reused at
    /// `now` (expired, reclaimed, released, declined past probation).
    /// Gives the lease back when the address is in use.
    pub fn claim(&self, l: L, now: u64, kind: RecordKind) -> Result<Ticket, (L, StoreError)> {
        let a = l.addr();
        let mut sh = self.shard(a).lock();
        let s = match sh.find(a) {
            None => sh.insert(l),
            Some(s) if reusable(sh.slot(s), now) => {
                drop(sh.replace(s, l));
                s
            }
            Some(_) => return Err((l, StoreError::Exists)),
        };
        match sh.log_upsert(kind, s) {
            Ok(seq) => Ok(self.ticket(a, seq)),
            Err(e) => Err((sh.remove(s), StoreError::Io(e))),
        }
    }

    /// Allocates an address from `alloc`'s pool for `template` (its address
    /// is overwritten), skipping addresses `reserved` says are reserved for
    /// other clients and addresses in use. Never allocates memory.
    pub fn allocate(
        &self,
        alloc: &Allocator,
        template: L,
        now: u64,
        reserved: impl Fn(L::Addr) -> bool,
    ) -> Result<(L::Addr, Ticket), StoreError> {
        let mut l = template;
        for _ in 0..alloc.attempts() {
            let Some(c) = alloc.next() else { break };
            let a = L::addr_from_u128(c);
            if reserved(a) {
                // Keep it queued (flq) in case the reservation goes away.
                alloc.give_back(c);
                continue;
            }
            l.set_addr(a);
            match self.claim(l, now, RecordKind::Allocate) {
                Ok(t) => return Ok((a, t)),
                Err((back, StoreError::Exists)) => l = back,
                Err((_, e)) => return Err(e),
            }
        }
        Err(StoreError::Exhausted)
    }

    /// Kea's order for a new lease: the client's `hint` (requested address)
    /// when it lies in the pool, is not reserved for someone else and is
    /// free or reusable; otherwise the allocator's candidates, where an
    /// expired lease is reused in place like a free address. (The client's
    /// existing lease and its reservation come first; the engine checks
    /// those with [`LeaseStore::each_by_client`] and its host table.)
    pub fn allocate_with_hint(
        &self,
        alloc: &Allocator,
        template: L,
        hint: Option<L::Addr>,
        now: u64,
        reserved: impl Fn(L::Addr) -> bool,
    ) -> Result<(L::Addr, Ticket), StoreError> {
        let mut l = template;
        if let Some(h) = hint {
            if alloc.pool().offset_of(L::addr_to_u128(h)).is_some() && !reserved(h) {
                l.set_addr(h);
                match self.claim(l, now, RecordKind::Allocate) {
                    Ok(t) => return Ok((h, t)),
                    Err((back, StoreError::Exists)) => l = back,
                    Err((_, e)) => return Err(e),
                }
            }
        }
        self.allocate(alloc, l, now, reserved)
    }

    /// Inserts `l`, failing if its address holds a lease in use at `now`.
    pub fn add(&self, l: L, now: u64) -> Result<Ticket, StoreError> {
        self.claim(l, now, RecordKind::AdminAdd).map_err(|(_, e)| e)
    }

    /// Inserts or replaces `l` unconditionally (admin update, import).
    pub fn upsert(&self, l: L, kind: RecordKind) -> Result<Ticket, StoreError> {
        let a = l.addr();
        let mut sh = self.shard(a).lock();
        let s = match sh.find(a) {
            Some(s) => {
                drop(sh.replace(s, l));
                s
            }
            None => sh.insert(l),
        };
        let seq = sh.log_upsert(kind, s)?;
        Ok(self.ticket(a, seq))
    }

    /// Changes the lease at `a` in place if `check` accepts it.
    pub fn update(
        &self,
        a: L::Addr,
        kind: RecordKind,
        check: impl FnOnce(&L) -> bool,
        f: impl FnOnce(&mut L),
    ) -> Result<Ticket, StoreError> {
        let mut sh = self.shard(a).lock();
        let s = sh.find(a).ok_or(StoreError::NotFound)?;
        if !check(sh.slot(s)) {
            return Err(StoreError::Mismatch);
        }
        sh.modify(s, f);
        let seq = sh.log_upsert(kind, s)?;
        Ok(self.ticket(a, seq))
    }

    /// Extends the lease at `a` (`check` confirms it is the client's).
    pub fn renew(
        &self,
        a: L::Addr,
        check: impl FnOnce(&L) -> bool,
        cltt: u32,
        valid_lft: u32,
    ) -> Result<Ticket, StoreError> {
        self.renew_with(a, check, cltt, valid_lft, |_| {})
    }

    /// [`LeaseStore::renew`], changing the lease with `also` in the same
    /// record (the engine's renewal also takes the request's hostname).
    pub fn renew_with(
        &self,
        a: L::Addr,
        check: impl FnOnce(&L) -> bool,
        cltt: u32,
        valid_lft: u32,
        also: impl FnOnce(&mut L),
    ) -> Result<Ticket, StoreError> {
        self.update(a, RecordKind::Renew, check, |l| {
            l.set_times(cltt, valid_lft);
            l.set_state(LeaseState::Default);
            also(l);
        })
    }

    /// Marks the lease at `a` declined for `probation` seconds from `now`,
    /// forgetting the client, as Kea does.
    pub fn decline(
        &self,
        a: L::Addr,
        check: impl FnOnce(&L) -> bool,
        now: u32,
        probation: u32,
    ) -> Result<Ticket, StoreError> {
        self.update(a, RecordKind::Decline, check, |l| {
            l.clear_identity();
            l.set_times(now, probation);
            l.set_state(LeaseState::Declined);
        })
    }

    /// Removes the lease at `a` if `check` accepts it (a client's release:
    /// Kea deletes released leases). Returns the removed lease.
    pub fn release(&self, a: L::Addr, check: impl FnOnce(&L) -> bool) -> Result<L, StoreError> {
        self.remove_if(a, RecordKind::Release, check)
    }

    /// Deletes the lease at `a` (admin `lease4-del`).
    pub fn delete(&self, a: L::Addr) -> Result<L, StoreError> {
        self.delete_if(a, |_| true)
    }

    /// Deletes the lease at `a` if `check` accepts it (admin `lease6-del`,
    /// which names the lease type too).
    pub fn delete_if(&self, a: L::Addr, check: impl FnOnce(&L) -> bool) -> Result<L, StoreError> {
        self.remove_if(a, RecordKind::AdminDelete, check)
    }

    pub(crate) fn remove_if(
        &self,
        a: L::Addr,
        kind: RecordKind,
        check: impl FnOnce(&L) -> bool,
    ) -> Result<L, StoreError> {
        let old = {
            let mut sh = self.shard(a).lock();
            let s = sh.find(a).ok_or(StoreError::NotFound)?;
            if !check(sh.slot(s)) {
                return Err(StoreError::Mismatch);
            }
            sh.log_delete(kind, a)?;
            sh.remove(s)
        };
        self.give_back(a);
        Ok(old)
    }

    /// Registers a pool's allocator so freed addresses return to its
    /// free-lease queue; a `flq` queue is rebuilt from the current leases.
    pub fn add_pool(&self, alloc: Arc<Allocator>, now: u64) {
        if alloc.kind() == crate::alloc::AllocatorKind::FreeLeaseQueue {
            alloc.fill_free(|c| {
                let a = L::addr_from_u128(c);
                self.with(a, |l| reusable(l, now)).unwrap_or(true)
            });
            self.has_flq.store(true, Ordering::Release);
        }
        self.pools.write().push(alloc);
    }

    /// Forgets the registered pools `keep` rejects (pools a reload
    /// removed), so freed addresses stop going to their queues. Their
    /// leases stay in the store, as Kea keeps them.
    pub fn retain_pools(&self, keep: impl Fn(&Arc<Allocator>) -> bool) {
        self.pools.write().retain(|p| keep(p));
    }

    /// Returns a freed address to its pool's free-lease queue, if any.
    pub(crate) fn give_back(&self, a: L::Addr) {
        if self.has_flq.load(Ordering::Acquire) {
            let c = L::addr_to_u128(a);
            for p in self.pools.read().iter() {
                p.give_back(c);
            }
        }
    }

    /// Waits until the record behind `t` is on stable storage, flushing
    /// every record written so far in that shard (group commit). The shard
    /// lock is not held during the `msync`.
    pub fn commit(&self, t: Ticket) -> io::Result<()> {
        let d = &self.durable[t.shard as usize];
        if d.seq.load(Ordering::Acquire) >= t.seq {
            return Ok(());
        }
        self.flush_shard(t.shard as usize)
    }

    /// A reusable set of tickets for one worker's batch (allocate it once
    /// per worker; [`LeaseStore::commit_batch`] clears it).
    pub fn batch(&self) -> Batch {
        Batch {
            seqs: vec![0; self.shards.len()].into_boxed_slice(),
        }
    }

    /// Group commit for a batch: returns once every record noted in `b` is
    /// on stable storage, one `msync` per shard the batch touched (shared
    /// with any other worker committing at the same time).
    pub fn commit_batch(&self, b: &mut Batch) -> io::Result<()> {
        for (shard, seq) in b.seqs.iter_mut().enumerate() {
            if *seq > 0 {
                self.commit(Ticket {
                    shard: shard as u32,
                    seq: *seq,
                })?;
                *seq = 0;
            }
        }
        Ok(())
    }

    fn flush_shard(&self, i: usize) -> io::Result<()> {
        let d = &self.durable[i];
        let mut g = d.lock.lock();
        let (map, gen, end, seq) = {
            let sh = self.shards[i].lock();
            match &sh.journal {
                Some(j) => (j.map().clone(), j.gen(), j.end(), sh.seq),
                None => return Ok(()),
            }
        };
        let now_us = self.opened.elapsed().as_micros() as u64;
        if d.seq.load(Ordering::Acquire) >= seq {
            d.flushed_us.store(now_us, Ordering::Relaxed);
            return Ok(());
        }
        let from = if g.0 == gen { g.1.min(end) } else { 0 };
        map.flush_range(from, end - from)?;
        *g = (gen, end);
        d.seq.store(seq, Ordering::Release);
        d.flushed_us.store(now_us, Ordering::Relaxed);
        Ok(())
    }

    /// How far stable storage trails the journal: unflushed records and
    /// the age of the oldest flush still owed (for monitoring; takes each
    /// shard lock briefly).
    pub fn flush_lag(&self) -> FlushLag {
        let now_us = self.opened.elapsed().as_micros() as u64;
        let mut lag = FlushLag::default();
        for (sh, d) in self.shards.iter().zip(self.durable.iter()) {
            let written = {
                let sh = sh.lock();
                if sh.journal.is_none() {
                    continue;
                }
                sh.seq
            };
            let behind = written.saturating_sub(d.seq.load(Ordering::Acquire));
            if behind > 0 {
                lag.records += behind;
                let age = now_us.saturating_sub(d.flushed_us.load(Ordering::Relaxed));
                lag.seconds = lag.seconds.max(age as f64 / 1e6);
            }
        }
        lag
    }

    /// Grows any journal file that is more than half full, with the file
    /// work done outside the shard lock, so appends never have to grow a
    /// file themselves. Call it periodically (the `Periodic` flush thread
    /// does).
    pub fn maintain(&self) -> io::Result<()> {
        for sh in self.shards.iter() {
            let want = sh.lock().journal.as_ref().and_then(Segment::wants_growth);
            if let Some((file, len)) = want {
                let map = journal::segment::grow_file(&file, len)?;
                if let Some(j) = sh.lock().journal.as_mut() {
                    j.install(&file, map);
                }
            }
        }
        Ok(())
    }

    /// `msync`s every shard's journal.
    pub fn flush_all(&self) -> io::Result<()> {
        for i in 0..self.shards.len() {
            self.flush_shard(i)?;
        }
        Ok(())
    }
}

impl<L: Lease> Drop for LeaseStore<L> {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}
