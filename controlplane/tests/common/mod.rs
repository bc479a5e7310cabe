//! What the statistics and metrics tests share: load from xdhcp-perf in
//! the lab's client namespace, commands and scrapes with curl.

#![allow(dead_code)]

pub mod engine6;
pub mod relay4;
pub mod relay6;
pub mod side_by_side;
pub mod v6msg;

use std::collections::BTreeMap;

use serde_json::Value;
use xdhcp_perf::cli::{self, Command};
use xdhcp_perf::stats::Stats;
use xdhcp_testlab::{Lab, ServerProcess};

/// Runs xdhcp-perf with `args` (perfdhcp's) inside the client namespace
/// and returns its counters.
pub fn perf(lab: &Lab, args: &str) -> Stats {
    let args: Vec<String> = args.split_whitespace().map(String::from).collect();
    let opts = match cli::parse(&args) {
        Ok(Command::Run(o)) => o,
        other => panic!("xdhcp-perf {args:?}: {other:?}"),
    };
    lab.in_client(move || xdhcp_perf::load(&opts, &mut std::io::sink()).expect("xdhcp-perf"))
        .join()
        .expect("xdhcp-perf thread")
        .stats
}

/// curl inside `netns`-side `command`, returning stdout.
pub fn curl(command: std::process::Command) -> String {
    let mut command = command;
    let out = command
        .output()
        .expect("curl (tools/install-deps.sh installs it)");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// POSTs a command with curl from the client namespace, with `user` as
/// `user:password` credentials.
pub fn post(lab: &Lab, url: &str, user: &str, body: &str) -> Value {
    let text = curl(lab.client_command(&[
        "curl",
        "-s",
        "-u",
        user,
        "-H",
        "Content-Type: application/json",
        "-d",
        body,
        url,
    ]));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{body}: {e}: {text}"))
}

/// A scraped exposition's samples: (metric, labels) to value.
pub type Samples = BTreeMap<(String, BTreeMap<String, String>), f64>;

/// Parses the Prometheus text format (as written by xdhcp and by the
/// Python client library), keeping the metrics whose names start with
/// `prefix`.
pub fn parse_exposition(text: &str, prefix: &str) -> Samples {
    let mut out = Samples::new();
    for line in text
        .lines()
        .filter(|l| l.starts_with(prefix) && !l.starts_with('#') && !l.is_empty())
    {
        let (series, value) = line.rsplit_once(' ').expect("a sample line");
        let (name, labels) = match series.split_once('{') {
            Some((n, rest)) => (n, rest.trim_end_matches('}')),
            None => (series, ""),
        };
        let mut map = BTreeMap::new();
        let mut rest = labels;
        while let Some((key, after)) = rest.split_once("=\"") {
            let end = after.find('"').expect("closing quote");
            map.insert(
                key.trim_start_matches(',').to_string(),
                after[..end].to_string(),
            );
            rest = &after[end + 1..];
        }
        out.insert((name.to_string(), map), value.parse().expect("a number"));
    }
    out
}

/// The key of a series in [`Samples`].
pub fn key(name: &str, labels: &[(&str, &str)]) -> (String, BTreeMap<String, String>) {
    let labels = labels.iter().map(|(k, v)| (k.to_string(), v.to_string()));
    (name.to_string(), labels.collect())
}

/// Sends one command with socat over a UNIX control socket, as the Kea
/// manuals show.
pub fn socat(socket: &str, request: &str) -> Value {
    let out = std::process::Command::new("sh")
        .args([
            "-c",
            &format!("printf '%s' '{request}' | socat -t 5 UNIX:{socket} -"),
        ])
        .output()
        .expect("socat (tools/install-deps.sh installs it)");
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{request}: {e}: {}", String::from_utf8_lossy(&out.stdout)))
}

/// A server run in a new lab: `program -c FILE` (in the server namespace)
/// with the configuration `config(interface, socket, kind)` written to
/// `dir`, once its output says `DHCP4_STARTED`; and its UNIX socket.
pub struct Served {
    /// The server (dropped first: it is killed before the lab goes).
    pub server: ServerProcess,
    /// The control socket path.
    pub socket: String,
    /// The lab.
    pub lab: Lab,
}

/// Starts [`Served`].
pub fn serve_in_lab(
    tag: &str,
    dir: &std::path::Path,
    program: &str,
    kind: &str,
    config: impl Fn(&str, &str, &str) -> String,
) -> Served {
    serve_in_lab_until(tag, dir, program, kind, "DHCP4_STARTED", config)
}

/// Starts [`Served`], ready once the server's output says `ready`.
pub fn serve_in_lab_until(
    tag: &str,
    dir: &std::path::Path,
    program: &str,
    kind: &str,
    ready: &str,
    config: impl Fn(&str, &str, &str) -> String,
) -> Served {
    let lab = Lab::new(tag);
    let socket = dir
        .join(format!("{tag}.sock"))
        .to_string_lossy()
        .into_owned();
    let conf = dir.join(format!("{tag}.json"));
    std::fs::write(&conf, config(&lab.iface, &socket, kind)).unwrap();
    let conf = conf.to_string_lossy().into_owned();
    let server = ServerProcess::start(lab.server_command(&[program, "-c", &conf]), ready);
    Served {
        server,
        socket,
        lab,
    }
}

/// A `Dhcp6` configuration serving `iface` with its control socket at
/// `socket` and files in `dir`: subnet 1 with an address pool and a
/// delegated-prefix pool, subnet 2 with addresses only. `extra` adds
/// top-level keys (`"key": value,` lines).
pub fn config6(iface: &str, socket: &str, dir: &str, extra: &str) -> String {
    format!(
        r#"{{ "Dhcp6": {{
  "interfaces-config": {{ "interfaces": [ "{iface}" ] }},
  "control-socket": {{ "socket-type": "unix", "socket-name": "{socket}" }},
  "data-directory": "{dir}",
  {extra}
  "preferred-lifetime": 3000, "valid-lifetime": 4000,
  "subnet6": [ {{ "id": 1, "subnet": "2001:db8:1::/64", "interface": "{iface}",
                  "pools": [ {{ "pool": "2001:db8:1::100 - 2001:db8:1::1ff" }} ],
                  "pd-pools": [ {{ "prefix": "2001:db8:8::", "prefix-len": 48, "delegated-len": 56 }} ] }},
               {{ "id": 2, "subnet": "2001:db8:2::/64",
                  "pools": [ {{ "pool": "2001:db8:2::100 - 2001:db8:2::1ff" }} ] }} ]
}} }}"#
    )
}
