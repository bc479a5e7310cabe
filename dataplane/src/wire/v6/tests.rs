//! Unit tests: views, writer→parser round trips, relay nesting, bad input, fuzz.

use core::net::Ipv6Addr;

use super::*;
use crate::wire::WireError;

fn ip(s: &str) -> Ipv6Addr {
    s.parse().unwrap()
}

/// Deterministic xorshift64* so failures reproduce.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

const LLT: [u8; 14] = [
    0, 1, 0, 1, 0x1c, 0x39, 0xcf, 0x88, 0x08, 0x00, 0x27, 0xfe, 0x8f, 0x95,
];

/// Writes a SOLICIT carrying one of every typed option.
fn write_full(buf: &mut [u8], msg_type: MessageType, xid: u32) -> Result<usize, WireError> {
    let mut w = Message6Writer::new(buf);
    w.put_header(msg_type, xid)?;
    w.client_id(&LLT)?;
    w.server_id(&[0, 2, 0, 0, 0, 9, 0xaa, 0xbb])?;
    w.elapsed_time(1234)?;
    w.rapid_commit()?;
    w.oro(&[23, 24, 39])?;
    w.preference(255)?;
    let ia = w.begin_ia_na(7, 100, 200)?;
    let a = w.begin_ia_addr(ip("2001:db8::1"), 300, 400)?;
    w.status_code(status::SUCCESS, "ok")?;
    w.end_option(a)?;
    w.ia_addr(ip("2001:db8::2"), 30, 40)?;
    w.status_code(status::NO_ADDRS_AVAIL, "none")?;
    w.end_option(ia)?;
    let ta = w.begin_ia_ta(8)?;
    w.ia_addr(ip("fe80::8"), 1, 2)?;
    w.end_option(ta)?;
    let pd = w.begin_ia_pd(9, 500, 800)?;
    let p = w.begin_ia_prefix(1000, 2000, 56, ip("2001:db8:100::"))?;
    w.status_code(status::NO_PREFIX_AVAIL, "")?;
    w.end_option(p)?;
    w.end_option(pd)?;
    w.option(OPTION_UNICAST, &ip("2001:db8::53").octets())?;
    w.option(4242, b"opaque")?;
    w.finish()
}

fn check_full(m: ClientMessage<'_>, msg_type: MessageType, xid: u32) {
    assert_eq!(m.msg_type(), msg_type);
    assert_eq!(m.xid(), xid & 0xff_ffff);
    let o = m.options();
    assert_eq!(m.client_id().unwrap().as_bytes(), &LLT);
    assert!(matches!(
        m.server_id().unwrap(),
        Duid::En {
            enterprise: 9,
            identifier: [0xaa, 0xbb],
            ..
        }
    ));
    assert_eq!(o.elapsed_time(), Some(1234));
    assert!(o.rapid_commit());
    let oro = o.oro().unwrap();
    assert_eq!(oro.len(), 3);
    assert!(oro.contains(39) && !oro.contains(1));
    assert_eq!(o.preference(), Some(255));
    let ias: [Option<IaNa<'_>>; 2] = {
        let mut it = o.ia_nas();
        [it.next(), it.next()]
    };
    let ia = ias[0].unwrap();
    assert!(ias[1].is_none());
    assert_eq!((ia.iaid, ia.t1, ia.t2), (7, 100, 200));
    let mut addrs = ia.addresses();
    let a1 = addrs.next().unwrap();
    assert_eq!(
        (a1.address, a1.preferred, a1.valid),
        (ip("2001:db8::1"), 300, 400)
    );
    assert_eq!(a1.status().unwrap().code, status::SUCCESS);
    assert_eq!(a1.status().unwrap().message_str(), Some("ok"));
    let a2 = addrs.next().unwrap();
    assert_eq!(
        (a2.address, a2.preferred, a2.valid),
        (ip("2001:db8::2"), 30, 40)
    );
    assert!(a2.status().is_none());
    assert!(addrs.next().is_none());
    assert_eq!(ia.status().unwrap().code, status::NO_ADDRS_AVAIL);
    assert_eq!(ia.status().unwrap().message, b"none");
    let ta = o.ia_tas().next().unwrap();
    assert_eq!(ta.iaid, 8);
    assert_eq!(ta.addresses().next().unwrap().address, ip("fe80::8"));
    let pd = o.ia_pds().next().unwrap();
    assert_eq!((pd.iaid, pd.t1, pd.t2), (9, 500, 800));
    let p = pd.prefixes().next().unwrap();
    assert_eq!((p.preferred, p.valid, p.prefix_len), (1000, 2000, 56));
    assert_eq!(p.prefix, ip("2001:db8:100::"));
    assert_eq!(p.status().unwrap().code, status::NO_PREFIX_AVAIL);
    assert_eq!(p.status().unwrap().message, b"");
    assert!(pd.status().is_none());
    assert_eq!(o.unicast(), Some(ip("2001:db8::53")));
    assert_eq!(o.find(4242), Some(&b"opaque"[..]));
    assert_eq!(o.find(4243), None);
    assert_eq!(o.iter().count(), 11);
}

