//! A network lab for integration tests: two namespaces joined by a veth
//! pair, with TEST-NET-2 and documentation-prefix addresses. Nothing touches
//! the host's own namespace (whose network may use TEST-NET-1).

use std::fs::File;
use std::os::fd::AsRawFd;
use std::process::Command;

/// MAC of the server-side interface.
pub const SERVER_MAC: [u8; 6] = [0x02, 0x00, 0x00, 0x00, 0x00, 0x01];

/// Two network namespaces joined by a veth pair: `server` holds the end
/// the steering program runs on, `client` the peer. Nothing touches the
/// host's own namespace.
pub struct Lab {
    pub server: String,
    pub client: String,
    /// The server-side interface, inside `server`.
    pub iface: String,
    /// The client-side interface, inside `client`.
    pub peer: String,
    /// The tag the names were made from.
    tag: String,
}

/// Runs a setup command; panics with its error output when it fails.
pub fn run(args: &[&str]) {
    let out = Command::new(args[0])
        .args(&args[1..])
        .output()
        .unwrap_or_else(|e| panic!("{}: {e}", args[0]));
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Moves the calling thread into network namespace `netns`.
pub fn enter(netns: &str) {
    let ns = File::open(format!("/run/netns/{netns}")).expect("open netns");
    // SAFETY: setns on this thread only; the network namespace is per thread.
    assert_eq!(
        unsafe { libc::setns(ns.as_raw_fd(), libc::CLONE_NEWNET) },
        0,
        "setns"
    );
}

impl Lab {
    pub fn new(tag: &str) -> Lab {
        Lab::with_queues(tag, 1)
    }

    /// A lab whose veth pair has `queues` receive and transmit queues on
    /// each end, for multi-queue tests.
    pub fn with_queues(tag: &str, queues: u32) -> Lab {
        assert!(
            unsafe { libc::geteuid() } == 0,
            "this test builds a network lab and needs root (CI runs as root)"
        );
        // Two labs of one tag share names, and a new lab tears down what
        // holds its names: a tag used by two tests running at once would
        // pull the namespace from under the other one.
        let fresh = LIVE_TAGS
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(tag.to_string());
        assert!(
            fresh,
            "lab tag {tag} is in use by another test of this binary: give each test its own tag"
        );
        let id = std::process::id() % 100_000;
        let lab = Lab {
            tag: tag.to_string(),
            server: format!("xdhcp-{tag}-{id}-s"),
            client: format!("xdhcp-{tag}-{id}-c"),
            iface: format!("x{tag}{id}s"),
            peer: format!("x{tag}{id}c"),
        };
        let peer = lab.peer.clone();
        lab.teardown();
        run(&["ip", "netns", "add", &lab.server]);
        run(&["ip", "netns", "add", &lab.client]);
        // No duplicate address detection in the lab: link-local addresses
        // are usable at once, so DHCPv6 clients and servers can bind them.
        for ns in [&lab.server, &lab.client] {
            for key in [
                "net.ipv6.conf.all.accept_dad=0",
                "net.ipv6.conf.default.accept_dad=0",
            ] {
                run(&["ip", "netns", "exec", ns, "sysctl", "-qw", key]);
            }
        }
        let q = queues.to_string();
        let counts = ["numtxqueues", &q, "numrxqueues", &q];
        let mut add = vec!["ip", "-n", &lab.server, "link", "add", &lab.iface];
        add.extend(counts);
        add.extend(["type", "veth", "peer", "name", &peer]);
        add.extend(counts);
        add.extend(["netns", &lab.client]);
        run(&add);
        for (ns, dev, v4, v6) in [
            (
                &lab.server,
                &lab.iface,
                "198.51.100.1/24",
                "2001:db8:7::1/64",
            ),
            (&lab.client, &peer, "198.51.100.2/24", "2001:db8:7::2/64"),
        ] {
            run(&["ip", "-n", ns, "addr", "add", v4, "dev", dev]);
            run(&["ip", "-n", ns, "addr", "add", v6, "dev", dev, "nodad"]);
            run(&["ip", "-n", ns, "link", "set", dev, "up"]);
            run(&["ip", "-n", ns, "link", "set", "lo", "up"]);
        }
        lab
    }

    /// Waits until both ends have a usable link-local address (the kernel
    /// adds it a moment after the link comes up): DHCPv6 servers and
    /// clients bind to it.
    pub fn wait_link_local(&self) {
        for (ns, dev) in [(&self.client, &self.peer), (&self.server, &self.iface)] {
            let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
            loop {
                let show = [
                    "ip", "-6", "-o", "addr", "show", "dev", dev, "scope", "link",
                ];
                let out = Self::command_in(ns, &show).output().expect("ip addr show");
                let text = String::from_utf8_lossy(&out.stdout).into_owned();
                if text.contains("inet6 fe80") && !text.contains("tentative") {
                    break;
                }
                assert!(
                    std::time::Instant::now() < deadline,
                    "no link-local address on {dev}: {text}"
                );
                std::thread::sleep(std::time::Duration::from_millis(50));
            }
        }
    }

    /// Runs `f` on a thread inside the client namespace.
    pub fn in_client<T: Send + 'static>(
        &self,
        f: impl FnOnce() -> T + Send + 'static,
    ) -> std::thread::JoinHandle<T> {
        let netns = self.client.clone();
        std::thread::spawn(move || {
            enter(&netns);
            f()
        })
    }

    /// A command to run inside the client namespace.
    pub fn client_command(&self, args: &[&str]) -> Command {
        Self::command_in(&self.client, args)
    }

    /// `dhclient -4 -1` on the client interface, its configuration, lease
    /// and pid files in `dir` (the lease file is `dir/dhclient.leases`); it
    /// changes nothing on the interface (`-sf /bin/true`) and gives up after
    /// 20 s. `extra` switches go before the interface name.
    pub fn dhclient(&self, dir: &str, extra: &[&str]) -> Command {
        self.dhclient_saying(dir, "", extra)
    }

    /// [`Lab::dhclient`] with `statements` added to its configuration
    /// (e.g. `send host-name "laptop";`).
    pub fn dhclient_saying(&self, dir: &str, statements: &str, extra: &[&str]) -> Command {
        let conf = format!(
            "timeout 20;\nrequest subnet-mask, routers, domain-name-servers, domain-name;\n{statements}\n"
        );
        self.dhclient_as("-4", &conf, dir, "dhclient", extra)
    }

    /// `dhclient -6 -1` as [`Lab::dhclient`], asking for DNS servers, its
    /// files named `dir/TAG.conf`, `dir/TAG.leases` and `dir/TAG.pid`. A
    /// dhclient that got a lease stays in the background:
    /// [`stop_daemon`] ends it.
    pub fn dhclient6(&self, dir: &str, tag: &str, extra: &[&str]) -> Command {
        let conf = "timeout 20;\nrequest dhcp6.name-servers;\n";
        self.dhclient_as("-6", conf, dir, tag, extra)
    }

    fn dhclient_as(
        &self,
        version: &str,
        conf: &str,
        dir: &str,
        tag: &str,
        extra: &[&str],
    ) -> Command {
        let (file, leases, pid) = (
            format!("{dir}/{tag}.conf"),
            format!("{dir}/{tag}.leases"),
            format!("{dir}/{tag}.pid"),
        );
        std::fs::write(&file, conf).expect("write the dhclient configuration");
        let mut args = vec![
            "dhclient",
            version,
            "-1",
            "-v",
            "-sf",
            "/bin/true",
            "-cf",
            &file,
            "-lf",
            &leases,
            "-pf",
            &pid,
        ];
        args.extend_from_slice(extra);
        args.push(&self.peer);
        self.client_command(&args)
    }

    /// The client interface's MAC address.
    pub fn peer_mac(&self) -> Vec<u8> {
        let path = format!("/sys/class/net/{}/address", self.peer);
        let out = self.client_command(&["cat", &path]).output().expect("cat");
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        text.trim()
            .split(':')
            .map(|h| u8::from_str_radix(h, 16).expect("a MAC"))
            .collect()
    }

    /// busybox udhcpc in the foreground on the client interface: three
    /// DISCOVERs two seconds apart, then it quits, with or without a lease.
    pub fn udhcpc(&self) -> Command {
        self.client_command(&self.udhcpc_args("/bin/true"))
    }

    /// [`Lab::udhcpc`] running `script` on its events (with the offered
    /// options in its environment, as udhcpc passes them).
    pub fn udhcpc_with_script<'a>(&'a self, script: &'a str) -> Command {
        self.client_command(&self.udhcpc_args(script))
    }

    /// [`Lab::udhcpc`] pinned to one CPU, which picks its transmit queue
    /// where transmit-packet steering is set up.
    pub fn udhcpc_on_cpu(&self, cpu: &str) -> Command {
        let mut args = vec!["taskset", "-c", cpu];
        args.extend(self.udhcpc_args("/bin/true"));
        self.client_command(&args)
    }

    fn udhcpc_args<'a>(&'a self, script: &'a str) -> Vec<&'a str> {
        let mut args = vec![
            "udhcpc", "-f", "-q", "-n", "-t", "3", "-T", "2", "-s", script, "-i",
        ];
        args.push(&self.peer);
        args
    }

    /// A command to run inside the server namespace.
    pub fn server_command(&self, args: &[&str]) -> Command {
        Self::command_in(&self.server, args)
    }

    fn command_in(netns: &str, args: &[&str]) -> Command {
        let mut c = Command::new("ip");
        c.args(["netns", "exec", netns]).args(args);
        c
    }

    fn teardown(&self) {
        for ns in [&self.server, &self.client] {
            delete_netns(ns);
        }
    }
}

