//! DHCPv6 host reservations by the flex_id hook's identifier, on the
//! engine with compiled Kea configurations: a `flex-id` reservation gives
//! its addresses, prefixes, options and classes; `host-reservation-
//! identifiers` decides between it and a DUID reservation; an empty
//! identifier finds nothing; `replace-client-id` keys leases by the
//! flexible identifier while replies carry the client's own DUID; a bad
//! expression is reported where it goes wrong. Kea's hook was premium in
//! 2.2 and is not in Debian, so these follow the Kea manual and the hook's
//! published behaviour, not a side-by-side run.

use std::net::Ipv6Addr;

use xdhcp_controlplane::compile::compile;
use xdhcp_dataplane::config::Config6;
use xdhcp_dataplane::engine::v6::Request6;
use xdhcp_dataplane::lease::{Lease6, LeaseStore, StoreConfig};
use xdhcp_dataplane::wire::v6::{ClientMessage, Packet6, OPTION_INTERFACE_ID};

mod common;
use common::v6msg::{ia_na, ia_pd, oro, relay_forw_with, tlv};

const NOW: u32 = 1_800_000_000;
/// A string option the reservation sets.
const MARKER: u16 = 60100;
/// The relay's link: subnet 1.
const LINK: &str = "2001:db8:1::1";

fn ip(s: &str) -> Ipv6Addr {
    s.parse().unwrap()
}

/// `Dhcp6` with the flex_id hook reading the relay's interface-id, the
/// identifiers `ids` looked up in order (Kea's default when empty), and
/// subnet 1 holding a DUID and a hardware address reservation for client
/// 1 and a flex-id one for port `cpe-7`. `hook` adds keys to the hook's
/// parameters; `hook: None` loads no hook.
fn config(ids: &str, hook: Option<&str>) -> String {
    let ids = if ids.is_empty() {
        String::new()
    } else {
        format!(r#""host-reservation-identifiers": [ {ids} ],"#)
    };
    let hooks = hook.map_or(String::new(), |extra| {
        format!(
            r#""hooks-libraries": [ {{ "library": "/usr/lib/x86_64-linux-gnu/kea/hooks/libdhcp_flex_id.so",
      "parameters": {{ "identifier-expression": "relay6[0].option[18].hex" {extra} }} }} ],"#
        )
    });
    format!(
        r#"{{ "Dhcp6": {{
  "option-def": [ {{ "name": "marker", "code": {MARKER}, "type": "string" }} ],
  "preferred-lifetime": 3000, "valid-lifetime": 4000,
  {ids}
  {hooks}
  "client-classes": [ {{ "name": "cpe", "option-data": [ {{ "name": "dns-servers", "data": "2001:db8::cafe" }} ] }} ],
  "subnet6": [ {{ "id": 1, "subnet": "2001:db8:1::/64", "rapid-commit": true,
    "pools": [ {{ "pool": "2001:db8:1::100 - 2001:db8:1::1ff" }} ],
    "pd-pools": [ {{ "prefix": "2001:db8:100::", "prefix-len": 40, "delegated-len": 56 }} ],
    "reservations": [
      {{ "duid": "00:03:00:01:02:00:00:00:00:01", "ip-addresses": [ "2001:db8:1::d1d" ],
         "option-data": [ {{ "name": "marker", "data": "by-duid" }} ] }},
      {{ "hw-address": "02:00:00:00:00:01", "ip-addresses": [ "2001:db8:1::a1" ],
         "option-data": [ {{ "name": "marker", "data": "by-hw-address" }} ] }},
      {{ "flex-id": "'cpe-7'", "hostname": "cpe-seven",
         "ip-addresses": [ "2001:db8:1::7" ], "prefixes": [ "2001:db8:7700::/56" ],
         "client-classes": [ "cpe" ],
         "option-data": [ {{ "name": "marker", "data": "by-flex-id" }} ] }} ] }} ]
}} }}"#
    )
}

struct Server {
    config: Config6,
    leases: std::sync::Arc<LeaseStore<Lease6>>,
}

impl Server {
    fn new(text: &str) -> Server {
        let cfg =
            xdhcp_controlplane::load_str("flex6.json", text).unwrap_or_else(|e| panic!("{e:?}"));
        let config = compile(&cfg).config6().unwrap();
        let (leases, _) = LeaseStore::open(StoreConfig::memory(4, 256)).unwrap();
        Server { config, leases }
    }

