//! The DHCPv6 engine on its own: messages in, replies and lease changes out.

mod common;

use std::net::Ipv6Addr;
use std::sync::Arc;

use common::events::{QueueSink, Received};
use xdhcp_dataplane::events::LeaseEventKind;

use xdhcp_dataplane::alloc::{Allocator, AllocatorKind, Pool};
use xdhcp_dataplane::config::options::ConfiguredOption;
use xdhcp_dataplane::config::v6::{HostId, MacSource, Reservations6};
use xdhcp_dataplane::config::{
    Config6, HostScope, Lifetime, OptionSet, PdPool6, Reservation6, Subnet6,
};
use xdhcp_dataplane::engine::v6::{Destination, Engine6, Outcome, Request6, Silence};
use xdhcp_dataplane::lease::{Lease6, LeaseState, LeaseStore, LeaseType, StoreConfig};
use xdhcp_dataplane::wire::v6::{
    status, ClientMessage, Message6Writer, MessageType, Packet6, OPTION_DNS_SERVERS,
    OPTION_RELAY_MSG,
};

const NOW: u32 = 1_800_000_000;
const SERVER_DUID: &[u8] = &[0, 2, 0, 0, 9, 191, b'x', b'd'];
const OTHER_DUID: &[u8] = &[0, 2, 0, 0, 9, 191, b'n', b'o'];
const DNS: [u8; 16] = [
    0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x53,
];

fn ip(s: &str) -> Ipv6Addr {
    s.parse().unwrap()
}

fn duid(n: u8) -> Vec<u8> {
    vec![0, 3, 0, 1, 2, 0, 0, 0, 0, n]
}

fn opt(code: u16, data: &[u8], always_send: bool) -> ConfiguredOption {
    ConfiguredOption {
        code,
        data: data.to_vec(),
        always_send,
    }
}

/// A /64 with a pool of `first..=last` and, when `pd` is given, a pd-pool
/// `pd/48` delegated in /56s.
fn subnet(id: u32, prefix: &str, pool: (&str, &str), pd: Option<&str>) -> Subnet6 {
    let prefix = ip(prefix);
    Subnet6 {
        id,
        prefix,
        prefix_len: 64,
        pools: vec![Arc::new(Allocator::new(
            Pool::v6(ip(pool.0), ip(pool.1), id),
            AllocatorKind::Iterative,
        ))],
        pd_pools: pd
            .map(|p| PdPool6 {
                id: 0,
                alloc: Arc::new(Allocator::new(
                    Pool::pd(ip(p), 48, 56, id),
                    AllocatorKind::Iterative,
                )),
                delegated_len: 56,
                excluded: None,
                classes: Default::default(),
            })
            .into_iter()
            .collect(),
        interface: None,
        interface_id: None,
        relay: vec![],
        shared_network: None,
        preferred: Lifetime {
            default: 3000,
            min: 1000,
            max: 5000,
        },
        valid: Lifetime {
            default: 4000,
            min: 2000,
            max: 6000,
        },
        renew_timer: Some(1000),
        rebind_timer: Some(2000),
        rapid_commit: false,
        options: OptionSet::new(vec![
            opt(OPTION_DNS_SERVERS, &DNS, false),
            opt(24, b"\x07example\x03org\x00", false),
            opt(31, &DNS, true),
        ]),
        reservations: Reservations6::default(),
        host_scope: Default::default(),
        names: Default::default(),
        guard: Default::default(),
        pool_classes: Vec::new(),
        pool_ids: Vec::new(),
        required: Vec::new(),
        last_pool: Default::default(),
    }
}

fn lan() -> Subnet6 {
    let mut s = subnet(
        1,
        "2001:db8:1::",
        ("2001:db8:1::100", "2001:db8:1::1ff"),
        Some("2001:db8:8000::"),
    );
    s.interface = Some("veth0".into());
    s
}

struct Lab {
    config: Config6,
    leases: Arc<LeaseStore<Lease6>>,
    sink: QueueSink,
    events: Received,
}

impl Lab {
    fn new(subnets: Vec<Subnet6>) -> Lab {
        let (leases, _) = LeaseStore::open(StoreConfig::memory(4, 1024)).unwrap();
        let (sink, events) = common::events::queue(64);
        Lab {
            config: Config6 {
                server_duid: SERVER_DUID.to_vec(),
                subnets,
                decline_probation: 86400,
                ..Config6::default()
            },
            leases,
            sink,
            events,
        }
    }

    /// Sends `msg` as if received on `veth0` from a link-local client.
    fn send(&self, msg: &[u8], now: u32) -> (Outcome, Vec<u8>) {
        let req = Request6::multicast(Packet6::parse(msg).unwrap(), Some("veth0"), ip("fe80::1"));
        let mut out = vec![0u8; 1500];
        let engine = Engine6 {
            config: &self.config,
            leases: &self.leases,
            stats: None,
            events: Some(&self.sink),
        };
        let outcome = engine.handle(&req, &mut out, now);
        if let Outcome::Reply { len, .. } = outcome {
            out.truncate(len);
        }
        (outcome, out)
    }

    /// Sends `msg` and expects a reply of `kind`; returns its bytes.
    fn expect(&self, msg: &[u8], kind: MessageType) -> Vec<u8> {
        let (outcome, out) = self.send(msg, NOW);
        assert!(
            matches!(outcome, Outcome::Reply { .. }),
            "no reply: {outcome:?}"
        );
        assert_eq!(Packet6::parse(&out).unwrap().innermost().msg_type(), kind);
        out
    }

    fn lease(&self, a: Ipv6Addr) -> Option<Lease6> {
        self.leases.get(a)
    }
}

