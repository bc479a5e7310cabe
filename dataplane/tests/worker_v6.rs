//! The v6 worker step's addressing: direct clients are answered at their
//! link-local address and MAC on port 546, relays at their address on 547
//! from the address they sent to.

use std::net::Ipv6Addr;
use std::sync::Arc;

use xdhcp_dataplane::alloc::{Allocator, AllocatorKind, Pool};
use xdhcp_dataplane::config::v6::Reservations6;
use xdhcp_dataplane::config::{Config6, Lifetime, OptionSet, Subnet6};
use xdhcp_dataplane::engine::v6::Engine6;
use xdhcp_dataplane::frame::{write_udp, Addressing, Frame, IpAddrs};
use xdhcp_dataplane::lease::{LeaseStore, StoreConfig};
use xdhcp_dataplane::wire::v6::{Message6Writer, MessageType, Packet6, OPTION_RELAY_MSG};
use xdhcp_dataplane::worker::{answer_v6, Link6};

const NOW: u32 = 1_800_000_000;
const CLIENT_MAC: [u8; 6] = [2, 0, 0, 0, 0, 9];
const RELAY_MAC: [u8; 6] = [2, 0, 0, 0, 0, 0x77];

fn ip(s: &str) -> Ipv6Addr {
    s.parse().unwrap()
}

fn config() -> Config6 {
    let pool = Pool::v6(ip("2001:db8:5::100"), ip("2001:db8:5::1ff"), 5);
    Config6 {
        server_duid: vec![0, 3, 0, 1, 2, 0, 0, 0, 0, 1],
        subnets: vec![Subnet6 {
            id: 5,
            prefix: ip("2001:db8:5::"),
            prefix_len: 64,
            pools: vec![Arc::new(Allocator::new(pool, AllocatorKind::Iterative))],
            pd_pools: vec![],
            interface: Some("veth0".into()),
            interface_id: None,
            relay: vec![],
            shared_network: None,
            preferred: Lifetime::fixed(3000),
            valid: Lifetime::fixed(4000),
            renew_timer: None,
            rebind_timer: None,
            rapid_commit: false,
            options: OptionSet::default(),
            reservations: Reservations6::default(),
            host_scope: Default::default(),
            names: Default::default(),
            guard: Default::default(),
            pool_classes: Vec::new(),
            pool_ids: Vec::new(),
            required: Vec::new(),
            last_pool: Default::default(),
        }],
        ..Config6::default()
    }
}

fn solicit() -> Vec<u8> {
    let mut buf = vec![0u8; 512];
    let mut w = Message6Writer::new(&mut buf);
    w.put_header(MessageType::Solicit, 42).unwrap();
    w.client_id(&[0, 3, 0, 1, 2, 0, 0, 0, 0, 9]).unwrap();
    let m = w.begin_ia_na(1, 0, 0).unwrap();
    w.end_option(m).unwrap();
    let n = w.finish().unwrap();
    buf.truncate(n);
    buf
}

fn frame(from: Addressing, payload: &[u8]) -> Vec<u8> {
    let mut f = vec![0u8; 1500];
    let n = write_udp(&mut f, &from, |body| {
        body[..payload.len()].copy_from_slice(payload);
        Ok(payload.len())
    })
    .unwrap();
    f.truncate(n);
    f
}

fn answer(request: &[u8]) -> Vec<u8> {
    let config = config();
    let (leases, _) = LeaseStore::open(StoreConfig::memory(2, 64)).unwrap();
    let engine = Engine6 {
        config: &config,
        leases: &leases,
        events: None,
        stats: None,
    };
    let link = Link6 {
        name: "veth0".into(),
        mac: [2, 0, 0, 0, 0, 1],
        addr: ip("fe80::1"),
        unicast: None,
    };
    let mut reply = vec![0u8; 1500];
    let n = answer_v6(&engine, &link, request, &mut reply, NOW).expect("a reply");
    reply.truncate(n);
    reply
}

