//! Kea's expression language: every example of the seed documents and of
//! Kea's classification chapter parses and evaluates to the documented
//! result on crafted packets; bad expressions fail with a column; and
//! evaluating a class set allocates nothing.

use std::net::Ipv4Addr;

use xdhcp_dataplane::classify::v4::Input4;
use xdhcp_dataplane::classify::v6::{self as class6, Input6};
use xdhcp_dataplane::classify::{self, Class, ClassSet, Classes, Program, Scope};
use xdhcp_dataplane::options::{OptionSpaces, Universe};
use xdhcp_dataplane::wire::v4::{MessageType, Packet4, Writer4, BOOTREQUEST};
use xdhcp_dataplane::wire::v6::Packet6;
use xdhcp_testlab::{allocations, CountingAllocator};

#[global_allocator]
static GLOBAL: CountingAllocator = CountingAllocator;

const MAC: [u8; 6] = [0x5c, 0x1b, 0xf4, 0x01, 0x02, 0x03];

/// A DISCOVER from `MAC` with `options` after option 53.
fn packet(kind: MessageType, xid: u32, options: &[(u8, &[u8])]) -> Vec<u8> {
    let mut buf = vec![0u8; 1000];
    let mut w = Writer4::new(&mut buf, 1000).unwrap();
    w.set_op(BOOTREQUEST);
    w.set_chaddr(1, &MAC).unwrap();
    w.set_xid(xid);
    w.set_giaddr(Ipv4Addr::new(198, 51, 100, 254));
    w.put_option(53, &[kind.to_u8()]).unwrap();
    for (c, v) in options {
        w.put_option(*c, v).unwrap();
    }
    let n = w.finish().unwrap();
    buf.truncate(n);
    buf
}

/// Classes defined in order; `test` may name the earlier ones.
struct Table {
    spaces: OptionSpaces,
    classes: Classes,
}

impl Table {
    fn new() -> Table {
        Table::of(Universe::V4)
    }

    fn of(universe: Universe) -> Table {
        Table {
            spaces: OptionSpaces::standard(universe),
            classes: Classes::default(),
        }
    }

    fn compile(&mut self, test: &str) -> Result<Program, classify::ParseError> {
        let mut scope = Scope {
            spaces: &self.spaces,
            classes: &mut self.classes,
        };
        let e = classify::parse(test, &mut scope)?;
        Program::new(&e)
    }

    fn define(&mut self, name: &str, test: Option<&str>) -> u16 {
        let mut c = Class::named(name);
        c.test = test.map(|t| self.compile(t).unwrap_or_else(|e| panic!("{t}: {e}")));
        self.classes.add(c).unwrap()
    }

    /// The memberships of a packet after the early and host phases.
    fn classify(&self, msg: &[u8], known: bool) -> ClassSet {
        let p = Packet4::parse(msg).unwrap();
        let input = Input4::new(
            &p,
            "veth0",
            Ipv4Addr::new(198, 51, 100, 254),
            Ipv4Addr::new(198, 51, 100, 1),
        );
        let mut set = ClassSet::default();
        let vendor = p.option(60).and_then(|v| v.contiguous());
        self.classes.early(&input, vendor, &mut set);
        self.classes.after_host(&input, known, &[], &mut set);
        set
    }

    fn is(&self, msg: &[u8], name: &str) -> bool {
        self.classify(msg, false)
            .contains(self.classes.index(name).unwrap())
    }
}

/// Evaluates one expression on `msg`.
fn eval(test: &str, msg: &[u8]) -> bool {
    let mut t = Table::new();
    t.define("x", Some(test));
    t.is(msg, "x")
}

fn discover(options: &[(u8, &[u8])]) -> Vec<u8> {
    packet(MessageType::Discover, 0x1234, options)
}