impl Drop for Lab {
    fn drop(&mut self) {
        self.teardown();
        LIVE_TAGS
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&self.tag);
    }
}

/// Tags of the labs alive in this process.
static LIVE_TAGS: std::sync::Mutex<std::collections::BTreeSet<String>> =
    std::sync::Mutex::new(std::collections::BTreeSet::new());

/// Ends a daemon that writes its pid to `pid_file` (a dhclient that got
/// a lease): waits for the file, which the background child may not have
/// written yet, then for the process to go.
pub fn stop_daemon(pid_file: &str) {
    let until = |ok: &dyn Fn() -> bool| {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
        while !ok() && std::time::Instant::now() < deadline {
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
    };
    // The file may exist before the daemon has written its number.
    let pid = || {
        let text = std::fs::read_to_string(pid_file).ok()?;
        text.trim().parse::<u32>().ok()
    };
    until(&|| pid().is_some());
    let Some(pid) = pid() else {
        return;
    };
    let pid = pid.to_string();
    let _ = Command::new("kill").arg(&pid).status();
    until(&|| !std::path::Path::new(&format!("/proc/{pid}")).exists());
}

/// Deletes network namespace `netns` after killing every process in it:
/// daemons a test started (dhclient stays in the background once bound,
/// dhcrelay, dhcpcd) must not outlive the test.
pub fn delete_netns(netns: &str) {
    if let Ok(out) = Command::new("ip").args(["netns", "pids", netns]).output() {
        let me = std::process::id() as i32;
        for pid in String::from_utf8_lossy(&out.stdout)
            .split_whitespace()
            .filter_map(|p| p.parse::<i32>().ok())
        {
            if pid != me {
                // SAFETY: a signal to a process living in this test's namespace.
                unsafe { libc::kill(pid, libc::SIGKILL) };
            }
        }
    }
    let _ = Command::new("ip").args(["netns", "del", netns]).output();
}
