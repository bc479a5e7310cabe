//! DHCPv6 client classification side by side with real Kea 2.2
//! (`kea-dhcp6`): one configuration with class-guarded subnets, pools and
//! pd-pools, required (`only-if-required`) classes at the shared network,
//! subnet and pool levels, class options and lifetimes, reservations that
//! assign classes, KNOWN/UNKNOWN pool guards and DROP (on reception and
//! after the host lookup); SOLICITs, rapid commits, REQUESTs, RENEWs of
//! leases a class no longer opens, INFORMATION-REQUESTs. A relay in the
//! client namespace sends the same scripted messages to each server; the
//! replies must carry the same addresses, prefixes, lifetimes, status
//! codes and options. Needs root and Kea (tools/install-deps.sh); it
//! fails, not skips, without them.

use std::net::{Ipv6Addr, SocketAddrV6, UdpSocket};
use std::time::Duration;

use xdhcp_dataplane::wire::v6::{OptionIter, Packet6};

mod common;
use common::v6msg::{ia_na, ia_pd, oro, relay_forw, tlv, vendor_class};
use xdhcp_testlab::{scratch_dir, Lab, ServerProcess};

/// Option codes of the configuration's own options: `marker` shows which
/// scope won, `tag` which required class was evaluated.
const MARKER: u16 = 60100;
const TAG: u16 = 60102;