#[test]
fn seed_examples_evaluate_as_documented() {
    // 001: the Kea overview's classes.
    let aastra = discover(&[(60, b"Aastra6731i")]);
    assert!(eval("substring(option[60].hex,0,6) == 'Aastra'", &aastra));
    assert!(!eval(
        "substring(option[60].hex,0,6) == 'Aastra'",
        &discover(&[(60, b"Polycom")])
    ));
    assert!(eval("pkt4.mac == 0x5c1bf4010203", &aastra));
    assert!(!eval("pkt4.mac == 0x010203040506", &aastra));
    assert!(eval("pkt4.msgtype == 1", &aastra));
    assert!(!eval(
        "pkt4.msgtype == 1",
        &packet(MessageType::Request, 1, &[])
    ));
    assert!(eval(
        "pkt4.transid == 0",
        &packet(MessageType::Discover, 0, &[])
    ));
    assert!(!eval("pkt4.transid == 0", &aastra));
    // 001 HA: member('ALL').
    assert!(eval("member('ALL')", &aastra));
    // 003 slides.
    let zimbu = discover(&[(60, b"Zimbutsio")]);
    assert!(eval(
        "option[vendor-class-identifier].text == 'Zimbutsio'",
        &zimbu
    ));
    let win = discover(&[(60, b"win10")]);
    assert!(eval("substring(option[60].hex,0,3) == 'win'", &win));
    assert!(!eval("not(substring(option[60].hex,0,3) == 'win')", &win));
    assert!(eval("not(substring(option[60].hex,0,3) == 'win')", &zimbu));
    let apple =
        "match('5c-1b-f4|a8-5b-b7|58-55-95|00-19-b8',hexstring(substring(pkt4.mac, 0, 3), '-'))";
    assert!(eval(apple, &aastra));
    // 004: DUID prefix (option 1 is a v4 subnet mask here, so use option 61).
    assert!(eval(
        "substring(option[61].hex,0,6) == 0x0002AABBCCDD",
        &discover(&[(61, &[0, 2, 0xaa, 0xbb, 0xcc, 0xdd, 1, 2])])
    ));
    // 000 training notes: PXE classes.
    let uefi = discover(&[(93, &[0, 7])]);
    let ipxe = discover(&[(93, &[0, 7]), (175, &[1])]);
    let mut t = Table::new();
    t.define("iPXEboot", Some("option[175].exists"));
    t.define(
        "UEFIboot",
        Some("option[93].hex == 0x0007 and not option[175].exists"),
    );
    t.define(
        "BIOSboot",
        Some("option[93].hex == 0x0000 and not option[175].exists"),
    );
    t.define(
        "Netboot",
        Some("member('UEFIboot') or member('BIOSboot') or member('iPXEboot')"),
    );
    assert!(t.is(&uefi, "UEFIboot") && t.is(&uefi, "Netboot") && !t.is(&uefi, "iPXEboot"));
    assert!(t.is(&ipxe, "iPXEboot") && !t.is(&ipxe, "UEFIboot") && t.is(&ipxe, "Netboot"));
    assert!(!t.is(&discover(&[]), "Netboot"));
}

#[test]
fn known_and_reservation_dependent_classes_wait_for_the_host_lookup() {
    let mut t = Table::new();
    t.define("reserved_class", None);
    t.define("unreserved_class", Some("not member('reserved_class')"));
    t.define("dependent-class", Some("member('KNOWN')"));
    let msg = discover(&[]);
    assert!(t.is(&msg, "unreserved_class"));
    assert!(!t.is(&msg, "dependent-class"));
    assert!(t
        .classify(&msg, true)
        .contains(t.classes.index("dependent-class").unwrap()));
    assert!(eval("unknown", &msg));
    assert!(!eval("known", &msg));
}

