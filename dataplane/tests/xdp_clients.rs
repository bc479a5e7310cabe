//! Real DHCP clients (dhclient, udhcpc) in a network namespace get leases
//! from the v4 engine served over AF_XDP: the steering program, the socket,
//! the framing and the engine together. Needs root, as CI has.

mod common;

use std::net::Ipv4Addr;
use std::process::{Child, Output, Stdio};
use std::sync::Arc;
use std::time::Duration;

use common::v4lab::{self, SERVER};
use common::xdp_loop;
use xdhcp_dataplane::config::Config4;
use xdhcp_dataplane::engine::v4::Engine4;
use xdhcp_dataplane::io::xdp::{ModePolicy, Ports, SteeringProgram, XdpSocket, XskConfig};
use xdhcp_dataplane::lease::{Lease4, LeaseState, LeaseStore, StoreConfig};
use xdhcp_dataplane::worker::{answer_v4, Link};
use xdhcp_testlab::{enter, Lab, SERVER_MAC};

/// A server on the lab's server interface, driven from the test thread.
struct Server {
    _program: SteeringProgram,
    socket: XdpSocket,
    config: Config4,
    leases: Arc<LeaseStore<Lease4>>,
    link: Link,
}

impl Server {
    fn start(lab: &Lab) -> Server {
        enter(&lab.server);
        let mut program =
            SteeringProgram::attach(&lab.iface, Ports::SERVER, ModePolicy::Any).unwrap();
        let socket = XdpSocket::open(&lab.iface, 0, &XskConfig::default()).unwrap();
        program.register(0, &socket).unwrap();
        let (leases, _) = LeaseStore::open(StoreConfig::memory(4, 1024)).unwrap();
        Server {
            _program: program,
            socket,
            config: v4lab::lab_config(),
            leases,
            link: Link {
                name: lab.iface.clone(),
                mac: SERVER_MAC,
                addr: SERVER,
            },
        }
    }

    /// Serves until `client` exits (or 30 s pass); returns its output.
    fn serve_until(&mut self, client: Child) -> Output {
        let engine = Engine4 {
            config: &self.config,
            leases: &self.leases,
            stats: None,
            events: None,
        };
        let link = &self.link;
        xdp_loop::serve_until(
            &mut self.socket,
            client,
            Duration::from_secs(30),
            |rx, tx, now| answer_v4(&engine, link, rx, tx, now),
        )
    }

    fn lease_of(&self, mac: &[u8]) -> Option<Lease4> {
        let mut found = None;
        self.leases.for_each(|l| {
            if l.hwaddr.as_bytes() == mac {
                found = Some(l.clone());
            }
        });
        found
    }
}

fn spawn(lab: &Lab, args: &[&str]) -> Child {
    piped(lab.client_command(args))
}

