//! BOOTP clients (RFC 951): answered as Kea's bootp hook answers them when
//! the hook is loaded, counted and dropped as Kea 2.2 does otherwise.

mod common;

use std::net::Ipv4Addr;

use common::engine4::*;

use xdhcp_dataplane::classify::{builtin, parse, Class, Program, Scope};
use xdhcp_dataplane::config::v4::{HostId, PoolClasses};
use xdhcp_dataplane::config::Reservation4;
use xdhcp_dataplane::engine::v4::{Destination, Outcome, Silence, INFINITE_LIFETIME};
use xdhcp_dataplane::journal::RecordKind;
use xdhcp_dataplane::lease::{HwAddr, Lease4};
use xdhcp_dataplane::options::{OptionSpaces, Universe};
use xdhcp_dataplane::stats::Stat4;
use xdhcp_dataplane::wire::v4::{MessageType, MIN_BOOTP_LEN};

const RELAY: Ipv4Addr = Ipv4Addr::new(198, 51, 100, 2);

/// A lab with the bootp hook loaded.
fn bootp_lab() -> Lab {
    let mut s = subnet(1, "198.51.100.0", ("198.51.100.10", "198.51.100.20"));
    s.relay = vec![RELAY];
    let mut lab = Lab::new(vec![s]);
    lab.config.bootp = true;
    lab
}

#[test]
fn without_the_hook_a_bootp_request_is_counted_as_unknown_and_dropped() {
    let lab = Lab::new(vec![subnet(
        1,
        "198.51.100.0",
        ("198.51.100.10", "198.51.100.20"),
    )]);
    let (o, _) = lab.send(&bootp(1, Ipv4Addr::UNSPECIFIED, &[]), NOW);
    assert_eq!(o, Outcome::Silent(Silence::NotForServer));
    let p = lab.stats.packets.values();
    assert_eq!(p[Stat4::Received as usize], 1);
    assert_eq!(p[Stat4::UnknownReceived as usize], 1);
    assert_eq!(p[Stat4::ReceiveDrop as usize], 1);
    assert!(lab.leases.is_empty());
}

#[test]
fn a_bootp_request_gets_a_bootreply_with_an_infinite_lease() {
    let lab = bootp_lab();
    let msg = bootp(1, RELAY, &[]);
    let (o, out) = lab.send(&msg, NOW);
    let Outcome::Reply { kind, len, to, .. } = o else {
        panic!("{o:?}")
    };
    assert_eq!(kind, MessageType::Other(0), "a BOOTREPLY has no type");
    assert_eq!(to, Destination::Relay(RELAY));
    assert!(len >= MIN_BOOTP_LEN, "padded to the BOOTP minimum: {len}");
    let reply = reply_of(&out);
    assert_eq!(reply.op(), 2);
    assert_eq!(reply.yiaddr(), ip("198.51.100.10"));
    assert_eq!(reply.message_type(), None);
    let codes: Vec<u8> = reply.options().map(|o| o.code).collect();
    for dhcp_only in [50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 61] {
        assert!(
            !codes.contains(&dhcp_only),
            "option {dhcp_only} in {codes:?}"
        );
    }
    assert_eq!(
        reply.option(1).unwrap().contiguous(),
        Some(&[255u8, 255, 255, 0][..]),
        "subnet mask"
    );
    assert!(
        codes.contains(&3) && codes.contains(&6),
        "routers, DNS: {codes:?}"
    );
    let lease = lab.leases.get(ip("198.51.100.10")).unwrap();
    assert_eq!(lease.valid_lft, INFINITE_LIFETIME);
    let p = lab.stats.packets.values();
    assert_eq!(
        p[Stat4::RequestReceived as usize],
        1,
        "counted as a REQUEST"
    );
    assert_eq!(p[Stat4::Sent as usize], 1);
    assert_eq!(p[Stat4::AckSent as usize], 0, "the reply is no ACK");
    // Asking again renews the same lease.
    let (_, out) = lab.send(&msg, NOW + 10);
    assert_eq!(reply_of(&out).yiaddr(), ip("198.51.100.10"));
    assert_eq!(lab.leases.len(), 1);
}