#[test]
fn kea_manual_operator_examples() {
    let m = discover(&[]);
    for e in [
        "substring('foobar', 0, 6) == 'foobar'",
        "substring('foobar', 3, 3) == 'bar'",
        "substring('foobar', 3, all) == 'bar'",
        "substring('foobar', 1, 4) == 'ooba'",
        "substring('foobar', -5, 4) == 'ooba'",
        "substring('foobar', -1, -3) == 'oba'",
        "substring('foobar', 4, -2) == 'ob'",
        "substring('foobar', 10, 2) == ''",
        "concat('foo', 'bar') == 'foobar'",
        "'abc' + 'def' + 'ghi' == 'abcdefghi'",
        "split('one.two..four', '.', 1) == 'one'",
        "split('one.two..four', '.', 2) == 'two'",
        "split('one.two..four', '.', 3) == ''",
        "split('one.two..four', '.', 4) == 'four'",
        "split('one.two..four', '.', 5) == ''",
        "split('a' + 0x27 + 'b', 0x27, 2) == 'b'",
        "ifelse(option[230].exists, option[230].hex, 'none') == 'none'",
        "hexstring('foo', '-') == '66-6f-6f'",
        "hexstring(pkt4.mac, ':') == '5c:1b:f4:01:02:03'",
        "lcase('LoWeR') == 'lower'",
        "ucase('uPpEr') == 'UPPER'",
        "not (lcase('LoWeR') == 'LOWER')",
        "not (ucase('abc') == 'ABCD')",
        "'lower' == lcase('LoWeR')",
        "split('a.b-c', '.-', 3) == 'c'",
        "split('a.b', concat('.', ''), 2) == 'b'",
        "hexstring('foo', concat('-', '')) == '66-6f-6f'",
        "not option[230].exists",
        "not (not option[53].exists)",
        "match('foo.*', lcase('FooBar'))",
        "match('.*foo.*', 'is it foo or bar')",
        "not match('foo', 'foobar')",
        "not ('foo' == 'bar')",
        "'Z}' == 0x5a7d",
        "10.0.0.1 == 0x0a000001",
        "123 == 0x0000007b",
        "addrtotext(192.10.0.1) == '192.10.0.1'",
        "addrtotext(2003:db8::) == '2003:db8::'",
        "int8totext(0xff) == '-1'",
        "int16totext(0xffff) == '-1'",
        "int32totext(0xffffffff) == '-1'",
        "uint8totext(0xff) == '255'",
        "uint16totext(0xffff) == '65535'",
        "uint32totext(0xffffffff) == '4294967295'",
        "uint8totext('') == ''",
        "pkt4.hlen == 6 and pkt4.htype == 1",
        "pkt4.giaddr == 198.51.100.254 and pkt4.ciaddr == 0.0.0.0",
        "pkt.iface == 'veth0' and pkt.src == 198.51.100.254 and pkt.dst == 198.51.100.1",
        "('foo' == 'bar') or ('bar' == 'bar') and not ('a' == 'b')",
    ] {
        assert!(eval(e, &m), "{e}");
    }
    assert!(!eval("('foo' == 'bar') and ('bar' == 'foo')", &m));
    assert!(!eval("not option[53].exists", &m));
}

#[test]
fn options_sub_options_and_vendor_options() {
    // Option 82 with circuit-id "eth0/1" and remote-id = the client MAC.
    let rai = [
        1, 6, b'e', b't', b'h', b'0', b'/', b'1', 2, 6, 0x5c, 0x1b, 0xf4, 1, 2, 3,
    ];
    // Option 125: enterprise 4491, sub-option 1 = "docsis3.0".
    let mut vivso = vec![0, 0, 0x11, 0x8b, 11, 1, 9];
    vivso.extend_from_slice(b"docsis3.0");
    // Option 124: enterprise 4491, chunks "a" and "bc".
    let vivco = [0, 0, 0x11, 0x8b, 5, 1, b'a', 2, b'b', b'c'];
    let m = discover(&[
        (82, &rai),
        (125, &vivso),
        (124, &vivco),
        (51, &[0, 0, 14, 16]),
    ]);
    for e in [
        "relay4[1].hex == 'eth0/1'",
        "relay4[2].exists and not relay4[3].exists",
        "option[82].option[2].hex == pkt4.mac",
        "option[82].option[1].exists",
        "vendor[*].exists and vendor[4491].exists and not vendor[9].exists",
        "vendor.enterprise == 4491",
        "vendor[4491].option[1].hex == 'docsis3.0'",
        "vendor[4491].option[1].exists and not vendor[4491].option[2].exists",
        "vendor-class[4491].exists and vendor-class.enterprise == 4491",
        "vendor-class[4491].data == 'a' and vendor-class[4491].data[1] == 'bc'",
        "option[dhcp-lease-time].text == '3600'",
        "option[51].hex == 0x00000e10",
        "pkt.len == uint32totext(pkt.len) or pkt.len == pkt.len",
    ] {
        assert!(eval(e, &m), "{e}");
    }
}

