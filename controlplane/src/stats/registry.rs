//! Kea's statistics manager semantics over counters the control plane
//! only reads: a reset or a removal records the raw value as a baseline
//! (workers' counters are never written from here); a removed statistic
//! stays hidden until its value moves again, as Kea re-creates it on the
//! next update; each statistic keeps samples of its observed values, limited
//! by count (default 20, Kea's) or by age.

use std::collections::{HashMap, VecDeque};
use std::time::{Duration, SystemTime};

/// Kea's default `statistic-default-sample-count`.
pub const DEFAULT_MAX_SAMPLES: usize = 20;

/// How many samples a statistic keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    /// At most this many.
    Count(usize),
    /// Those younger than this.
    Age(Duration),
}

impl Limit {
    /// What a server section's `statistic-default-sample-count` (default
    /// 20) and `statistic-default-sample-age` (default 0) ask of every
    /// statistic, as Kea applies them at each (re)configuration: a count
    /// that is not 0 wins, else the age.
    pub fn configured(section: &serde_json::Value) -> Limit {
        let get = |key: &str| section.get(key).and_then(serde_json::Value::as_u64);
        match get("statistic-default-sample-count").unwrap_or(DEFAULT_MAX_SAMPLES as u64) {
            0 => Limit::Age(Duration::from_secs(
                get("statistic-default-sample-age").unwrap_or(0),
            )),
            n => Limit::Count(n as usize),
        }
    }
}

#[derive(Debug)]
struct Entry {
    baseline: i64,
    hidden: bool,
    samples: VecDeque<(i64, SystemTime)>,
    limit: Limit,
}

/// Baselines, removals and samples of every statistic seen.
#[derive(Debug)]
pub struct Registry {
    entries: HashMap<String, Entry>,
    default_limit: Limit,
    /// The limit the configuration asked for last.
    configured: Limit,
    /// When the counters read started counting (0 before the first read).
    started: u64,
}

impl Default for Registry {
    fn default() -> Self {
        Registry {
            entries: HashMap::new(),
            default_limit: Limit::Count(DEFAULT_MAX_SAMPLES),
            configured: Limit::Count(DEFAULT_MAX_SAMPLES),
            started: 0,
        }
    }
}

impl Entry {
    fn sample(&mut self, value: i64, at: SystemTime) {
        if self.samples.front().map(|s| s.0) != Some(value) {
            self.samples.push_front((value, at));
        }
        match self.limit {
            Limit::Count(n) => self.samples.truncate(n.max(1)),
            Limit::Age(d) => {
                // The newest sample stays whatever its age.
                while self.samples.len() > 1
                    && self
                        .samples
                        .back()
                        .is_some_and(|s| at.duration_since(s.1).unwrap_or_default() > d)
                {
                    self.samples.pop_back();
                }
            }
        }
    }
}

impl Registry {
    /// Records the raw values just read; returns the visible statistics,
    /// in the order given, with their values since the last reset. A
    /// statistic no longer read (its subnet or pool was removed) is
    /// forgotten, baseline and samples, as Kea removes the statistics of
    /// subnets a reconfiguration removes.
    pub fn observe(&mut self, raw: Vec<(String, i64)>) -> Vec<(String, i64)> {
        let read: std::collections::HashSet<&str> = raw.iter().map(|(n, _)| n.as_str()).collect();
        self.entries.retain(|name, _| read.contains(name.as_str()));
        let now = SystemTime::now();
        let default_limit = self.default_limit;
        let mut visible = Vec::with_capacity(raw.len());
        for (name, value) in raw {
            let e = self.entries.entry(name.clone()).or_insert_with(|| Entry {
                baseline: 0,
                hidden: false,
                samples: VecDeque::new(),
                limit: default_limit,
            });
            let v = value - e.baseline;
            if e.hidden && v == 0 {
                continue;
            }
            e.hidden = false;
            e.sample(v, now);
            visible.push((name, v));
        }
        visible
    }

