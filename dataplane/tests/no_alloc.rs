//! Proves the v4 and v6 read and write paths never allocate: a counting
//! global allocator (per thread, so the harness's own allocations do not
//! count) must see zero allocations while a packet is parsed, fully walked
//! and answered.

mod common;

use std::net::Ipv6Addr;

use xdhcp_dataplane::wire::v4::{self, code, Packet4, RelayAgentInfo, Writer4};
use xdhcp_dataplane::wire::v6::{status, Message6Writer, MessageType, Packet6, OPTION_RELAY_MSG};
use xdhcp_testlab::{allocations, CountingAllocator};

#[global_allocator]
static GLOBAL: CountingAllocator = CountingAllocator;

#[test]
fn v4_parse_walk_and_reply_do_not_allocate() {
    let frame = include_bytes!("../../perf/fixtures/discover-10-options.bin");
    let mut out = [0u8; 1500];
    let mut scratch = [0u8; 1500];
    let before = allocations();

    let p = Packet4::parse(frame).unwrap();
    let mut sum = p.chaddr().len() + p.xid() as usize;
    for o in p.options() {
        sum += p.option(o.code).unwrap().read(&mut scratch).unwrap().len();
    }
    let rai = RelayAgentInfo::parse(
        p.option(code::RELAY_AGENT_INFO)
            .unwrap()
            .contiguous()
            .unwrap(),
    );
    sum += rai.unwrap().sub_options().count();
    // A reply small enough to overflow into file and sname, with a long option.
    let mut w = Writer4::reply_to(&mut out, 300, &p, v4::MessageType::Offer).unwrap();
    w.put_option(code::RELAY_AGENT_INFO, rai.unwrap().as_bytes())
        .unwrap();
    w.put_option(224, &[7; 120]).unwrap();
    w.put_option(225, &[7; 50]).unwrap();
    let n = w.finish().unwrap();
    let r = Packet4::parse(&out[..n]).unwrap();
    sum += r.option(code::OVERLOAD).unwrap().len();

    assert_eq!(allocations() - before, 0, "the v4 codec allocated");
    assert!(sum > 0);
}

#[test]
fn v6_parse_walk_and_reply_do_not_allocate() {
    let mut req = [0u8; 1024];
    let mut rep = [0u8; 1024];
    let before = allocations();

    // Build a 3-level relayed REQUEST with IA_NA and IA_PD.
    let mut w = Message6Writer::new(&mut req);
    let mut m0 = None;
    let mut m1 = None;
    let mut m2 = None;
    for (i, slot) in [&mut m0, &mut m1, &mut m2].into_iter().enumerate() {
        w.put_relay_header(
            MessageType::RelayForw,
            i as u8,
            Ipv6Addr::LOCALHOST,
            Ipv6Addr::UNSPECIFIED,
        )
        .unwrap();
        w.interface_id(b"port7").unwrap();
        *slot = Some(w.begin_option(OPTION_RELAY_MSG).unwrap());
    }
    w.put_header(MessageType::Request, 0xabcdef).unwrap();
    w.client_id(&[0, 3, 0, 1, 1, 2, 3, 4, 5, 6]).unwrap();
    w.oro(&[23, 24]).unwrap();
    let ia = w.begin_ia_na(1, 0, 0).unwrap();
    w.ia_addr(Ipv6Addr::LOCALHOST, 0, 0).unwrap();
    w.end_option(ia).unwrap();
    let pd = w.begin_ia_pd(2, 0, 0).unwrap();
    w.ia_prefix(0, 0, 56, Ipv6Addr::UNSPECIFIED).unwrap();
    w.end_option(pd).unwrap();
    for m in [m2, m1, m0].into_iter().flatten() {
        w.end_option(m).unwrap();
    }
    let n = w.finish().unwrap();

    // Parse and walk everything.
    let pkt = Packet6::parse(&req[..n]).unwrap();
    let mut sum = 0usize;
    for r in pkt.relays() {
        sum += r.hop_count() as usize + r.interface_id().map_or(0, <[u8]>::len);
    }
    let c = pkt.innermost();
    sum += c.client_id().map_or(0, |d| d.as_bytes().len());
    sum += c.options().oro().map_or(0, |o| o.codes().count());
    for ia in c.options().ia_nas() {
        sum += ia.addresses().count();
    }
    for pd in c.options().ia_pds() {
        sum += pd.prefixes().map(|p| p.prefix_len as usize).sum::<usize>();
    }

    // Answer through the same relay chain.
    let mut w = Message6Writer::new(&mut rep);
    let chain = w.begin_relay_reply(pkt.relays()).unwrap();
    w.put_header(MessageType::Reply, c.xid()).unwrap();
    w.client_id(c.client_id().unwrap().as_bytes()).unwrap();
    let ia = w.begin_ia_na(1, 100, 200).unwrap();
    let a = w.begin_ia_addr(Ipv6Addr::LOCALHOST, 300, 400).unwrap();
    w.status_code(status::SUCCESS, "assigned").unwrap();
    w.end_option(a).unwrap();
    w.end_option(ia).unwrap();
    w.end_relay_reply(chain).unwrap();
    let m = w.finish().unwrap();
    let reply = Packet6::parse(&rep[..m]).unwrap();

    let after = allocations();
    assert_eq!(after - before, 0, "the v6 codec allocated");
    assert_eq!(sum, 3 + 15 + 10 + 2 + 1 + 56);
    assert_eq!(reply.relay_depth(), 3);
    // The counter itself works.
    let v = std::hint::black_box(vec![1u8]);
    assert!(allocations() > after);
    drop(v);
}

