//! Kea's `expired-leases-processing` while serving: every
//! `reclaim-timer-wait-time` seconds expired leases are reclaimed (their
//! addresses return to the pools, declined ones leave probation) and
//! reclaimed leases older than `hold-reclaimed-time` are removed, within
//! `max-reclaim-leases` and `max-reclaim-time` per pass. Without it a
//! server with churn would keep every lease it ever gave out.
//!
//! Passes run on the control plane's main loop; each takes the shard locks
//! in small chunks, so workers never wait long.

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use xdhcp_dataplane::alloc::Allocator;
use xdhcp_dataplane::config::{Config4, Config6, Live};
use xdhcp_dataplane::lease::{Lease, Lease4, Lease6, LeaseStore, ReclaimConfig, Reclaimed};
use xdhcp_dataplane::stats::{ScopeLayout, ScopeStat, WorkerStats};

use crate::config::services::ExpiredLeases;

/// Counts one reclaimed lease in the statistics.
pub type Count<L> = Box<dyn Fn(&Reclaimed<L>) + Send>;

/// Counts reclaimed leases into `stats` (Kea's per-subnet and per-pool
/// `reclaimed-leases` and `reclaimed-declined-addresses`), `place` finding
/// a lease's subnet and pool positions in the running configuration.
fn counter<L: Lease, C: Send + Sync + 'static, Cfg: ScopeLayout>(
    stats: Arc<WorkerStats<C>>,
    config: Arc<Live<Cfg>>,
    place: impl Fn(&Cfg, &Reclaimed<L>) -> Option<(usize, Option<usize>)> + Send + 'static,
) -> Count<L> {
    Box::new(move |r| {
        let config = config.load_full();
        // This thread is the only one counting into `stats`.
        stats.scopes.follow(&config);
        let Some((subnet, pool)) = place(&config, r) else {
            return;
        };
        stats.scopes.count(ScopeStat::Reclaimed, subnet, pool);
        if r.declined {
            stats
                .scopes
                .count(ScopeStat::ReclaimedDeclined, subnet, pool);
        }
    })
}

/// The position among `pools` of the one holding `addr`.
fn pool_of<'a>(pools: impl Iterator<Item = &'a Arc<Allocator>>, addr: u128) -> Option<usize> {
    pools
        .enumerate()
        .find(|(_, p)| p.pool().offset_of(addr).is_some())
        .map(|(i, _)| i)
}

/// [`counter`] for DHCPv4 leases under the running `config`.
pub fn count4<C: Send + Sync + 'static>(
    stats: Arc<WorkerStats<C>>,
    config: Arc<Live<Config4>>,
) -> Count<Lease4> {
    counter(stats, config, |config: &Config4, r| {
        let i = config.subnets.iter().position(|s| s.id == r.subnet_id)?;
        let pools = config.subnets[i].pools.iter();
        Some((i, pool_of(pools, u32::from(r.addr).into())))
    })
}

/// [`counter`] for DHCPv6 leases: address pools first, then prefix
/// delegation pools, as the statistics number them.
pub fn count6<C: Send + Sync + 'static>(
    stats: Arc<WorkerStats<C>>,
    config: Arc<Live<Config6>>,
) -> Count<Lease6> {
    counter(stats, config, |config: &Config6, r| {
        let i = config.subnets.iter().position(|s| s.id == r.subnet_id)?;
        let s = &config.subnets[i];
        let pools = s.pools.iter().chain(s.pd_pools.iter().map(|p| &p.alloc));
        Some((i, pool_of(pools, u128::from(r.addr))))
    })
}

/// How long a reclaimed lease is kept. Removal happens in the reclaim
/// passes themselves, so `flush-reclaimed-timer-wait-time` has no timer of
/// its own; its 0 keeps reclaimed leases for good, as Kea's disabled flush
/// does, unless `hold-reclaimed-time` 0 removes them at reclamation.
fn hold_time(settings: &ExpiredLeases) -> u32 {
    match (
        settings.hold_reclaimed_time,
        settings.flush_reclaimed_timer_wait_time,
    ) {
        (0, _) => 0,
        (_, 0) => u32::MAX,
        (hold, _) => hold,
    }
}

/// Periodic reclamation of one family's leases.
pub struct Reclaimer<L: Lease> {
    leases: Arc<LeaseStore<L>>,
    count: Count<L>,
    config: ReclaimConfig,
    every: Duration,
    next: Instant,
    /// Passes in a row that a limit cut short.
    incomplete: u32,
    /// Kea's message-id prefix: `ALLOC_ENGINE_V4` or `ALLOC_ENGINE_V6`.
    ids: &'static str,
    /// Kea's logger for the allocation engine of this family.
    logger: &'static str,
}

