//! Scripted DHCPv6 exchanges through a relay, sent to Kea and to xdhcp
//! alike: the relayed messages, what is compared of a reply, and the run.

use std::net::{Ipv6Addr, UdpSocket};
use std::time::Duration;

use xdhcp_dataplane::wire::v6::{
    Message6Writer, MessageType, Packet6, OPTION_IA_NA, OPTION_IA_PD, OPTION_RELAY_MSG,
};
use xdhcp_testlab::Lab;

use super::side_by_side::{self, Answers};

/// The server's address in the lab.
pub const SERVER: Ipv6Addr = Ipv6Addr::new(0x2001, 0xdb8, 7, 0, 0, 0, 0, 1);
/// The relay the scripted clients speak through.
pub const RELAY: Ipv6Addr = Ipv6Addr::new(0x2001, 0xdb8, 7, 0, 0, 0, 0, 2);
/// Both servers' DUID: DUID-EN, enterprise 2495 (ISC), identifier 0xc0ffee.
pub const SERVER_DUID: &[u8] = &[0, 2, 0, 0, 0x09, 0xbf, 0xc0, 0xff, 0xee];

/// Client `n`'s DUID (a DUID-LL with MAC 02:00:00:00:bb:n).
pub fn duid(n: u8) -> Vec<u8> {
    vec![0, 3, 0, 1, 2, 0, 0, 0, 0xbb, n]
}

/// A `Dhcp6` section serving the lab's interface `iface` at [`SERVER`]
/// with [`SERVER_DUID`], leases in memory and fixed lifetimes and timers,
/// with `body` (further keys) added. `socket` is `udp` for Kea, whose
/// DHCPv6 has no socket type, else xdhcp's packet backend.
pub fn dhcp6(iface: &str, socket: &str, body: &str) -> String {
    let socket = if socket == "udp" {
        String::new()
    } else {
        format!(r#", "dhcp-socket-type": "{socket}""#)
    };
    format!(
        r#"{{ "Dhcp6": {{
  "interfaces-config": {{ "interfaces": [ "{iface}/{SERVER}" ]{socket} }},
  "server-id": {{ "type": "EN", "enterprise-id": 2495, "identifier": "c0ffee", "persist": false }},
  "lease-database": {{ "type": "memfile", "persist": false }},
  "preferred-lifetime": 3000, "valid-lifetime": 4000, "renew-timer": 1000, "rebind-timer": 2000,
  {body}
}} }}"#
    )
}

/// What a client puts in its message: IA_NAs with an optional address,
/// IA_PDs with an optional prefix (and its length).
#[derive(Clone, Copy, Debug)]
pub enum Ia {
    /// An IA_NA, with an IAADDR when given.
    Na(Option<Ipv6Addr>),
    /// An IA_PD, with an IAPREFIX when given.
    Pd(Option<(Ipv6Addr, u8)>),
}

/// The client message of `kind` from `duid` carrying `ias` (IAIDs 1, 2,
/// ... in order), in a RELAY-FORW from the relay on `link`. Every message
/// but SOLICIT names the server.
pub fn relayed(kind: MessageType, duid: &[u8], link: Ipv6Addr, ias: &[Ia]) -> Vec<u8> {
    let numbered: Vec<(u32, Ia)> = (1..).zip(ias.iter().copied()).collect();
    relayed_iaids(kind, duid, link, &numbered, &[])
}

