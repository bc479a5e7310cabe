//! The compiled DHCPv6 configuration.

use std::collections::HashMap;
use std::net::Ipv6Addr;
use std::sync::Arc;

use super::host_ids::ById;
pub use super::host_ids::{FlexId, HostId, HostIdKind, HostIds};
use super::names::NameRules;
use super::{Guard, HostScope, Lifetime, OptionSet, PoolClasses};
use crate::alloc::{Allocator, LastPools};
use crate::classify::{ClassSet, Classes};

/// A host reservation for DHCPv6 (in a subnet, or global).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Reservation6 {
    /// Reserved addresses (`ip-addresses`), given to the client's IA_NAs.
    pub addresses: Vec<Ipv6Addr>,
    /// Reserved prefixes (`prefixes`) as (prefix, length), for its IA_PDs.
    pub prefixes: Vec<(Ipv6Addr, u8)>,
    /// Reserved host name.
    pub hostname: Option<String>,
    /// The reservation's own option data.
    pub options: OptionSet,
    /// `client-classes` the reservation puts its host in.
    pub classes: Vec<u16>,
}

/// Reservations of one scope, indexed by identifier and by what they reserve.
#[derive(Debug, Clone, Default)]
pub struct Reservations6 {
    entries: Vec<Reservation6>,
    by_id: ById,
    /// Reserved addresses and prefixes (prefixes keyed by their first address).
    reserved: HashMap<Ipv6Addr, usize>,
}

impl Reservations6 {
    /// Adds a reservation keyed by `id` (`duid`, `hw-address` or `flex-id`).
    pub fn insert(&mut self, id: HostId<'_>, r: Reservation6) {
        let i = self.entries.len();
        for &a in r.addresses.iter().chain(r.prefixes.iter().map(|(p, _)| p)) {
            self.reserved.insert(a, i);
        }
        self.entries.push(r);
        self.by_id.insert(id, i);
    }

    /// The reservation for `id`, if any.
    pub fn find(&self, id: HostId<'_>) -> Option<&Reservation6> {
        self.entries.get(self.by_id.get(id)?)
    }

    /// True when `addr` (an address or a prefix) is reserved for some host.
    pub fn reserves(&self, addr: Ipv6Addr) -> bool {
        self.reserved.contains_key(&addr)
    }

    /// True when no reservation is configured.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// A `pd-pools` entry: prefixes delegated from one allocator.
#[derive(Clone)]
pub struct PdPool6 {
    /// Allocator over the delegated prefixes (`Pool::pd`).
    pub alloc: Arc<Allocator>,
    /// `pool-id`, for the statistics.
    pub id: u32,
    /// `delegated-len`.
    pub delegated_len: u8,
    /// `excluded-prefix` with its length (RFC 6603): its bits past
    /// `delegated_len` are sent in OPTION_PD_EXCLUDE with every prefix.
    pub excluded: Option<(Ipv6Addr, u8)>,
    /// Its class guard, required classes and options.
    pub classes: PoolClasses,
}

impl PdPool6 {
    /// True when `prefix/len` is one of this pool's delegated prefixes.
    pub fn holds(&self, prefix: Ipv6Addr, len: u8) -> bool {
        len == self.delegated_len && self.alloc.pool().offset_of(prefix.into()).is_some()
    }
}

/// A `subnet6` with everything it inherits resolved.
#[derive(Clone)]
pub struct Subnet6 {
    /// `id`.
    pub id: u32,
    /// Subnet prefix.
    pub prefix: Ipv6Addr,
    /// Its length.
    pub prefix_len: u8,
    /// Address pools with their allocators, in configuration order.
    pub pools: Vec<Arc<Allocator>>,
    /// Each address pool's class guard, required classes and options,
    /// index for index with `pools` (missing entries mean an open pool).
    pub pool_classes: Vec<PoolClasses>,
    /// Each address pool's `pool-id`, index for index with `pools`
    /// (missing entries mean pool 0), for the statistics.
    pub pool_ids: Vec<u32>,
    /// Prefix delegation pools, in configuration order.
    pub pd_pools: Vec<PdPool6>,
    /// `interface` the subnet is directly reachable on.
    pub interface: Option<String>,
    /// `interface-id`: a relay's option 18 value selecting this subnet.
    pub interface_id: Option<Vec<u8>>,
    /// Relay addresses (`relay.ip-addresses`) this subnet serves.
    pub relay: Vec<Ipv6Addr>,
    /// Index of its shared network in [`Config6::shared_networks`].
    pub shared_network: Option<usize>,
    /// `preferred-lifetime` with `min-`/`max-`.
    pub preferred: Lifetime,
    /// `valid-lifetime` with `min-`/`max-`.
    pub valid: Lifetime,
    /// T1 sent in IA_NA/IA_PD (already computed by the compiler when
    /// `calculate-tee-times` applies); 0 when `None`.
    pub renew_timer: Option<u32>,
    /// T2, likewise.
    pub rebind_timer: Option<u32>,
    /// `rapid-commit`.
    pub rapid_commit: bool,
    /// Option data of the subnet over its shared network's (the global
    /// ones are [`Config6::global_options`], below the classes').
    pub options: OptionSet,
    /// Reservations in this subnet.
    pub reservations: Reservations6,
    /// Which reservations apply to clients of this subnet.
    pub host_scope: HostScope,
    /// How client names (option 39) are answered.
    pub names: NameRules,
    /// `client-class` / `client-classes`: only their members may use the
    /// subnet.
    pub guard: Guard,
    /// `require-client-classes` of its shared network, then of the subnet.
    pub required: Vec<u16>,
    /// The pools it allocated from last.
    pub last_pool: Arc<LastPools>,
}

impl Subnet6 {
    /// True when `a` lies inside the subnet's prefix.
    pub fn contains(&self, a: Ipv6Addr) -> bool {
        let mask = u128::MAX
            .checked_shl(128 - u32::from(self.prefix_len))
            .unwrap_or(0);
        u128::from(a) & mask == u128::from(self.prefix) & mask
    }

