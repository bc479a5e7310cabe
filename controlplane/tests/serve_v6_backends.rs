//! DHCPv6 over Kea's two socket types, chosen by the `Dhcp6` section's
//! `dhcp-socket-type`: real `dhclient -6` gets, renews and releases an
//! address and a delegated prefix from `xdhcp-controlplane -c` over the
//! `udp` and the `raw` backend, directly and through `dhcrelay -6`; a
//! server listening on a unicast address offers it (option 12) and answers
//! unicast requests, one that does not says UseMulticast; and `mac-sources`
//! decides which link-layer address a hardware-address reservation is
//! matched by. Needs root, as CI has.

use std::net::{Ipv6Addr, SocketAddrV6, UdpSocket};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use xdhcp_dataplane::wire::v6::{status, Message6Writer, MessageType, Packet6, OPTION_RELAY_MSG};
use xdhcp_testlab::{delete_netns, run, scratch_dir, Lab, ServerProcess};

/// The server's section: `interfaces` entries as JSON strings, the socket
/// type, and `extra` keys. Subnet 1 is the lab's link; subnet 2 lies
/// behind a relay (its link-address 2001:db8:9::1).
fn config(dir: &str, iface: &str, interfaces: &str, kind: &str, extra: &str) -> String {
    format!(
        r#"{{ "Dhcp6": {{
  "interfaces-config": {{ "interfaces": [ {interfaces} ], "dhcp-socket-type": "{kind}" }},
  "data-directory": "{dir}",
  "lease-database": {{ "type": "memfile", "persist": false }},
  "preferred-lifetime": 3000, "valid-lifetime": 4000, "renew-timer": 1, "rebind-timer": 2,
  {extra}
  "subnet6": [
    {{ "id": 1, "subnet": "2001:db8:7::/64", "interface": "{iface}",
       "pools": [ {{ "pool": "2001:db8:7::100 - 2001:db8:7::1ff" }} ],
       "pd-pools": [ {{ "prefix": "2001:db8:100::", "prefix-len": 48, "delegated-len": 64 }} ] }},
    {{ "id": 2, "subnet": "2001:db8:9::/64",
       "pools": [ {{ "pool": "2001:db8:9::100 - 2001:db8:9::1ff" }} ],
       "pd-pools": [ {{ "prefix": "2001:db8:200::", "prefix-len": 48, "delegated-len": 64 }} ] }}
  ]
}} }}"#
    )
}

/// A scratch directory with the configuration written, and the server
/// started on it in the lab's server namespace once both ends of the lab
/// have their link-local addresses.
fn serve(lab: &Lab, tag: &str, write: impl Fn(&str) -> String) -> (ServerProcess, String) {
    lab.wait_link_local();
    let dir = scratch_dir(&format!("v6io-{tag}"));
    let dir = dir.to_string_lossy().into_owned();
    let file = format!("{dir}/kea.conf");
    std::fs::write(&file, write(&dir)).unwrap();
    let bin = env!("CARGO_BIN_EXE_xdhcp-controlplane");
    let server = ServerProcess::start(lab.server_command(&[bin, "-c", &file]), "DHCP4_STARTED");
    (server, dir)
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// A command run inside network namespace `netns`.
fn in_netns(netns: &str, args: &[&str]) -> Command {
    let mut c = Command::new("ip");
    c.args(["netns", "exec", netns]).args(args);
    c
}

/// dhclient -6 runs on one interface of one namespace, with their files.
struct Dhclient {
    netns: String,
    iface: String,
    conf: String,
    leases: String,
    pid: String,
}

impl Dhclient {
    fn new(dir: &str, netns: &str, iface: &str) -> Dhclient {
        let conf = format!("{dir}/dhclient6.conf");
        std::fs::write(&conf, "timeout 20;\n").unwrap();
        Dhclient {
            netns: netns.into(),
            iface: iface.into(),
            conf,
            leases: format!("{dir}/dhclient6.leases"),
            pid: format!("{dir}/dhclient6.pid"),
        }
    }

    fn command(&self, extra: &[&str]) -> Command {
        let mut args = vec!["dhclient", "-6", "-v", "-sf", "/bin/true"];
        args.extend(["-cf", &self.conf, "-lf", &self.leases, "-pf", &self.pid]);
        args.extend_from_slice(extra);
        args.push(&self.iface);
        in_netns(&self.netns, &args)
    }

    /// Runs dhclient in the foreground (`-d`) with `extra` switches until
    /// the server's output shows every one of `server_says` and its lease
    /// file every one of `leases_say`, then stops it and returns what it
    /// said.
    fn run_until(
        &self,
        extra: &[&str],
        server: &mut ServerProcess,
        server_says: &[&str],
        leases_say: &[&str],
    ) -> String {
        let mut args = vec!["-d"];
        args.extend_from_slice(extra);
        let child = self
            .command(&args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("dhclient installed (tools/install-deps.sh)");
        let child = Stop(Some(child));
        for what in server_says {
            server.wait_for(what);
        }
        let deadline = Instant::now() + Duration::from_secs(10);
        while !leases_say.iter().all(|l| self.leases().contains(l)) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(50));
        }
        child.output()
    }

    /// `dhclient -6 -r`: releases what the lease file holds.
    fn release(&self, extra: &[&str]) -> Output {
        let mut args = vec!["-1", "-r"];
        args.extend_from_slice(extra);
        self.command(&args).output().unwrap()
    }

    fn leases(&self) -> String {
        std::fs::read_to_string(&self.leases).unwrap_or_default()
    }
}

