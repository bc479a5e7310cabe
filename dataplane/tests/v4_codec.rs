//! DHCPv4 codec: reading, writing, long options, overload and bad input.

mod common;

use std::net::Ipv4Addr;

use common::rng::Rng;

use xdhcp_dataplane::wire::v4::{
    code, relay_agent::sub, MessageType, Packet4, RelayAgentInfo, Writer4, BOOTREQUEST, HEADER_LEN,
    MIN_BOOTP_LEN, OPTIONS_OFFSET,
};
use xdhcp_dataplane::wire::WireError;

const MAC: [u8; 6] = [0x02, 0x00, 0x5e, 0x10, 0x20, 0x30];

/// A DISCOVER as dhclient sends it, built with our writer.
fn discover(buf: &mut [u8]) -> usize {
    let mut w = Writer4::new(buf, 1500).unwrap();
    w.set_op(BOOTREQUEST);
    w.set_chaddr(1, &MAC).unwrap();
    w.set_xid(0xdead_beef);
    w.set_secs(3);
    w.set_flags(0x8000);
    w.put_option(code::MESSAGE_TYPE, &[1]).unwrap();
    w.put_option(code::CLIENT_ID, &[1, 2, 0, 0x5e, 0x10, 0x20, 0x30])
        .unwrap();
    w.put_option(code::REQUESTED_ADDRESS, &[192, 0, 2, 10])
        .unwrap();
    w.put_option(12, b"host-a").unwrap();
    w.put_option(code::PARAMETER_REQUEST_LIST, &[1, 3, 6, 15, 28, 119])
        .unwrap();
    w.put_option(code::MAX_MESSAGE_SIZE, &1500u16.to_be_bytes())
        .unwrap();
    w.finish().unwrap()
}

#[test]
fn header_fields_and_options_read_back() {
    let mut buf = [0u8; 1500];
    let len = discover(&mut buf);
    assert_eq!(
        len, MIN_BOOTP_LEN,
        "short messages are padded to the BOOTP minimum"
    );
    let p = Packet4::parse(&buf[..len]).unwrap();
    assert_eq!(p.op(), BOOTREQUEST);
    assert_eq!((p.htype(), p.hlen(), p.chaddr()), (1, 6, &MAC[..]));
    assert_eq!((p.xid(), p.secs(), p.flags()), (0xdead_beef, 3, 0x8000));
    assert!(p.broadcast());
    assert_eq!(p.ciaddr(), Ipv4Addr::UNSPECIFIED);
    assert_eq!(p.message_type(), Some(MessageType::Discover));
    assert_eq!(
        p.option_ipv4(code::REQUESTED_ADDRESS),
        Some(Ipv4Addr::new(192, 0, 2, 10))
    );
    assert_eq!(p.option_u16(code::MAX_MESSAGE_SIZE), Some(1500));
    assert_eq!(p.option(12).unwrap().contiguous(), Some(&b"host-a"[..]));
    assert_eq!(p.sname(), Some(&b""[..]));
    assert_eq!(p.file(), Some(&b""[..]));
    let codes: Vec<u8> = p.options().map(|o| o.code).collect();
    assert_eq!(codes, [53, 61, 50, 12, 55, 57]);
    assert!(p.option(code::SERVER_ID).is_none());
}

