//! DHCPv6 client classification rule by rule, on the engine with compiled
//! Kea configurations (Kea 2.2's behaviour, checked side by side in
//! `kea_side_by_side_v6.rs`): class-guarded pools, pd-pools and subnets,
//! subnet selection in shared networks, required classes at every level
//! and in both spellings, option and lifetime precedence, reservation
//! classes, KNOWN/UNKNOWN pool guards and DROP.

use std::net::Ipv6Addr;

use xdhcp_controlplane::compile::compile;
use xdhcp_dataplane::config::Config6;
use xdhcp_dataplane::engine::v6::{Request6, Silence};
use xdhcp_dataplane::lease::{Lease6, LeaseStore, StoreConfig};
use xdhcp_dataplane::wire::v6::{status, Packet6};

mod common;
use common::v6msg::{ia_na, ia_pd, oro, relay_forw, tlv, vendor_class};

const NOW: u32 = 1_800_000_000;
/// A string option of the configurations: which scope or class won.
const MARKER: u16 = 60100;

fn ip(s: &str) -> Ipv6Addr {
    s.parse().unwrap()
}

/// A compiled `Dhcp6` section (`body` inside it, with the `marker` option
/// defined) and an empty lease store.
struct Server {
    config: Config6,
    leases: std::sync::Arc<LeaseStore<Lease6>>,
}

impl Server {
    fn new(body: &str) -> Server {
        let text = format!(
            r#"{{ "Dhcp6": {{
  "option-def": [ {{ "name": "marker", "code": {MARKER}, "type": "string" }} ],
  "preferred-lifetime": 3000, "valid-lifetime": 4000,
  {body} }} }}"#
        );
        let cfg = xdhcp_controlplane::load_str("classes6.json", &text)
            .unwrap_or_else(|e| panic!("{e:?}"));
        let config = compile(&cfg).config6().unwrap();
        let (leases, _) = LeaseStore::open(StoreConfig::memory(4, 256)).unwrap();
        Server { config, leases }
    }

    /// Sends `msg` relayed from the link `2001:db8:<link>::1`; the reply's
    /// client message, or why there was none.
    fn send(&self, link: &str, msg: &Msg) -> Result<Reply, Silence> {
        let relay = relay_forw(ip(link), ip("fe80::1"), &msg.bytes());
        let packet = Packet6::parse(&relay).unwrap();
        let req = Request6::multicast(packet, None, ip("2001:db8:ff::1"));
        common::engine6::answer(&self.config, &self.leases, &req, NOW).map(Reply)
    }
}

/// A client message: SOLICIT (or another type) from the DUID-LL whose
/// MAC is `02:<class>:00:00:00:<n>`, asking for options 23, 31 and the
/// marker.
#[derive(Clone)]
struct Msg {
    kind: u8,
    class: u8,
    n: u8,
    na: Option<Option<(Ipv6Addr, u32, u32)>>,
    pd: bool,
    rapid: bool,
    /// Sends a vendor class option.
    vendor: bool,
    /// The server a REQUEST or RENEW names.
    server: Vec<u8>,
}

fn solicit(class: u8, n: u8) -> Msg {
    Msg {
        kind: 1,
        class,
        n,
        na: Some(None),
        pd: false,
        rapid: false,
        vendor: false,
        server: Vec::new(),
    }
}

impl Msg {
    fn with_pd(mut self) -> Msg {
        self.pd = true;
        self
    }

    fn hinting(mut self, addr: &str, preferred: u32, valid: u32) -> Msg {
        self.na = Some(Some((ip(addr), preferred, valid)));
        self
    }

    fn committing(mut self) -> Msg {
        self.rapid = true;
        self
    }

    fn with_vendor_class(mut self) -> Msg {
        self.vendor = true;
        self
    }