    /// The last address of its prefix, where Kea's allocators start: the
    /// pool (and the pd-pool) holding it is tried first
    /// ([`LastPools::new`]).
    pub fn last_address(&self) -> Ipv6Addr {
        let host = u128::MAX.checked_shr(u32::from(self.prefix_len));
        Ipv6Addr::from(u128::from(self.prefix) | host.unwrap_or(0))
    }

    /// How many pd-pools (with `prefixes`) or address pools it has.
    pub fn pool_count(&self, prefixes: bool) -> usize {
        match prefixes {
            true => self.pd_pools.len(),
            false => self.pools.len(),
        }
    }

    /// Pd-pool (with `prefixes`) or address pool `i` (below
    /// [`Subnet6::pool_count`]): its allocator, its class data and the
    /// length of what it hands out (128 for an address).
    pub fn pool_at(&self, prefixes: bool, i: usize) -> (&Allocator, &PoolClasses, u8) {
        if prefixes {
            let pd = &self.pd_pools[i];
            return (&pd.alloc, &pd.classes, pd.delegated_len);
        }
        let classes = self
            .pool_classes
            .get(i)
            .unwrap_or(&super::pool_classes::OPEN);
        (&self.pools[i], classes, 128)
    }

    /// True when `a` lies in one of the subnet's address pools.
    pub fn in_pool(&self, a: Ipv6Addr) -> bool {
        self.pools
            .iter()
            .any(|p| p.pool().offset_of(a.into()).is_some())
    }

    /// The class data of the pool or pd-pool holding `addr/len` (128 for
    /// an address), if one does.
    pub fn pool_classes_of(&self, addr: Ipv6Addr, len: u8) -> Option<&PoolClasses> {
        if len == 128 {
            let i = self
                .pools
                .iter()
                .position(|p| p.pool().offset_of(addr.into()).is_some())?;
            return Some(
                self.pool_classes
                    .get(i)
                    .unwrap_or(&super::pool_classes::OPEN),
            );
        }
        self.pd_pool_of(addr, len).map(|p| &p.classes)
    }

    /// True when `addr/len` lies in a pool or pd-pool a client of
    /// `classes` may use.
    pub fn in_allowed_pool(&self, addr: Ipv6Addr, len: u8, classes: &ClassSet) -> bool {
        self.pool_classes_of(addr, len)
            .is_some_and(|p| p.admits(classes))
    }

    /// True when a client of `classes` may use the subnet.
    pub fn admits(&self, classes: &ClassSet) -> bool {
        self.guard.admits(classes)
    }

    /// True when `a/len` (an address when `len` is 128) lies in one of the
    /// subnet's pools or pd-pools.
    pub fn pooled(&self, a: Ipv6Addr, len: u8) -> bool {
        if len == 128 {
            self.in_pool(a)
        } else {
            self.pd_pool_of(a, len).is_some()
        }
    }