#[test]
fn vendor_class_option_makes_vendor_class_members() {
    let mut t = Table::new();
    t.define("VENDOR_CLASS_docsis3.0", None);
    t.define("modem", Some("member('VENDOR_CLASS_docsis3.0')"));
    let modem = discover(&[(60, b"docsis3.0")]);
    assert!(t.is(&modem, "VENDOR_CLASS_docsis3.0") && t.is(&modem, "modem"));
    assert!(!t.is(&discover(&[(60, b"docsis2.0")]), "modem"));
    // A vendor class named only in a test is built in, not an error.
    assert!(eval(
        "member('VENDOR_CLASS_eRouter1.0')",
        &discover(&[(60, b"eRouter1.0")])
    ));
}

#[test]
fn bad_expressions_fail_with_a_column() {
    let cases = [
        ("option[60].hex == ", 18, "expected"),
        ("option[60].hax == 'a'", 11, "one of hex, text, exists"),
        ("member('later')", 7, "not defined client class 'later'"),
        (
            "substring(option[60].hex, x, 2) == 'a'",
            26,
            "start position",
        ),
        (
            "option[no-such-option].exists",
            7,
            "option 'no-such-option' is not defined",
        ),
        ("'unterminated", 0, "unterminated string"),
        ("option[60].hex", 14, "'=='"),
        ("match('(', 'a')", 6, "bad regular expression"),
        (
            "relay6[0].peeraddr == ::1",
            0,
            "relay6 can only be used in DHCPv6",
        ),
        ("option[70000].exists", 7, "option code"),
        ("'a' == 'b' extra", 11, "end of the expression"),
        ("option[60].exists == 'true'", 18, "end of the expression"),
        (
            "concat(option[60].exists, 'a') == 'a'",
            7,
            "expected a string expression",
        ),
    ];
    for (e, at, msg) in cases {
        let err = Table::new().compile(e).expect_err(e);
        assert_eq!(err.at, at, "{e}: {err}");
        assert!(err.msg.contains(msg), "{e}: {err}");
    }
    let deep = format!("{}'a' == 'a'{}", "(".repeat(40), ")".repeat(40));
    assert!(Table::new()
        .compile(&deep)
        .unwrap_err()
        .msg
        .contains("nested too deeply"));
}

/// Twenty typical class tests, one per line; the benchmark's set too.
const TYPICAL: &str = include_str!("fixtures/classes-typical.txt");

#[test]
fn evaluating_twenty_classes_allocates_nothing() {
    let mut t = Table::new();
    for (i, e) in TYPICAL.lines().enumerate() {
        t.define(&format!("c{i}"), Some(e));
    }
    let rai = [1, 6, b'e', b't', b'h', b'0', b'/', b'1'];
    let msg = discover(&[(60, b"Aastra6731i"), (82, &rai), (93, &[0, 7])]);
    let p = Packet4::parse(&msg).unwrap();
    let input = Input4::new(&p, "veth0", Ipv4Addr::UNSPECIFIED, Ipv4Addr::BROADCAST);
    // Warm up once: the thread's arena and the regex caches come to life.
    let mut set = ClassSet::default();
    t.classes.early(&input, None, &mut set);
    let before = allocations();
    let mut set = ClassSet::default();
    t.classes.early(&input, None, &mut set);
    assert_eq!(allocations() - before, 0);
    let got: Vec<u16> = set.iter().collect();
    let idx = |n: &str| t.classes.index(n).unwrap();
    for want in [
        "c0", "c2", "c6", "c8", "c10", "c12", "c13", "c15", "c16", "c17", "c19",
    ] {
        assert!(got.contains(&idx(want)), "{want} missing from {got:?}");
    }
    assert!(!got.contains(&idx("c1")));
}

