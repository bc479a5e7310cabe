//! Kea's `statistic-*` commands over one DHCP version's statistics, with
//! Kea 2.2's texts and shapes: a statistic is a list of `[value,
//! "timestamp"]` samples, newest first.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::{json, Map, Value};

use super::{answer, result, unsupported};
use crate::stats::registry::Limit;
use crate::stats::Stats;

/// Kea's sample timestamp, `YYYY-MM-DD HH:MM:SS.ffffff` (UTC).
pub fn timestamp(t: SystemTime) -> String {
    let d = t.duration_since(UNIX_EPOCH).unwrap_or_default();
    let (days, secs) = ((d.as_secs() / 86_400) as i64, d.as_secs() % 86_400);
    // Civil date from days since 1970-01-01 (H. Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02}.{:06}",
        secs / 3600,
        secs / 60 % 60,
        secs % 60,
        d.subsec_micros()
    )
}

fn samples(stats: &crate::stats::Registry, name: &str) -> Value {
    Value::Array(
        stats
            .samples(name)
            .map(|(v, t)| json!([v, timestamp(t)]))
            .collect(),
    )
}

/// Kea answers statistic reads with arguments and no text.
fn found(arguments: Map<String, Value>) -> Value {
    json!({ "result": result::SUCCESS, "arguments": arguments })
}

/// Runs one `statistic-*` command against `stats`.
pub fn run(stats: &Stats, command: &str, args: &Map<String, Value>) -> Value {
    let raw = match stats.read() {
        Ok(raw) => raw,
        Err(e) => return answer(result::ERROR, e),
    };
    let raw_of = |n: &str| raw.iter().find(|(k, _)| k == n).map_or(0, |(_, v)| *v);
    let mut reg = stats.registry.lock().unwrap_or_else(|e| e.into_inner());
    let visible = reg.observe(raw.clone());
    let name = args.get("name").and_then(Value::as_str);
    let no_such = |n: &str| answer(result::ERROR, format!("No '{n}' statistic found"));
    let missing = |p: &str| answer(result::ERROR, format!("Missing mandatory '{p}' parameter."));
    let duration = args.get("duration").and_then(Value::as_u64);
    let max_samples = args.get("max-samples").and_then(Value::as_u64);
    let all = command.ends_with("-all");
    match (command, name) {
        ("statistic-get-all", _) => found(
            visible
                .iter()
                .map(|(n, _)| (n.clone(), samples(&reg, n)))
                .collect(),
        ),
        // Straight over the raw values (a lookup per name would be
        // quadratic in the statistics of 10,000 subnets); hidden ones are
        // left alone by the registry.
        ("statistic-reset-all", _) => {
            for (n, v) in &raw {
                reg.reset(n, *v);
            }
            answer(result::SUCCESS, "All statistics reset to neutral values.")
        }
        ("statistic-remove-all", _) => {
            for (n, v) in &raw {
                reg.remove(n, *v);
            }
            answer(
                result::SUCCESS,
                "Warning: statistic-remove-all command is deprecated. All statistics removed.",
            )
        }
        ("statistic-sample-age-set-all", _) | ("statistic-sample-age-set", Some(_)) => {
            let Some(d) = duration else {
                return missing("duration");
            };
            if reg.set_limit(name.filter(|_| !all), Limit::Age(Duration::from_secs(d))) {
                match name.filter(|_| !all) {
                    Some(n) => answer(
                        result::SUCCESS,
                        format!("Statistic '{n}' duration limit is set."),
                    ),
                    None => answer(result::SUCCESS, "All statistics duration limit are set."),
                }
            } else {
                no_such(name.unwrap_or_default())
            }
        }
        ("statistic-sample-count-set-all", _) | ("statistic-sample-count-set", Some(_)) => {
            let Some(n) = max_samples else {
                return missing("max-samples");
            };
            if n == 0 {
                return answer(result::ERROR, "'max-samples' parameter must not be zero");
            }
            if reg.set_limit(name.filter(|_| !all), Limit::Count(n as usize)) {
                match name.filter(|_| !all) {
                    Some(s) => answer(
                        result::SUCCESS,
                        format!("Statistic '{s}' count limit is set."),
                    ),
                    None => answer(result::SUCCESS, "All statistics count limit are set."),
                }
            } else {
                no_such(name.unwrap_or_default())
            }
        }
        ("statistic-get", Some(n)) => {
            let mut m = Map::new();
            if reg.has(n) {
                m.insert(n.to_string(), samples(&reg, n));
            }
            found(m)
        }
        ("statistic-reset", Some(n)) => match reg.reset(n, raw_of(n)) {
            true => answer(result::SUCCESS, format!("Statistic '{n}' reset.")),
            false => no_such(n),
        },
        ("statistic-remove", Some(n)) => match reg.remove(n, raw_of(n)) {
            true => answer(result::SUCCESS, format!("Statistic '{n}' removed.")),
            false => no_such(n),
        },
        (
            "statistic-get"
            | "statistic-reset"
            | "statistic-remove"
            | "statistic-sample-age-set"
            | "statistic-sample-count-set",
            None,
        ) => missing("name"),
        (c, _) => unsupported(c),
    }
}

/// The statistic commands, for `list-commands`.
pub const COMMANDS: &[&str] = &[
    "statistic-get",
    "statistic-get-all",
    "statistic-remove",
    "statistic-remove-all",
    "statistic-reset",
    "statistic-reset-all",
    "statistic-sample-age-set",
    "statistic-sample-age-set-all",
    "statistic-sample-count-set",
    "statistic-sample-count-set-all",
];
