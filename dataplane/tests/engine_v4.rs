//! The DHCPv4 engine on its own: messages in, replies and lease changes out.

mod common;

use std::net::Ipv4Addr;

use common::engine4::*;

use xdhcp_dataplane::config::v4::HostId;
use xdhcp_dataplane::config::{OptionSet, Reservation4};
use xdhcp_dataplane::engine::v4::{Destination, Engine4, Outcome, Silence};
use xdhcp_dataplane::events::LeaseEventKind;
use xdhcp_dataplane::lease::LeaseState;
use xdhcp_dataplane::stats::{ScopeStat, Stat4};
use xdhcp_dataplane::wire::v4::{code, MessageType};

#[test]
fn dora_offers_then_acknowledges_and_records_the_lease() {
    let lab = Lab::new(vec![subnet(
        1,
        "198.51.100.0",
        ("198.51.100.10", "198.51.100.20"),
    )]);
    let (o, out) = lab.send(
        &direct(
            MessageType::Discover,
            1,
            &[PRL, (51, &5000u32.to_be_bytes())],
        ),
        NOW,
    );
    let Outcome::Reply { to, ticket, .. } = o else {
        panic!("{o:?}")
    };
    assert_eq!(to, Destination::Hardware(ip("198.51.100.10")));
    assert_eq!(ticket, None, "an offer writes nothing");
    let offer = reply_of(&out);
    assert_eq!(offer.message_type(), Some(MessageType::Offer));
    assert_eq!(offer.yiaddr(), ip("198.51.100.10"));
    assert_eq!(offer.option_ipv4(code::SERVER_ID), Some(SERVER));
    assert_eq!(
        offer.option_u32(code::LEASE_TIME),
        Some(5000),
        "the client's wish, within bounds"
    );
    assert_eq!(offer.option_u32(58), Some(1000));
    assert_eq!(offer.option_u32(59), Some(2000));
    assert_eq!(offer.option_ipv4(1), Some(ip("255.255.255.0")));
    let codes: Vec<u8> = offer.options().map(|o| o.code).collect();
    assert_eq!(codes, [53, 54, 51, 58, 59, 1, 3, 6, 15, 42, 252]);
    assert!(lab.leases.get(ip("198.51.100.10")).is_none());

    // As in Kea, an offer holds nothing: the pool moves on.
    let ack = dora(&lab, 1);
    assert_eq!(ack, ip("198.51.100.11"));
    let lease = lab.leases.get(ack).unwrap();
    assert_eq!(lease.hwaddr.as_bytes(), &[2, 0, 0, 0, 0, 1]);
    assert_eq!(
        (lease.cltt, lease.valid_lft, lease.subnet_id),
        (NOW, 4000, 1)
    );
    let (_, out) = lab.send(&direct(MessageType::Discover, 1, &[]), NOW + 5);
    assert_eq!(
        reply_of(&out).yiaddr(),
        ack,
        "a client with a lease is offered it again"
    );
    assert_eq!(
        dora(&lab, 2),
        ip("198.51.100.12"),
        "the next client gets the next address"
    );
}

#[test]
fn lifetimes_are_clamped_and_timers_stay_below_them() {
    let lab = Lab::new(vec![subnet(
        1,
        "198.51.100.0",
        ("198.51.100.10", "198.51.100.20"),
    )]);
    for (asked, granted) in [(100u32, 2000u32), (1_000_000, 6000)] {
        let (_, out) = lab.send(
            &direct(MessageType::Discover, 1, &[(51, &asked.to_be_bytes())]),
            NOW,
        );
        assert_eq!(reply_of(&out).option_u32(code::LEASE_TIME), Some(granted));
    }
}