/// The configuration both servers load; `dir` keeps the server DUID.
fn config(iface: &str, dir: &str) -> String {
    format!(
        r#"{{ "Dhcp6": {{
  "interfaces-config": {{ "interfaces": [ "{iface}" ] }},
  "data-directory": "{dir}",
  "lease-database": {{ "type": "memfile", "persist": false }},
  "preferred-lifetime": 3000, "valid-lifetime": 4000,
  "renew-timer": 1000, "rebind-timer": 2000,
  "reservations-global": true, "reservations-in-subnet": true,
  "option-def": [ {{ "name": "marker", "code": {MARKER}, "type": "string" }},
                  {{ "name": "tag", "code": {TAG}, "type": "string" }} ],
  "option-data": [ {{ "name": "dns-servers", "data": "2001:db8::53" }},
                   {{ "name": "marker", "data": "global" }} ],
  "client-classes": [
    {{ "name": "DROP", "test": "substring(option[1].hex,5,1) == 0xdd or (member('KNOWN') and substring(option[1].hex,5,1) == 0x44)" }},
    {{ "name": "gold", "test": "substring(option[1].hex,5,1) == 0x11",
       "preferred-lifetime": 1000, "valid-lifetime": 2000,
       "option-data": [ {{ "name": "marker", "data": "gold" }},
                        {{ "name": "sntp-servers", "data": "2001:db8::123" }} ] }},
    {{ "name": "silver", "test": "substring(option[1].hex,5,1) == 0x22",
       "valid-lifetime": 3500,
       "option-data": [ {{ "name": "marker", "data": "silver" }},
                        {{ "name": "dns-servers", "data": "2001:db8::22" }} ] }},
    {{ "name": "voip", "test": "option[16].exists",
       "valid-lifetime": 5000, "min-valid-lifetime": 4500, "max-valid-lifetime": 5500,
       "preferred-lifetime": 3500,
       "option-data": [ {{ "name": "marker", "data": "voip" }} ] }},
    {{ "name": "req-a", "test": "member('ALL')", "only-if-required": true,
       "option-data": [ {{ "name": "tag", "data": "req-a" }} ] }},
    {{ "name": "req-b", "test": "substring(option[1].hex,5,1) == 0x33", "only-if-required": true,
       "option-data": [ {{ "name": "tag", "data": "req-b" }},
                        {{ "name": "marker", "data": "req-b" }} ] }},
    {{ "name": "no-test-req", "only-if-required": true,
       "option-data": [ {{ "name": "tag", "data": "no-test-req" }} ] }},
    {{ "name": "known-cls", "test": "member('KNOWN')",
       "option-data": [ {{ "name": "tag", "data": "known" }} ] }},
    {{ "name": "reserved_class",
       "option-data": [ {{ "name": "marker", "data": "reserved" }} ] }},
    {{ "name": "unreserved_class", "test": "not member('reserved_class')" }}
  ],
  "reservations": [
    {{ "duid": "00:03:00:01:02:00:00:00:00:09", "client-classes": [ "reserved_class" ] }}
  ],
  "subnet6": [
    {{ "id": 1, "subnet": "2001:db8:1::/64", "rapid-commit": true,
       "require-client-classes": [ "req-b" ],
       "option-data": [ {{ "name": "dns-servers", "data": "2001:db8:1::53" }} ],
       "pools": [
         {{ "pool": "2001:db8:1::100 - 2001:db8:1::1ff", "client-class": "gold",
            "require-client-classes": [ "no-test-req" ],
            "option-data": [ {{ "name": "marker", "data": "pool-gold" }} ] }},
         {{ "pool": "2001:db8:1::200 - 2001:db8:1::2ff", "client-class": "reserved_class" }},
         {{ "pool": "2001:db8:1::1000 - 2001:db8:1::10ff" }} ],
       "pd-pools": [
         {{ "prefix": "2001:db8:100::", "prefix-len": 40, "delegated-len": 56,
            "client-class": "gold" }},
         {{ "prefix": "2001:db8:200::", "prefix-len": 40, "delegated-len": 60,
            "require-client-classes": [ "req-a" ],
            "option-data": [ {{ "name": "dns-servers", "data": "2001:db8:200::53" }} ] }} ],
       "reservations": [
         {{ "duid": "00:03:00:01:02:00:00:00:00:07", "client-classes": [ "reserved_class" ] }},
         {{ "duid": "00:03:00:01:02:00:00:00:00:08", "ip-addresses": [ "2001:db8:1::50" ] }},
         {{ "duid": "00:03:00:01:02:33:00:00:00:1a", "client-classes": [ "reserved_class" ] }} ] }},
    {{ "id": 6, "subnet": "2001:db8:6::/64",
       "pools": [ {{ "pool": "2001:db8:6::100 - 2001:db8:6::1ff", "client-class": "KNOWN" }} ],
       "pd-pools": [ {{ "prefix": "2001:db8:600::", "prefix-len": 40, "delegated-len": 56,
                        "client-class": "UNKNOWN" }} ],
       "reservations": [ {{ "duid": "00:03:00:01:02:00:00:00:00:0b", "hostname": "k6" }},
                         {{ "duid": "00:03:00:01:02:44:00:00:00:1e", "hostname": "dropped" }} ] }},
    {{ "id": 8, "subnet": "2001:db8:8::/64", "rapid-commit": true,
       "pools": [ {{ "pool": "2001:db8:8::100 - 2001:db8:8::1ff", "client-class": "voip" }},
                  {{ "pool": "2001:db8:8::1000 - 2001:db8:8::10ff" }} ] }}
  ],
  "shared-networks": [
    {{ "name": "floor", "require-client-classes": [ "req-b" ],
       "relay": {{ "ip-addresses": [ "2001:db8:99::1" ] }},
       "option-data": [ {{ "name": "marker", "data": "net" }} ],
       "subnet6": [
         {{ "id": 2, "subnet": "2001:db8:2::/64", "client-class": "silver",
            "pools": [ {{ "pool": "2001:db8:2::100 - 2001:db8:2::1ff" }} ],
            "option-data": [ {{ "name": "marker", "data": "s2" }} ] }},
         {{ "id": 3, "subnet": "2001:db8:3::/64", "require-client-classes": [ "req-a" ],
            "pools": [ {{ "pool": "2001:db8:3::100 - 2001:db8:3::1ff" }} ],
            "reservations": [ {{ "duid": "00:03:00:01:02:00:00:00:00:0a",
                                 "client-classes": [ "gold" ] }} ] }} ] }},
    {{ "name": "lab",
       "subnet6": [
         {{ "id": 4, "subnet": "2001:db8:4::/64",
            "pools": [ {{ "pool": "2001:db8:4::100 - 2001:db8:4::1ff",
                          "client-class": "reserved_class" }} ] }},
         {{ "id": 5, "subnet": "2001:db8:5::/64",
            "pools": [ {{ "pool": "2001:db8:5::100 - 2001:db8:5::1ff",
                          "client-class": "unreserved_class" }} ] }} ] }}
  ]
}} }}"#
    )
}

