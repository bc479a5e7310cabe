//! Side by side with real Kea 2.2 (`kea-dhcp6`): the order in which free
//! addresses and delegated prefixes are handed out. Clients take leases
//! one after another (SOLICIT, then a REQUEST for what was advertised)
//! from a subnet of small pools, one of them guarded by a class only some
//! clients are in; from a subnet whose allocator starts at the pool
//! holding its last address; from small pd-pools (with address pools
//! beside them: each kind keeps its own walk); and from a shared network
//! of three subnets listed out of their id order. Both servers must give
//! the same addresses and prefixes in the same order, run out at the same
//! client, and go back to released ones alike. Needs root and Kea
//! (tools/install-deps.sh); it fails, not skips, without them.

use std::net::Ipv6Addr;

use xdhcp_dataplane::wire::v6::MessageType;

mod common;
use common::relay6::{self, exchange, relayed, relayed_iaids, Ia, Seen, Step, RELAY};
use common::side_by_side::{self, fixed, POOL_TURNS, TURNS_AFTER_RELEASES, V6};

/// Clients whose DUID has 1 in its sixth byte are `vip`.
const VIP_CLASS: &str = r#"{ "name": "vip", "test": "substring(option[1].hex,5,1) == 0x01" }"#;

/// Address `host` of subnet `s` (2001:db8:s::/64).
const fn at(s: u16, host: u16) -> Ipv6Addr {
    Ipv6Addr::new(0x2001, 0xdb8, s, 0, 0, 0, 0, host)
}

/// A `Dhcp6` section with the `vip` class and `body` added.
fn dhcp6(iface: &str, socket: &str, body: &str) -> String {
    let body = format!(
        r#""client-classes": [ {VIP_CLASS} ],
  {body}"#
    );
    relay6::dhcp6(iface, socket, &body)
}

/// Subnet 1: two open pools of two addresses with a `vip` pool between
/// them. Subnet 2: a /120 whose last address lies in its second pool,
/// where Kea's allocator starts. Subnet 3: an address pool and two
/// pd-pools of two /64s each with a `vip` pd-pool between them. Pools
/// are listed out of address order: Kea walks them sorted.
fn pools_config(iface: &str, socket: &str) -> String {
    let body = r#""subnet6": [ {
    "id": 1, "subnet": "2001:db8:1::/64",
    "pools": [ { "pool": "2001:db8:1::30 - 2001:db8:1::31" },
               { "pool": "2001:db8:1::10 - 2001:db8:1::11" },
               { "pool": "2001:db8:1::20 - 2001:db8:1::21", "client-class": "vip" } ]
  }, {
    "id": 2, "subnet": "2001:db8:2::/120",
    "pools": [ { "pool": "2001:db8:2::2 - 2001:db8:2::3" },
               { "pool": "2001:db8:2::fe - 2001:db8:2::ff" } ]
  }, {
    "id": 3, "subnet": "2001:db8:3::/64",
    "pools": [ { "pool": "2001:db8:3::10 - 2001:db8:3::12" } ],
    "pd-pools": [ { "prefix": "2001:db8:3c00::", "prefix-len": 63, "delegated-len": 64 },
                  { "prefix": "2001:db8:3a00::", "prefix-len": 63, "delegated-len": 64 },
                  { "prefix": "2001:db8:3b00::", "prefix-len": 63, "delegated-len": 64,
                    "client-class": "vip" } ]
  } ]"#;
    dhcp6(iface, socket, body)
}

/// A member of the shared network: subnet `id` (2001:db8:<id in hex>::/64)
/// with addresses ::10 to `last` and a pd-pool of two /64s.
fn member(id: u16, guard: &str, last: u16) -> String {
    format!(
        r#"{{ "id": {id}, "subnet": "2001:db8:{id:x}::/64", {guard}
      "pools": [ {{ "pool": "2001:db8:{id:x}::10 - 2001:db8:{id:x}::{last:x}" }} ],
      "pd-pools": [ {{ "prefix": "2001:db8:{id:x}00::", "prefix-len": 63, "delegated-len": 64 }} ] }}"#
    )
}