#[test]
fn message_type_codes_round_trip() {
    for code in 0..=255u8 {
        let t = MessageType::from(code);
        assert_eq!(u8::from(t), code);
        assert_eq!(t.code(), code);
        assert_eq!(matches!(t, MessageType::Other(_)), code == 0 || code > 37);
        assert_eq!(t.is_relay(), code == 12 || code == 13);
    }
    assert_eq!(MessageType::from(1), MessageType::Solicit);
    assert_eq!(MessageType::from(11), MessageType::InformationRequest);
    assert_eq!(MessageType::from(21), MessageType::Dhcpv4Response);
    assert_eq!(MessageType::from(23), MessageType::StartTls);
}

#[test]
fn round_trip_every_client_message_type() {
    let mut buf = [0u8; 1024];
    for code in 0..=255u8 {
        let t = MessageType::from(code);
        if t.is_relay() {
            continue;
        }
        let xid = 0xab00_0000 | (u32::from(code) * 0x10101);
        let n = write_full(&mut buf, t, xid).unwrap();
        let pkt = Packet6::parse(&buf[..n]).unwrap();
        assert_eq!(pkt.relay_depth(), 0);
        assert_eq!(pkt.relays().count(), 0);
        assert_eq!(pkt.msg_type(), t);
        assert_eq!(pkt.as_bytes().len(), n);
        let Packet6::Client(m) = pkt else {
            panic!("not a client message")
        };
        check_full(m, t, xid);
        check_full(pkt.innermost(), t, xid);
    }
}

#[test]
fn header_only_message() {
    let pkt = Packet6::parse(&[11, 0xde, 0xad, 0xbe]).unwrap();
    assert_eq!(pkt.msg_type(), MessageType::InformationRequest);
    assert_eq!(pkt.innermost().xid(), 0x00de_adbe);
    assert!(pkt.options().is_empty());
    assert!(pkt.innermost().client_id().is_none());
}

#[test]
fn duid_views() {
    let d = Duid::parse(&LLT).unwrap();
    assert_eq!(
        d,
        Duid::Llt {
            hw_type: 1,
            time: 0x1c39_cf88,
            link_layer: &[0x08, 0x00, 0x27, 0xfe, 0x8f, 0x95],
            raw: &LLT
        }
    );
    assert_eq!(d.duid_type(), DUID_LLT);
    assert_eq!(d.link_layer(), Some((1, &LLT[8..])));
    let en = [0, 2, 0, 0, 0x01, 0x37, 1, 2, 3];
    assert_eq!(
        Duid::parse(&en).unwrap(),
        Duid::En {
            enterprise: 311,
            identifier: &[1, 2, 3],
            raw: &en
        }
    );
    let ll = [0, 3, 0, 1, 1, 2, 3, 4, 5, 6];
    let d = Duid::parse(&ll).unwrap();
    assert_eq!(
        d,
        Duid::Ll {
            hw_type: 1,
            link_layer: &ll[4..],
            raw: &ll
        }
    );
    assert_eq!(d.link_layer(), Some((1, &ll[4..])));
    let mut uuid = [0u8; 18];
    uuid[1] = 4;
    uuid[2..].copy_from_slice(&[7; 16]);
    let d = Duid::parse(&uuid).unwrap();
    assert_eq!(
        d,
        Duid::Uuid {
            uuid: &[7; 16],
            raw: &uuid
        }
    );
    assert_eq!(d.as_bytes(), &uuid);
    assert_eq!(d.link_layer(), None);
    // Wrong UUID length and short LLT/EN/LL fall back to Other, keeping the raw bytes.
    for raw in [
        &uuid[..17],
        &[0, 1, 0, 1, 0, 0][..],
        &[0, 2, 0, 0][..],
        &[0, 3, 0][..],
    ] {
        let d = Duid::parse(raw).unwrap();
        assert!(matches!(d, Duid::Other { .. }), "{d:?}");
        assert_eq!(d.as_bytes(), raw);
        assert_eq!(d.duid_type(), u16::from_be_bytes([raw[0], raw[1]]));
    }
    let other = [0xff, 0xee, 1, 2];
    assert_eq!(
        Duid::parse(&other).unwrap(),
        Duid::Other {
            duid_type: 0xffee,
            data: &[1, 2],
            raw: &other
        }
    );
    // Length limits.
    assert!(Duid::parse(&[0, 1]).is_err());
    assert!(Duid::parse(&[]).is_err());
    assert!(Duid::parse(&[0u8; DUID_MAX_LEN]).is_ok());
    assert!(matches!(
        Duid::parse(&[0u8; DUID_MAX_LEN + 1]),
        Err(WireError::BadValue { .. })
    ));
}