#[test]
fn renewing_extends_and_a_foreign_address_is_refused() {
    let lab = Lab::new(vec![subnet(
        1,
        "198.51.100.0",
        ("198.51.100.10", "198.51.100.20"),
    )]);
    let addr = dora(&lab, 1);
    // RENEWING: unicast with ciaddr, no server id or requested address.
    let renew = message(MessageType::Request, 1, addr, Ipv4Addr::UNSPECIFIED, &[]);
    let (o, out) = lab.send(&renew, NOW + 1000);
    assert!(
        matches!(o, Outcome::Reply { to: Destination::Unicast(a), .. } if a == addr),
        "{o:?}"
    );
    assert_eq!(reply_of(&out).message_type(), Some(MessageType::Ack));
    assert_eq!(lab.leases.get(addr).unwrap().cltt, NOW + 1000);
    // Another client asking for it in INIT-REBOOT gets a NAK, broadcast.
    let steal = direct(MessageType::Request, 9, &[(50, &addr.octets())]);
    let (o, out) = lab.send(&steal, NOW + 1000);
    assert!(
        matches!(
            o,
            Outcome::Reply {
                to: Destination::Broadcast,
                ..
            }
        ),
        "{o:?}"
    );
    let nak = reply_of(&out);
    assert_eq!(nak.message_type(), Some(MessageType::Nak));
    assert_eq!(nak.yiaddr(), Ipv4Addr::UNSPECIFIED);
    assert_eq!(nak.option(code::LEASE_TIME).map(|v| v.len()), None);
    // Not authoritative: silence instead.
    let mut lab2 = Lab::new(vec![subnet(
        1,
        "198.51.100.0",
        ("198.51.100.10", "198.51.100.20"),
    )]);
    lab2.config.subnets[0].authoritative = false;
    dora(&lab2, 1);
    assert_eq!(
        lab2.send(&steal, NOW).0,
        Outcome::Silent(Silence::NotAuthoritative)
    );
}

#[test]
fn a_request_for_another_server_is_ignored() {
    let lab = Lab::new(vec![subnet(
        1,
        "198.51.100.0",
        ("198.51.100.10", "198.51.100.20"),
    )]);
    let other = [198, 51, 100, 2];
    let msg = direct(
        MessageType::Request,
        1,
        &[(50, &[198, 51, 100, 10]), (54, &other)],
    );
    assert_eq!(lab.send(&msg, NOW).0, Outcome::Silent(Silence::OtherServer));
    assert!(lab.leases.get(ip("198.51.100.10")).is_none());
}

#[test]
fn release_and_decline_change_the_lease_and_send_nothing() {
    let lab = Lab::new(vec![subnet(
        1,
        "198.51.100.0",
        ("198.51.100.10", "198.51.100.20"),
    )]);
    let a = dora(&lab, 1);
    let sid = SERVER.octets();
    let wrong_client = message(
        MessageType::Release,
        7,
        a,
        Ipv4Addr::UNSPECIFIED,
        &[(54, &sid)],
    );
    assert_eq!(
        lab.send(&wrong_client, NOW).0,
        Outcome::Silent(Silence::NoSuchLease)
    );
    let release = message(
        MessageType::Release,
        1,
        a,
        Ipv4Addr::UNSPECIFIED,
        &[(54, &sid)],
    );
    assert_eq!(lab.send(&release, NOW).0, Outcome::Silent(Silence::Done));
    assert!(lab
        .leases
        .get(a)
        .is_none_or(|l| l.state == LeaseState::Released));

    let b = dora(&lab, 2);
    let decline = direct(MessageType::Decline, 2, &[(50, &b.octets()), (54, &sid)]);
    assert_eq!(lab.send(&decline, NOW).0, Outcome::Silent(Silence::Done));
    let declined = lab.leases.get(b).unwrap();
    assert_eq!(
        (declined.state, declined.valid_lft),
        (LeaseState::Declined, 86400)
    );
    assert!(
        declined.hwaddr.is_empty(),
        "a declined lease forgets the client"
    );
    // The declined address is not offered during probation.
    let (_, out) = lab.send(
        &direct(MessageType::Discover, 3, &[(50, &b.octets())]),
        NOW + 10,
    );
    assert_ne!(reply_of(&out).yiaddr(), b);
}

#[test]
fn relayed_clients_get_their_subnet_and_the_relay_gets_the_reply() {
    let mut relayed = subnet(2, "203.0.113.0", ("203.0.113.10", "203.0.113.20"));
    relayed.relay = vec![ip("192.0.2.254")];
    let lab = Lab::new(vec![
        subnet(1, "198.51.100.0", ("198.51.100.10", "198.51.100.20")),
        relayed,
    ]);
    let rai: &[u8] = &[1, 4, b'p', b'o', b'r', b't', 2, 2, 0xab, 0xcd];
    // giaddr in the subnet itself.
    let msg = message(
        MessageType::Discover,
        1,
        Ipv4Addr::UNSPECIFIED,
        ip("203.0.113.1"),
        &[(82, rai)],
    );
    let (o, out) = lab.send(&msg, NOW);
    assert!(
        matches!(o, Outcome::Reply { to: Destination::Relay(g), .. } if g == ip("203.0.113.1")),
        "{o:?}"
    );
    let offer = reply_of(&out);
    assert_eq!(offer.yiaddr(), ip("203.0.113.10"));
    assert_eq!(offer.giaddr(), ip("203.0.113.1"));
    assert_eq!(
        offer.option(82).unwrap().contiguous(),
        Some(rai),
        "option 82 echoed"
    );
    assert_eq!(offer.options().last().unwrap().code, 82, "and last");
    // giaddr named in the subnet's relay list.
    let msg = message(
        MessageType::Discover,
        2,
        Ipv4Addr::UNSPECIFIED,
        ip("192.0.2.254"),
        &[],
    );
    let (_, out) = lab.send(&msg, NOW);
    assert_eq!(reply_of(&out).yiaddr(), ip("203.0.113.11"));
    // Option 118 beats giaddr.
    let msg = message(
        MessageType::Discover,
        3,
        Ipv4Addr::UNSPECIFIED,
        ip("203.0.113.1"),
        &[(118, &[198, 51, 100, 0])],
    );
    let (_, out) = lab.send(&msg, NOW);
    assert_eq!(reply_of(&out).yiaddr(), ip("198.51.100.10"));
    // A link no subnet serves.
    let msg = message(
        MessageType::Discover,
        4,
        Ipv4Addr::UNSPECIFIED,
        ip("10.9.9.9"),
        &[],
    );
    assert_eq!(lab.send(&msg, NOW).0, Outcome::Silent(Silence::NoSubnet));
}