    /// The pd-pool delegating `prefix/len`, if any.
    pub fn pd_pool_of(&self, prefix: Ipv6Addr, len: u8) -> Option<&PdPool6> {
        self.pd_pools.iter().find(|p| p.holds(prefix, len))
    }
}

/// Where the engine looks for a DHCPv6 client's link-layer address
/// (`mac-sources`), tried in the configured order. `any` is all of them in
/// Kea's fixed order ([`MacSource::ANY`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, rkyv::Archive, rkyv::Serialize, rkyv::Deserialize)]
pub enum MacSource {
    /// `raw`: the source MAC of the client's own frame (raw and xdp
    /// backends; not relayed messages).
    Raw,
    /// `duid`: the link-layer address inside a DUID-LLT or DUID-LL.
    Duid,
    /// `ipv6-link-local`: an EUI-64 link-local source (or relay peer) address.
    LinkLocal,
    /// `client-link-addr-option` (RFC 6939, option 79 from the relay).
    RelayOption,
    /// `remote-id` (RFC 4649): the relay's remote-id after its enterprise number.
    RemoteId,
    /// `subscriber-id` (RFC 4580): the relay's subscriber-id value.
    SubscriberId,
    /// `docsis-cmts`: sub-option 1026 of the relay's CableLabs vendor option.
    DocsisCmts,
    /// `docsis-modem`: sub-option 36 of the client's CableLabs vendor option.
    DocsisModem,
}

impl MacSource {
    /// What `any` tries, in Kea's order.
    pub const ANY: [MacSource; 8] = [
        MacSource::Raw,
        MacSource::Duid,
        MacSource::LinkLocal,
        MacSource::RelayOption,
        MacSource::RemoteId,
        MacSource::SubscriberId,
        MacSource::DocsisCmts,
        MacSource::DocsisModem,
    ];

    /// The source's configuration name, or `None` for an unknown one. The
    /// RFC aliases name the same sources; `any` is not a source of its own.
    pub fn from_name(name: &str) -> Option<MacSource> {
        Some(match name {
            "raw" => MacSource::Raw,
            "duid" => MacSource::Duid,
            "ipv6-link-local" => MacSource::LinkLocal,
            "client-link-addr-option" | "rfc6939" => MacSource::RelayOption,
            "remote-id" | "rfc4649" => MacSource::RemoteId,
            "subscriber-id" | "rfc4580" => MacSource::SubscriberId,
            "docsis-cmts" => MacSource::DocsisCmts,
            "docsis-modem" => MacSource::DocsisModem,
            _ => return None,
        })
    }

    /// The source's canonical configuration name.
    pub fn name(self) -> &'static str {
        match self {
            MacSource::Raw => "raw",
            MacSource::Duid => "duid",
            MacSource::LinkLocal => "ipv6-link-local",
            MacSource::RelayOption => "client-link-addr-option",
            MacSource::RemoteId => "remote-id",
            MacSource::SubscriberId => "subscriber-id",
            MacSource::DocsisCmts => "docsis-cmts",
            MacSource::DocsisModem => "docsis-modem",
        }
    }

    /// How Kea's forensic log names the source of a hardware address.
    pub fn text(self) -> &'static str {
        match self {
            MacSource::Raw => "Raw Socket",
            MacSource::Duid => "DUID",
            MacSource::LinkLocal => "IPv6 link-local address",
            MacSource::RelayOption => "Client Address Relay Option",
            MacSource::RemoteId => "Remote ID",
            MacSource::SubscriberId => "Subscriber ID",
            MacSource::DocsisCmts => "DOCSIS CMTS",
            MacSource::DocsisModem => "DOCSIS MODEM",
        }
    }
}

/// The whole compiled `Dhcp6` section.
#[derive(Clone, Default)]
pub struct Config6 {
    /// The server's DUID, sent in OPTION_SERVERID and matched against the
    /// one clients send back.
    pub server_duid: Vec<u8>,
    /// Subnets in configuration order (shared networks' members included).
    pub subnets: Vec<Subnet6>,
    /// Each shared network as the indexes of its subnets.
    pub shared_networks: Vec<Vec<usize>>,
    /// `decline-probation-period`, seconds.
    pub decline_probation: u32,
    /// Global reservations (`reservations-global`).
    pub global_reservations: Reservations6,
    /// Global option data, below the classes' in precedence.
    pub global_options: OptionSet,
    /// Client classes, built-in ones first.
    pub classes: Classes,
    /// `mac-sources` in order; empty means `any`.
    pub mac_sources: Vec<MacSource>,
    /// `host-reservation-identifiers`: what reservations are looked up by.
    pub host_ids: HostIds,
    /// The flex_id hook, when loaded.
    pub flex_id: Option<FlexId>,
}

impl Config6 {
    /// The MAC sources to try, in order.
    pub fn mac_sources(&self) -> &[MacSource] {
        if self.mac_sources.is_empty() {
            &MacSource::ANY
        } else {
            &self.mac_sources
        }
    }

    /// Position of `subnet` in [`Config6::subnets`] (it must be one of them).
    pub fn position(&self, subnet: &Subnet6) -> Option<usize> {
        super::position(&self.subnets, subnet)
    }
}
