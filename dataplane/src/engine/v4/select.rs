//! Which subnet a DHCPv4 client is on (the order the Kea manual gives).

use std::net::Ipv4Addr;

use super::Request4;
use crate::classify::ClassSet;
use crate::config::{Config4, Subnet4};
use crate::wire::v4::{code, RelayAgentInfo};

/// The selected subnet and the other subnets the client may be given
/// addresses from (its shared network, the selected one first).
pub struct Selection<'c> {
    /// Subnets in the order they are tried.
    pub subnets: [Option<&'c Subnet4>; MAX_SHARED],
}

/// Most subnets of one shared network tried for a client; keeps the
/// selection on the stack.
pub const MAX_SHARED: usize = 16;

impl<'c> Selection<'c> {
    /// The subnets, selected one first.
    pub fn iter(&self) -> impl Iterator<Item = &'c Subnet4> + '_ {
        self.subnets.iter().map_while(|s| *s)
    }

    /// The subnet the client's link is on.
    pub fn primary(&self) -> &'c Subnet4 {
        // A selection is only built with at least one subnet.
        self.subnets[0].expect("a selection holds a subnet")
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

/// Selects the subnet for `req`, or `None` when no subnet serves its link.
/// A subnet guarded by a class the client is not in is passed over; in a
/// shared network the client gets the members it may use (Kea's
/// class-based subnet selection).
pub fn select<'c>(
    config: &'c Config4,
    req: &Request4<'_>,
    classes: &ClassSet,
) -> Option<Selection<'c>> {
    let (link, relayed) = link_address(req);
    // The subnets a client of the chosen one's link may use, chosen first.
    let usable = |s: &'c Subnet4| -> Option<Selection<'c>> {
        let mut subnets = [None; MAX_SHARED];
        let mut n = 0;
        let mut add = |x: &'c Subnet4| {
            if n < MAX_SHARED
                && x.admits(classes)
                && !subnets[..n]
                    .iter()
                    .flatten()
                    .any(|y: &&Subnet4| y.id == x.id)
            {
                subnets[n] = Some(x);
                n += 1;
            }
        };
        add(s);
        if let Some(network) = s.shared_network.and_then(|i| config.shared_networks.get(i)) {
            network
                .iter()
                .filter_map(|&i| config.subnets.get(i))
                .for_each(add);
        }
        (n > 0).then_some(Selection { subnets })
    };
    let tiers: [&dyn Fn(&Subnet4) -> bool; 3] = [
        &|s| relayed && s.relay.contains(&link),
        &|s| s.contains(link),
        // A directly connected client whose interface address is in no
        // subnet: a subnet bound to the interface by name serves it.
        &|s| req.interface.is_some() && s.interface.as_deref() == req.interface,
    ];
    tiers
        .iter()
        .find_map(|tier| config.subnets.iter().filter(|s| tier(s)).find_map(usable))
}
