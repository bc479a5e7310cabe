//! Client classes of a Kea `Dhcp4` configuration, compiled and served by
//! the engine: DROP, class-guarded pools and subnets, class options with
//! Kea's precedence, boot fields, lifetimes, reservation classes and
//! required (additional) classes.

use std::net::Ipv4Addr;

use xdhcp_controlplane::compile::compile;
use xdhcp_dataplane::config::Config4;
use xdhcp_dataplane::engine::v4::{Engine4, Outcome, Request4, Silence};
use xdhcp_dataplane::lease::{Lease4, LeaseStore, StoreConfig};
use xdhcp_dataplane::stats::{Scopes, Stat4, Stats4};
use xdhcp_dataplane::wire::v4::{MessageType, Packet4, Writer4, BOOTREQUEST};

const SERVER: Ipv4Addr = Ipv4Addr::new(198, 51, 100, 1);
const RELAY: Ipv4Addr = Ipv4Addr::new(203, 0, 113, 1);

const CONFIG: &str = r#"{ "Dhcp4": {
  "valid-lifetime": 4000,
  "option-data": [ { "name": "domain-name", "data": "global.example" },
                   { "name": "ntp-servers", "data": "192.0.2.123" } ],
  "client-classes": [
    { "name": "DROP", "test": "substring(option[60].hex,0,4) == 'evil'" },
    { "name": "VoIP", "test": "substring(option[60].hex,0,6) == 'Aastra'",
      "next-server": "192.0.2.254", "server-hostname": "tftp-server",
      "boot-file-name": "/voip/config.cfg", "valid-lifetime": 600,
      "option-data": [ { "name": "domain-name-servers", "data": "10.1.1.1" },
                       { "name": "ntp-servers", "data": "10.1.1.123" } ] },
    { "name": "apple", "test": "substring(pkt4.mac, 0, 3) == 0x5c1bf4",
      "option-data": [ { "name": "domain-name", "data": "apple.example" } ] },
    { "name": "reserved_class" },
    { "name": "late", "test": "member('ALL')", "only-if-required": true,
      "option-data": [ { "name": "log-servers", "data": "10.9.9.9" } ] },
    { "name": "windows", "test": "substring(option[60].hex,0,3) == 'win'" },
    { "name": "other", "test": "not member('windows')" }
  ],
  "subnet4": [ {
    "id": 1, "subnet": "198.51.100.0/24",
    "option-data": [ { "name": "routers", "data": "198.51.100.1" } ],
    "require-client-classes": [ "late" ],
    "reservations": [ { "hw-address": "02:00:00:00:00:09", "client-classes": [ "reserved_class" ] } ],
    "pools": [
      { "pool": "198.51.100.10 - 198.51.100.19", "client-class": "VoIP" },
      { "pool": "198.51.100.20 - 198.51.100.29", "client-class": "reserved_class",
        "option-data": [ { "name": "domain-name", "data": "pool.example" } ] },
      { "pool": "198.51.100.30 - 198.51.100.39" } ] } ],
  "shared-networks": [ {
    "name": "lab", "relay": { "ip-addresses": [ "203.0.113.1" ] },
    "subnet4": [
      { "id": 10, "subnet": "203.0.113.0/24", "client-class": "windows",
        "pools": [ { "pool": "203.0.113.10 - 203.0.113.20" } ] },
      { "id": 11, "subnet": "10.0.0.0/24", "client-class": "other",
        "pools": [ { "pool": "10.0.0.10 - 10.0.0.20" } ] } ] } ]
} }"#;

struct Lab {
    config: Config4,
    leases: std::sync::Arc<LeaseStore<Lease4>>,
    stats: Stats4,
}

impl Lab {
    fn new() -> Lab {
        let cfg = xdhcp_controlplane::load_str("classes.json", CONFIG).unwrap();
        let (leases, _) = LeaseStore::open(StoreConfig::memory(4, 1024)).unwrap();
        let config = compile(&cfg).config4().unwrap();
        let stats = Stats4 {
            scopes: Scopes::for_v4(&config),
            ..Stats4::default()
        };
        Lab {
            config,
            leases,
            stats,
        }
    }

    /// A DISCOVER from `mac` (relayed when `giaddr` is set) with `options`.
    fn discover(
        &self,
        mac: [u8; 6],
        giaddr: Ipv4Addr,
        options: &[(u8, &[u8])],
    ) -> (Outcome, Vec<u8>) {
        let mut buf = vec![0u8; 600];
        let mut w = Writer4::new(&mut buf, 600).unwrap();
        w.set_op(BOOTREQUEST);
        w.set_chaddr(1, &mac).unwrap();
        w.set_xid(7);
        w.set_giaddr(giaddr);
        w.put_option(53, &[MessageType::Discover.to_u8()]).unwrap();
        w.put_option(55, &[1, 3, 6, 7, 15, 42]).unwrap();
        for (c, v) in options {
            w.put_option(*c, v).unwrap();
        }
        let n = w.finish().unwrap();
        buf.truncate(n);
        let req = Request4 {
            packet: Packet4::parse(&buf).unwrap(),
            interface: Some("veth0"),
            local_addr: SERVER,
            src: giaddr,
            to_broadcast: giaddr.is_unspecified(),
        };
        let engine = Engine4 {
            config: &self.config,
            leases: &self.leases,
            stats: Some(&self.stats),
            events: None,
        };
        let mut out = vec![0u8; 1500];
        let o = engine.handle(&req, &mut out, 1_800_000_000);
        if let Outcome::Reply { len, .. } = o {
            out.truncate(len);
        }
        (o, out)
    }
}

