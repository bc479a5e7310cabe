//! Client classes end to end: `xdhcp-controlplane -c` with a Kea
//! configuration whose classes match on the vendor class option (60)
//! serves real udhcpc and dhclient clients in a namespace lab. A phone's
//! vendor class gets its own pool, options and boot file; a DROP-class
//! client gets no answer; a client in no class gets the open pool. The
//! `kea-dhcp4.eval` debug logger records each evaluation. Needs root.

use std::process::Command;

use xdhcp_testlab::{Lab, ServerProcess};

fn config(iface: &str, dir: &str) -> String {
    format!(
        r#"{{ "Dhcp4": {{
    "interfaces-config": {{ "interfaces": [ "{iface}" ], "dhcp-socket-type": "raw" }},
    "lease-database": {{ "type": "memfile", "persist": true, "name": "{dir}/leases4.csv" }},
    "control-socket": {{ "socket-type": "unix", "socket-name": "{dir}/control.sock" }},
    "valid-lifetime": 900,
    "loggers": [ {{ "name": "kea-dhcp4.eval", "severity": "DEBUG", "debuglevel": 55,
                    "output_options": [ {{ "output": "{dir}/eval.log" }} ] }} ],
    "option-data": [ {{ "name": "domain-name", "data": "plain.example" }} ],
    "client-classes": [
      {{ "name": "DROP", "test": "substring(option[60].hex,0,4) == 'evil'" }},
      {{ "name": "VoIP", "test": "substring(option[vendor-class-identifier].hex,0,6) == 'Aastra'",
         "boot-file-name": "/voip/aastra.cfg", "valid-lifetime": 600,
         "option-data": [ {{ "name": "domain-name", "data": "voip.example" }},
                          {{ "name": "domain-name-servers", "data": "198.51.100.53" }} ] }}
    ],
    "subnet4": [ {{
      "id": 1, "subnet": "198.51.100.0/24",
      "option-data": [ {{ "name": "routers", "data": "198.51.100.1" }} ],
      "pools": [ {{ "pool": "198.51.100.10 - 198.51.100.19", "client-class": "VoIP" }},
                 {{ "pool": "198.51.100.30 - 198.51.100.39" }} ]
    }} ]
}} }}"#
    )
}

/// A udhcpc run with vendor class `vendor`, reporting what it was given
/// through a script that saves its environment.
fn udhcpc(lab: &Lab, dir: &str, vendor: &str) -> (bool, String) {
    let script = format!("{dir}/record.sh");
    let env = format!("{dir}/udhcpc-{vendor}.env");
    std::fs::write(
        &script,
        format!("#!/bin/sh\n[ \"$1\" = bound ] && env > {env}\nexit 0\n"),
    )
    .unwrap();
    Command::new("chmod")
        .args(["+x", &script])
        .status()
        .unwrap();
    let out = lab
        .udhcpc()
        .args(["-V", vendor, "-s", &script])
        .output()
        .unwrap();
    let said =
        String::from_utf8_lossy(&out.stderr).into_owned() + &String::from_utf8_lossy(&out.stdout);
    let bound = std::fs::read_to_string(&env).unwrap_or_default();
    (out.status.success() && !bound.is_empty(), bound + &said)
}

#[test]
fn vendor_classes_choose_pool_and_options_and_drop_is_silent() {
    let lab = Lab::new("cl");
    let dir = std::env::temp_dir().join(format!("xdhcp-classes-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let dir = dir.to_string_lossy().into_owned();
    let file = format!("{dir}/kea.conf");
    std::fs::write(&file, config(&lab.iface, &dir)).unwrap();
    let bin = env!("CARGO_BIN_EXE_xdhcp-controlplane");
    let server = ServerProcess::start(lab.server_command(&[bin, "-c", &file]), "DHCP4_STARTED");

    let (ok, phone) = udhcpc(&lab, &dir, "Aastra6731i");
    assert!(ok, "the phone is served:\n{phone}");
    assert!(phone.contains("ip=198.51.100.10"), "VoIP pool:\n{phone}");
    assert!(
        phone.contains("domain=voip.example"),
        "class option over global:\n{phone}"
    );
    assert!(
        phone.contains("dns=198.51.100.53"),
        "class option:\n{phone}"
    );
    assert!(
        phone.contains("boot_file=/voip/aastra.cfg"),
        "class boot file:\n{phone}"
    );
    assert!(phone.contains("lease=600"), "class lifetime:\n{phone}");

    let (ok, dropped) = udhcpc(&lab, &dir, "evil-box");
    assert!(!ok, "a DROP-class client gets no answer:\n{dropped}");

    let out = lab.dhclient(&dir, &[]).output().unwrap();
    let said = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "dhclient:\n{said}");
    assert!(
        said.contains("DHCPACK of 198.51.100.30"),
        "open pool:\n{said}"
    );
    let lease = std::fs::read_to_string(format!("{dir}/dhclient.leases")).unwrap();
    assert!(
        lease.contains("option domain-name \"plain.example\";"),
        "{lease}"
    );
    assert!(lease.contains("option dhcp-lease-time 900;"), "{lease}");

    server.stop("DHCP4_SHUTDOWN");
    let eval = std::fs::read_to_string(format!("{dir}/eval.log")).unwrap();
    assert!(
        eval.contains("DEBUG [kea-dhcp4.eval/")
            && eval.contains("EVAL_RESULT Expression VoIP evaluated to true"),
        "{eval}"
    );
    assert!(
        eval.contains("EVAL_RESULT Expression DROP evaluated to true"),
        "{eval}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
