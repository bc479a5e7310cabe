//! Lease file cleanup while serving (`lfc-interval`): the journal is
//! compacted into a snapshot in the background, superseded files go, and a
//! restart loads the leases, changes included, from the snapshot alone.
//! Needs root (a namespace lab).

use std::collections::BTreeSet;
use std::path::Path;
use std::time::{Duration, Instant};

use xdhcp_testlab::{control, scratch_dir, Lab, ServerProcess};

/// Generation numbers of the journal files in `dir`.
fn journal_gens(dir: &Path) -> BTreeSet<u64> {
    std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| {
            let name = e.unwrap().file_name().into_string().ok()?;
            let rest = name.strip_prefix("journal-")?.strip_suffix(".log")?;
            rest.split_once('-')?.1.parse().ok()
        })
        .collect()
}

#[test]
fn lease_file_cleanup_runs_on_its_interval_and_keeps_every_change() {
    let lab = Lab::new("lfc");
    let dir = scratch_dir("lfc");
    let d = dir.to_string_lossy().into_owned();
    let file = format!("{d}/kea.conf");
    std::fs::write(
        &file,
        format!(
            r#"{{ "Dhcp4": {{
  "interfaces-config": {{ "interfaces": [ "{iface}" ], "dhcp-socket-type": "raw" }},
  "lease-database": {{ "type": "memfile", "name": "{d}/kea-leases4.csv", "lfc-interval": 1 }},
  "control-socket": {{ "socket-type": "unix", "socket-name": "{d}/control.sock" }},
  "subnet4": [ {{ "id": 5, "subnet": "198.51.100.0/24",
                 "pools": [ {{ "pool": "198.51.100.10 - 198.51.100.99" }} ] }} ] }} }}"#,
            iface = lab.iface
        ),
    )
    .unwrap();
    let store = dir.join("kea-leases4.csv.xdhcp");
    let bin = env!("CARGO_BIN_EXE_xdhcp-controlplane");
    let start = || {
        ServerProcess::start(
            lab.server_command(&[bin, "-c", &file]),
            "COMMAND_SOCKET_OPENED",
        )
    };
    let mut server = start();
    server.wait_for("DHCPSRV_MEMFILE_LFC_SETUP");
    let socket = format!("{d}/control.sock");
    let call = |cmd: &str, args: String| {
        let r = control(
            &socket,
            &format!(r#"{{ "command": "{cmd}", "arguments": {{ {args} }} }}"#),
        );
        assert_eq!(r["result"], 0, "{cmd}: {r}");
    };
    for i in 10..50 {
        call(
            "lease4-add",
            format!(r#""ip-address": "198.51.100.{i}", "hw-address": "1a:1b:1c:1d:1e:{i:02x}""#),
        );
    }
    server.wait_for("LFC_TERMINATE");
    // Changes on top of what the first cleanup may already have written.
    for i in 10..20 {
        call("lease4-del", format!(r#""ip-address": "198.51.100.{i}""#));
    }
    for i in 20..25 {
        call(
            "lease4-update",
            format!(
                r#""ip-address": "198.51.100.{i}", "hw-address": "1a:1b:1c:1d:1e:{i:02x}",
                   "hostname": "host-{i}.example.org""#
            ),
        );
    }
    // Those changes are in the newest journals; wait until a cleanup has
    // folded them into a snapshot and removed the files.
    let written = *journal_gens(&store).last().unwrap();
    let deadline = Instant::now() + Duration::from_secs(15);
    while journal_gens(&store).first().is_some_and(|g| *g <= written) {
        assert!(
            Instant::now() < deadline,
            "no cleanup past generation {written}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    let log = server.stop("DHCP4_SHUTDOWN");
    assert!(log.contains("DHCPSRV_MEMFILE_LFC_START"), "{log}");
    let snapshots = std::fs::read_dir(&store)
        .unwrap()
        .filter(|e| {
            let name = e.as_ref().unwrap().file_name();
            name.to_string_lossy().ends_with(".snap")
        })
        .count();
    assert_eq!(snapshots, 1, "superseded snapshots are removed");

    let server = start();
    assert!(
        server
            .output()
            .contains("30 lease(s) loaded: 30 from the snapshot, 0 journal record(s) replayed"),
        "{}",
        server.output()
    );
    let all = control(&socket, r#"{ "command": "lease4-get-all" }"#);
    let leases = all["arguments"]["leases"].as_array().unwrap();
    assert_eq!(leases.len(), 30, "{all}");
    let named = leases
        .iter()
        .filter(|l| l["hostname"].as_str().unwrap_or("").starts_with("host-"))
        .count();
    assert_eq!(named, 5, "{all}");
    server.stop("DHCP4_SHUTDOWN");
    let _ = std::fs::remove_dir_all(&dir);
}