    /// A RENEW of `addr` from server `server`.
    fn renewing(mut self, server: &[u8], addr: &str) -> Msg {
        self.kind = 5;
        self.server = server.to_vec();
        self.hinting(addr, 0, 0)
    }

    fn bytes(&self) -> Vec<u8> {
        let mut m = vec![self.kind, 0, self.class, self.n];
        m.extend(tlv(1, &[0, 3, 0, 1, 2, self.class, 0, 0, 0, self.n]));
        if !self.server.is_empty() {
            m.extend(tlv(2, &self.server));
        }
        if self.vendor {
            m.extend(vendor_class(b"phone"));
        }
        m.extend(oro(&[23, 31, MARKER]));
        if self.rapid {
            m.extend(tlv(14, &[]));
        }
        if let Some(hint) = self.na {
            m.extend(ia_na(1, hint));
        }
        if self.pd {
            m.extend(ia_pd(2));
        }
        m
    }
}

/// A reply (RELAY-REPL around the client message).
struct Reply(Vec<u8>);

impl Reply {
    fn with<T>(&self, f: impl FnOnce(xdhcp_dataplane::wire::v6::ClientMessage<'_>) -> T) -> T {
        f(Packet6::parse(&self.0).unwrap().innermost())
    }

    /// Every address of the IA_NA with its lifetimes.
    fn addrs(&self) -> Vec<(Ipv6Addr, u32, u32)> {
        self.with(|m| {
            let ia = m.options().ia_nas().next().expect("an IA_NA");
            ia.addresses()
                .map(|a| (a.address, a.preferred, a.valid))
                .collect()
        })
    }

    /// The IA_NA's address with its lifetimes, or its status.
    fn addr(&self) -> Result<(Ipv6Addr, u32, u32), u16> {
        self.with(|m| {
            let ia = m.options().ia_nas().next().expect("an IA_NA");
            match ia.addresses().next() {
                Some(a) => Ok((a.address, a.preferred, a.valid)),
                None => Err(ia.status().map_or(0, |s| s.code)),
            }
        })
    }

    /// The IA_PD's prefix, or its status.
    fn prefix(&self) -> Result<(Ipv6Addr, u8), u16> {
        self.with(|m| {
            let ia = m.options().ia_pds().next().expect("an IA_PD");
            match ia.prefixes().next() {
                Some(p) => Ok((p.prefix, p.prefix_len)),
                None => Err(ia.status().map_or(0, |s| s.code)),
            }
        })
    }

    /// The marker option's text.
    fn marker(&self) -> Option<String> {
        self.with(|m| {
            m.options()
                .find(MARKER)
                .map(|v| String::from_utf8_lossy(v).into_owned())
        })
    }

    /// Option `code`'s value as one IPv6 address.
    fn address_option(&self, code: u16) -> Option<Ipv6Addr> {
        self.with(|m| {
            let v = m.options().find(code)?;
            Some(Ipv6Addr::from(<[u8; 16]>::try_from(v).ok()?))
        })
    }
}

fn marker(text: &str) -> String {
    format!(r#"{{ "name": "marker", "data": "{text}" }}"#)
}

const GOLD: &str = r#"{ "name": "gold", "test": "substring(option[1].hex,5,1) == 0x11" }"#;

#[test]
fn pools_and_pd_pools_admit_only_their_class() {
    // Kea 2.2's `client-class` and the later `client-classes` list.
    let s = Server::new(&format!(
        r#""client-classes": [ {GOLD} ],
  "subnet6": [ {{ "id": 1, "subnet": "2001:db8:1::/64",
    "pools": [ {{ "pool": "2001:db8:1::100 - 2001:db8:1::1ff", "client-class": "gold" }},
               {{ "pool": "2001:db8:1::1000 - 2001:db8:1::10ff" }} ],
    "pd-pools": [ {{ "prefix": "2001:db8:100::", "prefix-len": 40, "delegated-len": 56,
                     "client-classes": [ "gold" ] }},
                  {{ "prefix": "2001:db8:200::", "prefix-len": 40, "delegated-len": 60 }} ] }} ]"#
    ));
    let gold = s
        .send("2001:db8:1::1", &solicit(0x11, 1).with_pd())
        .unwrap();
    assert_eq!(gold.addr().unwrap().0, ip("2001:db8:1::100"));
    assert_eq!(gold.prefix().unwrap(), (ip("2001:db8:100::"), 56));
    let plain = s.send("2001:db8:1::1", &solicit(0, 2).with_pd()).unwrap();
    assert_eq!(plain.addr().unwrap().0, ip("2001:db8:1::1000"));
    assert_eq!(plain.prefix().unwrap(), (ip("2001:db8:200::"), 60));
    // A hint inside a pool the client may not use is not followed.
    let hint = solicit(0, 3).hinting("2001:db8:1::150", 0, 0);
    assert_eq!(
        s.send("2001:db8:1::1", &hint).unwrap().addr().unwrap().0,
        ip("2001:db8:1::1001")
    );
}

#[test]
fn the_allocator_goes_on_from_the_pool_the_subnet_used_last() {
    // Kea's iterative allocator: once the open pool served someone, a gold
    // client is served from it too, though the gold pool comes first.
    let s = Server::new(&format!(
        r#""client-classes": [ {GOLD} ],
  "subnet6": [ {{ "id": 1, "subnet": "2001:db8:1::/64",
    "pools": [ {{ "pool": "2001:db8:1::100 - 2001:db8:1::1ff", "client-class": "gold" }},
               {{ "pool": "2001:db8:1::1000 - 2001:db8:1::10ff" }} ] }} ]"#
    ));
    let first = s.send("2001:db8:1::1", &solicit(0x11, 1)).unwrap();
    assert_eq!(first.addr().unwrap().0, ip("2001:db8:1::100"));
    let plain = s.send("2001:db8:1::1", &solicit(0, 2)).unwrap();
    assert_eq!(plain.addr().unwrap().0, ip("2001:db8:1::1000"));
    let gold = s.send("2001:db8:1::1", &solicit(0x11, 3)).unwrap();
    assert_eq!(gold.addr().unwrap().0, ip("2001:db8:1::1001"));
}

#[test]
fn subnets_are_selected_by_class_within_a_shared_network() {
    let s = Server::new(&format!(
        r#""client-classes": [ {GOLD} ],
  "shared-networks": [ {{ "name": "floor", "relay": {{ "ip-addresses": [ "2001:db8:99::1" ] }},
    "subnet6": [
      {{ "id": 2, "subnet": "2001:db8:2::/64", "client-class": "gold",
         "pools": [ {{ "pool": "2001:db8:2::100 - 2001:db8:2::1ff" }} ] }},
      {{ "id": 3, "subnet": "2001:db8:3::/64",
         "pools": [ {{ "pool": "2001:db8:3::100 - 2001:db8:3::1ff" }} ] }} ] }} ]"#
    ));
    let gold = s.send("2001:db8:99::1", &solicit(0x11, 1)).unwrap();
    assert_eq!(gold.addr().unwrap().0, ip("2001:db8:2::100"));
    let plain = s.send("2001:db8:99::1", &solicit(0, 2)).unwrap();
    assert_eq!(plain.addr().unwrap().0, ip("2001:db8:3::100"));
    // On the guarded subnet's own link the subnet is not selected, and
    // (as in Kea) no other subnet is: the client gets no address.
    let refused = s.send("2001:db8:2::1", &solicit(0, 3)).unwrap();
    assert_eq!(refused.addr(), Err(status::NO_ADDRS_AVAIL));
}

#[test]
fn required_classes_are_evaluated_once_the_lease_is_chosen() {
    // Each level requires a class of its own (both spellings); a class
    // listed without a test is not assigned (Kea 2.2).
    let s = Server::new(&format!(
        r#""option-data": [ {{ "name": "dns-servers", "data": "2001:db8::53" }} ],
  "client-classes": [
    {{ "name": "by-pool", "test": "member('ALL')", "only-if-required": true,
       "option-data": [ {} ] }},
    {{ "name": "by-subnet", "test": "member('ALL')", "only-in-additional-list": true,
       "option-data": [ {{ "name": "dns-servers", "data": "2001:db8::2" }}, {} ] }},
    {{ "name": "by-net", "test": "member('ALL')", "only-if-required": true,
       "option-data": [ {{ "name": "sntp-servers", "data": "2001:db8::1" }},
                        {{ "name": "dns-servers", "data": "2001:db8::1" }} ] }},
    {{ "name": "untested", "only-if-required": true, "option-data": [ {} ] }}
  ],
  "shared-networks": [ {{ "name": "n", "require-client-classes": [ "by-net" ],
    "subnet6": [ {{ "id": 1, "subnet": "2001:db8:1::/64", "rapid-commit": true,
      "evaluate-additional-classes": [ "by-subnet", "untested" ],
      "pools": [ {{ "pool": "2001:db8:1::100 - 2001:db8:1::100",
                    "require-client-classes": [ "by-pool" ] }},
                 {{ "pool": "2001:db8:1::200 - 2001:db8:1::2ff" }} ] }} ] }} ]"#,
        marker("by-pool"),
        marker("by-subnet"),
        marker("untested")
    ));
    let first = s
        .send("2001:db8:1::1", &solicit(0, 1).committing())
        .unwrap();
    assert_eq!(first.addr().unwrap().0, ip("2001:db8:1::100"));
    assert_eq!(first.address_option(31), Some(ip("2001:db8::1")));
    // Kea's order, whatever the configuration's: the shared network's
    // class, then the subnet's, then the pool's.
    assert_eq!(first.address_option(23), Some(ip("2001:db8::1")));
    assert_eq!(first.marker().as_deref(), Some("by-subnet"));
    // The next lease comes from the other pool: by-pool is not evaluated.
    let second = s.send("2001:db8:1::1", &solicit(0, 2)).unwrap();
    assert_eq!(second.addr().unwrap().0, ip("2001:db8:1::200"));
    assert_eq!(second.marker().as_deref(), Some("by-subnet"));
    // Nothing requires by-pool on INFORMATION-REQUEST either.
    let info = Msg {
        kind: 11,
        na: None,
        ..solicit(0, 3)
    };
    let reply = s.send("2001:db8:1::1", &info).unwrap();
    assert_eq!(reply.address_option(31), Some(ip("2001:db8::1")));
    assert_eq!(reply.marker().as_deref(), Some("by-subnet"));
}

#[test]
fn options_follow_kea_precedence() {
    // reservation, pool, subnet, shared network, class, global; the class
    // evaluated on reception before one evaluated later.
    let s = Server::new(
        &format!(
            r#""option-data": [ {} ],
  "reservations-global": true,
  "client-classes": [
    {{ "name": "late", "test": "member('ALL')", "only-if-required": true,
       "option-data": [ {} ] }},
    {{GOLD_WITH_MARKER}}
  ],
  "shared-networks": [ {{ "name": "n", "option-data": [ {} ],
    "subnet6": [ {{ "id": 1, "subnet": "2001:db8:1::/64", "rapid-commit": true,
      "require-client-classes": [ "late" ],
      "pools": [ {{ "pool": "2001:db8:1::100 - 2001:db8:1::100", "option-data": [ {} ] }},
                 {{ "pool": "2001:db8:1::200 - 2001:db8:1::2ff" }} ],
      "reservations": [ {{ "duid": "00:03:00:01:02:00:00:00:00:09",
                           "ip-addresses": [ "2001:db8:1::9" ], "option-data": [ {} ] }} ] }},
      {{ "id": 2, "subnet": "2001:db8:2::/64", "option-data": [ {} ],
         "pools": [ {{ "pool": "2001:db8:2::100 - 2001:db8:2::1ff" }} ] }} ] }},
    {{ "name": "m", "subnet6": [ {{ "id": 3, "subnet": "2001:db8:3::/64",
         "pools": [ {{ "pool": "2001:db8:3::100 - 2001:db8:3::1ff" }} ] }},
      {{ "id": 4, "subnet": "2001:db8:4::/64", "require-client-classes": [ "late" ],
         "pools": [ {{ "pool": "2001:db8:4::100 - 2001:db8:4::1ff" }} ] }} ] }} ]"#,
            marker("global"),
            marker("late"),
            marker("network"),
            marker("pool"),
            marker("host"),
            marker("subnet"),
        )
        .replace(
            "{GOLD_WITH_MARKER}",
            &format!(
                r#"{{ "name": "gold", "test": "substring(option[1].hex,5,1) == 0x11",
       "option-data": [ {} ] }}"#,
                marker("gold")
            ),
        ),
    );
    // (link, client, the marker that wins). Classes apply in the order
    // they were assigned: gold, evaluated on reception, before the
    // required class `late` defined ahead of it.
    let cases = [
        ("2001:db8:1::1", solicit(0, 9), "host"),
        ("2001:db8:1::1", solicit(0, 1).committing(), "pool"),
        // A hint keeps the client in subnet 2: without one, Kea's allocator
        // starts from subnet 1, which allocated last.
        (
            "2001:db8:2::1",
            solicit(0, 2).hinting("2001:db8:2::100", 0, 0),
            "subnet",
        ),
        ("2001:db8:1::1", solicit(0, 3), "network"),
        ("2001:db8:3::1", solicit(0x11, 4), "gold"),
        ("2001:db8:3::1", solicit(0, 5), "global"),
        ("2001:db8:4::1", solicit(0x11, 6), "gold"),
        // In subnet 4 by its hint (subnet 3 allocated last).
        (
            "2001:db8:4::1",
            solicit(0, 7).hinting("2001:db8:4::100", 0, 0),
            "late",
        ),
    ];
    for (link, m, want) in cases {
        let got = s.send(link, &m).unwrap().marker();
        assert_eq!(got.as_deref(), Some(want), "client {} on {link}", m.n);
    }
}

