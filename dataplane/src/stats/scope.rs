//! Per-subnet and per-pool counters of one worker, sized from a compiled
//! configuration: a cache line per subnet and per pool, indexed by the
//! subnet's position in the configuration and the pool's position in its
//! subnet, so counting needs no lookup and no allocation.

use super::Line;
use crate::config::{Config4, Config6};

/// Counters kept per subnet and per pool.
pub const SCOPE_STATS: usize = 10;

/// Index of each per-scope counter. Kea's names differ by family; see
/// [`ScopeStat::kea_name`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(usize)]
pub enum ScopeStat {
    /// Addresses (v6: IA_NA addresses) newly assigned.
    CumulativeAssigned,
    /// Delegated prefixes newly assigned (v6 only).
    CumulativeAssignedPd,
    /// Allocation failures, whatever the context.
    AllocationFail,
    /// Allocation failures of a client in a shared network.
    AllocationFailSharedNetwork,
    /// Allocation failures of a client in a subnet outside shared networks.
    AllocationFailSubnet,
    /// Allocation failures because the subnets had no pools.
    AllocationFailNoPools,
    /// Allocation failures of a client with classes.
    AllocationFailClasses,
    /// A reserved address held by another client.
    ReservationConflicts,
    /// Expired leases reclaimed, declined ones included.
    Reclaimed,
    /// Declined addresses reclaimed at the end of their probation.
    ReclaimedDeclined,
}

impl ScopeStat {
    /// The allocation failure counters: the total, then by context.
    pub const FAILURES: [ScopeStat; 5] = [
        ScopeStat::AllocationFail,
        ScopeStat::AllocationFailSharedNetwork,
        ScopeStat::AllocationFailSubnet,
        ScopeStat::AllocationFailNoPools,
        ScopeStat::AllocationFailClasses,
    ];

    /// Kea's context of an allocation failure: no pool anywhere in the
    /// selected subnets, else the selected subnet's shared network or not.
    pub fn failure_context(no_pools: bool, shared_network: bool) -> ScopeStat {
        if no_pools {
            ScopeStat::AllocationFailNoPools
        } else if shared_network {
            ScopeStat::AllocationFailSharedNetwork
        } else {
            ScopeStat::AllocationFailSubnet
        }
    }

    /// Kea's name of the counter for DHCP version `family` (4 or 6), if
    /// Kea has it for that family.
    pub fn kea_name(self, family: u8) -> Option<&'static str> {
        let v6 = family == 6;
        Some(match self {
            ScopeStat::CumulativeAssigned if v6 => "cumulative-assigned-nas",
            ScopeStat::CumulativeAssigned => "cumulative-assigned-addresses",
            ScopeStat::CumulativeAssignedPd if v6 => "cumulative-assigned-pds",
            ScopeStat::CumulativeAssignedPd => return None,
            ScopeStat::AllocationFail if v6 => "v6-allocation-fail",
            ScopeStat::AllocationFail => "v4-allocation-fail",
            ScopeStat::AllocationFailSharedNetwork if v6 => "v6-allocation-fail-shared-network",
            ScopeStat::AllocationFailSharedNetwork => "v4-allocation-fail-shared-network",
            ScopeStat::AllocationFailSubnet if v6 => "v6-allocation-fail-subnet",
            ScopeStat::AllocationFailSubnet => "v4-allocation-fail-subnet",
            ScopeStat::AllocationFailNoPools if v6 => "v6-allocation-fail-no-pools",
            ScopeStat::AllocationFailNoPools => "v4-allocation-fail-no-pools",
            ScopeStat::AllocationFailClasses if v6 => "v6-allocation-fail-classes",
            ScopeStat::AllocationFailClasses => "v4-allocation-fail-classes",
            ScopeStat::ReservationConflicts if v6 => return None,
            ScopeStat::ReservationConflicts => "v4-reservation-conflicts",
            ScopeStat::Reclaimed => "reclaimed-leases",
            ScopeStat::ReclaimedDeclined => "reclaimed-declined-addresses",
        })
    }
}

/// One worker's per-subnet and per-pool counters for one configuration.
#[derive(Debug, Default)]
pub struct Scopes {
    subnets: Box<[Line<SCOPE_STATS>]>,
    pools: Box<[Line<SCOPE_STATS>]>,
    /// Index in `pools` of each subnet's first pool.
    first_pool: Box<[usize]>,
}

impl Scopes {
    /// Counters for subnets holding `pools[i]` pools each.
    pub fn new(pools: impl IntoIterator<Item = usize>) -> Scopes {
        let mut first_pool = Vec::new();
        let mut total = 0;
        for n in pools {
            first_pool.push(total);
            total += n;
        }
        Scopes {
            subnets: (0..first_pool.len()).map(|_| Line::default()).collect(),
            pools: (0..total).map(|_| Line::default()).collect(),
            first_pool: first_pool.into(),
        }
    }

    /// Counters for a `Dhcp4` configuration: its subnets and their pools.
    pub fn for_v4(config: &Config4) -> Scopes {
        Scopes::new(config.subnets.iter().map(|s| s.pools.len()))
    }

    /// Counters for a `Dhcp6` configuration: its subnets and their address
    /// pools followed by their prefix delegation pools.
    pub fn for_v6(config: &Config6) -> Scopes {
        Scopes::new(
            config
                .subnets
                .iter()
                .map(|s| s.pools.len() + s.pd_pools.len()),
        )
    }

    /// Counts `stat` once for subnet `subnet` and, when given, its pool `pool`.
    pub fn count(&self, stat: ScopeStat, subnet: usize, pool: Option<usize>) {
        if let Some(line) = self.subnets.get(subnet) {
            line.add(stat as usize, 1);
        }
        let at = pool.and_then(|p| Some(self.first_pool.get(subnet)? + p));
        if let Some(line) = at.and_then(|i| self.pools.get(i)) {
            line.add(stat as usize, 1);
        }
    }

    /// Subnet `subnet`'s counters, in [`ScopeStat`] order.
    pub fn subnet(&self, subnet: usize) -> [u64; SCOPE_STATS] {
        self.subnets
            .get(subnet)
            .map_or([0; SCOPE_STATS], Line::values)
    }

    /// The counters of pool `pool` of subnet `subnet`.
    pub fn pool(&self, subnet: usize, pool: usize) -> [u64; SCOPE_STATS] {
        let line = self
            .first_pool
            .get(subnet)
            .and_then(|f| self.pools.get(f + pool));
        line.map_or([0; SCOPE_STATS], Line::values)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subnet_and_pool_counts_land_on_their_own_lines() {
        let s = Scopes::new([2, 1]);
        s.count(ScopeStat::CumulativeAssigned, 0, Some(1));
        s.count(ScopeStat::CumulativeAssigned, 1, Some(0));
        s.count(ScopeStat::AllocationFail, 1, None);
        s.count(ScopeStat::AllocationFail, 7, Some(9));
        assert_eq!(s.subnet(0)[0], 1);
        assert_eq!(s.pool(0, 0)[0], 0);
        assert_eq!(s.pool(0, 1)[0], 1);
        assert_eq!(s.pool(1, 0)[0], 1);
        assert_eq!(s.subnet(1)[ScopeStat::AllocationFail as usize], 1);
        assert_eq!(s.subnet(7), [0; SCOPE_STATS]);
    }
}