#[test]
fn ia_na_view() {
    let mut body = [0u8; 12 + 28];
    body[..12].copy_from_slice(&[0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3]);
    body[12..16].copy_from_slice(&[0, 5, 0, 24]);
    body[16..32].copy_from_slice(&ip("::1").octets());
    body[32..40].copy_from_slice(&[0, 0, 0, 4, 0, 0, 0, 5]);
    let ia = IaNa::parse(&body).unwrap();
    assert_eq!((ia.iaid, ia.t1, ia.t2), (1, 2, 3));
    let a = ia.addresses().next().unwrap();
    assert_eq!((a.address, a.preferred, a.valid), (ip("::1"), 4, 5));
    assert!(a.options.is_empty());
    assert!(matches!(
        IaNa::parse(&body[..11]),
        Err(WireError::Truncated { .. })
    ));
    assert!(matches!(
        IaNa::parse(&body[..39]),
        Err(WireError::OptionOverrun { code: 5, .. })
    ));
    // The fixed part alone is valid.
    assert!(IaNa::parse(&body[..12]).unwrap().options.is_empty());
}

#[test]
fn ia_ta_view() {
    let ia = IaTa::parse(&[0, 0, 1, 0]).unwrap();
    assert_eq!(ia.iaid, 256);
    assert_eq!(ia.addresses().count(), 0);
    assert!(IaTa::parse(&[0, 0, 1]).is_err());
}

#[test]
fn ia_pd_and_prefix_views() {
    let mut body = [0u8; 12 + 29];
    body[..12].copy_from_slice(&[0, 0, 0, 9, 0, 0, 1, 0, 0, 0, 2, 0]);
    body[12..16].copy_from_slice(&[0, 26, 0, 25]);
    body[16..24].copy_from_slice(&[0, 0, 0, 10, 0, 0, 0, 20]);
    body[24] = 48;
    body[25..41].copy_from_slice(&ip("2001:db8:1::").octets());
    let pd = IaPd::parse(&body).unwrap();
    assert_eq!((pd.iaid, pd.t1, pd.t2), (9, 256, 512));
    let p = pd.prefixes().next().unwrap();
    assert_eq!(
        (p.preferred, p.valid, p.prefix_len, p.prefix),
        (10, 20, 48, ip("2001:db8:1::"))
    );
    assert_eq!(IaPrefix::parse(&body[16..]).unwrap(), p);
    assert!(IaPrefix::parse(&body[16..40]).is_err());
    body[24] = 129;
    assert!(matches!(
        IaPd::parse(&body),
        Err(WireError::BadValue { .. })
    ));
    assert!(IaPd::parse(&body[..11]).is_err());
}

#[test]
fn ia_addr_view() {
    let mut body = [0u8; 24 + 8];
    body[..16].copy_from_slice(&ip("2001:db8::7").octets());
    body[16..24].copy_from_slice(&[0, 0, 0, 1, 0xff, 0xff, 0xff, 0xff]);
    body[24..].copy_from_slice(&[0, 13, 0, 4, 0, 4, b'n', b'o']);
    let a = IaAddr::parse(&body).unwrap();
    assert_eq!(
        (a.address, a.preferred, a.valid),
        (ip("2001:db8::7"), 1, u32::MAX)
    );
    let s = a.status().unwrap();
    assert_eq!((s.code, s.message), (status::NOT_ON_LINK, &b"no"[..]));
    assert!(IaAddr::parse(&body[..23]).is_err());
    // STATUS_CODE shorter than its 2-byte code.
    body[27] = 1;
    assert!(IaAddr::parse(&body[..29]).is_err());
}

#[test]
fn status_oro_remote_id_views() {
    let s = StatusCode::parse(&[0, 5, b'h', b'i']).unwrap();
    assert_eq!(s.code, status::USE_MULTICAST);
    assert_eq!(s.message_str(), Some("hi"));
    assert_eq!(
        StatusCode::parse(&[0, 1, 0xff]).unwrap().message_str(),
        None
    );
    assert!(StatusCode::parse(&[0]).is_err());
    let o = Oro::parse(&[0, 23, 0, 24]).unwrap();
    assert_eq!(
        o.codes().fold(0u32, |acc, c| acc * 100 + u32::from(c)),
        2324
    );
    assert!(!o.is_empty());
    assert!(Oro::parse(&[]).unwrap().is_empty());
    assert!(Oro::parse(&[0, 23, 0]).is_err());
    let r = RemoteId::parse(&[0, 0, 0x0d, 0xe9, 1, 2]).unwrap();
    assert_eq!((r.enterprise, r.id), (3561, &[1u8, 2][..]));
    assert!(RemoteId::parse(&[0, 0, 0]).is_err());
    assert_eq!(status::SUCCESS, 0);
    assert_eq!(status::UNSPEC_FAIL, 1);
    assert_eq!(status::NO_BINDING, 3);
}

