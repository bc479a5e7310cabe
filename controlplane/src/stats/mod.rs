//! Kea's statistics of a running server: read from the workers' counters
//! and the lease tables ([`v4`], [`v6`]), named and scoped as Kea names
//! them, and kept with Kea's reset, removal and sample semantics
//! ([`registry`]). The `statistic-*` commands and `/metrics` both read here.

pub mod layout;
pub mod registry;
pub mod v4;
pub mod v6;

use std::sync::Mutex;

pub use layout::Layout;
pub use registry::Registry;
use xdhcp_dataplane::stats::{ScopeStat, SCOPE_STATS};

/// Where one DHCP version's statistics come from.
pub trait Source: Send + Sync {
    /// 4 or 6.
    fn family(&self) -> u8;
    /// Subnets and pools as configured, for names and labels.
    fn layout(&self) -> std::sync::Arc<Layout>;
    /// Rebuilds the labels from `file`, the configuration just installed
    /// (after a reload, subnets and pools may have changed).
    fn relabel(&self, file: &serde_json::Value);
    /// Every statistic with its raw value (before resets), in Kea's names.
    fn read(&self) -> Vec<(String, i64)>;
}

/// What one DHCP version's statistics are read from.
pub struct Sources<Config, Worker, L: xdhcp_dataplane::lease::Lease> {
    /// The running compiled configuration (pool sizes, subnet order), as
    /// reloads leave it.
    pub config: std::sync::Arc<xdhcp_dataplane::config::Live<Config>>,
    /// Every worker's counters.
    pub workers: Vec<std::sync::Arc<Worker>>,
    /// The leases, for assigned and declined counts.
    pub leases: std::sync::Arc<xdhcp_dataplane::lease::LeaseStore<L>>,
    /// Subnets and pools as configured, relabelled on reload.
    pub layout: xdhcp_dataplane::config::Live<Layout>,
}

/// One DHCP version's statistics: the source and what operators did to it.
pub struct Stats {
    /// The counters and leases read.
    pub source: Box<dyn Source>,
    /// Resets, removals and samples.
    pub registry: Mutex<Registry>,
}

impl Stats {
    /// Statistics over `source`.
    pub fn new(source: impl Source + 'static) -> Stats {
        Stats {
            source: Box::new(source),
            registry: Mutex::new(Registry::default()),
        }
    }

    /// Takes the configuration `file` just put in force (at start and after
    /// each change): subnets and pools are relabelled, and the section's
    /// `statistic-default-sample-*` limits (or their defaults) apply to
    /// every statistic when they changed ([`Registry::configure`]).
    pub fn configure(&self, file: &serde_json::Value) {
        self.source.relabel(file);
        let section = if self.source.family() == 6 {
            "Dhcp6"
        } else {
            "Dhcp4"
        };
        if let Some(s) = file.get(section) {
            let mut registry = self.registry.lock().unwrap_or_else(|e| e.into_inner());
            registry.configure(registry::Limit::configured(s));
        }
    }

    /// Reads the source once and records what changed; returns the visible
    /// statistics with their values after resets.
    pub fn observe(&self) -> Vec<(String, i64)> {
        let raw = self.source.read();
        self.registry
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .observe(raw)
    }
}

/// Sums `values` over the pools sharing each pool ID (Kea's `pool[pid]`:
/// pools without `pool-id` are pool 0), in order of first appearance.
pub(crate) fn by_pool_id<const N: usize>(ids: &[u32], values: &[[u64; N]]) -> Vec<(u32, [u64; N])> {
    let mut out: Vec<(u32, [u64; N])> = Vec::new();
    for (&id, v) in ids.iter().zip(values) {
        match out.iter_mut().find(|(i, _)| *i == id) {
            Some((_, total)) => total.iter_mut().zip(v).for_each(|(t, x)| *t += x),
            None => out.push((id, *v)),
        }
    }
    out
}

/// The pool IDs of subnet `i`'s pools (`pd` for its prefix pools).
pub(crate) fn pool_ids(layout: &Layout, i: usize, count: usize, pd: bool) -> Vec<u32> {
    let pools = layout
        .subnets
        .get(i)
        .map(|s| if pd { &s.pd_pools } else { &s.pools });
    (0..count)
        .map(|j| pools.and_then(|p| p.get(j)).map_or(0, |p| p.id))
        .collect()
}

/// What a lease counts as in its subnet and pool.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Held {
    /// An assigned address (v6: IA_NA address).
    Assigned = 0,
    /// An assigned delegated prefix.
    AssignedPd = 1,
    /// A declined address.
    Declined = 2,
}

/// Leases held per subnet and per pool, `[assigned, assigned pd, declined]`.
pub(crate) struct LeaseCounts {
    pub subnets: Vec<[u64; 3]>,
    pub pools: Vec<Vec<[u64; 3]>>,
}

/// One pass over `leases`: `place` says where a lease counts (subnet
/// position, pool position, what it counts as), or that it does not.
pub(crate) fn count_leases<L: xdhcp_dataplane::lease::Lease>(
    leases: &xdhcp_dataplane::lease::LeaseStore<L>,
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

/// Seconds since 1970, for lease expiry.
pub(crate) fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// Kea's allocation failure statistics of one subnet (`prefix` is
/// `subnet[ID].`), which Kea creates on the first failure.
pub(crate) fn subnet_failures(
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
