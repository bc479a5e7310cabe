//! The DHCPv4 engine (RFC 2131 and the Kea manual): one call per received
//! message, deciding the reply and the lease change.
//!
//! [`Engine4::handle`] is a pure function of the request, the compiled
//! configuration, the lease store and the time: it writes the reply into the
//! caller's buffer and says where it goes; the backend does the sending.

mod client;
mod name;
mod reply;
mod select;

use std::net::Ipv4Addr;

use client::Client;
use name::ClientName;
use select::Selection;

use crate::alloc::{AllocatorKind, Walk};
use crate::classify::v4::Input4;
use crate::classify::{builtin, ClassSet};
use crate::config::{Config4, Subnet4};
use crate::events::{self, Family, LeaseEvent4, LeaseEventKind, LeaseEvents, ShortId};
use crate::journal::RecordKind;
use crate::lease::store::Ticket;
use crate::lease::{reusable, Hostname, Lease, Lease4, LeaseStore, StoreError};
use crate::stats::{ScopeStat, Stat4, Stats4};
use crate::wire::v4::{code, relay_agent, MessageType, Packet4, RelayAgentInfo};

pub use reply::Destination;

/// A received message and what the backend knows about how it arrived.
#[derive(Debug, Clone, Copy)]
pub struct Request4<'a> {
    /// The DHCP message.
    pub packet: Packet4<'a>,
    /// Name of the receiving interface, when known.
    pub interface: Option<&'a str>,
    /// The receiving interface's address: the server identifier, and the
    /// link of directly connected clients.
    pub local_addr: Ipv4Addr,
    /// The IP source address of the message (`pkt.src` in expressions).
    pub src: Ipv4Addr,
    /// True when the message was sent to a broadcast address.
    pub to_broadcast: bool,
}

/// Kea's infinite lease lifetime, given to BOOTP clients.
pub const INFINITE_LIFETIME: u32 = u32::MAX;

/// What the engine decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Send the `len` bytes written into the output buffer to `to`, once
    /// the lease change behind `ticket` (if any) is durable.
    Reply {
        /// The reply's message type; `Other(0)` for a BOOTREPLY, which
        /// carries none.
        kind: MessageType,
        /// Length of the reply.
        len: usize,
        /// Where it goes.
        to: Destination,
        /// The journal record to wait for under group commit.
        ticket: Option<Ticket>,
    },
    /// Nothing is sent; the reason is counted.
    Silent(Silence),
}

/// Why no reply was sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Silence {
    /// Not a client message, or BOOTP without the bootp hook (Kea 2.2
    /// counts it as an unknown message received, and dropped).
    NotForServer,
    /// The client is in the `DROP` class.
    Dropped,
    /// No configured subnet serves the client's link.
    NoSubnet,
    /// The client addressed another server (server identifier).
    OtherServer,
    /// No address could be offered: pools exhausted.
    NoAddress,
    /// An INIT-REBOOT REQUEST from a client whose lease the server does not
    /// know, and the subnet is not `authoritative`.
    NotAuthoritative,
    /// A REQUEST for an address in none of the pools of the client's
    /// subnet (or shared network), which Kea leaves to whoever owns it.
    UnknownAddress,
    /// RELEASE or DECLINE processed; they have no reply.
    Done,
    /// RELEASE or DECLINE for a lease the client does not hold.
    NoSuchLease,
    /// The reply did not fit or the journal failed.
    Failed,
}

impl Silence {
    /// True when Kea counts the message in `pkt4-receive-drop`: not for
    /// RELEASE and DECLINE, which have no reply, nor for a REQUEST it
    /// processed and chose to leave unanswered.
    pub fn is_drop(self) -> bool {
        !matches!(
            self,
            Silence::Done | Silence::NotAuthoritative | Silence::UnknownAddress
        )
    }
}

/// The DHCPv4 engine over one configuration snapshot and one lease store.
pub struct Engine4<'a> {
    /// The compiled configuration.
    pub config: &'a Config4,
    /// The v4 leases.
    pub leases: &'a LeaseStore<Lease4>,
    /// The calling worker's counters (Kea's statistics), if kept.
    pub stats: Option<&'a Stats4>,
    /// Where lease events go (lease logging, forensic log), if anywhere.
    pub events: Option<&'a dyn LeaseEvents>,
}

