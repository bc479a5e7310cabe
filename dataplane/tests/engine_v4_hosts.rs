//! DHCPv4 host reservations by every identifier Kea 2.2 supports, in
//! `host-reservation-identifiers` order, the flex_id hook, and the
//! reservation-conflict statistic.

mod common;

use std::net::Ipv4Addr;

use common::engine4::*;

use xdhcp_dataplane::config::v4::{HostId, HostIdKind, HostIds};
use xdhcp_dataplane::config::{Reservation4, Subnet4};
use xdhcp_dataplane::engine::v4::Outcome;
use xdhcp_dataplane::journal::RecordKind;
use xdhcp_dataplane::lease::{HwAddr, Lease4};
use xdhcp_dataplane::stats::ScopeStat;
use xdhcp_dataplane::wire::v4::MessageType;

const NET: &str = "198.51.100.0";
const RELAY: Ipv4Addr = Ipv4Addr::new(198, 51, 100, 2);

fn pool_subnet() -> Subnet4 {
    subnet(1, NET, ("198.51.100.10", "198.51.100.20"))
}

/// A reservation of `addr`.
fn host(addr: &str) -> Reservation4 {
    Reservation4 {
        address: Some(ip(addr)),
        ..Reservation4::default()
    }
}

/// The address a DISCOVER from `mac` with `extra` options is offered.
fn offered(lab: &Lab, mac: u8, extra: &[(u8, &[u8])]) -> Ipv4Addr {
    let (o, out) = lab.send(&direct(MessageType::Discover, mac, extra), NOW);
    assert!(matches!(o, Outcome::Reply { .. }), "{o:?}");
    reply_of(&out).yiaddr()
}

/// An RFC 4361 client identifier: type 255, IAID 1, then `duid`.
fn duid_client_id(duid: &[u8]) -> Vec<u8> {
    let mut id = vec![255, 0, 0, 0, 1];
    id.extend_from_slice(duid);
    id
}

#[test]
fn a_client_id_reservation_matches_option_61_as_sent() {
    let mut s = pool_subnet();
    s.reservations
        .insert(HostId::ClientId(&[1, 0xaa, 0xbb]), host("198.51.100.30"));
    let lab = Lab::new(vec![s]);
    assert_eq!(
        offered(&lab, 1, &[(61, &[1, 0xaa, 0xbb])]),
        ip("198.51.100.30")
    );
    assert_eq!(offered(&lab, 1, &[(61, &[1, 0xaa])]), ip("198.51.100.10"));
}

#[test]
fn a_duid_reservation_matches_the_duid_inside_an_rfc_4361_client_id() {
    let duid = [0, 3, 0, 1, 2, 0, 0, 0, 0, 9];
    let mut s = pool_subnet();
    s.reservations
        .insert(HostId::Duid(&duid), host("198.51.100.31"));
    let lab = Lab::new(vec![s]);
    assert_eq!(
        offered(&lab, 1, &[(61, &duid_client_id(&duid))]),
        ip("198.51.100.31"),
        "type 255, IAID, DUID"
    );
    // The same bytes in a client identifier of another type are no DUID.
    let mut other = duid_client_id(&duid);
    other[0] = 1;
    assert_ne!(offered(&lab, 2, &[(61, &other)]), ip("198.51.100.31"));
}

#[test]
fn a_circuit_id_reservation_matches_relay_agent_sub_option_1() {
    let mut s = pool_subnet();
    s.relay = vec![RELAY];
    s.reservations
        .insert(HostId::CircuitId(b"port-7"), host("198.51.100.32"));
    let lab = Lab::new(vec![s]);
    let rai: &[u8] = &[1, 6, b'p', b'o', b'r', b't', b'-', b'7', 2, 1, 9];
    let msg = message(
        MessageType::Discover,
        1,
        Ipv4Addr::UNSPECIFIED,
        RELAY,
        &[(82, rai)],
    );
    let (_, out) = lab.send(&msg, NOW);
    assert_eq!(reply_of(&out).yiaddr(), ip("198.51.100.32"));
}

#[test]
fn a_flex_id_reservation_matches_the_identifier_expression() {
    let mut s = pool_subnet();
    s.reservations
        .insert(HostId::FlexId(b"docsis3.0"), host("198.51.100.33"));
    let mut lab = Lab::new(vec![s]);
    lab.config.host_ids = HostIds(vec![HostIdKind::HwAddress, HostIdKind::FlexId]);
    lab.config.flex_id = Some(flex("substring(option[60].hex,0,9)", false));
    assert_eq!(
        offered(&lab, 1, &[(60, b"docsis3.0:modem")]),
        ip("198.51.100.33")
    );
    assert_ne!(offered(&lab, 2, &[(60, b"other")]), ip("198.51.100.33"));
    // Without flex-id among the identifiers, it is not looked up.
    lab.config.host_ids = HostIds::default();
    assert_ne!(
        offered(&lab, 1, &[(60, b"docsis3.0:modem")]),
        ip("198.51.100.33")
    );
}

