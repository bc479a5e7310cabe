//! The compiled DHCPv4 configuration.

use std::collections::HashMap;
use std::net::Ipv4Addr;
use std::sync::Arc;

use super::host_ids::ById;
pub use super::host_ids::{FlexId, HostId, HostIdKind, HostIds};
pub use super::lifetime::Lifetime;
use super::names::NameRules;
pub use super::pool_classes::PoolClasses;
use super::{Guard, HostScope, OptionSet};
use crate::alloc::{Allocator, LastPools};
use crate::classify::{ClassSet, Classes};

/// A host reservation in a subnet (or globally).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Reservation4 {
    /// Reserved address, if any (a reservation may carry only options).
    pub address: Option<Ipv4Addr>,
    /// Reserved host name.
    pub hostname: Option<String>,
    /// `next-server`, `server-hostname`, `boot-file-name` overrides.
    pub next_server: Option<Ipv4Addr>,
    /// Server host name for the `sname` field.
    pub server_hostname: Option<String>,
    /// Boot file name for the `file` field.
    pub boot_file_name: Option<String>,
    /// The reservation's own option data.
    pub options: OptionSet,
    /// Classes the reservation assigns (`client-classes`), by index.
    pub classes: Vec<u16>,
}

/// Reservations of one scope, indexed by each identifier Kea matches on.
#[derive(Debug, Clone, Default)]
pub struct Reservations4 {
    entries: Vec<Reservation4>,
    by_id: ById,
    by_address: HashMap<Ipv4Addr, usize>,
}

impl Reservations4 {
    /// Adds a reservation keyed by `id`.
    pub fn insert(&mut self, id: HostId<'_>, r: Reservation4) {
        let i = self.entries.len();
        if let Some(a) = r.address {
            self.by_address.insert(a, i);
        }
        self.entries.push(r);
        self.by_id.insert(id, i);
    }

    /// The reservation for `id`, if any.
    pub fn find(&self, id: HostId<'_>) -> Option<&Reservation4> {
        self.entries.get(self.by_id.get(id)?)
    }

    /// True when `addr` is reserved for some host.
    pub fn reserves(&self, addr: Ipv4Addr) -> bool {
        self.by_address.contains_key(&addr)
    }
}

/// A `subnet4` with everything it inherits resolved.
#[derive(Clone)]
pub struct Subnet4 {
    /// `id`.
    pub id: u32,
    /// Network address.
    pub network: Ipv4Addr,
    /// Prefix length.
    pub prefix_len: u8,
    /// Address pools with their allocators, in configuration order.
    pub pools: Vec<Arc<Allocator>>,
    /// Each pool's class guard, required classes and options, index for
    /// index with `pools` (missing entries mean an open pool).
    pub pool_classes: Vec<PoolClasses>,
    /// Each pool's `pool-id`, index for index with `pools` (missing
    /// entries mean pool 0), for the statistics.
    pub pool_ids: Vec<u32>,
    /// `client-class` / `client-classes`: only their members may use the
    /// subnet.
    pub guard: Guard,
    /// `require-client-classes` of the subnet, then of its shared network.
    pub required: Vec<u16>,
    /// Relay addresses (`relay.ip-addresses`) this subnet serves.
    pub relay: Vec<Ipv4Addr>,
    /// `interface` the subnet is directly reachable on.
    pub interface: Option<String>,
    /// Index of its shared network in [`Config4::shared_networks`].
    pub shared_network: Option<usize>,
    /// `valid-lifetime` with `min-`/`max-`.
    pub valid: Lifetime,
    /// `renew-timer` (T1), when configured.
    pub renew_timer: Option<u32>,
    /// `rebind-timer` (T2), when configured.
    pub rebind_timer: Option<u32>,
    /// `calculate-tee-times`, with `t1-percent` and `t2-percent`.
    pub calculate_tee_times: Option<(f32, f32)>,
    /// `match-client-id`.
    pub match_client_id: bool,
    /// `authoritative`.
    pub authoritative: bool,
    /// `next-server` (siaddr).
    pub next_server: Option<Ipv4Addr>,
    /// `server-hostname` (sname).
    pub server_hostname: Option<String>,
    /// `boot-file-name` (file).
    pub boot_file_name: Option<String>,
    /// Option data of the subnet over its shared network's (the global
    /// ones are [`Config4::global_options`], below the classes').
    pub options: OptionSet,
    /// Reservations in this subnet.
    pub reservations: Reservations4,
    /// Which reservations apply to clients of this subnet.
    pub host_scope: HostScope,
    /// The pool it allocated from last, and when (Kea's iterative
    /// allocator and its preferred subnet of a shared network).
    pub last_pool: Arc<LastPools>,
    /// How client names (options 12 and 81) are answered.
    pub names: NameRules,
}

