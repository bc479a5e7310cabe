//! `xdhcp capture` against a server on the xdp backend: the DORA of a real
//! udhcpc, which tcpdump cannot see, lands in a pcap that tshark reads.
//! Needs root (network namespaces, XDP).

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Command, Stdio};

use xdhcp_testlab::{Lab, ServerProcess};

/// `xdhcp-controlplane`, built beside `xdhcp` by `cargo test --workspace`.
fn controlplane() -> PathBuf {
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_xdhcp")).with_file_name("xdhcp-controlplane");
    assert!(
        bin.exists(),
        "{} is missing: build it first (cargo build -p xdhcp-controlplane)",
        bin.display()
    );
    bin
}

#[test]
fn capture_writes_the_dora_that_xdp_hides_from_tcpdump() {
    let lab = Lab::new("cap");
    let dir = std::env::temp_dir().join(format!("xdhcp-capture-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let run_dir = dir.join("run");
    let conf = dir.join("kea.conf");
    std::fs::write(
        &conf,
        format!(
            r#"{{ "Dhcp4": {{
                "interfaces-config": {{ "interfaces": [ "{iface}" ], "dhcp-socket-type": "xdp" }},
                "lease-database": {{ "type": "memfile", "persist": false }},
                "subnet4": [ {{ "id": 1, "subnet": "198.51.100.0/24",
                               "pools": [ {{ "pool": "198.51.100.20 - 198.51.100.29" }} ] }} ] }} }}"#,
            iface = lab.iface
        ),
    )
    .unwrap();
    let cp = controlplane();
    let mut command = lab.server_command(&[cp.to_str().unwrap(), "-c", conf.to_str().unwrap()]);
    command.env("XDHCP_RUN_DIR", &run_dir);
    let server = ServerProcess::start(command, "DHCP4_STARTED");
    assert!(
        server.output().contains("DHCP_CAPTURE_READY"),
        "{}",
        server.output()
    );

    let pcap = dir.join("dora.pcap");
    let mut capture = Command::new(env!("CARGO_BIN_EXE_xdhcp"))
        .args(["capture", "-i", &lab.iface, "-w"])
        .arg(&pcap)
        .args(["-c", "4", "--seconds", "30"])
        .env("XDHCP_RUN_DIR", &run_dir)
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Attached once it says where it reads from.
    let mut said = BufReader::new(capture.stderr.take().unwrap());
    let mut line = String::new();
    said.read_line(&mut line).unwrap();
    assert!(line.contains("reading"), "{line}");

    let udhcpc = lab.udhcpc().output().unwrap();
    assert!(
        String::from_utf8_lossy(&udhcpc.stderr).contains("lease of 198.51.100.2"),
        "{}",
        String::from_utf8_lossy(&udhcpc.stderr)
    );
    let status = capture.wait().unwrap();
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut said, &mut rest).unwrap();
    assert!(status.success(), "{rest}");
    assert!(rest.contains("4 frame(s) written"), "{rest}");
    assert!(rest.contains("0 lost"), "{rest}");

    let fields = Command::new("tshark")
        .args(["-r", pcap.to_str().unwrap(), "-T", "fields"])
        .args([
            "-e",
            "dhcp.option.dhcp",
            "-e",
            "dhcp.ip.your",
            "-e",
            "udp.dstport",
        ])
        .output()
        .unwrap();
    let table = String::from_utf8_lossy(&fields.stdout).into_owned();
    assert!(
        fields.status.success(),
        "{}",
        String::from_utf8_lossy(&fields.stderr)
    );
    let rows: Vec<Vec<&str>> = table.lines().map(|l| l.split('\t').collect()).collect();
    let kinds: Vec<&str> = rows.iter().map(|r| r[0]).collect();
    assert_eq!(kinds, ["1", "2", "3", "5"], "{table}");
    assert!(rows[1][1].starts_with("198.51.100.2"), "{table}");
    assert_eq!(rows[1][2], "68", "{table}");
    server.stop("DHCP4_SHUTDOWN");
    let _ = std::fs::remove_dir_all(&dir);
}
