//! The resolved form of one server's configuration, as plain data: what the
//! control plane derives from a Kea configuration (inheritance done,
//! defaults applied, options encoded) and writes into the snapshot file the
//! dataplane maps. [`super::build`] turns it into the engines' runtime form.
//!
//! It is the plan, not the runtime form, that is archived: the runtime form
//! holds allocators whose cursors move with every lease and compiled
//! regular expressions, neither of which has a byte layout to map.

use std::net::{IpAddr, Ipv4Addr};

use crate::alloc::AllocatorKind;
use crate::classify::Classes;
use crate::options::Universe;

use super::names::{NameRules, ReplaceName, Sanitizer};
use super::setup::Setup;
use super::v6::MacSource;
use super::{FlexId, HostIdKind, HostScope, Lifetime};

/// One server, resolved.
#[derive(Debug, Clone, PartialEq, rkyv::Archive, rkyv::Serialize, rkyv::Deserialize)]
pub struct Plan {
    /// DHCPv4 or DHCPv6.
    pub universe: Universe,
    /// Subnets, sorted by id.
    pub subnets: Vec<SubnetPlan>,
    /// Global options (lowest precedence).
    pub global_options: Vec<OptionOut>,
    /// Class options, by class name, in configuration order.
    pub class_options: Vec<(String, Vec<OptionOut>)>,
    /// The classes with their tests compiled (built-in ones first).
    pub classes: Classes,
    /// Global host reservations.
    pub global_hosts: Vec<Host>,
    /// Identifier kinds looked up, in order.
    pub host_identifiers: Vec<HostIdKind>,
    /// The flex_id hook's identifier expression, compiled.
    pub flex_id: Option<FlexId>,
    /// The bootp hook is loaded (v4).
    pub bootp: bool,
    /// Seconds a declined address is kept out of use.
    pub decline_probation_period: u32,
    /// Whether client-id is echoed (v4).
    pub echo_client_id: bool,
    /// `mac-sources` (v6) in order; empty means `any`.
    pub mac_sources: Vec<MacSource>,
    /// Interfaces, sockets, lease store and its upkeep.
    pub setup: Setup,
}

/// One option ready to send.
#[derive(Debug, Clone, PartialEq, rkyv::Archive, rkyv::Serialize, rkyv::Deserialize)]
pub struct OptionOut {
    /// Option space.
    pub space: String,
    /// Option code.
    pub code: u16,
    /// Encoded payload.
    pub payload: Vec<u8>,
    /// Send even when not requested.
    pub always_send: bool,
    /// Never send.
    pub never_send: bool,
}

/// One subnet, resolved.
#[derive(Debug, Clone, PartialEq, rkyv::Archive, rkyv::Serialize, rkyv::Deserialize)]
pub struct SubnetPlan {
    /// Subnet id.
    pub id: u32,
    /// First address of the subnet, as a number (v4 in the low 32 bits).
    pub network: u128,
    /// Prefix length.
    pub prefix_len: u8,
    /// Shared network, if any.
    pub shared_network: Option<String>,
    /// Only clients of these classes may use the subnet (none: all).
    pub guard: Vec<String>,
    /// Classes evaluated once the subnet is chosen: its shared network's
    /// `require-client-classes`, then the subnet's (Kea's order).
    pub required: Vec<String>,
    /// Interface the subnet is directly reachable on.
    pub interface: Option<String>,
    /// Relay option 18 value selecting the subnet (v6).
    pub interface_id: Option<String>,
    /// Relay addresses selecting the subnet.
    pub relay: Vec<IpAddr>,
    /// Concrete parameters.
    pub params: Params,
    /// Subnet options merged over its shared network's (subnet wins).
    pub options: Vec<OptionOut>,
    /// Address pools.
    pub pools: Vec<PoolPlan>,
    /// Prefix-delegation pools.
    pub pd_pools: Vec<PdPoolPlan>,
    /// Host reservations of the subnet.
    pub hosts: Vec<Host>,
}

/// An address pool as a numeric range.
#[derive(Debug, Clone, PartialEq, rkyv::Archive, rkyv::Serialize, rkyv::Deserialize)]
pub struct PoolPlan {
    /// `pool-id`, for the statistics.
    pub id: u32,
    /// First address.
    pub first: u128,
    /// Last address.
    pub last: u128,
    /// Only clients of these classes may use the pool (none: all).
    pub guard: Vec<String>,
    /// Classes evaluated for clients given an address of the pool.
    pub required: Vec<String>,
    /// Pool options (above subnet options).
    pub options: Vec<OptionOut>,
}

