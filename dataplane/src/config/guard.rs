//! Class guards of subnets, shared networks, pools and pd-pools.

use crate::classify::ClassSet;

/// The classes that open a scope: `client-class` (Kea 2.2, one class) or
/// `client-classes` (later Kea, a client in any listed class may use the
/// scope). Empty: open to every client.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Guard(pub Vec<u16>);

impl Guard {
    /// An open scope.
    pub const OPEN: Guard = Guard(Vec::new());

    /// True when a client of `classes` may use the scope.
    pub fn admits(&self, classes: &ClassSet) -> bool {
        self.0.is_empty() || self.0.iter().any(|&c| classes.contains(c))
    }
}
