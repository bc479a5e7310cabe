//! What a running server counts, read at one moment: Kea's statistics of
//! each family, named as Kea names them ([`v4`], [`v6`]), from the
//! workers' counters and one pass over the lease tables; and xdhcp's own
//! counters for `/metrics` (each worker's packets and latency, the steering
//! programs', the journals' flush lag).
//!
//! The control plane keeps what operators do to the statistics (resets,
//! removals, samples); it reads them here when in the same process, or
//! asks the dataplane process for a [`Reading`] over the channel.

mod reclaimed;
mod v4;
mod v6;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};

use crate::config::{Config4, Config6, Live};
use crate::io::serve::{Serving, WorkerCounters};
use crate::io::xdp::Counters;
use crate::journal::FlushPolicy;
use crate::lease::{FlushLag, Lease, Lease4, Lease6, LeaseStore};
use crate::server::family::Family;
use crate::server::upkeep::Count;
use crate::stats::{Histogram, ScopeStat, Stat4, Stat6, Stats4, Stats6, SCOPE_STATS};

/// What one family's Kea statistics are read from.
pub struct Sources<Config, Worker, L: Lease> {
    /// The running compiled configuration (pool sizes and IDs, subnet
    /// order), as reloads leave it.
    pub config: Arc<Live<Config>>,
    /// Every worker's counters, and those lease reclamation writes.
    pub workers: Vec<Arc<Worker>>,
    /// The leases, for assigned and declined counts.
    pub leases: Arc<LeaseStore<L>>,
}

/// The sources of the DHCPv4 statistics.
pub type Sources4 = Sources<Config4, Stats4, Lease4>;
/// The sources of the DHCPv6 statistics.
pub type Sources6 = Sources<Config6, Stats6, Lease6>;

/// Which part of a server's counters to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Part {
    /// Kea's DHCPv4 statistics only.
    Dhcp4,
    /// Kea's DHCPv6 statistics only.
    Dhcp6,
    /// Everything `/metrics` shows.
    All,
}

/// One worker's own counters, as `/metrics` shows them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorkerReading {
    /// The interface it serves.
    pub interface: String,
    /// DHCPv4 messages received and sent.
    pub v4: (u64, u64),
    /// DHCPv6 messages received and sent.
    pub v6: (u64, u64),
    /// Time from receiving a batch to sending its replies.
    pub latency: Histogram,
}

/// One lease journal's flush lag.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JournalReading {
    /// `dhcp4` or `dhcp6`.
    pub service: String,
    /// `os`, `periodic` or `group-commit`.
    pub policy: String,
    /// How far its stable copy trails.
    pub lag: FlushLag,
}

/// A server's counters at one moment.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Reading {
    /// When these counters started counting (microseconds since 1970): a
    /// new value means they count from 0 again.
    pub started: u64,
    /// Kea's DHCPv4 statistics, raw (before operators' resets), when asked
    /// for and served.
    pub dhcp4: Option<Vec<(String, i64)>>,
    /// The same for DHCPv6.
    pub dhcp6: Option<Vec<(String, i64)>>,
    /// Each worker's counters ([`Part::All`] only).
    pub workers: Vec<WorkerReading>,
    /// The steering programs' counters by interface ([`Part::All`] only).
    pub xdp: Vec<(String, Counters)>,
    /// The lease journals ([`Part::All`] only).
    pub journals: Vec<JournalReading>,
}

/// Everything a server counts, ready to be read.
pub struct Counting {
    started: u64,
    v4: Option<Sources4>,
    v6: Option<Sources6>,
    /// What lease reclamation counts (per subnet and pool).
    reclaimed4: Arc<Stats4>,
    reclaimed6: Arc<Stats6>,
    workers: Vec<(String, WorkerCounters)>,
    journals: Vec<Box<dyn Fn() -> JournalReading + Send + Sync>>,
    /// Copied by the thread that owns the steering programs
    /// ([`Counting::refresh`]).
    xdp: Mutex<Vec<(String, Counters)>>,
}

