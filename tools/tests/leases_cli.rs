//! `xdhcp leases import` then `export`: a Kea memfile CSV goes into the
//! server's journal and comes back out line for line.

use std::process::Command;

use xdhcp_dataplane::lease::csv::HEADER4;

#[test]
fn kea_csv_round_trips_through_the_lease_store() {
    let dir = std::env::temp_dir().join(format!("xdhcp-leases-cli-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let conf = dir.join("kea.conf");
    let name = dir.join("kea-leases4.csv");
    std::fs::write(
        &conf,
        format!(
            r#"{{ "Dhcp4": {{ "lease-database": {{ "type": "memfile", "name": "{}" }},
                "subnet4": [ {{ "id": 1, "subnet": "192.0.2.0/24" }} ] }} }}"#,
            name.display()
        ),
    )
    .unwrap();
    let rows = [
        "192.0.2.10,02:00:00:00:00:01,01:02:00:00:00:00:01,3600,1900000000,1,1,1,host-a.example.,0,",
        "192.0.2.11,02:00:00:00:00:02,,3600,1900000100,1,0,0,,0,",
        "192.0.2.12,,,86400,1900086400,1,0,0,,1,",
    ];
    let kea_csv = dir.join("from-kea.csv");
    std::fs::write(
        &kea_csv,
        format!("{}\n{}\n", HEADER4.trim_end(), rows.join("\n")),
    )
    .unwrap();

    let xdhcp = env!("CARGO_BIN_EXE_xdhcp");
    let conf_s = conf.to_str().unwrap();
    let import = Command::new(xdhcp)
        .args(["leases", "import", "-c", conf_s, kea_csv.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(
        import.status.success(),
        "{}",
        String::from_utf8_lossy(&import.stderr)
    );
    assert!(String::from_utf8_lossy(&import.stderr).contains("imported 3 lease(s)"));

    let out = dir.join("exported.csv");
    let export = Command::new(xdhcp)
        .args([
            "leases",
            "export",
            "-c",
            conf_s,
            "-o",
            out.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(
        export.status.success(),
        "{}",
        String::from_utf8_lossy(&export.stderr)
    );
    let text = std::fs::read_to_string(&out).unwrap();
    let mut lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.remove(0), HEADER4.trim_end(), "Kea's header line");
    lines.sort();
    assert_eq!(lines, rows);

    // The journal holds the three imports; damage appended to a file is
    // reported, not repaired.
    let inspect = || {
        let out = Command::new(xdhcp)
            .args(["journal", "inspect", "-c", conf_s, "--records"])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    let report = inspect();
    for addr in ["192.0.2.10 ", "192.0.2.11 ", "192.0.2.12 "] {
        assert!(report.contains(addr), "{report}");
    }
    let record_lines = report
        .lines()
        .filter(|l| l.starts_with("  ") && l.contains("AdminAdd"));
    assert_eq!(record_lines.count(), 3, "{report}");
    let journal_dir = std::path::PathBuf::from(format!("{}.xdhcp", name.display()));
    let damaged = std::fs::read_dir(&journal_dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| {
            p.extension().is_some_and(|x| x == "log")
                && report.contains(&format!(
                    "{}: 1 record",
                    p.file_name().unwrap().to_string_lossy()
                ))
        })
        .expect("a file with one record");
    let mut bytes = std::fs::read(&damaged).unwrap();
    let at = bytes.iter().rposition(|&b| b != 0).unwrap() + 1;
    bytes[at..at + 5].copy_from_slice(&[9, 9, 9, 9, 9]);
    std::fs::write(&damaged, bytes).unwrap();
    let report = inspect();
    assert!(report.contains("5 damaged byte(s)"), "{report}");
    assert!(report.contains("1 file(s) damaged"), "{report}");

    // A configuration keeping leases in memory has nothing to export.
    std::fs::write(
        &conf,
        r#"{ "Dhcp4": { "lease-database": { "type": "memfile", "persist": false } } }"#,
    )
    .unwrap();
    let none = Command::new(xdhcp)
        .args(["leases", "export", "-c", conf_s])
        .output()
        .unwrap();
    assert!(!none.status.success());
    assert!(String::from_utf8_lossy(&none.stderr).contains("persist: false"));
    let _ = std::fs::remove_dir_all(&dir);
}
