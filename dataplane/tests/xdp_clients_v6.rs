//! Real DHCPv6 clients (`dhclient -6` for addresses, `dhclient -6 -P` for
//! prefix delegation) in a network namespace get leases from the v6 engine
//! served over AF_XDP through `answer_v6`: the steering program (UDP 547,
//! multicast to ff02::1:2 included), the socket, the framing and the engine
//! together. Needs root, as CI has.

mod common;

use std::net::Ipv6Addr;
use std::process::{Child, Command, Output, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::xdp_loop;
use xdhcp_dataplane::alloc::{Allocator, AllocatorKind, Pool};
use xdhcp_dataplane::config::options::ConfiguredOption;
use xdhcp_dataplane::config::v6::Reservations6;
use xdhcp_dataplane::config::{Config6, Lifetime, OptionSet, PdPool6, Subnet6};
use xdhcp_dataplane::engine::v6::Engine6;
use xdhcp_dataplane::io::xdp::{ModePolicy, Ports, SteeringProgram, XdpSocket, XskConfig};
use xdhcp_dataplane::lease::{Lease6, LeaseStore, LeaseType, StoreConfig};
use xdhcp_dataplane::worker::{answer_v6, Link6};
use xdhcp_testlab::{enter, Lab, SERVER_MAC};

const SERVER_DUID: &[u8] = &[0, 3, 0, 1, 2, 0, 0, 0, 0, 1];

fn ip(s: &str) -> Ipv6Addr {
    s.parse().unwrap()
}

/// The lab's 2001:db8:7::/64 bound to the server interface by name, with a
/// pd-pool of /56s.
fn config(iface: &str) -> Config6 {
    let pool = Pool::v6(ip("2001:db8:7::100"), ip("2001:db8:7::1ff"), 1);
    let pd = Pool::pd(ip("2001:db8:8000::"), 40, 56, 1);
    Config6 {
        server_duid: SERVER_DUID.to_vec(),
        subnets: vec![Subnet6 {
            id: 1,
            prefix: ip("2001:db8:7::"),
            prefix_len: 64,
            pools: vec![Arc::new(Allocator::new(pool, AllocatorKind::Iterative))],
            pd_pools: vec![PdPool6 {
                id: 0,
                alloc: Arc::new(Allocator::new(pd, AllocatorKind::Iterative)),
                delegated_len: 56,
                excluded: None,
                classes: Default::default(),
            }],
            interface: Some(iface.into()),
            interface_id: None,
            relay: vec![],
            shared_network: None,
            preferred: Lifetime::fixed(3000),
            valid: Lifetime::fixed(4000),
            renew_timer: Some(1000),
            rebind_timer: Some(2000),
            rapid_commit: false,
            options: OptionSet::new(vec![ConfiguredOption {
                code: 23,
                data: ip("2001:db8:7::53").octets().to_vec(),
                always_send: false,
            }]),
            reservations: Reservations6::default(),
            host_scope: Default::default(),
            names: Default::default(),
            guard: Default::default(),
            pool_classes: Vec::new(),
            pool_ids: Vec::new(),
            required: Vec::new(),
            last_pool: Default::default(),
        }],
        decline_probation: 86400,
        ..Config6::default()
    }
}

/// The link-local address of `dev` in `netns`, once DAD has finished.
fn link_local(netns: &str, dev: &str) -> Ipv6Addr {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let out = Command::new("ip")
            .args([
                "-n", netns, "-6", "-o", "addr", "show", "dev", dev, "scope", "link",
            ])
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        let addr = text
            .split_whitespace()
            .skip_while(|w| *w != "inet6")
            .nth(1)
            .and_then(|a| a.split('/').next())
            .and_then(|a| a.parse().ok());
        match addr {
            Some(a) if !text.contains("tentative") => return a,
            _ if Instant::now() > deadline => panic!("no link-local address on {dev}: {text}"),
            _ => std::thread::sleep(Duration::from_millis(100)),
        }
    }
}

