//! Any bytes given to the DHCPv4 reader return a packet or an error; a packet
//! that parses can be walked completely and echoed into a reply.
#![no_main]

use libfuzzer_sys::fuzz_target;
use xdhcp_dataplane::wire::v4::{code, MessageType, Packet4, RelayAgentInfo, Writer4};

fuzz_target!(|data: &[u8]| {
    let Ok(p) = Packet4::parse(data) else { return };
    // libFuzzer's inputs stay under 4 KiB unless told otherwise.
    let mut scratch = [0u8; 4096];
    let mut reply = [0u8; 1500];
    let Ok(mut w) = Writer4::reply_to(&mut reply, 1500, &p, MessageType::Ack) else {
        return;
    };
    let mut seen = [false; 256];
    for o in p.options() {
        if std::mem::replace(&mut seen[usize::from(o.code)], true) {
            continue;
        }
        let v = p
            .option(o.code)
            .expect("an option seen by the walk is found by code");
        let joined = v.read(&mut scratch).expect("scratch holds any message");
        assert_eq!(joined.len(), v.len());
        if o.code == code::RELAY_AGENT_INFO {
            if let Ok(rai) = RelayAgentInfo::parse(joined) {
                let _ = (rai.circuit_id(), rai.remote_id(), rai.link_selection());
                let _ = w.put_option(code::RELAY_AGENT_INFO, rai.as_bytes());
            }
        }
    }
    let _ = (
        p.sname(),
        p.file(),
        p.message_type(),
        p.chaddr(),
        p.ciaddr(),
    );
    let n = w.finish().expect("a reply with at most one option fits");
    Packet4::parse(&reply[..n]).expect("our own replies parse");
});
