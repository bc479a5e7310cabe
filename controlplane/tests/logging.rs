//! Kea's `loggers` and the legal_log hook, driven by a real dhclient in a
//! lab: an allocation, a renewal and a release appear as Kea 2.2 logs them
//! (DHCP4_LEASE_ALLOC twice, DHCP4_RELEASE, Kea's line layout) in the
//! configured file, only there, and as forensic lines in the daily file;
//! for DHCPv6, the same exchanges give the same lease lines from xdhcp and
//! from Kea 2.2 itself. Needs root and Kea.

use xdhcp_testlab::{scratch_dir, Lab, ServerProcess};

fn config(iface: &str, dir: &str) -> String {
    format!(
        r#"{{ "Dhcp4": {{
  "interfaces-config": {{ "interfaces": [ "{iface}" ], "dhcp-socket-type": "xdp" }},
  "lease-database": {{ "type": "memfile", "persist": false }},
  "valid-lifetime": 900,
  "control-socket": {{ "socket-type": "unix", "socket-name": "{dir}/control.sock" }},
  "hooks-libraries": [ {{ "library": "/usr/lib/x86_64-linux-gnu/kea/hooks/libdhcp_legal_log.so",
                         "parameters": {{ "path": "{dir}", "base-name": "kea-forensic4" }} }},
                       {{ "library": "/usr/lib/x86_64-linux-gnu/kea/hooks/libdhcp_lease_cmds.so" }} ],
  "subnet4": [ {{ "id": 7, "subnet": "198.51.100.0/24",
                  "pools": [ {{ "pool": "198.51.100.50 - 198.51.100.59" }} ] }} ],
  "loggers": [
    {{ "name": "kea-dhcp4", "severity": "INFO",
       "output_options": [ {{ "output": "{dir}/server.log" }}, {{ "output": "stdout" }} ] }},
    {{ "name": "kea-dhcp4.leases", "severity": "INFO",
       "output_options": [ {{ "output": "{dir}/leases.log", "maxsize": 1048576, "maxver": 2 }} ] }},
    {{ "name": "kea-dhcp4.bad-packets", "severity": "WARN",
       "output_options": [ {{ "output": "{dir}/leases.log", "pattern": "%-5p %m\n" }} ] }}
  ]
}} }}"#
    )
}

/// True when `s` is `2019-08-05 17:21:39.123`: Kea's timestamp.
fn is_kea_time(s: &str) -> bool {
    let shape = "dddd-dd-dd dd:dd:dd.ddd";
    s.len() == shape.len()
        && s.chars()
            .zip(shape.chars())
            .all(|(c, p)| if p == 'd' { c.is_ascii_digit() } else { c == p })
}

/// Splits a line of Kea's default layout into time, severity, logger,
/// pid, and message; panics if it is not one.
fn kea_line(line: &str) -> (&str, &str, &str, &str, &str) {
    let (time, rest) = line.split_at(23);
    assert!(is_kea_time(time), "{line}");
    let (severity, rest) = rest[1..].split_at(5);
    let rest = rest.strip_prefix(" [").unwrap_or_else(|| panic!("{line}"));
    let (source, message) = rest.split_once("] ").unwrap_or_else(|| panic!("{line}"));
    let (logger, ids) = source.split_once('/').unwrap_or_else(|| panic!("{line}"));
    let (pid, thread) = ids.split_once('.').unwrap_or_else(|| panic!("{line}"));
    assert!(thread.parse::<u64>().is_ok(), "{line}");
    (time, severity.trim_end(), logger, pid, message)
}

