//! Differential tests: the v6 codec against the `dhcproto` crate.
//!
//! Random message descriptions (seeded, so failures reproduce) are encoded by
//! one codec and decoded by the other; both sides are reduced to the same
//! plain [`Summary`] and compared. Because dhcproto sorts options by code, our
//! writer emits options in code order here too, which lets us also demand
//! byte-identical encodings.

mod common;

use std::net::Ipv6Addr;

use common::rng::Rng;

use dhcproto::v6::{
    self, DhcpOption, DhcpOptions, IAAddr, IAPrefix, OptionCode, RelayMessage, Status,
    UnknownOption, IANA, IAPD, ORO,
};
use dhcproto::{Decodable, Encodable};
use xdhcp_dataplane::wire::v6::{
    Duid, Message6Writer, MessageType, OptionMark, Packet6, DUID_EN, DUID_LL, DUID_LLT, DUID_UUID,
    OPTION_RELAY_MSG,
};
use xdhcp_dataplane::wire::WireError;

fn addr(r: &mut Rng) -> Ipv6Addr {
    Ipv6Addr::from(u128::from(r.next()) << 64 | u128::from(r.next()))
}

type Status6 = Option<(u16, Vec<u8>)>;

#[derive(Debug, Clone, PartialEq)]
struct Addr {
    addr: Ipv6Addr,
    preferred: u32,
    valid: u32,
    status: Status6,
}

#[derive(Debug, Clone, PartialEq)]
struct Prefix {
    preferred: u32,
    valid: u32,
    len: u8,
    prefix: Ipv6Addr,
    status: Status6,
}

#[derive(Debug, Clone, PartialEq)]
struct Ia<T> {
    iaid: u32,
    t1: u32,
    t2: u32,
    items: Vec<T>,
    status: Status6,
}

#[derive(Debug, Clone, PartialEq)]
struct Relay {
    msg_type: u8,
    hop: u8,
    link: Ipv6Addr,
    peer: Ipv6Addr,
    interface_id: Option<Vec<u8>>,
}

/// Everything both codecs must agree on.
#[derive(Debug, Clone, PartialEq, Default)]
struct Summary {
    relays: Vec<Relay>,
    msg_type: u8,
    xid: u32,
    client_id: Option<Vec<u8>>,
    server_id: Option<Vec<u8>>,
    ia_nas: Vec<Ia<Addr>>,
    oro: Option<Vec<u16>>,
    elapsed: Option<u16>,
    status: Status6,
    rapid_commit: bool,
    ia_pds: Vec<Ia<Prefix>>,
}

const CLIENT_TYPES: [u8; 21] = [
    1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 14, 15, 16, 17, 18, 19, 20, 21, 23, 200,
];

fn gen_duid(r: &mut Rng) -> Vec<u8> {
    let mut d = Vec::new();
    match r.below(5) {
        0 => {
            d.extend_from_slice(&DUID_LLT.to_be_bytes());
            d.extend_from_slice(&1u16.to_be_bytes());
            d.extend_from_slice(&r.u32().to_be_bytes());
            d.extend(r.bytes(6, 6));
        }
        1 => {
            d.extend_from_slice(&DUID_EN.to_be_bytes());
            d.extend_from_slice(&r.u32().to_be_bytes());
            d.extend(r.bytes(1, 32));
        }
        2 => {
            d.extend_from_slice(&DUID_LL.to_be_bytes());
            d.extend_from_slice(&(r.below(40) as u16).to_be_bytes());
            d.extend(r.bytes(6, 20));
        }
        3 => {
            d.extend_from_slice(&DUID_UUID.to_be_bytes());
            d.extend(r.bytes(16, 16));
        }
        _ => {
            d.extend_from_slice(&(5 + r.below(0xfff0) as u16).to_be_bytes());
            d.extend(r.bytes(1, 64));
        }
    }
    d
}