/// A `Dhcp6` section with a shared network of `members` behind the relay.
fn shared_network(iface: &str, socket: &str, members: &[String]) -> String {
    let body = format!(
        r#""shared-networks": [ {{
    "name": "net", "relay": {{ "ip-addresses": [ "{RELAY}" ] }},
    "subnet6": [ {} ]
  }} ]"#,
        members.join(", ")
    );
    dhcp6(iface, socket, &body)
}

/// A shared network whose subnets are listed as ids 0x30, 0x10, 0x20;
/// 0x20 serves `vip` clients only. Each has two addresses and two /64s.
fn network_config(iface: &str, socket: &str) -> String {
    let vip = r#""client-class": "vip","#;
    let members = [
        member(0x30, "", 0x11),
        member(0x10, "", 0x11),
        member(0x20, vip, 0x11),
    ];
    shared_network(iface, socket, &members)
}

/// A shared network of subnets 0x30 (two addresses) and 0x10 (one).
fn carry_config(iface: &str, socket: &str) -> String {
    shared_network(
        iface,
        socket,
        &[member(0x30, "", 0x11), member(0x10, "", 0x10)],
    )
}

/// Who takes leases: client number, in the `vip` class, the link its
/// relay is on, whether it asks for an address and for a prefix.
#[derive(Clone, Copy)]
struct Taker {
    n: u8,
    vip: bool,
    link: Ipv6Addr,
    na: bool,
    pd: bool,
}

impl Taker {
    fn duid(self) -> Vec<u8> {
        vec![0, 3, 0, 1, 2, u8::from(self.vip), 0, 0, 0xbb, self.n]
    }

    fn name(self) -> String {
        let kind = if self.vip { "vip" } else { "plain" };
        format!("client {} ({kind})", self.n)
    }

    /// Its IAs, with the bindings `bound` (one per IA) as hints.
    fn ias(self, bound: &[Option<(Ipv6Addr, u8)>]) -> Vec<Ia> {
        let hint = |k: usize| bound.get(k).copied().flatten();
        let mut ias = Vec::new();
        if self.na {
            ias.push(Ia::Na(hint(0).map(|(a, _)| a)));
        }
        if self.pd {
            ias.push(Ia::Pd(hint(ias.len())));
        }
        ias
    }

    fn send(self, kind: MessageType, ias: &[Ia]) -> Vec<u8> {
        relayed(kind, &self.duid(), self.link, ias)
    }

    /// SOLICIT, then a REQUEST for whatever was advertised.
    fn takes(self) -> Vec<(String, Step)> {
        let request: Step = Box::new(move |advertise: Option<&Seen>| {
            let bound = advertise.map(Seen::bound).unwrap_or_default();
            self.send(MessageType::Request, &self.ias(&bound))
        });
        let solicit = self.send(MessageType::Solicit, &self.ias(&[]));
        vec![
            (format!("{} SOLICIT", self.name()), fixed(solicit)),
            (format!("{} REQUEST", self.name()), request),
        ]
    }

    /// Gives `ia` back: its address, or its prefix (under the IAID its
    /// IA_PD had).
    fn releases(self, ia: Ia) -> (String, Step) {
        let iaid = match ia {
            Ia::Pd(_) if self.na => 2,
            _ => 1,
        };
        let msg = relayed_iaids(
            MessageType::Release,
            &self.duid(),
            self.link,
            &[(iaid, ia)],
            &[],
        );
        (format!("client {} RELEASE {ia:?}", self.n), fixed(msg))
    }
}

/// Client `n`, of the `vip` class or not, asking for an address on the
/// link of subnet 1.
fn client(n: u8, vip: bool) -> Taker {
    let link = at(1, 1);
    let (na, pd) = (true, false);
    Taker {
        n,
        vip,
        link,
        na,
        pd,
    }
}

fn plain(n: u8) -> Taker {
    client(n, false)
}

fn vip(n: u8) -> Taker {
    client(n, true)
}

/// `t` on the link of subnet `s`.
fn on(t: Taker, s: u16) -> Taker {
    Taker {
        link: at(s, 1),
        ..t
    }
}

