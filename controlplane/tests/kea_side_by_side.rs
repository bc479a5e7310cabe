//! Side by side with real Kea 2.2 on one configuration: the same scripted
//! exchanges, sent through a relay, must get the same message types, the
//! same addresses and the same options from both servers. A second
//! configuration gives each of a table of class tests an option of its
//! own, so both servers' class memberships show in their offers. A third
//! loads the bootp hook and reserves addresses by every identifier Kea 2.2
//! has a native lookup for. Two more set the reservation flags at every
//! level, and a last one sends DHCPREQUESTs in every client state to
//! subnets with and without `authoritative`. Needs root and Kea
//! (tools/install-deps.sh); it fails, not skips, without them.

use std::net::{Ipv4Addr, UdpSocket};
use std::time::Duration;

use xdhcp_dataplane::wire::v4::MessageType;
use xdhcp_testlab::Lab;

mod common;
use common::side_by_side::{self, control_socket, Answers, V4};
use common::v4msg::{self, Seen};

const SERVER: Ipv4Addr = Ipv4Addr::new(198, 51, 100, 1);
const RELAY: Ipv4Addr = Ipv4Addr::new(198, 51, 100, 2);

/// One configuration for both servers; `{iface}` and `{socket}` differ.
fn config(iface: &str, socket: &str) -> String {
    format!(
        r#"{{ "Dhcp4": {{
  "interfaces-config": {{ "interfaces": [ "{iface}" ], "dhcp-socket-type": "{socket}" }},
  "lease-database": {{ "type": "memfile", "persist": false }},
  "valid-lifetime": 3600, "renew-timer": 900, "rebind-timer": 1800,
  "authoritative": true,
  "option-data": [ {{ "name": "domain-name-servers", "data": "192.0.2.53" }},
                   {{ "name": "domain-name", "data": "global.example" }},
                   {{ "name": "ntp-servers", "data": "192.0.2.123" }} ],
  "subnet4": [ {{
    "id": 1, "subnet": "203.0.113.0/24",
    "relay": {{ "ip-addresses": [ "{RELAY}" ] }},
    "pools": [ {{ "pool": "203.0.113.10 - 203.0.113.200" }} ],
    "option-data": [ {{ "name": "routers", "data": "203.0.113.1" }},
                     {{ "name": "domain-name", "data": "subnet.example" }} ],
    "reservations": [ {{ "hw-address": "02:00:00:00:aa:09", "ip-address": "203.0.113.250",
                        "option-data": [ {{ "name": "domain-name", "data": "host.example" }} ] }} ]
  }} ]
}} }}"#
    )
}

/// A relayed message from client `mac`.
fn message(kind: MessageType, mac: u8, ciaddr: Ipv4Addr, extra: &[(u8, &[u8])]) -> Vec<u8> {
    relayed(Some(kind), mac, ciaddr, extra)
}

/// A relayed BOOTREQUEST without a message type: a BOOTP client.
fn bootp(mac: u8, extra: &[(u8, &[u8])]) -> Vec<u8> {
    relayed(None, mac, Ipv4Addr::UNSPECIFIED, extra)
}

fn relayed(kind: Option<MessageType>, mac: u8, ciaddr: Ipv4Addr, extra: &[(u8, &[u8])]) -> Vec<u8> {
    v4msg::relayed(kind, mac, ciaddr, RELAY, extra)
}

const PRL: (u8, &[u8]) = (55, &[1, 3, 6, 15, 42, 119]);

