//! Looking after a lease store while it serves: Kea's
//! `expired-leases-processing` and lease file cleanup.
//!
//! Every `reclaim-timer-wait-time` seconds expired leases are reclaimed
//! (their addresses return to the pools, declined ones leave probation)
//! and reclaimed leases older than `hold-reclaimed-time` are removed,
//! within `max-reclaim-leases` and `max-reclaim-time` per pass; each pass
//! takes the shard locks in small chunks, so workers never wait long.
//! Without it a server with churn would keep every lease it ever gave out.
//!
//! Every `lfc-interval` seconds (0 disables it, as in Kea) the store is
//! compacted in a thread of its own at the lowest CPU priority, taking a
//! shard lock only to switch journals (see [`crate::lease::compact`]), so
//! the journal does not grow without bound. As in Kea, a cleanup due while
//! the previous one still runs is skipped.
//!
//! Both are polled by the serving process's main loop.

use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use super::Log;
use crate::config::setup::Reclaim;
use crate::lease::{Lease, LeaseStore, ReclaimConfig, Reclaimed};

/// Counts one reclaimed lease in the statistics.
pub type Count<L> = Box<dyn Fn(&Reclaimed<L>) + Send>;

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
    log: Log,
}

impl<L: Lease> Reclaimer<L> {
    /// Reclamation of `leases` as `settings` say, telling `count` about
    /// each lease reclaimed and `log` about passes that fail or fall
    /// behind; `None` when `reclaim-timer-wait-time` is 0, which in Kea
    /// turns it off.
    pub fn new(
        leases: Arc<LeaseStore<L>>,
        settings: &Reclaim,
        count: Count<L>,
        log: Log,
    ) -> Option<Self> {
        if settings.every == 0 {
            return None;
        }
        let every = Duration::from_secs(settings.every.into());
        Some(Reclaimer {
            leases,
            count,
            config: settings.pass.clone(),
            every,
            next: Instant::now() + every,
            incomplete: 0,
            ids: if L::FAMILY == 6 {
                "ALLOC_ENGINE_V6"
            } else {
                "ALLOC_ENGINE_V4"
            },
            log,
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
                    (self.log)(
                        "WARN",
                        &format!("{}_LEASES_RECLAMATION_SLOW", self.ids),
                        &format!(
                            "expired leases still exist after {} reclamations",
                            self.incomplete
                        ),
                    );
                    self.incomplete = 0;
                }
            }
            Ok(_) => self.incomplete = 0,
            Err(e) => (self.log)(
                "ERROR",
                &format!("{}_LEASES_RECLAMATION_FAILED", self.ids),
                &format!("reclaiming expired leases failed: {e}"),
            ),
        }
    }
}

/// Runs compactions of one store on schedule; polled by the main loop.
pub struct Lfc<L: Lease> {
    store: Arc<LeaseStore<L>>,
    every: Duration,
    next: Instant,
    running: Option<JoinHandle<()>>,
    log: Log,
}

impl<L: Lease> Lfc<L> {
    /// The schedule for `store`, or `None` when `lfc_interval` is 0 or the
    /// store keeps leases in memory only. `log(severity, id, text)` reports.
    pub fn new(store: Arc<LeaseStore<L>>, lfc_interval: u32, log: Log) -> Option<Self> {
        if lfc_interval == 0 || !store.config().journal.persist {
            return None;
        }
        log(
            "INFO",
            "DHCPSRV_MEMFILE_LFC_SETUP",
            &format!("setting up the Lease File Cleanup interval to {lfc_interval} sec"),
        );
        let every = Duration::from_secs(lfc_interval.into());
        Some(Lfc {
            store,
            every,
            next: Instant::now() + every,
            running: None,
            log,
        })
    }

    /// Starts a cleanup when one is due.
    pub fn tick(&mut self, now: Instant) {
        if now < self.next {
            return;
        }
        self.next = now + self.every;
        if self.running.as_ref().is_some_and(|t| !t.is_finished()) {
            (self.log)(
                "WARN",
                "XDHCP_LFC_SKIPPED",
                "Lease File Cleanup skipped: the previous one is still running",
            );
            return;
        }
        let log = self.log;
        log(
            "INFO",
            "DHCPSRV_MEMFILE_LFC_START",
            "starting Lease File Cleanup",
        );
        let spawned = self
            .store
            .compact_in_background(move |result, took| match result {
                Ok(rep) => log(
                    "INFO",
                    "LFC_TERMINATE",
                    &format!(
                        "LFC finished processing: {} lease(s) in snapshot {} from {} record(s), \
                     {} file(s) removed, {} damaged byte(s) left out, {} ms",
                        rep.leases,
                        rep.gen,
                        rep.records_read,
                        rep.removed_files,
                        rep.dropped_bytes,
                        took.as_millis()
                    ),
                ),
                Err(e) => log(
                    "ERROR",
                    "LFC_FAIL_PROCESS",
                    &format!("Lease File Cleanup failed: {e}"),
                ),
            });
        match spawned {
            Ok(t) => self.running = Some(t),
            Err(e) => log(
                "ERROR",
                "DHCPSRV_MEMFILE_LFC_SPAWN_FAIL",
                &format!("Lease File Cleanup could not start: {e}"),
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::journal::RecordKind;
    use crate::lease::{Lease4, LeaseState, StoreConfig};

    fn quiet(_: &str, _: &str, _: &str) {}

    /// Passes every `every` seconds with Kea's limits, keeping reclaimed
    /// leases `hold` seconds.
    fn settings(every: u32, hold: u32) -> Reclaim {
        Reclaim {
            every,
            pass: ReclaimConfig {
                hold_reclaimed_time: hold,
                ..ReclaimConfig::default()
            },
        }
    }

    #[test]
    fn a_pass_runs_when_due_and_removes_expired_leases() {
        let (store, _) = LeaseStore::<Lease4>::open(StoreConfig::memory(2, 64)).unwrap();
        let long_ago = 1_000_000;
        let lease = Lease4::new("192.0.2.10".parse().unwrap(), long_ago, 60, 1);
        store
            .claim(lease, long_ago.into(), RecordKind::Allocate)
            .map_err(|(_, e)| e)
            .unwrap();
        let counted = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let c = counted.clone();
        let count: Count<Lease4> = Box::new(move |r| {
            assert_eq!((r.subnet_id, r.declined), (1, false));
            c.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        });
        let mut r = Reclaimer::new(store.clone(), &settings(1, 0), count, quiet).unwrap();
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
        let kept = settings(1, u32::MAX);
        let mut r = Reclaimer::new(store.clone(), &kept, Box::new(|_| {}), quiet).unwrap();
        r.tick(Instant::now() + Duration::from_secs(2));
        let l = store.get("192.0.2.11".parse().unwrap()).expect("kept");
        assert_eq!(l.state, LeaseState::ExpiredReclaimed);
        let off = settings(0, 0);
        assert!(Reclaimer::new(store, &off, Box::new(|_| {}), quiet).is_none());
    }
}
