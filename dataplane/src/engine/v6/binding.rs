//! Bindings of one IA: finding, offering, claiming, extending, releasing
//! and declining the client's address or delegated prefix.

use std::net::Ipv6Addr;

use super::name::ClientName;
use super::Ctx;
use crate::alloc::{AllocatorKind, Walk};
use crate::config::{Lifetime, Subnet6};
use crate::events::LeaseEventKind;
use crate::journal::RecordKind;
use crate::lease::store::Ticket;
use crate::lease::v6::client_hash;
use crate::lease::{reusable, Lease6, LeaseState, LeaseType};
use crate::stats::ScopeStat;
use crate::wire::v6::{IaNa, IaPd, Options};

/// Most pool candidates looked at for one IA in one subnet; a v6 pool
/// can hold 2^62 addresses, so "try every one" (Kea's bound, the pools'
/// capacity) is not one.
const MAX_ATTEMPTS: usize = 1 << 16;

/// What a message does with the bindings it asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// SOLICIT: propose a binding, reserve nothing (as Kea without offer
    /// lifetimes).
    Offer,
    /// REQUEST, or SOLICIT with rapid commit: claim or extend.
    Commit,
    /// RENEW and REBIND: extend, or claim a new binding (RFC 8415 §18.3.4),
    /// and withdraw addresses the client lists but may no longer use.
    Extend,
}

/// An IA_NA or IA_PD of the request.
#[derive(Debug, Clone, Copy)]
pub struct Ia<'r> {
    /// `Na` or `Pd`.
    pub kind: LeaseType,
    /// The IAID its leases are kept under: the client's, or 0 where the
    /// flex_id hook's `ignore-iaid` applies.
    pub iaid: u32,
    /// The IAID the client sent, which the reply's IA carries.
    pub sent_iaid: u32,
    /// Its encapsulated options (IAADDR or IAPREFIX hints).
    pub options: Options<'r>,
}

impl<'r> Ia<'r> {
    /// An IA_NA; with `ignore_iaid`, leased under IAID 0.
    pub fn na(ia: IaNa<'r>, ignore_iaid: bool) -> Self {
        Ia {
            kind: LeaseType::Na,
            iaid: if ignore_iaid { 0 } else { ia.iaid },
            sent_iaid: ia.iaid,
            options: ia.options,
        }
    }

    /// An IA_PD; with `ignore_iaid`, leased under IAID 0.
    pub fn pd(ia: IaPd<'r>, ignore_iaid: bool) -> Self {
        Ia {
            kind: LeaseType::Pd,
            iaid: if ignore_iaid { 0 } else { ia.iaid },
            sent_iaid: ia.iaid,
            options: ia.options,
        }
    }

    /// The addresses or prefixes listed in the IA, with prefix length and
    /// preferred and valid lifetime hints.
    pub fn listed(&self) -> impl Iterator<Item = (Ipv6Addr, u8, u32, u32)> + 'r {
        let na = (self.kind == LeaseType::Na).then_some(self.options);
        let pd = (self.kind == LeaseType::Pd).then_some(self.options);
        let addrs = na
            .into_iter()
            .flat_map(|o| o.ia_addrs())
            .map(|a| (a.address, 128, a.preferred, a.valid));
        let prefixes = pd
            .into_iter()
            .flat_map(|o| o.ia_prefixes())
            .map(|p| (p.prefix, p.prefix_len, p.preferred, p.valid));
        addrs.chain(prefixes)
    }
}

/// A binding given to an IA.
#[derive(Clone, Copy)]
pub struct Grant<'c> {
    /// Address or delegated prefix.
    pub addr: Ipv6Addr,
    /// 128 for addresses.
    pub prefix_len: u8,
    /// Preferred lifetime granted.
    pub preferred: u32,
    /// Valid lifetime granted.
    pub valid: u32,
    /// The subnet it belongs to.
    pub subnet: &'c Subnet6,
    /// The journal record of the change, when the lease changed.
    pub ticket: Option<Ticket>,
    /// True when the binding is a lease new to the client (not offered,
    /// not extended): what Kea's cumulative-assigned statistics count.
    pub new: bool,
}

