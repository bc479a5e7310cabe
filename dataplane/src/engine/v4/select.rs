//! Which subnet a DHCPv4 client is on (the order the Kea manual gives),
//! and the order Kea 2.2 goes through a shared network: subnets by id,
//! from the selected one on, then those before it.

use std::net::Ipv4Addr;

use super::Request4;
use crate::classify::ClassSet;
use crate::config::{Config4, Subnet4};
use crate::engine::network;
use crate::wire::v4::{code, RelayAgentInfo};

/// The selected subnet and the other subnets the client may be given
/// addresses from (its shared network's members it may use), in Kea's
/// order from the selected one.
pub type Selection<'c> = network::Selection<'c, Subnet4>;

impl<'c> Selection<'c> {
    /// The subnet the client's link is on.
    pub fn primary(&self) -> &'c Subnet4 {
        // A selection is only built with at least one subnet.
        self.selected().expect("a selection holds a subnet")
    }
}

/// The address that identifies the client's link: option 118, then the
/// link-selection sub-option of 82, then giaddr, then ciaddr of a unicast
/// renewal, then the receiving interface's address.
fn link_address(req: &Request4<'_>) -> (Ipv4Addr, bool) {
    let p = &req.packet;
    if let Some(a) = p.option_ipv4(code::SUBNET_SELECTION) {
        return (a, false);
    }
    let mut scratch = [0u8; 512];
    let link_selection = p
        .option(code::RELAY_AGENT_INFO)
        .and_then(|v| v.read(&mut scratch).ok())
        .and_then(|v| RelayAgentInfo::parse(v).ok())
        .and_then(|rai| rai.link_selection());
    if let Some(a) = link_selection {
        return (a, false);
    }
    if !p.giaddr().is_unspecified() {
        return (p.giaddr(), true);
    }
    if !p.ciaddr().is_unspecified() && !req.to_broadcast {
        return (p.ciaddr(), false);
    }
    (req.local_addr, false)
}

/// Selects the subnet for `req`, or `None` when no subnet serves its link:
/// of the subnets that serve it, the one with the lowest id. A subnet
/// guarded by a class the client is not in is passed over; in a shared
/// network the client gets the members it may use (Kea's class-based
/// subnet selection).
pub fn select<'c>(
    config: &'c Config4,
    req: &Request4<'_>,
    classes: &ClassSet,
) -> Option<Selection<'c>> {
    let (link, relayed) = link_address(req);
    // The subnets a client of the chosen one's link may use.
    let usable = |s: &'c Subnet4| {
        let network = s.shared_network.and_then(|i| config.shared_networks.get(i));
        let others = network
            .into_iter()
            .flatten()
            .filter_map(|&i| config.subnets.get(i));
        Selection::of(s, others.filter(|x| x.admits(classes)))
    };
    let tiers: [&dyn Fn(&Subnet4) -> bool; 3] = [
        &|s| relayed && s.relay.contains(&link),
        &|s| s.contains(link),
        // A directly connected client whose interface address is in no
        // subnet: a subnet bound to the interface by name serves it.
        &|s| req.interface.is_some() && s.interface.as_deref() == req.interface,
    ];
    // Kea looks through the subnets by id.
    tiers.iter().find_map(|tier| {
        let matching = config
            .subnets
            .iter()
            .filter(|s| tier(s) && s.admits(classes));
        matching.min_by_key(|s| s.id).map(usable)
    })
}