#[test]
fn fixed_length_options_checked() {
    let cases: [(u16, &[u8], bool); 10] = [
        (OPTION_ELAPSED_TIME, &[0, 1], true),
        (OPTION_ELAPSED_TIME, &[0], false),
        (OPTION_ELAPSED_TIME, &[0, 1, 2], false),
        (OPTION_RAPID_COMMIT, &[], true),
        (OPTION_RAPID_COMMIT, &[1], false),
        (OPTION_PREFERENCE, &[1], true),
        (OPTION_PREFERENCE, &[], false),
        (OPTION_UNICAST, &[0; 15], false),
        (OPTION_INTERFACE_ID, &[], true),
        (OPTION_CLIENTID, &[], false),
    ];
    for (code, body, ok) in cases {
        let mut buf = [0u8; 64];
        let mut w = Message6Writer::new(&mut buf);
        w.put_header(MessageType::Solicit, 1).unwrap();
        w.option(code, body).unwrap();
        let n = w.finish().unwrap();
        assert_eq!(
            Packet6::parse(&buf[..n]).is_ok(),
            ok,
            "option {code} {body:?}"
        );
    }
}

#[test]
fn interface_and_remote_id_round_trip() {
    let mut buf = [0u8; 256];
    let mut w = Message6Writer::new(&mut buf);
    w.put_relay_header(MessageType::RelayForw, 0, ip("2001:db8::"), ip("fe80::1"))
        .unwrap();
    w.interface_id(b"eth0/1").unwrap();
    w.remote_id(4491, b"modem-1").unwrap();
    let m = w.begin_option(OPTION_RELAY_MSG).unwrap();
    w.put_header(MessageType::Solicit, 5).unwrap();
    w.end_option(m).unwrap();
    let n = w.finish().unwrap();
    let Packet6::Relay(r) = Packet6::parse(&buf[..n]).unwrap() else {
        panic!()
    };
    assert_eq!(r.interface_id(), Some(&b"eth0/1"[..]));
    let rid = r.options().remote_id().unwrap();
    assert_eq!((rid.enterprise, rid.id), (4491, &b"modem-1"[..]));
    assert_eq!(r.relay_msg(), &[1, 0, 0, 5]);
}

/// Writes `depth` RELAY-FORW levels around a SOLICIT; level i gets hop
/// count i, distinct addresses and (on even levels) an INTERFACE_ID.
fn write_relayed(buf: &mut [u8], depth: usize) -> Result<usize, WireError> {
    let mut w = Message6Writer::new(buf);
    let mut marks: [Option<OptionMark>; MAX_RELAY_DEPTH + 4] = core::array::from_fn(|_| None);
    for (i, slot) in marks.iter_mut().enumerate().take(depth) {
        let i16 = i as u16;
        w.put_relay_header(
            MessageType::RelayForw,
            i as u8,
            Ipv6Addr::new(0x2001, 0xdb8, i16, 0, 0, 0, 0, 0),
            Ipv6Addr::new(0xfe80, 0, 0, 0, 0, 0, 0, i16 + 1),
        )?;
        if i % 2 == 0 {
            w.interface_id(&[b'i', i as u8])?;
        }
        *slot = Some(w.begin_option(OPTION_RELAY_MSG)?);
    }
    w.put_header(MessageType::Solicit, 0x123456)?;
    w.client_id(&LLT)?;
    w.elapsed_time(7)?;
    for slot in marks[..depth].iter_mut().rev() {
        if let Some(m) = slot.take() {
            w.end_option(m)?;
        }
    }
    w.finish()
}