impl Engine4<'_> {
    /// Handles one message; the reply, if any, is written into `out`.
    pub fn handle(&self, req: &Request4<'_>, out: &mut [u8], now: u32) -> Outcome {
        let outcome = self.decide(req, out, now);
        if let Some(stats) = self.stats {
            match outcome {
                Outcome::Reply { kind, .. } => stats.packets.sent(kind),
                Outcome::Silent(why) if why.is_drop() => stats.packets.bump(Stat4::ReceiveDrop),
                Outcome::Silent(_) => {}
            }
        }
        outcome
    }

    /// Under overload, drops `msg` before any work when it is a DISCOVER:
    /// a new client can try again, while a REQUEST finishes an exchange the
    /// server already spent an OFFER on. Counted as received and dropped.
    /// Returns whether it was dropped.
    pub fn shed(&self, msg: &[u8]) -> bool {
        if crate::wire::v4::peek_message_type(msg) != Some(MessageType::Discover) {
            return false;
        }
        if let Some(stats) = self.stats {
            stats.packets.received(MessageType::Discover);
            stats.packets.bump(Stat4::ReceiveDrop);
        }
        true
    }

    fn decide(&self, req: &Request4<'_>, out: &mut [u8], now: u32) -> Outcome {
        let p = &req.packet;
        if p.op() != crate::wire::v4::BOOTREQUEST {
            return Outcome::Silent(Silence::NotForServer);
        }
        // The bootp hook turns a BOOTREQUEST without a message type into a
        // DHCPREQUEST of class BOOTP before anything counts or classifies it.
        let bootp = self.config.bootp && p.message_type().is_none();
        let kind = if bootp {
            Some(MessageType::Request)
        } else {
            p.message_type()
        };
        if let Some(stats) = self.stats {
            stats
                .packets
                .received(kind.unwrap_or(MessageType::Other(0)));
        }
        let Some(kind) = kind else {
            return Outcome::Silent(Silence::NotForServer);
        };
        let classes = &self.config.classes;
        let input = input(req);
        let mut member = ClassSet::default();
        if bootp {
            member.insert(builtin::BOOTP);
        }
        let vendor = p.option_contiguous(code::VENDOR_CLASS_ID);
        classes.early(&input, vendor, &mut member);
        if member.contains(builtin::DROP) {
            return Outcome::Silent(Silence::Dropped);
        }
        let Some(selection) = select::select(self.config, req, &member) else {
            return Outcome::Silent(Silence::NoSubnet);
        };
        let client = Client::of(p, self.config, &input, &member);
        let host = client.reservation(selection.primary(), &self.config.global_reservations);
        let host_classes = host.map_or(&[][..], |h| &h.classes[..]);
        classes.after_host(&input, host.is_some(), host_classes, &mut member);
        if member.contains(builtin::DROP) {
            return Outcome::Silent(Silence::Dropped);
        }
        let ctx = Ctx {
            engine: self,
            req,
            selection,
            client,
            member,
            now,
            bootp,
        };
        match kind {
            MessageType::Request if bootp => ctx.bootp(out),
            MessageType::Discover => ctx.discover(out),
            MessageType::Request => ctx.request(out),
            MessageType::Release => ctx.release(),
            MessageType::Decline => ctx.decline(),
            MessageType::Inform => ctx.inform(out),
            _ => Outcome::Silent(Silence::NotForServer),
        }
    }
}

/// What expressions see of a request.
fn input<'a>(req: &'a Request4<'a>) -> Input4<'a> {
    let dst = if req.to_broadcast {
        Ipv4Addr::BROADCAST
    } else {
        req.local_addr
    };
    Input4::new(&req.packet, req.interface.unwrap_or(""), req.src, dst)
}

/// Everything one message's handling needs.
struct Ctx<'e, 'c, 'r> {
    engine: &'e Engine4<'c>,
    req: &'e Request4<'r>,
    selection: Selection<'c>,
    client: Client,
    /// The classes the client belongs to before additional evaluation.
    member: ClassSet,
    now: u32,
    /// A BOOTP request, answered with a BOOTREPLY (the bootp hook).
    bootp: bool,
}

