//! Differential test against the `dhcproto` crate: thousands of generated
//! DHCPv4 messages must read the same in both codecs, in both directions.

mod common;

use std::net::Ipv4Addr;

use common::rng::Rng;

use dhcproto::v4::{self, DhcpOption, OptionCode, UnknownOption};
use dhcproto::{Decodable, Encodable};
use xdhcp_dataplane::wire::v4::{Packet4, Writer4};

fn ip(r: &mut Rng) -> Ipv4Addr {
    Ipv4Addr::from(r.u32())
}

/// A random option of a kind dhcproto encodes canonically. Some values exceed
/// 255 bytes so that RFC 3396 splitting is exercised on both sides.
fn random_option(r: &mut Rng) -> DhcpOption {
    match r.below(11) {
        0 => DhcpOption::RequestedIpAddress(ip(r)),
        1 => DhcpOption::ServerIdentifier(ip(r)),
        2 => DhcpOption::Router((0..1 + r.below(4)).map(|_| ip(r)).collect()),
        3 => DhcpOption::DomainNameServer((0..1 + r.below(100)).map(|_| ip(r)).collect()),
        4 => DhcpOption::ParameterRequestList(
            (0..1 + r.below(40))
                .map(|_| OptionCode::from(1 + r.below(250) as u8))
                .collect(),
        ),
        5 => DhcpOption::ClientIdentifier(r.bytes(1, 40)),
        6 => DhcpOption::Hostname(
            (0..1 + r.below(60))
                .map(|_| (b'a' + r.below(26) as u8) as char)
                .collect(),
        ),
        7 => DhcpOption::MaxMessageSize(576 + r.below(1000) as u16),
        8 => DhcpOption::AddressLeaseTime(r.next() as u32),
        9 => DhcpOption::SubnetMask(ip(r)),
        _ => {
            // Private-use codes dhcproto keeps as opaque bytes, up to 600 long.
            let code = 224 + r.below(30) as u8;
            DhcpOption::Unknown(UnknownOption::new(code.into(), r.bytes(1, 600)))
        }
    }
}

/// The joined data of one option as dhcproto puts it on the wire.
fn dhcproto_value(opt: &DhcpOption) -> Vec<u8> {
    let wire = opt.to_vec().unwrap();
    let mut data = Vec::new();
    let mut at = 0;
    while at < wire.len() {
        let len = wire[at + 1] as usize;
        data.extend_from_slice(&wire[at + 2..at + 2 + len]);
        at += 2 + len;
    }
    data
}

fn random_message(r: &mut Rng) -> v4::Message {
    let mut m = v4::Message::default();
    let mac: Vec<u8> = (0..6).map(|_| r.next() as u8).collect();
    m.set_opcode(if r.below(2) == 0 {
        v4::Opcode::BootRequest
    } else {
        v4::Opcode::BootReply
    })
    .set_xid(r.next() as u32)
    .set_secs(r.next() as u16)
    .set_flags(v4::Flags::new(r.next() as u16 & 0x8000))
    .set_ciaddr(ip(r))
    .set_yiaddr(ip(r))
    .set_siaddr(ip(r))
    .set_giaddr(ip(r))
    .set_chaddr(&mac)
    .set_hops(r.below(16) as u8);
    let kind = v4::MessageType::from(1 + r.below(8) as u8);
    m.opts_mut().insert(DhcpOption::MessageType(kind));
    for _ in 0..r.below(12) {
        m.opts_mut().insert(random_option(r));
    }
    m
}

#[test]
fn dhcproto_encoded_messages_read_the_same_here() {
    let mut r = Rng(0x1234_5678_9abc_def1);
    for _ in 0..3000 {
        let msg = random_message(&mut r);
        let wire = msg.to_vec().unwrap();
        let p = Packet4::parse(&wire).unwrap();
        assert_eq!(p.op(), u8::from(msg.opcode()));
        assert_eq!(p.xid(), msg.xid());
        assert_eq!(p.secs(), msg.secs());
        assert_eq!(p.flags(), u16::from(msg.flags()));
        assert_eq!(p.hops(), msg.hops());
        assert_eq!((p.ciaddr(), p.yiaddr()), (msg.ciaddr(), msg.yiaddr()));
        assert_eq!((p.siaddr(), p.giaddr()), (msg.siaddr(), msg.giaddr()));
        assert_eq!(p.chaddr(), msg.chaddr());
        assert_eq!(
            p.message_type().map(|t| t.to_u8()),
            msg.opts().msg_type().map(u8::from)
        );
        let mut ours: Vec<u8> = p.options().map(|o| o.code).collect();
        ours.dedup();
        let theirs: Vec<u8> = msg.opts().iter().map(|(c, _)| u8::from(*c)).collect();
        assert_eq!(ours, theirs);
        let mut scratch = [0u8; 2048];
        for (code, opt) in msg.opts().iter() {
            let v = p.option(u8::from(*code)).unwrap();
            assert_eq!(
                v.read(&mut scratch).unwrap(),
                &dhcproto_value(opt)[..],
                "option {code:?}"
            );
        }
    }
}

#[test]
fn messages_written_here_decode_the_same_in_dhcproto() {
    let mut r = Rng(0x0fed_cba9_8765_4321);
    let mut buf = [0u8; 4096];
    for _ in 0..3000 {
        let want = random_message(&mut r);
        let mut w = Writer4::new(&mut buf, 4096).unwrap();
        w.set_op(u8::from(want.opcode()));
        w.set_chaddr(1, want.chaddr()).unwrap();
        w.set_hops(want.hops());
        w.set_xid(want.xid());
        w.set_secs(want.secs());
        w.set_flags(want.flags().into());
        w.set_ciaddr(want.ciaddr());
        w.set_yiaddr(want.yiaddr());
        w.set_siaddr(want.siaddr());
        w.set_giaddr(want.giaddr());
        for (code, opt) in want.opts().iter() {
            w.put_option(u8::from(*code), &dhcproto_value(opt)).unwrap();
        }
        let n = w.finish().unwrap();
        let got = v4::Message::from_bytes(&buf[..n]).unwrap();
        assert_eq!(got, want);
    }
}
