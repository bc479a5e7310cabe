//! The DHCPv6 engine (RFC 8415 and the Kea manual): one call per received
//! message, deciding the reply and the lease changes.
//!
//! [`Engine6::handle`] is a pure function of the request, the compiled
//! configuration, the lease store and the time: it writes the reply (wrapped
//! in RELAY-REPL levels when the request was relayed) into the caller's
//! buffer and says where it goes; the backend does the sending.

mod binding;
mod client;
mod mac;
mod name;
mod reply;
mod select;

use std::cell::Cell;
use std::net::Ipv6Addr;

use client::Client;
use name::ClientName;
use select::Selection;

use crate::classify::v6::{self as class6, Input6};
use crate::classify::{builtin, Assigned, ClassSet};
use crate::config::{Config6, Subnet6};
use crate::events::{self, Family, LeaseEvent6, LeaseEventKind, LeaseEvents, Relay6, ShortId};
use crate::lease::store::Ticket;
use crate::lease::{Lease6, LeaseStore};
use crate::stats::{ScopeStat, Stat6, Stats6};
use crate::wire::v6::{ClientMessage, MessageType, Packet6};

/// A received message and what the backend knows about how it arrived.
#[derive(Debug, Clone, Copy)]
pub struct Request6<'a> {
    /// The DHCPv6 datagram (possibly RELAY-FORW levels around the client's).
    pub packet: Packet6<'a>,
    /// Name of the receiving interface, when known.
    pub interface: Option<&'a str>,
    /// Source address of the datagram: the client, or the nearest relay.
    pub src: Ipv6Addr,
    /// Address the datagram was sent to (ff02::1:2 for a client's
    /// multicast); `::` when the backend cannot tell, taken as multicast.
    pub dst: Ipv6Addr,
    /// Source MAC of the frame, when the backend sees frames.
    pub src_mac: Option<[u8; 6]>,
    /// The unicast address the server listens on at the receiving
    /// interface (`"eth0/2001:db8::1"`), sent to clients in OPTION_UNICAST.
    pub unicast: Option<Ipv6Addr>,
}

impl<'a> Request6<'a> {
    /// A request received on `interface` from `src`, sent to the
    /// All_DHCP_Relay_Agents_and_Servers group, with nothing else known.
    pub fn multicast(packet: Packet6<'a>, interface: Option<&'a str>, src: Ipv6Addr) -> Self {
        Request6 {
            packet,
            interface,
            src,
            dst: ALL_DHCP_SERVERS,
            src_mac: None,
            unicast: None,
        }
    }

    /// True when a client sent the message straight to one of our unicast
    /// addresses (relays always unicast and are not meant).
    fn unicast_from_client(&self) -> bool {
        self.packet.relay_depth() == 0 && !self.dst.is_multicast() && !self.dst.is_unspecified()
    }
}

/// All_DHCP_Relay_Agents_and_Servers (RFC 8415 §7.1).
pub const ALL_DHCP_SERVERS: Ipv6Addr = Ipv6Addr::new(0xff02, 0, 0, 0, 0, 0, 1, 2);

/// Where a reply goes; both are the request's source address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Destination {
    /// Straight to the client, port 546.
    Client,
    /// To the relay that forwarded the request, port 547.
    Relay,
}

/// Most lease changes one message makes (one per IA); further IAs of a
/// message are not answered, which keeps [`Tickets`] a fixed array.
pub const MAX_IAS: usize = 16;

/// The journal records a reply waits for, one per changed lease.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tickets {
    list: [Option<Ticket>; MAX_IAS],
    len: usize,
}

impl Tickets {
    fn push(&mut self, t: Ticket) {
        if let Some(slot) = self.list.get_mut(self.len) {
            *slot = Some(t);
            self.len += 1;
        }
    }

    /// The tickets, in the order the leases changed.
    pub fn iter(&self) -> impl Iterator<Item = Ticket> + '_ {
        self.list.iter().take(self.len).flatten().copied()
    }

    /// True when no lease changed.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

