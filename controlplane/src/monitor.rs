//! Statistics and metrics of a running server: built once serving starts
//! from the compiled configurations, lease stores and workers, refreshed
//! from the serving loop (XDP counters), and served on `--metrics ADDR`.

use std::net::SocketAddr;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::thread::JoinHandle;

use serde_json::Value;
use xdhcp_dataplane::config::{Config4, Config6, Live};
use xdhcp_dataplane::io::serve::Serving;
use xdhcp_dataplane::journal::FlushPolicy;
use xdhcp_dataplane::lease::{Lease, Lease4, Lease6, LeaseStore};
use xdhcp_dataplane::stats::{Stats4, Stats6};

use crate::api::{self, Api};
use crate::config::services::ControlSocket;
use crate::metrics::{Journal, Metrics};
use crate::stats::v4::Sources4;
use crate::stats::v6::Sources6;
use crate::stats::{Layout, Stats};
use xdhcp_dataplane::server::family::Family;

/// The statistics of each DHCP version served and the metrics over them.
pub struct Monitor {
    /// Kea's statistics, v4 first.
    pub stats: Vec<Arc<Stats>>,
    /// `/metrics`.
    pub metrics: Arc<Metrics>,
    /// The counters lease reclamation writes (per-subnet and per-pool
    /// `reclaimed-*`), summed with the workers'.
    pub reclaimed4: Arc<Stats4>,
    /// The same for DHCPv6.
    pub reclaimed6: Arc<Stats6>,
}

fn journal<L: Lease>(service: &'static str, leases: &Arc<LeaseStore<L>>) -> Journal {
    let policy = match leases.config().journal.flush {
        FlushPolicy::Os => "os",
        FlushPolicy::Periodic(_) => "periodic",
        FlushPolicy::GroupCommit => "group-commit",
    };
    let leases = leases.clone();
    Journal {
        service,
        policy,
        lag: Box::new(move || leases.flush_lag()),
    }
}

/// Builds the statistics over what serves; `file` is the configuration as
/// loaded (for subnet and pool labels); `served` pairs each interface's
/// name with its serving workers.
pub fn monitor(
    file: &Value,
    v4: Option<&Family<Config4, Lease4>>,
    v6: Option<&Family<Config6, Lease6>>,
    served: &[(String, &Serving)],
) -> Monitor {
    let workers: Vec<_> = served
        .iter()
        .flat_map(|(name, s)| s.counters().iter().map(move |c| (name.clone(), c.clone())))
        .collect();
    let mut stats = Vec::new();
    let mut journals = Vec::new();
    let mut reclaimed4 = Arc::new(Stats4::default());
    let mut reclaimed6 = Arc::new(Stats6::default());
    if let Some(Family { config, leases }) = v4 {
        let ids: Vec<u32> = config.load().subnets.iter().map(|s| s.id).collect();
        reclaimed4 = Arc::new(Stats4::default());
        let lines = workers.iter().map(|(_, w)| w.v4.clone());
        stats.push(Arc::new(Stats::new(Sources4 {
            config: config.clone(),
            workers: lines.chain([reclaimed4.clone()]).collect(),
            leases: leases.clone(),
            layout: Live::from_pointee(Layout::from_json(&file["Dhcp4"], 4, &ids)),
        })));
        journals.push(journal("dhcp4", leases));
    }
    if let Some(Family { config, leases }) = v6 {
        let ids: Vec<u32> = config.load().subnets.iter().map(|s| s.id).collect();
        reclaimed6 = Arc::new(Stats6::default());
        let lines = workers.iter().map(|(_, w)| w.v6.clone());
        stats.push(Arc::new(Stats::new(Sources6 {
            config: config.clone(),
            workers: lines.chain([reclaimed6.clone()]).collect(),
            leases: leases.clone(),
            layout: Live::from_pointee(Layout::from_json(&file["Dhcp6"], 6, &ids)),
        })));
        journals.push(journal("dhcp6", leases));
    }
    let metrics = Arc::new(Metrics {
        stats: stats.clone(),
        workers,
        journals,
        ..Metrics::default()
    });
    refresh(&metrics, served);
    Monitor {
        stats,
        metrics,
        reclaimed4,
        reclaimed6,
    }
}

/// Copies the steering programs' counters for the next scrape.
pub fn refresh(metrics: &Metrics, served: &[(String, &Serving)]) {
    let counters = served
        .iter()
        .filter_map(|(name, s)| Some((name.clone(), s.program()?.counters().ok()?)))
        .collect();
    *metrics.xdp.lock().unwrap_or_else(|e| e.into_inner()) = counters;
}

/// Serves `GET /metrics` alone on `addr` (for deployments without an HTTP
/// control socket), until `stop` is set.
pub fn serve_metrics(
    addr: SocketAddr,
    monitor: &Monitor,
    stop: &'static AtomicBool,
) -> std::io::Result<JoinHandle<()>> {
    let mut api = Api::metrics_only(stop);
    api.metrics = Some(monitor.metrics.clone());
    let socket = ControlSocket {
        socket_type: "http".into(),
        socket_name: None,
        socket_address: Some(addr.ip().to_string()),
        socket_port: Some(addr.port()),
        authentication: None,
        tls: None,
        http_headers: Vec::new(),
    };
    api::http::serve(addr, Arc::new(api), &socket, api::http::Routes::MetricsOnly)
}
