//! What classification says about one pool (v4 pools, v6 pools and
//! pd-pools alike).

use super::{Guard, OptionSet};
use crate::classify::ClassSet;

/// A pool's class guard, required classes and options.
#[derive(Debug, Clone, Default)]
pub struct PoolClasses {
    /// `client-class` / `client-classes`: only members may take
    /// addresses from the pool.
    pub guard: Guard,
    /// `require-client-classes` of the pool.
    pub required: Vec<u16>,
    /// Pool `option-data`.
    pub options: OptionSet,
}

/// A pool without guard, required classes or options.
pub static OPEN: PoolClasses = PoolClasses {
    guard: Guard::OPEN,
    required: Vec::new(),
    options: OptionSet::EMPTY,
};

impl PoolClasses {
    /// True when a client of `classes` may use the pool.
    pub fn admits(&self, classes: &ClassSet) -> bool {
        self.guard.admits(classes)
    }
}