#[test]
fn direct_client_answered_at_its_link_local_address() {
    let request = frame(
        Addressing {
            eth_dst: [0x33, 0x33, 0, 1, 0, 2],
            eth_src: CLIENT_MAC,
            vlans: [(0x8100, 12), (0, 0)],
            vlan_count: 1,
            ip: IpAddrs::V6 {
                src: ip("fe80::9"),
                dst: ip("ff02::1:2"),
            },
            src_port: 546,
            dst_port: 547,
        },
        &solicit(),
    );
    let reply = answer(&request);
    let f = Frame::parse(&reply).unwrap();
    let a = f.addressing;
    assert_eq!((a.eth_dst, a.eth_src), (CLIENT_MAC, [2, 0, 0, 0, 0, 1]));
    assert_eq!((a.vlan_count, a.vlans[0]), (1, (0x8100, 12)));
    assert_eq!(
        a.ip,
        IpAddrs::V6 {
            src: ip("fe80::1"),
            dst: ip("fe80::9")
        }
    );
    assert_eq!((a.src_port, a.dst_port), (547, 546));
    let msg = Packet6::parse(f.payload).unwrap().innermost();
    assert_eq!(msg.msg_type(), MessageType::Advertise);
}

#[test]
fn relay_answered_at_its_address_on_the_server_port() {
    let inner = solicit();
    let mut buf = vec![0u8; 1024];
    let mut w = Message6Writer::new(&mut buf);
    w.put_relay_header(
        MessageType::RelayForw,
        0,
        ip("2001:db8:5::1"),
        ip("fe80::9"),
    )
    .unwrap();
    w.interface_id(b"eth3").unwrap();
    w.option(OPTION_RELAY_MSG, &inner).unwrap();
    let n = w.finish().unwrap();
    let request = frame(
        Addressing {
            eth_dst: [2, 0, 0, 0, 0, 1],
            eth_src: RELAY_MAC,
            vlans: [(0, 0); 2],
            vlan_count: 0,
            ip: IpAddrs::V6 {
                src: ip("2001:db8:5::1"),
                dst: ip("2001:db8:7::1"),
            },
            src_port: 547,
            dst_port: 547,
        },
        &buf[..n],
    );
    let reply = answer(&request);
    let f = Frame::parse(&reply).unwrap();
    let a = f.addressing;
    assert_eq!(a.eth_dst, RELAY_MAC);
    assert_eq!(
        a.ip,
        IpAddrs::V6 {
            src: ip("2001:db8:7::1"),
            dst: ip("2001:db8:5::1")
        }
    );
    assert_eq!((a.src_port, a.dst_port), (547, 547));
    let p = Packet6::parse(f.payload).unwrap();
    assert_eq!(p.msg_type(), MessageType::RelayRepl);
    assert_eq!(
        p.relays().next().unwrap().interface_id(),
        Some(&b"eth3"[..])
    );
    assert_eq!(p.innermost().msg_type(), MessageType::Advertise);
}

#[test]
fn other_ports_and_families_are_not_answered() {
    let config = config();
    let (leases, _) = LeaseStore::open(StoreConfig::memory(2, 64)).unwrap();
    let engine = Engine6 {
        config: &config,
        leases: &leases,
        events: None,
        stats: None,
    };
    let link = Link6 {
        name: "veth0".into(),
        mac: [2, 0, 0, 0, 0, 1],
        addr: ip("fe80::1"),
        unicast: None,
    };
    let mut from = Addressing {
        eth_dst: [0x33, 0x33, 0, 1, 0, 2],
        eth_src: CLIENT_MAC,
        vlans: [(0, 0); 2],
        vlan_count: 0,
        ip: IpAddrs::V6 {
            src: ip("fe80::9"),
            dst: ip("ff02::1:2"),
        },
        src_port: 546,
        dst_port: 546,
    };
    let mut reply = vec![0u8; 1500];
    let request = frame(from, &solicit());
    assert!(answer_v6(&engine, &link, &request, &mut reply, NOW).is_none());
    from.dst_port = 547;
    from.ip = IpAddrs::V4 {
        src: "198.51.100.9".parse().unwrap(),
        dst: "198.51.100.1".parse().unwrap(),
    };
    let request = frame(from, &solicit());
    assert!(answer_v6(&engine, &link, &request, &mut reply, NOW).is_none());
}
