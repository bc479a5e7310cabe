//! Compile, first half: the validated Kea model resolved into the flat form
//! a dataplane snapshot is built from: every subnet with concrete
//! parameters (inheritance done, defaults applied), its options merged over
//! its shared network's, ranges as numbers, subnets sorted by id.
//!
//! The second half turns a plan into the dataplane's configuration types
//! ([`v4::snapshot`], [`v6::snapshot`]).

mod params;
pub mod v4;
pub mod v6;

use std::net::IpAddr;

use xdhcp_dataplane::classify::Classes;
use xdhcp_dataplane::config::v6::MacSource;
use xdhcp_dataplane::config::{FlexId, HostIdKind, HostIds};
use xdhcp_dataplane::options::Universe;

use crate::config::hooks::Hook;
use crate::config::interfaces::SocketType;
use crate::config::net::to_u128;
use crate::config::options::OptionData;
use crate::config::reservations::{Reservation, IDENTIFIER_TYPES};
use crate::config::{Config, Server};
pub use params::{Ddns, Lifetime, Params};

/// Both servers of a configuration, compiled.
#[derive(Debug, Clone, PartialEq)]
pub struct Compiled {
    /// The DHCPv4 plan, if configured.
    pub dhcp4: Option<Plan>,
    /// The DHCPv6 plan, if configured.
    pub dhcp6: Option<Plan>,
}

/// One server, resolved.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    /// DHCPv4 or DHCPv6.
    pub universe: Universe,
    /// Packet backend.
    pub socket_type: SocketType,
    /// Interfaces to serve.
    pub interfaces: Vec<String>,
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
    /// Identifier types looked up, in order.
    pub host_identifiers: Vec<String>,
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
}

