//! Kea's lease file cleanup while serving: every `lfc-interval` seconds
//! (0 disables it, as in Kea) the lease store is compacted in a thread of
//! its own, so the journal does not grow without bound.
//!
//! Compaction takes a shard lock only to switch journals and otherwise
//! reads files the workers no longer write (see
//! `xdhcp_dataplane::lease::compact`), in a thread at the lowest CPU
//! priority. As in Kea, a cleanup due while the previous one still runs is
//! skipped.

use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use xdhcp_dataplane::lease::{Lease, LeaseStore};

/// Runs compactions of one store on schedule; polled by the main loop.
pub struct Lfc<L: Lease> {
    store: Arc<LeaseStore<L>>,
    every: Duration,
    next: Instant,
    running: Option<JoinHandle<()>>,
    log: fn(&str, &str, &str),
}

impl<L: Lease> Lfc<L> {
    /// The schedule for `store`, or `None` when `lfc_interval` is 0 or the
    /// store keeps leases in memory only. `log(severity, id, text)` reports.
    pub fn new(
        store: Arc<LeaseStore<L>>,
        lfc_interval: u32,
        log: fn(&str, &str, &str),
    ) -> Option<Self> {
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
