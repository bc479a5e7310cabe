//! Writing replies: relay levels, identifiers, IAs with their bindings or
//! status codes, and the configured options the client asked for.

use super::binding::{Grant, Ia, Mode};
use super::name::OPTION_CLIENT_FQDN;
use super::{Ctx, Destination, Engine6, Outcome, Request6, Silence, Tickets, MAX_IAS};
use crate::classify::{Assigned, ClassSet};
use crate::config::{PoolClasses, Subnet6};
use crate::events::LeaseEventKind;
use crate::lease::LeaseType;
use crate::wire::v6::{status, Message6Writer, MessageType, OptionMark, OPTION_UNICAST};
use crate::wire::WireError;

/// OPTION_PD_EXCLUDE (RFC 6603), inside IAPREFIX.
const OPTION_PD_EXCLUDE: u16 = 67;

/// Option codes the engine writes itself; never taken from configuration.
fn own(code: u16) -> bool {
    matches!(code, 1..=6 | 9 | 13 | 14 | 18 | 25 | 26 | 67)
}

impl<'c> Ctx<'_, 'c, '_> {
    /// The request's IA_NAs, then its IA_PDs, at most [`MAX_IAS`]. Under
    /// the flex_id hook's `ignore-iaid`, an IA_NA or IA_PD that is the
    /// only one of its type is leased under IAID 0 (with several, none
    /// is, so their leases stay apart).
    fn ias(&self) -> impl Iterator<Item = Ia<'_>> + '_ {
        let o = self.msg.options();
        let ignore = self
            .engine
            .config
            .flex_id
            .as_ref()
            .is_some_and(|f| f.ignore_iaid);
        let lone_na = ignore && o.ia_nas().nth(1).is_none();
        let lone_pd = ignore && o.ia_pds().nth(1).is_none();
        o.ia_nas()
            .map(move |ia| Ia::na(ia, lone_na))
            .chain(o.ia_pds().map(move |ia| Ia::pd(ia, lone_pd)))
            .take(MAX_IAS)
    }

