//! The DHCPv4 engine driven directly: a configuration, a lease store and
//! statistics, with builders for client messages.

use std::net::Ipv4Addr;
use std::sync::Arc;

use super::events::{QueueSink, Received};

use xdhcp_dataplane::alloc::{Allocator, AllocatorKind, Pool};
use xdhcp_dataplane::classify::{parse_string, Classes, Program, Scope};
use xdhcp_dataplane::config::options::ConfiguredOption;
use xdhcp_dataplane::config::v4::{FlexId, Reservations4};
use xdhcp_dataplane::config::{Config4, Lifetime, OptionSet, Subnet4};
use xdhcp_dataplane::engine::v4::{Engine4, Outcome, Request4};
use xdhcp_dataplane::lease::{Lease4, LeaseStore, StoreConfig};
use xdhcp_dataplane::options::{OptionSpaces, Universe};
use xdhcp_dataplane::stats::{Scopes, Stats4};
use xdhcp_dataplane::wire::v4::{code, MessageType, Packet4, Writer4, BOOTREQUEST};

pub const SERVER: Ipv4Addr = Ipv4Addr::new(198, 51, 100, 1);
pub const NOW: u32 = 1_800_000_000;

pub fn ip(s: &str) -> Ipv4Addr {
    s.parse().unwrap()
}

pub fn opt(code: u16, data: &[u8], always_send: bool) -> ConfiguredOption {
    ConfiguredOption {
        code,
        data: data.to_vec(),
        always_send,
    }
}

pub fn subnet(id: u32, net: &str, pool: (&str, &str)) -> Subnet4 {
    Subnet4 {
        id,
        network: ip(net),
        prefix_len: 24,
        pools: vec![Arc::new(Allocator::new(
            Pool::v4(ip(pool.0), ip(pool.1), id),
            AllocatorKind::Iterative,
        ))],
        relay: vec![],
        interface: None,
        shared_network: None,
        valid: Lifetime {
            default: 4000,
            min: 2000,
            max: 6000,
        },
        renew_timer: Some(1000),
        rebind_timer: Some(2000),
        calculate_tee_times: None,
        match_client_id: true,
        authoritative: true,
        next_server: None,
        server_hostname: None,
        boot_file_name: None,
        options: OptionSet::new(vec![
            opt(3, &ip("198.51.100.1").octets(), false),
            opt(6, &[198, 51, 100, 53, 198, 51, 100, 54], false),
            opt(15, b"example.org", false),
            opt(42, &[198, 51, 100, 123], false),
            opt(252, b"http://wpad/", true),
        ]),
        reservations: Reservations4::default(),
        host_scope: Default::default(),
        last_pool: Default::default(),
        names: Default::default(),
        pool_classes: Vec::new(),
        pool_ids: Vec::new(),
        guard: Default::default(),
        required: Vec::new(),
    }
}

pub struct Lab {
    pub config: Config4,
    pub leases: Arc<LeaseStore<Lease4>>,
    pub sink: QueueSink,
    pub events: Received,
    pub stats: Stats4,
}

impl Lab {
    pub fn new(subnets: Vec<Subnet4>) -> Lab {
        let (leases, _) = LeaseStore::open(StoreConfig::memory(4, 1024)).unwrap();
        let (sink, events) = super::events::queue(64);
        let config = Config4 {
            subnets,
            decline_probation: 86400,
            ..Config4::default()
        };
        let stats = Stats4 {
            scopes: Scopes::for_v4(&config),
            ..Stats4::default()
        };
        Lab {
            config,
            leases,
            sink,
            events,
            stats,
        }
    }

    /// Sends `msg` as if broadcast on the server's interface; returns the
    /// outcome and the reply's bytes.
    pub fn send(&self, msg: &[u8], now: u32) -> (Outcome, Vec<u8>) {
        self.send_as(msg, now, true)
    }

