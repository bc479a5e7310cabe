//! Who the client is: its identifiers, its reservation, its lease.

use std::net::Ipv4Addr;

use super::select::Selection;
use crate::classify::v4::Input4;
use crate::classify::ClassSet;
use crate::config::host_ids::Lookup;
use crate::config::v4::{HostIdKind, Reservations4};
use crate::config::{Config4, Reservation4, Subnet4};
use crate::lease::v4::{client_id_hash, hw_hash};
use crate::lease::{ClientId, HwAddr, Lease4, LeaseStore};
use crate::wire::v4::{code, Packet4, RelayAgentInfo};

/// RFC 4361: a client identifier of this type holds an IAID and a DUID.
const CLIENT_ID_DUID: u8 = 255;
/// Type byte and IAID before the DUID in such a client identifier.
const DUID_OFFSET: usize = 5;

/// A client's identifiers, copied out of its message once.
pub struct Client {
    hw: HwAddr,
    /// The client identifier the server works with: option 61 as sent, or
    /// a zero byte and the flexible identifier under `replace-client-id`.
    client_id: ClientId,
    circuit_id: ClientId,
    flex_id: ClientId,
    /// Identifier kinds reservations are looked up by, in order.
    lookup: Lookup,
}

impl Client {
    /// The identifiers of the client that sent `p`; the flexible identifier
    /// is evaluated over `input` with the classes known so far.
    pub fn of(p: &Packet4<'_>, config: &Config4, input: &Input4<'_>, member: &ClassSet) -> Client {
        let mut scratch = [0u8; 512];
        let mut client_id = p
            .option(code::CLIENT_ID)
            .and_then(|v| v.read(&mut scratch).ok().map(ClientId::new))
            .unwrap_or(ClientId::EMPTY);
        let circuit_id = p
            .option(code::RELAY_AGENT_INFO)
            .and_then(|v| v.read(&mut scratch).ok())
            .and_then(|v| RelayAgentInfo::parse(v).ok())
            .and_then(|rai| rai.circuit_id().map(ClientId::new))
            .unwrap_or(ClientId::EMPTY);
        let flex = config.flex_id.as_ref();
        let flex_id = flex.map_or(ClientId::EMPTY, |f| f.evaluate(input, member));
        // The flex-id after one zero byte, when it replaces the client's.
        if let Some(id) = flex.and_then(|f| f.replacement(&flex_id, 1)) {
            client_id = id;
        }
        let lookup = config.host_ids.lookup(flex.is_some());
        Client {
            hw: HwAddr::new(p.htype(), p.chaddr()).unwrap_or_default(),
            client_id,
            circuit_id,
            flex_id,
            lookup,
        }
    }

    /// The client's hardware address.
    pub fn hw(&self) -> HwAddr {
        self.hw
    }

    /// The client identifier it is known by (empty if none).
    pub fn client_id(&self) -> &[u8] {
        self.client_id.as_bytes()
    }

    /// The client's identifier of `kind` (empty when it has none): the
    /// DUID only from a client identifier long enough to hold one, as Kea.
    fn id(&self, kind: HostIdKind) -> &[u8] {
        match kind {
            HostIdKind::HwAddress => self.hw.as_bytes(),
            HostIdKind::Duid => {
                let c = self.client_id.as_bytes();
                if c.len() > DUID_OFFSET && c[0] == CLIENT_ID_DUID {
                    &c[DUID_OFFSET..]
                } else {
                    &[]
                }
            }
            HostIdKind::CircuitId => self.circuit_id.as_bytes(),
            HostIdKind::ClientId => self.client_id.as_bytes(),
            HostIdKind::FlexId => self.flex_id.as_bytes(),
        }
    }

    /// True when `l` is this client's lease, by Kea's rule: the client
    /// identifiers decide when `match-client-id` is on and both sides have
    /// one, the hardware address otherwise.
    pub fn owns(&self, l: &Lease4, subnet: &Subnet4) -> bool {
        if subnet.match_client_id && !self.client_id.is_empty() && !l.client_id.is_empty() {
            l.client_id == self.client_id
        } else {
            !self.hw.is_empty() && l.hwaddr == self.hw
        }
    }

    /// The client's reservation for `subnet` as Kea's `currentHost`: its
    /// own in the subnet when the subnet consults those, else its global
    /// one when the subnet consults global reservations.
    pub fn reservation<'c>(
        &self,
        subnet: &'c Subnet4,
        global: &'c Reservations4,
    ) -> Option<&'c Reservation4> {
        let scope = subnet.host_scope;
        let own = scope.in_subnet.then(|| self.find_in(&subnet.reservations));
        own.flatten()
            .or_else(|| scope.global.then(|| self.find_in(global)).flatten())
    }

    /// The address reserved for the client in `subnet` that the server
    /// hands out: a subnet reservation's, unless `reservations-out-of-pool`
    /// voids it for lying in a pool; a global one's inside the subnet.
    pub fn reserved_address(&self, subnet: &Subnet4, global: &Reservations4) -> Option<Ipv4Addr> {
        let scope = subnet.host_scope;
        if let Some(own) = scope
            .in_subnet
            .then(|| self.find_in(&subnet.reservations))
            .flatten()
        {
            return own.address.filter(|&a| scope.checks(subnet.in_pool(a)));
        }
        let host = scope.global.then(|| self.find_in(global)).flatten()?;
        host.address.filter(|&a| subnet.contains(a))
    }

    /// True when `a` is reserved in `subnet` for a host other than this
    /// client. As in Kea, only the subnet's reservations count, and none
    /// for an in-pool address under `reservations-out-of-pool`.
    pub fn reserved_for_other(&self, subnet: &Subnet4, a: Ipv4Addr) -> bool {
        // The cheap test first: most addresses are reserved for nobody.
        subnet.reservations.reserves(a)
            && subnet.host_scope.checks(subnet.in_pool(a))
            && self.find_in(&subnet.reservations).and_then(|r| r.address) != Some(a)
    }

    /// The first reservation found by the client's identifiers, taken in
    /// `host-reservation-identifiers` order.
    fn find_in<'c>(&self, r: &'c Reservations4) -> Option<&'c Reservation4> {
        self.lookup.first(|k| self.id(k), |id| r.find(id))
    }

    /// The lease the client holds (or held) in one of the selected subnets.
    pub fn current_lease(
        &self,
        store: &LeaseStore<Lease4>,
        selection: &Selection<'_>,
    ) -> Option<Lease4> {
        let visit = |found: &mut Option<Lease4>, l: &Lease4| {
            let ours = selection
                .iter()
                .find(|s| s.id == l.subnet_id)
                .is_some_and(|s| self.owns(l, s));
            if ours && found.is_none() {
                *found = Some(l.clone());
            }
        };
        let mut found = None;
        if !self.client_id.is_empty() {
            let key = client_id_hash(self.client_id.as_bytes());
            store.each_by_client(key, |l| visit(&mut found, l));
        }
        // Each index walk visits every shard: the second only when needed.
        if found.is_none() && !self.hw.is_empty() {
            store.each_by_hw(hw_hash(&self.hw), |l| visit(&mut found, l));
        }
        found
    }

    /// A lease of `addr` for this client.
    pub fn lease(&self, addr: Ipv4Addr, subnet: &Subnet4, now: u32, lifetime: u32) -> Lease4 {
        let mut l = Lease4::new(addr, now, lifetime, subnet.id);
        l.hwaddr = self.hw;
        l.client_id = self.client_id.clone();
        l
    }
}