/// What a client puts in its IAs.
#[derive(Clone, Copy)]
enum Ia<'a> {
    /// IA_NA with optional IAADDR hints (address, preferred, valid).
    Na(u32, &'a [(Ipv6Addr, u32, u32)]),
    /// IA_PD with optional IAPREFIX hints (prefix, length).
    Pd(u32, &'a [(Ipv6Addr, u8)]),
}

/// A client message from client `n`.
fn message(
    kind: MessageType,
    n: u8,
    server: Option<&[u8]>,
    ias: &[Ia<'_>],
    extra: impl FnOnce(&mut Message6Writer<'_>),
) -> Vec<u8> {
    let mut buf = vec![0u8; 1500];
    let mut w = Message6Writer::new(&mut buf);
    w.put_header(kind, 0x00ab_cd00 + u32::from(n)).unwrap();
    w.client_id(&duid(n)).unwrap();
    if let Some(id) = server {
        w.server_id(id).unwrap();
    }
    w.elapsed_time(0).unwrap();
    w.oro(&[OPTION_DNS_SERVERS, 24]).unwrap();
    for ia in ias {
        match *ia {
            Ia::Na(iaid, hints) => {
                let m = w.begin_ia_na(iaid, 0, 0).unwrap();
                for &(a, p, v) in hints {
                    w.ia_addr(a, p, v).unwrap();
                }
                w.end_option(m).unwrap();
            }
            Ia::Pd(iaid, hints) => {
                let m = w.begin_ia_pd(iaid, 0, 0).unwrap();
                for &(p, len) in hints {
                    w.ia_prefix(0, 0, len, p).unwrap();
                }
                w.end_option(m).unwrap();
            }
        }
    }
    extra(&mut w);
    let n = w.finish().unwrap();
    buf.truncate(n);
    buf
}

fn plain(kind: MessageType, n: u8, server: Option<&[u8]>, ias: &[Ia<'_>]) -> Vec<u8> {
    message(kind, n, server, ias, |_| {})
}

/// Wraps `inner` in a RELAY-FORW level.
fn relay_forw(inner: &[u8], hops: u8, link: &str, interface_id: Option<&[u8]>) -> Vec<u8> {
    let mut buf = vec![0u8; 1500];
    let mut w = Message6Writer::new(&mut buf);
    w.put_relay_header(MessageType::RelayForw, hops, ip(link), ip("fe80::99"))
        .unwrap();
    if let Some(id) = interface_id {
        w.interface_id(id).unwrap();
    }
    w.option(OPTION_RELAY_MSG, inner).unwrap();
    let n = w.finish().unwrap();
    buf.truncate(n);
    buf
}

fn client_msg(reply: &[u8]) -> ClientMessage<'_> {
    Packet6::parse(reply).unwrap().innermost()
}

/// The single address of IA_NA `iaid` with its lifetimes, or its status.
fn na(reply: &[u8], iaid: u32) -> Result<(Ipv6Addr, u32, u32), u16> {
    let msg = client_msg(reply);
    let ia = msg.options().ia_nas().find(|ia| ia.iaid == iaid).unwrap();
    match ia.addresses().find(|a| a.valid > 0) {
        Some(a) => Ok((a.address, a.preferred, a.valid)),
        None => Err(ia.status().map_or(status::SUCCESS, |s| s.code)),
    }
}

/// The prefix of IA_PD `iaid`, or its status.
fn pd(reply: &[u8], iaid: u32) -> Result<(Ipv6Addr, u8), u16> {
    let msg = client_msg(reply);
    let ia = msg.options().ia_pds().find(|ia| ia.iaid == iaid).unwrap();
    match ia.prefixes().find(|p| p.valid > 0) {
        Some(p) => Ok((p.prefix, p.prefix_len)),
        None => Err(ia.status().map_or(status::SUCCESS, |s| s.code)),
    }
}

fn top_status(reply: &[u8]) -> Option<u16> {
    client_msg(reply).options().status_code().map(|s| s.code)
}

/// SOLICIT, ADVERTISE, REQUEST, REPLY for client `n`; returns the REPLY.
/// The REQUEST lists what was advertised, as clients do.
fn sarr(lab: &Lab, n: u8, ias: &[Ia<'_>]) -> Vec<u8> {
    let adv = lab.expect(
        &plain(MessageType::Solicit, n, None, ias),
        MessageType::Advertise,
    );
    let addrs: Vec<Vec<(Ipv6Addr, u32, u32)>> = ias
        .iter()
        .map(|ia| match *ia {
            Ia::Na(iaid, hints) => na(&adv, iaid).map_or(hints.to_vec(), |a| vec![a]),
            Ia::Pd(..) => vec![],
        })
        .collect();
    let prefixes: Vec<Vec<(Ipv6Addr, u8)>> = ias
        .iter()
        .map(|ia| match *ia {
            Ia::Pd(iaid, hints) => pd(&adv, iaid).map_or(hints.to_vec(), |p| vec![p]),
            Ia::Na(..) => vec![],
        })
        .collect();
    let echoed: Vec<Ia<'_>> = ias
        .iter()
        .enumerate()
        .map(|(i, ia)| match *ia {
            Ia::Na(iaid, _) => Ia::Na(iaid, &addrs[i]),
            Ia::Pd(iaid, _) => Ia::Pd(iaid, &prefixes[i]),
        })
        .collect();
    lab.expect(
        &plain(MessageType::Request, n, Some(SERVER_DUID), &echoed),
        MessageType::Reply,
    )
}

#[test]
fn sarr_with_ia_na() {
    let lab = Lab::new(vec![lan()]);
    let adv = lab.expect(
        &plain(MessageType::Solicit, 1, None, &[Ia::Na(7, &[])]),
        MessageType::Advertise,
    );
    let msg = client_msg(&adv);
    assert_eq!(msg.server_id().unwrap().as_bytes(), SERVER_DUID);
    assert_eq!(msg.client_id().unwrap().as_bytes(), duid(1));
    assert_eq!(msg.xid(), 0x00ab_cd01 & 0xff_ffff);
    let (offered, preferred, valid) = na(&adv, 7).unwrap();
    assert_eq!(offered, ip("2001:db8:1::100"));
    assert_eq!((preferred, valid), (3000, 4000));
    let ia = msg.options().ia_nas().next().unwrap();
    assert_eq!((ia.t1, ia.t2), (1000, 2000));
    // The ORO's options and the always-send one; the offer reserves nothing.
    assert_eq!(msg.options().find(OPTION_DNS_SERVERS), Some(&DNS[..]));
    assert!(msg.options().find(24).is_some());
    assert!(msg.options().find(31).is_some());
    assert!(lab.lease(offered).is_none());

    let reply = lab.expect(
        &plain(
            MessageType::Request,
            1,
            Some(SERVER_DUID),
            &[Ia::Na(7, &[(offered, 0, 0)])],
        ),
        MessageType::Reply,
    );
    assert_eq!(na(&reply, 7).unwrap(), (offered, 3000, 4000));
    let l = lab.lease(offered).unwrap();
    assert_eq!(l.duid.as_bytes(), duid(1));
    assert_eq!(
        (l.iaid, l.lease_type, l.prefix_len),
        (7, LeaseType::Na, 128)
    );
    assert_eq!(
        (l.pref_lft, l.valid_lft, l.cltt, l.subnet_id),
        (3000, 4000, NOW, 1)
    );
    // Asking again gives the same address; another client gets the next one.
    assert_eq!(na(&sarr(&lab, 1, &[Ia::Na(7, &[])]), 7).unwrap().0, offered);
    let other = sarr(&lab, 2, &[Ia::Na(7, &[])]);
    assert_eq!(na(&other, 7).unwrap().0, ip("2001:db8:1::101"));
}

#[test]
fn lifetime_hints_are_clamped_and_address_hints_honoured() {
    let lab = Lab::new(vec![lan()]);
    let hint = ip("2001:db8:1::1a0");
    let reply = sarr(&lab, 1, &[Ia::Na(1, &[(hint, 100, 100_000)])]);
    assert_eq!(na(&reply, 1).unwrap(), (hint, 1000, 6000));
    // A hint outside the pools is not given.
    let reply = sarr(&lab, 2, &[Ia::Na(1, &[(ip("2001:db8:9::1"), 0, 0)])]);
    assert_eq!(na(&reply, 1).unwrap().0, ip("2001:db8:1::100"));
}

#[test]
fn sarr_with_ia_pd() {
    let lab = Lab::new(vec![lan()]);
    let reply = sarr(&lab, 1, &[Ia::Pd(3, &[])]);
    let (prefix, len) = pd(&reply, 3).unwrap();
    assert_eq!((prefix, len), (ip("2001:db8:8000::"), 56));
    let l = lab.lease(prefix).unwrap();
    assert_eq!((l.lease_type, l.prefix_len, l.iaid), (LeaseType::Pd, 56, 3));
    // A second router gets the next /56; a prefix hint is honoured.
    let reply = sarr(&lab, 2, &[Ia::Pd(3, &[])]);
    assert_eq!(pd(&reply, 3).unwrap().0, ip("2001:db8:8000:100::"));
    let hint = ip("2001:db8:8000:4200::");
    let reply = sarr(&lab, 3, &[Ia::Pd(3, &[(hint, 56)])]);
    assert_eq!(pd(&reply, 3).unwrap(), (hint, 56));
}

#[test]
fn several_ias_each_answered() {
    let lab = Lab::new(vec![lan()]);
    let ias = [Ia::Na(1, &[]), Ia::Na(2, &[]), Ia::Pd(1, &[])];
    let reply = sarr(&lab, 1, &ias);
    let a1 = na(&reply, 1).unwrap().0;
    let a2 = na(&reply, 2).unwrap().0;
    assert_ne!(a1, a2);
    assert!(pd(&reply, 1).is_ok());
    assert_eq!(lab.leases.len(), 3);
    // RFC 7550: without pd-pools, the IA_NA is served and the IA_PD says why not.
    let mut no_pd = lan();
    no_pd.pd_pools.clear();
    let lab = Lab::new(vec![no_pd]);
    let reply = sarr(&lab, 1, &[Ia::Na(1, &[]), Ia::Pd(1, &[])]);
    assert!(na(&reply, 1).is_ok());
    assert_eq!(pd(&reply, 1), Err(status::NO_PREFIX_AVAIL));
}

#[test]
fn exhausted_pools_answer_per_ia_status() {
    let mut s = subnet(
        1,
        "2001:db8:1::",
        ("2001:db8:1::100", "2001:db8:1::101"),
        None,
    );
    s.interface = Some("veth0".into());
    s.pd_pools = vec![PdPool6 {
        id: 0,
        alloc: Arc::new(Allocator::new(
            Pool::pd(ip("2001:db8:8000::"), 55, 56, 1),
            AllocatorKind::Iterative,
        )),
        delegated_len: 56,
        excluded: None,
        classes: Default::default(),
    }];
    let lab = Lab::new(vec![s]);
    for n in 1..=2 {
        let reply = sarr(&lab, n, &[Ia::Na(1, &[]), Ia::Pd(1, &[])]);
        assert!(na(&reply, 1).is_ok() && pd(&reply, 1).is_ok());
    }
    let ias = [Ia::Na(1, &[]), Ia::Pd(1, &[])];
    let adv = lab.expect(
        &plain(MessageType::Solicit, 3, None, &ias),
        MessageType::Advertise,
    );
    assert_eq!(na(&adv, 1), Err(status::NO_ADDRS_AVAIL));
    assert_eq!(pd(&adv, 1), Err(status::NO_PREFIX_AVAIL));
    let ia = client_msg(&adv).options().ia_nas().next().unwrap();
    assert_eq!((ia.t1, ia.t2), (0, 0));
    let reply = lab.expect(
        &plain(MessageType::Request, 3, Some(SERVER_DUID), &ias),
        MessageType::Reply,
    );
    assert_eq!(na(&reply, 1), Err(status::NO_ADDRS_AVAIL));
    assert_eq!(pd(&reply, 1), Err(status::NO_PREFIX_AVAIL));
}

#[test]
fn rapid_commit_when_client_and_subnet_allow() {
    let solicit = message(MessageType::Solicit, 1, None, &[Ia::Na(1, &[])], |w| {
        w.rapid_commit().unwrap()
    });
    // The subnet does not allow it: a normal ADVERTISE.
    let lab = Lab::new(vec![lan()]);
    let adv = lab.expect(&solicit, MessageType::Advertise);
    assert!(!client_msg(&adv).options().rapid_commit());
    assert!(lab.leases.is_empty());
    let mut s = lan();
    s.rapid_commit = true;
    let lab = Lab::new(vec![s]);
    let reply = lab.expect(&solicit, MessageType::Reply);
    assert!(client_msg(&reply).options().rapid_commit());
    let a = na(&reply, 1).unwrap().0;
    assert!(lab.lease(a).is_some());
    // Without the client's option, the subnet's setting changes nothing.
    lab.expect(
        &plain(MessageType::Solicit, 2, None, &[Ia::Na(1, &[])]),
        MessageType::Advertise,
    );
}

#[test]
fn renew_and_rebind_extend_and_withdraw() {
    let lab = Lab::new(vec![lan()]);
    let ias = [Ia::Na(1, &[]), Ia::Pd(2, &[])];
    let reply = sarr(&lab, 1, &ias);
    let a = na(&reply, 1).unwrap().0;
    let p = pd(&reply, 2).unwrap().0;
    let later = NOW + 1000;
    let stale = ip("2001:db8:1::1ee");
    let renew = plain(
        MessageType::Renew,
        1,
        Some(SERVER_DUID),
        &[
            Ia::Na(1, &[(a, 0, 0), (stale, 0, 0)]),
            Ia::Pd(2, &[(p, 56)]),
        ],
    );
    let (outcome, reply) = lab.send(&renew, later);
    let Outcome::Reply { tickets, .. } = outcome else {
        panic!("{outcome:?}")
    };
    assert_eq!(tickets.iter().count(), 2);
    assert_eq!(na(&reply, 1).unwrap().0, a);
    assert_eq!(pd(&reply, 2).unwrap().0, p);
    assert_eq!(lab.lease(a).unwrap().cltt, later);
    assert_eq!(lab.lease(p).unwrap().cltt, later);
    // The address the client no longer has comes back with zero lifetimes.
    let msg = client_msg(&reply);
    let ia = msg.options().ia_nas().next().unwrap();
    let withdrawn = ia.addresses().find(|x| x.address == stale).unwrap();
    assert_eq!((withdrawn.preferred, withdrawn.valid), (0, 0));

    // REBIND carries no server id, and extends just the same.
    let rebind = plain(MessageType::Rebind, 1, None, &[Ia::Na(1, &[(a, 0, 0)])]);
    let (_, reply) = lab.send(&rebind, later + 1000);
    assert_eq!(na(&reply, 1).unwrap().0, a);
    assert_eq!(lab.lease(a).unwrap().cltt, later + 1000);
    // A renew from a client without a binding gets a new one (RFC 8415 §18.3.4).
    let renew = plain(MessageType::Renew, 9, Some(SERVER_DUID), &[Ia::Na(1, &[])]);
    let reply = lab.expect(&renew, MessageType::Reply);
    assert!(na(&reply, 1).is_ok());
}

#[test]
fn release_removes_and_reports_no_binding() {
    let lab = Lab::new(vec![lan()]);
    let reply = sarr(&lab, 1, &[Ia::Na(1, &[]), Ia::Pd(2, &[])]);
    let a = na(&reply, 1).unwrap().0;
    let p = pd(&reply, 2).unwrap().0;
    let release = plain(
        MessageType::Release,
        1,
        Some(SERVER_DUID),
        &[Ia::Na(1, &[(a, 0, 0)]), Ia::Pd(2, &[(p, 56)])],
    );
    // Another client cannot release them.
    let thief = plain(
        MessageType::Release,
        2,
        Some(SERVER_DUID),
        &[Ia::Na(1, &[(a, 0, 0)])],
    );
    let reply = lab.expect(&thief, MessageType::Reply);
    assert_eq!(na(&reply, 1), Err(status::NO_BINDING));
    assert!(lab.lease(a).is_some());
    let reply = lab.expect(&release, MessageType::Reply);
    assert_eq!(top_status(&reply), Some(status::SUCCESS));
    assert_eq!(na(&reply, 1), Err(status::SUCCESS));
    assert!(lab.lease(a).is_none() && lab.lease(p).is_none());
    let reply = lab.expect(&release, MessageType::Reply);
    assert_eq!(na(&reply, 1), Err(status::NO_BINDING));
    assert_eq!(pd(&reply, 2), Err(status::NO_BINDING));
}

#[test]
fn decline_puts_the_address_on_probation() {
    let lab = Lab::new(vec![lan()]);
    let a = na(&sarr(&lab, 1, &[Ia::Na(1, &[])]), 1).unwrap().0;
    let decline = plain(
        MessageType::Decline,
        1,
        Some(SERVER_DUID),
        &[Ia::Na(1, &[(a, 0, 0)])],
    );
    let reply = lab.expect(&decline, MessageType::Reply);
    assert_eq!(top_status(&reply), Some(status::SUCCESS));
    let l = lab.lease(a).unwrap();
    assert_eq!(l.state, LeaseState::Declined);
    assert_eq!(l.valid_lft, 86400);
    assert!(l.duid.is_empty());
    // The client's next SOLICIT gets another address.
    let reply = sarr(&lab, 1, &[Ia::Na(1, &[])]);
    assert_ne!(na(&reply, 1).unwrap().0, a);
}

#[test]
fn confirm_says_whether_addresses_are_on_link() {
    let lab = Lab::new(vec![lan()]);
    let on = plain(
        MessageType::Confirm,
        1,
        None,
        &[Ia::Na(1, &[(ip("2001:db8:1::77"), 0, 0)])],
    );
    let reply = lab.expect(&on, MessageType::Reply);
    assert_eq!(top_status(&reply), Some(status::SUCCESS));
    let off = plain(
        MessageType::Confirm,
        1,
        None,
        &[Ia::Na(
            1,
            &[(ip("2001:db8:1::77"), 0, 0), (ip("2001:db8:2::1"), 0, 0)],
        )],
    );
    let reply = lab.expect(&off, MessageType::Reply);
    assert_eq!(top_status(&reply), Some(status::NOT_ON_LINK));
    let empty = plain(MessageType::Confirm, 1, None, &[Ia::Na(1, &[])]);
    assert_eq!(
        lab.send(&empty, NOW).0,
        Outcome::Silent(Silence::NothingToConfirm)
    );
}

#[test]
fn server_identifier_rules() {
    let lab = Lab::new(vec![lan()]);
    let ias = [Ia::Na(1, &[])];
    let cases = [
        (MessageType::Request, Some(OTHER_DUID), Silence::OtherServer),
        (MessageType::Request, None, Silence::OtherServer),
        (MessageType::Renew, Some(OTHER_DUID), Silence::OtherServer),
        (MessageType::Release, None, Silence::OtherServer),
        (MessageType::Decline, Some(OTHER_DUID), Silence::OtherServer),
        (
            MessageType::Solicit,
            Some(SERVER_DUID),
            Silence::UnexpectedServerId,
        ),
        (
            MessageType::Rebind,
            Some(SERVER_DUID),
            Silence::UnexpectedServerId,
        ),
        (
            MessageType::Confirm,
            Some(SERVER_DUID),
            Silence::UnexpectedServerId,
        ),
        (
            MessageType::InformationRequest,
            Some(OTHER_DUID),
            Silence::OtherServer,
        ),
    ];
    for (kind, server, silence) in cases {
        let msg = plain(kind, 1, server, &ias);
        assert_eq!(lab.send(&msg, NOW).0, Outcome::Silent(silence), "{kind:?}");
    }
    assert!(lab.leases.is_empty());
    // Server messages are never answered.
    let adv = plain(MessageType::Advertise, 1, None, &ias);
    assert_eq!(
        lab.send(&adv, NOW).0,
        Outcome::Silent(Silence::NotForServer)
    );
}

#[test]
fn information_request_gets_options_only() {
    let lab = Lab::new(vec![lan()]);
    let msg = plain(MessageType::InformationRequest, 1, None, &[]);
    let reply = lab.expect(&msg, MessageType::Reply);
    let m = client_msg(&reply);
    assert_eq!(m.options().find(OPTION_DNS_SERVERS), Some(&DNS[..]));
    assert_eq!(m.options().ia_nas().count(), 0);
    assert!(lab.leases.is_empty());
}

#[test]
fn reservations_win_for_addresses_prefixes_and_options() {
    let mut s = lan();
    let reserved = ip("2001:db8:1::5");
    let prefix = ip("2001:db8:9900::");
    let mut hosts = Reservations6::default();
    hosts.insert(
        HostId::Duid(&duid(1)),
        Reservation6 {
            addresses: vec![reserved],
            prefixes: vec![(prefix, 48)],
            hostname: None,
            options: OptionSet::new(vec![opt(OPTION_DNS_SERVERS, &[0xfd; 16], false)]),
            classes: Vec::new(),
        },
    );
    // A reservation by the MAC inside a DUID-LL.
    hosts.insert(
        HostId::HwAddress(&[2, 0, 0, 0, 0, 2]),
        Reservation6 {
            addresses: vec![ip("2001:db8:1::6")],
            ..Reservation6::default()
        },
    );
    s.reservations = hosts;
    let lab = Lab::new(vec![s]);
    let reply = sarr(&lab, 1, &[Ia::Na(1, &[]), Ia::Pd(1, &[])]);
    assert_eq!(na(&reply, 1).unwrap().0, reserved);
    assert_eq!(pd(&reply, 1).unwrap(), (prefix, 48));
    let msg = client_msg(&reply);
    assert_eq!(
        msg.options().find(OPTION_DNS_SERVERS),
        Some(&[0xfd; 16][..])
    );
    let reply = sarr(&lab, 2, &[Ia::Na(1, &[])]);
    assert_eq!(na(&reply, 1).unwrap().0, ip("2001:db8:1::6"));
    // Nobody else is given a reserved address, even asking for it.
    let reply = sarr(&lab, 3, &[Ia::Na(1, &[(ip("2001:db8:1::6"), 0, 0)])]);
    assert_eq!(na(&reply, 1).unwrap().0, ip("2001:db8:1::100"));
}

/// The relay levels of a reply, outermost first: (link, interface-id).
fn relay_levels(reply: &[u8]) -> Vec<(Ipv6Addr, Option<Vec<u8>>)> {
    Packet6::parse(reply)
        .unwrap()
        .relays()
        .map(|r| {
            assert_eq!(r.msg_type(), MessageType::RelayRepl);
            (r.link_address(), r.interface_id().map(|i| i.to_vec()))
        })
        .collect()
}

#[test]
fn relayed_once_by_interface_id() {
    let mut far = subnet(
        2,
        "2001:db8:2::",
        ("2001:db8:2::100", "2001:db8:2::1ff"),
        None,
    );
    far.interface_id = Some(b"port-7".to_vec());
    let lab = Lab::new(vec![lan(), far]);
    // The link-address says nothing here; the interface-id selects the subnet.
    let solicit = plain(MessageType::Solicit, 1, None, &[Ia::Na(1, &[])]);
    let forw = relay_forw(&solicit, 0, "::", Some(b"port-7"));
    let (outcome, reply) = lab.send(&forw, NOW);
    let Outcome::Reply { to, .. } = outcome else {
        panic!("{outcome:?}")
    };
    assert_eq!(to, Destination::Relay);
    assert_eq!(
        relay_levels(&reply),
        vec![(ip("::"), Some(b"port-7".to_vec()))]
    );
    assert_eq!(client_msg(&reply).msg_type(), MessageType::Advertise);
    assert_eq!(na(&reply, 1).unwrap().0, ip("2001:db8:2::100"));
    // A direct client is answered directly.
    let (outcome, _) = lab.send(&solicit, NOW);
    assert!(matches!(
        outcome,
        Outcome::Reply {
            to: Destination::Client,
            ..
        }
    ));
}

#[test]
fn relayed_twice_selected_by_the_innermost_link_address() {
    let mut far = subnet(
        2,
        "2001:db8:2::",
        ("2001:db8:2::100", "2001:db8:2::1ff"),
        Some("2001:db8:9000::"),
    );
    far.relay = vec![ip("2001:db8:77::1")];
    let third = subnet(
        3,
        "2001:db8:3::",
        ("2001:db8:3::100", "2001:db8:3::1ff"),
        None,
    );
    let lab = Lab::new(vec![lan(), far, third]);
    let request = plain(
        MessageType::Request,
        1,
        Some(SERVER_DUID),
        &[Ia::Na(1, &[]), Ia::Pd(1, &[])],
    );
    // Inner relay on 2001:db8:3::/64; the outer one's link is in subnet 1.
    let inner = relay_forw(&request, 0, "2001:db8:3::1", Some(b"ge-0/0/1"));
    let outer = relay_forw(&inner, 1, "2001:db8:1::1", Some(b"xe-1"));
    let reply = lab.expect(&outer, MessageType::Reply);
    assert_eq!(
        relay_levels(&reply),
        vec![
            (ip("2001:db8:1::1"), Some(b"xe-1".to_vec())),
            (ip("2001:db8:3::1"), Some(b"ge-0/0/1".to_vec())),
        ]
    );
    assert_eq!(na(&reply, 1).unwrap().0, ip("2001:db8:3::100"));
    assert_eq!(pd(&reply, 1), Err(status::NO_PREFIX_AVAIL));
    // A subnet's relay address outranks the prefix match.
    let inner = relay_forw(&request, 0, "2001:db8:77::1", None);
    let outer = relay_forw(&inner, 1, "2001:db8:1::1", None);
    let reply = lab.expect(&outer, MessageType::Reply);
    assert_eq!(relay_levels(&reply).len(), 2);
    assert_eq!(na(&reply, 1).unwrap().0, ip("2001:db8:2::100"));
    assert!(pd(&reply, 1).is_ok());
}

#[test]
fn no_subnet_gets_no_addresses_and_no_client_id_no_answer() {
    let mut s = lan();
    s.interface = Some("eth9".into());
    let lab = Lab::new(vec![s]);
    // Kea 2.2 answers a client no subnet serves, without addresses.
    let solicit = plain(MessageType::Solicit, 1, None, &[Ia::Na(1, &[])]);
    let adv = lab.expect(&solicit, MessageType::Advertise);
    assert_eq!(na(&adv, 1), Err(status::NO_ADDRS_AVAIL));
    let mut buf = vec![0u8; 64];
    let mut w = Message6Writer::new(&mut buf);
    w.put_header(MessageType::Solicit, 1).unwrap();
    let n = w.finish().unwrap();
    let lab = Lab::new(vec![lan()]);
    assert_eq!(
        lab.send(&buf[..n], NOW).0,
        Outcome::Silent(Silence::NoClientId)
    );
}

#[test]
fn temporary_addresses_are_refused_per_ia() {
    let lab = Lab::new(vec![lan()]);
    let solicit = message(MessageType::Solicit, 1, None, &[Ia::Na(1, &[])], |w| {
        let m = w.begin_ia_ta(9).unwrap();
        w.end_option(m).unwrap();
    });
    let adv = lab.expect(&solicit, MessageType::Advertise);
    assert!(na(&adv, 1).is_ok());
    let msg = client_msg(&adv);
    let ta = msg.options().ia_tas().next().unwrap();
    assert_eq!(ta.iaid, 9);
    let status = ta.options.status_code().unwrap();
    assert_eq!(status.code, status::NO_ADDRS_AVAIL);
}

#[test]
fn pd_exclude_sent_when_asked_for() {
    let mut s = lan();
    s.pd_pools[0].excluded = Some((ip("2001:db8:8000:ab::"), 64));
    let lab = Lab::new(vec![s]);
    let ask = |n: u8| {
        let mut buf = vec![0u8; 512];
        let mut w = Message6Writer::new(&mut buf);
        w.put_header(MessageType::Solicit, 1).unwrap();
        w.client_id(&duid(n)).unwrap();
        w.oro(&[OPTION_DNS_SERVERS, 67]).unwrap();
        let m = w.begin_ia_pd(1, 0, 0).unwrap();
        w.end_option(m).unwrap();
        let len = w.finish().unwrap();
        buf.truncate(len);
        buf
    };
    let excluded = |adv: &[u8]| {
        let msg = client_msg(adv);
        let ia = msg.options().ia_pds().next().unwrap();
        let p = ia.prefixes().next().unwrap();
        (p.prefix, p.options.find(67).map(<[u8]>::to_vec))
    };
    let adv = lab.expect(&ask(1), MessageType::Advertise);
    assert_eq!(
        excluded(&adv),
        (ip("2001:db8:8000::"), Some(vec![64, 0xab]))
    );
    // The next delegated prefix excludes the same subnet ID.
    let adv = lab.expect(&ask(2), MessageType::Advertise);
    assert_eq!(
        excluded(&adv),
        (ip("2001:db8:8000:100::"), Some(vec![64, 0xab]))
    );
    // Not asked for, not sent.
    let adv = lab.expect(
        &plain(MessageType::Solicit, 3, None, &[Ia::Pd(1, &[])]),
        MessageType::Advertise,
    );
    assert_eq!(excluded(&adv).1, None);
}

#[test]
fn shared_network_spills_into_the_next_subnet() {
    let mut small = subnet(
        1,
        "2001:db8:1::",
        ("2001:db8:1::100", "2001:db8:1::100"),
        None,
    );
    small.interface = Some("veth0".into());
    small.shared_network = Some(0);
    let mut next = subnet(
        2,
        "2001:db8:2::",
        ("2001:db8:2::100", "2001:db8:2::1ff"),
        None,
    );
    next.shared_network = Some(0);
    let mut lab = Lab::new(vec![small, next]);
    lab.config.shared_networks = vec![vec![0, 1]];
    let first = sarr(&lab, 1, &[Ia::Na(1, &[])]);
    assert_eq!(na(&first, 1).unwrap().0, ip("2001:db8:1::100"));
    let second = sarr(&lab, 2, &[Ia::Na(1, &[])]);
    assert_eq!(na(&second, 1).unwrap().0, ip("2001:db8:2::100"));
    assert_eq!(lab.lease(ip("2001:db8:2::100")).unwrap().subnet_id, 2);
    // Renewing from the first subnet's link keeps the second subnet's lease.
    let renew = plain(
        MessageType::Renew,
        2,
        Some(SERVER_DUID),
        &[Ia::Na(1, &[(ip("2001:db8:2::100"), 0, 0)])],
    );
    let reply = lab.expect(&renew, MessageType::Reply);
    assert_eq!(na(&reply, 1).unwrap().0, ip("2001:db8:2::100"));
}

#[test]
fn relayed_client_reserved_by_the_link_layer_address_its_relay_saw() {
    let mut s = lan();
    let mut hosts = Reservations6::default();
    hosts.insert(
        HostId::HwAddress(&[0x0a, 0, 0, 0, 0, 0x42]),
        Reservation6 {
            addresses: vec![ip("2001:db8:1::42")],
            ..Reservation6::default()
        },
    );
    s.reservations = hosts;
    let mut lab = Lab::new(vec![s]);
    // The client's DUID-LL carries a MAC too; `any` would take that first.
    lab.config.mac_sources = vec![MacSource::RelayOption];
    let solicit = plain(MessageType::Solicit, 1, None, &[Ia::Na(1, &[])]);
    let mut buf = vec![0u8; 1500];
    let mut w = Message6Writer::new(&mut buf);
    w.put_relay_header(
        MessageType::RelayForw,
        0,
        ip("2001:db8:1::1"),
        ip("fe80::9"),
    )
    .unwrap();
    w.option(79, &[0, 1, 0x0a, 0, 0, 0, 0, 0x42]).unwrap();
    w.option(OPTION_RELAY_MSG, &solicit).unwrap();
    let n = w.finish().unwrap();
    let adv = lab.expect(&buf[..n], MessageType::Advertise);
    assert_eq!(na(&adv, 1).unwrap().0, ip("2001:db8:1::42"));
}

#[test]
fn lease_changes_are_reported_as_events() {
    let lab = Lab::new(vec![lan()]);
    let ias = [Ia::Na(1, &[]), Ia::Pd(2, &[])];
    let reply = sarr(&lab, 1, &ias);
    let (a, p) = (na(&reply, 1).unwrap().0, pd(&reply, 2).unwrap().0);
    let held = [Ia::Na(1, &[(a, 0, 0)]), Ia::Pd(2, &[(p, 56)])];
    lab.send(
        &plain(MessageType::Renew, 1, Some(SERVER_DUID), &held),
        NOW + 10,
    );
    lab.send(
        &plain(MessageType::Release, 1, Some(SERVER_DUID), &held),
        NOW + 20,
    );
    let b = na(&sarr(&lab, 2, &[Ia::Na(7, &[])]), 7).unwrap().0;
    let declined = [Ia::Na(7, &[(b, 0, 0)])];
    lab.send(
        &plain(MessageType::Decline, 2, Some(SERVER_DUID), &declined),
        NOW + 30,
    );
    // Relayed: the relay nearest the server is recorded.
    let relayed = relay_forw(
        &plain(MessageType::Solicit, 3, None, &[Ia::Na(1, &[])]),
        0,
        "2001:db8:1::",
        None,
    );
    lab.send(&relayed, NOW + 40);

    let events = lab.events.v6();
    let seen: Vec<(LeaseEventKind, Ipv6Addr, u8, u32, u32, u8)> = events
        .iter()
        .map(|e| {
            let n = *e.duid.as_bytes().last().unwrap();
            assert_eq!(e.duid.as_bytes(), duid(n), "{e:?}");
            assert_eq!(e.xid & 0xff, u32::from(n));
            assert_eq!(e.prefix, e.prefix_len < 128);
            (e.kind, e.addr, e.prefix_len, e.iaid, e.lifetime, n)
        })
        .collect();
    use LeaseEventKind::*;
    let valid = events[0].lifetime;
    assert_eq!(
        seen,
        [
            (Offer, a, 128, 1, valid, 1),
            (Offer, p, 56, 2, valid, 1),
            (Allocate, a, 128, 1, valid, 1),
            (Allocate, p, 56, 2, valid, 1),
            (Renew, a, 128, 1, valid, 1),
            (Renew, p, 56, 2, valid, 1),
            (Release, a, 128, 1, 0, 1),
            (Release, p, 56, 2, 0, 1),
            (Offer, b, 128, 7, valid, 2),
            (Allocate, b, 128, 7, valid, 2),
            (Decline, b, 128, 7, 86400, 2),
            (Offer, events[11].addr, 128, 1, valid, 3),
        ]
    );
    assert!(events[..11].iter().all(|e| e.relay.is_none()));
    let relay = events[11].relay.unwrap();
    assert_eq!(
        (relay.peer, relay.link, relay.hops),
        (ip("fe80::99"), ip("2001:db8:1::"), 0)
    );
    // The DUID-LL of these clients carries their MAC.
    assert_eq!(events[0].hw.as_bytes(), [2, 0, 0, 0, 0, 1]);
    assert_eq!(events[0].hw_source, Some(MacSource::Duid));
}

#[test]
fn under_overload_direct_solicits_are_shed_and_counted() {
    use xdhcp_dataplane::stats::{Stat6, Stats6};
    let lab = Lab::new(vec![lan()]);
    let stats = Stats6::default();
    let engine = Engine6 {
        config: &lab.config,
        leases: &lab.leases,
        stats: Some(&stats),
        events: None,
    };
    let solicit = plain(MessageType::Solicit, 1, None, &[Ia::Na(7, &[])]);
    assert!(engine.shed(&solicit));
    let request = plain(
        MessageType::Request,
        1,
        Some(SERVER_DUID),
        &[Ia::Na(7, &[])],
    );
    assert!(!engine.shed(&request));
    assert!(!engine.shed(&relay_forw(&solicit, 0, "2001:db8:1::1", None)));
    let p = stats.packets.values();
    assert_eq!(p[Stat6::SolicitReceived as usize], 1);
    assert_eq!(p[Stat6::ReceiveDrop as usize], 1);
}

/// Each relay- or modem-supplied `mac-sources` entry finds the client's
/// MAC where Kea's manual says it is; a source not listed is not read.
#[test]
fn mac_sources_read_relay_and_docsis_options() {
    let mac = [0x00, 0x16, 0x3e, 0, 0, 0x11];
    let with = |head: &[u8]| [head, &mac[..]].concat();
    // Enterprise 9, then the MAC; CableLabs (4491) sub-options 1026 and 36.
    let remote_id = with(&[0, 0, 0, 9]);
    let cmts = with(&[0, 0, 0x11, 0x8b, 0x04, 0x02, 0, 6]);
    let modem = with(&[0, 0, 0x11, 0x8b, 0, 36, 0, 6]);
    // (source, option the relay adds, option the client sends)
    type Option6<'a> = Option<(u16, &'a [u8])>;
    let cases: [(MacSource, Option6<'_>, Option6<'_>); 4] = [
        (MacSource::RemoteId, Some((37, &remote_id)), None),
        (MacSource::SubscriberId, Some((38, &mac)), None),
        (MacSource::DocsisCmts, Some((17, &cmts)), None),
        (MacSource::DocsisModem, None, Some((17, &modem))),
    ];
    for (source, relay_option, client_option) in cases {
        let mut s = lan();
        let mut hosts = Reservations6::default();
        let reservation = Reservation6 {
            addresses: vec![ip("2001:db8:1::77")],
            ..Reservation6::default()
        };
        hosts.insert(HostId::HwAddress(&mac), reservation);
        s.reservations = hosts;
        let mut lab = Lab::new(vec![s]);
        let solicit = message(MessageType::Solicit, 1, None, &[Ia::Na(1, &[])], |w| {
            if let Some((code, data)) = client_option {
                w.option(code, data).unwrap();
            }
        });
        let mut buf = vec![0u8; 1500];
        let mut w = Message6Writer::new(&mut buf);
        w.put_relay_header(
            MessageType::RelayForw,
            0,
            ip("2001:db8:1::"),
            ip("fe80::99"),
        )
        .unwrap();
        if let Some((code, data)) = relay_option {
            w.option(code, data).unwrap();
        }
        w.option(OPTION_RELAY_MSG, &solicit).unwrap();
        let n = w.finish().unwrap();
        lab.config.mac_sources = vec![source];
        let adv = lab.expect(&buf[..n], MessageType::Advertise);
        assert_eq!(na(&adv, 1).unwrap().0, ip("2001:db8:1::77"), "{source:?}");
        lab.config.mac_sources = vec![MacSource::Duid];
        let adv = lab.expect(&buf[..n], MessageType::Advertise);
        assert_ne!(na(&adv, 1).unwrap().0, ip("2001:db8:1::77"), "{source:?}");
    }
}

/// A reservation of `addresses` and `prefixes` (all /56).
fn host6(addresses: &[&str], prefixes: &[&str]) -> Reservation6 {
    Reservation6 {
        addresses: addresses.iter().map(|a| ip(a)).collect(),
        prefixes: prefixes.iter().map(|p| (ip(p), 56)).collect(),
        ..Reservation6::default()
    }
}

/// The lan with `scope`; in the subnet client 1 has ::150 (in the pool),
/// 2 has ::5, 4 has ::6, 7 the prefix 8000:100::/56 (in the pd-pool) and
/// 8 the prefix 9900::/56; globally client 3 has ::7, 4 has ::8 and 5 has
/// ::180 (in the pool).
fn scoped_lab(scope: HostScope) -> Lab {
    let mut s = lan();
    s.host_scope = scope;
    for (n, addresses, prefixes) in [
        (1, &["2001:db8:1::150"][..], &[][..]),
        (2, &["2001:db8:1::5"], &[]),
        (4, &["2001:db8:1::6"], &[]),
        (7, &[], &["2001:db8:8000:100::"]),
        (8, &[], &["2001:db8:9900::"]),
    ] {
        let id = duid(n);
        s.reservations
            .insert(HostId::Duid(&id), host6(addresses, prefixes));
    }
    let mut lab = Lab::new(vec![s]);
    for (n, a) in [
        (3, "2001:db8:1::7"),
        (4, "2001:db8:1::8"),
        (5, "2001:db8:1::180"),
    ] {
        let id = duid(n);
        lab.config
            .global_reservations
            .insert(HostId::Duid(&id), host6(&[a], &[]));
    }
    lab
}

/// The last 16 bits of the address client `n` is advertised.
fn advertised(lab: &Lab, n: u8) -> u16 {
    let solicit = plain(MessageType::Solicit, n, None, &[Ia::Na(1, &[])]);
    let adv = lab.expect(&solicit, MessageType::Advertise);
    na(&adv, 1).unwrap().0.segments()[7]
}

#[test]
fn reservation_flags_decide_which_reservations_are_advertised() {
    // (global, in-subnet, out-of-pool) and the addresses offered to
    // clients 1 to 4; without a usable reservation, the pool's next one.
    let table = [
        ((false, true, false), [0x150, 0x5, 0x100, 0x6]), // Kea's defaults
        ((true, true, false), [0x150, 0x5, 0x7, 0x6]),    // the subnet's wins
        ((true, false, false), [0x100, 0x101, 0x7, 0x8]), // global only
        ((false, false, false), [0x100, 0x101, 0x102, 0x103]), // disabled
        ((false, true, true), [0x100, 0x5, 0x101, 0x6]),  // in-pool one void
        ((true, true, true), [0x100, 0x5, 0x7, 0x6]),
        ((true, false, true), [0x100, 0x101, 0x7, 0x8]),
        ((false, false, true), [0x100, 0x101, 0x102, 0x103]),
    ];
    for ((global, in_subnet, out_of_pool), want) in table {
        let lab = scoped_lab(HostScope {
            global,
            in_subnet,
            out_of_pool,
        });
        let got: Vec<u16> = (1..=4).map(|n| advertised(&lab, n)).collect();
        assert_eq!(got, want, "{global} {in_subnet} {out_of_pool}");
    }
}

#[test]
fn out_of_pool_voids_in_pool_prefix_reservations_only() {
    let delegated = |lab: &Lab, n: u8| {
        let solicit = plain(MessageType::Solicit, n, None, &[Ia::Pd(1, &[])]);
        pd(&lab.expect(&solicit, MessageType::Advertise), 1)
            .unwrap()
            .0
    };
    let lab = scoped_lab(HostScope::default());
    assert_eq!(delegated(&lab, 7), ip("2001:db8:8000:100::"));
    assert_eq!(delegated(&lab, 8), ip("2001:db8:9900::"));
    let lab = scoped_lab(HostScope {
        out_of_pool: true,
        ..HostScope::default()
    });
    assert_eq!(
        delegated(&lab, 7),
        ip("2001:db8:8000::"),
        "from the pd-pool"
    );
    assert_eq!(delegated(&lab, 8), ip("2001:db8:9900::"));
}

#[test]
fn only_checked_subnet_reservations_keep_an_address_from_others() {
    // Client 9 asks for client 1's in-pool ::150, then for client 5's
    // global in-pool ::180: it gets what the subnet does not check.
    let asks = |scope: HostScope, a: &str| {
        let lab = scoped_lab(scope);
        let request = plain(
            MessageType::Request,
            9,
            Some(SERVER_DUID),
            &[Ia::Na(1, &[(ip(a), 0, 0)])],
        );
        na(&lab.expect(&request, MessageType::Reply), 1).unwrap().0 == ip(a)
    };
    let default = HostScope::default();
    let out_of_pool = HostScope {
        out_of_pool: true,
        ..default
    };
    let global_only = HostScope {
        global: true,
        in_subnet: false,
        out_of_pool: false,
    };
    assert!(!asks(default, "2001:db8:1::150"));
    assert!(asks(out_of_pool, "2001:db8:1::150"));
    assert!(asks(global_only, "2001:db8:1::150"));
    for scope in [default, global_only] {
        assert!(asks(scope, "2001:db8:1::180"), "global ones never do");
    }
}