#[test]
fn reply_copies_what_rfc2131_says() {
    let mut req = [0u8; 1500];
    let len = discover(&mut req);
    let request = Packet4::parse(&req[..len]).unwrap();
    let mut buf = [0u8; 576];
    let mut w = Writer4::reply_to(&mut buf, 576, &request, MessageType::Offer).unwrap();
    w.set_yiaddr(Ipv4Addr::new(192, 0, 2, 10));
    w.set_siaddr(Ipv4Addr::new(192, 0, 2, 1));
    w.set_sname(b"tftp-server").unwrap();
    w.set_file(b"/pxelinux.0").unwrap();
    w.put_option(code::SERVER_ID, &[192, 0, 2, 1]).unwrap();
    w.put_option(code::LEASE_TIME, &4000u32.to_be_bytes())
        .unwrap();
    let n = w.finish().unwrap();
    let r = Packet4::parse(&buf[..n]).unwrap();
    assert_eq!(r.op(), 2);
    assert_eq!(
        (r.xid(), r.flags(), r.chaddr()),
        (0xdead_beef, 0x8000, &MAC[..])
    );
    assert_eq!(r.secs(), 0);
    assert_eq!(r.message_type(), Some(MessageType::Offer));
    assert_eq!(r.yiaddr(), Ipv4Addr::new(192, 0, 2, 10));
    assert_eq!(r.option_u32(code::LEASE_TIME), Some(4000));
    assert_eq!(r.sname(), Some(&b"tftp-server"[..]));
    assert_eq!(r.file(), Some(&b"/pxelinux.0"[..]));
}

#[test]
fn long_options_are_split_and_joined() {
    let value: Vec<u8> = (0..700u32).map(|i| i as u8).collect();
    let mut buf = [0u8; 1500];
    let mut w = Writer4::new(&mut buf, 1500).unwrap();
    w.put_option(code::MESSAGE_TYPE, &[5]).unwrap();
    w.put_option(120, &value).unwrap();
    w.put_option(6, &[8, 8, 8, 8]).unwrap();
    let n = w.finish().unwrap();
    let p = Packet4::parse(&buf[..n]).unwrap();
    let instances: Vec<usize> = p
        .options()
        .filter(|o| o.code == 120)
        .map(|o| o.data.len())
        .collect();
    assert_eq!(instances, [255, 255, 190]);
    let v = p.option(120).unwrap();
    assert_eq!(v.contiguous(), None);
    assert_eq!(v.len(), 700);
    let mut scratch = [0u8; 1024];
    assert_eq!(v.read(&mut scratch).unwrap(), &value[..]);
    let mut small = [0u8; 100];
    assert!(matches!(
        v.read(&mut small),
        Err(WireError::NoSpace { needed: 700, .. })
    ));
    // A non-split option still reads without copying.
    assert_eq!(
        p.option(6).unwrap().read(&mut small).unwrap(),
        &[8, 8, 8, 8]
    );
}

#[test]
fn options_overflow_into_file_then_sname() {
    let mut buf = [0u8; 1500];
    let mut w = Writer4::new(&mut buf, 300).unwrap();
    w.put_option(code::MESSAGE_TYPE, &[2]).unwrap();
    // Room in the options field: 300 - 240 - END - option 52 = 56 bytes.
    w.put_option(224, &[0xaa; 50]).unwrap(); // options field
    w.put_option(225, &[0xbb; 100]).unwrap(); // file (126 bytes of room)
    w.put_option(226, &[0xcc; 40]).unwrap(); // sname (62 bytes of room)
    let n = w.finish().unwrap();
    assert_eq!(n, 300);
    let p = Packet4::parse(&buf[..n]).unwrap();
    assert_eq!(
        p.option(code::OVERLOAD).unwrap().contiguous(),
        Some(&[3u8][..])
    );
    assert_eq!((p.sname(), p.file()), (None, None));
    assert_eq!(p.option(225).unwrap().contiguous(), Some(&[0xbb; 100][..]));
    assert_eq!(p.option(226).unwrap().contiguous(), Some(&[0xcc; 40][..]));
    let codes: Vec<u8> = p.options().map(|o| o.code).collect();
    assert_eq!(codes, [53, 224, 52, 225, 226]);
}

#[test]
fn overflow_skips_a_field_that_holds_a_name() {
    let mut buf = [0u8; 600];
    let mut w = Writer4::new(&mut buf, 300).unwrap();
    w.set_file(b"boot.efi").unwrap();
    w.put_option(224, &[1; 50]).unwrap();
    w.put_option(225, &[2; 50]).unwrap();
    let n = w.finish().unwrap();
    let p = Packet4::parse(&buf[..n]).unwrap();
    assert_eq!(
        p.option(code::OVERLOAD).unwrap().contiguous(),
        Some(&[2u8][..])
    );
    assert_eq!(p.file(), Some(&b"boot.efi"[..]));
    assert_eq!(p.sname(), None);
    assert_eq!(p.option(225).unwrap().len(), 50);
}