/// An address chosen for the client, with the subnet it belongs to.
struct Choice<'c> {
    addr: Ipv4Addr,
    subnet: &'c Subnet4,
}

impl<'c> Ctx<'_, 'c, '_> {
    fn leases(&self) -> &LeaseStore<Lease4> {
        self.engine.leases
    }

    /// Counts `stat` for `subnet` and for the pool holding `addr`, if any.
    fn count(&self, stat: ScopeStat, subnet: &Subnet4, addr: Option<Ipv4Addr>) {
        let Some(stats) = self.engine.stats else {
            return;
        };
        let Some(i) = self.engine.config.position(subnet) else {
            return;
        };
        let pool = addr.and_then(|a| {
            let a = u32::from(a).into();
            subnet
                .pools
                .iter()
                .position(|p| p.pool().offset_of(a).is_some())
        });
        stats.scopes.count(stat, i, pool);
    }

    /// Counts a failed allocation in the selected subnet, with Kea's context.
    fn allocation_failed(&self) {
        let subnet = self.selection.primary();
        let no_pools = self.selection.iter().all(|s| s.pools.is_empty());
        let context = ScopeStat::failure_context(no_pools, subnet.shared_network.is_some());
        self.count(ScopeStat::AllocationFail, subnet, None);
        self.count(context, subnet, None);
    }