/// The script, in order; each step's reply (or silence) is compared.
fn script() -> Vec<(&'static str, Vec<u8>)> {
    let sid = SERVER.octets();
    let any = Ipv4Addr::UNSPECIFIED;
    let at = |d: u8| [203, 0, 113, d];
    vec![
        ("DISCOVER", message(MessageType::Discover, 1, any, &[PRL])),
        (
            "REQUEST (selecting)",
            message(
                MessageType::Request,
                1,
                any,
                &[(50, &at(10)), (54, &sid), PRL],
            ),
        ),
        (
            "DISCOVER from a client with a lease",
            message(MessageType::Discover, 1, any, &[PRL]),
        ),
        (
            "DISCOVER from a reserved host",
            message(MessageType::Discover, 9, any, &[PRL]),
        ),
        (
            "REQUEST for another client's address",
            message(MessageType::Request, 2, any, &[(50, &at(10)), PRL]),
        ),
        (
            "REQUEST outside every subnet",
            message(MessageType::Request, 3, any, &[(50, &[10, 9, 9, 9]), PRL]),
        ),
        (
            "DISCOVER asking for a short lifetime",
            message(
                MessageType::Discover,
                4,
                any,
                &[(51, &60u32.to_be_bytes()), PRL],
            ),
        ),
        (
            "REQUEST renewing (ciaddr)",
            message(
                MessageType::Request,
                1,
                Ipv4Addr::new(203, 0, 113, 10),
                &[PRL],
            ),
        ),
        (
            "DISCOVER with a client-id",
            message(
                MessageType::Discover,
                6,
                any,
                &[(61, &[1, 2, 0, 0, 0, 0xaa, 6]), PRL],
            ),
        ),
        (
            "REQUEST with that client-id",
            message(
                MessageType::Request,
                6,
                any,
                &[
                    (61, &[1, 2, 0, 0, 0, 0xaa, 6]),
                    (50, &at(11)),
                    (54, &sid),
                    PRL,
                ],
            ),
        ),
        (
            "same client-id, new MAC",
            message(
                MessageType::Discover,
                7,
                any,
                &[(61, &[1, 2, 0, 0, 0, 0xaa, 6]), PRL],
            ),
        ),
        (
            "RELEASE",
            message(
                MessageType::Release,
                1,
                Ipv4Addr::new(203, 0, 113, 10),
                &[(54, &sid)],
            ),
        ),
        (
            "DISCOVER after release",
            message(MessageType::Discover, 1, any, &[PRL]),
        ),
        (
            "REQUEST for a released address by another",
            message(
                MessageType::Request,
                8,
                any,
                &[(50, &at(10)), (54, &sid), PRL],
            ),
        ),
        // Answered at ciaddr, not through the relay (RFC 2131 §4.3.5):
        // the relay's own address stands in for the client's.
        ("INFORM", message(MessageType::Inform, 5, RELAY, &[PRL])),
        // Without the bootp hook, Kea 2.2 drops BOOTP.
        ("BOOTP request without the bootp hook", bootp(0x40, &[])),
    ]
}

/// Runs `script` against the server in `lab`, from a relay socket.
fn exchange(lab: &Lab, script: Vec<(String, Vec<u8>)>) -> Answers<Seen> {
    let client = lab.client.clone();
    std::thread::spawn(move || {
        xdhcp_testlab::enter(&client);
        let sock = UdpSocket::bind((RELAY, 67)).unwrap();
        let client_port = UdpSocket::bind((RELAY, 68)).unwrap();
        for s in [&sock, &client_port] {
            s.set_read_timeout(Some(Duration::from_millis(700)))
                .unwrap();
        }
        let mut out = Vec::new();
        for (name, msg) in script {
            sock.send_to(&msg, (SERVER, 67)).unwrap();
            let mut buf = [0u8; 1500];
            let got = sock.recv(&mut buf).or_else(|_| client_port.recv(&mut buf));
            let seen = got.ok().map(|n| v4msg::seen(&buf[..n]));
            out.push((name, seen));
        }
        out
    })
    .join()
    .unwrap()
}

/// Serves `script` from Kea and from xdhcp; see [`side_by_side::differences`].
fn differences(
    tag: &str,
    config: impl Fn(&str, &str) -> String,
    script: impl Fn() -> Vec<(String, Vec<u8>)>,
    stats: &[&str],
) -> (Vec<String>, Answers<Seen>, Vec<Option<u64>>) {
    side_by_side::differences(tag, &V4, config, |lab| exchange(lab, script()), stats)
}

#[test]
fn xdhcp_and_kea_answer_the_same_script_the_same_way() {
    let script = || {
        script()
            .into_iter()
            .map(|(n, m)| (n.to_string(), m))
            .collect()
    };
    let (d, ..) = differences("k", config, script, &[]);
    assert!(d.is_empty(), "{}", d.join("\n"));
}

/// Class tests Kea 2.2 understands; class `cN` (N from 1) sends option
/// 224 + N (a private code) when it matches.
const CLASS_TESTS: &[&str] = &[
    "substring(option[60].hex,0,6) == 'Aastra'",
    "option[vendor-class-identifier].text == 'Zimbutsio'",
    "pkt4.mac == 0x02000000aa01",
    "pkt4.msgtype == 1",
    "option[93].hex == 0x0007 and not option[175].exists",
    "option[175].exists",
    "substring(pkt4.mac, -1, all) == 0x03",
    "relay4[1].hex == 'eth0/1'",
    "hexstring(substring(pkt4.mac,0,3), ':') == '02:00:00'",
    "concat(substring(option[60].hex,0,3), 'x') == 'winx'",
    "ifelse(option[60].exists, option[60].hex, 'none') == 'none'",
    "not (substring(option[60].hex,0,3) == 'win')",
    "member('c1') or member('c2')",
    "pkt4.giaddr == 198.51.100.2",
    "option[61].exists and substring(option[61].hex,0,1) == 0x01",
    "uint8totext(substring(option[93].hex,1,1)) == '7'",
    "addrtotext(pkt4.giaddr) == '198.51.100.2'",
    "substring(option[60].hex,-3,all) == '0.1'",
    "option[60].hex + 'z' == 'win10z'",
    "substring('foobar', -1, -3) == 'oba' and pkt4.htype == 1 and pkt4.hlen == 6",
    "option[82].option[2].exists",
];