#[test]
fn relay_nesting_depths() {
    let mut buf = vec![0u8; 8192];
    for depth in [1usize, 2, 3, 8, MAX_RELAY_DEPTH] {
        let n = write_relayed(&mut buf, depth).unwrap();
        let pkt = Packet6::parse(&buf[..n]).unwrap();
        assert_eq!(pkt.relay_depth(), depth);
        assert_eq!(pkt.msg_type(), MessageType::RelayForw);
        assert_eq!(pkt.relays().size_hint(), (depth, Some(depth)));
        let mut count = 0;
        for (i, r) in pkt.relays().enumerate() {
            assert_eq!(r.hop_count(), i as u8);
            assert_eq!(r.depth(), depth - i);
            assert_eq!(
                r.link_address(),
                Ipv6Addr::new(0x2001, 0xdb8, i as u16, 0, 0, 0, 0, 0)
            );
            assert_eq!(
                r.peer_address(),
                Ipv6Addr::new(0xfe80, 0, 0, 0, 0, 0, 0, i as u16 + 1)
            );
            let want: Option<&[u8]> = if i % 2 == 0 {
                Some(&[b'i', i as u8])
            } else {
                None
            };
            assert_eq!(r.interface_id(), want);
            match r.inner() {
                Packet6::Relay(inner) => assert_eq!(inner.depth(), depth - i - 1),
                Packet6::Client(c) => {
                    assert_eq!(i, depth - 1);
                    assert_eq!(c.as_bytes(), r.relay_msg());
                }
            }
            count += 1;
        }
        assert_eq!(count, depth);
        let c = pkt.innermost();
        assert_eq!(c.msg_type(), MessageType::Solicit);
        assert_eq!(c.xid(), 0x123456);
        assert_eq!(c.client_id().unwrap().as_bytes(), &LLT);
        assert_eq!(c.options().elapsed_time(), Some(7));
    }
    let n = write_relayed(&mut buf, MAX_RELAY_DEPTH + 1).unwrap();
    assert_eq!(Packet6::parse(&buf[..n]), Err(WireError::TooDeep));
}

#[test]
fn relay_reply_mirrors_request_chain() {
    let mut req = vec![0u8; 4096];
    let mut rep = vec![0u8; 4096];
    for depth in [0usize, 1, 2, 8, MAX_RELAY_DEPTH] {
        let n = write_relayed(&mut req, depth).unwrap();
        let request = Packet6::parse(&req[..n]).unwrap();
        let mut w = Message6Writer::new(&mut rep);
        let chain = w.begin_relay_reply(request.relays()).unwrap();
        w.put_header(MessageType::Reply, request.innermost().xid())
            .unwrap();
        w.server_id(&[0, 3, 0, 1, 1, 2, 3, 4, 5, 6]).unwrap();
        let ia = w.begin_ia_na(1, 2, 3).unwrap();
        w.status_code(status::NO_ADDRS_AVAIL, "sorry").unwrap();
        w.end_option(ia).unwrap();
        w.end_relay_reply(chain).unwrap();
        let m = w.finish().unwrap();
        let reply = Packet6::parse(&rep[..m]).unwrap();
        assert_eq!(reply.relay_depth(), depth);
        for (q, r) in request.relays().zip(reply.relays()) {
            assert_eq!(r.msg_type(), MessageType::RelayRepl);
            assert_eq!(r.hop_count(), q.hop_count());
            assert_eq!(r.link_address(), q.link_address());
            assert_eq!(r.peer_address(), q.peer_address());
            assert_eq!(r.interface_id(), q.interface_id());
        }
        let inner = reply.innermost();
        assert_eq!(inner.msg_type(), MessageType::Reply);
        assert_eq!(inner.xid(), 0x123456);
        let ia = inner.options().ia_nas().next().unwrap();
        assert_eq!(ia.status().unwrap().message_str(), Some("sorry"));
    }
}

#[test]
fn bad_headers() {
    assert!(matches!(
        Packet6::parse(&[]),
        Err(WireError::Truncated { offset: 0, .. })
    ));
    for n in 1..4 {
        let r = Packet6::parse(&[1, 2, 3][..n]);
        assert_eq!(
            r,
            Err(WireError::Truncated {
                offset: n,
                needed: 4 - n
            })
        );
    }
    let relay = [12u8; 33];
    assert_eq!(
        Packet6::parse(&relay),
        Err(WireError::Truncated {
            offset: 33,
            needed: 1
        })
    );
    // Relay without RELAY_MSG.
    let relay = [
        12u8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    ]
    .iter()
    .chain(&[0u8; 10])
    .copied()
    .collect::<Vec<_>>();
    assert!(matches!(
        Packet6::parse(&relay),
        Err(WireError::BadValue { .. })
    ));
    // Relay whose RELAY_MSG is empty or a truncated header.
    let mut r = relay.clone();
    r.extend_from_slice(&[0, 9, 0, 0]);
    assert_eq!(
        Packet6::parse(&r),
        Err(WireError::Truncated {
            offset: 38,
            needed: 4
        })
    );
    let mut r = relay.clone();
    r.extend_from_slice(&[0, 9, 0, 2, 1, 0]);
    assert_eq!(
        Packet6::parse(&r),
        Err(WireError::Truncated {
            offset: 40,
            needed: 2
        })
    );
    // Two RELAY_MSG options.
    let mut r = relay.clone();
    r.extend_from_slice(&[0, 9, 0, 4, 1, 0, 0, 0, 0, 9, 0, 4, 1, 0, 0, 0]);
    assert!(matches!(
        Packet6::parse(&r),
        Err(WireError::BadValue { .. })
    ));
    r.truncate(relay.len() + 8);
    assert!(Packet6::parse(&r).is_ok());
}