    /// The subnet of the selection holding `a`.
    fn subnet_of(&self, a: Ipv4Addr) -> Option<&'c Subnet4> {
        self.selection.iter().find(|s| s.contains(a))
    }

    /// True when `a` can be given to this client now: no lease, a lease
    /// the client holds, or one that may be reused.
    fn available(&self, subnet: &Subnet4, a: Ipv4Addr) -> bool {
        if self.client.reserved_for_other(subnet, a) {
            return false;
        }
        self.leases()
            .with(a, |l| {
                self.client.owns(l, subnet) || reusable(l, u64::from(self.now))
            })
            .unwrap_or(true)
    }

    /// The address to offer: the client's reservation, its current lease,
    /// the address it asks for, then a free one from the pools.
    fn choose(&self) -> Option<Choice<'c>> {
        let global = &self.engine.config.global_reservations;
        // The subnet Kea's allocation engine has at hand once each step
        // below fails: where the client has a reservation, where its lease
        // is, where the address it asks for lies.
        let mut reserved_in = None;
        for subnet in self.selection.iter() {
            if let Some(addr) = self.client.reserved_address(subnet, global) {
                if self.available(subnet, addr) {
                    return Some(Choice { addr, subnet });
                }
                reserved_in = reserved_in.or(Some(subnet));
                // Another client holds the reserved address: Kea counts
                // the conflict when it offers something else.
                self.count(ScopeStat::ReservationConflicts, subnet, None);
            }
        }
        let lease = self.client.current_lease(self.leases(), &self.selection);
        let leased_in = lease
            .as_ref()
            .and_then(|l| self.selection.iter().find(|s| s.id == l.subnet_id));
        if let Some(l) = lease {
            // Kea offers a current lease again only inside a pool the
            // client's classes open (an address outside the pools was the
            // client's by a reservation, and without it the client gets a
            // pool address), and not when the address is now reserved for
            // another client.
            let allowed = |s: &&Subnet4| {
                s.in_allowed_pool(l.addr, &self.member)
                    && !self.client.reserved_for_other(s, l.addr)
            };
            if let Some(subnet) = self.subnet_of(l.addr).filter(allowed) {
                return Some(Choice {
                    addr: l.addr,
                    subnet,
                });
            }
        }
        let mut asked_in = None;
        if let Some(addr) = self.req.packet.option_ipv4(code::REQUESTED_ADDRESS) {
            let allowed = |s: &&Subnet4| s.in_allowed_pool(addr, &self.member);
            if let Some(subnet) = self.subnet_of(addr).filter(allowed) {
                if self.available(subnet, addr) {
                    return Some(Choice { addr, subnet });
                }
                asked_in = Some(subnet);
            }
        }
        let at = asked_in.or(reserved_in).or(leased_in);
        let first = self
            .selection
            .preferred(at.unwrap_or(self.selection.primary()), false);
        self.selection
            .from(first)
            .find_map(|subnet| self.free_in(subnet))
    }

    /// A free address from `subnet`'s pools the client may use, proposed
    /// in the order of Kea's allocator.
    fn free_in(&self, subnet: &'c Subnet4) -> Option<Choice<'c>> {
        let admitted = |i| subnet.pool_classes(i).admits(&self.member);
        let pool = |i: usize| &*subnet.pools[i];
        let last = subnet.last_pool.of(false);
        let mut walk = Walk::new(subnet.pools.len(), pool, admitted, last).peekable();
        if walk.peek().is_some() {
            self.selection.stamp(subnet, false);
        }
        for (i, c) in walk {
            let addr = Lease4::addr_from_u128(c);
            if self.available(subnet, addr) {
                // An offer reserves nothing (Kea's default): a free-lease
                // queue gets the address back until a REQUEST claims it.
                if pool(i).kind() == AllocatorKind::FreeLeaseQueue {
                    pool(i).give_back(c);
                }
                return Some(Choice { addr, subnet });
            }
        }
        None
    }

    fn discover(&self, out: &mut [u8]) -> Outcome {
        let Some(choice) = self.choose() else {
            self.allocation_failed();
            return Outcome::Silent(Silence::NoAddress);
        };
        let lifetime = self.lifetime(choice.subnet);
        let name = self.client_name(choice.subnet, choice.addr);
        let outcome = self.reply(
            out,
            MessageType::Offer,
            choice.addr,
            choice.subnet,
            Some(lifetime),
            &name,
            None,
        );
        self.notify_reply(&outcome, LeaseEventKind::Offer, choice.addr, lifetime);
        outcome
    }

    /// The lifetime granted: the client's request within the subnet's
    /// bounds, else the first of its classes with a `valid-lifetime`,
    /// else the subnet's default.
    fn lifetime(&self, subnet: &Subnet4) -> u32 {
        let classes = &self.engine.config.classes;
        let by_class = self
            .member
            .iter()
            .find_map(|c| classes.get(c).and_then(|c| c.valid.map(|l| l.default)));
        let mut valid = subnet.valid;
        if let Some(v) = by_class {
            valid.default = v;
        }
        valid.grant(self.req.packet.option_u32(code::LEASE_TIME))
    }

    /// True when the message names a server identifier that is not ours.
    fn for_other_server(&self) -> bool {
        self.req
            .packet
            .option_ipv4(code::SERVER_ID)
            .is_some_and(|id| id != self.req.local_addr)
    }

    /// A DHCPREQUEST, decided as Kea 2.2 decides it: INIT-REBOOT is checked
    /// against the client's lease first (the only place `authoritative`
    /// matters), then the address is refused with a DHCPNAK when it is
    /// reserved for, or leased to, someone else, and ignored when it lies
    /// in none of the pools.
    fn request(&self, out: &mut [u8]) -> Outcome {
        if self.for_other_server() {
            return Outcome::Silent(Silence::OtherServer);
        }
        let p = &self.req.packet;
        // SELECTING and INIT-REBOOT name the address in option 50;
        // RENEWING and REBINDING in ciaddr.
        let asked = p.option_ipv4(code::REQUESTED_ADDRESS);
        let wanted = asked.unwrap_or(p.ciaddr());
        let no_server_id = p.option(code::SERVER_ID).is_none();
        // No server identifier and no ciaddr: INIT-REBOOT (RFC 2131 §4.3.2).
        if no_server_id && p.ciaddr().is_unspecified() {
            self.notify(LeaseEventKind::InitReboot, wanted, 0);
        }
        if no_server_id && asked.is_some() {
            if let Some(refused) = self.init_reboot(out, wanted) {
                return refused;
            }
        }
        if wanted.is_unspecified() {
            // Nothing named: allocate as for a DISCOVER.
            return match self.choose() {
                Some(c) => self.commit(out, c.addr, c.subnet),
                None => self.nak(out, self.selection.primary()),
            };
        }
        let at = self.subnet_of(wanted);
        let subnet = at.unwrap_or(self.selection.primary());
        if !self.available(subnet, wanted) {
            return self.nak(out, subnet);
        }
        let global = &self.engine.config.global_reservations;
        let reserved = self.selection.iter().find_map(|s| {
            let addr = self.client.reserved_address(s, global)?;
            Some(Choice { addr, subnet: s })
        });
        match reserved {
            Some(r) if r.addr == wanted => return self.commit(out, wanted, r.subnet),
            // The client should take its reserved address, which is free:
            // refused, it goes back to DISCOVER and is offered it.
            Some(r) if self.available(r.subnet, r.addr) => return self.nak(out, subnet),
            _ => {}
        }
        match at.filter(|s| s.in_allowed_pool(wanted, &self.member)) {
            Some(s) => self.commit(out, wanted, s),
            // In a pool the client's classes close: refused.
            None if self.selection.iter().any(|s| s.in_pool(wanted)) => self.nak(out, subnet),
            // An address this server does not hand out: not for it to refuse.
            None => Outcome::Silent(Silence::UnknownAddress),
        }
    }

    /// Kea's INIT-REBOOT check: a client whose lease the server does not
    /// know gets silence, or a DHCPNAK when the selected subnet is
    /// `authoritative`; a known client asking for another address than its
    /// lease's gets a DHCPNAK. `None` lets the request go on.
    fn init_reboot(&self, out: &mut [u8], wanted: Ipv4Addr) -> Option<Outcome> {
        let primary = self.selection.primary();
        match self.client.current_lease(self.leases(), &self.selection) {
            None if !primary.authoritative => Some(Outcome::Silent(Silence::NotAuthoritative)),
            Some(l) if l.addr == wanted => None,
            _ => Some(self.nak(out, primary)),
        }
    }

    /// A BOOTP request, handled as Kea handles the DHCPREQUEST the bootp
    /// hook makes of it (no address asked for): the client's reservation,
    /// refused when another client holds it; otherwise its lease or a new
    /// one. The lease never expires.
    fn bootp(&self, out: &mut [u8]) -> Outcome {
        let global = &self.engine.config.global_reservations;
        let reserved = self.selection.iter().find_map(|subnet| {
            let addr = self.client.reserved_address(subnet, global)?;
            Some(Choice { addr, subnet })
        });
        let choice = match reserved {
            Some(c) if self.available(c.subnet, c.addr) => c,
            Some(c) => return self.nak(out, c.subnet),
            None => match self.choose() {
                Some(c) => c,
                None => {
                    self.allocation_failed();
                    return self.nak(out, self.selection.primary());
                }
            },
        };
        self.commit(out, choice.addr, choice.subnet)
    }

    /// Gives `wanted` in `subnet` to the client (a new lease, or its own
    /// renewed) and acknowledges it.
    fn commit(&self, out: &mut [u8], wanted: Ipv4Addr, subnet: &'c Subnet4) -> Outcome {
        let lifetime = if self.bootp {
            INFINITE_LIFETIME
        } else {
            self.lifetime(subnet)
        };
        let owned = |l: &Lease4| self.client.owns(l, subnet);
        let renewal = self.leases().with(wanted, owned).unwrap_or(false);
        let name = self.client_name(subnet, wanted);
        // A renewal takes the name of this request, as Kea's does.
        let hostname = || Hostname::new(name.lease.as_bytes());
        let written = if renewal {
            let named = |l: &mut Lease4| l.hostname = hostname();
            let leases = self.leases();
            leases.renew_with(wanted, owned, self.now, lifetime, named)
        } else {
            let mut lease = self.client.lease(wanted, subnet, self.now, lifetime);
            lease.hostname = hostname();
            let now = u64::from(self.now);
            let claimed = self.leases().claim(lease, now, RecordKind::Allocate);
            if claimed.is_ok() {
                self.count(ScopeStat::CumulativeAssigned, subnet, Some(wanted));
            }
            claimed.map_err(|(_, e)| e)
        };
        match written {
            Ok(ticket) => {
                let outcome = self.reply(
                    out,
                    MessageType::Ack,
                    wanted,
                    subnet,
                    Some(lifetime),
                    &name,
                    Some(ticket),
                );
                let kind = if renewal {
                    LeaseEventKind::Renew
                } else {
                    LeaseEventKind::Allocate
                };
                self.notify_reply(&outcome, kind, wanted, lifetime);
                outcome
            }
            Err(StoreError::Exists) => self.nak(out, subnet),
            Err(_) => Outcome::Silent(Silence::Failed),
        }
    }

    /// A DHCPNAK (for BOOTP, the BOOTREPLY without an address the bootp
    /// hook leaves of one).
    fn nak(&self, out: &mut [u8], subnet: &'c Subnet4) -> Outcome {
        let outcome = self.reply(
            out,
            MessageType::Nak,
            Ipv4Addr::UNSPECIFIED,
            subnet,
            None,
            &ClientName::default(),
            None,
        );
        let asked = self
            .req
            .packet
            .option_ipv4(code::REQUESTED_ADDRESS)
            .unwrap_or(Ipv4Addr::UNSPECIFIED);
        self.notify_reply(&outcome, LeaseEventKind::Nak, asked, 0);
        outcome
    }

    fn release(&self) -> Outcome {
        if self.for_other_server() {
            return Outcome::Silent(Silence::OtherServer);
        }
        let addr = self.req.packet.ciaddr();
        let Some(subnet) = self.subnet_of(addr) else {
            return Outcome::Silent(Silence::NoSuchLease);
        };
        match self.leases().release(addr, |l| self.client.owns(l, subnet)) {
            Ok(_) => {
                self.notify(LeaseEventKind::Release, addr, 0);
                Outcome::Silent(Silence::Done)
            }
            Err(_) => Outcome::Silent(Silence::NoSuchLease),
        }
    }

    fn decline(&self) -> Outcome {
        if self.for_other_server() {
            return Outcome::Silent(Silence::OtherServer);
        }
        let Some(addr) = self.req.packet.option_ipv4(code::REQUESTED_ADDRESS) else {
            return Outcome::Silent(Silence::NoSuchLease);
        };
        let Some(subnet) = self.subnet_of(addr) else {
            return Outcome::Silent(Silence::NoSuchLease);
        };
        let probation = self.engine.config.decline_probation;
        match self
            .leases()
            .decline(addr, |l| self.client.owns(l, subnet), self.now, probation)
        {
            Ok(_) => {
                self.notify(LeaseEventKind::Decline, addr, probation);
                Outcome::Silent(Silence::Done)
            }
            Err(_) => Outcome::Silent(Silence::NoSuchLease),
        }
    }

    fn inform(&self, out: &mut [u8]) -> Outcome {
        let subnet = self.selection.primary();
        self.reply(
            out,
            MessageType::Ack,
            Ipv4Addr::UNSPECIFIED,
            subnet,
            None,
            &ClientName::default(),
            None,
        )
    }
}