fn journal<L: Lease>(
    service: &str,
    leases: &Arc<LeaseStore<L>>,
) -> Box<dyn Fn() -> JournalReading + Send + Sync> {
    let policy = match leases.config().journal.flush {
        FlushPolicy::Os => "os",
        FlushPolicy::Periodic(_) => "periodic",
        FlushPolicy::GroupCommit => "group-commit",
    };
    let (service, leases) = (service.to_string(), leases.clone());
    Box::new(move || JournalReading {
        service: service.clone(),
        policy: policy.into(),
        lag: leases.flush_lag(),
    })
}

impl Counting {
    /// The counters of the families served and of `served`, each
    /// interface's name with its serving workers.
    pub fn new(
        v4: Option<&Family<Config4, Lease4>>,
        v6: Option<&Family<Config6, Lease6>>,
        served: &[(String, &Serving)],
    ) -> Counting {
        let workers: Vec<(String, WorkerCounters)> = served
            .iter()
            .flat_map(|(name, s)| s.counters().iter().map(move |c| (name.clone(), c.clone())))
            .collect();
        let mut counting = Counting::from_sources(
            v4.map(|f| Sources {
                config: f.config.clone(),
                workers: workers.iter().map(|(_, w)| w.v4.clone()).collect(),
                leases: f.leases.clone(),
            }),
            v6.map(|f| Sources {
                config: f.config.clone(),
                workers: workers.iter().map(|(_, w)| w.v6.clone()).collect(),
                leases: f.leases.clone(),
            }),
        );
        counting.journals = (v4.map(|f| journal("dhcp4", &f.leases)).into_iter())
            .chain(v6.map(|f| journal("dhcp6", &f.leases)))
            .collect();
        counting.workers = workers;
        counting.refresh(served);
        counting
    }

    /// Kea's statistics over `v4` and `v6` alone (no workers of their own
    /// to show, no journals, no steering programs); lease reclamation's
    /// counters are added to each.
    pub fn from_sources(v4: Option<Sources4>, v6: Option<Sources6>) -> Counting {
        let started = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_micros() as u64);
        let (reclaimed4, reclaimed6) = (Arc::new(Stats4::default()), Arc::new(Stats6::default()));
        Counting {
            started,
            v4: v4.map(|mut s| {
                s.workers.push(reclaimed4.clone());
                s
            }),
            v6: v6.map(|mut s| {
                s.workers.push(reclaimed6.clone());
                s
            }),
            reclaimed4,
            reclaimed6,
            workers: Vec::new(),
            journals: Vec::new(),
            xdp: Mutex::default(),
        }
    }

    /// Copies the steering programs' counters for the next reading (the
    /// programs belong to the thread that serves `served`).
    pub fn refresh(&self, served: &[(String, &Serving)]) {
        let counters = served
            .iter()
            .filter_map(|(name, s)| Some((name.clone(), s.program()?.counters().ok()?)))
            .collect();
        *self.xdp.lock().unwrap_or_else(|e| e.into_inner()) = counters;
    }

    /// What lease reclamation of DHCPv4 leases counts with.
    pub fn reclaimed4(&self) -> Option<Count<Lease4>> {
        let config = self.v4.as_ref()?.config.clone();
        Some(reclaimed::count4(self.reclaimed4.clone(), config))
    }

    /// What lease reclamation of DHCPv6 leases counts with.
    pub fn reclaimed6(&self) -> Option<Count<Lease6>> {
        let config = self.v6.as_ref()?.config.clone();
        Some(reclaimed::count6(self.reclaimed6.clone(), config))
    }

    /// Reads `part` now.
    pub fn read(&self, part: Part) -> Reading {
        let wants = |family: Part| part == family || part == Part::All;
        let mut reading = Reading {
            started: self.started,
            dhcp4: self
                .v4
                .as_ref()
                .filter(|_| wants(Part::Dhcp4))
                .map(Sources4::read),
            dhcp6: self
                .v6
                .as_ref()
                .filter(|_| wants(Part::Dhcp6))
                .map(Sources6::read),
            ..Reading::default()
        };
        if part == Part::All {
            reading.workers = (self.workers.iter())
                .map(|(interface, w)| {
                    let (v4, v6) = (w.v4.packets.values(), w.v6.packets.values());
                    WorkerReading {
                        interface: interface.clone(),
                        v4: (v4[Stat4::Received as usize], v4[Stat4::Sent as usize]),
                        v6: (v6[Stat6::Received as usize], v6[Stat6::Sent as usize]),
                        latency: w.latency.read(),
                    }
                })
                .collect();
            reading.xdp = self.xdp.lock().unwrap_or_else(|e| e.into_inner()).clone();
            reading.journals = self.journals.iter().map(|j| j()).collect();
        }
        reading
    }
}

