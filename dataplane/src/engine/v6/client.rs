//! Who the client is: its DUID, its reservation, its leases.

use std::net::Ipv6Addr;

use super::select::Selection;
use crate::config::v6::{HostId6, Reservations6};
use crate::config::{Reservation6, Subnet6};
use crate::lease::v6::client_hash;
use crate::lease::{ClientId, HwAddr, Lease6, LeaseState, LeaseStore, LeaseType};
use crate::wire::v6::Packet6;

/// OPTION_CLIENT_LINKLAYER_ADDR (RFC 6939), added by the nearest relay.
const OPTION_CLIENT_LINKLAYER_ADDR: u16 = 79;

/// A client's identity, borrowed from its message.
pub struct Client<'r> {
    /// The DUID as sent (empty for an anonymous INFORMATION-REQUEST).
    pub duid: &'r [u8],
    /// The link-layer address the nearest relay saw (RFC 6939), else the
    /// one inside a DUID-LLT or DUID-LL, if any.
    hw: HwAddr,
    /// True when `hw` came from the relay.
    hw_from_relay: bool,
}

/// A lease the client holds: what it leases and in which subnet.
#[derive(Clone, Copy)]
pub struct Held<'c> {
    /// The address or delegated prefix.
    pub addr: Ipv6Addr,
    /// 128 for addresses.
    pub prefix_len: u8,
    /// The subnet of the selection the lease belongs to.
    pub subnet: &'c Subnet6,
}

impl<'r> Client<'r> {
    /// The client that sent `packet`.
    pub fn of(packet: &Packet6<'r>) -> Client<'r> {
        let msg = packet.innermost();
        let id = msg.client_id();
        let relayed = packet
            .relays()
            .last()
            .and_then(|r| r.options().find(OPTION_CLIENT_LINKLAYER_ADDR))
            .and_then(|o| Some((u16::from_be_bytes([*o.first()?, *o.get(1)?]), o.get(2..)?)));
        let hw_from_relay = relayed.is_some();
        let hw = relayed
            .or_else(|| id.and_then(|d| d.link_layer()))
            .and_then(|(t, bytes)| HwAddr::new(t as u8, bytes))
            .unwrap_or_default();
        Client {
            duid: id.map_or(&[][..], |d| d.as_bytes()),
            hw,
            hw_from_relay,
        }
    }

    /// The client's link-layer address (empty if unknown), and whether the
    /// relay reported it (else it came from the DUID).
    pub fn hw(&self) -> (HwAddr, bool) {
        (self.hw, self.hw_from_relay)
    }

    /// True when `l` is this client's lease for the IA `iaid` of `kind`.
    pub fn owns(&self, l: &Lease6, iaid: u32, kind: LeaseType) -> bool {
        !self.duid.is_empty()
            && l.iaid == iaid
            && l.lease_type == kind
            && l.duid.as_bytes() == self.duid
    }

    /// The client's reservation in `subnet`, or among the global ones.
    pub fn reservation<'c>(
        &self,
        subnet: &'c Subnet6,
        global: &'c Reservations6,
    ) -> Option<&'c Reservation6> {
        [&subnet.reservations, global]
            .into_iter()
            .find_map(|r| self.find_in(r))
    }

    fn find_in<'c>(&self, r: &'c Reservations6) -> Option<&'c Reservation6> {
        if r.is_empty() {
            return None;
        }
        let ids = [
            (!self.duid.is_empty()).then_some(HostId6::Duid(self.duid)),
            (!self.hw.is_empty()).then(|| HostId6::HwAddress(self.hw.as_bytes())),
        ];
        ids.into_iter().flatten().find_map(|id| r.find(id))
    }

    /// The lease the client holds for IA `iaid` of `kind` in a selected subnet.
    pub fn current<'c>(
        &self,
        store: &LeaseStore<Lease6>,
        selection: &Selection<'c>,
        iaid: u32,
        kind: LeaseType,
    ) -> Option<Held<'c>> {
        if self.duid.is_empty() {
            return None;
        }
        let mut found = None;
        store.each_by_client(client_hash(self.duid, iaid, kind), |l| {
            if found.is_none() && l.state != LeaseState::Declined && self.owns(l, iaid, kind) {
                found = selection.by_id(l.subnet_id).map(|subnet| Held {
                    addr: l.addr,
                    prefix_len: l.prefix_len,
                    subnet,
                });
            }
        });
        found
    }

    /// A new lease for this client.
    #[allow(clippy::too_many_arguments)]
    pub fn lease(
        &self,
        kind: LeaseType,
        iaid: u32,
        addr: Ipv6Addr,
        prefix_len: u8,
        subnet: &Subnet6,
        now: u32,
        (preferred, valid): (u32, u32),
    ) -> Lease6 {
        let mut l = Lease6::new(addr, &[], iaid, now, valid);
        l.duid = ClientId::new(self.duid);
        l.lease_type = kind;
        l.prefix_len = prefix_len;
        l.pref_lft = preferred;
        l.subnet_id = subnet.id;
        l.hwaddr = self.hw;
        l
    }
}
