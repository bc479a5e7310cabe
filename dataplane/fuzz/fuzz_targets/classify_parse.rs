//! Class test expressions: any text parses into a program or an error that
//! points inside the text, never a panic; every program evaluates on a
//! DISCOVER without panicking.
#![no_main]

use std::net::Ipv4Addr;

use libfuzzer_sys::fuzz_target;
use xdhcp_dataplane::classify::v4::Input4;
use xdhcp_dataplane::classify::{self, Class, ClassSet, Classes, Program, Scope};
use xdhcp_dataplane::options::{OptionSpaces, Universe};
use xdhcp_dataplane::wire::v4::Packet4;

const DISCOVER: &[u8] = include_bytes!("../../../perf/fixtures/discover-10-options.bin");

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let spaces = OptionSpaces::standard(Universe::V4);
    let mut classes = Classes::default();
    classes.add(Class::named("defined")).unwrap();
    let parsed = classify::parse(&text, &mut Scope { spaces: &spaces, classes: &mut classes });
    let prog = match parsed.and_then(|e| Program::new(&e)) {
        Ok(p) => p,
        Err(e) => {
            assert!(e.at <= text.len(), "error offset {} past the end: {e}", e.at);
            assert!(!e.msg.is_empty());
            return;
        }
    };
    let mut c = Class::named("fuzzed");
    c.test = Some(prog);
    classes.add(c).unwrap();
    let p = Packet4::parse(DISCOVER).unwrap();
    let input = Input4::new(&p, "eth0", Ipv4Addr::UNSPECIFIED, Ipv4Addr::BROADCAST);
    let mut set = ClassSet::default();
    classes.early(&input, p.option(60).and_then(|v| v.contiguous()), &mut set);
    classes.after_host(&input, false, &[], &mut set);
});
