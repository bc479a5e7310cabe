//! DHCPv4 messages the side-by-side tests send through a relay, and what
//! they compare of the replies.

use std::collections::BTreeMap;
use std::net::Ipv4Addr;

use xdhcp_dataplane::wire::v4::{code, MessageType, Packet4, Writer4, BOOTREQUEST};

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

/// What is compared of a reply: type, addresses, boot fields, options.
#[derive(Debug, PartialEq, Eq)]
pub struct Seen {
    pub kind: Option<u8>,
    pub yiaddr: Ipv4Addr,
    pub siaddr: Ipv4Addr,
    pub file: Vec<u8>,
    pub options: BTreeMap<u8, Vec<u8>>,
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