#[test]
fn lease_events_are_logged_as_kea_logs_them() {
    let lab = Lab::new("lg");
    let dir = scratch_dir("logging");
    let dir = dir.to_string_lossy().into_owned();
    let file = format!("{dir}/kea.conf");
    std::fs::write(&file, config(&lab.iface, &dir)).unwrap();
    let bin = env!("CARGO_BIN_EXE_xdhcp-controlplane");
    let server = ServerProcess::start(lab.server_command(&[bin, "-c", &file]), "DHCP4_STARTED");
    let pid = {
        let line = server
            .output()
            .lines()
            .find(|l| l.contains("DHCP4_STARTED"));
        kea_line(line.unwrap()).3.to_string()
    };

    let run = |extra: &[&str]| {
        let out = lab.dhclient(&dir, extra).output().unwrap();
        let said = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(out.status.success(), "dhclient {extra:?}:\n{said}");
        said
    };
    assert!(run(&[]).contains("DHCPACK of 198.51.100.50"));
    // dhclient again with its lease file: INIT-REBOOT, the lease is renewed.
    assert!(run(&[]).contains("DHCPACK of 198.51.100.50"));
    run(&["-r"]);
    // The release has no answer: wait until it is logged.
    let leases_log = format!("{dir}/leases.log");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while !std::fs::read_to_string(&leases_log)
        .unwrap_or_default()
        .contains("DHCP4_RELEASE")
    {
        assert!(std::time::Instant::now() < deadline, "no DHCP4_RELEASE");
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    // Lease commands are forensic events too.
    for request in [
        r#"{"command": "lease4-add", "arguments": {"ip-address": "198.51.100.55", "hw-address": "1a:1b:1c:1d:1e:1f", "valid-lft": 86400}}"#,
        r#"{"command": "lease4-del", "arguments": {"ip-address": "198.51.100.55"}}"#,
        r#"{"command": "lease4-del", "arguments": {"ip-address": "198.51.100.55"}}"#,
    ] {
        xdhcp_testlab::control(format!("{dir}/control.sock"), request);
    }
    let stdout = server.stop("DHCP4_SHUTDOWN");

    let mac = lab
        .peer_mac()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .join(":");
    let label = format!("[hwtype=1 {mac}], cid=[no info], tid=0x");
    let leases = std::fs::read_to_string(&leases_log).unwrap();
    let mut seen = Vec::new();
    for line in leases.lines() {
        let (_, severity, logger, line_pid, message) = kea_line(line);
        assert_eq!(
            (severity, logger, line_pid),
            ("INFO", "kea-dhcp4.leases", &*pid)
        );
        let (id, text) = message.split_once(' ').unwrap();
        assert!(text.starts_with(&label), "{line}");
        let (_, what) = text.split_once(": ").unwrap();
        seen.push(format!("{id} {what}"));
    }
    assert_eq!(
        seen,
        [
            "DHCP4_LEASE_ADVERT lease 198.51.100.50 will be advertised",
            "DHCP4_LEASE_ALLOC lease 198.51.100.50 has been allocated for 900 seconds",
            "DHCP4_INIT_REBOOT client is in INIT-REBOOT state and requests address 198.51.100.50",
            "DHCP4_LEASE_ALLOC lease 198.51.100.50 has been allocated for 900 seconds",
            "DHCP4_RELEASE address 198.51.100.50 was released properly.",
        ],
        "{leases}"
    );
    // The leases logger's lines go to its own output only (Kea's loggers
    // do not add up); the rest of the server's log goes to both of its.
    let server_log = std::fs::read_to_string(format!("{dir}/server.log")).unwrap();
    assert!(!server_log.contains("DHCP4_LEASE"), "{server_log}");
    for id in ["DHCP4_CONFIG_COMPLETE", "DHCP4_STARTED", "DHCP4_SHUTDOWN"] {
        let line = server_log.lines().find(|l| l.contains(id));
        let line = line.unwrap_or_else(|| panic!("no {id} in\n{server_log}"));
        assert_eq!(kea_line(line).1, "INFO");
        assert!(stdout.contains(id), "{stdout}");
    }

    // The forensic log: one line per grant, renewal and release.
    let day = std::process::Command::new("date")
        .arg("+%Y%m%d")
        .output()
        .unwrap();
    let day = String::from_utf8_lossy(&day.stdout).trim().to_string();
    let forensic = std::fs::read_to_string(format!("{dir}/kea-forensic4.{day}.txt")).unwrap();
    let entries: Vec<&str> = forensic
        .lines()
        .map(|l| {
            // "2026-11-25 15:35:48 UTC Address: ..."
            let (stamp, entry) = l.split_at(l.find(" A").unwrap());
            assert!(is_kea_time(&format!("{}.000", &stamp[..19])), "{l}");
            entry.trim_start()
        })
        .collect();
    let device = format!("a device with hardware address: hwtype=1 {mac}");
    // Kea's hook logs what was committed: a renewal is an assignment too.
    let assigned =
        format!("Address: 198.51.100.50 has been assigned for 0 hrs 15 mins 0 secs to {device}");
    assert_eq!(
        entries,
        [
            assigned.clone(),
            assigned,
            format!("Address: 198.51.100.50 has been released from {device}"),
            // Only the commands that succeeded: the second delete found nothing.
            "Administrator added a lease of address: 198.51.100.55 to a device with \
             hardware address: 1a:1b:1c:1d:1e:1f for 1 days 0 hrs 0 mins 0 secs"
                .into(),
            "Administrator deleted the lease for address: 198.51.100.55".into(),
        ],
        "{forensic}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

fn config6(iface: &str, dir: &str, hooks: bool) -> String {
    // Debian's Kea 2.2 lacks the legal_log library (premium in 2.2).
    let legal = if hooks {
        format!(
            r#""hooks-libraries": [ {{ "library": "/usr/lib/x86_64-linux-gnu/kea/hooks/libdhcp_legal_log.so",
                 "parameters": {{ "path": "{dir}", "base-name": "kea-forensic6" }} }} ],"#
        )
    } else {
        String::new()
    };
    format!(
        r#"{{ "Dhcp6": {{ {legal}
  "interfaces-config": {{ "interfaces": [ "{iface}" ] }},
  "data-directory": "{dir}",
  "lease-database": {{ "type": "memfile", "persist": false }},
  "preferred-lifetime": 600, "valid-lifetime": 900,
  "subnet6": [ {{ "id": 1, "subnet": "2001:db8:7::/64", "interface": "{iface}",
                  "pools": [ {{ "pool": "2001:db8:7::100 - 2001:db8:7::1ff" }} ],
                  "pd-pools": [ {{ "prefix": "2001:db8:8000::", "prefix-len": 40, "delegated-len": 56 }} ] }} ],
  "loggers": [
    {{ "name": "kea-dhcp6", "severity": "INFO", "output_options": [ {{ "output": "stdout" }} ] }},
    {{ "name": "kea-dhcp6.leases", "severity": "INFO",
       "output_options": [ {{ "output": "{dir}/leases.log" }} ] }}
  ]
}} }}"#
    )
}

