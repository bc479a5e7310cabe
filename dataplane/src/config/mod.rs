//! The compiled configuration the engines read: Kea's settings with
//! inheritance already resolved and option data already encoded, so a
//! worker copies bytes and compares numbers instead of interpreting JSON.
//!
//! The control plane builds these from a Kea configuration; workers share a
//! snapshot read-only and swap it between batches on reload.

pub mod guard;
pub mod lifetime;
pub mod options;
pub mod pool_classes;
pub mod v4;
pub mod v6;

pub use guard::Guard;
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

/// A compiled configuration that can be replaced while workers serve:
/// a worker `load()`s it once per batch (no lock, no allocation) and a
/// reload `store()`s the next one, so no batch sees half of each.
pub type Live<T> = arc_swap::ArcSwap<T>;