/// What the engine decided.
// The tickets stay inline: an outcome lives on the worker's stack, and
// boxing them would allocate per packet.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Send the `len` bytes written into the output buffer to `to`, once
    /// the lease changes behind `tickets` are durable.
    Reply {
        /// The reply's message type (of the client's message, inside any
        /// RELAY-REPL levels).
        kind: MessageType,
        /// Length of the reply.
        len: usize,
        /// Where it goes.
        to: Destination,
        /// Journal records to wait for under group commit.
        tickets: Tickets,
    },
    /// Nothing is sent; the reason is counted.
    Silent(Silence),
}

/// Why no reply was sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Silence {
    /// Not a message a server answers (ADVERTISE, REPLY, unknown types).
    NotForServer,
    /// The client is in the `DROP` class.
    Dropped,
    /// A stateful message without OPTION_CLIENTID.
    NoClientId,
    /// No configured subnet serves the client's link.
    NoSubnet,
    /// REQUEST, RENEW, RELEASE or DECLINE for another server (or without
    /// a server identifier); INFORMATION-REQUEST naming another server.
    OtherServer,
    /// SOLICIT, REBIND or CONFIRM carrying a server identifier (RFC 8415 §16).
    UnexpectedServerId,
    /// CONFIRM without any address to confirm (RFC 8415 §18.3.3).
    NothingToConfirm,
    /// SOLICIT, CONFIRM, REBIND or INFORMATION-REQUEST a client sent to a
    /// unicast address; those must be multicast (Kea drops them too).
    Unicast,
    /// The reply did not fit or the journal failed.
    Failed,
}

/// The DHCPv6 engine over one configuration snapshot and one lease store.
pub struct Engine6<'a> {
    /// The compiled configuration.
    pub config: &'a Config6,
    /// The v6 leases (addresses and delegated prefixes).
    pub leases: &'a LeaseStore<Lease6>,
    /// The calling worker's counters (Kea's statistics), if kept.
    pub stats: Option<&'a Stats6>,
    /// Where lease events go (lease logging, forensic log), if anywhere.
    pub events: Option<&'a dyn LeaseEvents>,
}