#[test]
fn bad_options() {
    // Option header cut short.
    assert_eq!(
        Packet6::parse(&[1, 0, 0, 0, 0, 1, 0]),
        Err(WireError::Truncated {
            offset: 4,
            needed: 1
        })
    );
    // Option length past end.
    assert_eq!(
        Packet6::parse(&[1, 0, 0, 0, 0, 99, 0, 3, 1, 2]),
        Err(WireError::OptionOverrun {
            code: 99,
            offset: 4
        })
    );
    // Zero-length options: fine for opaque ones, not for IA_NA.
    assert!(Packet6::parse(&[1, 0, 0, 0, 0, 99, 0, 0, 0, 98, 0, 0]).is_ok());
    assert!(matches!(
        Packet6::parse(&[1, 0, 0, 0, 0, 3, 0, 0]),
        Err(WireError::Truncated {
            offset: 8,
            needed: 12
        })
    ));
    // IA_NA shorter than 12 bytes.
    let p = [1, 0, 0, 0, 0, 3, 0, 11, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0];
    assert!(matches!(
        Packet6::parse(&p),
        Err(WireError::Truncated { .. })
    ));
    // IAADDR inside IA_NA overrunning the IA_NA.
    let mut buf = [0u8; 128];
    let mut w = Message6Writer::new(&mut buf);
    w.put_header(MessageType::Request, 1).unwrap();
    let ia = w.begin_ia_na(1, 2, 3).unwrap();
    w.ia_addr(ip("::1"), 1, 2).unwrap();
    w.end_option(ia).unwrap();
    let n = w.finish().unwrap();
    assert!(Packet6::parse(&buf[..n]).is_ok());
    buf[4 + 4 + 12 + 3] = 25; // IAADDR length 24 → 25
    assert_eq!(
        Packet6::parse(&buf[..n]),
        Err(WireError::OptionOverrun {
            code: OPTION_IAADDR,
            offset: 20
        })
    );
    buf[4 + 4 + 12 + 3] = 23; // IAADDR shorter than its fixed part
    assert!(matches!(
        Packet6::parse(&buf[..n]),
        Err(WireError::Truncated { .. })
    ));
}

#[test]
fn option_nesting_is_bounded() {
    let mut buf = [0u8; 1024];
    let mut w = Message6Writer::new(&mut buf);
    w.put_header(MessageType::Solicit, 1).unwrap();
    let mut marks: [Option<OptionMark>; MAX_OPTION_DEPTH + 1] = core::array::from_fn(|_| None);
    for m in marks.iter_mut() {
        *m = Some(w.begin_ia_ta(1).unwrap());
    }
    for m in marks.iter_mut().rev() {
        w.end_option(m.take().unwrap()).unwrap();
    }
    let n = w.finish().unwrap();
    assert_eq!(Packet6::parse(&buf[..n]), Err(WireError::TooDeep));
    // One level less is accepted.
    assert!(Options::parse(&buf[4 + 4 + 4..n]).is_ok());
}

#[test]
fn writer_errors() {
    let mut buf = [0u8; 10];
    let mut w = Message6Writer::new(&mut buf);
    w.put_header(MessageType::Reply, 1).unwrap();
    assert_eq!(
        w.client_id(&LLT),
        Err(WireError::NoSpace {
            needed: 22,
            available: 10
        })
    );
    // A whole option that does not fit leaves nothing behind.
    assert_eq!(w.len(), 4);
    assert_eq!(w.written(), &[7, 0, 0, 1]);
    let mut buf = [0u8; 3];
    let mut w = Message6Writer::new(&mut buf);
    assert_eq!(
        w.put_header(MessageType::Reply, 1),
        Err(WireError::NoSpace {
            needed: 4,
            available: 3
        })
    );
    // Unclosed option.
    let mut buf = [0u8; 64];
    let mut w = Message6Writer::new(&mut buf);
    w.put_header(MessageType::Reply, 1).unwrap();
    let _open = w.begin_option(3).unwrap();
    assert!(matches!(w.finish(), Err(WireError::BadValue { .. })));
    // Option longer than a u16 length allows.
    let mut big = vec![0u8; 70_000];
    let mut w = Message6Writer::new(&mut big);
    let m = w.begin_option(99).unwrap();
    w.put_bytes(&[0; 65_536]).unwrap();
    assert!(matches!(w.end_option(m), Err(WireError::BadValue { .. })));
    let data = vec![0u8; 65_536];
    let mut w = Message6Writer::new(&mut big);
    assert!(w.option(99, &data).is_err());
    // Exact fit succeeds.
    let mut buf = [0u8; 4 + 4 + 14];
    let mut w = Message6Writer::new(&mut buf);
    w.put_header(MessageType::Reply, 1).unwrap();
    w.client_id(&LLT).unwrap();
    assert_eq!(w.finish(), Ok(22));
}