/// The whole v4 worker step: a DISCOVER frame in, the OFFER frame out; then
/// the REQUEST and its ACK with the lease written, counted in Kea's
/// statistics and reported as lease events. Client 1 has a hostname
/// reserved, client 2 sends a Host Name that `hostname-char-set` cleans
/// and the suffix qualifies: both names go into the replies and leases.
/// After warm-up (the lease tables grow their slabs on first use), not one
/// allocation.
#[test]
fn v4_worker_step_does_not_allocate() {
    use common::v4lab;
    use xdhcp_dataplane::config::v4::{HostId, HostIdKind};
    use xdhcp_dataplane::config::Reservation4;
    use xdhcp_dataplane::engine::v4::Engine4;
    use xdhcp_dataplane::events::LeaseEventKind;
    use xdhcp_dataplane::lease::{LeaseStore, StoreConfig};
    use xdhcp_dataplane::worker::answer_v4;

    let mut config = v4lab::config();
    // Evaluating the flex_id expression and replacing the client-id with
    // its value allocate nothing either.
    config.flex_id = Some(common::engine4::flex("hexstring(pkt4.mac, ':')", true));
    config.host_ids.0.push(HostIdKind::FlexId);
    let reserved = Reservation4 {
        hostname: Some("Reserved-Host".into()),
        ..Reservation4::default()
    };
    let mac = [2, 0, 0, 1, 0, 1];
    let subnet = &mut config.subnets[0];
    subnet
        .reservations
        .insert(HostId::new(HostIdKind::HwAddress, &mac), reserved);
    subnet.names.qualifying_suffix = "example.org".into();
    let (leases, _) = LeaseStore::open(StoreConfig::memory(4, 1024)).unwrap();
    let (sink, events) = common::events::queue(16);
    let stats = xdhcp_dataplane::stats::Stats4 {
        scopes: xdhcp_dataplane::stats::Scopes::for_v4(&config),
        ..Default::default()
    };
    let engine = Engine4 {
        config: &config,
        leases: &leases,
        stats: Some(&stats),
        events: Some(&sink),
    };
    let link = v4lab::link();
    let mut reply = [0u8; 1500];
    // Answers client `n`'s DISCOVER and then its REQUEST for the offered
    // address; returns the allocations each step made. Frames are built
    // outside the measured parts.
    let mut dora = |n: u16, name: Option<&[u8]>| {
        let discover = v4lab::named_client_frame(n, None, name);
        let before = allocations();
        let offer_len = answer_v4(&engine, &link, &discover, &mut reply, NOW).unwrap();
        let offer_allocs = allocations() - before;
        let offered = xdhcp_dataplane::frame::Frame::parse(&reply[..offer_len]).unwrap();
        let yiaddr = Packet4::parse(offered.payload).unwrap().yiaddr();
        let request = v4lab::named_client_frame(n, Some(yiaddr), name);
        let before = allocations();
        let acked = answer_v4(&engine, &link, &request, &mut reply, NOW).unwrap();
        let allocs = allocations() - before;
        let ack = xdhcp_dataplane::frame::Frame::parse(&reply[..acked]).unwrap();
        let sent = Packet4::parse(ack.payload).unwrap();
        let sent = sent.option_contiguous(code::HOST_NAME).map(<[u8]>::to_vec);
        (offer_allocs, allocs, sent)
    };
    dora(3, Some(b"warm_up"));
    let reserved = Some(b"reserved-host.example.org".to_vec());
    assert_eq!(
        dora(1, None),
        (0, 0, reserved),
        "the v4 worker step allocated"
    );
    let cleaned = Some(b"laptop.example.org".to_vec());
    assert_eq!(
        dora(2, Some(b"Lap_top")),
        (0, 0, cleaned),
        "the v4 worker step allocated"
    );
    assert_eq!(leases.len(), 3);
    let named = leases.get(std::net::Ipv4Addr::new(198, 51, 0, 11)).unwrap();
    assert_eq!(named.hostname.as_bytes(), b"reserved-host.example.org");
    assert_eq!(named.client_id.as_bytes()[0], 0, "replaced by the flex-id");
    assert_eq!(stats.packets.values()[0], 6, "pkt4-received");
    assert_eq!(
        stats.scopes.subnet(0)[0],
        3,
        "cumulative-assigned-addresses"
    );
    let kinds: Vec<LeaseEventKind> = events.v4().iter().map(|e| e.kind).collect();
    assert_eq!(
        kinds,
        [
            LeaseEventKind::Offer,
            LeaseEventKind::Allocate,
            LeaseEventKind::Offer,
            LeaseEventKind::Allocate,
            LeaseEventKind::Offer,
            LeaseEventKind::Allocate
        ]
    );
}