/// One scripted message: who sends it, from which link, asking for what.
#[derive(Clone, Copy)]
struct Step {
    /// Message type (1 SOLICIT, 3 REQUEST, 4 CONFIRM, 5 RENEW, 6 REBIND,
    /// 8 RELEASE, 11 INFORMATION-REQUEST); REQUEST, RENEW and RELEASE
    /// name the server.
    kind: u8,
    /// The client's class byte (the DUID's 6th byte) and number.
    class: u8,
    n: u8,
    /// The relay's link-address is `2001:db8:<link>::1`.
    link: u16,
    na: bool,
    pd: bool,
    /// Sends a vendor class option (the `voip` class).
    vendor: bool,
    rapid: bool,
    /// IAADDR hint: address and preferred/valid lifetimes.
    hint: Option<(&'static str, u32, u32)>,
}

const SOLICIT: Step = Step {
    kind: 1,
    class: 0,
    n: 0,
    link: 1,
    na: true,
    pd: false,
    vendor: false,
    rapid: false,
    hint: None,
};

impl Step {
    fn duid(&self) -> [u8; 10] {
        [0, 3, 0, 1, 2, self.class, 0, 0, 0, self.n]
    }

    /// The RELAY-FORW carrying the client's message (naming the server
    /// `server_id` when a REQUEST or RENEW).
    fn message(&self, server_id: &[u8]) -> Vec<u8> {
        let mut msg = vec![self.kind, 0x5e, self.class, self.n];
        msg.extend(tlv(1, &self.duid()));
        if matches!(self.kind, 3 | 5 | 8) {
            msg.extend(tlv(2, server_id));
        }
        msg.extend(tlv(8, &[0, 0]));
        msg.extend(oro(&[23, 31, MARKER, TAG]));
        if self.rapid {
            msg.extend(tlv(14, &[]));
        }
        if self.vendor {
            msg.extend(vendor_class(b"phone"));
        }
        if self.na {
            let hint = self.hint.map(|(a, p, v)| (a.parse().unwrap(), p, v));
            msg.extend(ia_na(1, hint));
        }
        if self.pd {
            msg.extend(ia_pd(2));
        }
        let link = Ipv6Addr::new(0x2001, 0xdb8, self.link, 0, 0, 0, 0, 1);
        let peer = Ipv6Addr::new(
            0xfe80,
            0,
            0,
            0,
            0,
            0,
            u16::from(self.class),
            u16::from(self.n),
        );
        relay_forw(link, peer, &msg)
    }
}

/// The script: (what it checks, message).
fn script() -> Vec<(&'static str, Step)> {
    let s = SOLICIT;
    let gold_rapid = Step {
        class: 0x11,
        n: 20,
        pd: true,
        rapid: true,
        ..s
    };
    vec![
        (
            "gold client: gold pool and pd-pool, class lifetimes, pool options",
            Step {
                class: 0x11,
                n: 2,
                pd: true,
                ..s
            },
        ),
        (
            "subnet reservation with reserved_class",
            Step {
                n: 7,
                pd: true,
                ..s
            },
        ),
        ("global reservation with reserved_class", Step { n: 9, ..s }),
        (
            "plain client: open pool, open pd-pool requiring req-a",
            Step {
                n: 1,
                pd: true,
                ..s
            },
        ),
        (
            "req-b client: required by the subnet",
            Step {
                class: 0x33,
                n: 3,
                ..s
            },
        ),
        (
            "silver client: class valid lifetime",
            Step {
                class: 0x22,
                n: 4,
                ..s
            },
        ),
        (
            "voip client hinting lifetimes: class bounds",
            Step {
                n: 5,
                vendor: true,
                hint: Some(("::", 100, 9999)),
                ..s
            },
        ),
        (
            "gold and voip client: first class wins",
            Step {
                class: 0x11,
                n: 6,
                vendor: true,
                ..s
            },
        ),
        ("reservation of an address: KNOWN", Step { n: 8, ..s }),
        (
            "DROP",
            Step {
                class: 0xdd,
                n: 12,
                ..s
            },
        ),
        (
            "silver on the silver subnet's link",
            Step {
                class: 0x22,
                n: 13,
                link: 2,
                ..s
            },
        ),
        (
            "silver through the shared network's relay",
            Step {
                class: 0x22,
                n: 25,
                link: 0x99,
                ..s
            },
        ),
        (
            "plain through the shared network's relay: the subnet its class opens",
            Step {
                n: 14,
                link: 0x99,
                ..s
            },
        ),
        (
            "plain on an open subnet of a shared network",
            Step {
                n: 15,
                link: 3,
                ..s
            },
        ),
        (
            "silver on the open subnet of a shared network",
            Step {
                class: 0x22,
                n: 16,
                link: 3,
                ..s
            },
        ),
        (
            "shared-network reservation with gold: classes after allocation",
            Step {
                n: 10,
                link: 3,
                ..s
            },
        ),
        (
            "global reservation on the reserved_class subnet's link",
            Step { n: 9, link: 4, ..s },
        ),
        (
            "plain on the reserved_class subnet's link",
            Step {
                n: 17,
                link: 4,
                ..s
            },
        ),
        (
            "global reservation on the unreserved_class subnet's link",
            Step { n: 9, link: 5, ..s },
        ),
        (
            "UNKNOWN client: KNOWN pool and UNKNOWN pd-pool",
            Step {
                n: 18,
                link: 6,
                pd: true,
                ..s
            },
        ),
        (
            "KNOWN client: KNOWN pool and UNKNOWN pd-pool",
            Step {
                n: 11,
                link: 6,
                pd: true,
                ..s
            },
        ),
        (
            "INFORMATION-REQUEST from gold",
            Step {
                kind: 11,
                class: 0x11,
                n: 19,
                na: false,
                ..s
            },
        ),
        ("rapid commit, gold", gold_rapid),
        ("rapid commit, gold, again", gold_rapid),
        (
            "plain hinting a gold pool address",
            Step {
                n: 21,
                hint: Some(("2001:db8:1::150", 0, 0)),
                ..s
            },
        ),
        (
            "gold hinting an open pool address",
            Step {
                class: 0x11,
                n: 22,
                hint: Some(("2001:db8:1::1050", 0, 0)),
                ..s
            },
        ),
        (
            "rapid commit, plain",
            Step {
                n: 23,
                pd: true,
                rapid: true,
                ..s
            },
        ),
        (
            "rapid commit, plain, again",
            Step {
                n: 23,
                pd: true,
                rapid: true,
                ..s
            },
        ),
        (
            "rapid commit, req-b",
            Step {
                class: 0x33,
                n: 24,
                rapid: true,
                ..s
            },
        ),
        (
            "reserved req-b client: class options in the order classes came",
            Step {
                class: 0x33,
                n: 26,
                ..s
            },
        ),
        (
            "req-b client through the shared network",
            Step {
                class: 0x33,
                n: 27,
                link: 3,
                ..s
            },
        ),
        (
            "voip client commits in the voip pool",
            Step {
                n: 28,
                link: 8,
                vendor: true,
                rapid: true,
                ..s
            },
        ),
        (
            "RENEW without the vendor class: the pool is closed to it",
            Step {
                kind: 5,
                n: 28,
                link: 8,
                hint: Some(("2001:db8:8::100", 0, 0)),
                ..s
            },
        ),
        (
            "RENEW with the vendor class again: the lease it has",
            Step {
                kind: 5,
                n: 28,
                link: 8,
                vendor: true,
                hint: Some(("2001:db8:8::1000", 0, 0)),
                ..s
            },
        ),
        (
            "REQUEST of a voip pool address by a plain client",
            Step {
                kind: 3,
                n: 29,
                link: 8,
                hint: Some(("2001:db8:8::150", 0, 0)),
                ..s
            },
        ),
        (
            "REQUEST of an open pool address by a voip client",
            Step {
                kind: 3,
                n: 30,
                link: 8,
                vendor: true,
                hint: Some(("2001:db8:8::1050", 0, 0)),
                ..s
            },
        ),
        (
            "voip client commits again in the voip pool",
            Step {
                n: 31,
                link: 8,
                vendor: true,
                rapid: true,
                ..s
            },
        ),
        (
            "RENEW with the vendor class: subnet lifetimes on renewal",
            Step {
                kind: 5,
                n: 31,
                link: 8,
                vendor: true,
                hint: Some(("2001:db8:8::101", 0, 0)),
                ..s
            },
        ),
        (
            "RENEW without the vendor class of an open pool lease",
            Step {
                kind: 5,
                n: 30,
                link: 8,
                hint: Some(("2001:db8:8::1050", 0, 0)),
                ..s
            },
        ),
        (
            "plain on the silver subnet's link: no subnet",
            Step {
                n: 32,
                link: 2,
                pd: true,
                ..s
            },
        ),
        (
            "SOLICIT from a link without a subnet",
            Step {
                class: 0x11,
                n: 33,
                link: 0x77,
                pd: true,
                ..s
            },
        ),
        (
            "REQUEST from a link without a subnet",
            Step {
                kind: 3,
                class: 0x11,
                n: 33,
                link: 0x77,
                hint: Some(("2001:db8:77::5", 0, 0)),
                ..s
            },
        ),
        (
            "RENEW from a link without a subnet",
            Step {
                kind: 5,
                class: 0x11,
                n: 33,
                link: 0x77,
                hint: Some(("2001:db8:77::5", 0, 0)),
                ..s
            },
        ),
        (
            "REBIND from a link without a subnet",
            Step {
                kind: 6,
                class: 0x11,
                n: 33,
                link: 0x77,
                hint: Some(("2001:db8:77::5", 0, 0)),
                ..s
            },
        ),
        (
            "RELEASE from a link without a subnet",
            Step {
                kind: 8,
                class: 0x11,
                n: 33,
                link: 0x77,
                hint: Some(("2001:db8:77::5", 0, 0)),
                ..s
            },
        ),
        (
            "CONFIRM from a link without a subnet",
            Step {
                kind: 4,
                class: 0x11,
                n: 33,
                link: 0x77,
                hint: Some(("2001:db8:77::5", 0, 0)),
                ..s
            },
        ),
        (
            "INFORMATION-REQUEST from a link without a subnet",
            Step {
                kind: 11,
                class: 0x11,
                n: 33,
                link: 0x77,
                na: false,
                ..s
            },
        ),
        (
            "DROP after the host lookup",
            Step {
                class: 0x44,
                n: 0x1e,
                link: 6,
                ..s
            },
        ),
        (
            "the same class test, unknown client",
            Step {
                class: 0x44,
                n: 0x1f,
                link: 6,
                ..s
            },
        ),
    ]
}

/// What is compared of a reply: its type and each option of the client
/// message but the server identifier, IAs and status codes decoded (status
/// texts differ between servers and are left out).
fn seen(reply: &[u8]) -> Vec<String> {
    let p = Packet6::parse(reply).expect("a valid reply");
    let msg = p.innermost();
    let mut out = vec![format!("type {}", msg.msg_type().code())];
    for (code, data) in OptionIter::new(msg.options().as_bytes()) {
        match code {
            2 => {}
            3 | 25 => out.push(ia(code, data)),
            13 => out.push(format!("status {}", u16::from_be_bytes([data[0], data[1]]))),
            _ => out.push(format!("{code}: {data:02x?}")),
        }
    }
    out.sort();
    out
}

/// An IA_NA or IA_PD as text: IAID, T1, T2, bindings, status.
fn ia(code: u16, data: &[u8]) -> String {
    let word = |i: usize| u32::from_be_bytes(data[i..i + 4].try_into().unwrap());
    let mut s = format!("IA {code} iaid {} T1 {} T2 {}", word(0), word(4), word(8));
    for (c, d) in OptionIter::new(&data[12..]) {
        let w = |i: usize| u32::from_be_bytes(d[i..i + 4].try_into().unwrap());
        match c {
            5 => {
                let a = Ipv6Addr::from(<[u8; 16]>::try_from(&d[..16]).unwrap());
                s += &format!(" addr {a} {}/{}", w(16), w(20));
            }
            26 => {
                let a = Ipv6Addr::from(<[u8; 16]>::try_from(&d[9..25]).unwrap());
                s += &format!(" prefix {a}/{} {}/{}", d[8], w(0), w(4));
            }
            13 => s += &format!(" status {}", u16::from_be_bytes([d[0], d[1]])),
            _ => s += &format!(" {c}: {d:02x?}"),
        }
    }
    s
}

/// Sends the script from a relay in `lab`'s client namespace to the
/// All_DHCP_Relay_Agents_and_Servers group on its link.
fn exchange(lab: &Lab) -> Vec<(String, Option<Vec<String>>)> {
    let peer = lab.peer.clone();
    lab.in_client(move || {
        let name = std::ffi::CString::new(peer).unwrap();
        // SAFETY: a NUL-terminated name; the call only reads it.
        let scope = unsafe { libc::if_nametoindex(name.as_ptr()) };
        assert!(scope != 0, "no index for the relay's interface");
        let sock = UdpSocket::bind("[::]:547").expect("the relay's port");
        sock.set_read_timeout(Some(Duration::from_millis(800)))
            .unwrap();
        let to = SocketAddrV6::new("ff02::1:2".parse().unwrap(), 547, 0, scope);
        // The link-local address the relay sends from may still be
        // coming up.
        for _ in 0..50 {
            if sock.send_to(&[], to).is_ok() {
                break;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let mut out = Vec::new();
        let mut server_id = Vec::new();
        for (what, step) in script() {
            sock.send_to(&step.message(&server_id), to).unwrap();
            let mut buf = [0u8; 2000];
            let got = sock.recv(&mut buf).ok().map(|n| &buf[..n]);
            if let Some(id) = got.and_then(|r| {
                let p = Packet6::parse(r).ok()?;
                p.innermost().server_id().map(|d| d.as_bytes().to_vec())
            }) {
                server_id = id;
            }
            out.push((what.to_string(), got.map(seen)));
        }
        out
    })
    .join()
    .unwrap()
}

/// The script's answers from a server started as `command` (the
/// configuration file appended) in a lab of its own.
fn answers(tag: &str, command: &[&str], ready: &str) -> Vec<(String, Option<Vec<String>>)> {
    let lab = Lab::new(tag);
    let dir = scratch_dir(&format!("sbs6-{tag}"));
    let file = dir.join(format!("kea-{tag}.json"));
    std::fs::write(&file, config(&lab.iface, dir.to_str().unwrap())).unwrap();
    let mut args = command.to_vec();
    args.push(file.to_str().unwrap());
    let server = ServerProcess::start(lab.server_command(&args), ready);
    let got = exchange(&lab);
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
    got
}

#[test]
fn xdhcp_and_kea_classify_dhcpv6_clients_the_same_way() {
    assert!(
        std::path::Path::new("/usr/sbin/kea-dhcp6").exists(),
        "kea-dhcp6 missing: run tools/install-deps.sh"
    );
    std::fs::create_dir_all("/run/kea").expect("/run/kea");
    let kea = answers("k6c", &["kea-dhcp6", "-c"], "DHCP6_STARTED");
    let bin = env!("CARGO_BIN_EXE_xdhcp-controlplane");
    let ours = answers("x6c", &[bin, "-c"], "DHCP4_STARTED");
    if std::env::var_os("SHOW_KEA").is_some() {
        println!("{kea:#?}");
    }
    let mut differences = Vec::new();
    for ((what, k), (_, x)) in kea.iter().zip(&ours) {
        if k != x {
            differences.push(format!("{what}:\n  kea   {k:?}\n  xdhcp {x:?}"));
        }
    }
    assert!(differences.is_empty(), "{}", differences.join("\n"));
    // The script means something: Kea answered all but the two DROPs,
    // and the classes decided addresses, prefixes and options.
    let silent: Vec<&str> = kea
        .iter()
        .filter(|(_, k)| k.is_none())
        .map(|(w, _)| w.as_str())
        .collect();
    assert_eq!(silent, ["DROP", "DROP after the host lookup"], "{kea:#?}");
    let text = format!("{kea:?}");
    for expected in [
        "addr 2001:db8:1::100 1000/2000",
        "prefix 2001:db8:100::/56",
        "addr 2001:db8:1::200",
        "addr 2001:db8:2::100",
        "addr 2001:db8:3::",
        "addr 2001:db8:4::100",
        "addr 2001:db8:5::100",
        "addr 2001:db8:6::100",
        "prefix 2001:db8:600::/56",
    ] {
        assert!(
            text.contains(expected),
            "Kea's answers lack {expected}: {kea:#?}"
        );
    }
}
