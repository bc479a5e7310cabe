//! The subnets a client may be given leases from, in the order Kea 2.2
//! goes through them, for both families: the subnet at hand, then the
//! others of its shared network by id after it, then those before it
//! (Kea keeps a shared network's subnets in an id-ordered index), and the
//! shared network's *preferred subnet* a new lease starts from.

use crate::alloc::LastPools;
use crate::config::{Guard, Subnet4, Subnet6};

/// Most subnets of one shared network tried for a client; keeps the
/// selection on the stack.
pub const MAX_SHARED: usize = 16;

/// What the walk over a shared network reads of a subnet.
pub trait Member {
    /// The subnet id.
    fn id(&self) -> u32;
    /// Its class guard (`client-class`).
    fn guard(&self) -> &Guard;
    /// Where it allocated last, and when.
    fn last_pools(&self) -> &LastPools;
    /// True when it belongs to a shared network.
    fn shared(&self) -> bool;
}

/// Both families' subnets keep what [`Member`] reads in fields of the
/// same names.
macro_rules! member {
    ($subnet:ty) => {
        impl Member for $subnet {
            fn id(&self) -> u32 {
                self.id
            }
            fn guard(&self) -> &Guard {
                &self.guard
            }
            fn last_pools(&self) -> &LastPools {
                &self.last_pool
            }
            fn shared(&self) -> bool {
                self.shared_network.is_some()
            }
        }
    };
}

member!(Subnet4);
member!(Subnet6);

/// The selected subnet and the other subnets of its shared network, in
/// Kea's order from the selected one (none when no subnet serves the
/// client).
pub struct Selection<'c, S> {
    subnets: [Option<&'c S>; MAX_SHARED],
}

impl<'c, S: Member> Selection<'c, S> {
    /// No subnet.
    pub fn none() -> Self {
        Selection {
            subnets: [None; MAX_SHARED],
        }
    }

    /// `selected` and `others` (the rest of its shared network, at most
    /// [`MAX_SHARED`] in all): by id, turned so that `selected` comes first.
    pub fn of(selected: &'c S, others: impl Iterator<Item = &'c S>) -> Self {
        let mut subnets = [None; MAX_SHARED];
        subnets[0] = Some(selected);
        let mut n = 1;
        for s in others.filter(|s| s.id() != selected.id()) {
            if n == MAX_SHARED {
                break;
            }
            subnets[n] = Some(s);
            n += 1;
        }
        subnets[..n].sort_unstable_by_key(|s| s.map(|s| s.id()));
        let at = subnets[..n]
            .iter()
            .flatten()
            .position(|s| s.id() == selected.id());
        subnets[..n].rotate_left(at.unwrap_or(0));
        Selection { subnets }
    }

    /// The subnets, selected one first.
    pub fn iter(&self) -> impl Iterator<Item = &'c S> + '_ {
        self.subnets.iter().map_while(|s| *s)
    }

    /// The selected subnet, if any.
    pub fn selected(&self) -> Option<&'c S> {
        self.subnets[0]
    }

    /// The selected subnet with id `id`.
    pub fn by_id(&self, id: u32) -> Option<&'c S> {
        self.iter().find(|s| s.id() == id)
    }

    /// The subnets in the order Kea tries them from `first` (one of them):
    /// `first`, those after it, then those before it.
    pub fn from(&self, first: &S) -> impl Iterator<Item = &'c S> + '_ {
        let at = self.iter().position(|s| s.id() == first.id()).unwrap_or(0);
        self.iter().skip(at).chain(self.iter().take(at))
    }

    /// Kea 2.2's preferred subnet for a new lease (of delegated prefixes
    /// with `prefixes`, else of addresses; each kind keeps its own
    /// stamps) when `at` is the subnet at hand: of the subnets with
    /// `at`'s class guard that allocated after it, the one with the
    /// highest id; else `at`. A shared network thus goes on from the
    /// subnet that allocated last instead of walking the exhausted ones
    /// again.
    pub fn preferred(&self, at: &'c S, prefixes: bool) -> &'c S {
        let stamp = |s: &S| s.last_pools().of(prefixes).stamp();
        let since = stamp(at);
        self.iter()
            .filter(|s| s.guard() == at.guard() && stamp(s) > since)
            .max_by_key(|s| s.id())
            .unwrap_or(at)
    }

    /// Notes that `subnet` (one of them) just proposed addresses (or
    /// prefixes), for [`Selection::preferred`]: its stamp goes past every
    /// stamp of these subnets, which hold every subnet that shares its
    /// class guard, so stamps order those subnets as their allocations
    /// happened.
    pub fn stamp(&self, subnet: &S, prefixes: bool) {
        if !subnet.shared() {
            return;
        }
        let last = |s: &S| s.last_pools().of(prefixes).stamp();
        let latest = self.iter().map(last).max().unwrap_or(0);
        subnet
            .last_pools()
            .of(prefixes)
            .mark(latest.saturating_add(1));
    }
}
