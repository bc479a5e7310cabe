//! Who the client is: its identifiers, its reservation, its lease.

use std::net::Ipv4Addr;

use super::select::Selection;
use crate::config::v4::{HostId, Reservations4};
use crate::config::{Reservation4, Subnet4};
use crate::lease::v4::{client_id_hash, hw_hash};
use crate::lease::{ClientId, HwAddr, Lease4, LeaseStore};
use crate::wire::v4::{code, Packet4, RelayAgentInfo};

/// A client's identifiers, copied out of its message once.
pub struct Client {
    hw: HwAddr,
    client_id: ClientId,
    circuit_id: ClientId,
}

impl Client {
    /// The identifiers of the client that sent `p`.
    pub fn of(p: &Packet4<'_>) -> Client {
        let mut scratch = [0u8; 512];
        let client_id = p
            .option(code::CLIENT_ID)
            .and_then(|v| v.read(&mut scratch).ok().map(ClientId::new))
            .unwrap_or(ClientId::EMPTY);
        let circuit_id = p
            .option(code::RELAY_AGENT_INFO)
            .and_then(|v| v.read(&mut scratch).ok())
            .and_then(|v| RelayAgentInfo::parse(v).ok())
            .and_then(|rai| rai.circuit_id().map(ClientId::new))
            .unwrap_or(ClientId::EMPTY);
        Client {
            hw: HwAddr::new(p.htype(), p.chaddr()).unwrap_or_default(),
            client_id,
            circuit_id,
        }
    }

    /// The client's hardware address.
    pub fn hw(&self) -> HwAddr {
        self.hw
    }

    /// The client identifier it sent (empty if none).
    pub fn client_id(&self) -> &[u8] {
        self.client_id.as_bytes()
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

    /// The client's reservation in `subnet`, or among the global ones.
    pub fn reservation<'c>(
        &self,
        subnet: &'c Subnet4,
        global: &'c Reservations4,
    ) -> Option<&'c Reservation4> {
        [&subnet.reservations, global]
            .into_iter()
            .find_map(|r| self.find_in(r))
    }

    fn find_in<'c>(&self, r: &'c Reservations4) -> Option<&'c Reservation4> {
        let ids = [
            (!self.hw.is_empty()).then(|| HostId::HwAddress(self.hw.as_bytes())),
            (!self.circuit_id.is_empty()).then(|| HostId::CircuitId(self.circuit_id.as_bytes())),
            (!self.client_id.is_empty()).then(|| HostId::ClientId(self.client_id.as_bytes())),
        ];
        ids.into_iter().flatten().find_map(|id| r.find(id))
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