/// Serves a lab with `server` (a command line ending in `-c`, `ours`
/// telling xdhcp from Kea), runs dhclient three times (DORA, or SARR for an
/// address and a prefix with `v6`; a renewal; a release), and returns the
/// leases log lines as severity, logger, id and text, the client's label
/// and IAID replaced by `LABEL` and `IAID`; and the directory.
fn exchange(
    tag: &str,
    server: &[&str],
    ready: &str,
    v6: bool,
    ours: bool,
) -> (Vec<String>, String) {
    let lab = Lab::new(tag);
    let dir = scratch_dir(&format!("logging-{tag}"));
    let dir = dir.to_string_lossy().into_owned();
    let file = format!("{dir}/kea.conf");
    let config = if v6 {
        config6(&lab.iface, &dir, ours)
    } else {
        // Kea 2.2 knows raw and udp sockets only.
        let kind = if ours { "xdp" } else { "raw" };
        format!(
            r#"{{ "Dhcp4": {{
  "interfaces-config": {{ "interfaces": [ "{}" ], "dhcp-socket-type": "{kind}" }},
  "lease-database": {{ "type": "memfile", "persist": false }},
  "valid-lifetime": 900,
  "subnet4": [ {{ "id": 1, "subnet": "198.51.100.0/24",
                  "pools": [ {{ "pool": "198.51.100.50 - 198.51.100.59" }} ] }} ],
  "loggers": [ {{ "name": "kea-dhcp4.leases", "severity": "INFO",
                  "output_options": [ {{ "output": "{dir}/leases.log" }} ] }} ]
}} }}"#,
            lab.iface
        )
    };
    std::fs::write(&file, config).unwrap();
    let mut cmd = server.to_vec();
    cmd.push(&file);
    let _server = ServerProcess::start(lab.server_command(&cmd), ready);
    std::fs::write(format!("{dir}/dhclient6.conf"), "timeout 20;\n").unwrap();
    let dhclient6 = |extra: &str| {
        let (conf, leases, pid) = (
            format!("{dir}/dhclient6.conf"),
            format!("{dir}/dhclient6.leases"),
            format!("{dir}/dhclient6.pid"),
        );
        let mut args = vec!["dhclient", "-6", "-1", "-v", "-N", "-P", "-sf", "/bin/true"];
        args.extend(["-cf", &conf, "-lf", &leases, "-pf", &pid]);
        if !extra.is_empty() {
            args.push(extra);
        }
        args.push(&lab.peer);
        let out = lab.client_command(&args).output().unwrap();
        let said = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(out.status.success(), "dhclient -6 {extra}:\n{said}");
    };
    let dhclient4 = |extra: &str| {
        let extra: &[&str] = if extra.is_empty() { &[] } else { &[extra] };
        let out = lab.dhclient(&dir, extra).output().unwrap();
        let said = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(out.status.success(), "dhclient {extra:?}:\n{said}");
    };
    let (dhclient, last): (&dyn Fn(&str), _) = if v6 {
        (&dhclient6, "DHCP6_RELEASE_PD")
    } else {
        (&dhclient4, "DHCP4_RELEASE")
    };
    dhclient("");
    // Started again with its lease file, dhclient renews.
    dhclient("");
    dhclient("-r");
    let log = format!("{dir}/leases.log");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let text = std::fs::read_to_string(&log).unwrap_or_default();
        if text.contains(last) {
            let lines = text
                .lines()
                .map(|line| {
                    let (_, severity, logger, _, message) = kea_line(line);
                    let (id, text) = message.split_once(' ').unwrap();
                    let labelled = text.starts_with("duid=[") || text.starts_with("[hwtype=");
                    let text = match text.find(": ") {
                        Some(end) if labelled => format!("LABEL{}", &text[end..]),
                        _ => text.to_string(),
                    };
                    // dhclient derives the IAID from the lab's random MAC.
                    let text = match text.split_once("iaid=") {
                        Some((head, tail)) => {
                            let digits = tail.find(|c: char| !c.is_ascii_digit());
                            format!("{head}iaid=IAID{}", &tail[digits.unwrap_or(tail.len())..])
                        }
                        None => text,
                    };
                    format!("{severity} {logger} {id} {text}")
                })
                .collect();
            return (lines, dir);
        }
        assert!(std::time::Instant::now() < deadline, "no {last} in\n{text}");
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
}