/// A prefix-delegation pool.
#[derive(Debug, Clone, PartialEq, rkyv::Archive, rkyv::Serialize, rkyv::Deserialize)]
pub struct PdPoolPlan {
    /// `pool-id`, for the statistics.
    pub id: u32,
    /// Pool prefix, as a number.
    pub prefix: u128,
    /// Pool prefix length.
    pub prefix_len: u8,
    /// Length of each delegated prefix.
    pub delegated_len: u8,
    /// Excluded prefix (RFC 6603) as (prefix, length).
    pub excluded: Option<(u128, u8)>,
    /// Only clients of these classes may use the pool (none: all).
    pub guard: Vec<String>,
    /// Classes evaluated for clients given a prefix of the pool.
    pub required: Vec<String>,
    /// Pool options.
    pub options: Vec<OptionOut>,
}

/// A host reservation. A plan of a large configuration holds a million of
/// these, so the parts few reservations set are boxed apart.
#[derive(Debug, Clone, PartialEq, rkyv::Archive, rkyv::Serialize, rkyv::Deserialize)]
pub struct Host {
    /// What the identifier is.
    pub id_type: HostIdKind,
    /// Identifier bytes.
    pub id: Vec<u8>,
    /// Reserved addresses.
    pub addresses: Vec<IpAddr>,
    /// Reserved host name.
    pub hostname: Option<String>,
    /// The rest, `None` when the reservation sets none of it.
    pub more: Option<Box<HostMore>>,
}

/// The parts of a [`Host`] that few reservations set.
#[derive(Debug, Clone, Default, PartialEq, rkyv::Archive, rkyv::Serialize, rkyv::Deserialize)]
pub struct HostMore {
    /// Reserved prefixes as (prefix, length).
    pub prefixes: Vec<(u128, u8)>,
    /// Classes the host belongs to.
    pub classes: Vec<String>,
    /// Host options (highest precedence).
    pub options: Vec<OptionOut>,
    /// `next-server` (v4).
    pub next_server: Option<Ipv4Addr>,
    /// `server-hostname` (v4).
    pub server_hostname: Option<String>,
    /// `boot-file-name` (v4).
    pub boot_file_name: Option<String>,
}

impl Host {
    /// The host's less common parts, all empty when it sets none.
    pub fn more(&self) -> &HostMore {
        static NONE: HostMore = HostMore {
            prefixes: Vec::new(),
            classes: Vec::new(),
            options: Vec::new(),
            next_server: None,
            server_hostname: None,
            boot_file_name: None,
        };
        self.more.as_deref().unwrap_or(&NONE)
    }
}

/// Concrete parameters of one subnet.
#[derive(Debug, Clone, PartialEq, rkyv::Archive, rkyv::Serialize, rkyv::Deserialize)]
pub struct Params {
    /// Valid lifetime.
    pub valid: Lifetime,
    /// Preferred lifetime (v6).
    pub preferred: Lifetime,
    /// T1 to send, if any.
    pub t1: Option<u32>,
    /// T2 to send, if any.
    pub t2: Option<u32>,
    /// v4: identify clients by client-id when present.
    pub match_client_id: bool,
    /// v4: NAK requests for addresses not ours.
    pub authoritative: bool,
    /// v4 siaddr.
    pub next_server: Ipv4Addr,
    /// v4 sname.
    pub server_hostname: String,
    /// v4 file.
    pub boot_file_name: String,
    /// Which reservations the subnet consults.
    pub hosts: HostScope,
    /// v6 rapid commit.
    pub rapid_commit: bool,
    /// How client names are treated.
    pub names: Names,
    /// `allocator`.
    pub allocator: AllocatorKind,
    /// `pd-allocator` (v6).
    pub pd_allocator: AllocatorKind,
}

/// A subnet's client name settings as configured; [`Names::rules`]
/// compiles them.
#[derive(Debug, Clone, PartialEq, rkyv::Archive, rkyv::Serialize, rkyv::Deserialize)]
pub struct Names {
    /// `ddns-replace-client-name`.
    pub replace: ReplaceName,
    /// `ddns-generated-prefix`.
    pub generated_prefix: String,
    /// `ddns-qualifying-suffix`.
    pub qualifying_suffix: String,
    /// `hostname-char-set` (empty: none replaced).
    pub char_set: String,
    /// `hostname-char-replacement`.
    pub char_replacement: String,
}

impl Names {
    /// The rules as the engines take them.
    pub fn rules(&self) -> NameRules {
        NameRules {
            replace: self.replace,
            generated_prefix: self.generated_prefix.clone(),
            qualifying_suffix: self.qualifying_suffix.clone(),
            sanitizer: Sanitizer::new(&self.char_set, &self.char_replacement),
        }
    }
}
