//! Which subnet a DHCPv6 client is on (the Kea manual's order).

use super::Request6;
use crate::classify::ClassSet;
use crate::config::{Config6, Subnet6};

/// Most subnets of one shared network tried for a client; keeps the
/// selection on the stack.
pub const MAX_SHARED: usize = 16;

/// The selected subnet and its shared network's other subnets.
pub struct Selection<'c> {
    subnets: [Option<&'c Subnet6>; MAX_SHARED],
}

impl<'c> Selection<'c> {
    /// The subnets, selected one first.
    pub fn iter(&self) -> impl Iterator<Item = &'c Subnet6> + '_ {
        self.subnets.iter().map_while(|s| *s)
    }

    /// The subnet the client's link is on.
    pub fn primary(&self) -> &'c Subnet6 {
        // A selection is only built with at least one subnet.
        self.subnets[0].expect("a selection holds a subnet")
    }

    /// The selected subnet with id `id`.
    pub fn by_id(&self, id: u32) -> Option<&'c Subnet6> {
        self.iter().find(|s| s.id == id)
    }
}

/// The subnet a relayed client is on, decided by the relay closest to the
/// client: its `interface-id`, then its link-address among the subnets'
/// `relay` addresses, then the subnet holding that link-address.
fn relayed<'c>(config: &'c Config6, req: &Request6<'_>) -> Option<&'c Subnet6> {
    let relay = req.packet.relays().last()?;
    let link = relay.link_address();
    relay
        .interface_id()
        .and_then(|id| {
            config
                .subnets
                .iter()
                .find(|s| s.interface_id.as_deref() == Some(id))
        })
        .or_else(|| config.subnets.iter().find(|s| s.relay.contains(&link)))
        .or_else(|| {
            (!link.is_unspecified())
                .then(|| config.subnets.iter().find(|s| s.contains(link)))
                .flatten()
        })
}

/// The subnet of a directly connected client: the one bound to the
/// receiving interface, else one holding the client's (global) source.
fn direct<'c>(config: &'c Config6, req: &Request6<'_>) -> Option<&'c Subnet6> {
    req.interface
        .and_then(|name| {
            config
                .subnets
                .iter()
                .find(|s| s.interface.as_deref() == Some(name))
        })
        .or_else(|| config.subnets.iter().find(|s| s.contains(req.src)))
}

/// Selects the subnet for `req`, or `None` when no subnet serves its link.
/// Subnets whose `client-class` the client is not in are left out; when
/// the link's own subnet is one of them, another of its shared network
/// serves the client.
pub fn select<'c>(
    config: &'c Config6,
    req: &Request6<'_>,
    classes: &ClassSet,
) -> Option<Selection<'c>> {
    let chosen = if req.packet.relay_depth() > 0 {
        relayed(config, req)?
    } else {
        direct(config, req)?
    };
    let network = chosen
        .shared_network
        .and_then(|n| config.shared_networks.get(n));
    let siblings = network
        .into_iter()
        .flatten()
        .filter_map(|&i| config.subnets.get(i))
        .filter(|s| s.id != chosen.id);
    let mut subnets = [None; MAX_SHARED];
    let usable = std::iter::once(chosen)
        .chain(siblings)
        .filter(|s| s.admits(classes));
    for (slot, s) in subnets.iter_mut().zip(usable) {
        *slot = Some(s);
    }
    subnets[0]?;
    Some(Selection { subnets })
}
