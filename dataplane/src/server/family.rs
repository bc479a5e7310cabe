//! One address family being served: the configuration its workers read
//! (swapped whole on reload) and its lease store, whose pools follow the
//! configuration.

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use crate::alloc::Allocator;
use crate::config::{Config4, Config6, Live};
use crate::lease::{Lease, LeaseStore};

/// One family being served: the configuration its workers read, its
/// leases.
pub struct Family<C, L: Lease> {
    /// The compiled configuration the workers read.
    pub config: Arc<Live<C>>,
    /// The leases.
    pub leases: Arc<LeaseStore<L>>,
}

/// A compiled configuration whose pool allocators a reload carries over.
pub trait Pools: Clone {
    /// Every pool's allocator, address and prefix pools alike.
    fn pools(&mut self) -> Vec<&mut Arc<Allocator>>;
}

impl Pools for Config4 {
    fn pools(&mut self) -> Vec<&mut Arc<Allocator>> {
        self.subnets.iter_mut().flat_map(|s| &mut s.pools).collect()
    }
}

impl Pools for Config6 {
    fn pools(&mut self) -> Vec<&mut Arc<Allocator>> {
        let each = self.subnets.iter_mut().flat_map(|s| {
            let pd = s.pd_pools.iter_mut().map(|p| &mut p.alloc);
            s.pools.iter_mut().chain(pd)
        });
        each.collect()
    }
}

impl<C: Pools, L: Lease> Family<C, L> {
    /// Serves `first` from `leases`, its pools registered with them.
    pub fn start(mut first: C, leases: Arc<LeaseStore<L>>) -> Family<C, L> {
        adopt_pools(&leases, Vec::new(), first.pools());
        Family {
            config: Arc::new(Live::from_pointee(first)),
            leases,
        }
    }

    /// Swaps `next` in for the workers' next batch.
    pub fn replace(&self, mut next: C) {
        // Cloning the old configuration is cheap next to compiling the new one,
        // and reloads are rare.
        let mut old = C::clone(&self.config.load_full());
        let old = old.pools().into_iter().map(|p| p.clone()).collect();
        adopt_pools(&self.leases, old, next.pools());
        self.config.store(Arc::new(next));
    }
}

/// Gives the pools of a new configuration the allocators of the same pools in
/// `old` (an unchanged pool keeps its cursor and free-lease queue),
/// registers the pools that are new with the lease store, and forgets the
/// ones that are gone.
fn adopt_pools<L: Lease>(
    leases: &LeaseStore<L>,
    old: Vec<Arc<Allocator>>,
    new: Vec<&mut Arc<Allocator>>,
) {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let mut kept = Vec::new();
    for a in new {
        match old
            .iter()
            .find(|o| o.pool() == a.pool() && o.kind() == a.kind())
        {
            Some(o) => *a = o.clone(),
            None => leases.add_pool(a.clone(), now),
        }
        kept.push(a.clone());
    }
    leases.retain_pools(|p| kept.iter().any(|k| Arc::ptr_eq(k, p)));
}