#[test]
fn dhcpv6_lease_lines_match_kea() {
    std::fs::create_dir_all("/run/kea").unwrap();
    let (kea, kea_dir) = exchange("k6", &["kea-dhcp6", "-c"], "DHCP6_STARTED", true, false);
    let bin = env!("CARGO_BIN_EXE_xdhcp-controlplane");
    let (ours, dir) = exchange("x6", &[bin, "-c"], "DHCP4_STARTED", true, true);
    assert_eq!(ours, kea);
    assert_eq!(ours.len(), 8, "{ours:#?}");
    assert!(
        ours[2].starts_with(
            "INFO kea-dhcp6.leases DHCP6_LEASE_ALLOC LABEL: lease for address 2001:db8:7::100"
        ),
        "{ours:#?}"
    );

    // The forensic lines of the same exchanges.
    let day = std::process::Command::new("date")
        .arg("+%Y%m%d")
        .output()
        .unwrap();
    let day = String::from_utf8_lossy(&day.stdout).trim().to_string();
    let forensic = std::fs::read_to_string(format!("{dir}/kea-forensic6.{day}.txt")).unwrap();
    // "2026-11-25 15:35:48 UTC Address: ..." or "... Prefix: ..."
    let entries: Vec<&str> = forensic.lines().map(|l| &l[24..]).collect();
    let (address, prefix) = ("Address: 2001:db8:7::100", "Prefix: 2001:db8:8000::/56");
    let assigned = "has been assigned for 0 hrs 15 mins 0 secs to a device with DUID: ";
    let released = "has been released from a device with DUID: ";
    let wanted = [
        (address, assigned),
        (prefix, assigned),
        (address, assigned),
        (prefix, assigned),
        (address, released),
        (prefix, released),
    ];
    assert_eq!(entries.len(), wanted.len(), "{forensic}");
    for (entry, (what, how)) in entries.iter().zip(wanted) {
        assert!(entry.starts_with(&format!("{what} {how}")), "{forensic}");
    }
    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::fs::remove_dir_all(&kea_dir);
}