/// Sums `values` over the pools sharing each pool ID (Kea's `pool[pid]`),
/// in order of first appearance; `ids` lists each pool's ID, a missing
/// one meaning pool 0.
fn by_pool_id<const N: usize>(ids: &[u32], values: &[[u64; N]]) -> Vec<(u32, [u64; N])> {
    let mut out: Vec<(u32, [u64; N])> = Vec::new();
    for (j, v) in values.iter().enumerate() {
        let id = ids.get(j).copied().unwrap_or(0);
        match out.iter_mut().find(|(i, _)| *i == id) {
            Some((_, total)) => total.iter_mut().zip(v).for_each(|(t, x)| *t += x),
            None => out.push((id, *v)),
        }
    }
    out
}

/// Names the statistics of the pools sharing each pool ID:
/// `{subnet}{kind}[{id}].{name}` (`subnet` is `subnet[ID].`, `kind`
/// `pool` or `pd-pool`), each value of `values` (one row per pool, summed
/// by [`by_pool_id`]) under the name at its place in `names`.
fn name_pools<const N: usize>(
    subnet: &str,
    kind: &str,
    ids: &[u32],
    values: &[[u64; N]],
    names: [&str; N],
    out: &mut Vec<(String, u64)>,
) {
    for (id, summed) in by_pool_id(ids, values) {
        for (name, v) in names.iter().zip(summed) {
            out.push((format!("{subnet}{kind}[{id}].{name}"), v));
        }
    }
}

/// What a lease counts as in its subnet and pool.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Held {
    /// An assigned address (v6: IA_NA address).
    Assigned = 0,
    /// An assigned delegated prefix.
    AssignedPd = 1,
    /// A declined address.
    Declined = 2,
}

/// Leases held per subnet and per pool, `[assigned, assigned pd, declined]`.
struct LeaseCounts {
    subnets: Vec<[u64; 3]>,
    pools: Vec<Vec<[u64; 3]>>,
}

/// One pass over `leases`: `place` says where a lease counts (subnet
/// position, pool position, what it counts as), or that it does not.
fn count_leases<L: Lease>(
    leases: &LeaseStore<L>,
    pools_per_subnet: &[usize],
    place: impl Fn(&L) -> Option<(usize, Option<usize>, Held)>,
) -> LeaseCounts {
    let mut c = LeaseCounts {
        subnets: vec![[0; 3]; pools_per_subnet.len()],
        pools: pools_per_subnet.iter().map(|&n| vec![[0; 3]; n]).collect(),
    };
    leases.for_each(|l| {
        if let Some((i, pool, held)) = place(l) {
            if let Some(s) = c.subnets.get_mut(i) {
                s[held as usize] += 1;
            }
            if let Some(p) = pool.and_then(|j| c.pools.get_mut(i)?.get_mut(j)) {
                p[held as usize] += 1;
            }
        }
    });
    c
}

/// Each subnet's position in `ids`, the compiled subnets' IDs.
fn positions(ids: impl Iterator<Item = u32>) -> HashMap<u32, usize> {
    ids.enumerate().map(|(i, id)| (id, i)).collect()
}

/// Seconds since 1970, for lease expiry.
fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// Kea's allocation failure statistics of one subnet (`prefix` is
/// `subnet[ID].`), which Kea creates on the first failure.
fn subnet_failures(
    family: u8,
    prefix: &str,
    counts: &[u64; SCOPE_STATS],
    out: &mut Vec<(String, u64)>,
) {
    for k in ScopeStat::FAILURES {
        let v = counts[k as usize];
        if let (true, Some(name)) = (v > 0, k.kea_name(family)) {
            out.push((format!("{prefix}{name}"), v));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pools_sharing_an_id_are_summed_in_order_of_first_appearance() {
        let summed = by_pool_id(&[5, 0, 5], &[[1, 2], [10, 20], [100, 200], [7, 7]]);
        assert_eq!(summed, vec![(5, [101, 202]), (0, [17, 27])]);
    }
}
