//! Real client <-> Kea captures (made by tools/capture-fixtures.sh) against tshark's decoding
//! (tools/fixture-oracle.py). For now: every fixture exists and parses, and our pcap reader
//! finds the same DHCP datagrams, with the same lengths, as tshark did.

mod common;

use common::expect::{self, ExpectFile};
use common::pcap::{self, Datagram};

/// Every fixture the capture script writes.
const FIXTURES: &[&str] = &[
    "dhclient4",
    "dhclient6-na",
    "dhclient6-pd",
    "udhcpc",
    "dhcpcd4",
    "dhcpcd6",
];

const DHCP_PORTS: [u16; 4] = [67, 68, 546, 547];

fn is_dhcp(d: &Datagram) -> bool {
    DHCP_PORTS.contains(&d.src_port) || DHCP_PORTS.contains(&d.dst_port)
}

fn load(name: &str) -> (Vec<Datagram>, ExpectFile) {
    let dir = common::fixture_pcap_dir();
    let pcap_path = dir.join(format!("{name}.pcap"));
    let expect_path = dir.join(format!("{name}.expect.json"));
    assert!(
        pcap_path.is_file(),
        "missing fixture {}",
        pcap_path.display()
    );
    assert!(
        expect_path.is_file(),
        "missing oracle {}",
        expect_path.display()
    );
    let datagrams: Vec<Datagram> = pcap::udp_payloads(&pcap_path)
        .into_iter()
        .filter(is_dhcp)
        .collect();
    (datagrams, expect::load(&expect_path))
}

#[test]
fn fixtures_match_tshark_oracle() {
    for name in FIXTURES {
        let (datagrams, oracle) = load(name);
        assert_eq!(oracle.source, format!("{name}.pcap"));
        assert!(!datagrams.is_empty(), "{name}: no DHCP datagrams");
        assert_eq!(
            datagrams.len(),
            oracle.packets.len(),
            "{name}: datagram count differs from tshark"
        );
        for (d, e) in datagrams.iter().zip(&oracle.packets) {
            let at = format!("{name} frame {}", e.frame);
            assert_eq!(d.frame, e.frame, "{at}: frame number");
            assert_eq!(d.ip_version, e.ip_version, "{at}: ip version");
            assert_eq!(
                (d.src_port, d.dst_port),
                (e.src_port, e.dst_port),
                "{at}: ports"
            );
            assert_eq!(d.payload.len(), e.udp_payload_len, "{at}: payload length");
            match d.ip_version {
                4 => assert!(e.dhcp4.is_some() && e.dhcp6.is_none(), "{at}: dhcp4 entry"),
                6 => assert!(e.dhcp6.is_some() && e.dhcp4.is_none(), "{at}: dhcp6 entry"),
                v => panic!("{at}: ip version {v}"),
            }
        }
    }
}

/// Cheap cross-checks of the oracle against the raw bytes (fixed-offset header fields
/// only; the option-level comparisons belong to the codec tests).
#[test]
fn oracle_header_fields_match_raw_bytes() {
    for name in FIXTURES {
        let (datagrams, oracle) = load(name);
        for (d, e) in datagrams.iter().zip(&oracle.packets) {
            let p = &d.payload;
            if let Some(v4) = &e.dhcp4 {
                assert!(p.len() >= 240, "{name}: short BOOTP payload");
                assert_eq!(p[0], v4.op, "{name}: op");
                assert_eq!(
                    u32::from_be_bytes([p[4], p[5], p[6], p[7]]),
                    v4.xid,
                    "{name}: xid"
                );
                assert_eq!(&p[236..240], &[99, 130, 83, 99], "{name}: magic cookie");
                assert_eq!(v4.option_codes.len(), v4.options.len());
            }
            if let Some(v6) = &e.dhcp6 {
                assert_eq!(p[0], v6.msg_type, "{name}: msg type");
                assert_eq!(
                    u32::from_be_bytes([0, p[1], p[2], p[3]]),
                    v6.xid,
                    "{name}: xid"
                );
                assert_eq!(v6.option_codes.len(), v6.options.len());
            }
        }
    }
}

/// The captures cover what they are meant to cover: full exchanges incl. RELEASE.
#[test]
fn fixtures_cover_expected_exchanges() {
    let msg_types = |name: &str| -> Vec<u8> {
        let (_, oracle) = load(name);
        oracle
            .packets
            .iter()
            .map(|p| match (&p.dhcp4, &p.dhcp6) {
                (Some(v4), _) => v4.msg_type.expect("option 53"),
                (_, Some(v6)) => v6.msg_type,
                _ => unreachable!(),
            })
            .collect()
    };
    // DISCOVER OFFER REQUEST ACK RELEASE
    assert_eq!(msg_types("dhclient4"), [1, 2, 3, 5, 7]);
    assert_eq!(msg_types("dhcpcd4"), [1, 2, 3, 5, 7]);
    // ... plus a unicast renew (REQUEST/ACK) before the release
    assert_eq!(msg_types("udhcpc"), [1, 2, 3, 5, 3, 5, 7]);
    // SOLICIT ADVERTISE REQUEST REPLY RELEASE REPLY
    for v6 in ["dhclient6-na", "dhclient6-pd", "dhcpcd6"] {
        assert_eq!(msg_types(v6), [1, 2, 3, 7, 8, 7], "{v6}");
    }
    let (_, pd) = load("dhclient6-pd");
    let reply = pd.packets[3].dhcp6.as_ref().unwrap();
    assert_eq!(reply.ia_pd.len(), 1);
    assert_eq!(reply.ia_pd[0].prefixes.len(), 1);
    let (_, na) = load("dhclient6-na");
    let reply = na.packets[3].dhcp6.as_ref().unwrap();
    assert_eq!(reply.ia_na.len(), 1);
    assert_eq!(reply.ia_na[0].addresses.len(), 1);
}