const NOW: u32 = 1_800_000_000;

/// The whole v6 worker step: a SOLICIT frame with IA_NA and IA_PD in, the
/// ADVERTISE frame out; then the REQUEST and its REPLY with both leases
/// written, each binding reported as a lease event. After warm-up, not one
/// allocation.
#[test]
fn v6_worker_step_does_not_allocate() {
    use xdhcp_dataplane::config::v6::{HostId, HostIdKind};
    use xdhcp_dataplane::config::Reservation6;
    use xdhcp_dataplane::engine::v6::Engine6;
    use xdhcp_dataplane::lease::{LeaseStore, StoreConfig};
    use xdhcp_dataplane::options::Universe;
    use xdhcp_dataplane::worker::answer_v6;

    let mut config = common::v6lab::config();
    // The flex_id hook's identifier (the DUID-LL's MAC) standing in for
    // the DUID allocates nothing either.
    let expression = "hexstring(substring(option[1].hex,4,6), ':')";
    config.flex_id = Some(common::engine4::flex_in(Universe::V6, expression, true));
    config.host_ids.0.push(HostIdKind::FlexId);
    // Client 1's leases take its reserved hostname.
    let reserved = Reservation6 {
        hostname: Some("six".into()),
        ..Reservation6::default()
    };
    let mac = [2, 0, 0, 0, 0, 1];
    let id = HostId::new(HostIdKind::HwAddress, &mac);
    config.subnets[0].reservations.insert(id, reserved);
    let (leases, _) = LeaseStore::open(StoreConfig::memory(4, 1024)).unwrap();
    let (sink, events) = common::events::queue(16);
    let stats = xdhcp_dataplane::stats::Stats6 {
        scopes: xdhcp_dataplane::stats::Scopes::for_v6(&config),
        ..Default::default()
    };
    let engine = Engine6 {
        config: &config,
        leases: &leases,
        stats: Some(&stats),
        events: Some(&sink),
    };
    let link = common::v6lab::link();
    let mut reply = [0u8; 1500];
    let mut sarr = |n: u16| {
        let solicit = common::v6lab::client_frame(n.into(), MessageType::Solicit, None, true);
        let before = allocations();
        let adv_len = answer_v6(&engine, &link, &solicit, &mut reply, NOW).unwrap();
        let adv_allocs = allocations() - before;
        let adv = xdhcp_dataplane::frame::Frame::parse(&reply[..adv_len]).unwrap();
        // From the server's link-local address to the client's, at its MAC.
        let to = adv.addressing;
        assert_eq!(to.eth_dst, [2, 0, 0, 0, (n >> 8) as u8, n as u8]);
        assert_eq!((to.src_port, to.dst_port), (547, 546));
        assert_eq!(
            to.ip,
            xdhcp_dataplane::frame::IpAddrs::V6 {
                src: link.addr,
                dst: Ipv6Addr::new(0xfe80, 0, 0, 0, 0, 0, 1, n),
            }
        );
        let msg = Packet6::parse(adv.payload).unwrap().innermost();
        assert_eq!(msg.msg_type(), MessageType::Advertise);
        let a = msg.options().ia_nas().next().unwrap().addresses().next();
        let p = msg.options().ia_pds().next().unwrap().prefixes().next();
        let request = common::v6lab::client_frame(
            n.into(),
            MessageType::Request,
            Some((a.unwrap().address, p.unwrap().prefix)),
            true,
        );
        let before = allocations();
        assert!(answer_v6(&engine, &link, &request, &mut reply, NOW).is_some());
        (adv_allocs, allocations() - before)
    };
    sarr(0);
    assert_eq!(sarr(1), (0, 0), "the v6 worker step allocated");
    assert_eq!(leases.len(), 4);
    let reported = events.v6();
    assert_eq!(reported.len(), 8, "offer and grant of two IAs, twice");
    let lease = leases.get(reported[7].addr).unwrap();
    assert_eq!(
        &lease.duid.as_bytes()[..2],
        &[0, 0],
        "replaced by the flex-id"
    );
    assert_eq!(lease.hostname.as_bytes(), b"six");
    use xdhcp_dataplane::stats::ScopeStat;
    let subnet = stats.scopes.subnet(0);
    assert_eq!(subnet[ScopeStat::CumulativeAssigned as usize], 2);
    assert_eq!(subnet[ScopeStat::CumulativeAssignedPd as usize], 2);
}

#[test]
fn capturing_a_frame_does_not_allocate() {
    use xdhcp_dataplane::io::capture::{CaptureFile, Reader};
    let dir = std::env::temp_dir().join(format!("xdhcp-noalloc-cap-{}", std::process::id()));
    let file = CaptureFile::create(&dir.join("eth0"), 1).unwrap();
    let tap = file.tap(0);
    let mut reader = Reader::attach(file.path()).unwrap();
    let frame = include_bytes!("../../perf/fixtures/discover-10-options.bin");
    let before = allocations();
    for _ in 0..100 {
        tap.record(frame);
    }
    assert_eq!(allocations() - before, 0);
    assert_eq!(reader.drain(|f| assert_eq!(f.data, frame)), 100);
    let _ = std::fs::remove_dir_all(&dir);
}