/// A SOLICIT relayed once: client-id 0002aabbccdd0102, vendor class 4491
/// "docsis3.0", vendor option 4491 with sub-option 1 "abc"; the relay's
/// link address 2001:db8:1::1, peer fe80::1, interface-id "eth0".
fn relayed_solicit() -> Vec<u8> {
    let tlv = |code: u16, data: &[u8]| {
        let mut v = code.to_be_bytes().to_vec();
        v.extend_from_slice(&(data.len() as u16).to_be_bytes());
        v.extend_from_slice(data);
        v
    };
    let mut client = vec![1, 0x12, 0x34, 0x56];
    client.extend(tlv(1, &[0, 2, 0xaa, 0xbb, 0xcc, 0xdd, 1, 2]));
    client.extend(tlv(
        16,
        &[[0, 0, 0x11, 0x8b, 0, 9].as_slice(), b"docsis3.0"].concat(),
    ));
    client.extend(tlv(
        17,
        &[[0, 0, 0x11, 0x8b].as_slice(), &tlv(1, b"abc")].concat(),
    ));
    let mut relay = vec![12, 0];
    relay.extend(
        "2001:db8:1::1"
            .parse::<std::net::Ipv6Addr>()
            .unwrap()
            .octets(),
    );
    relay.extend("fe80::1".parse::<std::net::Ipv6Addr>().unwrap().octets());
    relay.extend(tlv(18, b"eth0"));
    relay.extend(tlv(9, &client));
    relay
}

#[test]
fn dhcpv6_expressions_read_the_client_message_and_the_relay_chain() {
    let msg = relayed_solicit();
    let p = Packet6::parse(&msg).unwrap();
    let input = Input6::new(
        &p,
        "veth0",
        "fe80::1".parse().unwrap(),
        "ff02::1:2".parse().unwrap(),
    );
    let mut t = Table::of(Universe::V6);
    t.define("VENDOR_CLASS_docsis3.0", None);
    let tests = [
        "substring(option[1].hex,0,6) == 0x0002AABBCCDD",
        "option[clientid].exists and not option[dns-servers].exists",
        "relay6[0].option[18].hex == 'eth0'",
        "relay6[0].linkaddr == 2001:db8:1::1 and relay6[-1].peeraddr == fe80::1",
        "relay6[1].linkaddr == '' and not relay6[1].option[18].exists",
        "pkt6.msgtype == 1 and pkt6.transid == 0x00123456",
        "vendor-class[4491].data == 'docsis3.0' and vendor-class.enterprise == 4491",
        "vendor[4491].option[1].hex == 'abc' and vendor[*].exists and not vendor[9].exists",
        "member('VENDOR_CLASS_docsis3.0')",
        "pkt.iface == 'veth0' and addrtotext(pkt.src) == 'fe80::1'",
    ];
    for (i, e) in tests.iter().enumerate() {
        t.define(&format!("t{i}"), Some(e));
    }
    let mut set = ClassSet::default();
    t.classes.early(&input, class6::vendor_class(&p), &mut set);
    for (i, e) in tests.iter().enumerate() {
        assert!(
            set.contains(t.classes.index(&format!("t{i}")).unwrap()),
            "{e}"
        );
    }
    let err = Table::of(Universe::V6)
        .compile("pkt4.mac == 0x01")
        .unwrap_err();
    assert!(err.msg.contains("pkt4 can only be used in DHCPv4"), "{err}");
}

/// The set of classes `list`.
fn set_of(list: &[u16]) -> ClassSet {
    let mut s = ClassSet::default();
    for &c in list {
        s.insert(c);
    }
    s
}

#[test]
fn classes_keep_the_order_they_were_assigned_in() {
    let mut a = classify::Assigned::default();
    a.record(set_of(&[0, 9, 12]));
    // A later step's classes come after, even with lower indexes.
    a.record(set_of(&[0, 9, 12, 1, 7]));
    a.record(set_of(&[0, 9, 12, 1, 7, 5]));
    assert_eq!(a.in_order().collect::<Vec<_>>(), [0, 9, 12, 1, 7, 5]);
    assert!(a.all().contains(5) && !a.all().contains(6));
}