#[test]
fn class_lifetimes_replace_the_subnets_with_their_own_bounds() {
    let s = Server::new(
        r#""client-classes": [
    { "name": "short", "test": "substring(option[1].hex,5,1) == 0x11",
      "preferred-lifetime": 1000, "valid-lifetime": 2000 },
    { "name": "bounded", "test": "substring(option[1].hex,5,1) == 0x22",
      "valid-lifetime": 5000, "min-valid-lifetime": 4500, "max-valid-lifetime": 5500,
      "preferred-lifetime": 3500 },
    { "name": "below", "test": "substring(option[1].hex,5,1) == 0x33",
      "valid-lifetime": 1500 }
  ],
  "subnet6": [ { "id": 1, "subnet": "2001:db8:1::/64",
    "pools": [ { "pool": "2001:db8:1::100 - 2001:db8:1::1ff" } ] } ]"#,
    );
    let times = |m: Msg| {
        let (_, p, v) = s.send("2001:db8:1::1", &m).unwrap().addr().unwrap();
        (p, v)
    };
    assert_eq!(times(solicit(0, 1)), (3000, 4000));
    assert_eq!(times(solicit(0x11, 2)), (1000, 2000));
    assert_eq!(
        times(solicit(0x22, 3).hinting("::", 100, 9999)),
        (3500, 5500)
    );
    assert_eq!(times(solicit(0x22, 4).hinting("::", 0, 10)), (3500, 4500));
    // Kea 2.2 would send preferred 3000 over valid 1500, which RFC 8415
    // §21.6 has clients discard; xdhcp caps the preferred lifetime.
    assert_eq!(times(solicit(0x33, 5)), (1500, 1500));
}

