//! `xdhcp-controlplane -c` with a configuration holding both `Dhcp4` and
//! `Dhcp6` for one interface: dhclient -4 and dhclient -6 (addresses and a
//! delegated prefix) get their leases over the one AF_XDP path. Needs root.

use xdhcp_testlab::{Lab, ServerProcess};

fn config(iface: &str, dir: &str) -> String {
    format!(
        r#"{{
  "Dhcp4": {{
    "interfaces-config": {{ "interfaces": [ "{iface}" ], "dhcp-socket-type": "xdp" }},
    "lease-database": {{ "type": "memfile", "persist": false }},
    "subnet4": [ {{ "id": 1, "subnet": "198.51.100.0/24",
                    "pools": [ {{ "pool": "198.51.100.50 - 198.51.100.59" }} ] }} ]
  }},
  "Dhcp6": {{
    "interfaces-config": {{ "interfaces": [ "{iface}" ], "dhcp-socket-type": "xdp" }},
    "data-directory": "{dir}",
    "lease-database": {{ "type": "memfile", "persist": false }},
    "preferred-lifetime": 3000, "valid-lifetime": 4000,
    "option-data": [ {{ "name": "dns-servers", "data": "2001:db8:7::53" }} ],
    "subnet6": [ {{ "id": 6, "subnet": "2001:db8:7::/64", "interface": "{iface}",
                    "pools": [ {{ "pool": "2001:db8:7::100 - 2001:db8:7::1ff" }} ],
                    "pd-pools": [ {{ "prefix": "2001:db8:100::", "prefix-len": 56, "delegated-len": 64 }} ] }} ]
  }}
}}"#
    )
}

#[test]
fn one_interface_serves_dhcpv4_and_dhcpv6() {
    let lab = Lab::new("s6");
    let dir = std::env::temp_dir().join(format!("xdhcp-serve6-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let dir = dir.to_string_lossy().into_owned();
    let file = format!("{dir}/kea.conf");
    std::fs::write(&file, config(&lab.iface, &dir)).unwrap();
    let bin = env!("CARGO_BIN_EXE_xdhcp-controlplane");
    let server = ServerProcess::start(lab.server_command(&[bin, "-c", &file]), "DHCP4_STARTED");

    let v4 = lab.dhclient(&dir, &[]).output().unwrap();
    let said = String::from_utf8_lossy(&v4.stderr);
    assert!(
        v4.status.success() && said.contains("DHCPACK of 198.51.100.50"),
        "{said}"
    );

    std::fs::write(
        format!("{dir}/dhclient6.conf"),
        "timeout 20;\nrequest dhcp6.name-servers;\n",
    )
    .unwrap();
    let dhclient6 = |extra: &[&str], tag: &str| {
        let (conf, leases, pid) = (
            format!("{dir}/dhclient6.conf"),
            format!("{dir}/{tag}.leases"),
            format!("{dir}/{tag}.pid"),
        );
        let mut args = vec![
            "dhclient",
            "-6",
            "-1",
            "-v",
            "-sf",
            "/bin/true",
            "-cf",
            &conf,
            "-lf",
            &leases,
            "-pf",
            &pid,
        ];
        args.extend_from_slice(extra);
        args.push(&lab.peer);
        let out = lab.client_command(&args).output().unwrap();
        let text = std::fs::read_to_string(&leases).unwrap_or_default();
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
            text,
        )
    };
    let (ok, said, leases) = dhclient6(&[], "na");
    assert!(ok, "dhclient -6:\n{said}");
    assert!(leases.contains("iaaddr 2001:db8:7::100"), "{leases}");
    assert!(
        leases.contains("option dhcp6.name-servers 2001:db8:7::53;"),
        "{leases}"
    );
    // The first dhclient stays bound to port 546 in the background.
    // dhclient writes its pid file from the background child, which may
    // not have run yet when the foreground process returns.
    let pid_file = format!("{dir}/na.pid");
    let waited = std::time::Instant::now() + std::time::Duration::from_secs(5);
    while !std::path::Path::new(&pid_file).exists() && std::time::Instant::now() < waited {
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let pid = std::fs::read_to_string(&pid_file).unwrap();
    let _ = std::process::Command::new("kill").arg(pid.trim()).status();
    let gone = std::time::Instant::now() + std::time::Duration::from_secs(5);
    while std::path::Path::new(&format!("/proc/{}", pid.trim())).exists()
        && std::time::Instant::now() < gone
    {
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    // The server DUID is the DUID-LLT kept in the data directory.
    let duid = std::fs::read_to_string(format!("{dir}/kea-dhcp6-serverid")).unwrap();
    assert!(duid.starts_with("00:01:00:01:"), "{duid}");
    let as_dhclient_writes: Vec<String> = duid
        .trim()
        .split(':')
        .map(|b| format!("{:x}", u8::from_str_radix(b, 16).unwrap()))
        .collect();
    assert!(
        leases.contains(&format!(
            "option dhcp6.server-id {};",
            as_dhclient_writes.join(":")
        )),
        "{duid}\n{leases}"
    );
    let (ok, said, leases) = dhclient6(&["-P", "-N"], "pd");
    assert!(ok, "dhclient -6 -P -N:\n{said}");
    assert!(leases.contains("iaprefix 2001:db8:100::/64"), "{leases}");
    assert!(leases.contains("iaaddr 2001:db8:7::"), "{leases}");

    let log = server.stop("DHCP4_SHUTDOWN");
    assert!(
        log.contains("(DHCPv4 and DHCPv6) over 1 AF_XDP queue(s)"),
        "{log}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