#[test]
fn bootp_clients_get_their_hardware_address_reservation_and_the_bootp_class() {
    let mut lab = bootp_lab();
    let s = &mut lab.config.subnets[0];
    s.reservations.insert(
        HostId::HwAddress(&[2, 0, 0, 0, 0, 7]),
        Reservation4 {
            address: Some(ip("198.51.100.50")),
            boot_file_name: Some("/boot/pxelinux.0".into()),
            ..Reservation4::default()
        },
    );
    // Only BOOTP clients may use the pool (the manual's example).
    s.pool_classes = vec![PoolClasses {
        guard: xdhcp_dataplane::config::Guard(vec![builtin::BOOTP]),
        ..PoolClasses::default()
    }];
    let (_, out) = lab.send(&bootp(7, RELAY, &[]), NOW);
    let reply = reply_of(&out);
    assert_eq!(reply.yiaddr(), ip("198.51.100.50"));
    assert_eq!(reply.file(), Some(&b"/boot/pxelinux.0"[..]));
    let (_, out) = lab.send(&bootp(8, RELAY, &[]), NOW);
    assert_eq!(reply_of(&out).yiaddr(), ip("198.51.100.10"), "BOOTP pool");
    let dhcp = message(MessageType::Discover, 9, Ipv4Addr::UNSPECIFIED, RELAY, &[]);
    assert_eq!(
        lab.send(&dhcp, NOW).0,
        Outcome::Silent(Silence::NoAddress),
        "DHCP clients are kept out of the BOOTP pool"
    );
}

#[test]
fn a_bootp_client_whose_reservation_another_holds_gets_no_address() {
    let mut lab = bootp_lab();
    lab.config.subnets[0].reservations.insert(
        HostId::HwAddress(&[2, 0, 0, 0, 0, 7]),
        Reservation4 {
            address: Some(ip("198.51.100.11")),
            ..Reservation4::default()
        },
    );
    let mut lease = Lease4::new(ip("198.51.100.11"), NOW, 4000, 1);
    lease.hwaddr = HwAddr::new(1, &[2, 0, 0, 0, 0, 1]).unwrap();
    lab.leases
        .claim(lease, u64::from(NOW), RecordKind::Allocate)
        .unwrap();
    let (o, out) = lab.send(&bootp(7, RELAY, &[]), NOW);
    assert!(matches!(o, Outcome::Reply { .. }), "{o:?}");
    let reply = reply_of(&out);
    assert_eq!(reply.yiaddr(), Ipv4Addr::UNSPECIFIED);
    assert_eq!(reply.message_type(), None);
}

#[test]
fn class_tests_see_bootp_clients_in_the_bootp_class() {
    let mut lab = bootp_lab();
    let spaces = OptionSpaces::standard(Universe::V4);
    let mut names = Scope {
        spaces: &spaces,
        classes: &mut lab.config.classes,
    };
    let test = parse("member('BOOTP')", &mut names).unwrap();
    let mut legacy = Class::named("legacy");
    legacy.test = Some(Program::new(&test).unwrap());
    legacy.boot_file_name = Some("legacy.img".into());
    lab.config.classes.add(legacy).unwrap();
    let (_, out) = lab.send(&bootp(1, RELAY, &[]), NOW);
    assert_eq!(reply_of(&out).file(), Some(&b"legacy.img"[..]));
    let discover = message(MessageType::Discover, 2, Ipv4Addr::UNSPECIFIED, RELAY, &[]);
    let (_, out) = lab.send(&discover, NOW);
    assert_eq!(reply_of(&out).file().unwrap_or_default(), b"");
}
