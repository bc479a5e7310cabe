//! Reclamation of expired leases (Kea's `expired-leases-processing`).
//!
//! The caller owns the timers (`reclaim-timer-wait-time`,
//! `flush-reclaimed-timer-wait-time`) and calls
//! [`LeaseStore::reclaim_expired`] with the current time.

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use super::{Lease, LeaseState, LeaseStore};
use crate::journal::RecordKind;

/// Kea's `expired-leases-processing` parameters used by one pass.
#[derive(Clone, Debug, PartialEq, Eq, rkyv::Archive, rkyv::Serialize, rkyv::Deserialize)]
pub struct ReclaimConfig {
    /// Seconds a reclaimed lease is kept before it is removed
    /// (`hold-reclaimed-time`; 0 removes at once).
    pub hold_reclaimed_time: u32,
    /// Most leases reclaimed per pass (`max-reclaim-leases`; 0 = no limit).
    pub max_reclaim_leases: usize,
    /// Longest pass (`max-reclaim-time` in ms; 0 = no limit).
    pub max_reclaim_time_ms: u64,
    /// Passes that may end incomplete before a warning is logged
    /// (`unwarned-reclaim-cycles`).
    pub unwarned_reclaim_cycles: u32,
}

impl Default for ReclaimConfig {
    /// Kea's defaults.
    fn default() -> Self {
        ReclaimConfig {
            hold_reclaimed_time: 3600,
            max_reclaim_leases: 100,
            max_reclaim_time_ms: 250,
            unwarned_reclaim_cycles: 5,
        }
    }
}

/// What one pass did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReclaimReport {
    /// Expired (or post-probation declined) leases reclaimed.
    pub reclaimed: usize,
    /// Reclaimed leases removed after `hold-reclaimed-time`.
    pub flushed: usize,
    /// True when a limit stopped the pass before all due leases were done.
    pub incomplete: bool,
}

/// A lease a pass reclaimed, as it was.
pub struct Reclaimed<L: Lease> {
    /// Its address (or prefix).
    pub addr: L::Addr,
    /// Its subnet.
    pub subnet_id: u32,
    /// True when it was declined (its probation ended).
    pub declined: bool,
}

// By hand: a derive would ask `L` itself to be `Copy`.
impl<L: Lease> Clone for Reclaimed<L> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<L: Lease> Copy for Reclaimed<L> {}

/// Leases handled per lock acquisition, so workers wait microseconds.
const CHUNK: usize = 64;

impl<L: Lease> LeaseStore<L> {
    /// Reclaims leases expired at `now` and removes reclaimed leases whose
    /// hold time has passed, within `cfg`'s limits. Reclaimed addresses
    /// return to `flq` pools. Each change is journalled.
    pub fn reclaim_expired(&self, now: u64, cfg: &ReclaimConfig) -> std::io::Result<ReclaimReport> {
        self.reclaim_expired_with(now, cfg, |_| {})
    }

    /// [`LeaseStore::reclaim_expired`], telling `reclaimed` about each lease
    /// reclaimed (as it was before: its subnet, address and whether it was
    /// declined), outside the shard locks, for the statistics.
    pub fn reclaim_expired_with(
        &self,
        now: u64,
        cfg: &ReclaimConfig,
        mut reclaimed: impl FnMut(&Reclaimed<L>),
    ) -> std::io::Result<ReclaimReport> {
        let start = Instant::now();
        let deadline = (cfg.max_reclaim_time_ms > 0)
            .then(|| start + Duration::from_millis(cfg.max_reclaim_time_ms));
        let limit = if cfg.max_reclaim_leases == 0 {
            usize::MAX
        } else {
            cfg.max_reclaim_leases
        };
        let mut rep = ReclaimReport::default();
        let n_sh = self.shards.len();
        // Rounds visit every shard (from a rotating start) and take a share
        // of the limit from each, so a limited pass spreads over all shards
        // instead of draining the first ones.
        let first = self.reclaim_cursor.fetch_add(1, Ordering::Relaxed) % n_sh;
        'rounds: loop {
            let mut more = false;
            let share = (limit.saturating_sub(rep.reclaimed) / n_sh).clamp(1, CHUNK);
            for k in 0..n_sh {
                if rep.reclaimed >= limit {
                    break 'rounds;
                }
                let budget = share.min(limit - rep.reclaimed);
                more |= self.reclaim_shard(
                    (first + k) % n_sh,
                    now,
                    cfg,
                    budget,
                    &mut rep,
                    &mut reclaimed,
                )?;
                if deadline.is_some_and(|d| Instant::now() >= d) {
                    break 'rounds;
                }
            }
            if !more {
                break;
            }
        }
        rep.incomplete = self.shards.iter().any(|s| s.lock().has_due(now));
        // Kea warns once `unwarned-reclaim-cycles` passes in a row could not
        // keep up.
        let streak = if rep.incomplete {
            self.incomplete_passes.fetch_add(1, Ordering::Relaxed) + 1
        } else {
            self.incomplete_passes.store(0, Ordering::Relaxed);
            0
        };
        if cfg.unwarned_reclaim_cycles > 0 && streak > cfg.unwarned_reclaim_cycles {
            tracing::warn!(
                passes = streak,
                "expired lease reclamation is not keeping up; consider raising max-reclaim-leases or max-reclaim-time"
            );
        }
        Ok(rep)
    }

    /// Handles up to [`CHUNK`] due leases of shard `i`, reclaiming at most
    /// `budget`; returns whether the shard still has due leases.
    fn reclaim_shard(
        &self,
        i: usize,
        now: u64,
        cfg: &ReclaimConfig,
        budget: usize,
        rep: &mut ReclaimReport,
        reclaimed_one: &mut impl FnMut(&Reclaimed<L>),
    ) -> std::io::Result<bool> {
        let mut freed: [Option<Reclaimed<L>>; CHUNK] = [None; CHUNK];
        let (mut n, mut reclaimed) = (0, 0);
        let more = {
            let mut sh = self.shards[i].lock();
            if sh.hold != cfg.hold_reclaimed_time {
                sh.hold = cfg.hold_reclaimed_time;
                sh.rebuild_expiry();
            }
            while n < CHUNK && reclaimed < budget {
                let Some(s) = sh.pop_due(now) else { break };
                n += 1;
                let l = sh.slot(s);
                let a = l.addr();
                let what = Reclaimed {
                    addr: a,
                    subnet_id: l.subnet_id(),
                    declined: l.state() == LeaseState::Declined,
                };
                match l.state() {
                    LeaseState::Default | LeaseState::Declined => {
                        reclaimed += 1;
                        if cfg.hold_reclaimed_time > 0 {
                            sh.modify(s, |l| l.set_state(LeaseState::ExpiredReclaimed));
                            sh.log_upsert(RecordKind::Reclaim, s)?;
                        } else {
                            sh.log_delete(RecordKind::Reclaim, a)?;
                            sh.remove(s);
                        }
                        freed[n - 1] = Some(what);
                    }
                    LeaseState::ExpiredReclaimed | LeaseState::Released => {
                        // Its address went back to the pool when reclaimed.
                        rep.flushed += 1;
                        sh.log_delete(RecordKind::Reclaim, a)?;
                        sh.remove(s);
                    }
                }
            }
            sh.has_due(now)
        };
        rep.reclaimed += reclaimed;
        for r in freed[..n].iter_mut().filter_map(Option::take) {
            self.give_back(r.addr);
            reclaimed_one(&r);
        }
        Ok(more)
    }
}