impl Engine6<'_> {
    /// Handles one message; the reply, if any, is written into `out`.
    pub fn handle(&self, req: &Request6<'_>, out: &mut [u8], now: u32) -> Outcome {
        let Some(stats) = self.stats else {
            return self.decide(req, out, now);
        };
        stats.packets.received(req.packet.innermost().msg_type());
        let outcome = self.decide(req, out, now);
        match outcome {
            Outcome::Reply { kind, .. } => stats.packets.sent(kind),
            Outcome::Silent(_) => stats.packets.bump(Stat6::ReceiveDrop),
        }
        outcome
    }

    /// Under overload, drops `msg` before any work when it is a client's
    /// own SOLICIT (the v6 DISCOVER; relayed ones are left to the full
    /// path). Counted as received and dropped. Returns whether it was.
    pub fn shed(&self, msg: &[u8]) -> bool {
        if msg.first().copied() != Some(u8::from(MessageType::Solicit)) {
            return false;
        }
        if let Some(stats) = self.stats {
            stats.packets.received(MessageType::Solicit);
            stats.packets.bump(Stat6::ReceiveDrop);
        }
        true
    }

    fn decide(&self, req: &Request6<'_>, out: &mut [u8], now: u32) -> Outcome {
        use MessageType as M;
        let msg = req.packet.innermost();
        let kind = msg.msg_type();
        if !matches!(
            kind,
            M::Solicit
                | M::Request
                | M::Confirm
                | M::Renew
                | M::Rebind
                | M::Release
                | M::Decline
                | M::InformationRequest
        ) {
            return Outcome::Silent(Silence::NotForServer);
        }
        if kind != M::InformationRequest && msg.client_id().is_none() {
            return Outcome::Silent(Silence::NoClientId);
        }
        if let Some(silence) = self.server_id_check(kind, &msg) {
            return Outcome::Silent(silence);
        }
        if req.unicast_from_client() {
            match kind {
                M::Solicit | M::Confirm | M::Rebind | M::InformationRequest => {
                    return Outcome::Silent(Silence::Unicast)
                }
                // RFC 8415 §18.4: only a server that offered its unicast
                // address accepts unicast; otherwise the client is told.
                _ if req.unicast.is_none() => return self.use_multicast(req, out),
                _ => {}
            }
        }
        let classes = &self.config.classes;
        let input = input(req);
        let mut member = ClassSet::default();
        classes.early(&input, class6::vendor_class(&req.packet), &mut member);
        if member.contains(builtin::DROP) {
            return Outcome::Silent(Silence::Dropped);
        }
        let selection = select::select(self.config, req, &member);
        let Some(selection) = selection.or_else(|| answered_without_subnet(kind)) else {
            return Outcome::Silent(Silence::NoSubnet);
        };
        let client = Client::of(req, self.config, &input, &member);
        let global = &self.config.global_reservations;
        // Without a subnet there is no reservation to find.
        let primary = selection.primary();
        let host = primary.and_then(|p| client.reservation(p, global));
        // Kea assigns a global reservation's classes, or those of a
        // reservation in a subnet outside shared networks, before pools
        // are chosen, evaluating the classes again with them; a shared
        // network's subnet may still change, so its reservation's
        // classes come once the lease is chosen.
        let early_host =
            primary.is_some_and(|p| p.shared_network.is_none() || client.is_global(p, global));
        let host_classes = host
            .map(|h| &h.classes[..])
            .filter(|c| !c.is_empty() && early_host);
        if let Some(reserved) = host_classes {
            member = ClassSet::default();
            for &c in reserved {
                member.insert(c);
            }
            classes.early(&input, class6::vendor_class(&req.packet), &mut member);
        }
        let mut assigned = Assigned::default();
        assigned.record(member);
        classes.after_host(&input, host.is_some(), &[], &mut member);
        if member.contains(builtin::DROP) {
            return Outcome::Silent(Silence::Dropped);
        }
        assigned.record(member);
        // Only messages that bind addresses carry or keep names.
        let binds = matches!(kind, M::Solicit | M::Request | M::Renew | M::Rebind);
        let name = match binds {
            true => ClientName::of(primary, host, &msg),
            false => ClientName::default(),
        };
        let ctx = Ctx {
            engine: self,
            req,
            msg,
            at_hand: Cell::new(selection.primary()),
            selection,
            client,
            member: assigned,
            // No subnet, no reservation classes to come.
            host_classes_given: host_classes.is_some() || primary.is_none(),
            name,
            now,
        };
        ctx.answer(kind, out)
    }

    /// RFC 8415 §16: which messages must, may or must not name a server.
    fn server_id_check(&self, kind: MessageType, msg: &ClientMessage<'_>) -> Option<Silence> {
        use MessageType as M;
        let ours = |id: &[u8]| id == self.config.server_duid.as_slice();
        match (kind, msg.server_id()) {
            (M::Solicit | M::Rebind | M::Confirm, Some(_)) => Some(Silence::UnexpectedServerId),
            (M::Request | M::Renew | M::Release | M::Decline, None) => Some(Silence::OtherServer),
            (_, Some(id)) if !ours(id.as_bytes()) => Some(Silence::OtherServer),
            _ => None,
        }
    }
}

/// A selection without subnets for the messages Kea 2.2 answers when no
/// subnet serves the client: SOLICIT and REQUEST (their IAs get
/// NoAddrsAvail or NoPrefixAvail), RENEW and REBIND (NoBinding), RELEASE,
/// CONFIRM (NotOnLink) and INFORMATION-REQUEST, with the class and global
/// options. DECLINE stays unanswered.
fn answered_without_subnet<'c>(kind: MessageType) -> Option<Selection<'c>> {
    use MessageType as M;
    let answered = !matches!(kind, M::Decline);
    answered.then(Selection::none)
}

/// What expressions see of a request.
fn input<'a>(req: &'a Request6<'a>) -> Input6<'a> {
    Input6::new(&req.packet, req.interface.unwrap_or(""), req.src, req.dst)
}

/// Everything one message's handling needs.
struct Ctx<'e, 'c, 'r> {
    engine: &'e Engine6<'c>,
    req: &'e Request6<'r>,
    msg: ClientMessage<'r>,
    selection: Selection<'c>,
    /// The subnet Kea's allocation engine has at hand for the next IA:
    /// the selected one, then where an IA's new binding went (or, when
    /// none was free, where its walk started).
    at_hand: Cell<Option<&'c Subnet6>>,
    client: Client<'r>,
    /// The classes the client belongs to, in the order they came.
    member: Assigned,
    /// True when the reservation's classes were assigned before pools
    /// were chosen.
    host_classes_given: bool,
    /// The client's name, for the reply and the leases.
    name: ClientName,
    now: u32,
}

