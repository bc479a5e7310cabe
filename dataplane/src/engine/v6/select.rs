//! Which subnet a DHCPv6 client is on (the Kea manual's order; of the
//! subnets that match at a step, the lowest id).

use super::Request6;
use crate::classify::ClassSet;
use crate::config::{Config6, Subnet6};
use crate::engine::network;

/// The selected subnet and its shared network's other subnets, in Kea's
/// order from the selected one (none when no subnet serves the client).
pub type Selection<'c> = network::Selection<'c, Subnet6>;

impl<'c> Selection<'c> {
    /// The subnet the client's link is on, if one is.
    pub fn primary(&self) -> Option<&'c Subnet6> {
        self.selected()
    }
}

/// The subnet a relayed client is on, decided by the relay closest to the
/// client: its `interface-id`, then its link-address among the subnets'
/// `relay` addresses, then the subnet holding that link-address; at each
/// step only subnets the client's `classes` admit count.
fn relayed<'c>(config: &'c Config6, req: &Request6<'_>, classes: &ClassSet) -> Option<&'c Subnet6> {
    let relay = req.packet.relays().last()?;
    let link = relay.link_address();
    let lowest = |f: &dyn Fn(&Subnet6) -> bool| lowest_id(config, classes, f);
    relay
        .interface_id()
        .and_then(|id| lowest(&|s| s.interface_id.as_deref() == Some(id)))
        .or_else(|| lowest(&|s| s.relay.contains(&link)))
        .or_else(|| (!link.is_unspecified()).then(|| lowest(&|s| s.contains(link)))?)
}

/// Of the subnets `matching` says and the client's `classes` admit, the
/// one with the lowest id (Kea looks through subnets by id).
fn lowest_id<'c>(
    config: &'c Config6,
    classes: &ClassSet,
    matching: &dyn Fn(&Subnet6) -> bool,
) -> Option<&'c Subnet6> {
    let admitted = config.subnets.iter().filter(|s| s.admits(classes));
    admitted.filter(|s| matching(s)).min_by_key(|s| s.id)
}

/// The subnet of a directly connected client: the one bound to the
/// receiving interface, else one holding the client's (global) source;
/// only subnets the client's `classes` admit count.
fn direct<'c>(config: &'c Config6, req: &Request6<'_>, classes: &ClassSet) -> Option<&'c Subnet6> {
    let lowest = |f: &dyn Fn(&Subnet6) -> bool| lowest_id(config, classes, f);
    req.interface
        .and_then(|name| lowest(&|s| s.interface.as_deref() == Some(name)))
        .or_else(|| lowest(&|s| s.contains(req.src)))
}

/// Selects the subnet for `req`, or `None` when no subnet serves its link.
/// As in Kea 2.2, a subnet whose `client-class` the client is not in (by
/// the classes of reception) is not selected, and no other subnet of its
/// shared network stands in for it by that. The shared network's other
/// subnets follow the selected one, in Kea's order (by id, those after
/// it, then those before), whatever their classes: the engine checks
/// them again with the classes known once the client's reservation is
/// found.
pub fn select<'c>(
    config: &'c Config6,
    req: &Request6<'_>,
    classes: &ClassSet,
) -> Option<Selection<'c>> {
    let primary = if req.packet.relay_depth() > 0 {
        relayed(config, req, classes)?
    } else {
        direct(config, req, classes)?
    };
    let network = primary
        .shared_network
        .and_then(|n| config.shared_networks.get(n));
    let others = network
        .into_iter()
        .flatten()
        .filter_map(|&i| config.subnets.get(i));
    Some(Selection::of(primary, others))
}