/// Exercises every accessor so a latent panic in a view would surface.
fn touch_everything(pkt: &Packet6<'_>) -> usize {
    let mut n = pkt.relay_depth() + pkt.as_bytes().len();
    for r in pkt.relays() {
        n += r.hop_count() as usize + r.relay_msg().len();
        n += r.interface_id().map_or(0, <[u8]>::len);
        n += r.options().remote_id().map_or(0, |x| x.id.len());
        let _ = (r.link_address(), r.peer_address(), r.inner().msg_type());
    }
    let c = pkt.innermost();
    let o = c.options();
    n += o.iter().count();
    n += c.client_id().map_or(0, |d| {
        d.as_bytes().len() + d.link_layer().map_or(0, |l| l.1.len())
    });
    n += c.server_id().map_or(0, |d| d.duid_type() as usize);
    n += o.oro().map_or(0, |x| x.codes().count());
    n += o.elapsed_time().unwrap_or(0) as usize + o.preference().unwrap_or(0) as usize;
    n += usize::from(o.rapid_commit()) + usize::from(o.unicast().is_some());
    n += o.status_code().map_or(0, |s| s.message.len());
    for ia in o.ia_nas() {
        n += ia
            .addresses()
            .map(|a| a.status().map_or(1, |s| s.code as usize))
            .sum::<usize>();
        n += ia.status().map_or(0, |s| s.code as usize);
    }
    for ia in o.ia_tas() {
        n += ia.addresses().count();
    }
    for pd in o.ia_pds() {
        n += pd.prefixes().map(|p| p.prefix_len as usize).sum::<usize>();
    }
    n
}

#[test]
fn random_garbage_never_panics() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut buf = [0u8; 512];
    let mut ok = 0;
    for _ in 0..100_000 {
        let len = rng.below(buf.len() as u64) as usize;
        for b in &mut buf[..len] {
            *b = rng.next() as u8;
        }
        // Bias towards plausible structure: small option codes and lengths.
        if len > 8 && rng.below(2) == 0 {
            buf[0] = rng.below(14) as u8 + 1;
            let mut pos = if buf[0] >= 12 { 34 } else { 4 };
            while pos + 4 <= len {
                let remaining = (len - pos - 4) as u64;
                let l = rng.below(remaining.min(40) + 3) as u16;
                buf[pos] = 0;
                buf[pos + 1] = rng.below(40) as u8;
                buf[pos + 2..pos + 4].copy_from_slice(&l.to_be_bytes());
                pos += 4 + if rng.below(8) != 0 {
                    l as usize
                } else {
                    rng.below(30) as usize
                };
            }
        }
        if let Ok(p) = Packet6::parse(&buf[..len]) {
            ok += 1;
            touch_everything(&p);
        }
        let _ = OptionIter::new(&buf[..len]).count();
    }
    assert!(ok > 100, "only {ok} random packets parsed");
}

#[test]
fn mutated_valid_packets_never_panic() {
    let mut rng = Rng(42);
    let mut orig = [0u8; 2048];
    let mut n = write_relayed(&mut orig, 3).unwrap();
    // Append the full client message content inside another relay for variety.
    let mut full = [0u8; 1024];
    let m = write_full(&mut full, MessageType::Request, 99).unwrap();
    let mut buf = [0u8; 2048];
    for iter in 0..100_000u32 {
        let src: &[u8] = if iter % 2 == 0 {
            &orig[..n]
        } else {
            &full[..m]
        };
        let len = src.len();
        buf[..len].copy_from_slice(src);
        for _ in 0..=rng.below(4) {
            let at = rng.below(len as u64) as usize;
            buf[at] = rng.next() as u8;
        }
        let cut = if rng.below(4) == 0 {
            rng.below(len as u64 + 1) as usize
        } else {
            len
        };
        if let Ok(p) = Packet6::parse(&buf[..cut]) {
            touch_everything(&p);
        }
    }
    n = write_relayed(&mut orig, 2).unwrap();
    assert!(Packet6::parse(&orig[..n]).is_ok());
}

