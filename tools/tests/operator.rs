//! The operator's commands against real processes in a lab: `xdhcp start`,
//! `status`, `stop` manage a serving xdhcp-controlplane as keactrl manages
//! Kea; `xdhcp shell` gets the same answers from xdhcp's HTTP control
//! socket as from Kea 2.2's control agent in front of kea-dhcp4. Needs root
//! and Kea (tools/install-deps.sh).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::Value;
use xdhcp_testlab::{scratch_dir, workspace_binary, Lab, ServerProcess};

const XDHCP: &str = env!("CARGO_BIN_EXE_xdhcp");
const LEASE_CMDS: &str = "/usr/lib/x86_64-linux-gnu/kea/hooks/libdhcp_lease_cmds.so";

/// `xdhcp start` runs the xdhcp-controlplane beside it.
fn server_binary() -> PathBuf {
    workspace_binary(XDHCP, "xdhcp-controlplane", "xdhcp-controlplane")
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[test]
fn start_status_stop_manage_a_serving_server() {
    server_binary();
    let lab = Lab::new("op");
    let dir = scratch_dir("operator");
    let run_dir = dir.join("run");
    let conf = dir.join("kea.conf");
    std::fs::write(
        &conf,
        format!(
            r#"{{ "Dhcp4": {{
  "interfaces-config": {{ "interfaces": [ "{}" ], "dhcp-socket-type": "xdp" }},
  "lease-database": {{ "type": "memfile", "persist": false }},
  "loggers": [ {{ "name": "kea-dhcp4", "severity": "INFO",
                  "output_options": [ {{ "output": "{}/server.log" }} ] }} ],
  "subnet4": [ {{ "id": 1, "subnet": "198.51.100.0/24",
                  "pools": [ {{ "pool": "198.51.100.50 - 198.51.100.59" }} ] }} ]
}} }}"#,
            lab.iface,
            dir.display()
        ),
    )
    .unwrap();
    let conf = conf.to_string_lossy().into_owned();
    let run = run_dir.to_string_lossy().into_owned();
    let xdhcp = |args: &[&str]| {
        let mut full = vec![XDHCP, "--run-dir", &run];
        full.extend_from_slice(args);
        lab.server_command(&full).output().unwrap()
    };

    let status = text(&xdhcp(&["status"]));
    assert!(status.contains("DHCPv4 server: inactive\n"), "{status}");

    let started = xdhcp(&["start", "-c", &conf]);
    assert!(started.status.success(), "{}", text(&started));
    let status = text(&xdhcp(&["status"]));
    let pid = std::fs::read_to_string(run_dir.join("xdhcp.pid")).unwrap();
    let pid = pid.trim();
    assert!(
        status.starts_with(&format!(
            "DHCPv4 server: active (pid {pid})\nDHCPv6 server: inactive\n\
             xdhcp configuration file: {conf}\n"
        )),
        "{status}"
    );

    // A second start is refused while the first serves.
    let again = xdhcp(&["start", "-c", &conf]);
    assert_eq!(again.status.code(), Some(1));
    assert!(text(&again).contains("already running"), "{}", text(&again));

    // It serves: a real client gets a lease, and the log went to the file.
    let out = lab.dhclient(&dir.to_string_lossy(), &[]).output().unwrap();
    assert!(
        text(&out).contains("DHCPACK of 198.51.100.50"),
        "{}",
        text(&out)
    );
    let log = std::fs::read_to_string(dir.join("server.log")).unwrap();
    assert!(log.contains("DHCP4_STARTED"), "{log}");

    // xdhcp reload: SIGHUP, and the server reads its file again, loggers
    // included: the reload's own message goes to the new file.
    let text_now = std::fs::read_to_string(&conf).unwrap();
    std::fs::write(&conf, text_now.replace("server.log", "reloaded.log")).unwrap();
    let reloaded = xdhcp(&["reload"]);
    assert!(reloaded.status.success(), "{}", text(&reloaded));
    assert!(
        text(&reloaded).contains(&format!("Sent SIGHUP to xdhcp-controlplane (pid {pid})")),
        "{}",
        text(&reloaded)
    );
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while !std::fs::read_to_string(dir.join("reloaded.log"))
        .unwrap_or_default()
        .contains("DHCP4_DYNAMIC_RECONFIGURATION")
    {
        assert!(std::time::Instant::now() < deadline, "no reload logged");
        std::thread::sleep(std::time::Duration::from_millis(100));
    }

    let stopped = xdhcp(&["stop"]);
    assert!(stopped.status.success(), "{}", text(&stopped));
    assert!(text(&stopped).contains(&format!("Stopped xdhcp-controlplane (pid {pid})")));
    let status = text(&xdhcp(&["status"]));
    assert!(
        status.starts_with(&format!(
            "DHCPv4 server: inactive\nDHCPv6 server: inactive\n\
             xdhcp configuration file: {conf}\n"
        )),
        "{status}"
    );
    let log = std::fs::read_to_string(dir.join("reloaded.log")).unwrap();
    assert!(log.contains("DHCP4_SHUTDOWN"), "{log}");
    assert!(!run_dir.join("xdhcp.pid").exists());
    // Stopping a stopped server says so and succeeds, as keactrl does.
    let idle = xdhcp(&["stop"]);
    assert!(idle.status.success());
    assert!(text(&idle).contains("isn't running"));
    // Nothing to reload either; that one is an error.
    let reload = xdhcp(&["reload"]);
    assert_eq!(reload.status.code(), Some(1));
    assert!(text(&reload).contains("isn't running"), "{}", text(&reload));
    let _ = std::fs::remove_dir_all(&dir);
}