/// One option ready to send.
#[derive(Debug, Clone, PartialEq, Eq)]
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
#[derive(Debug, Clone, PartialEq)]
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
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PoolPlan {
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
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PdPoolPlan {
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
/// these beside the model and the snapshot built from it, so the parts few
/// reservations set are boxed apart, and the identifier type is a shared
/// name rather than a copy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Host {
    /// Identifier type (one of [`IDENTIFIER_TYPES`]).
    pub id_type: &'static str,
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
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HostMore {
    /// Reserved prefixes as (prefix, length).
    pub prefixes: Vec<(u128, u8)>,
    /// Classes the host belongs to.
    pub classes: Vec<String>,
    /// Host options (highest precedence).
    pub options: Vec<OptionOut>,
    /// `next-server` (v4).
    pub next_server: Option<std::net::Ipv4Addr>,
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

/// Compile a loaded configuration.
pub fn compile(cfg: &Config) -> Compiled {
    Compiled {
        dhcp4: cfg.dhcp4.as_ref().map(plan),
        dhcp6: cfg.dhcp6.as_ref().map(plan),
    }
}

fn options(list: &[OptionData]) -> Vec<OptionOut> {
    list.iter()
        .map(|o| OptionOut {
            space: o.space.clone(),
            code: o.code,
            payload: o.payload.clone(),
            always_send: o.always_send,
            never_send: o.never_send,
        })
        .collect()
}

/// `over` wins over `under` for the same (space, code).
fn merge(over: Vec<OptionOut>, under: Vec<OptionOut>) -> Vec<OptionOut> {
    let mut out = over;
    for o in under {
        if !out.iter().any(|x| x.space == o.space && x.code == o.code) {
            out.push(o);
        }
    }
    out
}

fn host(r: &Reservation) -> Host {
    let more = HostMore {
        prefixes: r.prefixes.iter().map(|p| (p.first(), p.len)).collect(),
        classes: r.client_classes.clone(),
        options: options(&r.option_data),
        next_server: r.next_server,
        server_hostname: r.server_hostname.clone(),
        boot_file_name: r.boot_file_name.clone(),
    };
    Host {
        // The reader only makes reservations of these types; another would
        // find no kind in the snapshot, as "" does not.
        id_type: IDENTIFIER_TYPES
            .iter()
            .find(|t| **t == r.id_type)
            .copied()
            .unwrap_or(""),
        id: r.id.clone(),
        addresses: r
            .ip_address
            .map(IpAddr::V4)
            .into_iter()
            .chain(r.ip_addresses.iter().copied())
            .collect(),
        hostname: r.hostname.clone(),
        more: (more != HostMore::default()).then(|| Box::new(more)),
    }
}

fn plan(s: &Server) -> Plan {
    let v6 = s.universe == Universe::V6;
    let mut subnets: Vec<SubnetPlan> = s
        .subnets
        .iter()
        .map(|sub| {
            let net = sub
                .shared_network
                .as_ref()
                .and_then(|n| s.shared_networks.iter().find(|x| &x.name == n));
            let net_options = net.map(|n| options(&n.option_data)).unwrap_or_default();
            SubnetPlan {
                id: sub.id,
                network: sub.prefix.first(),
                prefix_len: sub.prefix.len,
                shared_network: sub.shared_network.clone(),
                guard: sub.effective.client_class.clone().unwrap_or_default(),
                required: net
                    .and_then(|n| n.own.require_client_classes.as_ref())
                    .into_iter()
                    .chain(sub.own.require_client_classes.iter())
                    .flatten()
                    .cloned()
                    .collect(),
                interface: sub.effective.interface.clone(),
                interface_id: sub.effective.interface_id.clone(),
                relay: sub.effective.relay.clone(),
                params: Params::resolve(&sub.effective, v6),
                options: merge(options(&sub.option_data), net_options),
                pools: sub
                    .pools
                    .iter()
                    .map(|p| PoolPlan {
                        first: to_u128(p.range.first),
                        last: to_u128(p.range.last),
                        guard: p.client_class.clone(),
                        required: p.require_client_classes.clone(),
                        options: options(&p.option_data),
                    })
                    .collect(),
                pd_pools: sub
                    .pd_pools
                    .iter()
                    .map(|p| PdPoolPlan {
                        prefix: p.prefix.first(),
                        prefix_len: p.prefix.len,
                        delegated_len: p.delegated_len,
                        excluded: p.excluded.map(|e| (e.first(), e.len)),
                        guard: p.client_class.clone(),
                        required: p.require_client_classes.clone(),
                        options: options(&p.option_data),
                    })
                    .collect(),
                hosts: sub.reservations.iter().map(host).collect(),
            }
        })
        .collect();
    subnets.sort_by_key(|p| p.id);
    Plan {
        universe: s.universe,
        socket_type: s.interfaces.socket_type,
        interfaces: s.interfaces.interfaces.clone(),
        subnets,
        global_options: options(&s.option_data),
        class_options: s
            .client_classes
            .iter()
            .map(|c| (c.name.clone(), options(&c.option_data)))
            .collect(),
        // The reader reported bad tests already; a plan is only built from
        // a configuration without errors.
        classes: crate::config::classes::table(&s.client_classes, &s.option_spaces, |_, _| {}),
        global_hosts: s.reservations.iter().map(host).collect(),
        host_identifiers: s.host_reservation_identifiers.clone(),
        flex_id: flex_id(s),
        bootp: s.hooks.iter().any(|h| h.hook == Hook::Bootp),
        decline_probation_period: s.decline_probation_period,
        echo_client_id: s.echo_client_id,
        mac_sources: s.mac_sources.clone(),
    }
}

/// The plan's `host-reservation-identifiers` as the engines' kinds.
fn host_ids(plan: &Plan) -> HostIds {
    HostIds(
        plan.host_identifiers
            .iter()
            .filter_map(|n| HostIdKind::from_name(n))
            .collect(),
    )
}

/// The flex_id hook's expression compiled against the server's classes
/// (the reader checked that it compiles).
fn flex_id(s: &Server) -> Option<FlexId> {
    let params = s.hooks.iter().find_map(|h| h.flex_id.as_ref())?;
    let spaces = &s.option_spaces;
    let mut classes = crate::config::classes::table(&s.client_classes, spaces, |_, _| {});
    let expression =
        crate::config::classes::compile_string(&params.expression, spaces, &mut classes).ok()?;
    Some(FlexId {
        expression,
        replace_client_id: params.replace_client_id,
        ignore_iaid: params.ignore_iaid,
    })
}

/// Each plan subnet's shared network as an index, and each shared network
/// as the indexes of its subnets, in plan order: the engines' layout.
pub(crate) fn shared_network_indexes(plan: &Plan) -> (Vec<Option<usize>>, Vec<Vec<usize>>) {
    let mut names: Vec<&str> = Vec::new();
    let mut members: Vec<Vec<usize>> = Vec::new();
    let of_subnet = plan
        .subnets
        .iter()
        .enumerate()
        .map(|(i, s)| {
            s.shared_network.as_deref().map(|name| {
                let n = names.iter().position(|x| *x == name).unwrap_or_else(|| {
                    names.push(name);
                    members.push(Vec::new());
                    names.len() - 1
                });
                members[n].push(i);
                n
            })
        })
        .collect();
    (of_subnet, members)
}

/// The top-level options of `space` among `entries`, later entries
/// overriding earlier ones with the same code; `never-send` ones are left
/// out, and sub-option spaces travel inside their parent option.
pub(crate) fn option_set<'a>(
    entries: impl Iterator<Item = &'a OptionOut>,
    space: &str,
) -> xdhcp_dataplane::config::OptionSet {
    use xdhcp_dataplane::config::options::ConfiguredOption;
    let list = entries
        .filter(|o| o.space == space && !o.never_send)
        .map(|o| ConfiguredOption {
            code: o.code,
            data: o.payload.clone(),
            always_send: o.always_send,
        })
        .collect();
    xdhcp_dataplane::config::OptionSet::new(list)
}

/// A subnet's options: its own over its shared network's (the plan's list
/// holds the subnet's first). Global options stay apart, below the classes'.
pub(crate) fn subnet_options(
    subnet: &SubnetPlan,
    space: &str,
) -> xdhcp_dataplane::config::OptionSet {
    option_set(subnet.options.iter().rev(), space)
}

/// The plan's classes with their options; names that scopes use later are
/// added as they are met.
pub(crate) fn class_table(plan: &Plan, space: &str) -> Classes {
    let mut classes = plan.classes.clone();
    for (name, opts) in &plan.class_options {
        if let Some(i) = classes.index(name) {
            classes.set_options(i, option_set(opts.iter(), space));
        }
    }
    classes
}

/// A pool's guard, required classes and options, with class names
/// resolved into `classes`.
pub(crate) fn pool_classes(
    guard: &[String],
    required: &[String],
    options: &[OptionOut],
    space: &str,
    classes: &mut Classes,
) -> xdhcp_dataplane::config::PoolClasses {
    xdhcp_dataplane::config::PoolClasses {
        guard: class_guard(guard, classes),
        required: class_indexes(required, classes),
        options: option_set(options.iter(), space),
    }
}

/// The guard of a scope open to the classes `names` (all when empty).
pub(crate) fn class_guard(
    names: &[String],
    classes: &mut Classes,
) -> xdhcp_dataplane::config::Guard {
    xdhcp_dataplane::config::Guard(class_indexes(names, classes))
}

/// The index of each named class, adding names the configuration uses
/// without defining them (they never match, unless built in).
pub(crate) fn class_indexes(names: &[String], classes: &mut Classes) -> Vec<u16> {
    names
        .iter()
        .filter_map(|n| classes.intern(n).ok())
        .collect()
}
