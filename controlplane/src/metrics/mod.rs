//! `/metrics`: Kea's statistics under the names and labels Kea's exporters
//! use ([`kea`]), plus xdhcp's own: the XDP steering program's counters,
//! per-worker packet counters and response latency histograms, and the
//! lease journal's flush lag, in the Prometheus text format ([`text`]).

pub mod kea;
pub mod text;

use std::sync::{Arc, Mutex};

use xdhcp_dataplane::io::serve::WorkerCounters;
use xdhcp_dataplane::io::xdp::Counters;
use xdhcp_dataplane::lease::FlushLag;
use xdhcp_dataplane::stats::{Stat4, Stat6, LATENCY_BOUNDS_US};

use crate::stats::Stats;
use text::Exposition;

/// A lease journal: its DHCP version, flush policy and how to read its lag.
pub struct Journal {
    /// `dhcp4` or `dhcp6`.
    pub service: &'static str,
    /// `os`, `periodic` or `group-commit`.
    pub policy: &'static str,
    /// Reads the lag now.
    pub lag: Box<dyn Fn() -> FlushLag + Send + Sync>,
}

/// Everything `/metrics` reports.
#[derive(Default)]
pub struct Metrics {
    /// Kea's statistics of each DHCP version served.
    pub stats: Vec<Arc<Stats>>,
    /// Each worker's counters, with its interface.
    pub workers: Vec<(String, WorkerCounters)>,
    /// The steering programs' counters by interface, refreshed by the
    /// serving loop (the program is not shared with the listener thread).
    pub xdp: Mutex<Vec<(String, Counters)>>,
    /// The lease journals.
    pub journals: Vec<Journal>,
}

impl Metrics {
    /// The exposition, in the Prometheus text format (version 0.0.4).
    pub fn render(&self) -> String {
        let mut out = Exposition::default();
        for stats in &self.stats {
            let family = stats.source.family();
            for (name, value) in stats.observe() {
                if let Some(s) = kea::series(family, &name, &stats.source.layout()) {
                    out.sample(&s.name, s.help, "gauge", &s.labels, value as f64);
                }
            }
        }
        let xdp = self.xdp.lock().unwrap_or_else(|e| e.into_inner());
        for (iface, c) in xdp.iter() {
            for (action, v) in [
                ("seen", c.seen),
                ("redirected", c.redirected),
                ("passed", c.passed),
                ("malformed", c.malformed),
                ("no_socket", c.no_socket),
            ] {
                let labels = [("interface", iface.clone()), ("action", action.to_string())];
                out.sample(
                    "xdhcp_xdp_packets_total",
                    "Frames the XDP steering program saw, by what it did with them",
                    "counter",
                    &labels,
                    v as f64,
                );
            }
        }
        for (i, (iface, w)) in self.workers.iter().enumerate() {
            let worker = [("interface", iface.clone()), ("worker", i.to_string())];
            let (v4, v6) = (w.v4.packets.values(), w.v6.packets.values());
            for (family, received, sent) in [
                ("4", v4[Stat4::Received as usize], v4[Stat4::Sent as usize]),
                ("6", v6[Stat6::Received as usize], v6[Stat6::Sent as usize]),
            ] {
                let mut l = worker.to_vec();
                l.push(("family", family.to_string()));
                out.sample(
                    "xdhcp_worker_packets_received_total",
                    "DHCP messages a worker received",
                    "counter",
                    &l,
                    received as f64,
                );
                out.sample(
                    "xdhcp_worker_packets_sent_total",
                    "DHCP messages a worker sent",
                    "counter",
                    &l,
                    sent as f64,
                );
            }
            out.histogram(
                "xdhcp_response_latency_seconds",
                "Time from receiving a batch of requests to sending its replies",
                &worker,
                &w.latency.read(),
            );
        }
        for j in &self.journals {
            let lag = (j.lag)();
            let l = [
                ("service", j.service.to_string()),
                ("policy", j.policy.to_string()),
            ];
            out.sample(
                "xdhcp_journal_unflushed_records",
                "Lease journal records not yet known to be on stable storage",
                "gauge",
                &l,
                lag.records as f64,
            );
            out.sample(
                "xdhcp_journal_flush_lag_seconds",
                "Age of the oldest lease journal flush still owed",
                "gauge",
                &l,
                lag.seconds,
            );
        }
        out.finish()
    }
}

/// The bucket bounds in seconds, for the histogram's `le` labels.
pub(crate) fn bounds_seconds() -> impl Iterator<Item = f64> {
    LATENCY_BOUNDS_US.iter().map(|&us| us as f64 / 1e6)
}