#[test]
fn dhcpv4_lease_lines_match_kea() {
    std::fs::create_dir_all("/run/kea").unwrap();
    let (kea, kea_dir) = exchange("k4", &["kea-dhcp4", "-c"], "DHCP4_STARTED", false, false);
    let bin = env!("CARGO_BIN_EXE_xdhcp-controlplane");
    let (ours, dir) = exchange("x4", &[bin, "-c"], "DHCP4_STARTED", false, true);
    assert_eq!(ours, kea);
    assert_eq!(ours.len(), 5, "{ours:#?}");
    assert!(ours[2].contains("DHCP4_INIT_REBOOT"), "{ours:#?}");
    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::fs::remove_dir_all(&kea_dir);
}

/// `syslog:name` outputs: the server runs in a mount namespace of its own
/// whose /dev holds a socat listening on /dev/log (this machine has no
/// syslog daemon, and the host's /dev is left alone); lines arrive with
/// facility local0, the name and pid, and Kea's syslog layout.
#[test]
fn syslog_output_sends_keas_syslog_lines() {
    let lab = Lab::new("sl");
    let dir = scratch_dir("syslog");
    let dir = dir.to_string_lossy().into_owned();
    let file = format!("{dir}/kea.conf");
    std::fs::write(
        &file,
        format!(
            r#"{{ "Dhcp4": {{
  "interfaces-config": {{ "interfaces": [ "{}" ], "dhcp-socket-type": "xdp" }},
  "lease-database": {{ "type": "memfile", "persist": false }},
  "subnet4": [ {{ "id": 1, "subnet": "198.51.100.0/24",
                  "pools": [ {{ "pool": "198.51.100.50 - 198.51.100.59" }} ] }} ],
  "loggers": [ {{ "name": "kea-dhcp4", "severity": "INFO",
                  "output_options": [ {{ "output": "syslog:xdhcp-test" }}, {{ "output": "stdout" }} ] }} ]
}} }}"#,
            lab.iface
        ),
    )
    .unwrap();
    let bin = env!("CARGO_BIN_EXE_xdhcp-controlplane");
    let (received, socat_pid) = (format!("{dir}/syslog.out"), format!("{dir}/socat.pid"));
    let script = format!(
        "mount -t tmpfs none /dev && mknod -m 666 /dev/null c 1 3 && \
         {{ socat -u UNIX-RECV:/dev/log,mode=666 OPEN:{received},creat,append & echo $! > {socat_pid}; }} && \
         sleep 0.2 && exec ip netns exec {} {bin} -c {file}",
        lab.server
    );
    let mut command = std::process::Command::new("unshare");
    command.args(["-m", "--propagation", "private", "sh", "-c", &script]);
    let server = ServerProcess::start(command, "DHCP4_STARTED");
    let out = lab.dhclient(&dir, &[]).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let _ = server.stop("DHCP4_SHUTDOWN");
    let socat = std::fs::read_to_string(&socat_pid).unwrap();
    // SAFETY: a signal to the socat this test started.
    unsafe { libc::kill(socat.trim().parse().unwrap(), libc::SIGTERM) };

    // One datagram per line, "<134>Nov 25 16:25:42 xdhcp-test[4711]: INFO
    // [kea-dhcp4.leases.1402...] ...", written back to back by socat.
    let lines = std::fs::read_to_string(&received).unwrap();
    let alloc = lines
        .split("<")
        .find(|l| l.contains("DHCP4_LEASE_ALLOC"))
        .unwrap_or_else(|| panic!("no DHCP4_LEASE_ALLOC in\n{lines}"));
    assert!(alloc.starts_with("134>"), "local0.info: {alloc}");
    let (_, message) = alloc.split_once("]: ").unwrap();
    assert!(alloc.contains(" xdhcp-test["), "{alloc}");
    assert!(
        message.starts_with("INFO  [kea-dhcp4.leases."),
        "Kea's syslog layout: {message}"
    );
    assert!(
        message.ends_with("lease 198.51.100.50 has been allocated for 7200 seconds"),
        "{message}"
    );
    assert!(lines.contains("DHCP4_SHUTDOWN"), "{lines}");
    let _ = std::fs::remove_dir_all(&dir);
}