impl<'c> Ctx<'_, 'c, '_> {
    fn leases(&self) -> &LeaseStore<Lease6> {
        self.engine.leases
    }

    /// Counts `stat` for `subnet` and its pool at position `pool`
    /// (address pools first, then prefix delegation pools).
    fn count(&self, stat: ScopeStat, subnet: &Subnet6, pool: Option<usize>) {
        let Some(stats) = self.engine.stats else {
            return;
        };
        if let Some(i) = self.engine.config.position(subnet) {
            stats.scopes.count(stat, i, pool);
        }
    }

    /// The selected subnets the client's classes admit, from the one at
    /// hand.
    fn subnets(&self) -> impl Iterator<Item = &'c Subnet6> + '_ {
        let from = self.at_hand.get().into_iter();
        let walked = from.flat_map(|at| self.selection.from(at));
        walked.filter(|s| s.admits(self.member.all()))
    }

    /// Rapid commit applies when the client asks and its subnet allows it.
    fn rapid_commit(&self) -> bool {
        self.msg.options().rapid_commit()
            && self.selection.primary().is_some_and(|s| s.rapid_commit)
    }

    /// Answers a message of `kind` (one a server answers).
    fn answer(&self, kind: MessageType, out: &mut [u8]) -> Outcome {
        use MessageType as M;
        match kind {
            M::Solicit if self.rapid_commit() => self.assign(out, M::Reply, binding::Mode::Commit),
            M::Solicit => self.assign(out, M::Advertise, binding::Mode::Offer),
            M::Request => self.assign(out, M::Reply, binding::Mode::Commit),
            M::Renew | M::Rebind => self.assign(out, M::Reply, binding::Mode::Extend),
            M::Release => self.release(out),
            M::Decline => self.decline(out),
            M::Confirm => self.confirm(out),
            _ => self.inform(out),
        }
    }

    /// Hands a lease event for `addr`/`prefix_len` of the IA `iaid` to the
    /// sink, if one listens for `kind`.
    fn notify(
        &self,
        kind: LeaseEventKind,
        (addr, prefix_len): (Ipv6Addr, u8),
        ia: &binding::Ia<'_>,
        lifetime: u32,
    ) {
        let Some(sink) = self.engine.events.filter(|s| s.wants(Family::V6, kind)) else {
            return;
        };
        let packet = &self.req.packet;
        // Relay options come from the relay nearest the client that sent
        // them, as Kea searches; addresses from the one nearest the server.
        let nearest_client = |code: u16| {
            let mut found = None;
            for r in packet.relays() {
                found = r.options().find(code).or(found);
            }
            found.map_or(ShortId::EMPTY, ShortId::new)
        };
        let relay = packet.relays().next().map(|outer| Relay6 {
            peer: outer.peer_address(),
            link: outer.link_address(),
            hops: outer.hop_count(),
            remote_id: nearest_client(OPTION_REMOTE_ID),
            subscriber_id: nearest_client(OPTION_SUBSCRIBER_ID),
            interface_id: nearest_client(OPTION_INTERFACE_ID),
        });
        let (hw, hw_source) = self.client.hw();
        sink.record6(&LeaseEvent6 {
            kind,
            addr,
            prefix_len,
            prefix: ia.kind == crate::lease::LeaseType::Pd,
            iaid: ia.iaid,
            lifetime,
            xid: self.msg.xid(),
            duid: ShortId::new(self.client.duid()),
            hw,
            hw_source,
            relay,
            thread: events::thread_id(),
            at_us: events::now_us(),
        });
    }
}

/// Relay options the lease events carry (RFC 8415 §21.18, RFC 4649, RFC 4580).
const OPTION_INTERFACE_ID: u16 = 18;
const OPTION_REMOTE_ID: u16 = 37;
const OPTION_SUBSCRIBER_ID: u16 = 38;