fn gen_status(r: &mut Rng, percent: u64) -> Status6 {
    r.chance(percent).then(|| {
        let code = if r.chance(80) {
            r.below(23) as u16
        } else {
            r.next() as u16
        };
        (code, r.text(40).into_bytes())
    })
}

fn gen_summary(r: &mut Rng) -> Summary {
    let depth = match r.below(10) {
        0..=4 => 0,
        5..=8 => 1 + r.below(3) as usize,
        _ => 8,
    };
    let relays = (0..depth)
        .map(|i| Relay {
            msg_type: 12,
            hop: i as u8,
            link: addr(r),
            peer: addr(r),
            interface_id: r.chance(60).then(|| r.bytes(1, 24)),
        })
        .collect();
    let ia_nas = (0..r.below(3))
        .map(|_| Ia {
            iaid: r.u32(),
            t1: r.u32(),
            t2: r.u32(),
            items: (0..r.below(3))
                .map(|_| Addr {
                    addr: addr(r),
                    preferred: r.u32(),
                    valid: r.u32(),
                    status: gen_status(r, 20),
                })
                .collect(),
            status: gen_status(r, 30),
        })
        .collect();
    let ia_pds = (0..r.below(3))
        .map(|_| Ia {
            iaid: r.u32(),
            t1: r.u32(),
            t2: r.u32(),
            items: (0..r.below(3))
                .map(|_| Prefix {
                    preferred: r.u32(),
                    valid: r.u32(),
                    len: r.below(129) as u8,
                    prefix: addr(r),
                    status: gen_status(r, 20),
                })
                .collect(),
            status: gen_status(r, 30),
        })
        .collect();
    Summary {
        relays,
        msg_type: CLIENT_TYPES[r.below(CLIENT_TYPES.len() as u64) as usize],
        xid: r.u32() & 0xff_ffff,
        client_id: r.chance(90).then(|| gen_duid(r)),
        server_id: r.chance(40).then(|| gen_duid(r)),
        ia_nas,
        oro: r
            .chance(50)
            .then(|| (0..r.below(8)).map(|_| 1 + r.below(150) as u16).collect()),
        elapsed: r.chance(70).then(|| r.next() as u16),
        status: gen_status(r, 15),
        rapid_commit: r.chance(30),
        ia_pds,
    }
}

// ---- dhcproto side ----------------------------------------------------------

fn dp_status(s: &Status6) -> Option<DhcpOption> {
    s.as_ref().map(|(code, msg)| {
        DhcpOption::StatusCode(v6::StatusCode {
            status: Status::from(*code),
            msg: String::from_utf8(msg.clone()).unwrap(),
        })
    })
}

/// dhcproto's `DhcpOptions::insert` keeps options sorted by code but puts a
/// new option *before* existing ones with the same code, so options are
/// inserted in reverse to keep repeated codes (IA_NA, IAADDR...) in order.
fn dp_opts(list: impl IntoIterator<Item = DhcpOption>) -> DhcpOptions {
    let list: Vec<DhcpOption> = list.into_iter().collect();
    let mut o = DhcpOptions::new();
    for opt in list.into_iter().rev() {
        o.insert(opt);
    }
    o
}

