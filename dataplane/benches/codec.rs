//! Codec cost per message: parse a typical DISCOVER and build its OFFER.
//!
//! Results are recorded in perf/RESULTS.md. dhcproto, the Rust crate most
//! projects would reach for, is measured in the same run as a reference.

use std::hint::black_box;
use std::net::Ipv4Addr;

use criterion::{criterion_group, criterion_main, Criterion};
use dhcproto::{Decodable, Encodable};
use xdhcp_dataplane::wire::v4::{code, MessageType, Packet4, RelayAgentInfo, Writer4};

/// A relayed DISCOVER with ten options, the shape an ISP's relays send. The
/// same bytes feed the Kea side of the comparison (perf/kea-codec).
const DISCOVER: &[u8] = include_bytes!("../../perf/fixtures/discover-10-options.bin");

/// What an engine reads from a DISCOVER before it can allocate.
fn parse(frame: &[u8]) -> usize {
    let p = Packet4::parse(frame).unwrap();
    let mut sum = p.xid() as usize + p.chaddr().len();
    sum += p.message_type().map_or(0, |t| t.to_u8() as usize);
    sum += p.option(code::CLIENT_ID).map_or(0, |v| v.len());
    sum += p
        .option_ipv4(code::REQUESTED_ADDRESS)
        .map_or(0, |a| a.octets()[3] as usize);
    sum += p.option_u16(code::MAX_MESSAGE_SIZE).unwrap_or(576) as usize;
    sum += p
        .option(code::PARAMETER_REQUEST_LIST)
        .map_or(0, |v| v.len());
    sum += p.option(60).map_or(0, |v| v.len());
    if let Some(rai) = p
        .option(code::RELAY_AGENT_INFO)
        .and_then(|v| v.contiguous())
    {
        sum += RelayAgentInfo::parse(rai)
            .unwrap()
            .circuit_id()
            .map_or(0, <[u8]>::len);
    }
    sum
}

/// The OFFER a server sends back: address, lifetimes, the usual options and
/// option 82 echoed.
fn offer(req: &Packet4<'_>, out: &mut [u8]) -> usize {
    let mut w = Writer4::reply_to(out, 1500, req, MessageType::Offer).unwrap();
    w.set_yiaddr(Ipv4Addr::new(10, 0, 0, 50));
    w.put_option(code::SERVER_ID, &[10, 0, 0, 2]).unwrap();
    w.put_option(code::LEASE_TIME, &4000u32.to_be_bytes())
        .unwrap();
    w.put_option(58, &1000u32.to_be_bytes()).unwrap();
    w.put_option(59, &2000u32.to_be_bytes()).unwrap();
    w.put_option(1, &[255, 255, 255, 0]).unwrap();
    w.put_option(3, &[10, 0, 0, 1]).unwrap();
    w.put_option(6, &[10, 0, 0, 53, 10, 0, 1, 53]).unwrap();
    w.put_option(15, b"example.org").unwrap();
    if let Some(rai) = req
        .option(code::RELAY_AGENT_INFO)
        .and_then(|v| v.contiguous())
    {
        w.put_option(code::RELAY_AGENT_INFO, rai).unwrap();
    }
    w.finish().unwrap()
}

fn bench(c: &mut Criterion) {
    let frame = DISCOVER;
    let req = Packet4::parse(frame).unwrap();
    let mut out = [0u8; 1500];

    let mut g = c.benchmark_group("v4");
    g.bench_function("parse DISCOVER (10 options)", |b| {
        b.iter(|| parse(black_box(frame)))
    });
    g.bench_function("build OFFER (9 options)", |b| {
        b.iter(|| offer(black_box(&req), &mut out))
    });
    g.bench_function("dhcproto decode DISCOVER", |b| {
        b.iter(|| dhcproto::v4::Message::from_bytes(black_box(frame)).unwrap())
    });
    let theirs = dhcproto::v4::Message::from_bytes(frame).unwrap();
    g.bench_function("dhcproto encode DISCOVER", |b| {
        b.iter(|| black_box(&theirs).to_vec().unwrap())
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
