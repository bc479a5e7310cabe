//! Differential test against the real Kea 2.2: `kea-dhcp4 -t` /
//! `kea-dhcp6 -t` and xdhcp's loader must agree on every configuration of
//! `fixtures/differential/` (written by `gen.py` there), except for the
//! documented cases in [`EXCEPTIONS`].
//!
//! Kea is a hard requirement: CI installs it with `tools/install-deps.sh`.
//! Without it this test fails rather than silently skipping.

use std::path::{Path, PathBuf};
use std::process::Command;

/// Where xdhcp deliberately disagrees with Kea 2.2:
/// (fixture, Kea 2.2 accepts it, xdhcp accepts it, why).
const EXCEPTIONS: &[(&str, bool, bool, &str)] = &[
    (
        "v4-ok-xdp-socket.json",
        false,
        true,
        "`dhcp-socket-type: xdp` is xdhcp's AF_XDP backend (ARCHITECTURE.md); Kea knows only raw and udp",
    ),
    (
        "v6-ok-xdp-socket.json",
        false,
        true,
        "xdhcp's DHCPv6 server picks its packet backend with `dhcp-socket-type` too (xdp, raw or udp); \
         Kea's DHCPv6 has no such key",
    ),
    (
        "v4-ok-ddns-no-enable.json",
        false,
        true,
        "Kea 2.2 requires `enable-updates` in `dhcp-ddns`; the seed manuals (002 §7.2.13, 004 §9.2.24) show \
         dhcp-ddns maps without it and give it a default of false, so xdhcp follows the manuals",
    ),
    (
        "v6-ok-hex-4digit-groups.json",
        false,
        true,
        "the 0.9.1 manual (002 §8.2.8) writes csv-format:false data in 4-digit groups (`2001 0DB8 ...`); \
         the dataplane's option codec accepts that form as continuous hex, Kea 2.2 does not",
    ),
    (
        "v4-ok-reservation-identifier-only.json",
        false,
        true,
        "Kea 2.2 wants a reservation to hold some resource; the modern manual (004 §9.3.12) allows \
         identifier-only reservations, which put the host in the KNOWN class",
    ),
    (
        "v6-ok-global-rapid-commit.json",
        false,
        true,
        "the modern manual (004 §9.18, configuration backend parameter table) lists rapid-commit at the \
         global level; Kea 2.2 allows it only in shared networks and subnets",
    ),
    (
        "v4-bad-hook-not-provided.json",
        true,
        false,
        "libdhcp_run_script.so is a real Kea hook but not one xdhcp implements; a configuration that needs \
         it cannot be served, so xdhcp rejects it by name",
    ),
    (
        "v4-bad-global-next-server.json",
        true,
        false,
        "Kea 2.2's -t does not parse the global next-server (it would fail when serving); xdhcp checks it \
         at load time, as Kea already does for subnet-level next-server",
    ),
    (
        "v4-bad-severity.json",
        true,
        false,
        "Kea 2.2's -t does not apply logger settings; the manual lists the only severities \
         (002 §12.1.1.2), so xdhcp rejects others at load time",
    ),
];

fn kea_binary(name: &str) -> PathBuf {
    for dir in ["/usr/sbin", "/usr/local/sbin", "/usr/bin", "/usr/local/bin"] {
        let p = Path::new(dir).join(name);
        if p.exists() {
            return p;
        }
    }
    if let Ok(path) = std::env::var("PATH") {
        for dir in path.split(':') {
            let p = Path::new(dir).join(name);
            if p.exists() {
                return p;
            }
        }
    }
    panic!(
        "{name} (Kea 2.2) is not installed, and the Kea-differential test needs it. \
         Install it with tools/install-deps.sh (Debian: apt-get install kea-dhcp4-server kea-dhcp6-server)."
    );
}

/// Kea's verdict on a file: `-t` exits 0 when it accepts the configuration.
fn kea_accepts(bin: &Path, file: &Path, piddir: &Path) -> bool {
    let out = Command::new(bin)
        .arg("-t")
        .arg(file)
        .env("KEA_LOCKFILE_DIR", "none")
        .env("KEA_PIDFILE_DIR", piddir)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", bin.display()));
    out.status.success()
}

#[test]
fn xdhcp_agrees_with_kea_2_2() {
    let kea4 = kea_binary("kea-dhcp4");
    let kea6 = kea_binary("kea-dhcp6");
    // Kea wants its runtime directory even for -t; only root can make it.
    if let Err(e) = std::fs::create_dir_all("/run/kea") {
        panic!(
            "/run/kea is missing and cannot be created ({e}); Kea 2.2 needs it even for -t. \
             Create it as root (mkdir -p /run/kea) before running this test."
        );
    }
    let piddir = std::env::temp_dir().join(format!("xdhcp-kea-pid-{}", std::process::id()));
    std::fs::create_dir_all(&piddir).unwrap();

    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/differential");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    let (mut valid, mut invalid) = (0, 0);
    let mut failures = Vec::new();
    for file in &files {
        let name = file.file_name().unwrap().to_str().unwrap();
        let bin = if name.starts_with("v6-") {
            &kea6
        } else {
            &kea4
        };
        let kea = kea_accepts(bin, file, &piddir);
        let ours = xdhcp_controlplane::load_file(file);
        let xdhcp = ours.is_ok();
        if kea {
            valid += 1;
        } else {
            invalid += 1;
        }
        let (want_kea, want_xdhcp) = match EXCEPTIONS.iter().find(|e| e.0 == name) {
            Some(&(_, k, x, _)) => (k, x),
            None => (name.contains("-ok-"), name.contains("-ok-")),
        };
        if kea != want_kea {
            failures.push(format!(
                "{name}: Kea 2.2 accepts={kea}, expected {want_kea}"
            ));
        }
        if xdhcp != want_xdhcp {
            let why = match &ours {
                Err(e) => e[0].to_string(),
                Ok(_) => "loaded".into(),
            };
            failures.push(format!(
                "{name}: xdhcp accepts={xdhcp}, expected {want_xdhcp} (Kea accepts={kea}): {why}"
            ));
        }
    }
    let _ = std::fs::remove_dir_all(&piddir);
    assert!(
        files.len() >= 60 && valid >= 20 && invalid >= 20,
        "corpus too small: {} files, {valid} valid, {invalid} invalid",
        files.len()
    );
    for (name, ..) in EXCEPTIONS {
        assert!(dir.join(name).exists(), "exception {name} has no fixture");
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
