//! `/metrics`: Kea's statistics under the names and labels Kea's exporters
//! use ([`kea`]), plus xdhcp's own: the XDP steering program's counters,
//! per-worker packet counters and response latency histograms, and the
//! lease journal's flush lag, in the Prometheus text format ([`text`]).

pub mod kea;
pub mod text;

use std::sync::Arc;

use xdhcp_dataplane::server::statistics::Part;
use xdhcp_dataplane::stats::LATENCY_BOUNDS_US;

use crate::stats::{Counters, Stats};
use text::Exposition;

/// Everything `/metrics` reports.
pub struct Metrics {
    /// Kea's statistics of each DHCP version served.
    pub stats: Vec<Arc<Stats>>,
    /// Where the counters are read: workers, steering programs, journals.
    pub counters: Arc<Counters>,
}

impl Metrics {
    /// The exposition, in the Prometheus text format (version 0.0.4); a
    /// dataplane process that cannot be read is the error.
    pub fn render(&self) -> Result<String, String> {
        let mut reading = self.counters.read(Part::All)?;
        let mut out = Exposition::default();
        for stats in &self.stats {
            let (family, layout) = (stats.family(), stats.layout());
            for (name, value) in stats.observe(stats.of(&mut reading)) {
                if let Some(s) = kea::series(family, &name, &layout) {
                    out.sample(&s.name, s.help, "gauge", &s.labels, value as f64);
                }
            }
        }
        for (iface, c) in &reading.xdp {
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
        for (i, w) in reading.workers.iter().enumerate() {
            let worker = [
                ("interface", w.interface.clone()),
                ("worker", i.to_string()),
            ];
            for (family, (received, sent)) in [("4", w.v4), ("6", w.v6)] {
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
                &w.latency,
            );
        }
        for j in &reading.journals {
            let l = [("service", j.service.clone()), ("policy", j.policy.clone())];
            out.sample(
                "xdhcp_journal_unflushed_records",
                "Lease journal records not yet known to be on stable storage",
                "gauge",
                &l,
                j.lag.records as f64,
            );
            out.sample(
                "xdhcp_journal_flush_lag_seconds",
                "Age of the oldest lease journal flush still owed",
                "gauge",
                &l,
                j.lag.seconds,
            );
        }
        Ok(out.finish())
    }
}

/// The bucket bounds in seconds, for the histogram's `le` labels.
pub(crate) fn bounds_seconds() -> impl Iterator<Item = f64> {
    LATENCY_BOUNDS_US.iter().map(|&us| us as f64 / 1e6)
}