/// Starts a client with its output captured.
fn piped(mut command: std::process::Command) -> Child {
    command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("client installed (tools/install-deps.sh)")
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[test]
fn dhclient_gets_renews_and_releases_a_lease() {
    let lab = Lab::new("dc");
    let mut server = Server::start(&lab);
    let dir = tempdir();
    let lease_file = format!("{dir}/dhclient.leases");
    let dhclient = |extra: &[&str]| {
        lab.dhclient(&dir, extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("dhclient installed (tools/install-deps.sh)")
    };
    let out = server.serve_until(dhclient(&[]));
    assert!(out.status.success(), "dhclient failed:\n{}", text(&out));
    let leases = std::fs::read_to_string(&lease_file).unwrap();
    assert!(leases.contains("fixed-address 198.51.100.100;"), "{leases}");
    assert!(leases.contains("option routers 198.51.100.1;"), "{leases}");
    assert!(
        leases.contains("option domain-name \"lab.example\";"),
        "{leases}"
    );
    let mac = lab.peer_mac();
    let lease = server
        .lease_of(&mac)
        .expect("the server recorded the lease");
    assert_eq!(
        (lease.addr, lease.valid_lft),
        (Ipv4Addr::new(198, 51, 100, 100), 600)
    );

    // Running again with the lease file: INIT-REBOOT for the same address.
    let out = server.serve_until(dhclient(&[]));
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("DHCPACK"), "{}", text(&out));
    assert_eq!(
        server.lease_of(&mac).unwrap().addr,
        Ipv4Addr::new(198, 51, 100, 100)
    );

    // dhclient -r releases (it needs the address on its interface to send).
    let add = lab
        .client_command(&["ip", "addr", "add", "198.51.100.100/24", "dev", &lab.peer])
        .output()
        .unwrap();
    assert!(add.status.success());
    let out = server.serve_until(dhclient(&["-r"]));
    assert!(out.status.success(), "{}", text(&out));
    let state = server.lease_of(&mac).map(|l| l.state);
    assert!(
        state.is_none() || state == Some(LeaseState::Released),
        "not released: {state:?}"
    );
}

#[test]
fn udhcpc_gets_a_lease() {
    let lab = Lab::new("uc");
    let mut server = Server::start(&lab);
    let out = server.serve_until(piped(lab.udhcpc()));
    assert!(out.status.success(), "udhcpc failed:\n{}", text(&out));
    assert!(
        text(&out).contains("lease of 198.51.100.100 obtained"),
        "{}",
        text(&out)
    );
    let mac = lab.peer_mac();
    assert_eq!(
        server.lease_of(&mac).unwrap().addr,
        Ipv4Addr::new(198, 51, 100, 100)
    );
}

fn tempdir() -> String {
    let dir = std::env::temp_dir().join(format!(
        "xdhcp-test-{}-{:?}",
        std::process::id(),
        std::thread::current().id()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir.to_string_lossy().into_owned()
}

/// dhcpcd binds a lease and releases it (`Lab::dhcpcd_once`).
#[test]
fn dhcpcd_gets_and_releases_a_lease() {
    let lab = Lab::new("dd");
    // dhcpcd configures the leased address itself: start without one.
    let flush = lab
        .client_command(&["ip", "-4", "addr", "flush", "dev", &lab.peer])
        .output()
        .unwrap();
    assert!(flush.status.success());
    let mut server = Server::start(&lab);
    let dir = tempdir();
    let bound = "inet 198.51.100.100/";
    let options = ("noipv4ll\nnoarp", "  ipv4only");
    let out = server.serve_until(piped(lab.dhcpcd_once(&dir, "-4", options, bound)));
    let said = text(&out);
    assert!(
        said.contains("inet 198.51.100.100/24"),
        "dhcpcd did not bind:\n{said}"
    );
    let mac = lab.peer_mac();
    let state = server.lease_of(&mac).map(|l| l.state);
    assert!(
        state.is_none() || state == Some(LeaseState::Released),
        "not released: {state:?}\n{said}"
    );
}

/// A real relay in between: dhclient in its own namespace, isc-dhcp-relay's
/// dhcrelay in the lab's client namespace forwarding to the server, which
/// answers the relay at the MAC the request came from.
#[test]
fn dhclient_through_dhcrelay() {
    let lab = Lab::new("rl");
    let id = std::process::id() % 100_000;
    let (far, down, up) = (
        format!("xdhcp-rl-{id}-f"),
        format!("xrl{id}d"),
        format!("xrl{id}f"),
    );
    let _ = std::process::Command::new("ip")
        .args(["netns", "del", &far])
        .output();
    xdhcp_testlab::run(&["ip", "netns", "add", &far]);
    struct Del(String);
    impl Drop for Del {
        fn drop(&mut self) {
            xdhcp_testlab::delete_netns(&self.0);
        }
    }
    let _far_ns = Del(far.clone());
    xdhcp_testlab::run(&[
        "ip",
        "-n",
        &lab.client,
        "link",
        "add",
        &down,
        "type",
        "veth",
        "peer",
        "name",
        &up,
        "netns",
        &far,
    ]);
    xdhcp_testlab::run(&[
        "ip",
        "-n",
        &lab.client,
        "addr",
        "add",
        "203.0.113.1/24",
        "dev",
        &down,
    ]);
    xdhcp_testlab::run(&["ip", "-n", &lab.client, "link", "set", &down, "up"]);
    xdhcp_testlab::run(&["ip", "-n", &far, "link", "set", &up, "up"]);
    xdhcp_testlab::run(&["ip", "-n", &far, "link", "set", "lo", "up"]);

    let mut server = Server::start(&lab);
    let relay = spawn(
        &lab,
        &[
            "dhcrelay",
            "-4",
            "-d",
            "-id",
            &down,
            "-iu",
            &lab.peer,
            "198.51.100.1",
        ],
    );
    struct Kill(Child);
    impl Drop for Kill {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
    let _relay = Kill(relay);
    let dir = tempdir();
    let conf = format!("{dir}/dhclient.conf");
    std::fs::write(&conf, "timeout 20;\n").unwrap();
    let leases = format!("{dir}/dhclient.leases");
    let pid = format!("{dir}/dhclient.pid");
    let client = std::process::Command::new("ip")
        .args([
            "netns",
            "exec",
            &far,
            "dhclient",
            "-4",
            "-1",
            "-v",
            "-sf",
            "/bin/true",
            "-cf",
            &conf,
            "-lf",
            &leases,
            "-pf",
            &pid,
            &up,
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let out = server.serve_until(client);
    assert!(
        out.status.success(),
        "dhclient through the relay:\n{}",
        text(&out)
    );
    let lease = std::fs::read_to_string(&leases).unwrap();
    assert!(lease.contains("fixed-address 203.0.113.100;"), "{lease}");
    assert!(lease.contains("option routers 203.0.113.1;"), "{lease}");
}
