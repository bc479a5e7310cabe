//! Classification cost per packet: twenty typical class tests (the list in
//! tests/fixtures/classes-typical.txt) evaluated on one relayed DISCOVER.
//! Target: under 300 ns for all twenty.

use std::hint::black_box;
use std::net::Ipv4Addr;

use criterion::{criterion_group, criterion_main, Criterion};
use xdhcp_dataplane::classify::v4::Input4;
use xdhcp_dataplane::classify::{self, Class, ClassSet, Classes, Program, Scope};
use xdhcp_dataplane::options::{OptionSpaces, Universe};
use xdhcp_dataplane::wire::v4::{MessageType, Packet4, Writer4, BOOTREQUEST};

const TYPICAL: &str = include_str!("../tests/fixtures/classes-typical.txt");

fn classes() -> Classes {
    let spaces = OptionSpaces::standard(Universe::V4);
    let mut classes = Classes::default();
    for (i, test) in TYPICAL.lines().enumerate() {
        let e = classify::parse(
            test,
            &mut Scope {
                spaces: &spaces,
                classes: &mut classes,
            },
        )
        .unwrap();
        let mut c = Class::named(&format!("c{i}"));
        c.test = Some(Program::new(&e).unwrap());
        classes.add(c).unwrap();
    }
    classes
}

fn discover() -> Vec<u8> {
    let mut buf = vec![0u8; 600];
    let mut w = Writer4::new(&mut buf, 600).unwrap();
    w.set_op(BOOTREQUEST);
    w.set_chaddr(1, &[0x5c, 0x1b, 0xf4, 1, 2, 3]).unwrap();
    w.set_xid(0x1234);
    w.set_giaddr(Ipv4Addr::new(198, 51, 100, 254));
    w.put_option(53, &[MessageType::Discover.to_u8()]).unwrap();
    w.put_option(61, &[1, 0x5c, 0x1b, 0xf4, 1, 2, 3]).unwrap();
    w.put_option(55, &[1, 3, 6, 15, 42]).unwrap();
    w.put_option(60, b"Aastra6731i").unwrap();
    w.put_option(93, &[0, 7]).unwrap();
    w.put_option(
        82,
        &[
            1, 6, b'e', b't', b'h', b'0', b'/', b'1', 2, 6, 0x5c, 0x1b, 0xf4, 1, 2, 3,
        ],
    )
    .unwrap();
    let n = w.finish().unwrap();
    buf.truncate(n);
    buf
}

fn bench(c: &mut Criterion) {
    let classes = classes();
    let msg = discover();
    let p = Packet4::parse(&msg).unwrap();
    c.bench_function("classify_20_classes", |b| {
        b.iter(|| {
            let p = black_box(&p);
            let input = Input4::new(
                p,
                "eth0",
                Ipv4Addr::new(198, 51, 100, 254),
                Ipv4Addr::new(198, 51, 100, 1),
            );
            let mut set = ClassSet::default();
            let vendor = p.option_contiguous(60);
            classes.early(&input, vendor, &mut set);
            black_box(set)
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
