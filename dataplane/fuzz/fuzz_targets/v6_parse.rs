//! Any bytes given to the DHCPv6 reader return a packet or an error; a packet
//! that parses can be walked completely and answered through its relay chain,
//! and that answer parses with the same chain.
#![no_main]

use libfuzzer_sys::fuzz_target;
use xdhcp_dataplane::wire::v6::{Message6Writer, MessageType, Packet6};

fuzz_target!(|data: &[u8]| {
    let Ok(p) = Packet6::parse(data) else { return };
    let client = p.innermost();
    let opts = client.options();
    for (_, body) in opts.iter() {
        assert!(body.len() <= data.len());
    }
    let _ = (
        client.client_id(),
        client.server_id(),
        opts.oro(),
        opts.elapsed_time(),
    );
    for ia in opts.ia_nas() {
        let _ = (ia.addresses().count(), ia.status());
    }
    for pd in opts.ia_pds() {
        let _ = (pd.prefixes().count(), pd.status());
    }
    let mut out = vec![0u8; data.len() + 64 * p.relay_depth() + 64];
    let mut w = Message6Writer::new(&mut out);
    let mark = w
        .begin_relay_reply(p.relays())
        .expect("room for the relay headers");
    w.put_header(MessageType::Reply, client.xid()).unwrap();
    w.status_code(0, "ok").unwrap();
    w.end_relay_reply(mark).unwrap();
    let n = w.finish().unwrap();
    let reply = Packet6::parse(&out[..n]).expect("our own replies parse");
    assert_eq!(reply.relay_depth(), p.relay_depth());
    assert_eq!(reply.innermost().xid(), client.xid());
});
