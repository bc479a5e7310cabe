//! The snapshot file the control plane writes and the dataplane maps: a
//! configuration survives the trip whole, and a file that is not a
//! snapshot, or is damaged, is refused with a sentence, never misread.

use std::path::PathBuf;

use xdhcp_controlplane::compile::compile;
use xdhcp_controlplane::load_str;
use xdhcp_dataplane::config::snapshot::Snapshot;
use xdhcp_dataplane::config::v4::HostId;

/// Both servers, with classes, a shared network, reservations of several
/// kinds, pd-pools and name rules: most of what a plan carries.
const CONFIG: &str = r#"{
"Dhcp4": {
  "valid-lifetime": 4000, "authoritative": true,
  "hostname-char-set": "[^a-z]", "hostname-char-replacement": "x",
  "ddns-replace-client-name": "when-not-present", "ddns-qualifying-suffix": "example.org",
  "client-classes": [ { "name": "voip", "test": "substring(option[60].hex, 0, 4) == 'voip'",
                        "option-data": [ { "name": "tftp-server-name", "data": "tftp.example.org" } ] } ],
  "shared-networks": [ { "name": "floor", "subnet4": [
    { "id": 1, "subnet": "192.0.2.0/24", "client-class": "voip",
      "pools": [ { "pool": "192.0.2.10 - 192.0.2.20", "option-data": [ { "name": "routers", "data": "192.0.2.1" } ] } ],
      "reservations": [ { "hw-address": "02:00:00:00:00:01", "ip-address": "192.0.2.5",
                          "hostname": "one", "next-server": "192.0.2.9", "client-classes": [ "voip" ] },
                        { "circuit-id": "'port-7'", "ip-address": "192.0.2.6" } ] } ] } ],
  "host-reservation-identifiers": [ "circuit-id", "hw-address" ]
},
"Dhcp6": {
  "preferred-lifetime": 3000, "valid-lifetime": 4000, "rapid-commit": true,
  "subnet6": [ { "id": 1, "subnet": "2001:db8:1::/64", "interface-id": "port-7",
    "pools": [ { "pool": "2001:db8:1::100 - 2001:db8:1::1ff" } ],
    "pd-pools": [ { "prefix": "2001:db8:8::", "prefix-len": 48, "delegated-len": 56,
                    "excluded-prefix": "2001:db8:8:0:80::", "excluded-prefix-len": 72 } ],
    "reservations": [ { "duid": "00:03:00:01:02:00:00:00:00:07",
                        "ip-addresses": [ "2001:db8:1::7" ], "prefixes": [ "2001:db8:9900::/56" ] } ] } ]
} }"#;

fn snapshot() -> Snapshot {
    let cfg = load_str("snapshot.json", CONFIG).unwrap();
    let mut s = compile(&cfg);
    s.server_duid = vec![0, 3, 0, 1, 2, 0, 0, 0, 0, 9];
    s
}

/// A scratch directory for one test, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Scratch {
        let dir =
            std::env::temp_dir().join(format!("xdhcp-snapshot-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn a_written_snapshot_reads_back_equal_and_serves() {
    let dir = Scratch::new("roundtrip");
    let path = dir.0.join("snapshot");
    let s = snapshot();
    let size = s.write(&path).unwrap();
    assert_eq!(size, std::fs::metadata(&path).unwrap().len());
    let back = Snapshot::read(&path).unwrap();
    assert_eq!(back, s);
    // What the engines get from the file: reservations indexed, classes
    // resolved, the DUID as given.
    let c4 = back.config4().unwrap();
    let host = c4.subnets[0]
        .reservations
        .find(HostId::HwAddress(&[2, 0, 0, 0, 0, 1]))
        .unwrap();
    assert_eq!(host.address, Some("192.0.2.5".parse().unwrap()));
    assert_eq!(host.hostname.as_deref(), Some("one"));
    let c6 = back.config6().unwrap();
    assert_eq!(c6.server_duid, [0, 3, 0, 1, 2, 0, 0, 0, 0, 9]);
    assert_eq!(c6.subnets[0].pd_pools[0].delegated_len, 56);
    // Writing again replaces the file whole.
    let mut other = s.clone();
    other.dhcp6 = None;
    other.write(&path).unwrap();
    assert_eq!(Snapshot::read(&path).unwrap(), other);
    assert_eq!(
        std::fs::read_dir(&dir.0).unwrap().count(),
        1,
        "no file left beside it"
    );
}

#[test]
fn a_sealed_snapshot_cannot_be_changed() {
    use std::io::Write;
    let s = snapshot();
    let mut sealed = s.sealed().unwrap();
    assert!(sealed.write_all(b"x").is_err(), "writes are refused");
    assert!(sealed.set_len(1).is_err(), "truncation is refused");
    let back = Snapshot::from_sealed(&sealed).unwrap();
    assert_eq!(back, s);
}

#[test]
fn foreign_or_damaged_files_are_refused_with_a_reason() {
    let dir = Scratch::new("damaged");
    let path = dir.0.join("snapshot");
    snapshot().write(&path).unwrap();
    let good = std::fs::read(&path).unwrap();
    let refused = |bytes: &[u8]| {
        std::fs::write(&path, bytes).unwrap();
        let e = Snapshot::read(&path).unwrap_err().to_string();
        assert!(
            e.starts_with(&format!("snapshot {}: ", path.display())),
            "{e}"
        );
        e
    };
    assert!(refused(b"{ \"Dhcp4\": {} }").contains("not an xdhcp snapshot file"));
    assert!(refused(&good[..10]).contains("not an xdhcp snapshot file"));
    let mut newer = good.clone();
    newer[8] = 99;
    assert!(refused(&newer).contains("layout version 99, this dataplane reads 2"));
    assert!(refused(&good[..good.len() / 2]).contains("damaged: checksum mismatch"));
    // A flipped bit anywhere in the archive, offsets and values alike.
    for i in (16..good.len()).step_by(7) {
        let mut bad = good.clone();
        bad[i] ^= 0x10;
        assert!(refused(&bad).contains("damaged"));
    }
    let missing = Snapshot::read(&dir.0.join("none")).unwrap_err().to_string();
    assert!(missing.contains("No such file"), "{missing}");
}