#[test]
fn reservations_win_and_are_kept_from_others() {
    let mut s = subnet(1, "198.51.100.0", ("198.51.100.10", "198.51.100.11"));
    s.reservations.insert(
        HostId::HwAddress(&[2, 0, 0, 0, 0, 5]),
        Reservation4 {
            address: Some(ip("198.51.100.10")),
            boot_file_name: Some("/pxelinux.0".into()),
            next_server: Some(ip("198.51.100.69")),
            options: OptionSet::new(vec![opt(6, &[9, 9, 9, 9], false)]),
            ..Reservation4::default()
        },
    );
    let lab = Lab::new(vec![s]);
    assert_eq!(
        dora(&lab, 1),
        ip("198.51.100.11"),
        "the reserved address is skipped"
    );
    // The pool is now full for others.
    assert_eq!(
        lab.send(&direct(MessageType::Discover, 2, &[]), NOW).0,
        Outcome::Silent(Silence::NoAddress)
    );
    let (_, out) = lab.send(&direct(MessageType::Discover, 5, &[PRL]), NOW);
    let offer = reply_of(&out);
    assert_eq!(offer.yiaddr(), ip("198.51.100.10"));
    assert_eq!(offer.file(), Some(&b"/pxelinux.0"[..]));
    assert_eq!(offer.siaddr(), ip("198.51.100.69"));
    assert_eq!(
        offer.option(6).unwrap().contiguous(),
        Some(&[9u8, 9, 9, 9][..]),
        "host options first"
    );
}

#[test]
fn a_shared_network_serves_from_its_next_subnet() {
    let mut a = subnet(1, "198.51.100.0", ("198.51.100.10", "198.51.100.10"));
    let mut b = subnet(2, "203.0.113.0", ("203.0.113.10", "203.0.113.20"));
    a.shared_network = Some(0);
    b.shared_network = Some(0);
    let mut lab = Lab::new(vec![a, b]);
    lab.config.shared_networks = vec![vec![0, 1]];
    assert_eq!(dora(&lab, 1), ip("198.51.100.10"));
    assert_eq!(
        dora(&lab, 2),
        ip("203.0.113.10"),
        "first subnet full, sibling serves"
    );
}

#[test]
fn inform_gets_options_without_a_lease() {
    let lab = Lab::new(vec![subnet(
        1,
        "198.51.100.0",
        ("198.51.100.10", "198.51.100.20"),
    )]);
    let msg = message(
        MessageType::Inform,
        1,
        ip("198.51.100.77"),
        Ipv4Addr::UNSPECIFIED,
        &[PRL],
    );
    let (o, out) = lab.send(&msg, NOW);
    assert!(
        matches!(o, Outcome::Reply { to: Destination::Unicast(a), .. } if a == ip("198.51.100.77"))
    );
    let ack = reply_of(&out);
    assert_eq!(ack.message_type(), Some(MessageType::Ack));
    assert_eq!(ack.yiaddr(), Ipv4Addr::UNSPECIFIED);
    assert_eq!(ack.option(code::LEASE_TIME).map(|v| v.len()), None);
    assert_eq!(ack.option_ipv4(3), Some(ip("198.51.100.1")));
    assert_eq!(
        ack.option(1).map(|v| v.len()),
        None,
        "no subnet mask without a lease, as Kea"
    );
    assert!(lab.leases.is_empty());
    // Through a relay, still answered at ciaddr (RFC 2131 §4.3.5).
    let relayed = message(
        MessageType::Inform,
        1,
        ip("198.51.100.77"),
        ip("198.51.100.254"),
        &[PRL],
    );
    let (o, _) = lab.send(&relayed, NOW);
    assert!(
        matches!(o, Outcome::Reply { to: Destination::Unicast(a), .. } if a == ip("198.51.100.77")),
        "{o:?}"
    );
}

