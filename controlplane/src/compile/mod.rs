//! Compile: the validated Kea model resolved into the snapshot the
//! dataplane serves from, one plan per server: every subnet with concrete
//! parameters (inheritance done, defaults applied), its options merged over
//! its shared network's, ranges as numbers, subnets sorted by id.
//!
//! The plan types are the dataplane's ([`xdhcp_dataplane::config::plan`]):
//! they are what the snapshot file carries, and the dataplane builds its
//! engines' configuration from them ([`xdhcp_dataplane::config::build`]).

mod params;
mod setup;

use std::net::IpAddr;

use xdhcp_dataplane::config::plan::{
    Host, HostMore, OptionOut, PdPoolPlan, Plan, PoolPlan, SubnetPlan,
};
use xdhcp_dataplane::config::snapshot::Snapshot;
use xdhcp_dataplane::config::{FlexId, HostIdKind};
use xdhcp_dataplane::options::Universe;

use crate::config::hooks::Hook;
use crate::config::net::to_u128;
use crate::config::options::OptionData;
use crate::config::reservations::Reservation;
use crate::config::{Config, Server};
use crate::server_duid;
use params::params;
pub use setup::setup;

/// Both servers of a configuration, compiled, with [`default_duid`] for
/// the DHCPv6 server's: a server puts the DUID it keeps in its data
/// directory in its place ([`crate::server_duid`]).
pub fn compile(cfg: &Config) -> Snapshot {
    Snapshot {
        dhcp4: cfg.dhcp4.as_ref().map(plan),
        dhcp6: cfg.dhcp6.as_ref().map(plan),
        server_duid: default_duid(),
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

/// A reservation as the plan carries it; `None` for an identifier type
/// the engines do not look up (the reader reports those).
fn host(r: &Reservation) -> Option<Host> {
    let more = HostMore {
        prefixes: r.prefixes.iter().map(|p| (p.first(), p.len)).collect(),
        classes: r.client_classes.clone(),
        options: options(&r.option_data),
        next_server: r.next_server,
        server_hostname: r.server_hostname.clone(),
        boot_file_name: r.boot_file_name.clone(),
    };
    Some(Host {
        id_type: HostIdKind::from_name(&r.id_type)?,
        id: r.id.clone(),
        addresses: r
            .ip_address
            .map(IpAddr::V4)
            .into_iter()
            .chain(r.ip_addresses.iter().copied())
            .collect(),
        hostname: r.hostname.clone(),
        more: (more != HostMore::default()).then(|| Box::new(more)),
    })
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
                params: params(&sub.effective, v6),
                options: merge(options(&sub.option_data), net_options),
                pools: sub
                    .pools
                    .iter()
                    .map(|p| PoolPlan {
                        id: p.id,
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
                        id: p.id,
                        prefix: p.prefix.first(),
                        prefix_len: p.prefix.len,
                        delegated_len: p.delegated_len,
                        excluded: p.excluded.map(|e| (e.first(), e.len)),
                        guard: p.client_class.clone(),
                        required: p.require_client_classes.clone(),
                        options: options(&p.option_data),
                    })
                    .collect(),
                hosts: sub.reservations.iter().filter_map(host).collect(),
            }
        })
        .collect();
    subnets.sort_by_key(|p| p.id);
    Plan {
        universe: s.universe,
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
        global_hosts: s.reservations.iter().filter_map(host).collect(),
        host_identifiers: s
            .host_reservation_identifiers
            .iter()
            .filter_map(|n| HostIdKind::from_name(n))
            .collect(),
        flex_id: flex_id(s),
        bootp: s.hooks.iter().any(|h| h.hook == Hook::Bootp),
        decline_probation_period: s.decline_probation_period,
        echo_client_id: s.echo_client_id,
        mac_sources: s.mac_sources.clone(),
        setup: setup::setup(s),
    }
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

/// A DUID-EN under ISC's enterprise number with identifier `xdhcp`.
pub fn default_duid() -> Vec<u8> {
    server_duid::duid_en(server_duid::ISC_ENTERPRISE, b"xdhcp")
}