impl<'c> Ctx<'_, 'c, '_> {
    /// The binding for `ia`: the client's current lease, its reservation,
    /// the address or prefix it hints at, then a free one from the pools.
    pub(super) fn grant(&self, ia: &Ia<'_>, mode: Mode) -> Option<Grant<'c>> {
        let grant = self.find_grant(ia, mode);
        match &grant {
            Some(g) if g.new => {
                let (stat, pool) = match ia.kind {
                    LeaseType::Pd => {
                        let pd = g
                            .subnet
                            .pd_pools
                            .iter()
                            .position(|p| p.holds(g.addr, g.prefix_len));
                        (
                            ScopeStat::CumulativeAssignedPd,
                            pd.map(|i| i + g.subnet.pools.len()),
                        )
                    }
                    _ => {
                        let a = u128::from(g.addr);
                        let na = g
                            .subnet
                            .pools
                            .iter()
                            .position(|p| p.pool().offset_of(a).is_some());
                        (ScopeStat::CumulativeAssigned, na)
                    }
                };
                self.count(stat, g.subnet, pool);
                self.end_replaced(ia, g.addr);
            }
            None if mode != Mode::Extend => self.allocation_failed(ia),
            _ => {}
        }
        grant
    }

    /// Ends the client's other leases of `ia` once a new lease at `kept`
    /// replaced them (one its classes, subnet or pool no longer allow):
    /// Kea deletes such a lease, and the reply withdraws it.
    fn end_replaced(&self, ia: &Ia<'_>, kept: Ipv6Addr) {
        const MOST: usize = 4;
        let mut old = [Ipv6Addr::UNSPECIFIED; MOST];
        let mut n = 0;
        let key = client_hash(self.client.duid(), ia.iaid, ia.kind);
        self.leases().each_by_client(key, |l| {
            // Leases on other links are not this exchange's to end.
            let here = self.selection.by_id(l.subnet_id).is_some();
            if l.addr != kept && n < MOST && here && self.client.owns(l, ia.iaid, ia.kind) {
                old[n] = l.addr;
                n += 1;
            }
        });
        for &a in &old[..n] {
            let owns = |l: &Lease6| self.client.owns(l, ia.iaid, ia.kind);
            let _ = self.leases().release(a, owns);
        }
    }

    /// Counts an IA left without a binding in the selected subnet, with
    /// Kea's context.
    fn allocation_failed(&self, ia: &Ia<'_>) {
        let Some(subnet) = self.selection.primary() else {
            return;
        };
        let pools = |s: &Subnet6| match ia.kind {
            LeaseType::Pd => s.pd_pools.is_empty(),
            _ => s.pools.is_empty(),
        };
        let no_pools = self.selection.iter().all(pools);
        let context = ScopeStat::failure_context(no_pools, subnet.shared_network.is_some());
        self.count(ScopeStat::AllocationFail, subnet, None);
        self.count(context, subnet, None);
    }

    fn find_grant(&self, ia: &Ia<'_>, mode: Mode) -> Option<Grant<'c>> {
        let hint = ia.listed().next();
        let (hp, hv) = hint.map_or((0, 0), |h| (h.2, h.3));
        let times = |s: &Subnet6| self.lifetimes(s, hp, hv, true);
        // Kea 2.2 extends a lease on RENEW and REBIND with the subnet's
        // lifetimes only: class lifetimes apply when a lease is given.
        let renewed = |s: &Subnet6| self.lifetimes(s, hp, hv, mode != Mode::Extend);
        if let Some(g) = self.current(ia, mode, &renewed) {
            return Some(g);
        }
        let given = self.new_binding(ia, mode, hint, &times)?;
        // Kea goes on from there for the message's next IAs.
        self.at_hand.set(Some(given.subnet));
        Some(given)
    }

    /// A binding new to `ia`: its reservation, the address or prefix it
    /// hints at, else a free one from the pools (from the preferred
    /// subnet of the one at hand, which becomes the one at hand).
    fn new_binding(
        &self,
        ia: &Ia<'_>,
        mode: Mode,
        hint: Option<(Ipv6Addr, u8, u32, u32)>,
        times: &dyn Fn(&Subnet6) -> (u32, u32),
    ) -> Option<Grant<'c>> {
        let global = &self.engine.config.global_reservations;
        for subnet in self.subnets() {
            for (a, len) in self.client.reserved(subnet, global, ia.kind) {
                if let Some(g) = self.take(ia, subnet, a, len, mode, times(subnet)) {
                    return Some(g);
                }
            }
        }
        let member = self.member.all();
        if let Some((a, len, _, _)) = hint.filter(|h| !h.0.is_unspecified()) {
            // An address hint has no length of its own.
            let len = if ia.kind == LeaseType::Pd { len } else { 128 };
            for subnet in self.subnets() {
                if subnet.in_allowed_pool(a, len, member) {
                    if let Some(g) = self.take(ia, subnet, a, len, mode, times(subnet)) {
                        return Some(g);
                    }
                }
            }
        }
        // Kea's allocator, from the shared network's preferred subnet
        // (each lease type keeps its own walk state and stamps).
        let prefixes = ia.kind == LeaseType::Pd;
        let first = self.selection.preferred(self.at_hand.get()?, prefixes);
        self.at_hand.set(Some(first));
        let walked = self.selection.from(first);
        let mut usable = walked.filter(|s| s.admits(member));
        usable.find_map(|subnet| self.free_in(ia, subnet, mode, times(subnet)))
    }

    /// A free address (or prefix) from `subnet`'s pools the client may
    /// use, proposed in the order of Kea's iterative allocator
    /// ([`Walk`]), given to the IA as `mode` says.
    fn free_in(
        &self,
        ia: &Ia<'_>,
        subnet: &'c Subnet6,
        mode: Mode,
        times: (u32, u32),
    ) -> Option<Grant<'c>> {
        let prefixes = ia.kind == LeaseType::Pd;
        let member = self.member.all();
        let n = subnet.pool_count(prefixes);
        let pool = |i| subnet.pool_at(prefixes, i).0;
        let admitted = |i| subnet.pool_at(prefixes, i).1.admits(member);
        let last = subnet.last_pool.of(prefixes);
        let walk = Walk::new(n, pool, admitted, last);
        let mut walk = walk.take(MAX_ATTEMPTS).peekable();
        if walk.peek().is_some() {
            self.selection.stamp(subnet, prefixes);
        }
        for (i, c) in walk {
            let (alloc, _, len) = subnet.pool_at(prefixes, i);
            let a = Ipv6Addr::from(c);
            let flq = alloc.kind() == AllocatorKind::FreeLeaseQueue;
            if let Some(g) = self.take(ia, subnet, a, len, mode, times) {
                // An offer reserves nothing: a free-lease queue gets the
                // candidate back until a REQUEST claims it.
                if mode == Mode::Offer && flq {
                    alloc.give_back(c);
                }
                return Some(g);
            }
            if flq && self.client.reserved_for_other(subnet, a, len) {
                // Kept queued in case the reservation goes away.
                alloc.give_back(c);
            }
        }
        None
    }

