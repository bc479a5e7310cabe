//! Per-subnet and per-pool counters of one worker, sized from a compiled
//! configuration: a cache line per subnet and per pool, indexed by the
//! subnet's position in the configuration and the pool's position in its
//! subnet, so counting needs no lookup and no allocation.

use std::any::Any;
use std::collections::HashMap;
use std::sync::Arc;

use arc_swap::ArcSwap;

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

/// A pool across configurations: its first address, size and delegated
/// length (a pool that a reload keeps has the same key).
pub type PoolKey = (u128, u64, u8);

/// A compiled configuration's subnets and pools, in the order the engine
/// counts them: each subnet's ID with its pools' keys.
pub trait ScopeLayout: Send + Sync + 'static {
    /// Every subnet's ID and pool keys, in configuration order.
    fn scope_layout(&self) -> Vec<(u32, Vec<PoolKey>)>;
}

fn key(p: &crate::alloc::Pool) -> PoolKey {
    (p.first, p.count, p.delegated_len)
}

impl ScopeLayout for Config4 {
    fn scope_layout(&self) -> Vec<(u32, Vec<PoolKey>)> {
        let each = self.subnets.iter().map(|s| {
            let pools = s.pools.iter().map(|p| key(p.pool())).collect();
            (s.id, pools)
        });
        each.collect()
    }
}

impl ScopeLayout for Config6 {
    /// Address pools, then prefix delegation pools.
    fn scope_layout(&self) -> Vec<(u32, Vec<PoolKey>)> {
        let each = self.subnets.iter().map(|s| {
            let pd = s.pd_pools.iter().map(|p| key(p.alloc.pool()));
            let pools = s.pools.iter().map(|p| key(p.pool())).chain(pd).collect();
            (s.id, pools)
        });
        each.collect()
    }
}

/// Counters laid out for one configuration.
#[derive(Default)]
struct Table {
    /// The configuration laid out for, kept alive so that its address
    /// cannot be reused by another one; `None` for a table made from a
    /// borrowed configuration.
    config: Option<Arc<dyn Any + Send + Sync>>,
    /// Subnet IDs and pool keys by position.
    layout: Vec<(u32, Vec<PoolKey>)>,
    subnets: Box<[Line<SCOPE_STATS>]>,
    pools: Box<[Line<SCOPE_STATS>]>,
    /// Index in `pools` of each subnet's first pool.
    first_pool: Box<[usize]>,
}

impl Table {
    fn new(layout: Vec<(u32, Vec<PoolKey>)>) -> Table {
        let mut first_pool = Vec::new();
        let mut total = 0;
        for (_, pools) in &layout {
            first_pool.push(total);
            total += pools.len();
        }
        Table {
            config: None,
            subnets: (0..layout.len()).map(|_| Line::default()).collect(),
            pools: (0..total).map(|_| Line::default()).collect(),
            first_pool: first_pool.into(),
            layout,
        }
    }

    fn pool_line(&self, subnet: usize, pool: usize) -> Option<&Line<SCOPE_STATS>> {
        let first = self.first_pool.get(subnet)?;
        let count = self.layout.get(subnet)?.1.len();
        (pool < count).then(|| self.pools.get(first + pool))?
    }
}

/// One worker's per-subnet and per-pool counters. They follow the
/// configuration the worker serves: when a reload adds, removes or
/// reorders subnets or pools, the worker lays them out again for the new
/// configuration before its next batch ([`Scopes::follow`]), carrying
/// each surviving subnet's and pool's counts over, so counting stays a
/// position lookup and readers sum by subnet ID and pool.
#[derive(Default)]
pub struct Scopes {
    table: ArcSwap<Table>,
}

impl std::fmt::Debug for Scopes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Scopes")
            .field("layout", &self.table.load().layout)
            .finish()
    }
}

impl Scopes {
    /// Counters for subnets holding `pools[i]` pools each (IDs from 1).
    pub fn new(pools: impl IntoIterator<Item = usize>) -> Scopes {
        let layout = (1..)
            .zip(pools)
            .map(|(id, n)| (id, (0..n as u128).map(|p| (p, 1, 0)).collect()))
            .collect();
        Scopes {
            table: ArcSwap::from_pointee(Table::new(layout)),
        }
    }

    /// Counters for a `Dhcp4` configuration: its subnets and their pools.
    pub fn for_v4(config: &Config4) -> Scopes {
        Scopes::laid_out(config)
    }

    /// Counters for a `Dhcp6` configuration: its subnets and their address
    /// pools followed by their prefix delegation pools.
    pub fn for_v6(config: &Config6) -> Scopes {
        Scopes::laid_out(config)
    }

    fn laid_out(config: &impl ScopeLayout) -> Scopes {
        Scopes {
            table: ArcSwap::from_pointee(Table::new(config.scope_layout())),
        }
    }