fn dp_client(s: &Summary) -> v6::Message {
    let x = s.xid.to_be_bytes();
    let mut m = v6::Message::new_with_id(v6::MessageType::from(s.msg_type), [x[1], x[2], x[3]]);
    // Repeated codes go in reverse (see `dp_opts`).
    let o = m.opts_mut();
    if let Some(d) = &s.client_id {
        o.insert(DhcpOption::ClientId(d.clone()));
    }
    if let Some(d) = &s.server_id {
        o.insert(DhcpOption::ServerId(d.clone()));
    }
    for ia in s.ia_nas.iter().rev() {
        let addrs = ia.items.iter().map(|a| {
            DhcpOption::IAAddr(IAAddr {
                addr: a.addr,
                preferred_life: a.preferred,
                valid_life: a.valid,
                opts: dp_opts(dp_status(&a.status)),
            })
        });
        o.insert(DhcpOption::IANA(IANA {
            id: ia.iaid,
            t1: ia.t1,
            t2: ia.t2,
            opts: dp_opts(addrs.chain(dp_status(&ia.status))),
        }));
    }
    if let Some(codes) = &s.oro {
        o.insert(DhcpOption::ORO(ORO {
            opts: codes.iter().map(|&c| OptionCode::from(c)).collect(),
        }));
    }
    if let Some(e) = s.elapsed {
        o.insert(DhcpOption::ElapsedTime(e));
    }
    if let Some(st) = dp_status(&s.status) {
        o.insert(st);
    }
    if s.rapid_commit {
        o.insert(DhcpOption::RapidCommit);
    }
    for pd in s.ia_pds.iter().rev() {
        let prefixes = pd.items.iter().map(|p| {
            DhcpOption::IAPrefix(IAPrefix {
                preferred_lifetime: p.preferred,
                valid_lifetime: p.valid,
                prefix_len: p.len,
                prefix_ip: p.prefix,
                opts: dp_opts(dp_status(&p.status)),
            })
        });
        o.insert(DhcpOption::IAPD(IAPD {
            id: pd.iaid,
            t1: pd.t1,
            t2: pd.t2,
            opts: dp_opts(prefixes.chain(dp_status(&pd.status))),
        }));
    }
    m
}

/// A dhcproto RelayMessage with `rl`'s header. dhcproto has no constructor,
/// so decode a hand-built, option-less 34-byte header.
fn dp_relay_shell(rl: &Relay) -> RelayMessage {
    let mut hdr = vec![rl.msg_type, rl.hop];
    hdr.extend_from_slice(&rl.link.octets());
    hdr.extend_from_slice(&rl.peer.octets());
    RelayMessage::from_bytes(&hdr).unwrap()
}

fn dp_encode(s: &Summary) -> Vec<u8> {
    let client = dp_client(s).to_vec().unwrap();
    let mut inner: Option<RelayMessage> = None;
    for rl in s.relays.iter().rev() {
        let mut m = dp_relay_shell(rl);
        let o = m.opts_mut();
        o.insert(match inner.take() {
            Some(r) => DhcpOption::RelayMsg(r),
            None => DhcpOption::Unknown(UnknownOption::new(OptionCode::RelayMsg, client.clone())),
        });
        if let Some(id) = &rl.interface_id {
            o.insert(DhcpOption::InterfaceId(id.clone()));
        }
        inner = Some(m);
    }
    match inner {
        Some(r) => r.to_vec().unwrap(),
        None => client,
    }
}

fn dp_status_of(o: &DhcpOptions) -> Status6 {
    o.iter().find_map(|x| match x {
        DhcpOption::StatusCode(s) => Some((u16::from(s.status), s.msg.as_bytes().to_vec())),
        _ => None,
    })
}