fn classes_config(iface: &str, socket: &str) -> String {
    let defs: Vec<String> = (1..=CLASS_TESTS.len())
        .map(|i| {
            format!(
                r#"{{ "name": "c{i}-hit", "code": {}, "type": "uint8" }}"#,
                224 + i
            )
        })
        .collect();
    let classes: Vec<String> = CLASS_TESTS
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let n = i + 1;
            format!(
                r#"{{ "name": "c{n}", "test": "{t}",
  "option-data": [ {{ "name": "c{n}-hit", "data": "{n}", "always-send": true }} ] }}"#
            )
        })
        .collect();
    format!(
        r#"{{ "Dhcp4": {{
  "interfaces-config": {{ "interfaces": [ "{iface}" ], "dhcp-socket-type": "{socket}" }},
  "lease-database": {{ "type": "memfile", "persist": false }},
  "valid-lifetime": 3600,
  "option-def": [ {} ],
  "client-classes": [ {} ],
  "subnet4": [ {{
    "id": 1, "subnet": "203.0.113.0/24",
    "relay": {{ "ip-addresses": [ "{RELAY}" ] }},
    "pools": [ {{ "pool": "203.0.113.10 - 203.0.113.200" }} ]
  }} ]
}} }}"#,
        defs.join(",\n"),
        classes.join(",\n")
    )
}

/// A client's MAC suffix and the options it sends.
type Client<'a> = (u8, Vec<(u8, &'a [u8])>);

/// DISCOVERs whose options put them in different classes.
fn class_script() -> Vec<(String, Vec<u8>)> {
    let rai: &[u8] = &[1, 6, b'e', b't', b'h', b'0', b'/', b'1', 2, 2, 0xab, 0xcd];
    let cases: [Client; 9] = [
        (1, vec![(60, b"Aastra6731i")]),
        (2, vec![(60, b"Zimbutsio")]),
        (3, vec![(60, b"win10")]),
        (4, vec![(93, &[0, 7])]),
        (5, vec![(93, &[0, 7]), (175, &[1])]),
        (6, vec![(82, rai)]),
        (7, vec![(61, &[1, 2, 0, 0, 0, 0xaa, 7])]),
        (8, vec![(60, b"docsis3.0.1")]),
        (9, vec![]),
    ];
    cases
        .into_iter()
        .map(|(mac, opts)| {
            let mut all = vec![PRL];
            all.extend(opts);
            let any = Ipv4Addr::UNSPECIFIED;
            (
                format!("DISCOVER from client {mac}"),
                message(MessageType::Discover, mac, any, &all),
            )
        })
        .collect()
}

#[test]
fn xdhcp_and_kea_put_clients_in_the_same_classes() {
    let (d, kea, _) = differences("c", classes_config, class_script, &[]);
    assert!(d.is_empty(), "{}", d.join("\n"));
    // The table means something: most classes matched some client in Kea.
    let matched: std::collections::BTreeSet<u8> = kea
        .iter()
        .flat_map(|(_, seen)| seen.iter().flat_map(|s| s.options.keys().copied()))
        .filter(|&c| c > 224)
        .collect();
    assert!(
        matched.len() >= CLASS_TESTS.len() - 2,
        "classes Kea matched: {matched:?}"
    );
}

/// Reservations by hardware address, client-id, DUID and circuit-id, and
/// the bootp hook (Debian's Kea 2.2 ships it; flex_id was premium and is
/// not there, so it is tested against the engine and a real client only).
fn hosts_config(iface: &str, socket: &str) -> String {
    format!(
        r#"{{ "Dhcp4": {{
  "interfaces-config": {{ "interfaces": [ "{iface}" ], "dhcp-socket-type": "{socket}" }},
  "lease-database": {{ "type": "memfile", "persist": false }},
  "valid-lifetime": 3600, "authoritative": true,
  "control-socket": {{ "socket-type": "unix", "socket-name": "{}" }},
  "hooks-libraries": [ {{ "library": "/usr/lib/x86_64-linux-gnu/kea/hooks/libdhcp_bootp.so" }} ],
  "client-classes": [ {{ "name": "legacy", "test": "member('BOOTP')", "boot-file-name": "legacy.img" }} ],
  "option-data": [ {{ "name": "domain-name-servers", "data": "192.0.2.53" }} ],
  "subnet4": [ {{
    "id": 1, "subnet": "203.0.113.0/24",
    "relay": {{ "ip-addresses": [ "{RELAY}" ] }},
    "pools": [ {{ "pool": "203.0.113.10 - 203.0.113.200" }} ],
    "option-data": [ {{ "name": "routers", "data": "203.0.113.1" }} ],
    "reservations": [
      {{ "hw-address": "02:00:00:00:aa:21", "ip-address": "203.0.113.221" }},
      {{ "client-id": "01:02:00:00:00:aa:22", "ip-address": "203.0.113.222" }},
      {{ "duid": "00:03:00:01:02:00:00:00:aa:23", "ip-address": "203.0.113.223" }},
      {{ "circuit-id": "'eth0/24'", "ip-address": "203.0.113.224" }},
      {{ "hw-address": "02:00:00:00:aa:25", "ip-address": "203.0.113.225",
         "boot-file-name": "host.img", "next-server": "203.0.113.5" }} ]
  }} ]
}} }}"#,
        control_socket(iface)
    )
}

