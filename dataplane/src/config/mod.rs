//! The compiled configuration the engines read: Kea's settings with
//! inheritance already resolved and option data already encoded, so a
//! worker copies bytes and compares numbers instead of interpreting JSON.
//!
//! The control plane resolves a Kea configuration into a [`plan::Plan`]
//! per server and writes them into a [`snapshot`] file; the dataplane maps
//! the file and [`build`]s its engines' configuration from the plans.
//! Workers share that read-only and swap it between batches on reload.

pub mod build;
pub mod guard;
pub mod host_ids;
pub mod lifetime;
pub mod names;
pub mod options;
pub mod plan;
pub mod pool_classes;
pub mod setup;
pub mod snapshot;
pub mod v4;
pub mod v6;

pub use guard::Guard;
pub use host_ids::{FlexId, HostId, HostIdKind, HostIds};
pub use lifetime::Lifetime;
pub use options::OptionSet;
pub use pool_classes::PoolClasses;
pub use v4::{Config4, Reservation4, Subnet4};
pub use v6::{Config6, PdPool6, Reservation6, Subnet6};

/// Position of `item` in `items`, when it is one of their elements (by
/// address, so it costs a subtraction, not a search): how engines find the
/// index of the subnet they hold a reference to, for per-subnet counters.
pub fn position<T>(items: &[T], item: &T) -> Option<usize> {
    let size = std::mem::size_of::<T>().max(1);
    let offset = (item as *const T as usize).checked_sub(items.as_ptr() as usize)?;
    let i = offset / size;
    (offset % size == 0 && i < items.len()).then_some(i)
}

/// Which host reservations a subnet consults: Kea's `reservations-global`,
/// `reservations-in-subnet` and `reservations-out-of-pool` (or the
/// `reservation-mode` they replace), inherited down to the subnet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, rkyv::Archive, rkyv::Serialize, rkyv::Deserialize)]
pub struct HostScope {
    /// Global reservations apply.
    pub global: bool,
    /// The subnet's own reservations apply (for a shared network, each
    /// member's).
    pub in_subnet: bool,
    /// The subnet's reservations are promised to lie outside its pools:
    /// in-pool addresses are never checked against them, and an in-pool
    /// reservation is not handed to its host.
    pub out_of_pool: bool,
}

/// Kea's defaults: the subnet's reservations only, checked everywhere.
impl Default for HostScope {
    fn default() -> Self {
        HostScope {
            global: false,
            in_subnet: true,
            out_of_pool: false,
        }
    }
}

impl HostScope {
    /// True when an address (inside a pool when `in_pool`) is checked
    /// against, and may be handed out by, the subnet's reservations.
    pub fn checks(self, in_pool: bool) -> bool {
        self.in_subnet && !(self.out_of_pool && in_pool)
    }
}

/// A compiled configuration that can be replaced while workers serve:
/// a worker `load()`s it once per batch (no lock, no allocation) and a
/// reload `store()`s the next one, so no batch sees half of each.
pub type Live<T> = arc_swap::ArcSwap<T>;
