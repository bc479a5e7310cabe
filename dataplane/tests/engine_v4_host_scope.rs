//! Which reservations a DHCPv4 subnet consults (`reservations-global`,
//! `reservations-in-subnet`, `reservations-out-of-pool`) in each of their
//! combinations, and how a DHCPREQUEST is answered in each client state
//! with `authoritative` on and off — Kea 2.2's rules, as the side-by-side
//! tests against kea-dhcp4 found them.

mod common;

use std::net::Ipv4Addr;

use common::engine4::*;

use xdhcp_dataplane::config::v4::HostId;
use xdhcp_dataplane::config::{HostScope, Reservation4, Subnet4};
use xdhcp_dataplane::engine::v4::{Outcome, Silence};
use xdhcp_dataplane::stats::Stat4;
use xdhcp_dataplane::wire::v4::{MessageType, Packet4};

const NET: &str = "198.51.100.0";

/// A reservation of `addr` for the client with MAC suffix `mac`.
fn reserve(r: &mut xdhcp_dataplane::config::v4::Reservations4, mac: u8, addr: &str) {
    let host = Reservation4 {
        address: Some(ip(addr)),
        ..Reservation4::default()
    };
    r.insert(HostId::HwAddress(&[2, 0, 0, 0, 0, mac]), host);
}

/// Pool .10 - .20; client 1 reserved .15 (in the pool) and client 2 .50
/// (outside) in the subnet; globally client 3 .60, client 4 .61 (which
/// also has .51 in the subnet) and client 5 .17 (in the pool).
fn lab(scope: HostScope) -> Lab {
    let mut s: Subnet4 = subnet(1, NET, ("198.51.100.10", "198.51.100.20"));
    s.host_scope = scope;
    reserve(&mut s.reservations, 1, "198.51.100.15");
    reserve(&mut s.reservations, 2, "198.51.100.50");
    reserve(&mut s.reservations, 4, "198.51.100.51");
    let mut lab = Lab::new(vec![s]);
    let global = &mut lab.config.global_reservations;
    reserve(global, 3, "198.51.100.60");
    reserve(global, 4, "198.51.100.61");
    reserve(global, 5, "198.51.100.17");
    lab
}

fn scope(global: bool, in_subnet: bool, out_of_pool: bool) -> HostScope {
    HostScope {
        global,
        in_subnet,
        out_of_pool,
    }
}

/// The last octet of what a DISCOVER from `mac` is offered.
fn offer(lab: &Lab, mac: u8) -> u8 {
    let (o, out) = lab.send(&direct(MessageType::Discover, mac, &[PRL]), NOW);
    assert!(matches!(o, Outcome::Reply { .. }), "{o:?}");
    reply_of(&out).yiaddr().octets()[3]
}

/// 'O'ffer, 'A'ck, 'N'ak or '-' (silence) for an outcome.
fn letter(o: Outcome, out: &[u8]) -> char {
    match o {
        Outcome::Reply { .. } => match Packet4::parse(out).unwrap().message_type() {
            Some(MessageType::Offer) => 'O',
            Some(MessageType::Ack) => 'A',
            Some(MessageType::Nak) => 'N',
            _ => '?',
        },
        Outcome::Silent(_) => '-',
    }
}

/// A SELECTING REQUEST from `mac` for `.d`.
fn selecting(lab: &Lab, mac: u8, d: u8) -> char {
    let sid = SERVER.octets();
    let msg = direct(
        MessageType::Request,
        mac,
        &[(50, &[198, 51, 100, d]), (54, &sid)],
    );
    let (o, out) = lab.send(&msg, NOW);
    letter(o, &out)
}

#[test]
fn each_combination_of_flags_decides_which_reservation_is_offered() {
    // (global, in-subnet, out-of-pool) and the offers to clients 1 to 4;
    // a client without a usable reservation gets the pool's next address.
    let table = [
        ((false, true, false), [15, 50, 10, 51]),  // Kea's defaults
        ((true, true, false), [15, 50, 60, 51]),   // the subnet's wins
        ((true, false, false), [10, 11, 60, 61]),  // reservation-mode global
        ((false, false, false), [10, 11, 12, 13]), // disabled
        ((false, true, true), [10, 50, 11, 51]),   // in-pool reservation void
        ((true, true, true), [10, 50, 60, 51]),
        ((true, false, true), [10, 11, 60, 61]),
        ((false, false, true), [10, 11, 12, 13]),
    ];
    for ((g, s, o), want) in table {
        let lab = lab(scope(g, s, o));
        let got: Vec<u8> = (1..=4).map(|mac| offer(&lab, mac)).collect();
        assert_eq!(got, want, "global {g}, in-subnet {s}, out-of-pool {o}");
    }
}

#[test]
fn another_client_is_refused_only_what_the_subnet_checks() {
    // (global, in-subnet, out-of-pool), then what client 9 gets asking for
    // the in-pool .15, the out-of-pool .50 (both reserved in the subnet)
    // and the globally reserved, in-pool .17. Global reservations never
    // keep an address from others; an address in no pool and reserved for
    // nobody the subnet knows of is not this server's to refuse.
    let table = [
        ((false, true, false), "NNA"),
        ((true, true, false), "NNA"),
        ((true, false, false), "A-A"),
        ((false, false, false), "A-A"),
        // Out of pool: in-pool addresses are not checked at all.
        ((false, true, true), "ANA"),
        ((true, true, true), "ANA"),
    ];
    for ((g, s, o), want) in table {
        let lab = lab(scope(g, s, o));
        let got: String = [15, 50, 17].map(|d| selecting(&lab, 9, d)).iter().collect();
        assert_eq!(got, want, "global {g}, in-subnet {s}, out-of-pool {o}");
    }
}

