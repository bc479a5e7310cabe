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
