//! The Prometheus text exposition format: samples grouped by metric, each
//! group with its `# HELP` and `# TYPE` lines, label values escaped.

use std::collections::BTreeMap;
use std::fmt::Write;

use xdhcp_dataplane::stats::Histogram;

#[derive(Default)]
struct Family {
    help: &'static str,
    kind: &'static str,
    lines: String,
}

/// Metrics being written.
#[derive(Default)]
pub struct Exposition {
    families: BTreeMap<String, Family>,
}

/// `{a="x",b="y"}` with Prometheus escaping, or nothing without labels.
fn labels(pairs: &[(&str, String)]) -> String {
    if pairs.is_empty() {
        return String::new();
    }
    let inner: Vec<String> = pairs
        .iter()
        .map(|(k, v)| {
            let v = v
                .replace('\\', "\\\\")
                .replace('"', "\\\"")
                .replace('\n', "\\n");
            format!("{k}=\"{v}\"")
        })
        .collect();
    format!("{{{}}}", inner.join(","))
}

impl Exposition {
    /// Adds one sample of metric `name`.
    pub fn sample(
        &mut self,
        name: &str,
        help: &'static str,
        kind: &'static str,
        pairs: &[(&str, String)],
        value: f64,
    ) {
        self.line(name, help, kind, name, pairs, value);
    }

    fn line(
        &mut self,
        family: &str,
        help: &'static str,
        kind: &'static str,
        name: &str,
        pairs: &[(&str, String)],
        value: f64,
    ) {
        let f = self
            .families
            .entry(family.to_string())
            .or_insert_with(|| Family {
                help,
                kind,
                lines: String::new(),
            });
        let _ = writeln!(f.lines, "{name}{} {value}", labels(pairs));
    }

    /// Adds a histogram (seconds) from microsecond buckets.
    pub fn histogram(
        &mut self,
        name: &str,
        help: &'static str,
        pairs: &[(&str, String)],
        h: &Histogram,
    ) {
        let mut cumulative = 0;
        let les = super::bounds_seconds()
            .map(|b| b.to_string())
            .chain(["+Inf".to_string()]);
        for (le, n) in les.zip(h.buckets) {
            cumulative += n;
            let mut l = pairs.to_vec();
            l.push(("le", le));
            self.line(
                name,
                help,
                "histogram",
                &format!("{name}_bucket"),
                &l,
                cumulative as f64,
            );
        }
        self.line(
            name,
            help,
            "histogram",
            &format!("{name}_sum"),
            pairs,
            h.sum_us as f64 / 1e6,
        );
        self.line(
            name,
            help,
            "histogram",
            &format!("{name}_count"),
            pairs,
            h.count as f64,
        );
    }

    /// The text.
    pub fn finish(self) -> String {
        let mut out = String::new();
        for (name, f) in self.families {
            let _ = write!(
                out,
                "# HELP {name} {}\n# TYPE {name} {}\n{}",
                f.help, f.kind, f.lines
            );
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn samples_group_under_one_help_and_type() {
        let mut e = Exposition::default();
        e.sample("m", "help", "gauge", &[("a", "x\"y".into())], 1.0);
        e.sample("m", "help", "gauge", &[("a", "z".into())], 2.5);
        let t = e.finish();
        assert_eq!(
            t,
            "# HELP m help\n# TYPE m gauge\nm{a=\"x\\\"y\"} 1\nm{a=\"z\"} 2.5\n"
        );
    }
}
