//! Real DHCP clients (dhclient, udhcpc) in a network namespace get leases
//! from the v4 engine served over the `raw` (AF_PACKET) and `udp` backends,
//! through `io::serve::Serving`, the worker threads the server runs. Needs
//! root, as CI has.

mod common;

use std::net::Ipv4Addr;
use std::process::{Child, Output, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::v4lab::{self, SERVER};
use xdhcp_dataplane::io::serve::{Backend, Serving};
use xdhcp_dataplane::lease::{Lease4, LeaseState, LeaseStore, StoreConfig};
use xdhcp_dataplane::worker::Link;
use xdhcp_testlab::{enter, Lab, SERVER_MAC};

/// The server's workers on the lab's server interface.
struct Server {
    serving: Option<Serving>,
    leases: Arc<LeaseStore<Lease4>>,
}

impl Server {
    fn start(lab: &Lab, backend: Backend) -> Server {
        // Sockets are opened, and workers spawned, in the server namespace.
        enter(&lab.server);
        let (leases, _) = LeaseStore::open(StoreConfig::memory(4, 1024)).unwrap();
        let link = Link {
            name: lab.iface.clone(),
            mac: SERVER_MAC,
            addr: SERVER,
        };
        let serving =
            Serving::start(link, backend, Arc::new(v4lab::lab_config()), leases.clone()).unwrap();
        assert_eq!(serving.workers(), 1);
        Server {
            serving: Some(serving),
            leases,
        }
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

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(s) = self.serving.take() {
            s.stop();
        }
    }
}

/// Waits for `client` to exit (30 s at most); returns its output.
fn finish(mut client: Child) -> Output {
    let deadline = Instant::now() + Duration::from_secs(30);
    while client.try_wait().unwrap().is_none() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = client.kill();
    client.wait_with_output().unwrap()
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

fn dhclient_gets_renews_and_releases_a_lease(tag: &str, backend: Backend) {
    let lab = Lab::new(tag);
    let server = Server::start(&lab, backend);
    let dir = tempdir(tag);
    let lease_file = format!("{dir}/dhclient.leases");
    let pid_file = format!("{dir}/dhclient.pid");
    let conf = format!("{dir}/dhclient.conf");
    std::fs::write(
        &conf,
        "timeout 20;\nrequest subnet-mask, routers, domain-name-servers, domain-name;\n",
    )
    .unwrap();
    let dhclient = |extra: &[&str]| {
        let mut args = vec![
            "dhclient",
            "-4",
            "-1",
            "-v",
            "-sf",
            "/bin/true",
            "-cf",
            &conf,
            "-lf",
            &lease_file,
            "-pf",
            &pid_file,
        ];
        args.extend_from_slice(extra);
        args.push(&lab.peer);
        spawn(&lab, &args)
    };
    let out = finish(dhclient(&[]));
    assert!(out.status.success(), "dhclient failed:\n{}", text(&out));
    assert!(
        text(&out).contains("DHCPACK of 198.51.100.100 from 198.51.100.1"),
        "{}",
        text(&out)
    );
    let leases = std::fs::read_to_string(&lease_file).unwrap();
    assert!(leases.contains("fixed-address 198.51.100.100;"), "{leases}");
    assert!(leases.contains("option routers 198.51.100.1;"), "{leases}");
    assert!(
        leases.contains("option domain-name-servers 198.51.100.1;"),
        "{leases}"
    );
    assert!(
        leases.contains("option domain-name \"lab.example\";"),
        "{leases}"
    );
    assert!(leases.contains("option dhcp-lease-time 600;"), "{leases}");
    let mac = lab.peer_mac();
    let lease = server
        .lease_of(&mac)
        .expect("the server recorded the lease");
    assert_eq!(
        (lease.addr, lease.valid_lft),
        (Ipv4Addr::new(198, 51, 100, 100), 600)
    );

    // Running again with the lease file: INIT-REBOOT for the same address.
    let out = finish(dhclient(&[]));
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("DHCPACK"), "{}", text(&out));
    assert_eq!(
        server.lease_of(&mac).unwrap().addr,
        Ipv4Addr::new(198, 51, 100, 100)
    );

    // dhclient -r releases by unicast (it needs the address to send from).
    let add = lab
        .client_command(&["ip", "addr", "add", "198.51.100.100/24", "dev", &lab.peer])
        .output()
        .unwrap();
    assert!(add.status.success());
    let out = finish(dhclient(&["-r"]));
    assert!(out.status.success(), "{}", text(&out));
    // The release is handled by a worker thread: give it a moment.
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let state = server.lease_of(&mac).map(|l| l.state);
        if state.is_none() || state == Some(LeaseState::Released) {
            break;
        }
        assert!(Instant::now() < deadline, "not released: {state:?}");
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = std::fs::remove_dir_all(&dir);
}

fn udhcpc_gets_a_lease(tag: &str, backend: Backend) {
    let lab = Lab::new(tag);
    let server = Server::start(&lab, backend);
    let out = finish(piped(lab.udhcpc()));
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

#[test]
fn raw_dhclient_gets_renews_and_releases_a_lease() {
    dhclient_gets_renews_and_releases_a_lease("rd", Backend::Raw);
}

#[test]
fn raw_udhcpc_gets_a_lease() {
    udhcpc_gets_a_lease("ru", Backend::Raw);
}

#[test]
fn udp_dhclient_gets_renews_and_releases_a_lease() {
    dhclient_gets_renews_and_releases_a_lease("ud", Backend::Udp);
}

#[test]
fn udp_udhcpc_gets_a_lease() {
    udhcpc_gets_a_lease("uu", Backend::Udp);
}

fn tempdir(tag: &str) -> String {
    let dir = std::env::temp_dir().join(format!("xdhcp-test-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.to_string_lossy().into_owned()
}