    /// Lays the counters out for `config`, the configuration about to be
    /// counted for, unless they already are: surviving subnets (by ID) and
    /// pools (by key) keep their counts, others start at zero. Only the
    /// thread that counts may call it (no count can then be lost between
    /// the copy and the swap); it allocates only when the configuration
    /// changed.
    pub fn follow<C: ScopeLayout>(&self, config: &Arc<C>) {
        let current = self.table.load();
        let same = current
            .config
            .as_ref()
            .is_some_and(|c| std::ptr::addr_eq(Arc::as_ptr(c), Arc::as_ptr(config)));
        if same {
            return;
        }
        let mut next = Table::new(config.scope_layout());
        for (i, (id, pools)) in next.layout.iter().enumerate() {
            let Some(old) = current.layout.iter().position(|(o, _)| o == id) else {
                continue;
            };
            carry(&current.subnets[old], &next.subnets[i]);
            for (j, k) in pools.iter().enumerate() {
                let was = current.layout[old].1.iter().position(|o| o == k);
                let from = was.and_then(|p| current.pool_line(old, p));
                if let (Some(from), Some(to)) = (from, next.pool_line(i, j)) {
                    carry(from, to);
                }
            }
        }
        next.config = Some(config.clone());
        self.table.store(Arc::new(next));
    }

    /// Counts `stat` once for subnet `subnet` and, when given, its pool
    /// `pool` (positions in the configuration last followed).
    pub fn count(&self, stat: ScopeStat, subnet: usize, pool: Option<usize>) {
        let table = self.table.load();
        if let Some(line) = table.subnets.get(subnet) {
            line.add(stat as usize, 1);
        }
        if let Some(line) = pool.and_then(|p| table.pool_line(subnet, p)) {
            line.add(stat as usize, 1);
        }
    }

    /// Subnet `subnet`'s counters, in [`ScopeStat`] order.
    pub fn subnet(&self, subnet: usize) -> [u64; SCOPE_STATS] {
        let table = self.table.load();
        table
            .subnets
            .get(subnet)
            .map_or([0; SCOPE_STATS], Line::values)
    }

    /// The counters of pool `pool` of subnet `subnet`.
    pub fn pool(&self, subnet: usize, pool: usize) -> [u64; SCOPE_STATS] {
        let table = self.table.load();
        let line = table.pool_line(subnet, pool);
        line.map_or([0; SCOPE_STATS], Line::values)
    }
}

/// Adds the counts of `from` to `to`.
fn carry(from: &Line<SCOPE_STATS>, to: &Line<SCOPE_STATS>) {
    for (i, v) in from.values().into_iter().enumerate() {
        to.add(i, v);
    }
}

/// Several workers' counters summed by subnet ID and pool, whatever
/// configuration each last followed.
#[derive(Debug, Default)]
pub struct ScopeTotals {
    subnets: HashMap<u32, [u64; SCOPE_STATS]>,
    pools: HashMap<(u32, PoolKey), [u64; SCOPE_STATS]>,
}

impl ScopeTotals {
    /// The sums over `workers`.
    pub fn of<'a>(workers: impl IntoIterator<Item = &'a Scopes>) -> ScopeTotals {
        let mut t = ScopeTotals::default();
        let add = |total: &mut [u64; SCOPE_STATS], line: &Line<SCOPE_STATS>| {
            total
                .iter_mut()
                .zip(line.values())
                .for_each(|(t, v)| *t += v);
        };
        for w in workers {
            let table = w.table.load();
            for (i, (id, pools)) in table.layout.iter().enumerate() {
                add(t.subnets.entry(*id).or_default(), &table.subnets[i]);
                for (j, k) in pools.iter().enumerate() {
                    if let Some(line) = table.pool_line(i, j) {
                        add(t.pools.entry((*id, *k)).or_default(), line);
                    }
                }
            }
        }
        t
    }

    /// Subnet `id`'s counters.
    pub fn subnet(&self, id: u32) -> [u64; SCOPE_STATS] {
        self.subnets.get(&id).copied().unwrap_or_default()
    }

    /// The counters of pool `pool` of subnet `id`.
    pub fn pool(&self, id: u32, pool: PoolKey) -> [u64; SCOPE_STATS] {
        self.pools.get(&(id, pool)).copied().unwrap_or_default()
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

    #[test]
    fn following_a_new_layout_keeps_surviving_counts_by_id() {
        struct L(Vec<(u32, Vec<PoolKey>)>);
        impl ScopeLayout for L {
            fn scope_layout(&self) -> Vec<(u32, Vec<PoolKey>)> {
                self.0.clone()
            }
        }
        let s = Scopes::default();
        s.follow(&Arc::new(L(vec![(5, vec![(10, 4, 32)])])));
        s.count(ScopeStat::CumulativeAssigned, 0, Some(0));
        // Subnet 9 is added in front; subnet 5 moves to position 1.
        let next = Arc::new(L(vec![(9, vec![(20, 4, 32)]), (5, vec![(10, 4, 32)])]));
        s.follow(&next);
        s.count(ScopeStat::CumulativeAssigned, 0, Some(0));
        let t = ScopeTotals::of([&s]);
        assert_eq!(t.subnet(5)[0], 1);
        assert_eq!(t.pool(5, (10, 4, 32))[0], 1);
        assert_eq!(t.subnet(9)[0], 1);
        assert_eq!(t.pool(9, (20, 4, 32))[0], 1);
        assert_eq!(s.subnet(1)[0], 1);
    }
}