/// [`relayed`] with each IA's IAID given, and the client's `options`
/// (code, value) after its IAs.
pub fn relayed_iaids(
    kind: MessageType,
    duid: &[u8],
    link: Ipv6Addr,
    ias: &[(u32, Ia)],
    options: &[(u16, Vec<u8>)],
) -> Vec<u8> {
    let mut inner = vec![0u8; 600];
    let mut w = Message6Writer::new(&mut inner);
    let n = duid.last().copied().unwrap_or(0);
    w.put_header(kind, 0x5eed00 + u32::from(n)).unwrap();
    w.client_id(duid).unwrap();
    if kind != MessageType::Solicit {
        w.server_id(SERVER_DUID).unwrap();
    }
    w.elapsed_time(0).unwrap();
    for &(iaid, ia) in ias {
        match ia {
            Ia::Na(hint) => {
                let m = w.begin_ia_na(iaid, 0, 0).unwrap();
                if let Some(a) = hint {
                    w.ia_addr(a, 0, 0).unwrap();
                }
                w.end_option(m).unwrap();
            }
            Ia::Pd(hint) => {
                let m = w.begin_ia_pd(iaid, 0, 0).unwrap();
                if let Some((p, len)) = hint {
                    w.ia_prefix(0, 0, len, p).unwrap();
                }
                w.end_option(m).unwrap();
            }
        }
    }
    for (code, value) in options {
        w.option(*code, value).unwrap();
    }
    let n = w.finish().unwrap();
    inner.truncate(n);
    let mut buf = vec![0u8; 700];
    let mut w = Message6Writer::new(&mut buf);
    let peer = Ipv6Addr::from(u128::from(link) & !0xffff | 0xc1);
    w.put_relay_header(MessageType::RelayForw, 0, link, peer)
        .unwrap();
    w.option(OPTION_RELAY_MSG, &inner).unwrap();
    let n = w.finish().unwrap();
    buf.truncate(n);
    buf
}

/// One IA of a reply: option code, IAID, T1, T2, its bindings (address or
/// prefix, length, preferred and valid lifetimes) and status code.
pub type SeenIa = (
    u16,
    u32,
    u32,
    u32,
    Vec<(Ipv6Addr, u8, u32, u32)>,
    Option<u16>,
);

/// What is compared of a reply.
#[derive(Debug, PartialEq, Eq)]
pub struct Seen {
    /// Message type.
    pub kind: u8,
    /// The message's own status code.
    pub status: Option<u16>,
    /// Its IA_NAs, then its IA_PDs.
    pub ias: Vec<SeenIa>,
}

impl Seen {
    /// The first binding of each IA (`None` for an IA without one), in
    /// the reply's order.
    pub fn bound(&self) -> Vec<Option<(Ipv6Addr, u8)>> {
        let first = |ia: &SeenIa| ia.4.first().map(|b| (b.0, b.1));
        self.ias.iter().map(first).collect()
    }
}

/// What is compared of `reply`.
pub fn seen(reply: &[u8]) -> Seen {
    let msg = Packet6::parse(reply).unwrap().innermost();
    let o = msg.options();
    let mut ias: Vec<SeenIa> = o
        .ia_nas()
        .map(|ia| {
            let bound = ia
                .addresses()
                .map(|a| (a.address, 128, a.preferred, a.valid));
            let status = ia.status().map(|s| s.code);
            (OPTION_IA_NA, ia.iaid, ia.t1, ia.t2, bound.collect(), status)
        })
        .collect();
    ias.extend(o.ia_pds().map(|ia| {
        let bound = ia
            .prefixes()
            .map(|p| (p.prefix, p.prefix_len, p.preferred, p.valid));
        let status = ia.status().map(|s| s.code);
        (OPTION_IA_PD, ia.iaid, ia.t1, ia.t2, bound.collect(), status)
    }));
    Seen {
        kind: msg.msg_type().code(),
        status: o.status_code().map(|s| s.code),
        ias,
    }
}

/// A step of a relayed DHCPv6 exchange.
pub type Step = side_by_side::Step<Seen>;

/// Runs `script` from a relay in `lab`'s client namespace.
pub fn exchange(lab: &Lab, script: Vec<(String, Step)>) -> Answers<Seen> {
    let relay = lab.in_client(move || {
        let sock = UdpSocket::bind((RELAY, 547)).unwrap();
        sock.set_read_timeout(Some(Duration::from_millis(700)))
            .unwrap();
        side_by_side::run_steps(script, |msg| {
            sock.send_to(msg, (SERVER, 547)).unwrap();
            let mut buf = [0u8; 1500];
            sock.recv(&mut buf).ok().map(|n| seen(&buf[..n]))
        })
    });
    relay.join().unwrap()
}
