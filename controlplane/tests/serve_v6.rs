//! `xdhcp-controlplane -c` with a configuration holding both `Dhcp4` and
//! `Dhcp6` for one interface: dhclient -4 and dhclient -6 (addresses and a
//! delegated prefix) get their leases over the one AF_XDP path. Needs root.

use xdhcp_testlab::{stop_daemon, Lab, ServerProcess};

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

    let dhclient6 = |extra: &[&str], tag: &str| {
        let out = lab.dhclient6(&dir, tag, extra).output().unwrap();
        let text = std::fs::read_to_string(format!("{dir}/{tag}.leases")).unwrap_or_default();
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
    stop_daemon(&format!("{dir}/na.pid"));
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