    /// Writes a reply of `kind`: relay levels mirroring the request, the
    /// header, server and client identifiers, what `body` adds, and (with
    /// `options`) the configured options of the subnet `body` returns.
    fn respond(
        &self,
        out: &mut [u8],
        kind: MessageType,
        options: bool,
        body: impl FnOnce(&mut Message6Writer<'_>, &mut Tickets) -> Result<Granted<'c>, WireError>,
    ) -> Outcome {
        let mut tickets = Tickets::default();
        let mut w = Message6Writer::new(out);
        let written = (|| {
            let relay = w.begin_relay_reply(self.req.packet.relays())?;
            w.put_header(kind, self.msg.xid())?;
            w.server_id(&self.engine.config.server_duid)?;
            // The DUID as sent, also when the flex-id stood in for it
            // (Kea's hook restores it in the reply).
            if !self.client.sent_duid().is_empty() {
                w.client_id(self.client.sent_duid())?;
            }
            let granted = body(&mut w, &mut tickets)?;
            if options {
                self.configured_options(&mut w, &granted)?;
            }
            w.end_relay_reply(relay)
        })();
        let to = if self.req.packet.relay_depth() > 0 {
            Destination::Relay
        } else {
            Destination::Client
        };
        outcome(written.and_then(|()| w.finish()), kind, to, tickets)
    }

    /// SOLICIT, REQUEST, RENEW, REBIND: every IA answered with its binding
    /// or its status (RFC 8415 §18.3, RFC 7550).
    pub(super) fn assign(&self, out: &mut [u8], kind: MessageType, mode: Mode) -> Outcome {
        let rapid = kind == MessageType::Reply && self.msg.msg_type() == MessageType::Solicit;
        let exclude = self
            .msg
            .options()
            .oro()
            .is_some_and(|o| o.contains(OPTION_PD_EXCLUDE));
        self.respond(out, kind, true, |w, tickets| {
            if rapid {
                w.rapid_commit()?;
            }
            let mut granted = Granted::default();
            let mut name = self.name;
            // Kea renews nothing without a subnet: each IA has no binding.
            let unbound = mode == Mode::Extend && self.selection.primary().is_none();
            for ia in self.ias() {
                if unbound {
                    ia_status(w, &ia, false)?;
                    continue;
                }
                let mut grant = self.grant(&ia, mode);
                if let Some(g) = &mut grant {
                    // Kea 2.2 makes a name for a REQUEST, RENEW or REBIND,
                    // not for a SOLICIT, even one committed at once.
                    if self.msg.msg_type() != MessageType::Solicit {
                        self.generate_name(&ia, g, &mut name);
                    }
                    if let Some(t) = g.ticket {
                        tickets.push(t);
                    }
                    granted.add(g);
                    let event = match mode {
                        Mode::Offer => LeaseEventKind::Offer,
                        Mode::Commit => LeaseEventKind::Allocate,
                        Mode::Extend => LeaseEventKind::Renew,
                    };
                    self.notify(event, (g.addr, g.prefix_len), &ia, g.valid);
                }
                write_ia(w, &ia, grant.as_ref(), mode == Mode::Extend, exclude)?;
            }
            // RFC 8415 §21.5: temporary addresses are not supported, as in Kea.
            for iaid in self.msg.options().ia_tas().map(|ia| ia.iaid).take(MAX_IAS) {
                let m = w.begin_ia_ta(iaid)?;
                w.status_code(status::NO_ADDRS_AVAIL, "Temporary addresses not supported")?;
                w.end_option(m)?;
            }
            granted.named = name.put(w)?;
            Ok(granted)
        })
    }

    /// RELEASE: each IA's bindings dropped; NoBinding for IAs not held.
    pub(super) fn release(&self, out: &mut [u8]) -> Outcome {
        self.respond(out, MessageType::Reply, false, |w, _| {
            // Kea sums up with NoBinding when some IA had none.
            let mut all_held = true;
            for ia in self.ias() {
                let held = self.release_ia(&ia);
                all_held &= held;
                ia_status(w, &ia, held)?;
            }
            if all_held {
                w.status_code(status::SUCCESS, "Leases released")?;
            } else {
                w.status_code(status::NO_BINDING, "Some leases were not held")?;
            }
            Ok(Granted::default())
        })
    }

    /// DECLINE: each IA_NA's addresses put on probation.
    pub(super) fn decline(&self, out: &mut [u8]) -> Outcome {
        self.respond(out, MessageType::Reply, false, |w, tickets| {
            for ia in self.ias().filter(|ia| ia.kind == LeaseType::Na) {
                let held = self.decline_ia(&ia, |t| tickets.push(t));
                ia_status(w, &ia, held)?;
            }
            w.status_code(status::SUCCESS, "Addresses declined")?;
            Ok(Granted::default())
        })
    }

    /// CONFIRM: whether every listed address is on the client's link.
    pub(super) fn confirm(&self, out: &mut [u8]) -> Outcome {
        let mut listed = self.msg.options().ia_nas().flat_map(|ia| ia.addresses());
        let Some(first) = listed.next() else {
            return Outcome::Silent(Silence::NothingToConfirm);
        };
        let on_link = std::iter::once(first)
            .chain(listed)
            .all(|a| self.selection.iter().any(|s| s.contains(a.address)));
        self.respond(out, MessageType::Reply, true, |w, _| {
            if on_link {
                w.status_code(status::SUCCESS, "All addresses are on-link")?;
            } else {
                w.status_code(status::NOT_ON_LINK, "Some addresses are not on-link")?;
            }
            Ok(Granted::default())
        })
    }

    /// INFORMATION-REQUEST: configuration only.
    pub(super) fn inform(&self, out: &mut [u8]) -> Outcome {
        self.respond(out, MessageType::Reply, true, |_, _| Ok(Granted::default()))
    }

    /// The client's classes once the reservation's classes (in a shared
    /// network, known only now) are assigned and the classes its shared
    /// network, subnet and pools require are evaluated, as Kea's
    /// `requiredClassify`.
    fn final_classes(&self, granted: &Granted<'c>, subnet: &Subnet6) -> Assigned {
        let config = &self.engine.config;
        let mut assigned = self.member;
        let mut member = *assigned.all();
        if !self.host_classes_given {
            let global = &config.global_reservations;
            if let Some(host) = self.client.reservation(subnet, global) {
                for &c in &host.classes {
                    member.insert(c);
                    assigned.record(member);
                }
            }
        }
        let input = super::input(self.req);
        // Kea's order: the shared network's list, the subnet's, then the
        // pools' of the leases; each class once, assigned as evaluated.
        let pools = granted.pools().flat_map(|p| &p.required);
        let mut listed = ClassSet::default();
        for &c in subnet.required.iter().chain(pools) {
            if !listed.contains(c) {
                listed.insert(c);
                config.classes.required(&input, c, &mut member);
                assigned.record(member);
            }
        }
        assigned
    }

    /// Options the client asked for (ORO) and the always-send ones, each
    /// from the most specific scope defining it, in Kea's order:
    /// reservation, the pools of the leases, subnet (over its shared
    /// network), the client's classes in the order they were assigned,
    /// global.
    fn configured_options(
        &self,
        w: &mut Message6Writer<'_>,
        granted: &Granted<'c>,
    ) -> Result<(), WireError> {
        let config = &self.engine.config;
        // Without a subnet only the classes and the global scope speak.
        let subnet = granted.subnet.or(self.selection.primary());
        let global = &config.global_reservations;
        let host = subnet.and_then(|s| self.client.reservation(s, global));
        let member = subnet.map_or(self.member, |s| self.final_classes(granted, s));
        let classes = config
            .classes
            .applying(member.in_order())
            .map(|c| Some(&c.options));
        let pools = granted.pools().map(|p| Some(&p.options));
        let scopes = [host.map(|h| &h.options)]
            .into_iter()
            .chain(pools)
            .chain([subnet.map(|s| &s.options)])
            .chain(classes)
            .chain([Some(&config.global_options)]);
        let scopes = || scopes.clone().flatten();
        let lookup = |c: u16| scopes().find_map(|s| s.get(c));
        let oro = self.msg.options().oro();
        let requested = oro.iter().flat_map(|o| o.codes());
        for (i, c) in requested.enumerate() {
            // Skip repeats without a set: ORO lists are short.
            let repeat = oro.iter().flat_map(|o| o.codes()).take(i).any(|x| x == c);
            let named = c == OPTION_CLIENT_FQDN && granted.named;
            if own(c) || repeat || named {
                continue;
            }
            if let Some(o) = lookup(c) {
                w.option(c, &o.data)?;
            }
        }
        for (n, scope) in scopes().enumerate() {
            let named = |c: u16| c == OPTION_CLIENT_FQDN && granted.named;
            for o in scope
                .iter()
                .filter(|o| o.always_send && !own(o.code) && !named(o.code))
            {
                let asked = oro.is_some_and(|r| r.contains(o.code));
                // A more specific scope already sent this code.
                let shadowed = scopes().take(n).any(|s| s.get(o.code).is_some());
                if !asked && !shadowed {
                    w.option(o.code, &o.data)?;
                }
            }
        }
        // A server listening on a unicast address tells clients so,
        // unless the configuration decides about OPTION_UNICAST itself.
        if let Some(addr) = self.req.unicast {
            if lookup(OPTION_UNICAST).is_none() {
                w.option(OPTION_UNICAST, &addr.octets())?;
            }
        }
        Ok(())
    }
}

/// What the leases of a reply bring to its options: the subnet they came
/// from and the pools (or pd-pools) holding them, in the reply's order.
#[derive(Default)]
pub(super) struct Granted<'c> {
    subnet: Option<&'c Subnet6>,
    pools: [Option<&'c PoolClasses>; MAX_IAS],
    /// The Client FQDN option was written from the client's name.
    named: bool,
}

impl<'c> Granted<'c> {
    /// Notes a binding given to an IA; the first one names the subnet.
    fn add(&mut self, g: &Grant<'c>) {
        self.subnet = self.subnet.or(Some(g.subnet));
        // A reserved address outside the pools brings no pool.
        let pool = g.subnet.pool_classes_of(g.addr, g.prefix_len);
        if let Some(slot) = self.pools.iter_mut().find(|p| p.is_none()) {
            *slot = pool;
        }
    }

