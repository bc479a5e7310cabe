//! DHCPv6 side by side with real Kea 2.2 (kea-dhcp6): the same relayed
//! exchanges must get the same messages, bindings and statuses from both
//! servers. The configuration sets the reservation flags at each level:
//! global reservations by DUID consulted or not, subnet reservations
//! ignored, reservations promised out of the pools, and the older
//! `reservation-mode`. Needs root and Kea (tools/install-deps.sh); it
//! fails, not skips, without them.

use std::net::Ipv6Addr;

use xdhcp_dataplane::wire::v6::MessageType;

mod common;
use common::relay6::{dhcp6, duid, exchange, Ia};
use common::side_by_side::{self, fixed, V6};

fn duid_text(n: u8) -> String {
    let hex: Vec<String> = duid(n).iter().map(|b| format!("{b:02x}")).collect();
    hex.join(":")
}

/// An address of subnet `s` (2001:db8:s::/64).
const fn at(s: u16, host: u16) -> Ipv6Addr {
    Ipv6Addr::new(0x2001, 0xdb8, s, 0, 0, 0, 0, host)
}

/// Subnet 0xa keeps Kea's defaults (no global reservations), 0xb adds the
/// global ones, 0xc has only the global ones, the shared network of 0xd
/// says every reservation is out of the pools, 0xe and 0xf use the older
/// `reservation-mode` ("disabled", "global"). Pools are ::100 - ::1ff.
fn config(iface: &str, socket: &str) -> String {
    let host = |n: u8, what: &str| format!(r#"{{ "duid": "{}", {what} }}"#, duid_text(n));
    let addr = |n: u8, a: Ipv6Addr| host(n, &format!(r#""ip-addresses": [ "{a}" ]"#));
    let subnet = |s: u16, extra: &str, hosts: &[String]| {
        format!(
            r#"{{ "id": {s}, "subnet": "2001:db8:{s:x}::/64", {extra}
  "pools": [ {{ "pool": "2001:db8:{s:x}::100 - 2001:db8:{s:x}::1ff" }} ],
  "reservations": [ {} ] }}"#,
            hosts.join(", ")
        )
    };
    let subnets = [
        subnet(0xa, "", &[addr(13, at(0xa, 0x150))]),
        subnet(
            0xb,
            r#""reservations-global": true,
  "pd-pools": [ { "prefix": "2001:db8:b100::", "prefix-len": 40, "delegated-len": 56 } ],"#,
            &[addr(3, at(0xb, 0x33))],
        ),
        subnet(
            0xc,
            r#""reservations-global": true, "reservations-in-subnet": false,"#,
            &[addr(5, at(0xc, 0x155))],
        ),
        subnet(
            0xe,
            r#""reservation-mode": "disabled","#,
            &[addr(11, at(0xe, 0x11))],
        ),
        subnet(0xf, r#""reservation-mode": "global","#, &[]),
    ];
    let globals = [
        addr(1, at(0xa, 0x99)),
        addr(2, at(0xb, 0x99)),
        addr(3, at(0xb, 0x98)),
        addr(4, at(0xc, 0x99)),
        host(8, r#""prefixes": [ "2001:db8:f800::/56" ]"#),
        addr(15, at(0xf, 0x15)),
        addr(16, at(0x99, 0x16)),
        addr(18, at(0xb, 0x180)),
    ];
    let body = format!(
        r#""reservations": [ {} ],
  "shared-networks": [ {{ "name": "oop", "reservations-out-of-pool": true, "subnet6": [ {} ] }} ],
  "subnet6": [ {} ]"#,
        globals.join(", "),
        subnet(0xd, "", &[addr(6, at(0xd, 0x150)), addr(7, at(0xd, 0x7))]),
        subnets.join(",\n")
    );
    dhcp6(iface, socket, &body)
}

/// Client `n`'s message of `kind` asking for `ias`, relayed from the link
/// of subnet `s`.
fn relayed(kind: MessageType, n: u8, s: u16, ias: &[Ia]) -> Vec<u8> {
    common::relay6::relayed(kind, &duid(n), at(s, 1), ias)
}

/// One IA_NA hinting at `a`.
const fn asking(a: Ipv6Addr) -> [Ia; 1] {
    [Ia::Na(Some(a))]
}

fn script() -> Vec<(String, common::relay6::Step)> {
    use MessageType::{Request, Solicit};
    const NA: &[Ia] = &[Ia::Na(None)];
    const PD: &[Ia] = &[Ia::Pd(None)];
    // (step, message, client, subnet, IAs): one step a line.
    #[rustfmt::skip]
    let steps: [(&str, MessageType, u8, u16, &[Ia]); 17] = [
        ("defaults: global reservation ignored", Solicit, 1, 0xa, NA),
        ("defaults: another asks for a subnet reservation", Request, 12, 0xa, &asking(at(0xa, 0x150))),
        ("global+subnet: global reservation", Solicit, 2, 0xb, NA),
        ("global+subnet: REQUEST of it", Request, 2, 0xb, &asking(at(0xb, 0x99))),
        ("global+subnet: both, the subnet's wins", Solicit, 3, 0xb, NA),
        ("global+subnet: global prefix", Solicit, 8, 0xb, PD),
        ("global+subnet: global reservation outside the subnet", Solicit, 16, 0xb, NA),
        ("global+subnet: another asks for an in-pool global reservation", Request, 19, 0xb, &asking(at(0xb, 0x180))),
        ("global only: global prefix without pd-pools", Solicit, 8, 0xc, PD),
        ("global only: global reservation", Solicit, 4, 0xc, NA),
        ("global only: subnet reservation ignored", Solicit, 5, 0xc, NA),
        ("global only: another takes the ignored reservation", Request, 9, 0xc, &asking(at(0xc, 0x155))),
        ("out-of-pool: in-pool reservation not honoured", Solicit, 6, 0xd, NA),
        ("out-of-pool: another takes it", Request, 10, 0xd, &asking(at(0xd, 0x150))),
        ("out-of-pool: out-of-pool reservation", Solicit, 7, 0xd, NA),
        ("mode disabled: no reservation", Solicit, 11, 0xe, NA),
        ("mode global", Solicit, 15, 0xf, NA),
    ];
    steps
        .iter()
        .map(|&(name, kind, n, s, ias)| (name.to_string(), fixed(relayed(kind, n, s, ias))))
        .collect()
}

/// Where xdhcp deliberately answers otherwise (docs/DESIGN.md,
/// "Reservation flags"): Kea 2.2 hands out a global reservation's address
/// even outside the client's subnet; xdhcp only inside it.
const DELIBERATE: &[&str] = &["global+subnet: global reservation outside the subnet"];

#[test]
fn xdhcp_and_kea_6_honour_the_same_reservation_flags() {
    let (d, kea, _) =
        side_by_side::differences("f6", &V6, config, |lab| exchange(lab, script()), &[]);
    let unexpected = side_by_side::unexpected(&d, DELIBERATE);
    assert!(unexpected.is_empty(), "{unexpected:#?}");
    // The script means something: what Kea 2.2 bound, step by step.
    let bound: Vec<Option<(u8, Ipv6Addr, u8)>> = kea
        .iter()
        .map(|(_, s)| {
            let s = s.as_ref()?;
            let (addr, len, ..) = s.ias.first()?.4.first()?;
            Some((s.kind, *addr, *len))
        })
        .collect();
    let advertise = |a: Ipv6Addr| Some((2, a, 128));
    let reply = |a: Ipv6Addr| Some((7, a, 128));
    let prefix = Some((2, "2001:db8:f800::".parse().unwrap(), 56));
    assert_eq!(
        bound,
        [
            advertise(at(0xa, 0x100)),
            reply(at(0xa, 0x101)),
            advertise(at(0xb, 0x99)),
            reply(at(0xb, 0x99)),
            advertise(at(0xb, 0x33)),
            prefix,
            advertise(at(0x99, 0x16)),
            reply(at(0xb, 0x180)),
            prefix,
            advertise(at(0xc, 0x99)),
            advertise(at(0xc, 0x100)),
            reply(at(0xc, 0x155)),
            advertise(at(0xd, 0x100)),
            reply(at(0xd, 0x150)),
            advertise(at(0xd, 0x7)),
            advertise(at(0xe, 0x100)),
            advertise(at(0xf, 0x15)),
        ]
    );
}
