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

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Our DHCPv4 reader sees every captured message exactly as tshark does:
/// header fields, every option in wire order with its bytes, and the values
/// engines read through typed accessors.
#[test]
fn v4_codec_reads_real_clients_and_kea_like_tshark() {
    use std::net::Ipv4Addr;
    use xdhcp_dataplane::wire::v4::{code, Packet4};

    let mut checked = 0;
    for name in FIXTURES {
        let (datagrams, oracle) = load(name);
        for (d, e) in datagrams.iter().zip(&oracle.packets) {
            let Some(want) = &e.dhcp4 else { continue };
            let at = format!("{name} frame {}", e.frame);
            let p = Packet4::parse(&d.payload).unwrap_or_else(|err| panic!("{at}: {err}"));
            let ip = |s: &str| s.parse::<Ipv4Addr>().unwrap();
            assert_eq!(
                (p.op(), p.htype(), p.hlen(), p.hops()),
                (want.op, want.htype, want.hlen, want.hops),
                "{at}"
            );
            assert_eq!(
                (p.xid(), p.secs(), p.flags()),
                (want.xid, want.secs, want.flags),
                "{at}"
            );
            assert_eq!(p.ciaddr(), ip(&want.ciaddr), "{at}");
            assert_eq!(p.yiaddr(), ip(&want.yiaddr), "{at}");
            assert_eq!(p.siaddr(), ip(&want.siaddr), "{at}");
            assert_eq!(p.giaddr(), ip(&want.giaddr), "{at}");
            assert_eq!(Some(hex(p.chaddr())), want.chaddr, "{at}");
            assert_eq!(p.message_type().map(|t| t.to_u8()), want.msg_type, "{at}");
            let ours: Vec<(u8, usize, String)> = p
                .options()
                .map(|o| (o.code, o.data.len(), hex(o.data)))
                .collect();
            let theirs: Vec<(u8, usize, String)> = want
                .options
                .iter()
                .map(|o| (o.code, o.len, o.value.clone().unwrap_or_default()))
                .collect();
            assert_eq!(ours, theirs, "{at}: options");
            assert_eq!(
                p.option_ipv4(code::REQUESTED_ADDRESS),
                want.requested_ip.as_deref().map(ip),
                "{at}"
            );
            assert_eq!(
                p.option_ipv4(code::SERVER_ID),
                want.server_id.as_deref().map(ip),
                "{at}"
            );
            assert_eq!(p.option_u32(code::LEASE_TIME), want.lease_time, "{at}");
            assert_eq!(
                p.option_u16(code::MAX_MESSAGE_SIZE),
                want.max_message_size,
                "{at}"
            );
            let prl = p
                .option(code::PARAMETER_REQUEST_LIST)
                .and_then(|v| v.contiguous());
            assert_eq!(
                prl.unwrap_or_default(),
                &want.parameter_request_list[..],
                "{at}"
            );
            let client_id = p
                .option(code::CLIENT_ID)
                .and_then(|v| v.contiguous())
                .map(hex);
            assert_eq!(client_id, want.client_id, "{at}");
            let text = |c: u8| {
                p.option(c)
                    .and_then(|v| v.contiguous())
                    .map(|v| String::from_utf8_lossy(v).into_owned())
            };
            assert_eq!(text(12), want.hostname, "{at}");
            assert_eq!(text(60), want.vendor_class_id, "{at}");
            checked += 1;
        }
    }
    assert_eq!(checked, 17, "every captured DHCPv4 message was compared");
}

/// Our DHCPv6 reader sees every captured message exactly as tshark does,
/// down to the addresses and prefixes inside IA_NA and IA_PD.
#[test]
fn v6_codec_reads_real_clients_and_kea_like_tshark() {
    use xdhcp_dataplane::wire::v6::Packet6;

    let mut checked = 0;
    for name in FIXTURES {
        let (datagrams, oracle) = load(name);
        for (d, e) in datagrams.iter().zip(&oracle.packets) {
            let Some(want) = &e.dhcp6 else { continue };
            let at = format!("{name} frame {}", e.frame);
            let p = Packet6::parse(&d.payload).unwrap_or_else(|err| panic!("{at}: {err}"));
            let m = p.innermost();
            assert_eq!(u8::from(m.msg_type()), want.msg_type, "{at}");
            assert_eq!(m.xid(), want.xid, "{at}");
            let opts = m.options();
            let ours: Vec<(u16, usize)> = opts.iter().map(|(c, b)| (c, b.len())).collect();
            let theirs: Vec<(u16, usize)> = want.options.iter().map(|o| (o.code, o.len)).collect();
            assert_eq!(ours, theirs, "{at}: options");
            assert_eq!(
                m.client_id().map(|d| hex(d.as_bytes())),
                want.client_duid,
                "{at}"
            );
            assert_eq!(
                m.server_id().map(|d| hex(d.as_bytes())),
                want.server_duid,
                "{at}"
            );
            assert_eq!(opts.elapsed_time(), want.elapsed_time, "{at}");
            assert_eq!(opts.oro().map(|o| o.codes().collect()), want.oro, "{at}");
            let status = |s: Option<xdhcp_dataplane::wire::v6::StatusCode<'_>>| {
                s.map(|s| (s.code, s.message_str().unwrap_or_default().to_owned()))
            };
            let want_status = |s: &Option<common::expect::Status>| {
                s.as_ref()
                    .map(|s| (s.code, s.message.clone().unwrap_or_default()))
            };
            assert_eq!(
                status(opts.status_code()),
                want_status(&want.status),
                "{at}"
            );
            let nas: Vec<_> = opts.ia_nas().collect();
            assert_eq!(nas.len(), want.ia_na.len(), "{at}: IA_NA count");
            for (ia, w) in nas.iter().zip(&want.ia_na) {
                assert_eq!((ia.iaid, ia.t1, ia.t2), (w.iaid, w.t1, w.t2), "{at}");
                let codes: Vec<u16> = ia.options.iter().map(|(c, _)| c).collect();
                assert_eq!(codes, w.option_codes, "{at}");
                let addrs: Vec<_> = ia
                    .addresses()
                    .map(|a| (a.address.to_string(), a.preferred, a.valid))
                    .collect();
                let want_addrs: Vec<_> = w
                    .addresses
                    .iter()
                    .map(|a| (a.address.clone(), a.preferred, a.valid))
                    .collect();
                assert_eq!(addrs, want_addrs, "{at}");
                assert_eq!(status(ia.status()), want_status(&w.status), "{at}");
            }
            let pds: Vec<_> = opts.ia_pds().collect();
            assert_eq!(pds.len(), want.ia_pd.len(), "{at}: IA_PD count");
            for (ia, w) in pds.iter().zip(&want.ia_pd) {
                assert_eq!((ia.iaid, ia.t1, ia.t2), (w.iaid, w.t1, w.t2), "{at}");
                let prefixes: Vec<_> = ia
                    .prefixes()
                    .map(|p| (p.prefix.to_string(), p.prefix_len, p.preferred, p.valid))
                    .collect();
                let want_prefixes: Vec<_> = w
                    .prefixes
                    .iter()
                    .map(|p| (p.prefix.clone(), p.prefix_len, p.preferred, p.valid))
                    .collect();
                assert_eq!(prefixes, want_prefixes, "{at}");
                assert_eq!(status(ia.status()), want_status(&w.status), "{at}");
            }
            checked += 1;
        }
    }
    assert_eq!(checked, 18, "every captured DHCPv6 message was compared");
}