    /// The pools of the leases, in order.
    fn pools(&self) -> impl Iterator<Item = &'c PoolClasses> + Clone + '_ {
        self.pools.iter().map_while(|p| *p)
    }
}

impl Engine6<'_> {
    /// RFC 8415 §18.4: a client unicast to a server that offered no
    /// unicast address is answered with UseMulticast, its identifiers and
    /// nothing else, and the message is not processed.
    pub(super) fn use_multicast(&self, req: &Request6<'_>, out: &mut [u8]) -> Outcome {
        let msg = req.packet.innermost();
        let mut w = Message6Writer::new(out);
        let written = (|| {
            w.put_header(MessageType::Reply, msg.xid())?;
            w.server_id(&self.config.server_duid)?;
            if let Some(id) = msg.client_id() {
                w.client_id(id.as_bytes())?;
            }
            w.status_code(
                status::USE_MULTICAST,
                "Unicast is not allowed here; send to ff02::1:2",
            )
        })();
        let written = written.and_then(|()| w.finish());
        outcome(
            written,
            MessageType::Reply,
            Destination::Client,
            Tickets::default(),
        )
    }
}

/// What a written (or failed) reply of `kind` to `to` amounts to.
fn outcome(
    written: Result<usize, WireError>,
    kind: MessageType,
    to: Destination,
    tickets: Tickets,
) -> Outcome {
    match written {
        Ok(len) => Outcome::Reply {
            kind,
            len,
            to,
            tickets,
        },
        Err(_) => Outcome::Silent(Silence::Failed),
    }
}