/// Runs `xdhcp shell` in the lab's client namespace with `stdin` as the
/// arguments; returns its standard output.
fn shell(lab: &Lab, port: &str, command: &str, stdin: &str) -> String {
    let mut child = lab
        .client_command(&[
            XDHCP,
            "shell",
            "--host",
            "198.51.100.1",
            "--port",
            port,
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
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "shell {command}: {}", text(&out));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

const AUTH: &str = r#""authentication": { "type": "basic", "realm": "test",
    "clients": [ { "user": "admin", "password": "1234" } ] }"#;

const SCRIPT: &[(&str, &str)] = &[
    ("lease4-get", r#""ip-address": "198.51.100.77""#),
    ("lease4-get-all", ""),
    ("no-such-command", ""),
    ("version-get", ""),
    ("list-commands", ""),
];

/// Version texts differ; command lists differ in what each implements.
fn comparable(command: &str, answer: &str) -> String {
    let mut v: Value = serde_json::from_str(answer).unwrap_or_else(|e| panic!("{e}: {answer}"));
    let first = &mut v[0];
    match command {
        "version-get" => {
            first["text"] = "VERSION".into();
            first["arguments"]["extended"] = "EXTENDED".into();
        }
        "list-commands" => {
            let list = first["arguments"].as_array().unwrap();
            assert!(list.iter().any(|c| c == "lease4-get"), "{answer}");
            first["arguments"] = "COMMANDS".into();
        }
        _ => {}
    }
    serde_json::to_string_pretty(&v).unwrap()
}

/// A server on the lab's interface with the lease commands, a UNIX control
/// socket at `socket`, and `extra` keys.
fn dhcp4_config(lab: &Lab, socket: &Path, extra: &str) -> String {
    format!(
        r#"{{ "Dhcp4": {{ {extra}
  "interfaces-config": {{ "interfaces": [ "{}" ] }},
  "control-socket": {{ "socket-type": "unix", "socket-name": "{}" }},
  "hooks-libraries": [ {{ "library": "{LEASE_CMDS}" }} ],
  "lease-database": {{ "type": "memfile", "persist": false }},
  "subnet4": [ {{ "id": 1, "subnet": "198.51.100.0/24",
                  "pools": [ {{ "pool": "198.51.100.50 - 198.51.100.59" }} ] }} ]
}} }}"#,
        lab.iface,
        socket.display()
    )
}