#[test]
fn a_guard_admits_members_of_any_listed_class() {
    use xdhcp_dataplane::config::Guard;
    assert!(Guard::OPEN.admits(&ClassSet::default()));
    let guard = Guard(vec![7, 9]);
    assert!(guard.admits(&set_of(&[9])));
    assert!(guard.admits(&set_of(&[0, 7])));
    assert!(!guard.admits(&set_of(&[0, 8])));
}

// A phase's tests run as one fused program whose packet data is read once
// into shared slots: these check that fusing changes nothing a class sees.

#[test]
fn a_phase_runs_its_classes_in_order_and_each_sees_those_before_it() {
    let mut t = Table::new();
    t.define("aastra", Some("substring(option[60].hex,0,6) == 'Aastra'"));
    t.define("other", Some("not member('aastra')"));
    t.define(
        "phone",
        Some("member('aastra') and option[60].text == 'Aastra6731i'"),
    );
    t.define("neither", Some("member('other') or not member('phone')"));
    t.define("ALL-too", Some("member('ALL') and member('phone')"));
    let phone = discover(&[(60, b"Aastra6731i")]);
    for (name, want) in [
        ("aastra", true),
        ("other", false),
        ("phone", true),
        ("neither", false),
        ("ALL-too", true),
    ] {
        assert_eq!(t.is(&phone, name), want, "{name}");
    }
    let pc = discover(&[(60, b"MSFT 5.0")]);
    for (name, want) in [
        ("aastra", false),
        ("other", true),
        ("phone", false),
        ("neither", true),
        ("ALL-too", false),
    ] {
        assert_eq!(t.is(&pc, name), want, "{name}");
    }
}

#[test]
fn drop_class_and_its_members_in_the_same_phase() {
    let mut t = Table::new();
    // Replacing the built-in DROP rebuilds the phase programs; the classes
    // added after it extend them.
    t.define(
        "DROP",
        Some("option[60].hex == 'bad' and pkt4.msgtype == 1"),
    );
    t.define("dropped", Some("member('DROP')"));
    t.define("vendor", Some("option[60].exists"));
    let bad = discover(&[(60, b"bad")]);
    let set = t.classify(&bad, false);
    assert!(set.contains(classify::builtin::DROP));
    assert!(t.is(&bad, "dropped") && t.is(&bad, "vendor"));
    let request = packet(MessageType::Request, 1, &[(60, b"bad")]);
    assert!(!t
        .classify(&request, false)
        .contains(classify::builtin::DROP));
    assert!(!t.is(&request, "dropped") && t.is(&request, "vendor"));
}

#[test]
fn replacing_a_class_gives_the_program_appending_built() {
    let tests = [
        ("a", "option[60].exists"),
        ("b", "member('a') and pkt4.mac == 0x5c1bf4010203"),
        ("c", "member('KNOWN') or option[61].hex == 0x01"),
        ("d", "match('^x', option[60].hex) or member('c')"),
    ];
    let mut appended = Table::new();
    for (name, test) in tests {
        appended.define(name, Some(test));
    }
    let mut replaced = Table::new();
    for (name, test) in tests {
        replaced.define(name, Some(test));
    }
    replaced.define("b", Some(tests[1].1));
    assert_eq!(appended.classes, replaced.classes);
}

#[test]
fn classes_sharing_packet_data_each_see_it() {
    let mut t = Table::new();
    t.define("hex", Some("option[54].hex == 0xc0000201"));
    t.define("text", Some("option[54].text == '192.0.2.1'"));
    t.define("exists", Some("option[54].exists"));
    t.define("absent", Some("option[55].exists"));
    t.define("mac", Some("pkt4.mac == 0x5c1bf4010203"));
    t.define("mac-prefix", Some("substring(pkt4.mac, 0, 3) == 0x5c1bf4"));
    t.define("mac-sub", Some("option[82].option[2].hex == pkt4.mac"));
    t.define("relay", Some("relay4[2].hex == pkt4.mac"));
    let rai = [2, 6, 0x5c, 0x1b, 0xf4, 1, 2, 3];
    let m = discover(&[(54, &[192, 0, 2, 1]), (82, &rai)]);
    for name in [
        "hex",
        "text",
        "exists",
        "mac",
        "mac-prefix",
        "mac-sub",
        "relay",
    ] {
        assert!(t.is(&m, name), "{name}");
    }
    assert!(!t.is(&m, "absent"));
    assert!(!t.is(&discover(&[]), "exists") && !t.is(&discover(&[]), "mac-sub"));
}