#[test]
fn a_name_cannot_overwrite_overflowed_options() {
    let mut buf = [0u8; 600];
    let mut w = Writer4::new(&mut buf, 300).unwrap();
    w.put_option(224, &[1; 50]).unwrap();
    w.put_option(225, &[2; 50]).unwrap();
    assert!(w.set_file(b"x").is_err());
}

#[test]
fn a_reply_that_fits_nowhere_is_refused_and_leaves_the_message_intact() {
    let mut buf = [0u8; 600];
    let mut w = Writer4::new(&mut buf, 300).unwrap();
    w.put_option(code::MESSAGE_TYPE, &[5]).unwrap();
    let err = w.put_option(224, &[0; 400]).unwrap_err();
    assert!(matches!(err, WireError::NoSpace { .. }), "{err}");
    w.put_option(6, &[1, 1, 1, 1]).unwrap();
    let n = w.finish().unwrap();
    let p = Packet4::parse(&buf[..n]).unwrap();
    let codes: Vec<u8> = p.options().map(|o| o.code).collect();
    assert_eq!(codes, [53, 6]);
    assert!(Writer4::new(&mut [0u8; 200], 576).is_err());
}

/// A message with the cookie and `opts` as raw option bytes.
fn raw(opts: &[u8]) -> Vec<u8> {
    let mut m = vec![0u8; HEADER_LEN];
    m[0] = BOOTREQUEST;
    m.extend_from_slice(&[99, 130, 83, 99]);
    m.extend_from_slice(opts);
    m
}

#[test]
fn overload_inside_file_is_not_followed_again() {
    let mut m = raw(&[53, 1, 1, 52, 1, 1, 255]);
    // The file field holds option 52 pointing at file itself, then 224.
    m[108..116].copy_from_slice(&[52, 1, 1, 224, 2, 7, 7, 255]);
    let p = Packet4::parse(&m).unwrap();
    let codes: Vec<u8> = p.options().map(|o| o.code).collect();
    assert_eq!(codes, [53, 52, 52, 224]);
    assert_eq!(p.option(224).unwrap().contiguous(), Some(&[7u8, 7][..]));
}

#[test]
fn pads_and_missing_end_are_accepted() {
    let m = raw(&[0, 0, 53, 1, 3, 0]);
    assert_eq!(
        Packet4::parse(&m).unwrap().message_type(),
        Some(MessageType::Request)
    );
    let m = raw(&[53, 1, 8, 255, 61, 200]);
    assert_eq!(
        Packet4::parse(&m).unwrap().message_type(),
        Some(MessageType::Inform),
        "bytes after END are ignored"
    );
}

#[test]
fn bootp_without_vendor_area_has_no_options() {
    let p = Packet4::parse(&[0u8; HEADER_LEN]).unwrap();
    assert_eq!(p.options().count(), 0);
    assert_eq!(p.message_type(), None);
}