/// Exchanges that find reservations by each identifier, and BOOTP ones.
fn hosts_script() -> Vec<(String, Vec<u8>)> {
    let sid = SERVER.octets();
    let any = Ipv4Addr::UNSPECIFIED;
    let duid_client_id: &[u8] = &[255, 0, 0, 0, 1, 0, 3, 0, 1, 2, 0, 0, 0, 0xaa, 0x23];
    let steps: Vec<(&str, Vec<u8>)> = vec![
        (
            "DISCOVER by hw-address",
            message(MessageType::Discover, 0x21, any, &[PRL]),
        ),
        (
            "DISCOVER by client-id",
            message(
                MessageType::Discover,
                0x22,
                any,
                &[(61, &[1, 2, 0, 0, 0, 0xaa, 0x22]), PRL],
            ),
        ),
        (
            "DISCOVER by the DUID of an RFC 4361 client-id",
            message(
                MessageType::Discover,
                0x23,
                any,
                &[(61, duid_client_id), PRL],
            ),
        ),
        (
            "REQUEST of the DUID's reserved address",
            message(
                MessageType::Request,
                0x23,
                any,
                &[
                    (61, duid_client_id),
                    (50, &[203, 0, 113, 223]),
                    (54, &sid),
                    PRL,
                ],
            ),
        ),
        (
            "DISCOVER by circuit-id",
            message(
                MessageType::Discover,
                0x24,
                any,
                &[(82, b"\x01\x07eth0/24"), PRL],
            ),
        ),
        (
            "DISCOVER matching hw-address and client-id reservations",
            message(
                MessageType::Discover,
                0x21,
                any,
                &[(61, &[1, 2, 0, 0, 0, 0xaa, 0x22]), PRL],
            ),
        ),
        ("BOOTP request", bootp(0x30, &[])),
        ("the same BOOTP request again", bootp(0x30, &[])),
        ("BOOTP request from a reserved host", bootp(0x25, &[])),
        (
            "BOOTP request through a circuit-id reservation",
            bootp(0x26, &[(82, b"\x01\x07eth0/24")]),
        ),
        (
            "DHCP DISCOVER after BOOTP",
            message(MessageType::Discover, 0x31, any, &[PRL]),
        ),
        (
            "REQUEST of a hw-address reservation with a client-id",
            message(
                MessageType::Request,
                0x21,
                any,
                &[(61, &[1, 9, 9]), (50, &[203, 0, 113, 221]), (54, &sid), PRL],
            ),
        ),
        (
            "DISCOVER by that hw-address with another client-id (conflict)",
            message(MessageType::Discover, 0x21, any, &[(61, &[1, 8, 8]), PRL]),
        ),
        (
            "BOOTP request whose reserved address another client holds",
            bootp(0x21, &[(61, &[1, 8, 8])]),
        ),
    ];
    steps.into_iter().map(|(n, m)| (n.to_string(), m)).collect()
}

#[test]
fn xdhcp_and_kea_answer_bootp_and_find_reservations_the_same_way() {
    let stats = [
        "pkt4-received",
        "pkt4-request-received",
        "pkt4-unknown-received",
        "pkt4-sent",
        "pkt4-ack-sent",
        "pkt4-receive-drop",
        "v4-reservation-conflicts",
        "subnet[1].v4-reservation-conflicts",
    ];
    let (d, kea, kea_stats) = differences("h", hosts_config, hosts_script, &stats);
    assert!(d.is_empty(), "{}", d.join("\n"));
    // The script means something: Kea gave each reservation and answered
    // BOOTP with a BOOTREPLY that has no message type.
    let yiaddr = |i: usize| kea[i].1.as_ref().map(|s| s.yiaddr.octets()[3]);
    assert_eq!(
        (0..6).map(yiaddr).collect::<Vec<_>>(),
        [
            Some(221),
            Some(222),
            Some(223),
            Some(223),
            Some(224),
            Some(221)
        ]
    );
    let bootp = kea[6].1.as_ref().expect("Kea answers BOOTP");
    assert_eq!(bootp.kind, None);
    assert_eq!(bootp.file, b"legacy.img");
    assert_eq!(yiaddr(8), Some(225));
    // Refused, the BOOTP client gets a BOOTREPLY without an address (the
    // hook strips the DHCPNAK's type).
    let refused = kea[13].1.as_ref().expect("Kea answers the refusal");
    assert_eq!(
        (refused.kind, refused.yiaddr),
        (None, Ipv4Addr::UNSPECIFIED)
    );
    // 14 messages, all answered; the 5 BOOTP ones counted as REQUESTs,
    // their replies as sent but not as ACKs; one reservation conflict,
    // counted per subnet too.
    assert_eq!(
        kea_stats,
        [
            Some(14),
            Some(7),
            Some(0),
            Some(14),
            Some(2),
            Some(0),
            Some(1),
            Some(1)
        ]
    );
}

