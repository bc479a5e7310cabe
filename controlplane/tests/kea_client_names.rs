//! Client names side by side with real Kea 2.2 (DNS updates disabled):
//! clients with and without a reserved hostname send a Host Name
//! (option 12), ask for one in their parameter list, send a Client FQDN
//! (81 in DHCPv4, 39 in DHCPv6) or nothing; both servers must answer with
//! the same options and keep the same hostname in the lease, as
//! `lease4-get-all` / `lease6-get-all` (Kea's lease_cmds hook) show it.
//! One configuration keeps Kea's defaults, another sets a qualifying
//! suffix, a generated prefix, a character set to clean and a
//! replacement mode. Needs root and Kea (tools/install-deps.sh); it fails,
//! not skips, without them.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, UdpSocket};
use std::os::unix::net::UnixStream;
use std::time::Duration;

use serde_json::Value;
use xdhcp_dataplane::wire::v4::MessageType;
use xdhcp_dataplane::wire::v6::{self, Packet6};
use xdhcp_testlab::{control, Lab};

mod common;
use common::relay4::{self, Seen};
use common::relay6;
use common::side_by_side::{self, control_socket, Answers, V4, V6};

const LEASE_CMDS: &str = "/usr/lib/x86_64-linux-gnu/kea/hooks/libdhcp_lease_cmds.so";

/// What one step shows: a reply (v4 in full; v6 as type, first address
/// and Client FQDN), or the leases' names.
#[derive(Debug, PartialEq)]
enum Step {
    Reply4(Seen),
    Reply6 {
        kind: u8,
        addr: Option<Ipv6Addr>,
        fqdn: Option<Vec<u8>>,
    },
    Leases(Vec<Value>),
}

/// What a client does: DISCOVER then REQUEST (SOLICIT then REQUEST) for
/// what it was offered, or renew the lease it got earlier.
#[derive(Clone, Copy, PartialEq)]
enum Act {
    Get,
    Renew,
}

/// Options a client sends: code and value.
type Sent = [(u16, Vec<u8>)];