#[test]
fn statistics_count_assignments_and_failures_per_subnet_and_pool() {
    let lab = Lab::new(vec![subnet(
        1,
        "198.51.100.0",
        ("198.51.100.10", "198.51.100.10"),
    )]);
    dora(&lab, 1);
    let (o, _) = lab.send(&direct(MessageType::Discover, 2, &[PRL]), NOW);
    assert_eq!(o, Outcome::Silent(Silence::NoAddress));
    let subnet = lab.stats.scopes.subnet(0);
    assert_eq!(subnet[ScopeStat::CumulativeAssigned as usize], 1);
    assert_eq!(
        lab.stats.scopes.pool(0, 0)[ScopeStat::CumulativeAssigned as usize],
        1
    );
    assert_eq!(subnet[ScopeStat::AllocationFail as usize], 1);
    assert_eq!(subnet[ScopeStat::AllocationFailSubnet as usize], 1);
    assert_eq!(subnet[ScopeStat::AllocationFailSharedNetwork as usize], 0);
    let p = lab.stats.packets.values();
    assert_eq!(p[Stat4::DiscoverReceived as usize], 2);
    assert_eq!(p[Stat4::OfferSent as usize], 1);
    assert_eq!(p[Stat4::AckSent as usize], 1);
    assert_eq!(p[Stat4::ReceiveDrop as usize], 1);
}

#[test]
fn under_overload_discovers_are_shed_and_counted_and_requests_go_on() {
    let lab = Lab::new(vec![subnet(
        1,
        "198.51.100.0",
        ("198.51.100.10", "198.51.100.20"),
    )]);
    let engine = Engine4 {
        config: &lab.config,
        leases: &lab.leases,
        stats: Some(&lab.stats),
        events: None,
    };
    assert!(engine.shed(&direct(MessageType::Discover, 1, &[PRL])));
    let request = direct(MessageType::Request, 1, &[(50, &[198, 51, 100, 10]), PRL]);
    assert!(!engine.shed(&request));
    assert!(!engine.shed(&[0u8; 100]), "not a DHCP message");
    let p = lab.stats.packets.values();
    assert_eq!(p[Stat4::Received as usize], 1);
    assert_eq!(p[Stat4::DiscoverReceived as usize], 1);
    assert_eq!(p[Stat4::ReceiveDrop as usize], 1);
    assert_eq!(p[Stat4::RequestReceived as usize], 0, "left to the engine");
}

#[test]
fn lease_changes_are_reported_as_events() {
    let lab = Lab::new(vec![subnet(
        1,
        "198.51.100.0",
        ("198.51.100.10", "198.51.100.20"),
    )]);
    let a = dora(&lab, 1);
    let renew = message(MessageType::Request, 1, a, Ipv4Addr::UNSPECIFIED, &[]);
    lab.send(&renew, NOW + 10);
    let steal = direct(MessageType::Request, 9, &[(50, &a.octets())]);
    lab.send(&steal, NOW + 10);
    let sid = SERVER.octets();
    let release = message(
        MessageType::Release,
        1,
        a,
        Ipv4Addr::UNSPECIFIED,
        &[(54, &sid)],
    );
    lab.send(&release, NOW + 20);
    let b = dora(&lab, 2);
    let decline = direct(MessageType::Decline, 2, &[(50, &b.octets()), (54, &sid)]);
    lab.send(&decline, NOW + 30);
    let seen: Vec<(LeaseEventKind, Ipv4Addr, u32, u8)> = lab
        .events
        .v4()
        .iter()
        .map(|e| {
            assert_eq!(e.xid, 0x1000 + u32::from(e.hw.as_bytes()[5]));
            (e.kind, e.addr, e.lifetime, e.hw.as_bytes()[5])
        })
        .collect();
    use LeaseEventKind::*;
    assert_eq!(
        seen,
        [
            (Offer, a, 4000, 1),
            (Allocate, a, 4000, 1),
            (Renew, a, 4000, 1),
            (InitReboot, a, 0, 9),
            (Nak, a, 0, 9),
            (Release, a, 0, 1),
            (Offer, b, 4000, 2),
            (Allocate, b, 4000, 2),
            (Decline, b, 86400, 2),
        ]
    );
}