    /// Preferred and valid lifetimes in `subnet` for a client hinting
    /// `hp`/`hv` (0: no hint): with `classes`, the first of the client's
    /// classes (in the order they were assigned) that sets one gives that
    /// lifetime with its own bounds, else the subnet does, as Kea 2.2's
    /// `getLifetimes6`.
    fn lifetimes(&self, subnet: &Subnet6, hp: u32, hv: u32, classes: bool) -> (u32, u32) {
        let table = &self.engine.config.classes;
        let by_class = |pick: fn(&crate::classify::Class) -> Option<Lifetime>| {
            let mut order = self.member.in_order().filter(|_| classes);
            order.find_map(|c| table.get(c).and_then(pick))
        };
        let valid = by_class(|c| c.valid).unwrap_or(subnet.valid);
        let preferred = by_class(|c| c.preferred).unwrap_or(subnet.preferred);
        let valid = valid.grant_hint(hv);
        (preferred.grant_hint(hp).min(valid), valid)
    }

    /// The client's current binding for `ia`, extended unless offering.
    fn current(
        &self,
        ia: &Ia<'_>,
        mode: Mode,
        times: &dyn Fn(&Subnet6) -> (u32, u32),
    ) -> Option<Grant<'c>> {
        let held = self
            .client
            .current(self.leases(), &self.selection, ia.iaid, ia.kind)?;
        let subnet = held.subnet;
        // A lease stays the client's while its subnet and pool still admit
        // the client's classes (or it is reserved for the client).
        let member = self.member.all();
        let pooled = subnet.in_allowed_pool(held.addr, held.prefix_len, member);
        let global = &self.engine.config.global_reservations;
        let reserved = || {
            let mut all = self.client.reserved(subnet, global, ia.kind);
            all.any(|(a, _)| a == held.addr)
        };
        if !subnet.admits(member) || !(pooled || reserved()) {
            return None;
        }
        let (preferred, valid) = times(subnet);
        let ticket = match mode {
            Mode::Offer => None,
            Mode::Commit | Mode::Extend => {
                let now = self.now;
                let owns = |l: &Lease6| self.client.owns(l, ia.iaid, ia.kind);
                let hostname = self.name.hostname();
                let extend = |l: &mut Lease6| {
                    l.cltt = now;
                    l.valid_lft = valid;
                    l.pref_lft = preferred;
                    l.state = LeaseState::Default;
                    l.hostname = hostname;
                };
                let kind = RecordKind::Renew;
                Some(self.leases().update(held.addr, kind, owns, extend).ok()?)
            }
        };
        Some(Grant {
            addr: held.addr,
            prefix_len: held.prefix_len,
            preferred,
            valid,
            subnet,
            ticket,
            new: false,
        })
    }

    /// True when `a` is free, this IA's, or reusable now.
    fn available(&self, ia: &Ia<'_>, a: Ipv6Addr) -> bool {
        let now = u64::from(self.now);
        self.leases()
            .with(a, |l| {
                self.client.owns(l, ia.iaid, ia.kind) || reusable(l, now)
            })
            .unwrap_or(true)
    }

    /// Gives `a/len` to the IA if nobody else holds it.
    fn take(
        &self,
        ia: &Ia<'_>,
        subnet: &'c Subnet6,
        a: Ipv6Addr,
        len: u8,
        mode: Mode,
        (preferred, valid): (u32, u32),
    ) -> Option<Grant<'c>> {
        if self.client.reserved_for_other(subnet, a, len) || !self.available(ia, a) {
            return None;
        }
        let ticket = match mode {
            Mode::Offer => None,
            Mode::Commit | Mode::Extend => {
                let mut lease = self.client.lease(
                    ia.kind,
                    ia.iaid,
                    a,
                    len,
                    subnet,
                    self.now,
                    (preferred, valid),
                );
                lease.hostname = self.name.hostname();
                let now = u64::from(self.now);
                let claimed = self.leases().claim(lease, now, RecordKind::Allocate);
                Some(claimed.ok()?)
            }
        };
        Some(Grant {
            addr: a,
            prefix_len: len,
            preferred,
            valid,
            subnet,
            new: ticket.is_some(),
            ticket,
        })
    }

    /// Gives the lease of `g` the name generated from its address, when
    /// the client's FQDN answer still has none (Kea's `generateFqdn`: the
    /// first address leased); the grant then waits for that record.
    pub(super) fn generate_name(&self, ia: &Ia<'_>, g: &mut Grant<'c>, name: &mut ClientName) {
        if ia.kind != LeaseType::Na || !name.wants_generated() || !name.generate(g.subnet, g.addr) {
            return;
        }
        let owns = |l: &Lease6| self.client.owns(l, ia.iaid, ia.kind);
        let hostname = name.hostname();
        let kind = if g.new {
            RecordKind::Allocate
        } else {
            RecordKind::Renew
        };
        let named = |l: &mut Lease6| l.hostname = hostname;
        if let Ok(t) = self.leases().update(g.addr, kind, owns, named) {
            g.ticket = Some(t);
        }
    }

    /// Releases what the IA lists; true when the client held any of it.
    pub(super) fn release_ia(&self, ia: &Ia<'_>) -> bool {
        let mut any = false;
        for (a, len, _, _) in ia.listed() {
            let owns = |l: &Lease6| self.client.owns(l, ia.iaid, ia.kind);
            if self.leases().release(a, owns).is_ok() {
                self.notify(LeaseEventKind::Release, (a, len), ia, 0);
                any = true;
            }
        }
        any
    }

    /// Declines the addresses the IA lists for the probation period;
    /// true when the client held any of them.
    pub(super) fn decline_ia(&self, ia: &Ia<'_>, mut noted: impl FnMut(Ticket)) -> bool {
        let mut any = false;
        let probation = self.engine.config.decline_probation;
        for (a, len, _, _) in ia.listed() {
            let owns = |l: &Lease6| self.client.owns(l, ia.iaid, ia.kind);
            if let Ok(t) = self.leases().decline(a, owns, self.now, probation) {
                noted(t);
                self.notify(LeaseEventKind::Decline, (a, len), ia, probation);
                any = true;
            }
        }
        any
    }
}