/// A step of a script: what it shows, the client's number, the options it
/// sends and what it does.
type Case = (&'static str, u8, Vec<(u16, Vec<u8>)>, Act);

/// `name` in DNS wire format (a trailing dot ends it with the root label).
fn wire(name: &str) -> Vec<u8> {
    let mut out = Vec::new();
    for label in name.trim_end_matches('.').split('.') {
        out.push(label.len() as u8);
        out.extend(label.as_bytes());
    }
    if name.ends_with('.') {
        out.push(0);
    }
    out
}

/// A Client FQDN option value: `flags`, (v4) two RCODE bytes, the name.
fn fqdn(flags: u8, rcodes: Option<[u8; 2]>, name: &[u8]) -> Vec<u8> {
    let mut v = vec![flags];
    v.extend(rcodes.iter().flatten());
    v.extend(name);
    v
}

/// The names of the leases on the server of `lab`, once its control
/// socket answers: address, client, hostname and DNS flags, sorted.
fn leases(lab: &Lab, family: &str) -> Step {
    let socket = control_socket(&lab.iface);
    for _ in 0..100 {
        if UnixStream::connect(&socket).is_ok() {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let command = format!(r#"{{ "command": "lease{family}-get-all" }}"#);
    let answer = control(&socket, &command);
    let mut all: Vec<Value> = answer["arguments"]["leases"]
        .as_array()
        .unwrap_or_else(|| panic!("lease{family}-get-all: {answer}"))
        .iter()
        .map(|l| {
            let keys = [
                "ip-address",
                "hw-address",
                "duid",
                "hostname",
                "fqdn-fwd",
                "fqdn-rev",
            ];
            keys.iter().map(|k| (k.to_string(), l[k].clone())).collect()
        })
        .collect();
    all.sort_by_key(|l| l["ip-address"].to_string());
    Step::Leases(all)
}

/// How a family's clients talk to the server through the test's relay:
/// each case's messages (`steps` names them: first, second with the
/// address offered, renewal of the address leased) and what a reply shows.
struct Speaker {
    relay: SocketAddr,
    server: SocketAddr,
    /// "4" or "6", for the lease commands.
    family: &'static str,
    steps: [&'static str; 3],
    /// Client `n`'s message for step 0, 1 or 2 with its options and the
    /// address concerned.
    make: fn(usize, u8, &Sent, Option<IpAddr>) -> Vec<u8>,
    /// What a reply shows, and the address it gives.
    show: fn(&[u8]) -> (Step, Option<IpAddr>),
}

/// Runs `cases` as `speaker` from the relay in `lab`, then lists the
/// leases.
fn run(lab: &Lab, speaker: &'static Speaker, cases: Vec<Case>) -> Answers<Step> {
    let client = lab.client.clone();
    let mut out: Answers<Step> = std::thread::spawn(move || {
        xdhcp_testlab::enter(&client);
        let sock = UdpSocket::bind(speaker.relay).unwrap();
        sock.set_read_timeout(Some(Duration::from_millis(700)))
            .unwrap();
        let mut leased = HashMap::new();
        let mut out = Vec::new();
        let mut ask = |what: &str, step: usize, n: u8, sent: &Sent, at| {
            let msg = (speaker.make)(step, n, sent, at);
            sock.send_to(&msg, speaker.server).unwrap();
            let mut buf = [0u8; 1500];
            let shown = sock
                .recv(&mut buf)
                .ok()
                .map(|len| (speaker.show)(&buf[..len]));
            let given = shown.as_ref().and_then(|s| s.1);
            out.push((
                format!("{what}: {}", speaker.steps[step]),
                shown.map(|s| s.0),
            ));
            given
        };
        for (what, n, sent, act) in cases {
            if act == Act::Renew {
                ask(what, 2, n, &sent, leased.get(&n).copied());
                continue;
            }
            if let Some(offered) = ask(what, 0, n, &sent, None) {
                ask(what, 1, n, &sent, Some(offered));
                leased.insert(n, offered);
            }
        }
        out
    })
    .join()
    .unwrap();
    out.push(("the leases".into(), Some(leases(lab, speaker.family))));
    out
}

// DHCPv4 --------------------------------------------------------------

const SERVER4: Ipv4Addr = Ipv4Addr::new(198, 51, 100, 1);
const RELAY4: Ipv4Addr = Ipv4Addr::new(198, 51, 100, 2);

/// A parameter list without and with the Host Name.
const PRL: &[u8] = &[1, 3, 6];
const PRL_12: &[u8] = &[1, 3, 6, 12];

/// Clients 0x51 - 0x54 have hostnames reserved; `globals` and `subnet`
/// are more keys at those levels.
fn config4(iface: &str, socket: &str, globals: &str, subnet: &str) -> String {
    format!(
        r#"{{ "Dhcp4": {{
  "interfaces-config": {{ "interfaces": [ "{iface}" ], "dhcp-socket-type": "{socket}" }},
  "lease-database": {{ "type": "memfile", "persist": false }},
  "valid-lifetime": 3600,
  "control-socket": {{ "socket-type": "unix", "socket-name": "{}" }},
  "hooks-libraries": [ {{ "library": "{LEASE_CMDS}" }} ],
  {globals}
  "subnet4": [ {{
    "id": 1, "subnet": "203.0.113.0/24", {subnet}
    "relay": {{ "ip-addresses": [ "{RELAY4}" ] }},
    "pools": [ {{ "pool": "203.0.113.10 - 203.0.113.200" }} ],
    "reservations": [
      {{ "hw-address": "02:00:00:00:aa:51", "hostname": "Reserved-One" }},
      {{ "hw-address": "02:00:00:00:aa:52", "hostname": "two.example.org" }},
      {{ "hw-address": "02:00:00:00:aa:53", "hostname": "Three" }},
      {{ "hw-address": "02:00:00:00:aa:54", "hostname": "four" }} ]
  }} ]
}} }}"#,
        control_socket(iface)
    )
}

/// DHCPv4 as a [`Speaker`]: DISCOVER, REQUEST, REQUEST renewing.
const SPEAKER4: Speaker = Speaker {
    relay: SocketAddr::new(IpAddr::V4(RELAY4), 67),
    server: SocketAddr::new(IpAddr::V4(SERVER4), 67),
    family: "4",
    steps: ["DISCOVER", "REQUEST", "REQUEST renewing"],
    make: message4,
    show: |reply| {
        let seen = relay4::seen(reply);
        let yiaddr = Some(seen.yiaddr).filter(|a| !a.is_unspecified());
        (Step::Reply4(seen), yiaddr.map(IpAddr::V4))
    },
};

/// Client `mac`'s message for `step` of [`SPEAKER4`]: the address offered
/// is requested, the one leased renewed (ciaddr).
fn message4(step: usize, mac: u8, sent: &Sent, at: Option<IpAddr>) -> Vec<u8> {
    let mut opts: Vec<(u8, &[u8])> = sent.iter().map(|(c, v)| (*c as u8, &v[..])).collect();
    let at = match at {
        Some(IpAddr::V4(a)) => a,
        _ => Ipv4Addr::UNSPECIFIED,
    };
    let (a, sid) = (at.octets(), SERVER4.octets());
    let (kind, ciaddr) = match step {
        0 => (MessageType::Discover, Ipv4Addr::UNSPECIFIED),
        1 => {
            opts.extend([(50, &a[..]), (54, &sid[..])]);
            (MessageType::Request, Ipv4Addr::UNSPECIFIED)
        }
        _ => (MessageType::Request, at),
    };
    relay4::relayed(Some(kind), mac, ciaddr, RELAY4, &opts)
}

/// Option 12 and option 81 (with the PRL) as a case's options.
fn sends(extra: &[(u16, Vec<u8>)], prl: &[u8]) -> Vec<(u16, Vec<u8>)> {
    let mut all = vec![(55, prl.to_vec())];
    all.extend(extra.iter().cloned());
    all
}

fn host_name(name: &str) -> (u16, Vec<u8>) {
    (12, name.as_bytes().to_vec())
}

fn fqdn4(flags: u8, name: &[u8]) -> (u16, Vec<u8>) {
    (81, fqdn(flags, Some([0, 0]), name))
}

#[rustfmt::skip]
fn default_cases4() -> Vec<Case> {
    use Act::{Get, Renew};
    vec![
        ("reserved, sends no name", 0x51, sends(&[], PRL), Get),
        ("reserved, sends a Host Name", 0x52, sends(&[host_name("Client-Name")], PRL), Get),
        ("reserved, sends an ASCII FQDN", 0x53, sends(&[fqdn4(1, b"foo")], PRL), Get),
        ("reserved, sends a wire FQDN", 0x54, sends(&[fqdn4(5, &wire("foo.bar."))], PRL), Get),
        ("Host Name", 0x61, sends(&[host_name("MyHost")], PRL), Get),
        ("Host Name to clean", 0x62, sends(&[host_name("my host_x!.Example.com")], PRL), Get),
        ("full Host Name", 0x63, sends(&[host_name("host.example.com.")], PRL), Get),
        ("Host Name '.'", 0x64, sends(&[host_name(".")], PRL), Get),
        ("Host Name in spaces", 0x65, sends(&[host_name("  padded  ")], PRL), Get),
        ("asks for option 12 only", 0x66, sends(&[], PRL_12), Get),
        ("ASCII FQDN, S", 0x67, sends(&[fqdn4(1, b"laptop")], PRL), Get),
        ("wire FQDN, partial", 0x68, sends(&[fqdn4(4, &wire("Laptop"))], PRL), Get),
        ("wire FQDN, full", 0x69, sends(&[fqdn4(4, &wire("laptop.example.com."))], PRL), Get),
        ("FQDN with N and RCODEs", 0x6a, sends(&[(81, fqdn(8, Some([0xff, 0xff]), b"lap"))], PRL), Get),
        ("empty FQDN", 0x6b, sends(&[fqdn4(1, b"")], PRL), Get),
        ("Host Name and FQDN", 0x6c, sends(&[host_name("hn"), fqdn4(1, b"fq")], PRL), Get),
        ("no name", 0x6d, sends(&[], PRL), Get),
        ("Host Name, renewed without it", 0x61, sends(&[], PRL), Renew),
        ("reserved, renewed", 0x51, sends(&[], PRL_12), Renew),
    ]
}

#[test]
fn xdhcp_and_kea_answer_dhcpv4_names_alike() {
    // A configured host-name option answers a client that asks for one
    // and has no name of its own.
    let globals = r#""option-data": [ { "name": "host-name", "data": "configured" } ],"#;
    let config = |iface: &str, socket: &str| config4(iface, socket, globals, "");
    let run = |lab: &Lab| run(lab, &SPEAKER4, default_cases4());
    let (d, kea, _) = side_by_side::differences("n4", &V4, config, run, &[]);
    assert!(d.is_empty(), "{}", d.join("\n"));
    // The script means something: Kea sent the reserved name unasked and
    // kept names in its leases.
    let offer = |i: usize| match &kea[i].1 {
        Some(Step::Reply4(s)) => s.options.get(&12).cloned(),
        other => panic!("{other:?}"),
    };
    assert_eq!(offer(0), Some(b"reserved-one".to_vec()));
    let Some(Step::Leases(leases)) = &kea.last().unwrap().1 else {
        panic!("no leases from Kea")
    };
    let named = leases.iter().filter(|l| l["hostname"] != "").count();
    assert!(named >= 12, "{leases:?}");
}

#[rustfmt::skip]
fn rules_cases4() -> Vec<Case> {
    use Act::Get;
    vec![
        ("reserved, sends no name", 0x53, sends(&[], PRL), Get),
        ("reserved, sends an FQDN", 0x54, sends(&[fqdn4(1, b"x")], PRL), Get),
        ("partial Host Name", 0x61, sends(&[host_name("My-Host9")], PRL), Get),
        ("full Host Name", 0x62, sends(&[host_name("My-Host9.Dom.Org")], PRL), Get),
        ("Host Name '.'", 0x63, sends(&[host_name(".")], PRL), Get),
        ("partial FQDN", 0x64, sends(&[fqdn4(1, b"My-Host9")], PRL), Get),
        ("full FQDN", 0x65, sends(&[fqdn4(1, b"My-Host9.dom.")], PRL), Get),
        ("empty FQDN", 0x66, sends(&[fqdn4(1, b"")], PRL), Get),
        ("no name", 0x67, sends(&[], PRL), Get),
        ("asks for option 12 only", 0x68, sends(&[], PRL_12), Get),
    ]
}

#[test]
fn xdhcp_and_kea_qualify_clean_and_generate_dhcpv4_names_alike() {
    let globals = r#""ddns-qualifying-suffix": "Example.NET", "ddns-generated-prefix": "gen","#;
    let subnet = r#""hostname-char-set": "[^a-z]", "hostname-char-replacement": "x",
      "ddns-replace-client-name": "when-not-present","#;
    let config = |iface: &str, socket: &str| config4(iface, socket, globals, subnet);
    let run = |lab: &Lab| run(lab, &SPEAKER4, rules_cases4());
    let (d, kea, _) = side_by_side::differences("r4", &V4, config, run, &[]);
    assert!(d.is_empty(), "{}", d.join("\n"));
    // Kea qualified the single label with the suffix as configured.
    let named = |step: &str| {
        let found = kea.iter().find(|(n, _)| n == step);
        match found.and_then(|(_, s)| s.as_ref()) {
            Some(Step::Reply4(s)) => s.options.get(&12).cloned(),
            other => panic!("{step}: {other:?}"),
        }
    };
    assert_eq!(
        named("partial Host Name: REQUEST"),
        Some(b"xyxxostx.Example.NET".to_vec())
    );
}

// DHCPv6 --------------------------------------------------------------

/// Clients 1 and 2 have hostnames reserved; `globals` and `subnet` are
/// more keys at those levels.
fn config6(iface: &str, socket: &str, globals: &str, subnet: &str) -> String {
    let body = format!(
        r#""control-socket": {{ "socket-type": "unix", "socket-name": "{}" }},
  "hooks-libraries": [ {{ "library": "{LEASE_CMDS}" }} ],
  {globals}
  "subnet6": [ {{
    "id": 1, "subnet": "2001:db8:2::/64", {subnet}
    "pools": [ {{ "pool": "2001:db8:2::100 - 2001:db8:2::1ff" }} ],
    "reservations": [
      {{ "duid": "00:03:00:01:02:00:00:00:bb:01", "hostname": "Six-One" }},
      {{ "duid": "00:03:00:01:02:00:00:00:bb:02", "hostname": "six.example.org" }} ]
  }} ]"#,
        control_socket(iface)
    );
    relay6::dhcp6(iface, socket, &body)
}

/// Client `n`'s `kind` message with one IA_NA (hinting at `addr`) and
/// the options `sent`, relayed from the link of 2001:db8:2::/64.
fn relayed6(
    kind: v6::MessageType,
    n: u8,
    addr: Option<Ipv6Addr>,
    sent: &[(u16, Vec<u8>)],
) -> Vec<u8> {
    let link = Ipv6Addr::new(0x2001, 0xdb8, 2, 0, 0, 0, 0, 1);
    let ia = [(1, relay6::Ia::Na(addr))];
    relay6::relayed_iaids(kind, &relay6::duid(n), link, &ia, sent)
}

fn seen6(reply: &[u8]) -> Step {
    let msg = Packet6::parse(reply).unwrap().innermost();
    let o = msg.options();
    let addr = o.ia_nas().next().and_then(|ia| ia.addresses().next());
    Step::Reply6 {
        kind: msg.msg_type().code(),
        addr: addr.map(|a| a.address),
        fqdn: o.find(39).map(<[u8]>::to_vec),
    }
}

/// DHCPv6 as a [`Speaker`]: SOLICIT, REQUEST, RENEW.
const SPEAKER6: Speaker = Speaker {
    relay: SocketAddr::new(IpAddr::V6(relay6::RELAY), 547),
    server: SocketAddr::new(IpAddr::V6(relay6::SERVER), 547),
    family: "6",
    steps: ["SOLICIT", "REQUEST", "RENEW"],
    make: |step, n, sent, at| {
        use v6::MessageType::{Renew, Request, Solicit};
        let kind = [Solicit, Request, Renew][step];
        let at = match at {
            Some(IpAddr::V6(a)) => Some(a),
            _ => None,
        };
        relayed6(kind, n, at, sent)
    },
    show: |reply| {
        let step = seen6(reply);
        let addr = match &step {
            Step::Reply6 { addr, .. } => addr.map(IpAddr::V6),
            _ => None,
        };
        (step, addr)
    },
};

fn fqdn6(flags: u8, name: &str) -> (u16, Vec<u8>) {
    (39, fqdn(flags, None, &wire(name)))
}

fn empty_fqdn6() -> (u16, Vec<u8>) {
    (39, vec![1])
}

#[rustfmt::skip]
fn cases6() -> Vec<Case> {
    use Act::{Get, Renew};
    let oro = |codes: &[u16]| (6, codes.iter().flat_map(|c| c.to_be_bytes()).collect());
    vec![
        ("reserved, sends no FQDN", 1, vec![oro(&[23, 39])], Get),
        ("reserved, sends an FQDN", 2, vec![fqdn6(1, "abc")], Get),
        ("asks for option 39 only", 0x10, vec![oro(&[23, 39])], Get),
        ("partial FQDN to clean", 0x11, vec![fqdn6(1, "My-Host_1")], Get),
        ("full FQDN with N", 0x12, vec![fqdn6(4, "host.example.com.")], Get),
        ("empty FQDN", 0x13, vec![empty_fqdn6()], Get),
        ("empty FQDN, renewed", 0x13, vec![empty_fqdn6()], Renew),
        ("empty FQDN, rapid commit asked", 0x14, vec![(14, vec![]), empty_fqdn6()], Get),
        ("partial FQDN, renewed without it", 0x11, vec![], Renew),
    ]
}

#[test]
fn xdhcp_and_kea_answer_dhcpv6_names_alike() {
    let config = |iface: &str, socket: &str| config6(iface, socket, "", "");
    let run = |lab: &Lab| run(lab, &SPEAKER6, cases6());
    let (d, kea, _) = side_by_side::differences("n6", &V6, config, run, &[]);
    assert!(d.is_empty(), "{}", d.join("\n"));
    let Some(Step::Leases(leases)) = &kea.last().unwrap().1 else {
        panic!("no leases from Kea")
    };
    let names: Vec<&Value> = leases.iter().map(|l| &l["hostname"]).collect();
    // The reserved name as configured, the qualified reserved name, a
    // client's own, one made from the address; a renewal without a name
    // cleared the name of the lease.
    for name in ["Six-One", "six.example.org.", "host.example.com.", ""] {
        assert!(names.iter().any(|n| *n == name), "{name} not in {names:?}");
    }
    let made = |n: &&Value| {
        n.as_str()
            .is_some_and(|n| n.starts_with("myhost-2001-db8-2--"))
    };
    assert!(names.iter().any(made), "{names:?}");
}

#[test]
fn xdhcp_and_kea_qualify_clean_and_generate_dhcpv6_names_alike() {
    let globals = r#""ddns-qualifying-suffix": "Example.NET", "ddns-generated-prefix": "gen",
  "hostname-char-set": "[^a-z]", "hostname-char-replacement": "x",
  "ddns-replace-client-name": "always","#;
    let subnet = r#""rapid-commit": true,"#;
    let config = |iface: &str, socket: &str| config6(iface, socket, globals, subnet);
    let run = |lab: &Lab| run(lab, &SPEAKER6, cases6());
    let (d, ..) = side_by_side::differences("r6", &V6, config, run, &[]);
    assert!(d.is_empty(), "{}", d.join("\n"));
}
