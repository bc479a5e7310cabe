//! Side by side with real Kea 2.2: the order in which free addresses are
//! handed out. Clients take leases one after another (DISCOVER, then a
//! REQUEST for the offered address) from a subnet of small pools, one of
//! them guarded by a class only some clients are in, and from a shared
//! network of three subnets listed out of their id order; both servers
//! must give the same addresses in the same order, run out at the same
//! client, and go back to released addresses alike. Needs root and Kea
//! (tools/install-deps.sh); it fails, not skips, without them.

use std::net::Ipv4Addr;

use xdhcp_dataplane::wire::v4::MessageType;

mod common;
use common::relay4::{differences_of_steps, message, Seen, Step, PRL, RELAY, SERVER};
use common::side_by_side::{fixed, POOL_TURNS, TURNS_AFTER_RELEASES};

/// The class of clients whose vendor class starts with `vip`.
const VIP_CLASS: &str = r#"{ "name": "vip", "test": "substring(option[60].hex,0,3) == 'vip'" }"#;

/// A `Dhcp4` section on the lab's interface with `body` added.
fn dhcp4(iface: &str, socket: &str, body: &str) -> String {
    format!(
        r#"{{ "Dhcp4": {{
  "interfaces-config": {{ "interfaces": [ "{iface}" ], "dhcp-socket-type": "{socket}" }},
  "lease-database": {{ "type": "memfile", "persist": false }},
  "valid-lifetime": 3600, "authoritative": true,
  "client-classes": [ {VIP_CLASS} ],
  {body}
}} }}"#
    )
}

/// Subnet 1 (behind the relay): two open pools of two addresses with a
/// `vip` pool between them (listed out of address order: Kea walks them
/// sorted). Subnet 2 (picked with option 118): a /28 whose last address
/// lies in its second pool, where Kea's allocator starts.
fn pools_config(iface: &str, socket: &str) -> String {
    let body = format!(
        r#""subnet4": [ {{
    "id": 1, "subnet": "203.0.113.0/24",
    "relay": {{ "ip-addresses": [ "{RELAY}" ] }},
    "pools": [ {{ "pool": "203.0.113.30 - 203.0.113.31" }},
               {{ "pool": "203.0.113.10 - 203.0.113.11" }},
               {{ "pool": "203.0.113.20 - 203.0.113.21", "client-class": "vip" }} ]
  }}, {{
    "id": 2, "subnet": "203.0.114.0/28",
    "pools": [ {{ "pool": "203.0.114.2 - 203.0.114.3" }},
               {{ "pool": "203.0.114.14 - 203.0.114.15" }} ]
  }} ]"#
    );
    dhcp4(iface, socket, &body)
}

/// A shared network behind the relay whose subnets are listed as ids 30,
/// 10, 20; 20 serves `vip` clients only.
fn network_config(iface: &str, socket: &str) -> String {
    let subnet = |id: u8, guard: &str| {
        format!(
            r#"{{ "id": {id}, "subnet": "10.0.{id}.0/24", {guard}
      "pools": [ {{ "pool": "10.0.{id}.10 - 10.0.{id}.11" }} ] }}"#
        )
    };
    let body = format!(
        r#""shared-networks": [ {{
    "name": "net", "relay": {{ "ip-addresses": [ "{RELAY}" ] }},
    "subnet4": [ {}, {}, {} ]
  }} ]"#,
        subnet(30, ""),
        subnet(10, ""),
        subnet(20, r#""client-class": "vip","#),
    );
    dhcp4(iface, socket, &body)
}

/// Who takes a lease: MAC suffix, in the `vip` class, the link option
/// 118 names (none: the relay's).
#[derive(Clone, Copy)]
struct Taker {
    mac: u8,
    vip: bool,
    link: Option<[u8; 4]>,
}

impl Taker {
    fn options(self) -> Vec<(u8, Vec<u8>)> {
        let mut out = vec![(PRL.0, PRL.1.to_vec())];
        if self.vip {
            out.push((60, b"vip-phone".to_vec()));
        }
        if let Some(link) = self.link {
            out.push((118, link.to_vec()));
        }
        out
    }

    fn send(self, kind: MessageType, ciaddr: Ipv4Addr, extra: &[(u8, Vec<u8>)]) -> Vec<u8> {
        let mut all = self.options();
        all.extend(extra.iter().cloned());
        let borrowed: Vec<(u8, &[u8])> = all.iter().map(|(c, d)| (*c, &d[..])).collect();
        message(kind, self.mac, ciaddr, &borrowed)
    }

