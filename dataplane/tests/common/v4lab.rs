//! DHCPv4 server configurations and client frames shared by the tests and
//! the worker benchmark.

use std::net::Ipv4Addr;
use std::sync::Arc;

use xdhcp_dataplane::alloc::{Allocator, AllocatorKind, Pool};
use xdhcp_dataplane::config::options::ConfiguredOption;
use xdhcp_dataplane::config::v4::Reservations4;
use xdhcp_dataplane::config::{Config4, Lifetime, OptionSet, Subnet4};
use xdhcp_dataplane::frame::{write_udp, Addressing, IpAddrs};
use xdhcp_dataplane::wire::v4::{self, code, Writer4};
use xdhcp_dataplane::worker::Link;

/// The server's address.
pub const SERVER: Ipv4Addr = Ipv4Addr::new(198, 51, 100, 1);

/// The server's interface.
pub fn link() -> Link {
    Link {
        name: "veth0".into(),
        mac: [2, 0, 0, 0, 0, 1],
        addr: SERVER,
    }
}

/// One /16 subnet (65,000 addresses) with T1/T2 computed, as Kea would.
pub fn config() -> Config4 {
    let pool = Pool::v4(
        Ipv4Addr::new(198, 51, 0, 10),
        Ipv4Addr::new(198, 51, 255, 250),
        1,
    );
    Config4 {
        subnets: vec![Subnet4 {
            id: 1,
            network: Ipv4Addr::new(198, 51, 0, 0),
            prefix_len: 16,
            pools: vec![Arc::new(Allocator::new(pool, AllocatorKind::Iterative))],
            relay: vec![],
            interface: None,
            shared_network: None,
            valid: Lifetime::fixed(3600),
            renew_timer: None,
            rebind_timer: None,
            calculate_tee_times: Some((0.5, 0.875)),
            match_client_id: true,
            authoritative: true,
            next_server: None,
            server_hostname: None,
            boot_file_name: None,
            options: OptionSet::default(),
            reservations: Reservations4::default(),
            host_scope: Default::default(),
            last_pool: Default::default(),
            names: Default::default(),
            pool_classes: Vec::new(),
            pool_ids: Vec::new(),
            guard: Default::default(),
            required: Vec::new(),
        }],
        ..Config4::default()
    }
}

/// The Ethernet frame of a broadcast DISCOVER (`requested` = None) or
/// SELECTING REQUEST from client `n`.
pub fn client_frame(n: u16, requested: Option<Ipv4Addr>) -> Vec<u8> {
    named_client_frame(n, requested, None)
}

/// [`client_frame`] with a Host Name option carrying `host_name`.
pub fn named_client_frame(
    n: u16,
    requested: Option<Ipv4Addr>,
    host_name: Option<&[u8]>,
) -> Vec<u8> {
    let from = Addressing {
        eth_dst: [0xff; 6],
        eth_src: [2, 0, 0, 1, (n >> 8) as u8, n as u8],
        vlans: [(0, 0); 2],
        vlan_count: 0,
        ip: IpAddrs::V4 {
            src: Ipv4Addr::UNSPECIFIED,
            dst: Ipv4Addr::BROADCAST,
        },
        src_port: 68,
        dst_port: 67,
    };
    let mac = from.eth_src;
    let mut f = vec![0u8; 1500];
    let len = write_udp(&mut f, &from, |body| {
        let mut w = Writer4::new(body, 1400)?;
        w.set_op(v4::BOOTREQUEST);
        w.set_chaddr(1, &mac)?;
        w.set_xid(u32::from(n));
        let kind = if requested.is_some() { 3 } else { 1 };
        w.put_option(code::MESSAGE_TYPE, &[kind])?;
        let mut cid = [1u8; 7];
        cid[1..].copy_from_slice(&mac);
        w.put_option(code::CLIENT_ID, &cid)?;
        if let Some(a) = requested {
            w.put_option(code::REQUESTED_ADDRESS, &a.octets())?;
            w.put_option(code::SERVER_ID, &SERVER.octets())?;
        }
        w.put_option(code::PARAMETER_REQUEST_LIST, &[1, 3, 6, 15, 28, 42])?;
        if let Some(name) = host_name {
            w.put_option(code::HOST_NAME, name)?;
        }
        w.finish()
    })
    .unwrap();
    f.truncate(len);
    f
}

/// The lab's link 198.51.100.0/24, and 203.0.113.0/24 behind a relay.
pub fn lab_config() -> Config4 {
    let option = |code, data: &[u8]| ConfiguredOption {
        code,
        data: data.to_vec(),
        always_send: false,
    };
    let subnet = |id, net: [u8; 3]| {
        let [a, b, c] = net;
        let pool = Pool::v4(Ipv4Addr::new(a, b, c, 100), Ipv4Addr::new(a, b, c, 200), id);
        let router = Ipv4Addr::new(a, b, c, 1);
        Subnet4 {
            id,
            network: Ipv4Addr::new(a, b, c, 0),
            prefix_len: 24,
            pools: vec![Arc::new(Allocator::new(pool, AllocatorKind::Iterative))],
            relay: vec![],
            interface: None,
            shared_network: None,
            valid: Lifetime::fixed(600),
            renew_timer: Some(150),
            rebind_timer: Some(300),
            calculate_tee_times: None,
            match_client_id: true,
            authoritative: true,
            next_server: None,
            server_hostname: None,
            boot_file_name: None,
            options: OptionSet::new(vec![
                option(3, &router.octets()),
                option(6, &SERVER.octets()),
                option(15, b"lab.example"),
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
    };
    Config4 {
        subnets: vec![subnet(1, [198, 51, 100]), subnet(2, [203, 0, 113])],
        decline_probation: 86400,
        ..Config4::default()
    }
}
