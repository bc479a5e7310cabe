//! Kea's DHCPv4 statistics: `pkt4-*` from the workers, per-subnet and
//! per-pool counters from the workers' scopes, address counts from one
//! pass over the lease table.

use crate::config::Config4;
use crate::lease::LeaseState;
use crate::stats::{sum, Counters4, ScopeLayout, ScopeStat, ScopeTotals, SCOPE_STATS};

use super::{
    count_leases, name_pools, positions, subnet_failures, unix_now, Held, LeaseCounts, Sources4,
};

impl Sources4 {
    /// One pass over the leases: what each subnet and pool holds.
    fn lease_counts(&self, config: &Config4) -> LeaseCounts {
        let subnets = &config.subnets;
        let position = positions(subnets.iter().map(|s| s.id));
        let pools: Vec<usize> = subnets.iter().map(|s| s.pools.len()).collect();
        let now = unix_now();
        count_leases(&self.leases, &pools, |l| {
            let i = *position.get(&l.subnet_id)?;
            let held = match l.state {
                // Kea counts a lease as assigned until it is reclaimed;
                // xdhcp reuses expired leases in place, so expiry ends it.
                LeaseState::Default if u64::from(l.cltt) + u64::from(l.valid_lft) > now => {
                    Held::Assigned
                }
                LeaseState::Declined => Held::Declined,
                _ => return None,
            };
            let a = u32::from(l.addr).into();
            let pool = subnets[i]
                .pools
                .iter()
                .position(|p| p.pool().offset_of(a).is_some());
            Some((i, pool, held))
        })
    }

    /// Every DHCPv4 statistic with its raw value, in Kea's names.
    pub fn read(&self) -> Vec<(String, i64)> {
        let mut out: Vec<(String, i64)> = Vec::new();
        let mut put = |name: String, v: u64| out.push((name, v as i64));
        let packets = sum(self.workers.iter().map(|w| w.packets.values()));
        for (name, v) in Counters4::NAMES.iter().zip(packets) {
            put(name.to_string(), v);
        }
        // One snapshot for the whole read: a reload may swap it meanwhile.
        let config = self.config.load_full();
        let leases = self.lease_counts(&config);
        // Summed by subnet ID and pool: workers may still count for the
        // previous configuration.
        let counted = ScopeTotals::of(self.workers.iter().map(|w| &w.scopes));
        let keys = config.scope_layout();
        let mut global = [0u64; SCOPE_STATS];
        let mut declined_total = 0;
        let mut subnets = Vec::new();
        for (i, s) in config.subnets.iter().enumerate() {
            let c = counted.subnet(s.id);
            for (g, v) in global.iter_mut().zip(c) {
                *g += v;
            }
            declined_total += leases.subnets[i][Held::Declined as usize];
            let p = format!("subnet[{}].", s.id);
            let total: u64 = s.pools.iter().map(|p| p.pool().count).sum();
            let at = |k: ScopeStat| c[k as usize];
            for (name, v) in [
                ("total-addresses", total),
                (
                    "assigned-addresses",
                    leases.subnets[i][Held::Assigned as usize],
                ),
                (
                    "cumulative-assigned-addresses",
                    at(ScopeStat::CumulativeAssigned),
                ),
                (
                    "declined-addresses",
                    leases.subnets[i][Held::Declined as usize],
                ),
                (
                    "reclaimed-declined-addresses",
                    at(ScopeStat::ReclaimedDeclined),
                ),
                ("reclaimed-leases", at(ScopeStat::Reclaimed)),
                (
                    "v4-reservation-conflicts",
                    at(ScopeStat::ReservationConflicts),
                ),
            ] {
                subnets.push((format!("{p}{name}"), v));
            }
            subnet_failures(4, &p, &c, &mut subnets);
            let per_pool: Vec<[u64; 6]> = s
                .pools
                .iter()
                .enumerate()
                .map(|(j, pool)| {
                    let c = counted.pool(s.id, keys[i].1[j]);
                    let [assigned, _, declined] = leases.pools[i][j];
                    [
                        pool.pool().count,
                        assigned,
                        c[ScopeStat::CumulativeAssigned as usize],
                        declined,
                        c[ScopeStat::ReclaimedDeclined as usize],
                        c[ScopeStat::Reclaimed as usize],
                    ]
                })
                .collect();
            let names = [
                "total-addresses",
                "assigned-addresses",
                "cumulative-assigned-addresses",
                "declined-addresses",
                "reclaimed-declined-addresses",
                "reclaimed-leases",
            ];
            name_pools(&p, "pool", &s.pool_ids, &per_pool, names, &mut subnets);
        }
        put(
            "cumulative-assigned-addresses".into(),
            global[ScopeStat::CumulativeAssigned as usize],
        );
        put("declined-addresses".into(), declined_total);
        put(
            "reclaimed-declined-addresses".into(),
            global[ScopeStat::ReclaimedDeclined as usize],
        );
        put(
            "reclaimed-leases".into(),
            global[ScopeStat::Reclaimed as usize],
        );
        for k in ScopeStat::FAILURES
            .into_iter()
            .chain([ScopeStat::ReservationConflicts])
        {
            put(k.kea_name(4).unwrap_or_default().into(), global[k as usize]);
        }
        for (n, v) in subnets {
            put(n, v);
        }
        out
    }
}