/// Summarises a client message decoded by dhcproto.
fn dp_summarise_client(bytes: &[u8]) -> Summary {
    let m = v6::Message::from_bytes(bytes).unwrap();
    let mut s = Summary {
        msg_type: u8::from(m.msg_type()),
        xid: m.xid_num(),
        ..Summary::default()
    };
    for opt in m.opts().iter() {
        match opt {
            DhcpOption::ClientId(d) => s.client_id = Some(d.clone()),
            DhcpOption::ServerId(d) => s.server_id = Some(d.clone()),
            DhcpOption::IANA(ia) => s.ia_nas.push(Ia {
                iaid: ia.id,
                t1: ia.t1,
                t2: ia.t2,
                items: ia
                    .opts
                    .iter()
                    .filter_map(|x| match x {
                        DhcpOption::IAAddr(a) => Some(Addr {
                            addr: a.addr,
                            preferred: a.preferred_life,
                            valid: a.valid_life,
                            status: dp_status_of(&a.opts),
                        }),
                        _ => None,
                    })
                    .collect(),
                status: dp_status_of(&ia.opts),
            }),
            DhcpOption::IAPD(pd) => s.ia_pds.push(Ia {
                iaid: pd.id,
                t1: pd.t1,
                t2: pd.t2,
                items: pd
                    .opts
                    .iter()
                    .filter_map(|x| match x {
                        DhcpOption::IAPrefix(p) => Some(Prefix {
                            preferred: p.preferred_lifetime,
                            valid: p.valid_lifetime,
                            len: p.prefix_len,
                            prefix: p.prefix_ip,
                            status: dp_status_of(&p.opts),
                        }),
                        _ => None,
                    })
                    .collect(),
                status: dp_status_of(&pd.opts),
            }),
            DhcpOption::ORO(o) => s.oro = Some(o.opts.iter().map(|&c| u16::from(c)).collect()),
            DhcpOption::ElapsedTime(e) => s.elapsed = Some(*e),
            DhcpOption::StatusCode(st) => {
                s.status = Some((u16::from(st.status), st.msg.as_bytes().to_vec()))
            }
            DhcpOption::RapidCommit => s.rapid_commit = true,
            other => panic!("unexpected option {other:?}"),
        }
    }
    s
}

/// Summarises a datagram decoded by dhcproto. dhcproto decodes every
/// RELAY_MSG as a relay message, so the client message at the bottom is
/// decoded separately from `client` (its byte range, known to the writer).
///
/// The flag is true when dhcproto could not see the innermost relay level's
/// options after RELAY_MSG (see below); callers then rely on the byte-exact
/// comparison with dhcproto's own encoding for those.
fn dp_summarise(bytes: &[u8], depth: usize, client: &[u8]) -> (Summary, bool) {
    let mut s = dp_summarise_client(client);
    if depth == 0 {
        assert_eq!(bytes, client);
        return (s, false);
    }
    let mut cur = RelayMessage::from_bytes(bytes).unwrap();
    for level in 0..depth {
        s.relays.push(Relay {
            msg_type: u8::from(cur.msg_type()),
            hop: cur.hop_count(),
            link: cur.link_addr(),
            peer: cur.peer_addr(),
            interface_id: cur.opts().iter().find_map(|o| match o {
                DhcpOption::InterfaceId(id) => Some(id.clone()),
                _ => None,
            }),
        });
        if level + 1 == depth {
            // dhcproto decodes this level's RELAY_MSG (a client message) as a
            // relay message; when that fails it silently drops the rest of
            // the level's options, losing an INTERFACE_ID that sorts after it.
            let lost = !cur
                .opts()
                .iter()
                .any(|o| matches!(o, DhcpOption::RelayMsg(_)));
            return (s, lost);
        }
        let next = cur.opts().iter().find_map(|o| match o {
            DhcpOption::RelayMsg(inner) => Some(inner.clone()),
            _ => None,
        });
        cur = next.unwrap_or_else(|| panic!("dhcproto found no inner relay at level {level}"));
    }
    (s, false)
}

// ---- our side ---------------------------------------------------------------

fn our_status(w: &mut Message6Writer<'_>, s: &Status6) -> Result<(), WireError> {
    match s {
        Some((code, msg)) => w.status_code(*code, std::str::from_utf8(msg).unwrap()),
        None => Ok(()),
    }
}