    /// Sends `msg` through a relay on [`LINK`] that adds interface-id
    /// `port` (none when empty); the reply's bytes.
    fn send(&self, port: &str, msg: &[u8]) -> Reply {
        let relay_opts = if port.is_empty() {
            Vec::new()
        } else {
            tlv(OPTION_INTERFACE_ID, port.as_bytes())
        };
        let relayed = relay_forw_with(ip(LINK), ip("fe80::1"), &relay_opts, msg);
        let req = Request6::multicast(
            Packet6::parse(&relayed).unwrap(),
            None,
            ip("2001:db8:ff::1"),
        );
        match common::engine6::answer(&self.config, &self.leases, &req, NOW) {
            Ok(reply) => Reply(reply),
            Err(why) => panic!("no reply: {why:?}"),
        }
    }

    /// The DUID the lease of `addr` is held by.
    fn lease_duid(&self, addr: &str) -> Vec<u8> {
        let lease = self.leases.get(ip(addr)).expect("a lease");
        lease.duid.as_bytes().to_vec()
    }
}

/// The DUID-LL of client `n`.
fn duid(n: u8) -> Vec<u8> {
    vec![0, 3, 0, 1, 2, 0, 0, 0, 0, n]
}

/// A SOLICIT from client `n` with an IA_NA and an IA_PD, asking for the
/// DNS servers and the marker; with `commit`, rapid commit.
fn solicit(n: u8, commit: bool) -> Vec<u8> {
    solicit_ias(n, commit, &[1], &[2])
}

/// A SOLICIT as [`solicit`] with IA_NAs and IA_PDs of the IAIDs given.
fn solicit_ias(n: u8, commit: bool, nas: &[u32], pds: &[u32]) -> Vec<u8> {
    let mut m = vec![1, 0, 0, n];
    m.extend(tlv(1, &duid(n)));
    m.extend(oro(&[23, MARKER]));
    if commit {
        m.extend(tlv(14, &[]));
    }
    for &iaid in nas {
        m.extend(ia_na(iaid, None));
    }
    for &iaid in pds {
        m.extend(ia_pd(iaid));
    }
    m
}

/// A reply (RELAY-REPL around the client message).
struct Reply(Vec<u8>);