    /// The samples of a visible statistic, newest first.
    pub fn samples(&self, name: &str) -> impl Iterator<Item = (i64, SystemTime)> + '_ {
        self.entries
            .get(name)
            .filter(|e| !e.hidden)
            .into_iter()
            .flat_map(|e| e.samples.iter().copied())
    }

    /// True when `name` exists and is visible.
    pub fn has(&self, name: &str) -> bool {
        self.entries.get(name).is_some_and(|e| !e.hidden)
    }

    /// `statistic-reset`: the value starts again from 0 (the raw value
    /// `raw` becomes the baseline). False when there is no such statistic.
    pub fn reset(&mut self, name: &str, raw: i64) -> bool {
        let Some(e) = self.entries.get_mut(name).filter(|e| !e.hidden) else {
            return false;
        };
        e.baseline = raw;
        e.samples.clear();
        e.sample(0, SystemTime::now());
        true
    }

    /// Notes when the counters read started counting. When that changes,
    /// they count from 0 again (a dataplane process started again): the
    /// baselines of earlier resets and removals no longer apply.
    pub fn counting_since(&mut self, started: u64) {
        if self.started != started {
            if self.started != 0 {
                self.entries.values_mut().for_each(|e| e.baseline = 0);
            }
            self.started = started;
        }
    }

    /// `statistic-remove`: gone until its value moves again, then counted
    /// from 0. False when there is no such statistic.
    pub fn remove(&mut self, name: &str, raw: i64) -> bool {
        let Some(e) = self.entries.get_mut(name).filter(|e| !e.hidden) else {
            return false;
        };
        e.baseline = raw;
        e.samples.clear();
        e.hidden = true;
        true
    }

    /// The limit a configuration asks for (see [`Limit::configured`]):
    /// applied to every statistic when it differs from the one asked for
    /// before. Kea applies it at every reconfiguration; here partial
    /// changes (subnet, host, class commands) also reconfigure, and must
    /// not undo the limits `statistic-sample-*-set` gave.
    pub fn configure(&mut self, limit: Limit) {
        if limit != self.configured {
            self.configured = limit;
            self.set_limit(None, limit);
        }
    }

    /// Sets the sample limit of `name`, or of every statistic and of those
    /// seen later when `name` is `None`. False when there is no such
    /// statistic.
    pub fn set_limit(&mut self, name: Option<&str>, limit: Limit) -> bool {
        let now = SystemTime::now();
        let apply = |e: &mut Entry| {
            e.limit = limit;
            if let Some(&(v, _)) = e.samples.front() {
                e.sample(v, now);
            }
        };
        match name {
            Some(n) => match self.entries.get_mut(n).filter(|e| !e.hidden) {
                Some(e) => {
                    apply(e);
                    true
                }
                None => false,
            },
            None => {
                self.default_limit = limit;
                self.entries.values_mut().for_each(apply);
                true
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(v: i64) -> Vec<(String, i64)> {
        vec![("pkt4-received".to_string(), v)]
    }

    #[test]
    fn configured_defaults_follow_kea() {
        let limit = |v: serde_json::Value| Limit::configured(&v);
        let count = serde_json::json!({ "statistic-default-sample-count": 3,
                                        "statistic-default-sample-age": 60 });
        assert_eq!(limit(count), Limit::Count(3));
        let age = serde_json::json!({ "statistic-default-sample-count": 0,
                                      "statistic-default-sample-age": 60 });
        assert_eq!(limit(age), Limit::Age(Duration::from_secs(60)));
        // Kea fills in the default count, which then wins over an age.
        let only_age = serde_json::json!({ "statistic-default-sample-age": 5 });
        assert_eq!(limit(only_age), Limit::Count(DEFAULT_MAX_SAMPLES));
        assert_eq!(
            limit(serde_json::json!({})),
            Limit::Count(DEFAULT_MAX_SAMPLES)
        );
    }

    #[test]
    fn a_configured_limit_applies_when_it_changes() {
        let mut r = Registry::default();
        r.observe(raw(1));
        assert!(r.set_limit(Some("pkt4-received"), Limit::Count(1)));
        // The same configuration again leaves the command's limit.
        r.configure(Limit::Count(DEFAULT_MAX_SAMPLES));
        r.observe(raw(2));
        assert_eq!(r.samples("pkt4-received").count(), 1);
        r.configure(Limit::Count(5));
        for v in 3..10 {
            r.observe(raw(v));
        }
        assert_eq!(r.samples("pkt4-received").count(), 5);
    }

    #[test]
    fn resets_and_removals_are_baselines_and_samples_follow_changes() {
        let mut r = Registry::default();
        assert_eq!(r.observe(raw(5)), raw(5));
        r.observe(raw(5));
        r.observe(raw(7));
        assert_eq!(r.samples("pkt4-received").count(), 2);
        assert!(r.reset("pkt4-received", 7));
        assert_eq!(r.observe(raw(9)), raw(2));
        assert!(r.remove("pkt4-received", 9));
        assert!(r.observe(raw(9)).is_empty(), "hidden until it moves");
        assert!(!r.reset("pkt4-received", 9));
        assert_eq!(r.observe(raw(10)), raw(1));
        assert!(r.set_limit(None, Limit::Count(1)));
        r.observe(raw(11));
        assert_eq!(r.samples("pkt4-received").count(), 1);
        assert!(!r.set_limit(Some("nope"), Limit::Count(3)));
    }
}