/// Writes the summary in dhcproto's order (options sorted by code) and
/// returns (length, byte range of the client message).
fn our_encode(s: &Summary, buf: &mut [u8]) -> Result<(usize, std::ops::Range<usize>), WireError> {
    let mut w = Message6Writer::new(buf);
    let mut marks: Vec<OptionMark> = Vec::new(); // test-side bookkeeping only
    for rl in &s.relays {
        w.put_relay_header(MessageType::from(rl.msg_type), rl.hop, rl.link, rl.peer)?;
        marks.push(w.begin_option(OPTION_RELAY_MSG)?);
    }
    let start = w.len();
    w.put_header(MessageType::from(s.msg_type), s.xid)?;
    if let Some(d) = &s.client_id {
        w.client_id(d)?;
    }
    if let Some(d) = &s.server_id {
        w.server_id(d)?;
    }
    for ia in &s.ia_nas {
        let m = w.begin_ia_na(ia.iaid, ia.t1, ia.t2)?;
        for a in &ia.items {
            let am = w.begin_ia_addr(a.addr, a.preferred, a.valid)?;
            our_status(&mut w, &a.status)?;
            w.end_option(am)?;
        }
        our_status(&mut w, &ia.status)?;
        w.end_option(m)?;
    }
    if let Some(codes) = &s.oro {
        w.oro(codes)?;
    }
    if let Some(e) = s.elapsed {
        w.elapsed_time(e)?;
    }
    our_status(&mut w, &s.status)?;
    if s.rapid_commit {
        w.rapid_commit()?;
    }
    for pd in &s.ia_pds {
        let m = w.begin_ia_pd(pd.iaid, pd.t1, pd.t2)?;
        our_status(&mut w, &pd.status)?; // code 13 sorts before IAPREFIX (26)
        for p in &pd.items {
            let pm = w.begin_ia_prefix(p.preferred, p.valid, p.len, p.prefix)?;
            our_status(&mut w, &p.status)?;
            w.end_option(pm)?;
        }
        w.end_option(m)?;
    }
    let end = w.len();
    for (rl, m) in s.relays.iter().zip(marks).rev() {
        w.end_option(m)?;
        if let Some(id) = &rl.interface_id {
            w.interface_id(id)?; // INTERFACE_ID (18) sorts after RELAY_MSG (9)
        }
    }
    Ok((w.finish()?, start..end))
}

fn status_of(s: Option<xdhcp_dataplane::wire::v6::StatusCode<'_>>) -> Status6 {
    s.map(|s| (s.code, s.message.to_vec()))
}

/// Summarises a datagram parsed by our codec.
fn our_summarise(bytes: &[u8]) -> Summary {
    let pkt = Packet6::parse(bytes).unwrap();
    let c = pkt.innermost();
    let o = c.options();
    // Typed DUID views must agree with the raw bytes.
    for d in [c.client_id(), c.server_id()].into_iter().flatten() {
        let raw = d.as_bytes();
        assert_eq!(d.duid_type(), u16::from_be_bytes([raw[0], raw[1]]));
        match d {
            Duid::Llt {
                hw_type,
                time,
                link_layer,
                ..
            } => {
                assert_eq!(hw_type, 1);
                assert_eq!(time.to_be_bytes(), raw[4..8]);
                assert_eq!(link_layer, &raw[8..]);
            }
            Duid::En {
                enterprise,
                identifier,
                ..
            } => {
                assert_eq!(enterprise.to_be_bytes(), raw[2..6]);
                assert_eq!(identifier, &raw[6..]);
            }
            Duid::Ll { link_layer, .. } => assert_eq!(link_layer, &raw[4..]),
            Duid::Uuid { uuid, .. } => assert_eq!(&uuid[..], &raw[2..]),
            Duid::Other {
                duid_type, data, ..
            } => {
                assert!(duid_type > 4);
                assert_eq!(data, &raw[2..]);
            }
        }
    }
    Summary {
        relays: pkt
            .relays()
            .map(|r| Relay {
                msg_type: r.msg_type().code(),
                hop: r.hop_count(),
                link: r.link_address(),
                peer: r.peer_address(),
                interface_id: r.interface_id().map(<[u8]>::to_vec),
            })
            .collect(),
        msg_type: c.msg_type().code(),
        xid: c.xid(),
        client_id: c.client_id().map(|d| d.as_bytes().to_vec()),
        server_id: c.server_id().map(|d| d.as_bytes().to_vec()),
        ia_nas: o
            .ia_nas()
            .map(|ia| Ia {
                iaid: ia.iaid,
                t1: ia.t1,
                t2: ia.t2,
                items: ia
                    .addresses()
                    .map(|a| Addr {
                        addr: a.address,
                        preferred: a.preferred,
                        valid: a.valid,
                        status: status_of(a.status()),
                    })
                    .collect(),
                status: status_of(ia.status()),
            })
            .collect(),
        oro: o.oro().map(|x| x.codes().collect()),
        elapsed: o.elapsed_time(),
        status: status_of(o.status_code()),
        rapid_commit: o.rapid_commit(),
        ia_pds: o
            .ia_pds()
            .map(|pd| Ia {
                iaid: pd.iaid,
                t1: pd.t1,
                t2: pd.t2,
                items: pd
                    .prefixes()
                    .map(|p| Prefix {
                        preferred: p.preferred,
                        valid: p.valid,
                        len: p.prefix_len,
                        prefix: p.prefix,
                        status: status_of(p.status()),
                    })
                    .collect(),
                status: status_of(pd.status()),
            })
            .collect(),
    }
}

