//! The control API over HTTP (`control-sockets`, socket-type `http`):
//! Kea's own kea-shell and curl, from another namespace, as operators use
//! them. Needs root and kea-shell (tools/install-deps.sh).

use std::io::Write;
use std::process::Stdio;

use serde_json::Value;
use xdhcp_testlab::{Lab, ServerProcess};

#[test]
fn kea_shell_and_curl_drive_the_http_listener() {
    let lab = Lab::new("ah");
    let dir = std::env::temp_dir().join(format!("xdhcp-http-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let conf = dir.join("kea.json");
    std::fs::write(
        &conf,
        format!(
            r#"{{ "Dhcp4": {{
  "interfaces-config": {{ "interfaces": [ "{}" ], "dhcp-socket-type": "xdp" }},
  "control-sockets": [ {{ "socket-type": "http", "socket-address": "198.51.100.1", "socket-port": 8004,
    "authentication": {{ "type": "basic", "realm": "xdhcp-test",
                        "clients": [ {{ "user": "admin", "password": "1234" }} ] }} }} ],
  "lease-database": {{ "type": "memfile", "persist": false }},
  "subnet4": [ {{ "id": 1, "subnet": "198.51.100.0/24", "pools": [ {{ "pool": "198.51.100.10 - 198.51.100.20" }} ] }} ]
}} }}"#,
            lab.iface
        ),
    )
    .unwrap();
    let bin = env!("CARGO_BIN_EXE_xdhcp-controlplane");
    let _server = ServerProcess::start(
        lab.server_command(&[bin, "-c", conf.to_str().unwrap()]),
        "COMMAND_SOCKET_OPENED",
    );

    // kea-shell reads the command's arguments from standard input.
    let shell = |command: &str, args: &str| -> Value {
        let mut c = lab
            .client_command(&[
                "kea-shell",
                "--host",
                "198.51.100.1",
                "--port",
                "8004",
                "--auth-user",
                "admin",
                "--auth-password",
                "1234",
                "--service",
                "dhcp4",
                command,
            ])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("kea-shell (tools/install-deps.sh installs it)");
        c.stdin.take().unwrap().write_all(args.as_bytes()).unwrap();
        let out = c.wait_with_output().unwrap();
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
            panic!(
                "kea-shell {command}: {e}\n{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            )
        })
    };
    let listed = shell("list-commands", "");
    assert_eq!(listed[0]["result"], 0, "{listed}");
    assert!(listed[0]["arguments"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c == "lease4-add"));
    let added = shell(
        "lease4-add",
        r#""ip-address": "198.51.100.15", "hw-address": "1a:1b:1c:1d:1e:1f""#,
    );
    assert_eq!(added[0]["result"], 0, "{added}");

    let curl = lab
        .client_command(&[
            "curl",
            "-s",
            "-u",
            "admin:1234",
            "-X",
            "POST",
            "-H",
            "Content-Type: application/json",
            "-d",
            r#"{"command": "lease4-get-all", "service": ["dhcp4"]}"#,
            "http://198.51.100.1:8004/",
        ])
        .output()
        .expect("curl");
    let all: Value = serde_json::from_slice(&curl.stdout).unwrap();
    assert_eq!(all[0]["result"], 0, "{all}");
    assert_eq!(
        all[0]["arguments"]["leases"][0]["ip-address"],
        "198.51.100.15"
    );
    let status = |args: &[&str]| {
        let mut full = vec!["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}"];
        full.extend_from_slice(args);
        full.push("http://198.51.100.1:8004/");
        String::from_utf8_lossy(&lab.client_command(&full).output().unwrap().stdout).into_owned()
    };
    assert_eq!(status(&["-u", "admin:1234"]), "405", "commands are POSTed");
    let delete = r#"{"command": "lease4-del", "arguments": {"ip-address": "198.51.100.15"}}"#;
    assert_eq!(status(&["-d", delete]), "401", "no credentials");
    assert_eq!(
        status(&["-u", "admin:wrong", "-d", delete]),
        "401",
        "wrong password"
    );
    let still = shell("lease4-get", r#""ip-address": "198.51.100.15""#);
    assert_eq!(
        still[0]["result"], 0,
        "nothing was executed without credentials: {still}"
    );
    // The configuration commands over HTTP: a bad map is refused with
    // the key named, a good one is sane, the hash is Kea 2.4's.
    let bad = shell("config-test", r#""Dhcp4": {"valid-lifetime": "x"}"#);
    assert_eq!(bad[0]["result"], 1, "{bad}");
    assert!(bad[0]["text"].as_str().unwrap().contains("valid-lifetime"));
    let good = shell("config-test", r#""Dhcp4": {"valid-lifetime": 60}"#);
    assert_eq!(good[0]["result"], 0, "{good}");
    let hash = shell("config-hash-get", "");
    assert_eq!(hash[0]["arguments"]["hash"].as_str().unwrap().len(), 64);
    let _ = std::fs::remove_dir_all(&dir);
}
