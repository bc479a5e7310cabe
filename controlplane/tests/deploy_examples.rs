//! The example configurations shipped in deploy/ pass `xdhcp-controlplane -t`.

#[test]
fn shipped_examples_are_valid() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../deploy/examples");
    let mut checked = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_xdhcp-controlplane"))
            .arg("-t")
            .arg(&path)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}:\n{}",
            path.display(),
            String::from_utf8_lossy(&out.stderr)
        );
        checked += 1;
    }
    assert!(checked >= 4);
}

/// The systemd units shipped in deploy/ pass `systemd-analyze verify`,
/// with their `/usr/bin` programs pointed at the ones just built (verify
/// checks that each exists) and the options checked against this machine's
/// systemd.
#[test]
fn shipped_units_verify() {
    let controlplane = env!("CARGO_BIN_EXE_xdhcp-controlplane");
    let dataplane =
        xdhcp_testlab::workspace_binary(controlplane, "xdhcp-dataplane", "xdhcp-dataplane");
    let from = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../deploy/systemd");
    let to = xdhcp_testlab::scratch_dir("units");
    let mut units = Vec::new();
    for entry in std::fs::read_dir(&from).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path)
            .unwrap()
            .replace("/usr/bin/xdhcp-controlplane", controlplane)
            .replace("/usr/bin/xdhcp-dataplane", dataplane.to_str().unwrap());
        let copy = to.join(path.file_name().unwrap());
        std::fs::write(&copy, text).unwrap();
        units.push(copy);
    }
    assert_eq!(units.len(), 3, "{units:?}");
    let out = std::process::Command::new("systemd-analyze")
        .arg("verify")
        .args(&units)
        .output()
        .expect("systemd-analyze (systemd, on every Debian machine)");
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success() && said.trim().is_empty(), "{said}");
    let _ = std::fs::remove_dir_all(&to);
}