const ITERATIONS: u64 = 3000;

#[test]
fn dhcproto_encodes_we_decode() {
    let mut r = Rng(0x5eed_0001);
    let mut relayed = 0;
    for i in 0..ITERATIONS {
        let s = gen_summary(&mut r);
        let bytes = dp_encode(&s);
        assert_eq!(our_summarise(&bytes), s, "iteration {i}");
        relayed += usize::from(!s.relays.is_empty());
    }
    assert!(relayed > 1000);
}

#[test]
fn we_encode_dhcproto_decodes() {
    let mut r = Rng(0x5eed_0002);
    let mut buf = vec![0u8; 16 * 1024];
    for i in 0..ITERATIONS {
        let s = gen_summary(&mut r);
        let (n, client) = our_encode(&s, &mut buf).unwrap();
        let ours = &buf[..n];
        let (got, lost) = dp_summarise(ours, s.relays.len(), &ours[client]);
        let mut want = s.clone();
        if let (true, Some(last)) = (lost, want.relays.last_mut()) {
            last.interface_id = None;
        }
        assert_eq!(got, want, "iteration {i}");
        // Same option order as dhcproto, so the encodings must be identical.
        assert_eq!(ours, dp_encode(&s), "iteration {i}");
        // And our own parser reads back what we wrote.
        assert_eq!(our_summarise(ours), s, "iteration {i}");
    }
}

#[test]
fn relay_reply_wrapper_decodes_in_dhcproto() {
    let mut r = Rng(0x5eed_0003);
    let mut buf = vec![0u8; 16 * 1024];
    for _ in 0..500 {
        let mut s = gen_summary(&mut r);
        if s.relays.is_empty() {
            continue;
        }
        let request = dp_encode(&s);
        let req = Packet6::parse(&request).unwrap();
        let mut w = Message6Writer::new(&mut buf);
        let chain = w.begin_relay_reply(req.relays()).unwrap();
        let start = w.len();
        w.put_header(MessageType::Reply, req.innermost().xid())
            .unwrap();
        w.elapsed_time(5).unwrap();
        let end = w.len();
        w.end_relay_reply(chain).unwrap();
        let n = w.finish().unwrap();
        // INTERFACE_ID precedes RELAY_MSG here, so dhcproto sees all of it.
        let (got, _) = dp_summarise(&buf[..n], s.relays.len(), &buf[start..end]);
        for rl in &mut s.relays {
            rl.msg_type = 13;
        }
        assert_eq!(got.relays, s.relays);
        assert_eq!((got.msg_type, got.xid, got.elapsed), (7, s.xid, Some(5)));
    }
}
