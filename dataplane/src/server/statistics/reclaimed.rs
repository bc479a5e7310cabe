//! Reclaimed leases counted in the statistics (Kea's per-subnet and
//! per-pool `reclaimed-leases` and `reclaimed-declined-addresses`), as
//! the passes of [`crate::server::upkeep::Reclaimer`] report them.

use std::sync::Arc;

use crate::alloc::Allocator;
use crate::config::{Config4, Config6, Live};
use crate::lease::{Lease, Lease4, Lease6, Reclaimed};
use crate::server::upkeep::Count;
use crate::stats::{ScopeLayout, ScopeStat, WorkerStats};

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