#[test]
fn out_of_pool_lets_dynamic_allocation_take_reserved_in_pool_addresses() {
    // Client 1's reservation is the pool's first address.
    let build = |out_of_pool| {
        let mut s = subnet(1, NET, ("198.51.100.10", "198.51.100.20"));
        s.host_scope.out_of_pool = out_of_pool;
        reserve(&mut s.reservations, 1, "198.51.100.10");
        Lab::new(vec![s])
    };
    assert_eq!(offer(&build(false), 9), 11, "checked: skipped");
    assert_eq!(offer(&build(true), 9), 10, "not checked: handed out");
}

#[test]
fn a_reserved_client_asking_for_another_address_is_sent_back_to_discover() {
    let lab = lab(HostScope::default());
    // Its reserved .15 is free: the pool address it asks for is refused.
    assert_eq!(selecting(&lab, 1, 12), 'N');
    assert_eq!(selecting(&lab, 1, 15), 'A');
}

/// What each REQUEST of a script gets, in the order of `requests`, with
/// the subnet `authoritative` or not. Client 1 holds .10 first.
fn answers(authoritative: bool) -> String {
    let mut s = subnet(1, NET, ("198.51.100.10", "198.51.100.20"));
    s.authoritative = authoritative;
    let lab = Lab::new(vec![s]);
    assert_eq!(dora(&lab, 1), ip("198.51.100.10"));
    let sid = SERVER.octets();
    let any = Ipv4Addr::UNSPECIFIED;
    let at = |d: u8| Ipv4Addr::new(198, 51, 100, d);
    let outside = Ipv4Addr::new(10, 9, 9, 9);
    // (client, ciaddr, option 50, server identifier, sent to broadcast)
    let requests = [
        // SELECTING: option 50 and our server identifier.
        (2, any, Some(at(10)), true, true),
        (2, any, Some(at(40)), true, true),
        (2, any, Some(outside), true, true),
        // INIT-REBOOT: option 50, no server identifier.
        (3, any, Some(at(11)), false, true),
        (3, any, Some(outside), false, true),
        (1, any, Some(at(12)), false, true),
        (1, any, Some(outside), false, true),
        (1, any, Some(at(10)), false, true),
        // RENEWING: ciaddr, unicast.
        (4, at(10), None, false, false),
        (4, at(13), None, false, false),
        (4, at(41), None, false, false),
        (4, outside, None, false, false),
        (1, at(10), None, false, false),
        // REBINDING: ciaddr, broadcast.
        (5, at(10), None, false, true),
        (5, at(14), None, false, true),
        (5, at(42), None, false, true),
        (5, outside, None, false, true),
        (1, at(10), None, false, true),
    ];
    requests
        .into_iter()
        .map(|(mac, ciaddr, asked, server_id, broadcast)| {
            let asked = asked.map(|a| a.octets());
            let mut opts: Vec<(u8, &[u8])> = Vec::new();
            if let Some(a) = &asked {
                opts.push((50, a));
            }
            if server_id {
                opts.push((54, &sid));
            }
            let msg = message(MessageType::Request, mac, ciaddr, any, &opts);
            let (o, out) = lab.send_as(&msg, NOW, broadcast);
            letter(o, &out)
        })
        .collect()
}

#[test]
fn requests_are_refused_or_ignored_in_every_state_as_kea_does() {
    // SELECTING: another's address NAKed; outside the pools or the subnet
    // ignored. INIT-REBOOT: an unknown client ignored unless
    // authoritative; a known one NAKed for any address but its own.
    // RENEWING and REBINDING: another's address NAKed, a free one in the
    // pool granted, one in no pool ignored.
    assert_eq!(answers(false), ["N--", "--NNA", "NA--A", "NA--A"].concat());
    assert_eq!(answers(true), ["N--", "NNNNA", "NA--A", "NA--A"].concat());
}

#[test]
fn silence_says_why_and_is_no_drop() {
    let mut s = subnet(1, NET, ("198.51.100.10", "198.51.100.20"));
    s.authoritative = false;
    let lab = Lab::new(vec![s]);
    let sid = SERVER.octets();
    let unknown = direct(
        MessageType::Request,
        2,
        &[(50, &[198, 51, 100, 40]), (54, &sid)],
    );
    assert_eq!(
        lab.send(&unknown, NOW).0,
        Outcome::Silent(Silence::UnknownAddress)
    );
    let init_reboot = direct(MessageType::Request, 2, &[(50, &[198, 51, 100, 11])]);
    assert_eq!(
        lab.send(&init_reboot, NOW).0,
        Outcome::Silent(Silence::NotAuthoritative)
    );
    // Processed, not dropped: Kea leaves pkt4-receive-drop alone.
    let drops = lab.stats.packets.values()[Stat4::ReceiveDrop as usize];
    assert_eq!(drops, 0, "pkt4-receive-drop");
}