impl<L: Lease> Reclaimer<L> {
    /// Reclamation of `leases` as `settings` say, telling `count` about
    /// each lease reclaimed; `None` when `reclaim-timer-wait-time` is 0,
    /// which in Kea turns it off.
    pub fn new(
        leases: Arc<LeaseStore<L>>,
        settings: &ExpiredLeases,
        v6: bool,
        count: Count<L>,
    ) -> Option<Self> {
        if settings.reclaim_timer_wait_time == 0 {
            return None;
        }
        let every = Duration::from_secs(settings.reclaim_timer_wait_time.into());
        Some(Reclaimer {
            leases,
            count,
            config: ReclaimConfig {
                hold_reclaimed_time: hold_time(settings),
                max_reclaim_leases: settings.max_reclaim_leases as usize,
                max_reclaim_time_ms: settings.max_reclaim_time.into(),
                unwarned_reclaim_cycles: settings.unwarned_reclaim_cycles,
            },
            every,
            next: Instant::now() + every,
            incomplete: 0,
            ids: if v6 {
                "ALLOC_ENGINE_V6"
            } else {
                "ALLOC_ENGINE_V4"
            },
            logger: if v6 {
                "kea-dhcp6.alloc-engine"
            } else {
                "kea-dhcp4.alloc-engine"
            },
        })
    }

    /// Runs a pass when one is due at `now`.
    pub fn tick(&mut self, now: Instant) {
        if now < self.next {
            return;
        }
        self.next = now + self.every;
        let unix = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let count = &self.count;
        match self
            .leases
            .reclaim_expired_with(unix, &self.config, |r| count(r))
        {
            Ok(report) if report.incomplete => {
                self.incomplete += 1;
                if self.incomplete > self.config.unwarned_reclaim_cycles {
                    crate::log::warn(
                        self.logger,
                        &format!("{}_LEASES_RECLAMATION_SLOW", self.ids),
                        format!(
                            "expired leases still exist after {} reclamations",
                            self.incomplete
                        ),
                    );
                    self.incomplete = 0;
                }
            }
            Ok(_) => self.incomplete = 0,
            Err(e) => crate::log::error(
                self.logger,
                &format!("{}_LEASES_RECLAMATION_FAILED", self.ids),
                format!("reclaiming expired leases failed: {e}"),
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use xdhcp_dataplane::journal::RecordKind;
    use xdhcp_dataplane::lease::{Lease4, StoreConfig};

    #[test]
    fn a_pass_runs_when_due_and_removes_expired_leases() {
        let (store, _) = LeaseStore::<Lease4>::open(StoreConfig::memory(2, 64)).unwrap();
        let long_ago = 1_000_000;
        let lease = Lease4::new("192.0.2.10".parse().unwrap(), long_ago, 60, 1);
        store
            .claim(lease, long_ago.into(), RecordKind::Allocate)
            .map_err(|(_, e)| e)
            .unwrap();
        let settings = ExpiredLeases {
            reclaim_timer_wait_time: 1,
            hold_reclaimed_time: 0,
            ..ExpiredLeases::default()
        };
        let counted = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let c = counted.clone();
        let count: Count<Lease4> = Box::new(move |r| {
            assert_eq!((r.subnet_id, r.declined), (1, false));
            c.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        });
        let mut r = Reclaimer::new(store.clone(), &settings, false, count).unwrap();
        r.tick(Instant::now());
        assert_eq!(store.len(), 1, "not due yet");
        r.tick(Instant::now() + Duration::from_secs(2));
        assert_eq!(store.len(), 0, "reclaimed and, with no hold time, removed");
        assert_eq!(counted.load(std::sync::atomic::Ordering::Relaxed), 1);
        // With the flush turned off, a reclaimed lease stays.
        let lease = Lease4::new("192.0.2.11".parse().unwrap(), long_ago, 60, 1);
        store
            .claim(lease, long_ago.into(), RecordKind::Allocate)
            .map_err(|(_, e)| e)
            .unwrap();
        let kept = ExpiredLeases {
            reclaim_timer_wait_time: 1,
            hold_reclaimed_time: 1,
            flush_reclaimed_timer_wait_time: 0,
            ..ExpiredLeases::default()
        };
        let mut r = Reclaimer::new(store.clone(), &kept, false, Box::new(|_| {})).unwrap();
        r.tick(Instant::now() + Duration::from_secs(2));
        let l = store.get("192.0.2.11".parse().unwrap()).expect("kept");
        assert_eq!(
            l.state,
            xdhcp_dataplane::lease::LeaseState::ExpiredReclaimed
        );
        let off = ExpiredLeases {
            reclaim_timer_wait_time: 0,
            ..ExpiredLeases::default()
        };
        assert!(Reclaimer::new(store, &off, false, Box::new(|_| {})).is_none());
    }
}