/// T1 and T2 of an IA: the subnet's timers, 0 when not configured.
fn timers(g: &Grant<'_>) -> (u32, u32) {
    let s = g.subnet;
    (s.renew_timer.unwrap_or(0), s.rebind_timer.unwrap_or(0))
}

/// Opens the IA option of `ia`'s type.
fn begin_ia(
    w: &mut Message6Writer<'_>,
    ia: &Ia<'_>,
    (t1, t2): (u32, u32),
) -> Result<OptionMark, WireError> {
    match ia.kind {
        LeaseType::Pd => w.begin_ia_pd(ia.sent_iaid, t1, t2),
        _ => w.begin_ia_na(ia.sent_iaid, t1, t2),
    }
}

/// An IA with its binding, or the status saying none is available. With
/// `withdraw`, what the client listed and no longer has is sent back with
/// zero lifetimes (RFC 8415 §18.3.4).
fn write_ia(
    w: &mut Message6Writer<'_>,
    ia: &Ia<'_>,
    grant: Option<&Grant<'_>>,
    withdraw: bool,
    exclude: bool,
) -> Result<(), WireError> {
    let m = begin_ia(w, ia, grant.map_or((0, 0), timers))?;
    match grant {
        Some(g) if ia.kind == LeaseType::Pd && exclude => {
            let excluded = g
                .subnet
                .pd_pool_of(g.addr, g.prefix_len)
                .and_then(|p| p.excluded);
            let p = w.begin_ia_prefix(g.preferred, g.valid, g.prefix_len, g.addr)?;
            if let Some(x) = excluded {
                pd_exclude(w, g.prefix_len, x)?;
            }
            w.end_option(p)?
        }
        Some(g) => put_binding(w, ia, g.addr, g.prefix_len, g.preferred, g.valid)?,
        None if ia.kind == LeaseType::Pd => {
            w.status_code(status::NO_PREFIX_AVAIL, "No prefixes available")?
        }
        None => w.status_code(status::NO_ADDRS_AVAIL, "No addresses available")?,
    }
    if withdraw {
        for (a, len, _, _) in ia.listed() {
            let kept = grant.is_some_and(|g| g.addr == a && g.prefix_len == len);
            if !kept && !a.is_unspecified() {
                put_binding(w, ia, a, len, 0, 0)?;
            }
        }
    }
    w.end_option(m)
}

/// OPTION_PD_EXCLUDE (RFC 6603 §4.2) for a prefix delegated at
/// `delegated_len`: the excluded length, then the excluded prefix's bits
/// past the delegated length (its subnet ID), left-aligned in whole bytes.
/// Every prefix of a pool excludes the same subnet ID, as in Kea.
fn pd_exclude(
    w: &mut Message6Writer<'_>,
    delegated_len: u8,
    (excluded, excluded_len): (std::net::Ipv6Addr, u8),
) -> Result<(), WireError> {
    if excluded_len <= delegated_len || excluded_len > 128 {
        return Ok(());
    }
    let bits = u32::from(excluded_len - delegated_len);
    let id = (u128::from(excluded) << delegated_len) >> (128 - bits);
    let aligned = id << (128 - bits);
    let bytes = aligned.to_be_bytes();
    let m = w.begin_option(OPTION_PD_EXCLUDE)?;
    w.put_u8(excluded_len)?;
    w.put_bytes(&bytes[..bits.div_ceil(8) as usize])?;
    w.end_option(m)
}

/// IAADDR or IAPREFIX.
fn put_binding(
    w: &mut Message6Writer<'_>,
    ia: &Ia<'_>,
    a: std::net::Ipv6Addr,
    len: u8,
    preferred: u32,
    valid: u32,
) -> Result<(), WireError> {
    match ia.kind {
        LeaseType::Pd => w.ia_prefix(preferred, valid, len, a),
        _ => w.ia_addr(a, preferred, valid),
    }
}

/// An IA carrying only a status: Success when the client held it,
/// NoBinding otherwise (RELEASE, DECLINE).
fn ia_status(w: &mut Message6Writer<'_>, ia: &Ia<'_>, held: bool) -> Result<(), WireError> {
    let m = begin_ia(w, ia, (0, 0))?;
    if held {
        w.status_code(status::SUCCESS, "Done")?;
    } else {
        w.status_code(status::NO_BINDING, "No binding for this IA")?;
    }
    w.end_option(m)
}
