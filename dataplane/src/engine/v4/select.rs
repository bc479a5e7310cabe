//! Which subnet a DHCPv4 client is on (the order the Kea manual gives),
//! and the order Kea 2.2 goes through a shared network: subnets by id,
//! from the selected one on, then those before it.

use std::net::Ipv4Addr;

use super::Request4;
use crate::classify::ClassSet;
use crate::config::{Config4, Subnet4};
use crate::wire::v4::{code, RelayAgentInfo};

/// The selected subnet and the other subnets the client may be given
/// addresses from (its shared network, the selected one first, then the
/// others by id after it, then those before it).
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

    /// The subnets in the order Kea tries them from `first` (one of them):
    /// `first`, those after it, then those before it.
    pub fn from(&self, first: &Subnet4) -> impl Iterator<Item = &'c Subnet4> + '_ {
        let at = self.iter().position(|s| s.id == first.id).unwrap_or(0);
        self.iter().skip(at).chain(self.iter().take(at))
    }

    /// Kea 2.2's preferred subnet for a new lease when `at` is the subnet
    /// at hand: of the subnets with `at`'s class guard that allocated
    /// after it, the one with the highest id; else `at`. A shared network
    /// thus goes on from the subnet that allocated last instead of
    /// walking the exhausted ones again.
    pub fn preferred(&self, at: &'c Subnet4) -> &'c Subnet4 {
        let since = at.last_pool.of(false).stamp();
        self.iter()
            .filter(|s| s.guard == at.guard && s.last_pool.of(false).stamp() > since)
            .max_by_key(|s| s.id)
            .unwrap_or(at)
    }

    /// Notes that `subnet` (one of them) just proposed addresses, for
    /// [`Selection::preferred`]: its stamp goes past every stamp of the
    /// subnets this client may use, which hold every subnet that shares
    /// its class guard, so stamps order those subnets as their
    /// allocations happened.
    pub fn stamp(&self, subnet: &Subnet4) {
        if subnet.shared_network.is_none() {
            return;
        }
        let latest = self.iter().map(|s| s.last_pool.of(false).stamp()).max();
        subnet
            .last_pool
            .of(false)
            .mark(latest.unwrap_or(0).saturating_add(1));
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
    // The subnets a client of the chosen one's link may use, in Kea's
    // order from the chosen one.
    let usable = |s: &'c Subnet4| -> Selection<'c> {
        let mut subnets = [None; MAX_SHARED];
        subnets[0] = Some(s);
        let mut n = 1;
        let network = s.shared_network.and_then(|i| config.shared_networks.get(i));
        let others = network
            .into_iter()
            .flatten()
            .filter_map(|&i| config.subnets.get(i));
        for x in others.filter(|x| x.id != s.id && x.admits(classes)) {
            if n < MAX_SHARED {
                subnets[n] = Some(x);
                n += 1;
            }
        }
        // By id, then turned so that the chosen one comes first.
        subnets[..n].sort_unstable_by_key(|x| x.map(|x| x.id));
        let at = subnets[..n].iter().flatten().position(|x| x.id == s.id);
        subnets[..n].rotate_left(at.unwrap_or(0));
        Selection { subnets }
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
