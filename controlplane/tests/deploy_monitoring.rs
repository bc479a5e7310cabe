//! deploy/prometheus and deploy/grafana: promtool (Debian's prometheus
//! package) accepts the scrape configuration and the alert rules, and the
//! dashboard is valid JSON whose queries name only metrics xdhcp exports.

use std::path::{Path, PathBuf};
use std::process::Command;

fn deploy(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../deploy")
        .join(rel)
}

fn promtool(args: &[&str]) {
    let out = Command::new("promtool")
        .args(args)
        .output()
        .expect("promtool (tools/install-deps.sh installs prometheus)");
    assert!(
        out.status.success(),
        "promtool {args:?}:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn promtool_accepts_the_scrape_config_and_the_alert_rules() {
    let rules = deploy("prometheus/xdhcp-alerts.yml");
    promtool(&["check", "rules", rules.to_str().unwrap()]);
    // The config names a password file, as deployments should; check it
    // with that line pointing at a file that exists.
    let dir = std::env::temp_dir().join(format!("xdhcp-promtool-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let text = std::fs::read_to_string(deploy("prometheus/prometheus.yml")).unwrap();
    std::fs::write(dir.join("password"), "secret").unwrap();
    let pw = dir.join("password");
    let text = text.replace("/etc/prometheus/xdhcp-password", pw.to_str().unwrap());
    std::fs::write(dir.join("prometheus.yml"), text).unwrap();
    std::fs::copy(&rules, dir.join("xdhcp-alerts.yml")).unwrap();
    promtool(&[
        "check",
        "config",
        dir.join("prometheus.yml").to_str().unwrap(),
    ]);
    let _ = std::fs::remove_dir_all(&dir);
}

/// The metric names a text mentions.
fn metric_names(text: &str) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for (i, _) in text.match_indices(['k', 'x']) {
        let rest = &text[i..];
        if !(rest.starts_with("kea_dhcp") || rest.starts_with("xdhcp_")) {
            continue;
        }
        if i > 0 && text.as_bytes()[i - 1].is_ascii_alphanumeric() {
            continue;
        }
        let end = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(rest.len());
        let name = rest[..end].trim_end_matches("_bucket").to_string();
        if !names.contains(&name) {
            names.push(name);
        }
    }
    names
}

#[test]
fn the_dashboard_queries_exported_metrics() {
    let text = std::fs::read_to_string(deploy("grafana/xdhcp-dashboard.json")).unwrap();
    let dash: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
    let panels = dash["panels"].as_array().unwrap();
    assert!(panels.len() >= 6);
    for p in panels {
        assert!(
            !p["targets"].as_array().unwrap().is_empty(),
            "{}",
            p["title"]
        );
    }
    // Every name is one /metrics can carry (src/metrics holds the tables).
    let src = ["src/metrics/kea.rs", "src/metrics/mod.rs"]
        .map(|f| std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(f)).unwrap())
        .join("\n");
    for name in metric_names(&text) {
        let suffix = name
            .trim_start_matches("kea_dhcp4_")
            .trim_start_matches("kea_dhcp6_");
        assert!(
            src.contains(&format!("\"{suffix}\"")) || src.contains(&format!("\"{name}\"")),
            "{name}"
        );
    }
}