impl Reply {
    fn with<T>(&self, f: impl FnOnce(ClientMessage<'_>) -> T) -> T {
        f(Packet6::parse(&self.0).unwrap().innermost())
    }

    fn addr(&self) -> Option<Ipv6Addr> {
        self.with(|m| {
            let ia = m.options().ia_nas().next().expect("an IA_NA");
            ia.addresses().next().map(|a| a.address)
        })
    }

    fn prefix(&self) -> Option<(Ipv6Addr, u8)> {
        self.with(|m| {
            let ia = m.options().ia_pds().next().expect("an IA_PD");
            ia.prefixes().next().map(|p| (p.prefix, p.prefix_len))
        })
    }

    fn option(&self, code: u16) -> Option<Vec<u8>> {
        self.with(|m| m.options().find(code).map(<[u8]>::to_vec))
    }

    fn marker(&self) -> Option<String> {
        self.option(MARKER)
            .map(|v| String::from_utf8_lossy(&v).into_owned())
    }

    /// The IAIDs of the reply's IA_NAs, then of its IA_PDs.
    fn iaids(&self) -> (Vec<u32>, Vec<u32>) {
        self.with(|m| {
            let o = m.options();
            (
                o.ia_nas().map(|ia| ia.iaid).collect(),
                o.ia_pds().map(|ia| ia.iaid).collect(),
            )
        })
    }

    fn client_duid(&self) -> Vec<u8> {
        self.with(|m| m.client_id().expect("a client id").as_bytes().to_vec())
    }
}

const FLEX_FIRST: &str = r#""flex-id", "duid""#;
const DUID_FIRST: &str = r#""duid", "flex-id""#;

#[test]
fn a_flex_id_reservation_gives_its_addresses_prefixes_options_and_classes() {
    let s = Server::new(&config(FLEX_FIRST, Some("")));
    let reply = s.send("cpe-7", &solicit(9, false));
    assert_eq!(reply.addr(), Some(ip("2001:db8:1::7")));
    assert_eq!(reply.prefix(), Some((ip("2001:db8:7700::"), 56)));
    assert_eq!(reply.marker().as_deref(), Some("by-flex-id"));
    // The reservation's class brings its options.
    assert_eq!(
        reply.option(23),
        Some(ip("2001:db8::cafe").octets().to_vec())
    );
    // Another port has no reservation: a pool address, no marker.
    let other = s.send("cpe-8", &solicit(10, false));
    assert_eq!(other.addr(), Some(ip("2001:db8:1::100")));
    assert_eq!(other.prefix(), Some((ip("2001:db8:100::"), 56)));
    assert_eq!(other.marker(), None);
    assert_eq!(other.option(23), None);
}

#[test]
fn the_configured_order_decides_between_duid_and_flex_id() {
    // Client 1 has a DUID reservation and comes in on port cpe-7.
    let flex_first = Server::new(&config(FLEX_FIRST, Some("")));
    let r = flex_first.send("cpe-7", &solicit(1, false));
    assert_eq!(r.addr(), Some(ip("2001:db8:1::7")));
    assert_eq!(r.marker().as_deref(), Some("by-flex-id"));

    let duid_first = Server::new(&config(DUID_FIRST, Some("")));
    let r = duid_first.send("cpe-7", &solicit(1, false));
    assert_eq!(r.addr(), Some(ip("2001:db8:1::d1d")));
    assert_eq!(r.marker().as_deref(), Some("by-duid"));

    // Not among the identifiers, flex-id is not looked up.
    let without = Server::new(&config(r#""hw-address", "duid""#, Some("")));
    let r = without.send("cpe-7", &solicit(9, false));
    assert_eq!(r.addr(), Some(ip("2001:db8:1::100")));
    assert_eq!(r.marker(), None);

    // Listed, but without the hook there is no flexible identifier.
    let unhooked = Server::new(&config(FLEX_FIRST, None));
    let r = unhooked.send("cpe-7", &solicit(9, false));
    assert_eq!(r.addr(), Some(ip("2001:db8:1::100")));
    assert_eq!(r.marker(), None);
}

#[test]
fn without_a_list_the_hardware_address_comes_before_the_duid() {
    // Kea 2.2's DHCPv6 default: hw-address, then duid; client 1's MAC is
    // in its DUID-LL.
    let default = Server::new(&config("", Some("")));
    let r = default.send("cpe-7", &solicit(1, false));
    assert_eq!(r.marker().as_deref(), Some("by-hw-address"));
    let duid_first = Server::new(&config(r#""duid", "hw-address""#, Some("")));
    let r = duid_first.send("cpe-7", &solicit(1, false));
    assert_eq!(r.marker().as_deref(), Some("by-duid"));
}

#[test]
fn a_client_whose_identifier_is_empty_is_not_matched() {
    let s = Server::new(&config(FLEX_FIRST, Some(r#", "replace-client-id": true"#)));
    // No interface-id: the expression yields an empty string.
    let r = s.send("", &solicit(9, true));
    assert_eq!(r.addr(), Some(ip("2001:db8:1::100")));
    assert_eq!(r.marker(), None);
    // Nor does it replace the DUID.
    assert_eq!(s.lease_duid("2001:db8:1::100"), duid(9));
}

#[test]
fn replace_client_id_keys_leases_by_the_flexible_identifier() {
    let s = Server::new(&config(r#""duid""#, Some(r#", "replace-client-id": true"#)));
    // Client 9 on port cpe-8 (no reservation) commits a pool address; the
    // lease belongs to the DUID of type 0 made of the flex-id.
    let first = s.send("cpe-8", &solicit(9, true));
    let addr = first.addr().expect("an address");
    let prefix = first.prefix().expect("a prefix");
    let mut flex_duid = vec![0, 0];
    flex_duid.extend(b"cpe-8");
    assert_eq!(s.lease_duid(&addr.to_string()), flex_duid);
    assert_eq!(s.lease_duid(&prefix.0.to_string()), flex_duid);
    // The reply names the client by the DUID it sent.
    assert_eq!(first.client_duid(), duid(9));

    // A replacement device (another DUID) on the same port is the same
    // client: it is offered the same lease.
    let next = s.send("cpe-8", &solicit(10, false));
    assert_eq!(next.addr(), Some(addr));
    assert_eq!(next.prefix(), Some(prefix));
    assert_eq!(next.client_duid(), duid(10));

    // A DUID reservation is matched against the DUID the server works
    // with, so client 1's own reservation no longer applies.
    let r = s.send("cpe-9", &solicit(1, false));
    assert_ne!(r.addr(), Some(ip("2001:db8:1::d1d")));
    assert_eq!(r.marker(), None);

    // Without the flag, the new device is a new client.
    let plain = Server::new(&config(r#""duid""#, Some("")));
    let a = plain.send("cpe-8", &solicit(9, true)).addr();
    let b = plain.send("cpe-8", &solicit(10, false)).addr();
    assert_ne!(a, b);
    assert_eq!(plain.lease_duid(&a.unwrap().to_string()), duid(9));
}

#[test]
fn ignore_iaid_leases_a_lone_ia_under_iaid_zero() {
    let s = Server::new(&config(r#""duid""#, Some(r#", "ignore-iaid": true"#)));
    let first = s.send("cpe-8", &solicit_ias(9, true, &[11], &[12]));
    let addr = first.addr().expect("an address");
    let prefix = first.prefix().expect("a prefix");
    // Leased under IAID 0; the reply carries the IAIDs the client sent.
    assert_eq!(s.leases.get(addr).unwrap().iaid, 0);
    assert_eq!(s.leases.get(prefix.0).unwrap().iaid, 0);
    assert_eq!(first.iaids(), (vec![11], vec![12]));
    // With other IAIDs, the client is offered the same leases.
    let again = s.send("cpe-8", &solicit_ias(9, false, &[21], &[22]));
    assert_eq!(again.addr(), Some(addr));
    assert_eq!(again.prefix(), Some(prefix));
    assert_eq!(again.iaids(), (vec![21], vec![22]));

    // Two IA_NAs keep their IAIDs (the lone IA_PD still goes to 0).
    let two = s.send("cpe-8", &solicit_ias(10, true, &[31, 32], &[33]));
    let (nas, _) = two.iaids();
    assert_eq!(nas, vec![31, 32]);
    let leased = two.addr().expect("an address");
    assert_eq!(s.leases.get(leased).unwrap().iaid, 31);
    assert_eq!(s.leases.get(two.prefix().unwrap().0).unwrap().iaid, 0);

    // Without the flag the IAID is the client's.
    let plain = Server::new(&config(r#""duid""#, Some("")));
    let r = plain.send("cpe-8", &solicit_ias(9, true, &[11], &[12]));
    assert_eq!(plain.leases.get(r.addr().unwrap()).unwrap().iaid, 11);
}

#[test]
fn a_bad_identifier_expression_is_reported_where_it_goes_wrong() {
    let load = |expr: &str| {
        let text = format!(
            r#"{{ "Dhcp6": {{ "hooks-libraries": [ {{ "library": "libdhcp_flex_id.so",
    "parameters": {{ "identifier-expression": "{expr}" }} }} ] }} }}"#
        );
        xdhcp_controlplane::load_str("h.json", &text)
            .map(|_| ())
            .map_err(|e| e[0].to_string())
    };
    assert_eq!(load("relay6[0].option[18].hex"), Ok(()));
    assert_eq!(load("substring(option[1].hex,0,8)"), Ok(()));
    let err = load("relay6[0].option[18].hex + ").unwrap_err();
    assert!(
        err.starts_with("h.json:2:")
            && err.contains("Dhcp6.hooks-libraries[0].parameters.identifier-expression"),
        "{err}"
    );
    // A DHCPv4 expression is no DHCPv6 identifier.
    let err = load("relay4[1].hex").unwrap_err();
    assert!(err.contains("identifier-expression"), "{err}");
    // A test is not a string expression.
    let err = load("option[1].exists").unwrap_err();
    assert!(err.contains("identifier-expression"), "{err}");
}

#[test]
fn dhcpv6_reservations_take_flex_id_but_not_the_dhcpv4_identifiers() {
    let load = |body: &str| {
        let text = format!(r#"{{ "Dhcp6": {{ {body} }} }}"#);
        xdhcp_controlplane::load_str("r.json", &text)
            .map(|_| ())
            .map_err(|e| e[0].to_string())
    };
    let subnet = |host: &str| {
        format!(
            r#""subnet6": [ {{ "id": 1, "subnet": "2001:db8:1::/64", "reservations": [ {host} ] }} ]"#
        )
    };
    assert_eq!(
        load(&subnet(
            r#"{ "flex-id": "01:02:03", "ip-addresses": [ "2001:db8:1::5" ] }"#
        )),
        Ok(())
    );
    let err = load(&subnet(
        r#"{ "circuit-id": "01:02", "ip-addresses": [ "2001:db8:1::5" ] }"#,
    ))
    .unwrap_err();
    assert!(err.contains("circuit-id"), "{err}");
    let err = load(r#""host-reservation-identifiers": [ "flex-id", "client-id" ]"#).unwrap_err();
    assert!(
        err.contains("invalid host reservation identifier name 'client-id'"),
        "{err}"
    );
}
