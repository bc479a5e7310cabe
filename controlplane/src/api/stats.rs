//! Kea's statistics commands: the workers' packet counters, and the
//! per-subnet address counts computed from the lease store when asked.

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{json, Map, Value};
use xdhcp_dataplane::config::{Config4, Live};
use xdhcp_dataplane::lease::{Lease4, LeaseState, LeaseStore};
use xdhcp_dataplane::stats::{self, Counters4};

use super::{answer, answer_with, result};

/// Where the statistics come from.
pub struct Sources {
    /// The running compiled configuration (pool sizes), as reloads leave it.
    pub config: Arc<Live<Config4>>,
    /// One counter line per worker.
    pub workers: Vec<Arc<Counters4>>,
    /// The leases, for assigned and declined counts.
    pub leases: Arc<LeaseStore<Lease4>>,
}

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

impl Sources {
    /// Every statistic with its current value.
    pub fn all(&self) -> Vec<(String, u64)> {
        let mut out: Vec<(String, u64)> = stats::sum(self.workers.iter().map(|w| w.as_ref()))
            .into_iter()
            .map(|(n, v)| (n.to_string(), v))
            .collect();
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        for s in &self.config.load().subnets {
            let total: u64 = s.pools.iter().map(|p| p.pool().count).sum();
            let (mut assigned, mut declined) = (0u64, 0u64);
            self.leases.for_each(|l| {
                if l.subnet_id == s.id {
                    match l.state {
                        LeaseState::Default if u64::from(l.cltt) + u64::from(l.valid_lft) > now => {
                            assigned += 1
                        }
                        LeaseState::Declined => declined += 1,
                        _ => {}
                    }
                }
            });
            out.push((format!("subnet[{}].total-addresses", s.id), total));
            out.push((format!("subnet[{}].assigned-addresses", s.id), assigned));
            out.push((format!("subnet[{}].declined-addresses", s.id), declined));
        }
        out
    }

    /// Runs one `statistic-*` command.
    pub fn run(&self, command: &str, args: &Map<String, Value>) -> Value {
        let sample = |v: u64| json!([[v, timestamp(SystemTime::now())]]);
        let name = args.get("name").and_then(Value::as_str);
        match (command, name) {
            ("statistic-get-all", _) => {
                let all: Map<String, Value> = self
                    .all()
                    .into_iter()
                    .map(|(n, v)| (n, sample(v)))
                    .collect();
                answer_with(result::SUCCESS, "", Value::Object(all))
            }
            ("statistic-get", Some(name)) => {
                let found: Map<String, Value> = self
                    .all()
                    .into_iter()
                    .filter(|(n, _)| n == name)
                    .map(|(n, v)| (n, sample(v)))
                    .collect();
                answer_with(result::SUCCESS, "", Value::Object(found))
            }
            ("statistic-reset-all", _) => {
                self.workers.iter().for_each(|w| w.reset());
                answer(result::SUCCESS, "All statistics reset to neutral values.")
            }
            ("statistic-get" | "statistic-reset", None) => {
                answer(result::ERROR, "Missing mandatory 'name' parameter.")
            }
            (c, _) => answer(result::UNSUPPORTED, format!("'{c}' command not supported.")),
        }
    }
}