#[test]
fn an_option_split_over_instances_is_joined_for_every_class() {
    let mut t = Table::new();
    t.define("whole", Some("option[60].hex == 'Aastra6731i'"));
    t.define("prefix", Some("substring(option[60].hex,0,6) == 'Aastra'"));
    t.define("exists", Some("option[60].exists"));
    t.define("lower", Some("lcase(option[60].hex) == 'aastra6731i'"));
    let split = discover(&[(60, b"Aastra"), (60, b"6731i")]);
    assert!(Packet4::parse(&split).unwrap().is_split(60));
    for name in ["whole", "prefix", "exists", "lower"] {
        assert!(t.is(&split, name), "{name}");
    }
}

#[test]
fn every_class_has_the_whole_arena() {
    // Eight 764-byte hexstrings: more than one arena, but each class has
    // the arena to itself.
    let data: Vec<u8> = (0..=254).collect();
    let want: Vec<String> = data.iter().map(|b| format!("{b:02x}")).collect();
    let mut t = Table::new();
    for i in 0..8 {
        let test = format!("hexstring(option[43].hex, ':') == '{}'", want.join(":"));
        t.define(&format!("h{i}"), Some(&test));
    }
    let m = discover(&[(43, &data)]);
    for i in 0..8 {
        assert!(t.is(&m, &format!("h{i}")), "h{i}");
    }
}

#[test]
fn more_packet_data_than_slots_is_read_where_used() {
    // Forty different options, more than a phase has slots for.
    let mut t = Table::new();
    for code in 100..140u8 {
        t.define(
            &format!("o{code}"),
            Some(&format!("option[{code}].hex == {code}")),
        );
        t.define(&format!("e{code}"), Some(&format!("option[{code}].exists")));
    }
    let values: Vec<(u8, [u8; 4])> = (100..140u8)
        .map(|c| (c, u32::from(c + u8::from(c % 3 == 0)).to_be_bytes()))
        .collect();
    let options: Vec<(u8, &[u8])> = values
        .iter()
        .filter(|(c, _)| c % 5 != 0)
        .map(|(c, v)| (*c, &v[..]))
        .collect();
    let m = discover(&options);
    for code in 100..140u8 {
        let present = code % 5 != 0;
        assert_eq!(t.is(&m, &format!("e{code}")), present, "e{code}");
        assert_eq!(
            t.is(&m, &format!("o{code}")),
            present && code % 3 != 0,
            "o{code}"
        );
    }
}

#[test]
fn and_or_skip_the_right_length_over_substrings_of_shared_data() {
    let mut t = Table::new();
    t.define("x", Some("option[60].exists"));
    t.define(
        "y",
        Some(
            "(option[61].exists and substring(option[61].hex, 0, 1) == 0x01) \
             or substring(option[60].hex, 0, 3) == 'abc'",
        ),
    );
    t.define(
        "z",
        Some("not member('y') and substring(option[60].hex, 1, 2) == 'yz'"),
    );
    for (options, y, z) in [
        (&[(60, &b"abcd"[..])][..], true, false),
        (&[(60, &b"xyz"[..])][..], false, true),
        (&[(61, &[1, 2][..])][..], true, false),
        (&[(61, &[2, 2][..]), (60, &b"abc"[..])][..], true, false),
        (&[(61, &[2, 2][..]), (60, &b"xyz"[..])][..], false, true),
    ] {
        let m = discover(options);
        assert_eq!(t.is(&m, "y"), y, "{options:?}");
        assert_eq!(t.is(&m, "z"), z, "{options:?}");
    }
}