/// A server on the lab's server interface, driven from the test thread.
struct Server {
    _program: SteeringProgram,
    socket: XdpSocket,
    config: Config6,
    leases: Arc<LeaseStore<Lease6>>,
    link: Link6,
}

impl Server {
    fn start(lab: &Lab) -> Server {
        let addr = link_local(&lab.server, &lab.iface);
        enter(&lab.server);
        let mut program =
            SteeringProgram::attach(&lab.iface, Ports::SERVER, ModePolicy::Any).unwrap();
        let socket = XdpSocket::open(&lab.iface, 0, &XskConfig::default()).unwrap();
        program.register(0, &socket).unwrap();
        let (leases, _) = LeaseStore::open(StoreConfig::memory(4, 1024)).unwrap();
        Server {
            _program: program,
            socket,
            config: config(&lab.iface),
            leases,
            link: Link6 {
                name: lab.iface.clone(),
                mac: SERVER_MAC,
                addr,
                unicast: None,
            },
        }
    }

    /// Serves until `client` exits (or 30 s pass); returns its output.
    fn serve_until(&mut self, client: Child) -> Output {
        self.serve_for(client, Duration::from_secs(30))
    }

    /// Serves until `client` exits or `limit` passes, then stops it;
    /// returns its output.
    fn serve_for(&mut self, client: Child, limit: Duration) -> Output {
        let engine = Engine6 {
            config: &self.config,
            leases: &self.leases,
            events: None,
            stats: None,
        };
        let link = &self.link;
        xdp_loop::serve_until(&mut self.socket, client, limit, |rx, tx, now| {
            answer_v6(&engine, link, rx, tx, now)
        })
    }

