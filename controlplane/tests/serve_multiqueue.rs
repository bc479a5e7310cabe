//! Multi-queue AF_XDP: on a veth with two queues the server opens one
//! socket and one worker per queue, and both queues serve. Clients are
//! steered to a queue by transmit-packet steering (XPS) on their side and
//! the CPU they run on. Needs root and two CPUs.

use xdhcp_testlab::{Lab, ServerProcess};

#[test]
fn both_queues_of_a_two_queue_veth_serve() {
    let lab = Lab::with_queues("mq", 2);
    let dir = std::env::temp_dir().join(format!("xdhcp-mq-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("kea.conf");
    std::fs::write(
        &file,
        format!(
            r#"{{ "Dhcp4": {{ "interfaces-config": {{ "interfaces": [ "{}" ], "dhcp-socket-type": "xdp" }},
                "lease-database": {{ "type": "memfile", "persist": false }},
                "subnet4": [ {{ "id": 1, "subnet": "198.51.100.0/24",
                                "pools": [ {{ "pool": "198.51.100.10 - 198.51.100.20" }} ] }} ] }} }}"#,
            lab.iface
        ),
    )
    .unwrap();
    let bin = env!("CARGO_BIN_EXE_xdhcp-controlplane");
    let server = ServerProcess::start(
        lab.server_command(&[bin, "-c", file.to_str().unwrap()]),
        "DHCP4_STARTED",
    );
    assert!(
        server.output().contains("over 2 AF_XDP queue(s)"),
        "{}",
        server.output()
    );

    // Transmit queue 0 for CPU 0, queue 1 for CPU 1 on the client's end;
    // a veth delivers on the peer's receive queue of the same number.
    let xps = format!(
        "echo 1 > /sys/class/net/{p}/queues/tx-0/xps_cpus && echo 2 > /sys/class/net/{p}/queues/tx-1/xps_cpus",
        p = lab.peer
    );
    assert!(lab
        .client_command(&["sh", "-c", &xps])
        .status()
        .unwrap()
        .success());
    for cpu in ["0", "1"] {
        let out = lab.udhcpc_on_cpu(cpu).output().unwrap();
        let said = String::from_utf8_lossy(&out.stderr);
        assert!(
            said.contains("lease of 198.51.100.10 obtained"),
            "udhcpc on CPU {cpu}:\n{said}"
        );
    }
    let stats = lab
        .server_command(&["ethtool", "-S", &lab.iface])
        .output()
        .unwrap();
    let stats = String::from_utf8_lossy(&stats.stdout);
    for queue in 0..2 {
        let key = format!("rx_queue_{queue}_xdp_redirect:");
        let redirected: u64 = stats
            .lines()
            .find_map(|l| l.trim().strip_prefix(&key))
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(0);
        assert!(redirected >= 2, "queue {queue} answered nothing:\n{stats}");
    }
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
}