#[test]
fn reservations_assign_classes_and_known_clients_their_pools() {
    let s = Server::new(
        r#""reservations-global": true,
  "client-classes": [
    { "name": "reserved_class", "option-data": [ { "name": "marker", "data": "reserved" } ] },
    { "name": "unreserved_class", "test": "not member('reserved_class')" },
    { "name": "DROP", "test": "substring(option[1].hex,5,1) == 0xdd" }
  ],
  "reservations": [ { "duid": "00:03:00:01:02:00:00:00:00:09", "client-classes": [ "reserved_class" ] } ],
  "subnet6": [
    { "id": 1, "subnet": "2001:db8:1::/64",
      "pools": [ { "pool": "2001:db8:1::100 - 2001:db8:1::1ff", "client-class": "reserved_class" },
                 { "pool": "2001:db8:1::200 - 2001:db8:1::2ff", "client-class": "unreserved_class" } ],
      "reservations": [ { "duid": "00:03:00:01:02:00:00:00:00:07", "client-classes": [ "reserved_class" ] } ] },
    { "id": 6, "subnet": "2001:db8:6::/64",
      "pools": [ { "pool": "2001:db8:6::100 - 2001:db8:6::1ff", "client-class": "KNOWN" } ],
      "pd-pools": [ { "prefix": "2001:db8:600::", "prefix-len": 40, "delegated-len": 56,
                      "client-class": "UNKNOWN" } ],
      "reservations": [ { "duid": "00:03:00:01:02:00:00:00:00:0b", "hostname": "k6" } ] } ],
  "shared-networks": [ { "name": "n", "subnet6": [
    { "id": 3, "subnet": "2001:db8:3::/64",
      "pools": [ { "pool": "2001:db8:3::100 - 2001:db8:3::1ff", "client-class": "reserved_class" },
                 { "pool": "2001:db8:3::200 - 2001:db8:3::2ff" } ],
      "reservations": [ { "duid": "00:03:00:01:02:00:00:00:00:0a", "client-classes": [ "reserved_class" ] } ] } ] } ]"#,
    );
    // A subnet's reservation outside shared networks, and a global one:
    // the classes are known before the pool is chosen, and the classes
    // tested on reception are evaluated again with them.
    for n in [7, 9] {
        let reply = s.send("2001:db8:1::1", &solicit(0, n)).unwrap();
        assert!(reply.addr().unwrap().0 < ip("2001:db8:1::200"), "{n}");
        assert_eq!(reply.marker().as_deref(), Some("reserved"));
    }
    let plain = s.send("2001:db8:1::1", &solicit(0, 1)).unwrap();
    assert_eq!(plain.addr().unwrap().0, ip("2001:db8:1::200"));
    // In a shared network the reservation's classes come after the lease
    // is chosen: they give options, not pools.
    let shared = s.send("2001:db8:3::1", &solicit(0, 10)).unwrap();
    assert_eq!(shared.addr().unwrap().0, ip("2001:db8:3::200"));
    assert_eq!(shared.marker().as_deref(), Some("reserved"));
    // KNOWN and UNKNOWN guard pools.
    let unknown = s.send("2001:db8:6::1", &solicit(0, 2).with_pd()).unwrap();
    assert_eq!(unknown.addr(), Err(status::NO_ADDRS_AVAIL));
    assert_eq!(unknown.prefix().unwrap(), (ip("2001:db8:600::"), 56));
    let known = s.send("2001:db8:6::1", &solicit(0, 11).with_pd()).unwrap();
    assert_eq!(known.addr().unwrap().0, ip("2001:db8:6::100"));
    assert_eq!(known.prefix(), Err(status::NO_PREFIX_AVAIL));
    // DROP.
    assert_eq!(
        s.send("2001:db8:1::1", &solicit(0xdd, 3)).err(),
        Some(Silence::Dropped)
    );
}

