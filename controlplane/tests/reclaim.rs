//! Expired leases are reclaimed while the server runs, as Kea's
//! `expired-leases-processing` says, and counted in `reclaimed-leases`
//! (global, per subnet and per pool). Needs root (a namespace lab).

use xdhcp_testlab::{control, scratch_dir, Lab, ServerProcess};

#[test]
fn expired_leases_are_reclaimed_and_counted_while_serving() {
    let lab = Lab::new("rc");
    let dir = scratch_dir("reclaim");
    let d = dir.to_string_lossy().into_owned();
    let file = format!("{d}/kea.conf");
    std::fs::write(
        &file,
        format!(
            r#"{{ "Dhcp4": {{
  "interfaces-config": {{ "interfaces": [ "{iface}" ], "dhcp-socket-type": "raw" }},
  "lease-database": {{ "type": "memfile", "persist": false }},
  "control-socket": {{ "socket-type": "unix", "socket-name": "{d}/control.sock" }},
  "expired-leases-processing": {{ "reclaim-timer-wait-time": 1, "hold-reclaimed-time": 0 }},
  "subnet4": [ {{ "id": 5, "subnet": "198.51.100.0/24",
                 "pools": [ {{ "pool": "198.51.100.50 - 198.51.100.59" }} ] }} ] }} }}"#,
            iface = lab.iface
        ),
    )
    .unwrap();
    let bin = env!("CARGO_BIN_EXE_xdhcp-controlplane");
    // The control socket opens after the interfaces are served.
    let server = ServerProcess::start(
        lab.server_command(&[bin, "-c", &file]),
        "COMMAND_SOCKET_OPENED",
    );
    let socket = format!("{d}/control.sock");
    // One lease that expired long ago, one that has hours to go.
    for (ip, expire) in [
        ("198.51.100.51", 1_700_000_000u64),
        ("198.51.100.52", 4_000_000_000),
    ] {
        let add = control(
            &socket,
            &format!(
                r#"{{ "command": "lease4-add", "arguments": {{ "ip-address": "{ip}",
                    "hw-address": "1a:1b:1c:1d:1e:{}", "valid-lft": 3600, "expire": {expire} }} }}"#,
                &ip[ip.len() - 2..]
            ),
        );
        assert_eq!(add["result"], 0, "{add}");
    }
    let stat = |name: &str| -> i64 {
        let v = control(
            &socket,
            &format!(r#"{{ "command": "statistic-get", "arguments": {{ "name": "{name}" }} }}"#),
        );
        v["arguments"][name][0][0].as_i64().unwrap_or(-1)
    };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while stat("reclaimed-leases") < 1 && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    assert_eq!(stat("reclaimed-leases"), 1);
    assert_eq!(stat("subnet[5].reclaimed-leases"), 1);
    assert_eq!(stat("subnet[5].pool[0].reclaimed-leases"), 1);
    assert_eq!(stat("reclaimed-declined-addresses"), 0);
    let gone = control(
        &socket,
        r#"{ "command": "lease4-get", "arguments": { "ip-address": "198.51.100.51" } }"#,
    );
    assert_eq!(gone["result"], 3, "removed after a hold time of 0: {gone}");
    let kept = control(
        &socket,
        r#"{ "command": "lease4-get", "arguments": { "ip-address": "198.51.100.52" } }"#,
    );
    assert_eq!(kept["result"], 0, "{kept}");
    server.stop("DHCP4_SHUTDOWN");
    let _ = std::fs::remove_dir_all(&dir);
}