    fn leases_of(&self, kind: LeaseType) -> Vec<Lease6> {
        let mut found = Vec::new();
        self.leases.for_each(|l| {
            if l.lease_type == kind {
                found.push(l.clone());
            }
        });
        found
    }
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// Files of one dhclient run, and the daemon it leaves behind once bound.
struct Dhclient {
    lease_file: String,
    pid_file: String,
    conf: String,
}

impl Dhclient {
    fn new(tag: &str) -> Dhclient {
        let dir = std::env::temp_dir().join(format!("xdhcp-test6-{}-{tag}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let dir = dir.to_string_lossy().into_owned();
        let conf = format!("{dir}/dhclient6.conf");
        std::fs::write(&conf, "timeout 20;\nrequest dhcp6.name-servers;\n").unwrap();
        let lease_file = format!("{dir}/dhclient6.leases");
        let _ = std::fs::remove_file(&lease_file);
        Dhclient {
            lease_file,
            pid_file: format!("{dir}/dhclient6.pid"),
            conf,
        }
    }

    /// `dhclient -6 -1` with `extra` flags on the lab's client interface.
    fn spawn(&self, lab: &Lab, extra: &[&str]) -> Child {
        let mut args = vec![
            "dhclient",
            "-6",
            "-1",
            "-v",
            "-sf",
            "/bin/true",
            "-cf",
            &self.conf,
            "-lf",
            &self.lease_file,
            "-pf",
            &self.pid_file,
        ];
        args.extend_from_slice(extra);
        args.push(&lab.peer);
        lab.client_command(&args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("dhclient installed (tools/install-deps.sh)")
    }

    fn leases(&self) -> String {
        std::fs::read_to_string(&self.lease_file).unwrap_or_default()
    }

    /// Stops the daemon a bound dhclient forked, by the pid it wrote.
    fn stop(&self) {
        let pid = std::fs::read_to_string(&self.pid_file).unwrap_or_default();
        if let Ok(pid) = pid.trim().parse::<i32>() {
            // SAFETY: plain kill(2) of the dhclient this test started.
            unsafe { libc::kill(pid, libc::SIGTERM) };
        }
    }
}

impl Drop for Dhclient {
    fn drop(&mut self) {
        self.stop();
    }
}

#[test]
fn dhclient6_gets_an_address_and_releases_it() {
    let lab = Lab::new("d6");
    link_local(&lab.client, &lab.peer);
    let mut server = Server::start(&lab);
    let client = Dhclient::new("na");
    let out = server.serve_until(client.spawn(&lab, &[]));
    assert!(out.status.success(), "dhclient -6 failed:\n{}", text(&out));
    let leases = client.leases();
    assert!(leases.contains("iaaddr 2001:db8:7::100 {"), "{leases}");
    assert!(
        leases.contains("option dhcp6.name-servers 2001:db8:7::53;"),
        "{leases}"
    );
    let held = server.leases_of(LeaseType::Na);
    assert_eq!(held.len(), 1);
    assert_eq!(
        (held[0].addr, held[0].pref_lft, held[0].valid_lft),
        (ip("2001:db8:7::100"), 3000, 4000)
    );
    client.stop();

    // Started again with its lease file, dhclient confirms the address
    // (CONFIRM) and keeps it.
    let out = server.serve_until(client.spawn(&lab, &[]));
    assert!(out.status.success(), "{}", text(&out));
    assert!(client.leases().contains("iaaddr 2001:db8:7::100 {"));
    assert_eq!(server.leases_of(LeaseType::Na).len(), 1);
    assert!(
        text(&out).contains("All addresses are on-link"),
        "{}",
        text(&out)
    );
    client.stop();

    // dhclient -6 -r sends a RELEASE for the lease in its file.
    let out = server.serve_until(client.spawn(&lab, &["-r"]));
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        server.leases_of(LeaseType::Na).is_empty(),
        "not released:\n{}",
        text(&out)
    );
}

#[test]
fn dhclient6_gets_a_delegated_prefix() {
    let lab = Lab::new("p6");
    link_local(&lab.client, &lab.peer);
    let mut server = Server::start(&lab);
    let client = Dhclient::new("pd");
    let out = server.serve_until(client.spawn(&lab, &["-P"]));
    assert!(
        out.status.success(),
        "dhclient -6 -P failed:\n{}",
        text(&out)
    );
    let leases = client.leases();
    assert!(leases.contains("iaprefix 2001:db8:8000::/56 {"), "{leases}");
    let held = server.leases_of(LeaseType::Pd);
    assert_eq!(held.len(), 1);
    assert_eq!(
        (held[0].addr, held[0].prefix_len),
        (ip("2001:db8:8000::"), 56)
    );
}

#[test]
fn dhclient6_gets_an_address_and_a_prefix_in_one_exchange() {
    let lab = Lab::new("b6");
    link_local(&lab.client, &lab.peer);
    let mut server = Server::start(&lab);
    let client = Dhclient::new("both");
    let out = server.serve_until(client.spawn(&lab, &["-N", "-P"]));
    assert!(
        out.status.success(),
        "dhclient -6 -N -P failed:\n{}",
        text(&out)
    );
    let leases = client.leases();
    assert!(leases.contains("iaaddr 2001:db8:7::100 {"), "{leases}");
    assert!(leases.contains("iaprefix 2001:db8:8000::/56 {"), "{leases}");
    assert_eq!(server.leases_of(LeaseType::Na).len(), 1);
    assert_eq!(server.leases_of(LeaseType::Pd).len(), 1);
}

#[test]
fn dhclient6_renews_at_t1() {
    let lab = Lab::new("r6");
    link_local(&lab.client, &lab.peer);
    let mut server = Server::start(&lab);
    // T1 of 1 s: a client in the foreground renews about every second.
    server.config.subnets[0].renew_timer = Some(1);
    server.config.subnets[0].rebind_timer = Some(2);
    let client = Dhclient::new("renew");
    let out = server.serve_for(client.spawn(&lab, &["-d"]), Duration::from_secs(5));
    let log = text(&out);
    assert!(log.contains("Forming Renew"), "{log}");
    assert!(log.matches("Reply message").count() >= 2, "{log}");
    let held = server.leases_of(LeaseType::Na);
    assert_eq!(held.len(), 1, "{log}");
    assert_eq!(held[0].addr, ip("2001:db8:7::100"));
}