#[test]
fn flex_id_reservations_need_the_hook() {
    let mut s = pool_subnet();
    s.reservations
        .insert(HostId::FlexId(b"docsis3.0"), host("198.51.100.33"));
    let mut lab = Lab::new(vec![s]);
    lab.config.host_ids = HostIds(vec![HostIdKind::FlexId]);
    assert_ne!(offered(&lab, 1, &[(60, b"docsis3.0")]), ip("198.51.100.33"));
}

#[test]
fn the_first_identifier_in_configured_order_wins() {
    let mut s = pool_subnet();
    s.reservations.insert(
        HostId::HwAddress(&[2, 0, 0, 0, 0, 1]),
        host("198.51.100.40"),
    );
    s.reservations
        .insert(HostId::ClientId(&[1, 7]), host("198.51.100.41"));
    let mut lab = Lab::new(vec![s]);
    let cid: (u8, &[u8]) = (61, &[1, 7]);
    assert_eq!(
        offered(&lab, 1, &[cid]),
        ip("198.51.100.40"),
        "Kea's default"
    );
    lab.config.host_ids = HostIds(vec![HostIdKind::ClientId, HostIdKind::HwAddress]);
    assert_eq!(offered(&lab, 1, &[cid]), ip("198.51.100.41"));
    lab.config.host_ids = HostIds(vec![HostIdKind::CircuitId]);
    let got = offered(&lab, 1, &[cid]);
    assert!(
        ![ip("198.51.100.40"), ip("198.51.100.41")].contains(&got),
        "identifiers not listed are not looked up"
    );
}

#[test]
fn replace_client_id_makes_the_flex_id_the_lease_identity() {
    let mut lab = Lab::new(vec![pool_subnet()]);
    lab.config.flex_id = Some(flex("option[60].hex", true));
    lab.config.echo_client_id = false;
    let vendor: (u8, &[u8]) = (60, b"cpe-17");
    let addr = offered(&lab, 1, &[vendor, (61, &[1, 1])]);
    let sid = SERVER.octets();
    let (_, out) = lab.send(
        &direct(
            MessageType::Request,
            1,
            &[(50, &addr.octets()), (54, &sid), vendor, (61, &[1, 1])],
        ),
        NOW,
    );
    assert_eq!(reply_of(&out).message_type(), Some(MessageType::Ack));
    let lease = lab.leases.get(addr).unwrap();
    assert_eq!(
        lease.client_id.as_bytes(),
        b"\0cpe-17",
        "zero, then the flex-id"
    );
    // A replaced device (other MAC, other client-id, same flex-id) is
    // offered the same address.
    let (_, out) = lab.send(
        &direct(MessageType::Discover, 9, &[vendor, (61, &[1, 9, 9])]),
        NOW,
    );
    let offer = reply_of(&out);
    assert_eq!(offer.yiaddr(), addr);
    // It gets its own identifier back, whatever echo-client-id says.
    assert_eq!(
        offer.option(61).unwrap().contiguous(),
        Some(&[1u8, 9, 9][..])
    );
}

#[test]
fn a_reserved_address_held_by_another_client_is_counted_as_a_conflict() {
    let reserved = ip("198.51.100.12");
    let mut s = pool_subnet();
    s.reservations.insert(
        HostId::HwAddress(&[2, 0, 0, 0, 0, 5]),
        host("198.51.100.12"),
    );
    let lab = Lab::new(vec![s]);
    // Client 1 got the address before the reservation was made.
    let mut lease = Lease4::new(reserved, NOW, 4000, 1);
    lease.hwaddr = HwAddr::new(1, &[2, 0, 0, 0, 0, 1]).unwrap();
    lab.leases
        .claim(lease, u64::from(NOW), RecordKind::Allocate)
        .unwrap();
    let conflicts = || lab.stats.scopes.subnet(0)[ScopeStat::ReservationConflicts as usize];
    assert_ne!(offered(&lab, 5, &[]), reserved);
    assert_eq!(conflicts(), 1, "the reserved address went to another");
    // Nor is the lease's holder being offered something else.
    assert_ne!(offered(&lab, 1, &[]), reserved);
    assert_eq!(conflicts(), 1);
}

#[test]
fn a_lease_now_reserved_for_another_is_not_offered_again() {
    let mut s = pool_subnet();
    s.reservations.insert(
        HostId::HwAddress(&[2, 0, 0, 0, 0, 5]),
        host("198.51.100.12"),
    );
    let lab = Lab::new(vec![s]);
    let mut lease = Lease4::new(ip("198.51.100.12"), NOW, 4000, 1);
    lease.hwaddr = HwAddr::new(1, &[2, 0, 0, 0, 0, 1]).unwrap();
    lab.leases
        .claim(lease, u64::from(NOW), RecordKind::Allocate)
        .unwrap();
    assert_ne!(offered(&lab, 1, &[]), ip("198.51.100.12"));
}
