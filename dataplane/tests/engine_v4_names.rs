//! Client names in the DHCPv4 replies the side-by-side test cannot reach
//! (checked by hand against kea-dhcp4 2.2): a BOOTP client gets its
//! reserved name or its own echoed, an INFORM's ACK and a NAK carry none,
//! and the name shadows a configured Host Name option.

mod common;

use std::net::Ipv4Addr;

use common::engine4::*;

use xdhcp_dataplane::config::v4::HostId;
use xdhcp_dataplane::config::{OptionSet, Reservation4, Subnet4};
use xdhcp_dataplane::engine::v4::Outcome;
use xdhcp_dataplane::wire::v4::MessageType;

/// Client 1 has the hostname "Reserved-One"; the subnet configures a
/// Host Name option of its own.
fn named_subnet() -> Subnet4 {
    let mut s = subnet(1, "198.51.100.0", ("198.51.100.10", "198.51.100.20"));
    let host = Reservation4 {
        hostname: Some("Reserved-One".into()),
        ..Reservation4::default()
    };
    s.reservations
        .insert(HostId::HwAddress(&[2, 0, 0, 0, 0, 1]), host);
    s.options = OptionSet::new(vec![opt(12, b"configured", false)]);
    s
}

/// The Host Name option of the reply to `msg`, if any.
fn host_name(lab: &Lab, msg: &[u8]) -> Option<Vec<u8>> {
    let (o, out) = lab.send(msg, NOW);
    assert!(matches!(o, Outcome::Reply { .. }), "{o:?}");
    reply_of(&out).option_contiguous(12).map(<[u8]>::to_vec)
}

const ASKS_12: (u8, &[u8]) = (55, &[1, 3, 12]);

#[test]
fn bootp_clients_get_their_reserved_name_or_their_own() {
    let mut lab = Lab::new(vec![named_subnet()]);
    lab.config.bootp = true;
    let reserved = host_name(&lab, &bootp(1, Ipv4Addr::UNSPECIFIED, &[]));
    assert_eq!(reserved.as_deref(), Some(&b"reserved-one"[..]));
    let own = bootp(2, Ipv4Addr::UNSPECIFIED, &[(12, b"BootMe")]);
    assert_eq!(host_name(&lab, &own).as_deref(), Some(&b"bootme"[..]));
    let lease = lab.leases.get(ip("198.51.100.10")).unwrap();
    assert_eq!(lease.hostname.as_bytes(), b"reserved-one");
}

#[test]
fn inform_and_nak_carry_no_name_and_a_name_shadows_the_configured_option() {
    let lab = Lab::new(vec![named_subnet()]);
    // An INFORM is answered from the configuration only.
    let inform = message(
        MessageType::Inform,
        1,
        ip("198.51.100.99"),
        Ipv4Addr::UNSPECIFIED,
        &[ASKS_12],
    );
    assert_eq!(
        host_name(&lab, &inform).as_deref(),
        Some(&b"configured"[..])
    );
    // The reserved name wins over the configured option.
    let discover = direct(MessageType::Discover, 1, &[ASKS_12]);
    assert_eq!(
        host_name(&lab, &discover).as_deref(),
        Some(&b"reserved-one"[..])
    );
    // A NAK (to an INIT-REBOOT from a client without a lease, the subnet
    // being authoritative) has none.
    let mut lab = Lab::new(vec![named_subnet()]);
    lab.config.subnets[0].authoritative = true;
    let reboot = direct(
        MessageType::Request,
        1,
        &[(50, &[198, 51, 100, 15]), ASKS_12],
    );
    let (o, out) = lab.send(&reboot, NOW);
    assert!(matches!(o, Outcome::Reply { .. }), "{o:?}");
    let nak = reply_of(&out);
    assert_eq!(nak.message_type(), Some(MessageType::Nak));
    assert_eq!(nak.option_contiguous(12), None);
}
