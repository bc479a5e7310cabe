//! Every configuration example of the seed documents loads, or is rejected
//! at the place `fixtures/configs/expected.tsv` pins (with the reason).

use std::path::Path;

use xdhcp_dataplane::config::snapshot::Snapshot;

#[test]
fn seed_examples_have_their_expected_verdicts() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/configs");
    let manifest = std::fs::read_to_string(dir.join("expected.tsv")).unwrap();
    let mut checked = 0;
    let mut failures = Vec::new();
    for line in manifest.lines().filter(|l| !l.starts_with('#')) {
        let cols: Vec<&str> = line.split('\t').collect();
        let (file, verdict) = (cols[0], cols[1]);
        let got = xdhcp_controlplane::load_file(&dir.join(file));
        match (verdict, got) {
            ("ok", Ok(cfg)) => {
                // Every loadable example also compiles, and its snapshot
                // reads back as it was written.
                let snapshot = xdhcp_controlplane::compile::compile(&cfg);
                assert_eq!(snapshot.dhcp4.is_some(), cfg.dhcp4.is_some());
                let sealed = snapshot.sealed().unwrap();
                let back = Snapshot::from_file(&sealed, Path::new(file));
                assert_eq!(back.as_ref().ok(), Some(&snapshot), "{file}");
                snapshot.config4();
                snapshot.config6();
            }
            ("ok", Err(e)) => failures.push(format!("{file}: expected to load, got {}", e[0])),
            (_, Ok(_)) => failures.push(format!("{file}: expected an error, it loaded")),
            (_, Err(e)) => {
                let want = format!("{file}:{}: {}", cols[2], cols[3]);
                let prefix = format!("{}/", dir.display());
                let first = e[0].to_string().replacen(&prefix, "", 1);
                if !first.starts_with(&want) {
                    failures.push(format!("{file}: expected `{want}`, got `{first}`"));
                }
            }
        }
        checked += 1;
    }
    assert!(checked > 200, "only {checked} fixtures listed");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_fixture_is_listed() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/configs");
    let manifest = std::fs::read_to_string(dir.join("expected.tsv")).unwrap();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        if name.ends_with(".json") {
            assert!(
                manifest
                    .lines()
                    .any(|l| l.starts_with(&format!("{name}\t"))),
                "{name} is not in expected.tsv"
            );
        }
    }
}

#[test]
fn training_lab_error_is_found_where_the_lab_says() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/configs");
    let e = xdhcp_controlplane::load_file(
        &dir.join("000-001-4-2-1-a-simple-dhcpv6-server-configurati.json"),
    )
    .unwrap_err();
    let first = e[0].to_string();
    assert!(first.contains(".json:33:"), "{first}");
    assert!(first.contains("\"loggers\""), "{first}");
    xdhcp_controlplane::load_file(&dir.join("000-001-lab-solution.json")).unwrap();
}