impl Ctx<'_, '_, '_> {
    /// Reports `kind` for `addr` when the reply was written.
    fn notify_reply(&self, outcome: &Outcome, kind: LeaseEventKind, addr: Ipv4Addr, lifetime: u32) {
        if matches!(outcome, Outcome::Reply { .. }) {
            self.notify(kind, addr, lifetime);
        }
    }

    /// Hands a lease event to the sink, if one listens for `kind`.
    fn notify(&self, kind: LeaseEventKind, addr: Ipv4Addr, lifetime: u32) {
        let Some(sink) = self.engine.events.filter(|s| s.wants(Family::V4, kind)) else {
            return;
        };
        let p = &self.req.packet;
        let mut scratch = [0u8; 255];
        let rai = p
            .option(code::RELAY_AGENT_INFO)
            .and_then(|v| v.read(&mut scratch).ok())
            .and_then(|v| RelayAgentInfo::parse(v).ok());
        let sub = |code: u8| {
            rai.as_ref()
                .and_then(|r| r.get(code))
                .map_or(ShortId::EMPTY, ShortId::new)
        };
        sink.record(&LeaseEvent4 {
            kind,
            addr,
            ciaddr: p.ciaddr(),
            lifetime,
            xid: p.xid(),
            hw: self.client.hw(),
            client_id: ShortId::new(self.client.client_id()),
            giaddr: p.giaddr(),
            circuit_id: sub(relay_agent::sub::CIRCUIT_ID),
            remote_id: sub(relay_agent::sub::REMOTE_ID),
            subscriber_id: sub(relay_agent::sub::SUBSCRIBER_ID),
            thread: events::thread_id(),
            at_us: events::now_us(),
        });
    }
}
