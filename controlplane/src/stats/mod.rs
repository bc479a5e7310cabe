//! Kea's statistics of a running server, kept with Kea's reset, removal and
//! sample semantics ([`registry`]) over the counters the dataplane's
//! server parts read ([`Counters`]): in this process, or over the channel
//! of a separate `xdhcp-dataplane`. The `statistic-*` and `stat-lease*`
//! commands and `/metrics` read here.

pub mod layout;
pub mod registry;

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

pub use layout::Layout;
pub use registry::Registry;
use xdhcp_dataplane::config::Live;
use xdhcp_dataplane::server::channel;
use xdhcp_dataplane::server::statistics::{Counting, Part, Reading};

/// Where a server's counters are read.
pub enum Counters {
    /// Counted by the workers of this process.
    Here(Arc<Counting>),
    /// Counted by the `xdhcp-dataplane` listening on this channel.
    Dataplane(PathBuf),
}

impl Counters {
    /// Reads `part` now; a dataplane that cannot be reached is the error.
    pub fn read(&self, part: Part) -> Result<Reading, String> {
        match self {
            Counters::Here(counting) => Ok(counting.read(part)),
            Counters::Dataplane(path) => channel::read(path, part),
        }
    }
}

/// One DHCP version's statistics: where they are read, the subnets and
/// pools they are labelled with, and what operators did to them.
pub struct Stats {
    family: u8,
    counters: Arc<Counters>,
    layout: Live<Layout>,
    /// Resets, removals and samples.
    pub registry: Mutex<Registry>,
}

impl Stats {
    /// The statistics of DHCP version `family` (4 or 6) in `counters`.
    pub fn new(family: u8, counters: Arc<Counters>) -> Stats {
        Stats {
            family,
            counters,
            layout: Live::from_pointee(Layout::default()),
            registry: Mutex::new(Registry::default()),
        }
    }

    /// 4 or 6.
    pub fn family(&self) -> u8 {
        self.family
    }

    fn section(&self) -> &'static str {
        if self.family == 6 {
            "Dhcp6"
        } else {
            "Dhcp4"
        }
    }

    /// Subnets and pools as configured, for the metrics' labels.
    pub fn layout(&self) -> Arc<Layout> {
        self.layout.load_full()
    }

    /// Takes the configuration `file` just put in force (at start and after
    /// each change): subnets and pools are relabelled, and the section's
    /// `statistic-default-sample-*` limits (or their defaults) apply to
    /// every statistic when they changed ([`Registry::configure`]).
    pub fn configure(&self, file: &serde_json::Value) {
        let section = &file[self.section()];
        self.layout
            .store(Arc::new(Layout::from_json(section, self.family)));
        if !section.is_null() {
            let mut registry = self.registry.lock().unwrap_or_else(|e| e.into_inner());
            registry.configure(registry::Limit::configured(section));
        }
    }

    /// Every statistic of this version with its raw value (before resets),
    /// in Kea's names, read now.
    pub fn read(&self) -> Result<Vec<(String, i64)>, String> {
        let part = if self.family == 6 {
            Part::Dhcp6
        } else {
            Part::Dhcp4
        };
        self.counters.read(part).map(|mut r| self.of(&mut r))
    }

    /// Takes this version's statistics out of `reading` (none when it was
    /// not served); resets made before the counters started again are
    /// dropped.
    pub fn of(&self, reading: &mut Reading) -> Vec<(String, i64)> {
        self.registry
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .counting_since(reading.started);
        let mine = if self.family == 6 {
            &mut reading.dhcp6
        } else {
            &mut reading.dhcp4
        };
        mine.take().unwrap_or_default()
    }

    /// Records the raw values `raw` and returns the visible statistics
    /// with their values after resets ([`Registry::observe`]).
    pub fn observe(&self, raw: Vec<(String, i64)>) -> Vec<(String, i64)> {
        self.registry
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .observe(raw)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reading(started: u64, received: i64) -> Reading {
        Reading {
            started,
            dhcp4: Some(vec![("pkt4-received".into(), received)]),
            ..Reading::default()
        }
    }

    #[test]
    fn a_dataplane_that_started_again_drops_earlier_resets() {
        let never_read = Counters::Dataplane(PathBuf::from("/nonexistent"));
        let stats = Stats::new(4, Arc::new(never_read));
        let seen = |stats: &Stats, mut r: Reading| stats.observe(stats.of(&mut r));
        assert_eq!(
            seen(&stats, reading(1, 40)),
            vec![("pkt4-received".into(), 40)]
        );
        assert!(stats.registry.lock().unwrap().reset("pkt4-received", 40));
        assert_eq!(
            seen(&stats, reading(1, 45)),
            vec![("pkt4-received".into(), 5)]
        );
        // Counting from 0 again: 3 is 3, not 3 - 40.
        assert_eq!(
            seen(&stats, reading(2, 3)),
            vec![("pkt4-received".into(), 3)]
        );
        assert!(stats.of(&mut Reading::default()).is_empty(), "not served");
    }
}