#[test]
fn shell_gets_the_same_answers_from_xdhcp_and_keas_control_agent() {
    assert!(
        Path::new(LEASE_CMDS).exists(),
        "Kea's lease_cmds hook missing: run tools/install-deps.sh"
    );
    std::fs::create_dir_all("/run/kea").unwrap();
    let bin = server_binary();
    let dir = scratch_dir("shell");

    // xdhcp: its own HTTP control socket, and a UNIX one.
    let ours = {
        let lab = Lab::new("sx");
        let conf = dir.join("xdhcp.conf");
        let unix = dir.join("xdhcp.sock");
        let http = format!(
            r#""control-sockets": [ {{ "socket-type": "http", "socket-address": "198.51.100.1",
                "socket-port": 8006, {AUTH} }} ],"#
        );
        std::fs::write(&conf, dhcp4_config(&lab, &unix, &http)).unwrap();
        let cmd = [bin.to_str().unwrap(), "-c", conf.to_str().unwrap()];
        let _server = ServerProcess::start(lab.server_command(&cmd), "COMMAND_SOCKET_OPENED");
        let answers: Vec<String> = SCRIPT
            .iter()
            .map(|(c, args)| shell(&lab, "8006", c, args))
            .collect();
        // The UNIX socket answers the same object, without HTTP's list.
        let over_unix = Command::new(XDHCP)
            .args(["shell", "--socket", unix.to_str().unwrap(), "lease4-get"])
            .arg("--timeout=5")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .and_then(|mut c| {
                c.stdin
                    .take()
                    .unwrap()
                    .write_all(br#""ip-address": "198.51.100.77""#)?;
                c.wait_with_output()
            })
            .unwrap();
        let over_http: Value = serde_json::from_str(&answers[0]).unwrap();
        assert_eq!(
            String::from_utf8_lossy(&over_unix.stdout),
            format!("{}\n", serde_json::to_string_pretty(&over_http[0]).unwrap())
        );
        answers
    };

    // Kea: kea-dhcp4 behind kea-ctrl-agent, the same switches.
    let kea = {
        let lab = Lab::new("sk");
        let sock = dir.join("kea4.sock");
        let dhcp4 = dir.join("shell-kea-dhcp4.conf");
        std::fs::write(&dhcp4, dhcp4_config(&lab, &sock, "")).unwrap();
        let agent = dir.join("shell-kea-ctrl-agent.conf");
        std::fs::write(
            &agent,
            format!(
                r#"{{ "Control-agent": {{ "http-host": "198.51.100.1", "http-port": 8006, {AUTH},
  "control-sockets": {{ "dhcp4": {{ "socket-type": "unix", "socket-name": "{}" }} }} }} }}"#,
                sock.display()
            ),
        )
        .unwrap();
        let _dhcp4 = ServerProcess::start(
            lab.server_command(&["kea-dhcp4", "-c", dhcp4.to_str().unwrap()]),
            "DHCP4_STARTED",
        );
        let _agent = ServerProcess::start(
            lab.server_command(&["kea-ctrl-agent", "-c", agent.to_str().unwrap()]),
            "CTRL_AGENT_HTTP_SERVICE_STARTED",
        );
        SCRIPT
            .iter()
            .map(|(c, args)| shell(&lab, "8006", c, args))
            .collect::<Vec<_>>()
    };
    let _ = std::fs::remove_dir_all(&dir);

    for (((command, _), k), x) in SCRIPT.iter().zip(&kea).zip(&ours) {
        assert_eq!(
            comparable(command, x),
            comparable(command, k),
            "{command}: xdhcp\n{x}\nKea\n{k}"
        );
    }
    // Where nothing differs by implementation, the printed text is the same.
    assert_eq!(ours[0], kea[0]);
    assert!(ours[0].contains("\"result\": 3"), "{}", ours[0]);
}

#[test]
fn config_test_reports_like_the_server() {
    let dir = scratch_dir("config-test");
    let good = dir.join("good.conf");
    std::fs::write(
        &good,
        r#"{ "Dhcp4": { "subnet4": [ { "id": 1, "subnet": "192.0.2.0/24" } ] } }"#,
    )
    .unwrap();
    let bad = dir.join("bad.conf");
    std::fs::write(
        &bad,
        r#"{ "Dhcp4": { "subnet4": [ { "id": 1, "subnet": "192.0.2.0/33" } ] } }"#,
    )
    .unwrap();
    let test = |f: &Path| {
        Command::new(XDHCP)
            .args(["config", "test", "-c"])
            .arg(f)
            .output()
            .unwrap()
    };
    let ok = test(&good);
    assert!(ok.status.success(), "{}", text(&ok));
    let refused = test(&bad);
    assert_eq!(refused.status.code(), Some(1));
    let report = text(&refused);
    assert!(
        report.contains(&format!("{}:1:", bad.display()))
            && report.contains("Syntax check failed with 1 error(s)"),
        "{report}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