/// A child process killed when dropped (a failed test leaves no daemon).
struct Stop(Option<Child>);

impl Stop {
    /// Kills the child and returns its output.
    fn output(mut self) -> String {
        let mut child = self.0.take().unwrap();
        let _ = child.kill();
        text(&child.wait_with_output().unwrap())
    }
}

impl Drop for Stop {
    fn drop(&mut self) {
        if let Some(c) = &mut self.0 {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

/// The lease lines of one dhclient -6 -N -P run that got, renewed (T1 is
/// 1 s) and then released an address and a prefix.
const GOT_AND_RENEWED: [&str; 4] = [
    "DHCP6_LEASE_ALLOC",
    "DHCP6_PD_LEASE_ALLOC",
    "DHCP6_LEASE_RENEW",
    "DHCP6_PD_LEASE_RENEW",
];
const RELEASED: [&str; 2] = ["DHCP6_RELEASE_NA", "DHCP6_RELEASE_PD"];

/// dhclient -6 -N -P on `iface` of `netns` gets `addr` and `prefix`
/// (the lease file's lines), renews both (T1 is 1 s) and releases them,
/// `server` logging each step.
fn get_renew_release(
    server: &mut ServerProcess,
    dir: &str,
    (netns, iface): (&str, &str),
    (addr, prefix): (&str, &str),
) {
    let client = Dhclient::new(dir, netns, iface);
    let both = ["-N", "-P"];
    let said = client.run_until(&both, server, &GOT_AND_RENEWED, &[addr, prefix]);
    let leases = client.leases();
    assert!(leases.contains(addr), "{leases}\n{said}");
    assert!(leases.contains(prefix), "{leases}\n{said}");
    assert!(said.contains("Renew"), "{said}");
    let out = client.release(&both);
    assert!(out.status.success(), "{}", text(&out));
    for what in RELEASED {
        server.wait_for(what);
    }
}

/// dhclient -6 on the lab's client link over the `kind` backend.
fn direct(tag: &str, kind: &str, over: &str) {
    let lab = Lab::new(tag);
    let iface = format!("\"{}\"", lab.iface);
    let (mut server, dir) = serve(&lab, tag, |d| config(d, &lab.iface, &iface, kind, ""));
    assert!(server.output().contains(over), "{}", server.output());
    let leased = ("iaaddr 2001:db8:7::100 {", "iaprefix 2001:db8:100::/64 {");
    get_renew_release(&mut server, &dir, (&lab.client, &lab.peer), leased);
    server.stop("DHCP4_SHUTDOWN");
}

#[test]
fn dhclient6_over_udp() {
    direct("6u", "udp", "(DHCPv6) over a UDP socket");
}

#[test]
fn dhclient6_over_raw() {
    direct("6r", "raw", "(DHCPv6) over a raw (AF_PACKET) socket");
}

/// A namespace of its own behind the lab's client namespace, which runs
/// dhcrelay -6 between the two links; deleted when dropped.
struct RelayedLink {
    netns: String,
    /// The client's interface, in `netns`.
    iface: String,
    _relay: Stop,
}

impl RelayedLink {
    fn new(lab: &Lab, tag: &str, relay_args: &[&str]) -> RelayedLink {
        let id = std::process::id() % 100_000;
        let (netns, down, up) = (
            format!("xdhcp-{tag}-{id}-f"),
            format!("x{tag}{id}d"),
            format!("x{tag}{id}f"),
        );
        delete_netns(&netns);
        run(&["ip", "netns", "add", &netns]);
        for key in [
            "net.ipv6.conf.all.accept_dad=0",
            "net.ipv6.conf.default.accept_dad=0",
        ] {
            run(&["ip", "netns", "exec", &netns, "sysctl", "-qw", key]);
        }
        let c = &lab.client;
        run(&[
            "ip", "-n", c, "link", "add", &down, "type", "veth", "peer", "name", &up, "netns",
            &netns,
        ]);
        run(&[
            "ip",
            "-n",
            c,
            "addr",
            "add",
            "2001:db8:9::1/64",
            "dev",
            &down,
            "nodad",
        ]);
        run(&["ip", "-n", c, "link", "set", &down, "up"]);
        run(&["ip", "-n", &netns, "link", "set", &up, "up"]);
        run(&["ip", "-n", &netns, "link", "set", "lo", "up"]);
        let mut args = vec!["dhcrelay", "-6", "-d"];
        args.extend_from_slice(relay_args);
        let upper = format!("2001:db8:7::1%{}", lab.peer);
        args.extend(["-l", &down, "-u", &upper]);
        let relay = in_netns(c, &args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("dhcrelay installed (tools/install-deps.sh)");
        // dhcrelay is ready once it has bound port 547.
        let deadline = Instant::now() + Duration::from_secs(10);
        while !bound_547(c) {
            assert!(Instant::now() < deadline, "dhcrelay did not start");
            std::thread::sleep(Duration::from_millis(100));
        }
        RelayedLink {
            netns,
            iface: up,
            _relay: Stop(Some(relay)),
        }
    }
}

impl Drop for RelayedLink {
    fn drop(&mut self) {
        delete_netns(&self.netns);
    }
}

fn bound_547(netns: &str) -> bool {
    let out = in_netns(netns, &["ss", "-Hlun", "sport", "= :547"])
        .output()
        .unwrap();
    !out.stdout.is_empty()
}

/// dhclient -6 behind dhcrelay -6: the server picks subnet 2 by the
/// relay's link-address and answers through RELAY-REPL.
fn relayed(tag: &str, kind: &str) {
    let lab = Lab::new(tag);
    let iface = format!("\"{}\"", lab.iface);
    let (mut server, dir) = serve(&lab, tag, |d| config(d, &lab.iface, &iface, kind, ""));
    let link = RelayedLink::new(&lab, tag, &[]);
    let leased = ("iaaddr 2001:db8:9::100 {", "iaprefix 2001:db8:200::/64 {");
    get_renew_release(&mut server, &dir, (&link.netns, &link.iface), leased);
    server.stop("DHCP4_SHUTDOWN");
}

#[test]
fn dhclient6_through_dhcrelay_over_udp() {
    relayed("6ru", "udp");
}

#[test]
fn dhclient6_through_dhcrelay_over_raw() {
    relayed("6rr", "raw");
}

/// A DUID-EN (no link-layer address inside).
const CLIENT_DUID: &[u8] = &[0, 2, 0, 0, 0, 9, 1, 2, 3];

/// A client message of `kind` with our DUID, one IA_NA (IAID 1) listing
/// `addr` if given, and `server_id` if given.
fn message(kind: MessageType, server_id: Option<&[u8]>, addr: Option<Ipv6Addr>) -> Vec<u8> {
    let mut buf = vec![0u8; 512];
    let mut w = Message6Writer::new(&mut buf);
    w.put_header(kind, 0x0a0b0c).unwrap();
    w.client_id(CLIENT_DUID).unwrap();
    if let Some(id) = server_id {
        w.server_id(id).unwrap();
    }
    let ia = w.begin_ia_na(1, 0, 0).unwrap();
    if let Some(a) = addr {
        w.ia_addr(a, 0, 0).unwrap();
    }
    w.end_option(ia).unwrap();
    let n = w.finish().unwrap();
    buf.truncate(n);
    buf
}

/// Sends `msg` from the lab's client namespace (port `port` of its
/// address) to `to`, and returns the answer and where it came from, if
/// one comes within a second.
fn exchange(lab: &Lab, port: u16, msg: Vec<u8>, to: Ipv6Addr) -> Option<(Vec<u8>, Ipv6Addr)> {
    let peer = lab.peer.clone();
    lab.in_client(move || {
        let index = std::ffi::CString::new(peer).unwrap();
        // SAFETY: a NUL-terminated interface name.
        let scope = unsafe { libc::if_nametoindex(index.as_ptr()) };
        let s = UdpSocket::bind(SocketAddrV6::new(Ipv6Addr::UNSPECIFIED, port, 0, 0)).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(1))).unwrap();
        s.send_to(&msg, SocketAddrV6::new(to, 547, 0, scope))
            .unwrap();
        let mut buf = vec![0u8; 1500];
        let (n, from) = s.recv_from(&mut buf).ok()?;
        buf.truncate(n);
        let std::net::SocketAddr::V6(from) = from else {
            return None;
        };
        Some((buf, *from.ip()))
    })
    .join()
    .unwrap()
}

const ALL_SERVERS: Ipv6Addr = Ipv6Addr::new(0xff02, 0, 0, 0, 0, 0, 1, 2);
/// A second global address of the server's interface, deprecated: the
/// kernel would pick 2001:db8:7::1 to answer the client from, so a reply
/// from this one shows the server chose it.
const UNICAST: Ipv6Addr = Ipv6Addr::new(0x2001, 0xdb8, 7, 0, 0, 0, 0, 0xa);

/// The first address of the first IA_NA in `msg`, if any.
fn first_address(msg: &[u8]) -> Option<Ipv6Addr> {
    let msg = Packet6::parse(msg).unwrap().innermost();
    let ia = msg.options().ia_nas().next()?;
    let a = ia.addresses().next()?;
    Some(a.address)
}

/// A server on the lab with `interfaces` (a JSON list entry) over `kind`,
/// and a client that SOLICITs by multicast and then sends its REQUEST for
/// what was advertised to the server's global address. Returns the
/// ADVERTISE, and the answer to the REQUEST with its source, if any.
fn request_by_unicast(
    tag: &str,
    kind: &str,
    interface: impl Fn(&Lab) -> String,
) -> (Vec<u8>, Option<(Vec<u8>, Ipv6Addr)>) {
    let lab = Lab::new(tag);
    let unicast = format!("{UNICAST}/64");
    run(&[
        "ip",
        "-n",
        &lab.server,
        "addr",
        "add",
        &unicast,
        "dev",
        &lab.iface,
        "nodad",
        "preferred_lft",
        "0",
    ]);
    let iface = interface(&lab);
    let (_server, _dir) = serve(&lab, tag, |d| config(d, &lab.iface, &iface, kind, ""));
    let solicit = message(MessageType::Solicit, None, None);
    let (adv, _) = exchange(&lab, 546, solicit, ALL_SERVERS).expect("an ADVERTISE");
    let parsed = Packet6::parse(&adv).unwrap().innermost();
    assert_eq!(parsed.msg_type(), MessageType::Advertise);
    let server_id = parsed.server_id().unwrap().as_bytes();
    let request = message(MessageType::Request, Some(server_id), first_address(&adv));
    let answer = exchange(&lab, 546, request, UNICAST);
    // SOLICIT must be multicast: a unicast one is dropped either way.
    let solicit = message(MessageType::Solicit, None, None);
    assert!(exchange(&lab, 546, solicit, UNICAST).is_none());
    (adv, answer)
}

/// With `"iface/2001:db8:7::1"` the server offers that address in
/// OPTION_UNICAST and serves a REQUEST sent there, answering from it.
fn unicast_configured(tag: &str, kind: &str) {
    let with_unicast = |lab: &Lab| format!("\"{}/{UNICAST}\"", lab.iface);
    let (adv, answer) = request_by_unicast(tag, kind, with_unicast);
    let options = Packet6::parse(&adv).unwrap().innermost().options();
    assert_eq!(options.unicast(), Some(UNICAST));
    let (reply, from) = answer.expect("a REPLY");
    assert_eq!(from, UNICAST, "answered from the address asked");
    let parsed = Packet6::parse(&reply).unwrap().innermost();
    assert_eq!(parsed.msg_type(), MessageType::Reply);
    assert!(parsed.options().status_code().is_none());
    assert_eq!(first_address(&reply), first_address(&adv));
}

/// Without a unicast address the server neither offers one nor serves
/// unicast: a REQUEST sent to its address gets UseMulticast and nothing
/// else (RFC 8415 §18.4).
fn unicast_refused(tag: &str, kind: &str) {
    let plain = |lab: &Lab| format!("\"{}\"", lab.iface);
    let (adv, answer) = request_by_unicast(tag, kind, plain);
    let options = Packet6::parse(&adv).unwrap().innermost().options();
    assert_eq!(options.unicast(), None);
    let (reply, _) = answer.expect("a REPLY");
    let reply = Packet6::parse(&reply).unwrap().innermost();
    assert_eq!(reply.msg_type(), MessageType::Reply);
    assert_eq!(
        reply.options().status_code().map(|s| s.code),
        Some(status::USE_MULTICAST)
    );
    assert_eq!(reply.options().ia_nas().count(), 0);
    assert_eq!(reply.client_id().unwrap().as_bytes(), CLIENT_DUID);
}

#[test]
fn unicast_over_udp() {
    unicast_configured("6nu", "udp");
    unicast_refused("6mu", "udp");
}

#[test]
fn unicast_over_raw() {
    unicast_configured("6nr", "raw");
    unicast_refused("6mr", "raw");
}

const LEGAL_LOG: &str = "/usr/lib/x86_64-linux-gnu/kea/hooks/libdhcp_legal_log.so";

/// Reservations by hardware address, matched through `mac-sources`: the
/// MAC inside dhclient's EUI-64 link-local address (its DUID-LLT carries
/// it too, but `duid` is not listed), and the MAC a relay reports in
/// option 79 for a client whose DUID and link-local address carry none.
#[test]
fn mac_sources_pick_the_reservation() {
    let lab = Lab::new("6ms");
    // A universally administered MAC: its EUI-64 link-local address has
    // the universal bit set, which `ipv6-link-local` requires.
    let c = &lab.client;
    run(&["ip", "-n", c, "link", "set", &lab.peer, "down"]);
    run(&[
        "ip",
        "-n",
        c,
        "link",
        "set",
        &lab.peer,
        "address",
        "00:16:3e:00:00:42",
    ]);
    run(&["ip", "-n", c, "link", "set", &lab.peer, "up"]);
    // Taking the link down dropped its global address.
    run(&[
        "ip",
        "-n",
        c,
        "addr",
        "add",
        "2001:db8:7::2/64",
        "dev",
        &lab.peer,
        "nodad",
    ]);
    let iface = format!("\"{}\"", lab.iface);
    let (mut server, dir) = serve(&lab, "6ms", |d| {
        let extra = format!(
            r#""mac-sources": [ "ipv6-link-local", "rfc6939" ],
  "host-reservation-identifiers": [ "hw-address" ],
  "hooks-libraries": [ {{ "library": "{LEGAL_LOG}",
      "parameters": {{ "path": "{d}", "base-name": "forensic" }} }} ],
  "reservations": [
    {{ "hw-address": "00:16:3e:00:00:42", "ip-addresses": [ "2001:db8:7::42" ] }},
    {{ "hw-address": "00:16:3e:00:00:79", "ip-addresses": [ "2001:db8:7::79" ] }} ],
  "reservations-global": true, "reservations-in-subnet": false,"#
        );
        config(d, &lab.iface, &iface, "udp", &extra)
    });
    let client = Dhclient::new(&dir, &lab.client, &lab.peer);
    let reserved = "iaaddr 2001:db8:7::42 {";
    let said = client.run_until(&[], &mut server, &["DHCP6_LEASE_ALLOC"], &[reserved]);
    let leases = client.leases();
    assert!(leases.contains(reserved), "{leases}\n{said}");

    // A relay's RELAY-FORW: link-address on subnet 1, a peer-address that
    // is not EUI-64, option 79 with the other reserved MAC.
    let solicit = message(MessageType::Solicit, None, None);
    let mut buf = vec![0u8; 1024];
    let mut w = Message6Writer::new(&mut buf);
    let peer: Ipv6Addr = "fe80::1234:5678:9abc:def0".parse().unwrap();
    w.put_relay_header(
        MessageType::RelayForw,
        0,
        "2001:db8:7::".parse().unwrap(),
        peer,
    )
    .unwrap();
    w.option(79, &[0, 1, 0, 0x16, 0x3e, 0, 0, 0x79]).unwrap();
    w.option(OPTION_RELAY_MSG, &solicit).unwrap();
    let n = w.finish().unwrap();
    buf.truncate(n);
    let server_addr = "2001:db8:7::1".parse().unwrap();
    let (reply, _) = exchange(&lab, 547, buf, server_addr).expect("a RELAY-REPL");
    assert_eq!(Packet6::parse(&reply).unwrap().relay_depth(), 1);
    assert_eq!(first_address(&reply), "2001:db8:7::79".parse().ok());

    // The lease keeps the address and says where it came from.
    server.stop("DHCP4_SHUTDOWN");
    let forensic: String = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().starts_with("forensic"))
        .map(|e| std::fs::read_to_string(e.path()).unwrap())
        .collect();
    assert!(
        forensic.contains(
            "hardware address: hwtype=1 00:16:3e:00:00:42 (from IPv6 link-local address)"
        ),
        "{forensic}"
    );
}

/// The `raw` source: the client frame's own source MAC, which only the
/// layer-2 backends see.
#[test]
fn the_raw_mac_source_reads_the_frame() {
    let lab = Lab::new("6mx");
    let mac = lab
        .peer_mac()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .join(":");
    let iface = format!("\"{}\"", lab.iface);
    let (server, _dir) = serve(&lab, "6mx", |d| {
        let extra = format!(
            r#""mac-sources": [ "raw" ],
  "reservations": [ {{ "hw-address": "{mac}", "ip-addresses": [ "2001:db8:7::66" ] }} ],
  "reservations-global": true, "reservations-in-subnet": false,"#
        );
        config(d, &lab.iface, &iface, "raw", &extra)
    });
    let solicit = message(MessageType::Solicit, None, None);
    let (adv, _) = exchange(&lab, 546, solicit, ALL_SERVERS).expect("an ADVERTISE");
    assert_eq!(first_address(&adv), "2001:db8:7::66".parse().ok());
    drop(server);
}

/// dhcrelay -6 does not add option 79 (isc-dhcp-relay 4.4), but `-s`
/// makes it add a subscriber-id (RFC 4580): with `subscriber-id` listed,
/// its value is the client's hardware address.
#[test]
fn a_relay_subscriber_id_matches_a_reservation() {
    let lab = Lab::new("6rs");
    // "xdhcp6" in ASCII.
    let link = RelayedLink::new(&lab, "6rs", &["-s", "xdhcp6"]);
    let iface = format!("\"{}\"", lab.iface);
    let (mut server, dir) = serve(&lab, "6rs", |d| {
        let extra = r#""mac-sources": [ "client-link-addr-option", "rfc4580" ],
  "reservations": [ { "hw-address": "78:64:68:63:70:36", "ip-addresses": [ "2001:db8:9::38" ] } ],
  "reservations-global": true, "reservations-in-subnet": false,"#;
        config(d, &lab.iface, &iface, "udp", extra)
    });
    let client = Dhclient::new(&dir, &link.netns, &link.iface);
    let reserved = "iaaddr 2001:db8:9::38 {";
    let said = client.run_until(&[], &mut server, &["DHCP6_LEASE_ALLOC"], &[reserved]);
    assert!(
        client.leases().contains(reserved),
        "{}\n{said}",
        client.leases()
    );
}

/// dhcpcd starts DHCPv6 without waiting for a router advertisement
/// (`noipv6rs` with `ia_na`), binds the address and releases it.
#[test]
fn dhcpcd6_gets_and_releases_an_address() {
    let lab = Lab::new("6dc");
    let iface = format!("\"{}\"", lab.iface);
    let (mut server, dir) = serve(&lab, "6dc", |d| config(d, &lab.iface, &iface, "udp", ""));
    let bound = "inet6 2001:db8:7::100/";
    let options = ("noipv6rs", "  ipv6only\n  ia_na 1");
    let out = lab
        .dhcpcd_once(&dir, "-6", options, bound)
        .output()
        .expect("dhcpcd installed (tools/install-deps.sh)");
    let said = text(&out);
    assert!(
        said.contains("inet6 2001:db8:7::100/"),
        "dhcpcd did not bind:\n{said}"
    );
    server.wait_for("DHCP6_LEASE_ALLOC");
    server.wait_for("DHCP6_RELEASE_NA");
}
