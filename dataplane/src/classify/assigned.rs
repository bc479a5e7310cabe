//! A packet's classes in the order they were assigned: Kea keeps a
//! packet's classes in insertion order and applies class options and
//! lifetimes in that order, so a class assigned on reception comes before
//! one a host reservation or a required evaluation adds, whatever their
//! places in the configuration.

use super::ClassSet;

/// Most classes whose order is kept; further ones follow in
/// configuration order.
const KEPT: usize = 64;

/// The classes a packet belongs to, in the order they came.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Assigned {
    all: ClassSet,
    order: [u16; KEPT],
    len: usize,
    /// Classes that came once `order` was full.
    overflow: ClassSet,
}

impl Default for Assigned {
    fn default() -> Self {
        Assigned {
            all: ClassSet::default(),
            order: [0; KEPT],
            len: 0,
            overflow: ClassSet::default(),
        }
    }
}

impl Assigned {
    /// Every class the packet belongs to.
    pub fn all(&self) -> &ClassSet {
        &self.all
    }

    /// Records `now`, the packet's classes after a step: the classes it
    /// adds come next, in configuration order.
    pub fn record(&mut self, now: ClassSet) {
        for c in now.without(&self.all).iter() {
            match self.order.get_mut(self.len) {
                Some(slot) => {
                    *slot = c;
                    self.len += 1;
                }
                None => self.overflow.insert(c),
            }
        }
        self.all = now;
    }

    /// The classes in the order they were assigned.
    pub fn in_order(&self) -> impl Iterator<Item = u16> + Clone + '_ {
        self.order[..self.len]
            .iter()
            .copied()
            .chain(self.overflow.iter())
    }
}
