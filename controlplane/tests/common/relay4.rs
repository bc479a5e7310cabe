//! Scripted DHCPv4 exchanges through a relay, sent to Kea and to xdhcp
//! alike: the messages, the reply fields compared, and the run.

use std::collections::BTreeMap;
use std::net::{Ipv4Addr, UdpSocket};
use std::time::Duration;

use xdhcp_dataplane::wire::v4::{code, MessageType, Packet4, Writer4, BOOTREQUEST};
use xdhcp_testlab::Lab;

use super::side_by_side::{self, Answers, V4};

/// The server's address in the lab.
pub const SERVER: Ipv4Addr = Ipv4Addr::new(198, 51, 100, 1);
/// The relay the scripted clients speak through.
pub const RELAY: Ipv4Addr = Ipv4Addr::new(198, 51, 100, 2);

/// What is compared of a reply: type, addresses, boot fields, options.
#[derive(Debug, PartialEq, Eq)]
pub struct Seen {
    /// Message type (`None`: a BOOTREPLY).
    pub kind: Option<u8>,
    /// Address given.
    pub yiaddr: Ipv4Addr,
    /// Next server.
    pub siaddr: Ipv4Addr,
    /// Boot file name.
    pub file: Vec<u8>,
    /// Every option by code.
    pub options: BTreeMap<u8, Vec<u8>>,
}

/// A relayed message from client `mac`.
pub fn message(kind: MessageType, mac: u8, ciaddr: Ipv4Addr, extra: &[(u8, &[u8])]) -> Vec<u8> {
    relayed_here(Some(kind), mac, ciaddr, extra)
}

/// A relayed BOOTREQUEST without a message type: a BOOTP client.
pub fn bootp(mac: u8, extra: &[(u8, &[u8])]) -> Vec<u8> {
    relayed_here(None, mac, Ipv4Addr::UNSPECIFIED, extra)
}

/// A BOOTREQUEST from client `02:00:00:00:aa:<mac>` relayed by [`RELAY`].
fn relayed_here(
    kind: Option<MessageType>,
    mac: u8,
    ciaddr: Ipv4Addr,
    extra: &[(u8, &[u8])],
) -> Vec<u8> {
    relayed(kind, mac, ciaddr, RELAY, extra)
}

/// A BOOTREQUEST from client `02:00:00:00:aa:<mac>` relayed by `giaddr`
/// (one hop), with a DHCP message type when `kind` is given and the
/// options `extra` in order.
pub fn relayed(
    kind: Option<MessageType>,
    mac: u8,
    ciaddr: Ipv4Addr,
    giaddr: Ipv4Addr,
    extra: &[(u8, &[u8])],
) -> Vec<u8> {
    let mut buf = vec![0u8; 600];
    let mut w = Writer4::new(&mut buf, 600).unwrap();
    w.set_op(BOOTREQUEST);
    w.set_hops(1);
    w.set_chaddr(1, &[2, 0, 0, 0, 0xaa, mac]).unwrap();
    w.set_xid(0x5eed_0000 | u32::from(mac));
    w.set_ciaddr(ciaddr);
    w.set_giaddr(giaddr);
    if let Some(kind) = kind {
        w.put_option(code::MESSAGE_TYPE, &[kind.to_u8()]).unwrap();
    }
    for (c, d) in extra {
        w.put_option(*c, d).unwrap();
    }
    let n = w.finish().unwrap();
    buf.truncate(n);
    buf
}

/// The reply `buf` as compared.
pub fn seen(buf: &[u8]) -> Seen {
    let p = Packet4::parse(buf).unwrap();
    let mut options = BTreeMap::new();
    let mut scratch = [0u8; 1500];
    for o in p.options() {
        let value = p.option(o.code).unwrap().read(&mut scratch).unwrap();
        options.insert(o.code, value.to_vec());
    }
    Seen {
        kind: p.message_type().map(|t| t.to_u8()),
        yiaddr: p.yiaddr(),
        siaddr: p.siaddr(),
        file: p.file().unwrap_or_default().to_vec(),
        options,
    }
}

/// A parameter request list asking for the usual options.
pub const PRL: (u8, &[u8]) = (55, &[1, 3, 6, 15, 42, 119]);

/// A step of a relayed DHCPv4 exchange.
pub type Step = side_by_side::Step<Seen>;

/// Runs `script` against the server in `lab`, from a relay socket.
pub fn exchange(lab: &Lab, script: Vec<(String, Step)>) -> Answers<Seen> {
    let client = lab.client.clone();
    std::thread::spawn(move || {
        xdhcp_testlab::enter(&client);
        let sock = UdpSocket::bind((RELAY, 67)).unwrap();
        let client_port = UdpSocket::bind((RELAY, 68)).unwrap();
        for s in [&sock, &client_port] {
            s.set_read_timeout(Some(Duration::from_millis(700)))
                .unwrap();
        }
        side_by_side::run_steps(script, |msg| {
            sock.send_to(msg, (SERVER, 67)).unwrap();
            let mut buf = [0u8; 1500];
            let got = sock.recv(&mut buf).or_else(|_| client_port.recv(&mut buf));
            got.ok().map(|n| seen(&buf[..n]))
        })
    })
    .join()
    .unwrap()
}

/// Serves `script` from Kea and from xdhcp; see [`super::side_by_side::differences`].
pub fn differences(
    tag: &str,
    config: impl Fn(&str, &str) -> String,
    script: impl Fn() -> Vec<(String, Vec<u8>)>,
    stats: &[&str],
) -> (Vec<String>, Answers<Seen>, Vec<Option<u64>>) {
    let steps = || {
        let steps = script().into_iter();
        steps.map(|(n, m)| (n, side_by_side::fixed(m))).collect()
    };
    differences_of_steps(tag, config, steps, stats)
}

/// [`differences`] for a script whose messages depend on the replies.
pub fn differences_of_steps(
    tag: &str,
    config: impl Fn(&str, &str) -> String,
    script: impl Fn() -> Vec<(String, Step)>,
    stats: &[&str],
) -> (Vec<String>, Answers<Seen>, Vec<Option<u64>>) {
    side_by_side::differences(tag, &V4, config, |lab| exchange(lab, script()), stats)
}