#[test]
fn a_client_classes_list_opens_a_scope_to_each_listed_class() {
    // The later spelling: a client in any listed class may use the pool
    // or the subnet.
    let s = Server::new(&format!(
        r#""client-classes": [ {GOLD},
    {{ "name": "silver", "test": "substring(option[1].hex,5,1) == 0x22" }} ],
  "subnet6": [ {{ "id": 1, "subnet": "2001:db8:1::/64",
    "pools": [ {{ "pool": "2001:db8:1::100 - 2001:db8:1::1ff",
                  "client-classes": [ "silver", "gold" ] }},
               {{ "pool": "2001:db8:1::1000 - 2001:db8:1::10ff", "client-classes": [ "gold" ] }} ] }},
    {{ "id": 2, "subnet": "2001:db8:2::/64", "client-classes": [ "gold", "silver" ],
       "pools": [ {{ "pool": "2001:db8:2::100 - 2001:db8:2::1ff" }} ] }} ]"#
    ));
    for (class, n) in [(0x11, 1), (0x22, 2)] {
        let reply = s.send("2001:db8:1::1", &solicit(class, n)).unwrap();
        assert!(reply.addr().unwrap().0 < ip("2001:db8:1::200"), "{class}");
        assert!(s.send("2001:db8:2::1", &solicit(class, n)).is_ok());
    }
    for link in ["2001:db8:1::1", "2001:db8:2::1"] {
        let plain = s.send(link, &solicit(0, 3)).unwrap();
        assert_eq!(plain.addr(), Err(status::NO_ADDRS_AVAIL), "{link}");
    }
}