    /// DISCOVER, then a REQUEST for whatever was offered.
    fn takes(self) -> Vec<(String, Step)> {
        let any = Ipv4Addr::UNSPECIFIED;
        let request: Step = Box::new(move |offer: Option<&Seen>| {
            let offered = offer.map_or(any, |o| o.yiaddr).octets().to_vec();
            let sid = SERVER.octets().to_vec();
            self.send(MessageType::Request, any, &[(50, offered), (54, sid)])
        });
        let who = format!(
            "client {} ({})",
            self.mac,
            if self.vip { "vip" } else { "plain" }
        );
        vec![
            (
                format!("{who} DISCOVER"),
                fixed(self.send(MessageType::Discover, any, &[])),
            ),
            (format!("{who} REQUEST"), request),
        ]
    }

    /// Gives `addr` back.
    fn releases(self, addr: [u8; 4]) -> (String, Step) {
        let sid = SERVER.octets().to_vec();
        let msg = self.send(MessageType::Release, addr.into(), &[(54, sid)]);
        (format!("client {} RELEASE {addr:?}", self.mac), fixed(msg))
    }
}

fn plain(mac: u8) -> Taker {
    Taker {
        mac,
        vip: false,
        link: None,
    }
}

fn vip(mac: u8) -> Taker {
    Taker {
        vip: true,
        ..plain(mac)
    }
}

/// Leases taken in turn by `takers`.
fn in_turn(takers: &[Taker]) -> Vec<(String, Step)> {
    takers.iter().flat_map(|t| t.takes()).collect()
}

/// Plain and vip clients in turn until both kinds run out, a release in
/// each open pool and in the vip pool and more clients after them; then
/// the /28 whose allocator starts in its last pool.
fn pools_script() -> Vec<(String, Step)> {
    let mut s = in_turn(&POOL_TURNS.map(|(mac, vip)| Taker { vip, ..plain(mac) }));
    s.push(plain(1).releases([203, 0, 113, 10]));
    s.push(vip(3).releases([203, 0, 113, 20]));
    s.push(plain(4).releases([203, 0, 113, 30]));
    s.extend(in_turn(
        &TURNS_AFTER_RELEASES.map(|(mac, vip)| Taker { vip, ..plain(mac) }),
    ));
    let small = |mac| Taker {
        link: Some([203, 0, 114, 1]),
        ..plain(mac)
    };
    s.extend(in_turn(&[
        small(20),
        small(21),
        small(22),
        small(23),
        small(24),
    ]));
    s
}

/// Clients of the shared network in turn: behind the relay (subnet 10,
/// the lowest id, is selected) or on a subnet's link by option 118.
/// Kea stamps a subnet with the time (in microseconds) at each address it
/// proposes there and starts from the subnet of the selected one's class
/// guard stamped after it; two subnets one walk passes through may get
/// the same stamp, so the script only asks where that cannot decide the
/// address.
fn network_script() -> Vec<(String, Step)> {
    let on = |t: Taker, id: u8| Taker {
        link: Some([10, 0, id, 1]),
        ..t
    };
    let mut s = in_turn(&[
        plain(1),
        // Subnet 10 allocated after 30 (which never did): it goes first.
        on(plain(2), 30),
        // 10 is full: then 20, the next id, for vip clients only...
        on(vip(3), 30),
        // ... and 30 for the others.
        plain(4),
        on(vip(5), 20),
        on(vip(6), 20),
    ]);
    s.push(plain(1).releases([10, 0, 10, 10]));
    s.push(plain(4).releases([10, 0, 30, 10]));
    // 30 allocated last: it goes first, and 10 after it.
    s.extend(in_turn(&[on(plain(7), 30), plain(8), vip(9)]));
    s
}

/// Runs both servers and fails on any step where they differ; Kea's
/// addresses are printed to show what was compared.
fn same_addresses(
    tag: &str,
    config: fn(&str, &str) -> String,
    script: fn() -> Vec<(String, Step)>,
) {
    let (d, kea, _) = differences_of_steps(tag, config, script, &[]);
    for (name, seen) in &kea {
        println!("{name}: {:?}", seen.as_ref().map(|s| (s.kind, s.yiaddr)));
    }
    assert!(d.is_empty(), "{}", d.join("\n"));
    // The script means something: Kea gave addresses and ran out.
    let given = kea.iter().filter(|(_, s)| s.is_some()).count();
    assert!(given > kea.len() / 2, "Kea answered too little: {kea:?}");
}

#[test]
fn xdhcp_and_kea_take_pools_in_the_same_order() {
    same_addresses("p", pools_config, pools_script);
}

#[test]
fn xdhcp_and_kea_move_through_a_shared_network_alike() {
    same_addresses("n", network_config, network_script);
}