#[test]
fn bad_input_gets_typed_errors() {
    assert!(matches!(
        Packet4::parse(&[]),
        Err(WireError::Truncated { .. })
    ));
    assert!(matches!(
        Packet4::parse(&[1; 235]),
        Err(WireError::Truncated { .. })
    ));
    assert!(matches!(
        Packet4::parse(&[0; 238]),
        Err(WireError::Truncated { .. })
    ));
    let mut bad_cookie = raw(&[53, 1, 1]);
    bad_cookie[HEADER_LEN] = 0;
    assert_eq!(
        Packet4::parse(&bad_cookie).unwrap_err(),
        WireError::BadMagicCookie
    );
    assert_eq!(
        Packet4::parse(&raw(&[53, 1, 1, 61, 9, 1])).unwrap_err(),
        WireError::OptionOverrun {
            code: 61,
            offset: OPTIONS_OFFSET + 3
        }
    );
    assert!(matches!(
        Packet4::parse(&raw(&[53])),
        Err(WireError::OptionOverrun { code: 53, .. })
    ));
    assert!(matches!(
        Packet4::parse(&raw(&[52, 1, 9])),
        Err(WireError::BadValue {
            what: "option overload (52)",
            ..
        })
    ));
    assert!(matches!(
        Packet4::parse(&raw(&[52, 2, 1, 1])),
        Err(WireError::BadValue { .. })
    ));
    // Overload into file whose options overrun the field.
    let mut m = raw(&[52, 1, 1]);
    m[230] = 224;
    m[231] = 50;
    assert!(matches!(
        Packet4::parse(&m),
        Err(WireError::OptionOverrun {
            code: 224,
            offset: 230
        })
    ));
    // A message type of the wrong length is not a message type.
    assert_eq!(
        Packet4::parse(&raw(&[53, 2, 1, 1])).unwrap().message_type(),
        None
    );
}

#[test]
fn every_truncation_of_a_real_message_is_handled() {
    let mut buf = [0u8; 1500];
    let len = discover(&mut buf);
    for cut in 0..len {
        let _ = Packet4::parse(&buf[..cut]);
    }
}

#[test]
fn garbage_never_panics() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut next = move || rng.next();
    let mut m = raw(&[]);
    m.resize(700, 0);
    for _ in 0..100_000 {
        let len = HEADER_LEN + (next() % 460) as usize;
        for b in &mut m[OPTIONS_OFFSET..] {
            *b = next() as u8;
        }
        m[44..HEADER_LEN]
            .iter_mut()
            .for_each(|b| *b = next() as u8 % 8);
        if let Ok(p) = Packet4::parse(&m[..len]) {
            for o in p.options() {
                let v = p.option(o.code).unwrap();
                let mut scratch = [0u8; 1024];
                assert_eq!(v.read(&mut scratch).unwrap().len(), v.len());
            }
            let _ = (p.sname(), p.file(), p.message_type(), p.chaddr());
            if let Some(v) = p.option(code::RELAY_AGENT_INFO) {
                let mut scratch = [0u8; 1024];
                if let Ok(rai) = RelayAgentInfo::parse(v.read(&mut scratch).unwrap()) {
                    let _ = (
                        rai.circuit_id(),
                        rai.link_selection(),
                        rai.sub_options().count(),
                    );
                }
            }
        }
    }
}

#[test]
fn relay_agent_information_sub_options() {
    let opt82 = [
        sub::CIRCUIT_ID,
        4,
        b'e',
        b't',
        b'h',
        b'0', //
        sub::REMOTE_ID,
        6,
        0,
        1,
        2,
        3,
        4,
        5, //
        sub::LINK_SELECTION,
        4,
        10,
        1,
        2,
        0, //
        sub::SERVER_ID_OVERRIDE,
        4,
        10,
        1,
        2,
        1, //
        0,
        0, // code 0 is a sub-option here, not padding
    ];
    let rai = RelayAgentInfo::parse(&opt82).unwrap();
    assert_eq!(rai.circuit_id(), Some(&b"eth0"[..]));
    assert_eq!(rai.remote_id(), Some(&[0, 1, 2, 3, 4, 5][..]));
    assert_eq!(rai.link_selection(), Some(Ipv4Addr::new(10, 1, 2, 0)));
    assert_eq!(rai.server_id_override(), Some(Ipv4Addr::new(10, 1, 2, 1)));
    assert_eq!(rai.get(0), Some(&[][..]));
    assert_eq!(rai.sub_options().count(), 5);
    assert_eq!(rai.as_bytes(), &opt82);
    assert!(matches!(
        RelayAgentInfo::parse(&[1, 4, 0]),
        Err(WireError::OptionOverrun { code: 1, offset: 0 })
    ));
    assert!(RelayAgentInfo::parse(&[2]).is_err());
    assert!(RelayAgentInfo::parse(&[5, 3, 1, 2, 3])
        .unwrap()
        .link_selection()
        .is_none());
}
