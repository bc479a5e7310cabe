//! Which subnet a DHCPv6 client is on (the Kea manual's order).

use super::Request6;
use crate::classify::ClassSet;
use crate::config::{Config6, Subnet6};

/// Most subnets of one shared network tried for a client; keeps the
/// selection on the stack.
pub const MAX_SHARED: usize = 16;

/// The selected subnet and its shared network's other subnets (none when
/// no subnet serves the client).
pub struct Selection<'c> {
    subnets: [Option<&'c Subnet6>; MAX_SHARED],
}

impl<'c> Selection<'c> {
    /// The subnets, selected one first.
    pub fn iter(&self) -> impl Iterator<Item = &'c Subnet6> + '_ {
        self.subnets.iter().map_while(|s| *s)
    }

    /// No subnet: Kea still answers, from the class and global options.
    pub fn none() -> Self {
        Selection {
            subnets: [None; MAX_SHARED],
        }
    }

    /// The subnet the client's link is on, if one is.
    pub fn primary(&self) -> Option<&'c Subnet6> {
        self.subnets[0]
    }

    /// The selected subnet with id `id`.
    pub fn by_id(&self, id: u32) -> Option<&'c Subnet6> {
        self.iter().find(|s| s.id == id)
    }
}

/// The subnet a relayed client is on, decided by the relay closest to the
/// client: its `interface-id`, then its link-address among the subnets'
/// `relay` addresses, then the subnet holding that link-address; at each
/// step only subnets the client's `classes` admit count.
fn relayed<'c>(config: &'c Config6, req: &Request6<'_>, classes: &ClassSet) -> Option<&'c Subnet6> {
    let relay = req.packet.relays().last()?;
    let link = relay.link_address();
    let admitted = || config.subnets.iter().filter(|s| s.admits(classes));
    relay
        .interface_id()
        .and_then(|id| admitted().find(|s| s.interface_id.as_deref() == Some(id)))
        .or_else(|| admitted().find(|s| s.relay.contains(&link)))
        .or_else(|| {
            (!link.is_unspecified())
                .then(|| admitted().find(|s| s.contains(link)))
                .flatten()
        })
}

/// The subnet of a directly connected client: the one bound to the
/// receiving interface, else one holding the client's (global) source;
/// only subnets the client's `classes` admit count.
fn direct<'c>(config: &'c Config6, req: &Request6<'_>, classes: &ClassSet) -> Option<&'c Subnet6> {
    let admitted = || config.subnets.iter().filter(|s| s.admits(classes));
    req.interface
        .and_then(|name| admitted().find(|s| s.interface.as_deref() == Some(name)))
        .or_else(|| admitted().find(|s| s.contains(req.src)))
}

/// Selects the subnet for `req`, or `None` when no subnet serves its link.
/// As in Kea 2.2, a subnet whose `client-class` the client is not in (by
/// the classes of reception) is not selected, and no other subnet of its
/// shared network stands in for it by that. The shared network's other
/// subnets follow the selected one, in Kea's order (those after it, then
/// those before), whatever their classes: the engine checks them again
/// with the classes known once the client's reservation is found.
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
    let network: &[usize] = primary
        .shared_network
        .and_then(|n| config.shared_networks.get(n))
        .map_or(&[], |n| &n[..]);
    let at = network
        .iter()
        .position(|&i| config.subnets.get(i).is_some_and(|s| s.id == primary.id))
        .unwrap_or(0);
    let (before, after) = network.split_at(at);
    let siblings = after
        .iter()
        .chain(before)
        .filter_map(|&i| config.subnets.get(i))
        .filter(|s| s.id != primary.id);
    let mut subnets = [None; MAX_SHARED];
    for (slot, s) in subnets
        .iter_mut()
        .zip(std::iter::once(primary).chain(siblings))
    {
        *slot = Some(s);
    }
    Some(Selection { subnets })
}