/// A `Dhcp4` section on the lab's interface with the socket type, leases
/// kept in memory only, and `body` (more keys).
fn dhcp4(iface: &str, socket: &str, body: &str) -> String {
    format!(
        r#"{{ "Dhcp4": {{
  "interfaces-config": {{ "interfaces": [ "{iface}" ], "dhcp-socket-type": "{socket}" }},
  "lease-database": {{ "type": "memfile", "persist": false }},
  "valid-lifetime": 3600,
  {body}
}} }}"#
    )
}

/// Subnet `id`: 203.0.(112 + id).0/24 with the pool .10 - .200, `extra`
/// keys and reservations `hosts`.
fn numbered_subnet(id: u8, extra: &str, hosts: &[String]) -> String {
    format!(
        r#"{{ "id": {id}, "subnet": "203.0.{net}.0/24", {extra}
  "pools": [ {{ "pool": "203.0.{net}.10 - 203.0.{net}.200" }} ],
  "reservations": [ {} ] }}"#,
        hosts.join(", "),
        net = 112 + id,
    )
}

/// Keys that put a subnet behind the test's relay.
fn behind_relay() -> String {
    format!(r#""relay": {{ "ip-addresses": [ "{RELAY}" ] }},"#)
}

/// Reservation flags at each level: subnet 1 keeps Kea's defaults (no
/// global reservations), 2 adds the global ones, 3 has only the global
/// ones, the shared network of 4 says every reservation is out of the
/// pools, and 5, 6 and 7 use the older `reservation-mode`. Clients pick
/// subnets 2 to 7 with option 118.
fn flags_config(iface: &str, socket: &str) -> String {
    let hw = |n: u8, ip: &str| {
        format!(r#"{{ "hw-address": "02:00:00:00:aa:{n:02x}", "ip-address": "{ip}" }}"#)
    };
    let subnets = [
        numbered_subnet(
            1,
            &behind_relay(),
            &[hw(0x11, "203.0.113.11"), hw(0x12, "203.0.113.250")],
        ),
        numbered_subnet(
            2,
            r#""reservations-global": true,"#,
            &[hw(0x13, "203.0.114.13")],
        ),
        numbered_subnet(
            3,
            r#""reservations-global": true, "reservations-in-subnet": false,"#,
            &[hw(0x16, "203.0.115.16")],
        ),
        numbered_subnet(
            5,
            r#""reservation-mode": "disabled","#,
            &[hw(0x1a, "203.0.117.26")],
        ),
        numbered_subnet(
            6,
            r#""reservation-mode": "global","#,
            &[hw(0x1b, "203.0.118.27")],
        ),
        numbered_subnet(
            7,
            r#""reservation-mode": "out-of-pool","#,
            &[hw(0x1c, "203.0.119.28")],
        ),
    ];
    let globals = [
        hw(0x13, "203.0.114.213"),
        hw(0x14, "203.0.113.214"),
        hw(0x15, "10.9.9.9"),
        hw(0x17, "203.0.115.217"),
        hw(0x1a, "203.0.117.227"),
        hw(0x1b, "203.0.118.228"),
    ];
    let body = format!(
        r#""reservations": [ {} ],
  "shared-networks": [ {{ "name": "oop", "reservations-out-of-pool": true,
    "subnet4": [ {} ] }} ],
  "subnet4": [ {} ]"#,
        globals.join(", "),
        numbered_subnet(
            4,
            "",
            &[hw(0x18, "203.0.116.18"), hw(0x19, "203.0.116.250")]
        ),
        subnets.join(",\n")
    );
    dhcp4(iface, socket, &body)
}

/// Option 82 with a link-selection sub-option: the relay says the client
/// is on subnet `id`'s link.
fn on_subnet(id: u8) -> [u8; 6] {
    [5, 4, 203, 0, 112 + id, 0]
}

/// A message from `mac` on subnet `subnet`'s link (subnet 1 is the
/// relay's own; the others are selected with a link selection).
fn on_link(
    kind: MessageType,
    mac: u8,
    subnet: u8,
    ciaddr: Ipv4Addr,
    opts: &[(u8, &[u8])],
) -> Vec<u8> {
    let sel = on_subnet(subnet);
    let mut extra = opts.to_vec();
    extra.push(PRL);
    if subnet != 1 {
        extra.push((82, &sel[..]));
    }
    message(kind, mac, ciaddr, &extra)
}

fn discover(mac: u8, subnet: u8) -> Vec<u8> {
    on_link(
        MessageType::Discover,
        mac,
        subnet,
        Ipv4Addr::UNSPECIFIED,
        &[],
    )
}

/// A SELECTING DHCPREQUEST for `addr`.
fn request(mac: u8, subnet: u8, addr: [u8; 4]) -> Vec<u8> {
    let sid = SERVER.octets();
    let opts: [(u8, &[u8]); 2] = [(50, &addr), (54, &sid)];
    on_link(
        MessageType::Request,
        mac,
        subnet,
        Ipv4Addr::UNSPECIFIED,
        &opts,
    )
}

/// DISCOVERs and REQUESTs of reserved and unreserved clients under each
/// combination of reservation flags.
fn flags_script() -> Vec<(String, Vec<u8>)> {
    let steps = vec![
        ("defaults: in-pool subnet reservation", discover(0x11, 1)),
        (
            "defaults: out-of-pool subnet reservation",
            discover(0x12, 1),
        ),
        ("defaults: global reservation ignored", discover(0x14, 1)),
        (
            "defaults: another client asks for a reserved address",
            request(0x20, 1, [203, 0, 113, 11]),
        ),
        (
            "defaults: a reserved client asks for another address",
            request(0x11, 1, [203, 0, 113, 12]),
        ),
        (
            "global+subnet: both reservations, the subnet's wins",
            discover(0x13, 2),
        ),
        (
            "global+subnet: global reservation outside every subnet",
            discover(0x15, 2),
        ),
        (
            "global+subnet: global reservation of another subnet",
            discover(0x14, 2),
        ),
        ("global only: global reservation", discover(0x17, 3)),
        (
            "global only: REQUEST of it",
            request(0x17, 3, [203, 0, 115, 217]),
        ),
        ("global only: subnet reservation ignored", discover(0x16, 3)),
        (
            "global only: another asks for the ignored subnet reservation",
            request(0x21, 3, [203, 0, 115, 16]),
        ),
        (
            "out-of-pool: in-pool reservation not honoured",
            discover(0x18, 4),
        ),
        (
            "out-of-pool: its owner asks for it",
            request(0x18, 4, [203, 0, 116, 18]),
        ),
        (
            "out-of-pool: another client asks for it",
            request(0x22, 4, [203, 0, 116, 18]),
        ),
        ("out-of-pool: out-of-pool reservation", discover(0x19, 4)),
        (
            "out-of-pool: another asks for the out-of-pool one",
            request(0x23, 4, [203, 0, 116, 250]),
        ),
        ("mode disabled: no reservation at all", discover(0x1a, 5)),
        ("mode global", discover(0x1b, 6)),
        (
            "mode out-of-pool: in-pool reservation not honoured",
            discover(0x1c, 7),
        ),
        (
            "mode out-of-pool: another asks for it",
            request(0x24, 7, [203, 0, 119, 28]),
        ),
    ];
    steps.into_iter().map(|(n, m)| (n.to_string(), m)).collect()
}

/// Steps where xdhcp deliberately answers otherwise than Kea 2.2 (see
/// docs/DESIGN.md, "Reservation flags"): Kea 2.2 offers a global
/// reservation's address even outside the client's subnet; xdhcp offers it
/// only inside the subnet (or shared network) the client is on, as later
/// Kea versions do, and a pool address otherwise.
const FLAGS_DELIBERATE: &[&str] = &[
    "global+subnet: global reservation outside every subnet",
    "global+subnet: global reservation of another subnet",
];

#[test]
fn xdhcp_and_kea_honour_the_same_reservation_flags() {
    let (d, kea, _) = differences("f", flags_config, flags_script, &[]);
    let unexpected: Vec<&String> = d
        .iter()
        .filter(|d| {
            !FLAGS_DELIBERATE
                .iter()
                .any(|n| d.starts_with(&format!("{n}:")))
        })
        .collect();
    assert!(unexpected.is_empty(), "{unexpected:#?}");
    // The script means something: what Kea 2.2 gave each client.
    let answers: Vec<(u8, Ipv4Addr)> = kea
        .iter()
        .map(|(_, s)| {
            s.as_ref().map_or((0, Ipv4Addr::UNSPECIFIED), |s| {
                (s.kind.unwrap_or(0), s.yiaddr)
            })
        })
        .collect();
    let offer = |a: [u8; 4]| (2, Ipv4Addr::from(a));
    let ack = |a: [u8; 4]| (5, Ipv4Addr::from(a));
    let nak = (6, Ipv4Addr::UNSPECIFIED);
    assert_eq!(
        answers,
        [
            offer([203, 0, 113, 11]),
            offer([203, 0, 113, 250]),
            offer([203, 0, 113, 10]),
            nak,
            nak,
            offer([203, 0, 114, 13]),
            offer([10, 9, 9, 9]),
            offer([203, 0, 113, 214]),
            offer([203, 0, 115, 217]),
            ack([203, 0, 115, 217]),
            offer([203, 0, 115, 10]),
            ack([203, 0, 115, 16]),
            offer([203, 0, 116, 10]),
            ack([203, 0, 116, 18]),
            nak,
            offer([203, 0, 116, 250]),
            nak,
            offer([203, 0, 117, 10]),
            offer([203, 0, 118, 228]),
            offer([203, 0, 119, 10]),
            ack([203, 0, 119, 28]),
        ]
    );
}

/// The flags set at the global level and inherited: globally only the
/// global reservations; the shared network of subnet 2 adds its subnets'
/// own; subnet 3 says `reservation-mode: all` (its own only).
fn inherited_flags_config(iface: &str, socket: &str) -> String {
    let hw = |n: u8, ip: &str| {
        format!(r#"{{ "hw-address": "02:00:00:00:aa:{n:02x}", "ip-address": "{ip}" }}"#)
    };
    let globals = [
        hw(0x61, "203.0.113.161"),
        hw(0x62, "203.0.114.162"),
        hw(0x63, "203.0.114.163"),
        hw(0x64, "203.0.115.164"),
        hw(0x65, "203.0.115.165"),
    ];
    let body = format!(
        r#""reservations-global": true, "reservations-in-subnet": false,
  "reservations": [ {} ],
  "shared-networks": [ {{ "name": "both", "reservations-in-subnet": true,
    "subnet4": [ {} ] }} ],
  "subnet4": [ {}, {} ]"#,
        globals.join(", "),
        numbered_subnet(2, "", &[hw(0x62, "203.0.114.62")]),
        numbered_subnet(1, &behind_relay(), &[hw(0x61, "203.0.113.61")]),
        numbered_subnet(
            3,
            r#""reservation-mode": "all","#,
            &[hw(0x64, "203.0.115.64")]
        ),
    );
    dhcp4(iface, socket, &body)
}

#[test]
fn xdhcp_and_kea_inherit_reservation_flags_alike() {
    let script = || {
        let steps = [
            ("global level: the global reservation", discover(0x61, 1)),
            (
                "shared network adds the subnet's, which wins",
                discover(0x62, 2),
            ),
            ("shared network: the global one", discover(0x63, 2)),
            ("reservation-mode all: the subnet's", discover(0x64, 3)),
            ("reservation-mode all: no global one", discover(0x65, 3)),
        ];
        steps.into_iter().map(|(n, m)| (n.to_string(), m)).collect()
    };
    let (d, kea, _) = differences("i", inherited_flags_config, script, &[]);
    assert!(d.is_empty(), "{}", d.join("\n"));
    let offered: Vec<[u8; 4]> = kea
        .iter()
        .map(|(_, s)| s.as_ref().map_or([0; 4], |s| s.yiaddr.octets()))
        .collect();
    assert_eq!(
        offered,
        [
            [203, 0, 113, 161],
            [203, 0, 114, 62],
            [203, 0, 114, 163],
            [203, 0, 115, 64],
            [203, 0, 115, 10],
        ]
    );
}

/// `authoritative` off (Kea's default) in subnet 1, on in subnet 2 and,
/// through its shared network, in subnet 3; subnet 4's upper pool is for a
/// class no client is in.
fn authority_config(iface: &str, socket: &str) -> String {
    let body = format!(
        r#""control-socket": {{ "socket-type": "unix", "socket-name": "{}" }},
  "client-classes": [ {{ "name": "nobody", "test": "pkt4.mac == 0x000000000000" }} ],
  "shared-networks": [ {{ "name": "auth", "authoritative": true, "subnet4": [ {} ] }} ],
  "subnet4": [ {}, {},
    {{ "id": 4, "subnet": "203.0.116.0/24",
       "pools": [ {{ "pool": "203.0.116.10 - 203.0.116.100" }},
                  {{ "pool": "203.0.116.101 - 203.0.116.200", "client-class": "nobody" }} ] }} ]"#,
        control_socket(iface),
        numbered_subnet(3, "", &[]),
        numbered_subnet(1, &behind_relay(), &[]),
        numbered_subnet(2, r#""authoritative": true,"#, &[]),
    );
    dhcp4(iface, socket, &body)
}

/// An address a script step names.
#[derive(Clone, Copy)]
enum At {
    No,
    /// `.n` of the subnet.
    Host(u8),
    /// 10.9.9.9, in no subnet.
    Outside,
}

/// After a DISCOVER and REQUEST by client 0, which leases `.10`: (step,
/// client 0 to 3, ciaddr, option 50, server identifier).
#[rustfmt::skip]
const AUTHORITY_STEPS: [(&str, u8, At, At, bool); 14] = [
    ("SELECTING another's address", 1, At::No, At::Host(10), true),
    ("SELECTING outside the pools", 1, At::No, At::Host(240), true),
    ("SELECTING outside the subnet", 1, At::No, At::Outside, true),
    ("INIT-REBOOT, unknown client", 2, At::No, At::Host(151), false),
    ("INIT-REBOOT, unknown client outside the subnet", 2, At::No, At::Outside, false),
    ("INIT-REBOOT, wrong address", 0, At::No, At::Host(152), false),
    ("INIT-REBOOT, outside the subnet", 0, At::No, At::Outside, false),
    ("INIT-REBOOT, its address", 0, At::No, At::Host(10), false),
    ("RENEWING another's address", 3, At::Host(10), At::No, false),
    ("RENEWING a free address", 3, At::Host(153), At::No, false),
    ("RENEWING outside the pools", 3, At::Host(241), At::No, false),
    ("RENEWING outside the subnet", 3, At::Outside, At::No, false),
    ("RENEWING its address", 0, At::Host(10), At::No, false),
    ("SELECTING a free address not offered", 1, At::No, At::Host(150), true),
];

/// DHCPREQUESTs in every client state for addresses that are, or are not,
/// the client's, in and out of the pools and the subnet, in subnets 1 to
/// 3; then requests for subnet 4's closed pool.
fn authority_script() -> Vec<(String, Vec<u8>)> {
    let sid = SERVER.octets();
    let any = Ipv4Addr::UNSPECIFIED;
    let mut steps = Vec::new();
    for id in 1..=3u8 {
        let base = 0x30 + 0x10 * id;
        let addr = |a: At| match a {
            At::No => None,
            At::Host(d) => Some(Ipv4Addr::new(203, 0, 112 + id, d)),
            At::Outside => Some(Ipv4Addr::new(10, 9, 9, 9)),
        };
        let mut send = |name: &str, kind, mac: u8, ciaddr: Ipv4Addr, opts: &[(u8, &[u8])]| {
            let msg = on_link(kind, mac, id, ciaddr, opts);
            steps.push((format!("subnet {id}: {name}"), msg));
        };
        let ten = addr(At::Host(10)).unwrap().octets();
        send("DISCOVER", MessageType::Discover, base, any, &[]);
        let offered: [(u8, &[u8]); 2] = [(50, &ten), (54, &sid)];
        send(
            "SELECTING, offered",
            MessageType::Request,
            base,
            any,
            &offered,
        );
        for (name, client, ciaddr, asked, server_id) in AUTHORITY_STEPS {
            let asked = addr(asked).map(|a| a.octets());
            let mut opts: Vec<(u8, &[u8])> = asked.iter().map(|a| (50, &a[..])).collect();
            if server_id {
                opts.push((54, &sid));
            }
            let ciaddr = addr(ciaddr).unwrap_or(any);
            send(name, MessageType::Request, base + client, ciaddr, &opts);
        }
    }
    let closed = [203, 0, 116, 150];
    let selecting = on_link(
        MessageType::Request,
        0x80,
        4,
        any,
        &[(50, &closed), (54, &sid)],
    );
    let renewing = on_link(MessageType::Request, 0x80, 4, Ipv4Addr::from(closed), &[]);
    steps.push(("subnet 4: SELECTING in a closed pool".into(), selecting));
    steps.push(("subnet 4: RENEWING in a closed pool".into(), renewing));
    steps
}

#[test]
fn xdhcp_and_kea_refuse_and_ignore_the_same_requests() {
    let stats = [
        "pkt4-received",
        "pkt4-request-received",
        "pkt4-sent",
        "pkt4-ack-sent",
        "pkt4-nak-sent",
        "pkt4-receive-drop",
    ];
    let (d, kea, kea_stats) = differences("a", authority_config, authority_script, &stats);
    assert!(d.is_empty(), "{}", d.join("\n"));
    // 50 messages, 47 of them REQUESTs; 15 ACKed, 18 NAKed, 14 left
    // unanswered without counting as dropped.
    assert_eq!(kea_stats, [50, 47, 36, 15, 18, 0].map(Some), "{stats:?}");
    // What Kea 2.2 does, per step and subnet: 'O'ffer, 'A'ck, 'N'ak or
    // '-' (silence). Only INIT-REBOOT from an unknown client depends on
    // `authoritative`; an address in no pool is never refused.
    let letters: String = kea
        .iter()
        .map(|(_, s)| match s.as_ref().and_then(|s| s.kind) {
            Some(2) => 'O',
            Some(5) => 'A',
            Some(6) => 'N',
            None => '-',
            Some(_) => '?',
        })
        .collect();
    let not_authoritative = "OAN----NNANA--AA";
    let authoritative = "OAN--NNNNANA--AA";
    // An address in a pool the client's classes close is refused.
    let closed_pool = "NN";
    assert_eq!(
        letters,
        [not_authoritative, authoritative, authoritative, closed_pool].concat()
    );
}
