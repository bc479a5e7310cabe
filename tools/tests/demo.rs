//! `xdhcp demo`, the README's first command, runs to the end and prints
//! non-zero figures: leases/s, leases from lease4-get-all, and the assigned
//! addresses on /metrics. Needs root (network namespaces, XDP).

use std::process::Command;

use xdhcp_testlab::workspace_binary;

#[test]
fn the_demo_runs_to_the_end_with_non_zero_figures() {
    let xdhcp = env!("CARGO_BIN_EXE_xdhcp");
    workspace_binary(xdhcp, "xdhcp-controlplane", "xdhcp-controlplane");
    workspace_binary(xdhcp, "xdhcp-perf", "xdhcp-perf");
    let out = Command::new(xdhcp)
        .args(["demo", "--seconds", "2", "--rate", "5000"])
        .output()
        .unwrap();
    let said =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{said}");
    let number_after = |prefix: &str| -> f64 {
        let line = said
            .lines()
            .find(|l| l.contains(prefix))
            .unwrap_or_else(|| panic!("no '{prefix}' in:\n{said}"));
        let rest = &line[line.find(prefix).unwrap() + prefix.len()..];
        rest.split_whitespace()
            .next()
            .and_then(|w| w.trim_end_matches(',').parse().ok())
            .unwrap_or_else(|| panic!("no number after '{prefix}' in {line}"))
    };
    assert!(number_after("leases/s: Rate: ") > 1000.0, "{said}");
    assert!(number_after("lease4-get-all: ") > 1000.0, "{said}");
    assert!(said.contains("dhclient: DHCPACK"), "{said}");
    let assigned = said
        .lines()
        .find(|l| {
            l.trim_start()
                .starts_with("kea_dhcp4_addresses_assigned_total")
        })
        .unwrap_or_else(|| panic!("no assigned-addresses metric in:\n{said}"));
    let value: f64 = assigned.split_whitespace().last().unwrap().parse().unwrap();
    assert!(value > 1000.0, "{assigned}");
    // The lab is gone.
    let netns = Command::new("ip").args(["netns", "list"]).output().unwrap();
    assert!(!String::from_utf8_lossy(&netns.stdout).contains("xdhcp-demo"));
}
