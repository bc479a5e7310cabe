//! `xdhcp-controlplane -t FILE` behaves like `kea-dhcp4 -t`: exit 0, or 1
//! with located errors on stderr.

use std::process::Command;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_xdhcp-controlplane"))
}

fn fixture(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/differential")
        .join(name)
}

#[test]
fn test_mode_accepts_a_good_file() {
    let out = bin()
        .arg("-t")
        .arg(fixture("v4-ok-minimal.json"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn test_mode_rejects_with_located_errors() {
    let f = fixture("v4-bad-pool-outside.json");
    let out = bin().arg("-t").arg(&f).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    let want = format!(
        "{}:3:67: Dhcp4.subnet4[0].pools[0].pool: pool 10.0.0.5-10.0.1.0 is outside subnet 10.0.0.0/24",
        f.display()
    );
    assert!(err.starts_with(&want), "{err}");
}

#[test]
fn missing_file_is_an_error() {
    let out = bin()
        .args(["-t", "/nonexistent/kea.conf"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot read"));
}

#[test]
fn version_switches() {
    for flag in ["-v", "-V"] {
        let out = bin().arg(flag).output().unwrap();
        assert!(out.status.success());
        assert!(String::from_utf8_lossy(&out.stdout).starts_with(env!("CARGO_PKG_VERSION")));
    }
}

/// A scratch directory of this test's own.
fn scratch(tag: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("xdhcp-cli-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// `-T` goes beyond `-t` as `kea-dhcp4 -T` does: a lease or host database
/// xdhcp cannot serve fails the deep check (and start-up), located, where
/// `-t` (Kea's verdict on the file) passes it.
#[test]
fn deep_check_rejects_databases_xdhcp_cannot_serve() {
    let d = scratch("deepdb");
    let f = d.join("kea.conf");
    std::fs::write(
        &f,
        r#"{ "Dhcp4": {
  "lease-database": { "type": "postgresql", "name": "kea", "host": "127.0.0.1" },
  "hosts-databases": [ { "type": "mysql", "name": "kea" } ],
  "subnet4": [ { "id": 1, "subnet": "198.51.100.0/24" } ] } }"#,
    )
    .unwrap();
    assert!(bin().arg("-t").arg(&f).status().unwrap().success());
    let out = bin().arg("-T").arg(&f).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    let at = f.display();
    assert!(
        err.contains(&format!(
            "{at}:2:31: Dhcp4.lease-database.type: lease-database type 'postgresql' is not available"
        )),
        "{err}"
    );
    assert!(
        err.contains(&format!(
            "{at}:3:22: Dhcp4.hosts-databases: hosts-databases is not available"
        )),
        "{err}"
    );
    assert!(err.contains("Deep check failed with 2 error(s)"), "{err}");
    // Serving refuses it too, before touching any interface.
    let out = bin().arg("-c").arg(&f).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("lease-database type 'postgresql' is not available"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let _ = std::fs::remove_dir_all(&d);
}

/// `-T` reads the lease journal as the next start would and reports damage
/// without repairing it, and loads the TLS files of HTTPS control sockets.
#[test]
fn deep_check_reads_the_journal_and_tls_files_without_changing_them() {
    let d = scratch("deepfiles");
    let at = d.display();
    let f = d.join("kea.conf");
    let config = |cert: &str| {
        format!(
            r#"{{ "Dhcp4": {{
  "lease-database": {{ "type": "memfile", "name": "{at}/leases4.csv" }},
  "control-sockets": [ {{ "socket-type": "https", "socket-address": "127.0.0.1",
      "socket-port": 18999, "trust-anchor": "{cert}", "cert-file": "{cert}",
      "key-file": "{cert}" }} ],
  "subnet4": [ {{ "id": 1, "subnet": "198.51.100.0/24" }} ] }} }}"#
        )
    };
    std::fs::write(&f, config(&format!("{at}/missing.pem"))).unwrap();
    let out = bin().arg("-T").arg(&f).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("Dhcp4.control-sockets[0]"), "{err}");
    assert!(err.contains("missing.pem"), "{err}");

    // Without the HTTPS socket: a journal with a damaged tail is read, the
    // damage reported, and the file left as it was.
    std::fs::write(
        &f,
        format!(
            r#"{{ "Dhcp4": {{
  "lease-database": {{ "type": "memfile", "name": "{at}/leases4.csv" }},
  "subnet4": [ {{ "id": 1, "subnet": "198.51.100.0/24" }} ] }} }}"#
        ),
    )
    .unwrap();
    let journal = d.join("leases4.csv.xdhcp");
    std::fs::create_dir_all(&journal).unwrap();
    let mut bytes = b"XDHCPJ01\x04\0\0\0\0\0\0\0".to_vec();
    bytes.extend_from_slice(&[0xde, 0xad, 0xbe, 0xef, 1, 2, 3, 4]);
    let file = journal.join("journal-0-1.log");
    std::fs::write(&file, &bytes).unwrap();
    let out = bin().arg("-T").arg(&f).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let notes = String::from_utf8_lossy(&out.stdout);
    assert!(
        notes.contains("8 damaged byte(s) after record 0 would be dropped at start"),
        "{notes}"
    );
    assert_eq!(std::fs::read(&file).unwrap(), bytes, "-T changes nothing");
    let _ = std::fs::remove_dir_all(&d);
}

/// `-T` notes the keys xdhcp accepts without acting on, as the warnings
/// serving would log (one line per key, naming where and why); `-t`, Kea's
/// verdict on the file, says nothing of them; Kea's defaults and harmless
/// values stay quiet.
#[test]
fn deep_check_notes_keys_without_effect() {
    let d = scratch("noeffect");
    let f = d.join("kea.conf");
    std::fs::write(
        &f,
        r#"{ "Dhcp4": {
  "lease-database": { "type": "memfile", "persist": false, "connect-timeout": 10 },
  "multi-threading": { "enable-multi-threading": true, "thread-pool-size": 4,
                       "packet-queue-size": 64 },
  "cache-max-age": 600,
  "subnet4": [ { "id": 1, "subnet": "198.51.100.0/24", "ddns-send-updates": false,
                 "cache-max-age": 60 } ] } }"#,
    )
    .unwrap();
    let out = bin().arg("-t").arg(&f).output().unwrap();
    assert!(out.status.success());
    assert!(!String::from_utf8_lossy(&out.stdout).contains("NO_EFFECT"));
    let out = bin().arg("-T").arg(&f).output().unwrap();
    let notes = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{notes}");
    let lines: Vec<&str> = notes
        .lines()
        .filter(|l| l.starts_with("DHCP4_CONFIG_KEY_NO_EFFECT"))
        .collect();
    assert_eq!(
        lines,
        [
            "DHCP4_CONFIG_KEY_NO_EFFECT Dhcp4.multi-threading.thread-pool-size: has no \
             effect: xdhcp sizes its workers per NIC receive queue (xdp) or socket, not by \
             a thread pool",
            "DHCP4_CONFIG_KEY_NO_EFFECT Dhcp4.lease-database.connect-timeout: has no effect: \
             it configures an SQL database connection; xdhcp keeps leases in its memfile \
             journal, which connects to nothing",
            "DHCP4_CONFIG_KEY_NO_EFFECT Dhcp4.cache-max-age, Dhcp4.subnet4[0].cache-max-age: \
             has no effect: lease caching is not implemented: every renewal extends the lease",
        ],
        "{notes}"
    );
    let _ = std::fs::remove_dir_all(&d);
}
