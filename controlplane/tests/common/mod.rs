//! What the statistics and metrics tests share: load from xdhcp-perf in
//! the lab's client namespace, commands and scrapes with curl.

#![allow(dead_code)]

use std::collections::BTreeMap;

use serde_json::Value;
use xdhcp_perf::cli::{self, Command};
use xdhcp_perf::stats::Stats;
use xdhcp_testlab::Lab;

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
