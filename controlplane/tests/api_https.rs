//! The control API over HTTPS (`socket-type: https` with Kea's
//! `trust-anchor`, `cert-file`, `key-file`, `cert-required` and
//! `http-headers`, as the training lab configures it): curl and Kea's own
//! kea-shell with a client certificate get answers; a client without one,
//! or without credentials, gets nothing executed. Needs root, openssl,
//! curl and kea-shell (tools/install-deps.sh).

use std::path::Path;
use std::process::{Command, Output, Stdio};

use serde_json::Value;
use xdhcp_testlab::{Lab, ServerProcess};

const SERVER: &str = "198.51.100.1";

fn openssl(dir: &Path, args: &[&str]) {
    let out = Command::new("openssl")
        .current_dir(dir)
        .args(args)
        .output()
        .expect("openssl (tools/install-deps.sh installs it)");
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A test CA, a server certificate for the lab address and a client
/// certificate, both signed by the CA.
fn certificates(dir: &Path) {
    openssl(
        dir,
        &[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "ca.key",
            "-out",
            "ca.pem",
            "-days",
            "2",
            "-subj",
            "/CN=xdhcp test CA",
        ],
    );
    for (name, ext) in [
        (
            "server",
            format!("subjectAltName=IP:{SERVER}\nextendedKeyUsage=serverAuth\n"),
        ),
        ("client", "extendedKeyUsage=clientAuth\n".to_string()),
    ] {
        std::fs::write(dir.join(format!("{name}.ext")), ext).unwrap();
        openssl(
            dir,
            &[
                "req",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-keyout",
                &format!("{name}.key"),
                "-out",
                &format!("{name}.csr"),
                "-subj",
                &format!("/CN={name}"),
            ],
        );
        openssl(
            dir,
            &[
                "x509",
                "-req",
                "-in",
                &format!("{name}.csr"),
                "-CA",
                "ca.pem",
                "-CAkey",
                "ca.key",
                "-CAcreateserial",
                "-out",
                &format!("{name}.pem"),
                "-days",
                "2",
                "-extfile",
                &format!("{name}.ext"),
            ],
        );
    }
}

#[test]
fn curl_and_kea_shell_drive_the_https_listener_with_client_certificates() {
    let lab = Lab::new("as");
    let dir = std::env::temp_dir().join(format!("xdhcp-https-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    certificates(&dir);
    let d = dir.to_string_lossy().into_owned();
    let conf = dir.join("kea.json");
    std::fs::write(
        &conf,
        format!(
            r#"{{ "Dhcp4": {{
  "interfaces-config": {{ "interfaces": [ "{iface}" ], "dhcp-socket-type": "xdp" }},
  "control-sockets": [ {{
    "socket-type": "https", "socket-address": "{SERVER}", "socket-port": 8005,
    "http-headers": [ {{ "name": "Strict-Transport-Security", "value": "max-age=31536000" }} ],
    "trust-anchor": "{d}/ca.pem", "cert-file": "{d}/server.pem", "key-file": "{d}/server.key",
    "cert-required": true,
    "authentication": {{ "type": "basic", "realm": "kea-dhcp4",
                        "clients": [ {{ "user": "admin", "password": "kea-dhcp" }} ] }} }} ],
  "lease-database": {{ "type": "memfile", "persist": false }},
  "subnet4": [ {{ "id": 1, "subnet": "198.51.100.0/24" }} ]
}} }}"#,
            iface = lab.iface
        ),
    )
    .unwrap();
    let bin = env!("CARGO_BIN_EXE_xdhcp-controlplane");
    let server = ServerProcess::start(
        lab.server_command(&[bin, "-c", conf.to_str().unwrap()]),
        "COMMAND_SOCKET_OPENED",
    );
    assert!(
        server.output().contains(&format!("https://{SERVER}:8005/")),
        "{}",
        server.output()
    );

    let url = format!("https://{SERVER}:8005/");
    let curl = |extra: &[&str]| -> Output {
        let mut args = vec!["curl", "-sS", "-i", "--cacert"];
        let ca = format!("{d}/ca.pem");
        args.push(&ca);
        args.extend_from_slice(extra);
        args.extend_from_slice(&[
            "-H",
            "Content-Type: application/json",
            "-d",
            r#"{ "command": "config-get" }"#,
            &url,
        ]);
        lab.client_command(&args).output().unwrap()
    };
    let (cert, key) = (format!("{d}/client.pem"), format!("{d}/client.key"));
    let with_cert = ["--cert", cert.as_str(), "--key", key.as_str()];

    // Certificate and credentials: the answer, with the configured header.
    let mut args = with_cert.to_vec();
    args.extend_from_slice(&["-u", "admin:kea-dhcp"]);
    let ok = curl(&args);
    let text = String::from_utf8_lossy(&ok.stdout).into_owned();
    assert!(
        ok.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    assert!(text.starts_with("HTTP/1.1 200"), "{text}");
    assert!(
        text.to_ascii_lowercase()
            .contains("strict-transport-security: max-age=31536000"),
        "{text}"
    );
    let body: Value = serde_json::from_str(text.split("\r\n\r\n").nth(1).unwrap()).unwrap();
    assert_eq!(body[0]["result"], 0, "{body}");
    assert!(body[0]["arguments"]["Dhcp4"].is_object(), "{body}");

    // Certificate without credentials: Kea's 401, nothing executed.
    let denied = curl(&with_cert);
    let text = String::from_utf8_lossy(&denied.stdout).into_owned();
    assert!(text.starts_with("HTTP/1.1 401"), "{text}");
    assert!(text.contains(r#""result":401"#), "{text}");
    assert!(text.contains("Unauthorized"), "{text}");

    // No client certificate where one is required: the handshake fails.
    let refused = curl(&["-u", "admin:kea-dhcp"]);
    assert!(
        !refused.status.success(),
        "{}",
        String::from_utf8_lossy(&refused.stdout)
    );
    assert!(refused.stdout.is_empty());

    // kea-shell over TLS, as an operator runs it.
    let shell = lab
        .client_command(&[
            "kea-shell",
            "--host",
            SERVER,
            "--port",
            "8005",
            "--ca",
            &format!("{d}/ca.pem"),
            "--cert",
            &cert,
            "--key",
            &key,
            "--auth-user",
            "admin",
            "--auth-password",
            "kea-dhcp",
            "list-commands",
        ])
        .stdin(Stdio::null())
        .output()
        .expect("kea-shell (tools/install-deps.sh installs it)");
    let listed: Value = serde_json::from_slice(&shell.stdout).unwrap_or_else(|e| {
        panic!(
            "kea-shell: {e}\n{}{}",
            String::from_utf8_lossy(&shell.stdout),
            String::from_utf8_lossy(&shell.stderr)
        )
    });
    assert_eq!(listed[0]["result"], 0, "{listed}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn an_https_socket_without_its_files_is_a_configuration_error() {
    let dir = std::env::temp_dir().join(format!("xdhcp-https-bad-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let conf = dir.join("kea.json");
    std::fs::write(
        &conf,
        r#"{ "Dhcp4": {
  "control-sockets": [ { "socket-type": "https", "socket-port": 8005,
                         "cert-file": "/etc/kea/kea-cert.pem" } ],
  "subnet4": [ ] } }"#,
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_xdhcp-controlplane"))
        .args(["-t", conf.to_str().unwrap()])
        .output()
        .unwrap();
    let said =
        String::from_utf8_lossy(&out.stderr).into_owned() + &String::from_utf8_lossy(&out.stdout);
    assert!(!out.status.success(), "{said}");
    assert!(said.contains("kea.json:2"), "{said}");
    assert!(said.contains("trust-anchor is missing"), "{said}");
    let _ = std::fs::remove_dir_all(&dir);
}
