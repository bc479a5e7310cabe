//! Who the client is: its DUID, its reservation, its leases.

use std::net::Ipv6Addr;

use super::select::Selection;
use super::{mac, Request6};
use crate::classify::v6::Input6;
use crate::classify::ClassSet;
use crate::config::host_ids::Lookup;
use crate::config::v6::{HostIdKind, MacSource, Reservations6};
use crate::config::{Config6, Reservation6, Subnet6};
use crate::lease::v6::client_hash;
use crate::lease::{ClientId, HwAddr, Lease6, LeaseState, LeaseStore, LeaseType};

/// A client's identity, mostly borrowed from its message.
pub struct Client<'r> {
    /// The DUID as sent (empty for an anonymous INFORMATION-REQUEST).
    sent_duid: &'r [u8],
    /// The DUID the server works with instead under the flex_id hook's
    /// `replace-client-id`: two zero bytes, then the flexible identifier.
    replaced_duid: Option<ClientId>,
    /// The flex_id hook's identifier (empty without the hook, or when
    /// the expression yields nothing).
    flex_id: ClientId,
    /// The link-layer address the first fruitful `mac-sources` entry
    /// gave (empty when none did).
    hw: HwAddr,
    /// Which source gave `hw`.
    hw_source: Option<MacSource>,
    /// Identifier kinds reservations are looked up by, in order.
    lookup: Lookup,
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
    /// The client that sent `req`, its link-layer address taken from the
    /// configured `mac-sources` in order; the flexible identifier is
    /// evaluated over `input` with the classes known so far.
    pub fn of(
        req: &Request6<'r>,
        config: &Config6,
        input: &Input6<'_>,
        member: &ClassSet,
    ) -> Client<'r> {
        let id = req.packet.innermost().client_id();
        let (hw, hw_source) = match mac::find(req, config.mac_sources()) {
            Some((hw, source)) => (hw, Some(source)),
            None => (HwAddr::default(), None),
        };
        let flex = config.flex_id.as_ref();
        let flex_id = flex.map_or(ClientId::EMPTY, |f| f.evaluate(input, member));
        Client {
            sent_duid: id.map_or(&[][..], |d| d.as_bytes()),
            // A DUID of type 0, which no client sends, as Kea's hook makes.
            replaced_duid: flex.and_then(|f| f.replacement(&flex_id, 2)),
            flex_id,
            hw,
            hw_source,
            lookup: config.host_ids.lookup(flex.is_some()),
        }
    }

    /// The DUID the client is known by: as sent, or the flexible
    /// identifier standing in for it (empty for an anonymous
    /// INFORMATION-REQUEST).
    pub fn duid(&self) -> &[u8] {
        self.replaced_duid
            .as_ref()
            .map_or(self.sent_duid, |d| d.as_bytes())
    }

    /// The DUID as the client sent it, which replies echo.
    pub fn sent_duid(&self) -> &'r [u8] {
        self.sent_duid
    }

    /// The client's identifier of `kind` (empty when it has none; the
    /// DHCPv4-only kinds never match).
    fn id(&self, kind: HostIdKind) -> &[u8] {
        match kind {
            HostIdKind::HwAddress => self.hw.as_bytes(),
            HostIdKind::Duid => self.duid(),
            HostIdKind::FlexId => self.flex_id.as_bytes(),
            HostIdKind::CircuitId | HostIdKind::ClientId => &[],
        }
    }

    /// The client's link-layer address (empty if unknown), and where it
    /// came from.
    pub fn hw(&self) -> (HwAddr, Option<MacSource>) {
        (self.hw, self.hw_source)
    }

    /// True when `l` is this client's lease for the IA `iaid` of `kind`.
    pub fn owns(&self, l: &Lease6, iaid: u32, kind: LeaseType) -> bool {
        !self.duid().is_empty()
            && l.iaid == iaid
            && l.lease_type == kind
            && l.duid.as_bytes() == self.duid()
    }

    /// The client's reservation for `subnet` as Kea's `currentHost`: its
    /// own in the subnet when the subnet consults those, else its global
    /// one when the subnet consults global reservations.
    pub fn reservation<'c>(
        &self,
        subnet: &'c Subnet6,
        global: &'c Reservations6,
    ) -> Option<&'c Reservation6> {
        self.host(subnet, global).map(|(h, _)| h)
    }

    /// The reservation and whether it is the subnet's own.
    fn host<'c>(
        &self,
        subnet: &'c Subnet6,
        global: &'c Reservations6,
    ) -> Option<(&'c Reservation6, bool)> {
        let scope = subnet.host_scope;
        let own = scope.in_subnet.then(|| self.find_in(&subnet.reservations));
        if let Some(h) = own.flatten() {
            return Some((h, true));
        }
        let global = scope.global.then(|| self.find_in(global));
        global.flatten().map(|h| (h, false))
    }

    /// The addresses (for `Na`) or prefixes (for `Pd`) reserved for the
    /// client that `subnet` hands out: a subnet reservation's unless
    /// `reservations-out-of-pool` voids it for lying in a pool; addresses
    /// only inside the subnet.
    pub fn reserved<'c>(
        &self,
        subnet: &'c Subnet6,
        global: &'c Reservations6,
        kind: LeaseType,
    ) -> impl Iterator<Item = (Ipv6Addr, u8)> + 'c {
        let host = self.host(subnet, global);
        let own = host.is_some_and(|(_, own)| own);
        let host = host.map(|(h, _)| h);
        let addresses = host
            .into_iter()
            .flat_map(|h| h.addresses.iter().map(|&a| (a, 128)))
            .filter(move |_| kind == LeaseType::Na);
        let prefixes = host
            .into_iter()
            .flat_map(|h| h.prefixes.iter().copied())
            .filter(move |_| kind == LeaseType::Pd);
        addresses.chain(prefixes).filter(move |&(a, len)| {
            let inside = len != 128 || subnet.contains(a);
            inside && (!own || subnet.host_scope.checks(subnet.pooled(a, len)))
        })
    }

    /// True when `a/len` is reserved in `subnet` for a host other than this
    /// client. As in Kea, only the subnet's reservations count, and none
    /// for an in-pool address or prefix under `reservations-out-of-pool`.
    pub fn reserved_for_other(&self, subnet: &Subnet6, a: Ipv6Addr, len: u8) -> bool {
        // The cheap test first: most addresses are reserved for nobody.
        subnet.reservations.reserves(a)
            && subnet.host_scope.checks(subnet.pooled(a, len))
            && self.find_in(&subnet.reservations).is_none_or(|r| {
                !r.addresses.contains(&a) && !r.prefixes.iter().any(|&(p, _)| p == a)
            })
    }

    /// True when the reservation [`Client::reservation`] finds for
    /// `subnet` is a global one.
    pub fn is_global(&self, subnet: &Subnet6, global: &Reservations6) -> bool {
        self.host(subnet, global).is_some_and(|(_, own)| !own)
    }

    /// The first reservation found by the client's identifiers, taken in
    /// `host-reservation-identifiers` order.
    fn find_in<'c>(&self, r: &'c Reservations6) -> Option<&'c Reservation6> {
        if r.is_empty() {
            return None;
        }
        self.lookup.first(|k| self.id(k), |id| r.find(id))
    }

    /// The lease the client holds for IA `iaid` of `kind` in a selected subnet.
    pub fn current<'c>(
        &self,
        store: &LeaseStore<Lease6>,
        selection: &Selection<'c>,
        iaid: u32,
        kind: LeaseType,
    ) -> Option<Held<'c>> {
        if self.duid().is_empty() {
            return None;
        }
        let mut found = None;
        store.each_by_client(client_hash(self.duid(), iaid, kind), |l| {
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
        l.duid = ClientId::new(self.duid());
        l.lease_type = kind;
        l.prefix_len = prefix_len;
        l.pref_lft = preferred;
        l.subnet_id = subnet.id;
        l.hwaddr = self.hw;
        l
    }
}