/// `t` asking for an address and a prefix.
fn both(t: Taker) -> Taker {
    Taker { pd: true, ..t }
}

/// `t` asking for a prefix only.
fn prefixes_only(t: Taker) -> Taker {
    Taker {
        na: false,
        pd: true,
        ..t
    }
}

/// `t` behind the shared network's relay (no subnet holds its address).
fn relayed_by_network(t: Taker) -> Taker {
    Taker { link: RELAY, ..t }
}

/// Leases taken in turn by `takers`.
fn in_turn(takers: &[Taker]) -> Vec<(String, Step)> {
    takers.iter().flat_map(|t| t.takes()).collect()
}

/// Plain and vip clients in turn until both kinds run out, a release in
/// each open pool and in the vip pool and more clients after them; then
/// the /120 whose allocator starts in its last pool; then addresses and
/// prefixes together from subnet 3, until both run out, with releases.
fn pools_script() -> Vec<(String, Step)> {
    let mut s = in_turn(&POOL_TURNS.map(|(n, vip)| client(n, vip)));
    s.push(plain(1).releases(Ia::Na(Some(at(1, 0x10)))));
    s.push(vip(3).releases(Ia::Na(Some(at(1, 0x20)))));
    s.push(plain(4).releases(Ia::Na(Some(at(1, 0x30)))));
    s.extend(in_turn(
        &TURNS_AFTER_RELEASES.map(|(n, vip)| client(n, vip)),
    ));
    // Five clients for the four addresses of the /120.
    let small: Vec<Taker> = (20..25).map(|n| on(plain(n), 2)).collect();
    s.extend(in_turn(&small));
    let pd = |t: Taker| both(on(t, 3));
    s.extend(in_turn(&[
        pd(plain(30)),
        pd(vip(31)),
        pd(plain(32)),
        pd(vip(33)),
        pd(plain(34)),
        pd(vip(35)),
        pd(plain(36)),
    ]));
    s.push(pd(plain(30)).releases(Ia::Pd(prefix(0x3a00, 0))));
    s.push(pd(vip(35)).releases(Ia::Pd(prefix(0x3b00, 0))));
    s.push(pd(plain(30)).releases(Ia::Na(Some(at(3, 0x10)))));
    s.extend(in_turn(&[pd(vip(37)), pd(plain(38)), pd(vip(39))]));
    s
}

/// Clients of the shared network in turn: behind the relay (subnet 0x10,
/// the lowest id, is selected) or on a subnet's link. Kea stamps a subnet
/// with the time (in microseconds) at each address it proposes there and
/// starts from the subnet of the selected one's class guard stamped after
/// it; two subnets one walk passes through may get the same stamp, so the
/// script only asks where that cannot decide the address.
fn network_script() -> Vec<(String, Step)> {
    let net = relayed_by_network;
    let mut s = in_turn(&[
        net(plain(1)),
        // 0x10 allocated after 0x30 (which never did): it goes first.
        on(plain(2), 0x30),
        // 0x10 is full: then 0x20, the next id, for vip clients only...
        on(vip(3), 0x30),
        // ... and 0x30 for the others.
        net(plain(4)),
        on(vip(5), 0x20),
        on(vip(6), 0x20),
    ]);
    s.push(net(plain(1)).releases(Ia::Na(Some(at(0x10, 0x10)))));
    s.push(net(plain(4)).releases(Ia::Na(Some(at(0x30, 0x10)))));
    // 0x30 allocated last: it goes first, and 0x10 after it.
    s.extend(in_turn(&[on(plain(7), 0x30), net(plain(8)), net(vip(9))]));
    // Prefixes keep their own walk and stamps: the first prefix comes
    // from the selected subnet (0x10), the next from 0x10 again, which
    // allocated a prefix after 0x30.
    let pd = prefixes_only;
    s.extend(in_turn(&[pd(net(plain(10))), pd(on(plain(11), 0x30))]));
    s
}

