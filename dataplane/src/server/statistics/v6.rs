//! Kea's DHCPv6 statistics: `pkt6-*` from the workers, per-subnet, per-pool
//! and per-pd-pool counters from the workers' scopes, address and prefix
//! counts from one pass over the lease table.

use crate::config::Config6;
use crate::lease::{LeaseState, LeaseType};
use crate::stats::{sum, Counters6, ScopeLayout, ScopeStat, ScopeTotals, SCOPE_STATS};

use super::{
    count_leases, name_pools, positions, subnet_failures, unix_now, Held, LeaseCounts, Sources6,
};

impl Sources6 {
    /// One pass over the leases; pools are positioned address pools first,
    /// then prefix delegation pools, as the workers count them.
    fn lease_counts(&self, config: &Config6) -> LeaseCounts {
        let subnets = &config.subnets;
        let position = positions(subnets.iter().map(|s| s.id));
        let pools: Vec<usize> = subnets
            .iter()
            .map(|s| s.pools.len() + s.pd_pools.len())
            .collect();
        let now = unix_now();
        count_leases(&self.leases, &pools, |l| {
            let i = *position.get(&l.subnet_id)?;
            let s = &subnets[i];
            let live = u64::from(l.cltt) + u64::from(l.valid_lft) > now;
            let held = match (l.state, l.lease_type) {
                (LeaseState::Default, LeaseType::Pd) if live => Held::AssignedPd,
                (LeaseState::Default, _) if live => Held::Assigned,
                (LeaseState::Declined, _) => Held::Declined,
                _ => return None,
            };
            let pool = match l.lease_type {
                LeaseType::Pd => s
                    .pd_pools
                    .iter()
                    .position(|p| p.holds(l.addr, l.prefix_len))
                    .map(|j| j + s.pools.len()),
                _ => {
                    let a = u128::from(l.addr);
                    s.pools.iter().position(|p| p.pool().offset_of(a).is_some())
                }
            };
            Some((i, pool, held))
        })
    }

    /// Every DHCPv6 statistic with its raw value, in Kea's names.
    pub fn read(&self) -> Vec<(String, i64)> {
        let packets = sum(self.workers.iter().map(|w| w.packets.values()));
        let mut out: Vec<(String, i64)> = Counters6::NAMES
            .iter()
            .zip(packets)
            .map(|(n, v)| (n.to_string(), v as i64))
            .collect();
        // One snapshot for the whole read: a reload may swap it meanwhile.
        let config = self.config.load_full();
        let leases = self.lease_counts(&config);
        // Summed by subnet ID and pool: workers may still count for the
        // previous configuration.
        let counted = ScopeTotals::of(self.workers.iter().map(|w| &w.scopes));
        let keys = config.scope_layout();
        let mut global = [0u64; SCOPE_STATS];
        let mut declined_total = 0;
        let mut subnets: Vec<(String, u64)> = Vec::new();
        for (i, s) in config.subnets.iter().enumerate() {
            let c = counted.subnet(s.id);
            for (g, v) in global.iter_mut().zip(c) {
                *g += v;
            }
            let held = leases.subnets[i];
            declined_total += held[Held::Declined as usize];
            let p = format!("subnet[{}].", s.id);
            let at = |k: ScopeStat| c[k as usize];
            let nas: u64 = s.pools.iter().map(|p| p.pool().count).sum();
            let pds: u64 = s.pd_pools.iter().map(|p| p.alloc.pool().count).sum();
            for (name, v) in [
                ("total-nas", nas),
                ("total-pds", pds),
                ("assigned-nas", held[Held::Assigned as usize]),
                ("assigned-pds", held[Held::AssignedPd as usize]),
                ("cumulative-assigned-nas", at(ScopeStat::CumulativeAssigned)),
                (
                    "cumulative-assigned-pds",
                    at(ScopeStat::CumulativeAssignedPd),
                ),
                ("declined-addresses", held[Held::Declined as usize]),
                (
                    "reclaimed-declined-addresses",
                    at(ScopeStat::ReclaimedDeclined),
                ),
                ("reclaimed-leases", at(ScopeStat::Reclaimed)),
            ] {
                subnets.push((format!("{p}{name}"), v));
            }
            subnet_failures(6, &p, &c, &mut subnets);
            let pool = |j: usize, size: u64| {
                let c = counted.pool(s.id, keys[i].1[j]);
                let h = leases.pools[i][j];
                [
                    size,
                    h[Held::Assigned as usize] + h[Held::AssignedPd as usize],
                    c[ScopeStat::CumulativeAssigned as usize]
                        + c[ScopeStat::CumulativeAssignedPd as usize],
                    h[Held::Declined as usize],
                    c[ScopeStat::ReclaimedDeclined as usize],
                    c[ScopeStat::Reclaimed as usize],
                ]
            };
            let na: Vec<[u64; 6]> = s
                .pools
                .iter()
                .enumerate()
                .map(|(j, a)| pool(j, a.pool().count))
                .collect();
            let names = [
                "total-nas",
                "assigned-nas",
                "cumulative-assigned-nas",
                "declined-addresses",
                "reclaimed-declined-addresses",
                "reclaimed-leases",
            ];
            name_pools(&p, "pool", &s.pool_ids, &na, names, &mut subnets);
            // Prefixes are not declined: those columns are left out.
            let pd: Vec<[u64; 4]> = s
                .pd_pools
                .iter()
                .enumerate()
                .map(|(j, d)| {
                    let [total, assigned, cumulative, _, _, reclaimed] =
                        pool(j + s.pools.len(), d.alloc.pool().count);
                    [total, assigned, cumulative, reclaimed]
                })
                .collect();
            let ids: Vec<u32> = s.pd_pools.iter().map(|d| d.id).collect();
            let names = [
                "total-pds",
                "assigned-pds",
                "cumulative-assigned-pds",
                "reclaimed-leases",
            ];
            name_pools(&p, "pd-pool", &ids, &pd, names, &mut subnets);
        }
        let globals = [
            (
                "cumulative-assigned-nas",
                global[ScopeStat::CumulativeAssigned as usize],
            ),
            (
                "cumulative-assigned-pds",
                global[ScopeStat::CumulativeAssignedPd as usize],
            ),
            ("declined-addresses", declined_total),
            (
                "reclaimed-declined-addresses",
                global[ScopeStat::ReclaimedDeclined as usize],
            ),
            ("reclaimed-leases", global[ScopeStat::Reclaimed as usize]),
        ];
        let failures =
            ScopeStat::FAILURES.map(|k| (k.kea_name(6).unwrap_or_default(), global[k as usize]));
        out.extend(
            globals
                .into_iter()
                .chain(failures)
                .map(|(n, v)| (n.to_string(), v))
                .chain(subnets)
                .map(|(n, v)| (n, v as i64)),
        );
        out
    }
}