impl Subnet4 {
    /// True when `a` lies inside the subnet's prefix.
    pub fn contains(&self, a: Ipv4Addr) -> bool {
        let mask = self.mask_bits();
        u32::from(a) & mask == u32::from(self.network) & mask
    }

    /// The netmask, for option 1.
    pub fn mask(&self) -> Ipv4Addr {
        Ipv4Addr::from(self.mask_bits())
    }

    fn mask_bits(&self) -> u32 {
        u32::MAX
            .checked_shl(32 - u32::from(self.prefix_len))
            .unwrap_or(0)
    }

    /// The subnet's broadcast address: Kea's allocator state starts there,
    /// so the pool holding it (if any) is the first tried.
    pub fn last_address(&self) -> Ipv4Addr {
        Ipv4Addr::from(u32::from(self.network) | !self.mask_bits())
    }

    /// True when `a` lies in one of the subnet's pools.
    pub fn in_pool(&self, a: Ipv4Addr) -> bool {
        self.pool_of(a).is_some()
    }

    /// The index of the pool holding `a`.
    pub fn pool_of(&self, a: Ipv4Addr) -> Option<usize> {
        self.pools
            .iter()
            .position(|p| p.pool().offset_of(u32::from(a).into()).is_some())
    }

    /// The class data of pool `i`.
    pub fn pool_classes(&self, i: usize) -> &PoolClasses {
        self.pool_classes
            .get(i)
            .unwrap_or(&super::pool_classes::OPEN)
    }

    /// True when a client of `classes` may use the subnet.
    pub fn admits(&self, classes: &ClassSet) -> bool {
        self.guard.admits(classes)
    }

    /// True when `a` lies in a pool a client of `classes` may use.
    pub fn in_allowed_pool(&self, a: Ipv4Addr, classes: &ClassSet) -> bool {
        self.pool_of(a)
            .is_some_and(|i| self.pool_classes(i).admits(classes))
    }
}

/// The whole compiled `Dhcp4` section.
#[derive(Clone, Default)]
pub struct Config4 {
    /// Subnets in configuration order (shared networks' members included).
    pub subnets: Vec<Subnet4>,
    /// Each shared network as the indexes of its subnets.
    pub shared_networks: Vec<Vec<usize>>,
    /// `echo-client-id` (RFC 6842).
    pub echo_client_id: bool,
    /// `decline-probation-period`, seconds.
    pub decline_probation: u32,
    /// Global reservations (`reservations-global`).
    pub global_reservations: Reservations4,
    /// Global option data, below the classes' in precedence.
    pub global_options: OptionSet,
    /// Client classes, built-in ones first.
    pub classes: Classes,
    /// `host-reservation-identifiers`: what reservations are looked up by.
    pub host_ids: HostIds,
    /// The flex_id hook, when loaded.
    pub flex_id: Option<FlexId>,
    /// The bootp hook (`libdhcp_bootp.so`) is loaded: BOOTREQUESTs without
    /// a message type are answered.
    pub bootp: bool,
}

impl Config4 {
    /// Position of `subnet` in [`Config4::subnets`] (it must be one of them).
    pub fn position(&self, subnet: &Subnet4) -> Option<usize> {
        super::position(&self.subnets, subnet)
    }
}