/// Clients asking for an address and a prefix in one message: the
/// prefix comes from the subnet the address went to (0x30 once 0x10, the
/// selected one, is full), as Kea's allocation engine keeps that subnet
/// for the next IA; when no address is left, from where the address walk
/// started.
fn carry_script() -> Vec<(String, Step)> {
    let net = relayed_by_network;
    in_turn(&[
        net(plain(1)),
        both(net(plain(2))),
        both(net(plain(3))),
        both(net(plain(4))),
    ])
}

/// Runs both servers and fails on any step where they differ; Kea's
/// bindings are printed to show what was compared.
fn same_bindings(
    tag: &str,
    config: fn(&str, &str) -> String,
    script: fn() -> Vec<(String, Step)>,
) -> Vec<(String, Option<Seen>)> {
    let (d, kea, _) =
        side_by_side::differences(tag, &V6, config, |lab| exchange(lab, script()), &[]);
    for (name, seen) in &kea {
        println!("{name}: {:?}", seen.as_ref().map(|s| (s.kind, s.bound())));
    }
    assert!(d.is_empty(), "{}", d.join("\n"));
    kea
}

/// What Kea bound at the step named `step`, one entry per IA.
fn kea_bound(kea: &[(String, Option<Seen>)], step: &str) -> Vec<Option<(Ipv6Addr, u8)>> {
    let (_, seen) = kea.iter().find(|(n, _)| n == step).expect(step);
    seen.as_ref().map(Seen::bound).unwrap_or_default()
}

fn address(a: Ipv6Addr) -> Option<(Ipv6Addr, u8)> {
    Some((a, 128))
}

/// The delegated /64 `2001:db8:hi:lo::`.
fn prefix(hi: u16, lo: u16) -> Option<(Ipv6Addr, u8)> {
    Some((Ipv6Addr::new(0x2001, 0xdb8, hi, lo, 0, 0, 0, 0), 64))
}

#[test]
fn xdhcp_and_kea_6_take_pools_in_the_same_order() {
    let kea = same_bindings("p6", pools_config, pools_script);
    // The script means something; what Kea 2.2 did at a few steps.
    let kea_at = |step: &str| kea_bound(&kea, step);
    // Pools by address, though listed from ::30.
    assert_eq!(kea_at("client 1 (plain) SOLICIT"), [address(at(1, 0x10))]);
    assert_eq!(kea_at("client 7 (plain) SOLICIT"), [None]);
    // The /120 starts in the pool holding its last address.
    assert_eq!(kea_at("client 20 (plain) SOLICIT"), [address(at(2, 0xfe))]);
    // Addresses and prefixes each from their own first pool.
    assert_eq!(
        kea_at("client 30 (plain) SOLICIT"),
        [address(at(3, 0x10)), prefix(0x3a00, 0)]
    );
    assert_eq!(kea_at("client 35 (vip) SOLICIT"), [None, prefix(0x3b00, 0)]);
}

#[test]
fn xdhcp_and_kea_6_move_through_a_shared_network_alike() {
    let kea = same_bindings("n6", network_config, network_script);
    let kea_at = |step: &str| kea_bound(&kea, step);
    assert_eq!(kea_at("client 3 (vip) SOLICIT"), [address(at(0x20, 0x10))]);
    assert_eq!(
        kea_at("client 8 (plain) SOLICIT"),
        [address(at(0x10, 0x10))]
    );
    assert_eq!(kea_at("client 9 (vip) SOLICIT"), [None]);
    assert_eq!(kea_at("client 11 (plain) SOLICIT"), [prefix(0x1000, 1)]);
}

#[test]
fn xdhcp_and_kea_6_take_the_next_ia_from_the_subnet_at_hand() {
    let kea = same_bindings("c6", carry_config, carry_script);
    let kea_at = |step: &str| kea_bound(&kea, step);
    assert_eq!(
        kea_at("client 2 (plain) SOLICIT"),
        [address(at(0x30, 0x10)), prefix(0x3000, 0)]
    );
    assert_eq!(
        kea_at("client 4 (plain) SOLICIT"),
        [None, prefix(0x1000, 0)]
    );
}