#[test]
fn every_duid_type_round_trips_through_writer() {
    let mut uuid = [0u8; 18];
    uuid[1] = 4;
    uuid[2..].copy_from_slice(&[0x5a; 16]);
    let duids: [&[u8]; 5] = [
        &LLT,
        &[0, 2, 0, 0, 0x0d, 0xe9, b'x'],
        &[0, 3, 0, 1, 1, 2, 3, 4, 5, 6],
        &uuid,
        &[0x12, 0x34, 0xff],
    ];
    for (i, duid) in duids.iter().enumerate() {
        let mut buf = [0u8; 128];
        let mut w = Message6Writer::new(&mut buf);
        w.put_header(MessageType::Reply, 1).unwrap();
        w.client_id(duid).unwrap();
        w.server_id(duid).unwrap();
        let n = w.finish().unwrap();
        let c = Packet6::parse(&buf[..n]).unwrap().innermost();
        let d = c.client_id().unwrap();
        assert_eq!(d.as_bytes(), *duid);
        assert_eq!(c.server_id(), Some(d));
        let kind = match d {
            Duid::Llt { .. } => 0,
            Duid::En { .. } => 1,
            Duid::Ll { .. } => 2,
            Duid::Uuid { .. } => 3,
            Duid::Other { .. } => 4,
        };
        assert_eq!(kind, i);
    }
}

#[test]
fn option_iter_and_find_all() {
    let data = [0, 5, 0, 1, 9, 0, 6, 0, 0, 0, 5, 0, 2, 7, 8];
    let o = Options::parse(&data).unwrap_err();
    // Option 5 (IAADDR) is too short for its fixed part: rejected by parse...
    assert!(matches!(o, WireError::Truncated { .. }));
    // ...but the raw iterator still walks it.
    let codes: Vec<(u16, usize)> = OptionIter::new(&data).map(|(c, d)| (c, d.len())).collect();
    assert_eq!(codes, [(5, 1), (6, 0), (5, 2)]);
    let data = [0, 99, 0, 1, 9, 0, 98, 0, 0, 0, 99, 0, 2, 7, 8];
    let o = Options::parse(&data).unwrap();
    let all: Vec<&[u8]> = o.find_all(99).collect();
    assert_eq!(all, [&[9][..], &[7, 8][..]]);
    assert_eq!(o.find(98), Some(&[][..]));
    assert_eq!(o.into_iter().count(), 3);
    // The raw iterator stops at a malformed tail instead of failing.
    assert_eq!(OptionIter::new(&data[..13]).count(), 2);
    assert_eq!(OptionIter::new(&data[..2]).count(), 0);
}

#[test]
fn relay_levels_from_the_middle() {
    let mut buf = [0u8; 1024];
    let n = write_relayed(&mut buf, 4).unwrap();
    let pkt = Packet6::parse(&buf[..n]).unwrap();
    let Packet6::Relay(outer) = pkt else { panic!() };
    let second = outer.inner_relay().unwrap();
    assert_eq!(second.hop_count(), 1);
    assert_eq!(second.levels().count(), 3);
    assert_eq!(second.innermost(), pkt.innermost());
    let last = second.levels().last().unwrap();
    assert_eq!(last.depth(), 1);
    assert!(last.inner_relay().is_none());
    assert_eq!(last.inner(), Packet6::Client(pkt.innermost()));
    // Level 3 (odd) carries no INTERFACE_ID, just the RELAY_MSG.
    assert_eq!(last.interface_id(), None);
    assert_eq!(
        last.as_bytes().len(),
        RELAY_HEADER_LEN + 4 + last.relay_msg().len()
    );
    // A relay level is also a packet of its own.
    let inner_pkt = Packet6::parse(second.as_bytes()).unwrap();
    assert_eq!(inner_pkt.relay_depth(), 3);
}

#[test]
fn writer_runs_out_of_space_in_nested_options() {
    let mut big = [0u8; 512];
    let mut req = [0u8; 512];
    let n = write_relayed(&mut req, 3).unwrap();
    let request = Packet6::parse(&req[..n]).unwrap();
    // Every buffer size short of the full reply fails cleanly with NoSpace.
    let full = {
        let mut w = Message6Writer::new(&mut big);
        let chain = w.begin_relay_reply(request.relays()).unwrap();
        w.put_header(MessageType::Reply, 1).unwrap();
        let ia = w.begin_ia_na(1, 2, 3).unwrap();
        let a = w.begin_ia_addr(ip("::1"), 4, 5).unwrap();
        w.status_code(0, "fine").unwrap();
        w.end_option(a).unwrap();
        w.end_option(ia).unwrap();
        w.end_relay_reply(chain).unwrap();
        w.finish().unwrap()
    };
    for size in 0..full {
        let mut buf = [0u8; 512];
        let mut w = Message6Writer::new(&mut buf[..size]);
        let r = (|| {
            let chain = w.begin_relay_reply(request.relays())?;
            w.put_header(MessageType::Reply, 1)?;
            let ia = w.begin_ia_na(1, 2, 3)?;
            let a = w.begin_ia_addr(ip("::1"), 4, 5)?;
            w.status_code(0, "fine")?;
            w.end_option(a)?;
            w.end_option(ia)?;
            w.end_relay_reply(chain)
        })();
        assert!(matches!(r, Err(WireError::NoSpace { available, .. }) if available == size));
    }
    assert!(Packet6::parse(&big[..full]).is_ok());
}