    /// Sends `msg` as if received on the server's interface, broadcast or
    /// (a RENEWING client's) unicast.
    pub fn send_as(&self, msg: &[u8], now: u32, to_broadcast: bool) -> (Outcome, Vec<u8>) {
        let req = Request4 {
            packet: Packet4::parse(msg).unwrap(),
            interface: Some("veth0"),
            local_addr: SERVER,
            src: Ipv4Addr::UNSPECIFIED,
            to_broadcast,
        };
        let mut out = vec![0u8; 1500];
        let engine = Engine4 {
            config: &self.config,
            leases: &self.leases,
            stats: Some(&self.stats),
            events: Some(&self.sink),
        };
        let outcome = engine.handle(&req, &mut out, now);
        if let Outcome::Reply { len, .. } = outcome {
            out.truncate(len);
        }
        (outcome, out)
    }
}

/// A client message from `mac`; `extra` options after 53.
pub fn message(
    kind: MessageType,
    mac: u8,
    ciaddr: Ipv4Addr,
    giaddr: Ipv4Addr,
    extra: &[(u8, &[u8])],
) -> Vec<u8> {
    request(Some(kind), mac, ciaddr, giaddr, extra)
}

/// A BOOTREQUEST from `mac` with `extra` options and no message type: a
/// BOOTP client (RFC 951, vendor extensions of RFC 1497).
pub fn bootp(mac: u8, giaddr: Ipv4Addr, extra: &[(u8, &[u8])]) -> Vec<u8> {
    request(None, mac, Ipv4Addr::UNSPECIFIED, giaddr, extra)
}

fn request(
    kind: Option<MessageType>,
    mac: u8,
    ciaddr: Ipv4Addr,
    giaddr: Ipv4Addr,
    extra: &[(u8, &[u8])],
) -> Vec<u8> {
    let mut buf = vec![0u8; 600];
    let mut w = Writer4::new(&mut buf, 600).unwrap();
    w.set_op(BOOTREQUEST);
    w.set_chaddr(1, &[2, 0, 0, 0, 0, mac]).unwrap();
    w.set_xid(0x1000 + u32::from(mac));
    w.set_ciaddr(ciaddr);
    w.set_giaddr(giaddr);
    if let Some(kind) = kind {
        w.put_option(code::MESSAGE_TYPE, &[kind.to_u8()]).unwrap();
    }
    for (c, d) in extra {
        w.put_option(*c, d).unwrap();
    }
    let n = w.finish().unwrap();
    buf.truncate(n);
    buf
}

/// A message from a directly connected client.
pub fn direct(kind: MessageType, mac: u8, extra: &[(u8, &[u8])]) -> Vec<u8> {
    message(
        kind,
        mac,
        Ipv4Addr::UNSPECIFIED,
        Ipv4Addr::UNSPECIFIED,
        extra,
    )
}

/// A parameter request list.
pub const PRL: (u8, &[u8]) = (55, &[1, 3, 6, 15, 42]);

pub fn reply_of(out: &[u8]) -> Packet4<'_> {
    Packet4::parse(out).unwrap()
}

/// DISCOVER, then REQUEST of the offered address; returns it.
pub fn dora(lab: &Lab, mac: u8) -> Ipv4Addr {
    let (o, out) = lab.send(&direct(MessageType::Discover, mac, &[PRL]), NOW);
    assert!(matches!(o, Outcome::Reply { .. }), "{o:?}");
    let offered = reply_of(&out).yiaddr();
    let sid = SERVER.octets();
    let (o, out) = lab.send(
        &direct(
            MessageType::Request,
            mac,
            &[(50, &offered.octets()), (54, &sid), PRL],
        ),
        NOW,
    );
    assert!(matches!(o, Outcome::Reply { .. }), "{o:?}");
    assert_eq!(reply_of(&out).message_type(), Some(MessageType::Ack));
    offered
}

/// The flex_id hook with `expression`.
pub fn flex(expression: &str, replace_client_id: bool) -> FlexId {
    flex_in(Universe::V4, expression, replace_client_id)
}

/// The flex_id hook of a `universe` server with `expression`.
pub fn flex_in(universe: Universe, expression: &str, replace_client_id: bool) -> FlexId {
    let spaces = OptionSpaces::standard(universe);
    let mut classes = Classes::default();
    let mut names = Scope {
        spaces: &spaces,
        classes: &mut classes,
    };
    let e = parse_string(expression, &mut names).unwrap();
    FlexId {
        expression: Program::string(&e).unwrap(),
        replace_client_id,
        ignore_iaid: false,
    }
}