const PLAIN: [u8; 6] = [2, 0, 0, 0, 0, 1];

fn text(p: &Packet4<'_>, code: u8) -> String {
    String::from_utf8_lossy(p.option(code).unwrap().contiguous().unwrap()).into_owned()
}

#[test]
fn drop_class_clients_get_no_answer_and_are_counted() {
    let lab = Lab::new();
    let (o, _) = lab.discover(PLAIN, Ipv4Addr::UNSPECIFIED, &[(60, b"evil-box")]);
    assert_eq!(o, Outcome::Silent(Silence::Dropped));
    let drops = lab.stats.packets.values()[Stat4::ReceiveDrop as usize];
    assert_eq!(drops, 1, "pkt4-receive-drop");
}

#[test]
fn class_guarded_pool_options_boot_fields_and_lifetime() {
    let lab = Lab::new();
    let (o, out) = lab.discover(PLAIN, Ipv4Addr::UNSPECIFIED, &[(60, b"Aastra6731i")]);
    assert!(matches!(o, Outcome::Reply { .. }), "{o:?}");
    let offer = Packet4::parse(&out).unwrap();
    assert_eq!(
        offer.yiaddr(),
        Ipv4Addr::new(198, 51, 100, 10),
        "the VoIP pool"
    );
    assert_eq!(offer.siaddr(), Ipv4Addr::new(192, 0, 2, 254));
    assert_eq!(offer.sname(), Some(&b"tftp-server"[..]));
    assert_eq!(offer.file(), Some(&b"/voip/config.cfg"[..]));
    assert_eq!(offer.option_u32(51), Some(600), "class valid-lifetime");
    assert_eq!(
        offer.option_ipv4(6),
        Some(Ipv4Addr::new(10, 1, 1, 1)),
        "class option"
    );
    assert_eq!(
        offer.option_ipv4(42),
        Some(Ipv4Addr::new(10, 1, 1, 123)),
        "class over global"
    );
    assert_eq!(offer.option_ipv4(3), Some(SERVER), "subnet option");
    assert_eq!(text(&offer, 15), "global.example");
    assert_eq!(
        offer.option_ipv4(7),
        Some(Ipv4Addr::new(10, 9, 9, 9)),
        "required class"
    );

    // Not VoIP: the open pool, global options, the subnet's lifetime.
    let (_, out) = lab.discover(PLAIN, Ipv4Addr::UNSPECIFIED, &[(60, b"Polycom")]);
    let offer = Packet4::parse(&out).unwrap();
    assert_eq!(offer.yiaddr(), Ipv4Addr::new(198, 51, 100, 30));
    assert_eq!(offer.option_u32(51), Some(4000));
    assert_eq!(offer.option_ipv4(42), Some(Ipv4Addr::new(192, 0, 2, 123)));
    assert!(offer.option(6).is_none());
    assert_eq!(offer.siaddr(), Ipv4Addr::UNSPECIFIED);
}

#[test]
fn reservation_classes_open_their_pool_and_pool_options_win() {
    let lab = Lab::new();
    let (_, out) = lab.discover([2, 0, 0, 0, 0, 9], Ipv4Addr::UNSPECIFIED, &[]);
    let offer = Packet4::parse(&out).unwrap();
    assert_eq!(
        offer.yiaddr(),
        Ipv4Addr::new(198, 51, 100, 20),
        "reserved_class pool"
    );
    assert_eq!(text(&offer, 15), "pool.example", "pool over global");
    // A class's option loses to the pool's, beats the global one.
    let (_, out) = lab.discover([0x5c, 0x1b, 0xf4, 0, 0, 1], Ipv4Addr::UNSPECIFIED, &[]);
    assert_eq!(text(&Packet4::parse(&out).unwrap(), 15), "apple.example");
}

#[test]
fn classes_choose_the_subnet_in_a_shared_network() {
    let lab = Lab::new();
    let (_, out) = lab.discover(PLAIN, RELAY, &[(60, b"win10")]);
    assert_eq!(
        Packet4::parse(&out).unwrap().yiaddr(),
        Ipv4Addr::new(203, 0, 113, 10)
    );
    let (_, out) = lab.discover(PLAIN, RELAY, &[(60, b"linux")]);
    assert_eq!(
        Packet4::parse(&out).unwrap().yiaddr(),
        Ipv4Addr::new(10, 0, 0, 10)
    );
}
