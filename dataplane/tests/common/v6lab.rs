//! DHCPv6 frames and a one-subnet server for the v6 worker step (the
//! no-allocation test and the worker bench).

use std::net::Ipv6Addr;
use std::sync::Arc;

use xdhcp_dataplane::alloc::{Allocator, AllocatorKind, Pool};
use xdhcp_dataplane::config::v6::Reservations6;
use xdhcp_dataplane::config::{Config6, Lifetime, OptionSet, PdPool6, Subnet6};
use xdhcp_dataplane::frame::{write_udp, Addressing, IpAddrs};
use xdhcp_dataplane::wire::v6::{Message6Writer, MessageType};
use xdhcp_dataplane::worker::Link6;

/// The server's DUID.
pub const SERVER_DUID: &[u8] = &[0, 3, 0, 1, 2, 0, 0, 0, 0, 1];

/// The server's link.
pub fn link() -> Link6 {
    Link6 {
        name: "veth0".into(),
        mac: [2, 0, 0, 0, 0, 1],
        addr: "fe80::1".parse().unwrap(),
        unicast: None,
    }
}

/// One subnet with an address pool and a prefix pool.
pub fn config() -> Config6 {
    let net: Ipv6Addr = "2001:db8:1::".parse().unwrap();
    // Big enough for the bench's millions of new clients.
    let pool = Pool::v6(
        "2001:db8:1::1:0".parse().unwrap(),
        "2001:db8:1::ffff:ffff".parse().unwrap(),
        1,
    );
    let pd = Pool::pd("2001:db8:8000::".parse().unwrap(), 32, 56, 1);
    Config6 {
        server_duid: SERVER_DUID.to_vec(),
        subnets: vec![Subnet6 {
            id: 1,
            prefix: net,
            prefix_len: 64,
            pools: vec![Arc::new(Allocator::new(pool, AllocatorKind::Iterative))],
            pd_pools: vec![PdPool6 {
                id: 0,
                alloc: Arc::new(Allocator::new(pd, AllocatorKind::Iterative)),
                delegated_len: 56,
                excluded: None,
                classes: Default::default(),
            }],
            interface: Some("veth0".into()),
            interface_id: None,
            relay: vec![],
            shared_network: None,
            preferred: Lifetime::fixed(3000),
            valid: Lifetime::fixed(4000),
            renew_timer: Some(1500),
            rebind_timer: Some(2400),
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

/// A multicast SOLICIT or REQUEST (`kind`) from client `n` with one
/// IA_NA, and one IA_PD when `pd`; `hints` are the address and prefix
/// asked for.
pub fn client_frame(
    n: u32,
    kind: MessageType,
    hints: Option<(Ipv6Addr, Ipv6Addr)>,
    pd: bool,
) -> Vec<u8> {
    let b = n.to_be_bytes();
    let mac = [2, 0, b[0], b[1], b[2], b[3]];
    let from = Addressing {
        eth_dst: [0x33, 0x33, 0, 1, 0, 2],
        eth_src: mac,
        vlans: [(0, 0); 2],
        vlan_count: 0,
        ip: IpAddrs::V6 {
            src: Ipv6Addr::new(0xfe80, 0, 0, 0, 0, (n >> 16) as u16, 1, n as u16),
            dst: "ff02::1:2".parse().unwrap(),
        },
        src_port: 546,
        dst_port: 547,
    };
    let mut f = vec![0u8; 1500];
    let len = write_udp(&mut f, &from, |body| {
        let mut w = Message6Writer::new(body);
        w.put_header(kind, n & 0xff_ffff)?;
        let mut duid = [0, 3, 0, 1, 0, 0, 0, 0, 0, 0];
        duid[4..].copy_from_slice(&mac);
        w.client_id(&duid)?;
        if kind == MessageType::Request {
            w.server_id(SERVER_DUID)?;
        }
        w.elapsed_time(0)?;
        w.oro(&[23, 24])?;
        let m = w.begin_ia_na(1, 0, 0)?;
        if let Some((a, _)) = hints {
            w.ia_addr(a, 0, 0)?;
        }
        w.end_option(m)?;
        if pd {
            let m = w.begin_ia_pd(1, 0, 0)?;
            if let Some((_, p)) = hints {
                w.ia_prefix(0, 0, 56, p)?;
            }
            w.end_option(m)?;
        }
        w.finish()
    })
    .unwrap();
    f.truncate(len);
    f
}