#[test]
fn renewals_keep_class_lifetimes_out_and_close_pools_the_class_left() {
    let s = Server::new(
        r#""client-classes": [
    { "name": "voip", "test": "option[16].exists",
      "preferred-lifetime": 3500, "valid-lifetime": 5000 } ],
  "subnet6": [ { "id": 1, "subnet": "2001:db8:8::/64", "rapid-commit": true,
    "pools": [ { "pool": "2001:db8:8::100 - 2001:db8:8::1ff", "client-class": "voip" },
               { "pool": "2001:db8:8::1000 - 2001:db8:8::10ff" } ] } ]"#,
    );
    let sid = s.config.server_duid.clone();
    let link = "2001:db8:8::1";
    let got = s.send(link, &solicit(0, 1).with_vendor_class().committing());
    assert_eq!(got.unwrap().addr(), Ok((ip("2001:db8:8::100"), 3500, 5000)));
    // Kea 2.2 extends with the subnet's lifetimes, class or not.
    let renew = solicit(0, 1)
        .with_vendor_class()
        .renewing(&sid, "2001:db8:8::100");
    let got = s.send(link, &renew).unwrap();
    assert_eq!(got.addr(), Ok((ip("2001:db8:8::100"), 3000, 4000)));
    // Without its class the client may not keep an address of the voip
    // pool: it gets one of the open pool and the old one is withdrawn
    // and ended.
    let renew = solicit(0, 1).renewing(&sid, "2001:db8:8::100");
    let got = s.send(link, &renew).unwrap();
    assert_eq!(
        got.addrs(),
        [
            (ip("2001:db8:8::1000"), 3000, 4000),
            (ip("2001:db8:8::100"), 0, 0)
        ]
    );
    assert!(s.leases.with(ip("2001:db8:8::100"), |_| ()).is_none());
    // With its class back it keeps the lease it has.
    let renew = solicit(0, 1)
        .with_vendor_class()
        .renewing(&sid, "2001:db8:8::1000");
    let got = s.send(link, &renew).unwrap();
    assert_eq!(got.addrs(), [(ip("2001:db8:8::1000"), 3000, 4000)]);
}
