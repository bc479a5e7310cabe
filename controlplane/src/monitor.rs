//! Statistics and metrics of a running server, over its counters (this
//! process's workers, or a separate dataplane process's), served on the
//! control sockets and on `--metrics ADDR`.

use std::net::SocketAddr;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::thread::JoinHandle;

use crate::api::{self, Api};
use crate::config::services::ControlSocket;
use crate::metrics::Metrics;
use crate::stats::{Counters, Stats};

/// The statistics of each DHCP version served and the metrics over them.
pub struct Monitor {
    /// Kea's statistics, v4 first.
    pub stats: Vec<Arc<Stats>>,
    /// `/metrics`.
    pub metrics: Arc<Metrics>,
}

/// The statistics of the DHCP versions in `families` (4, 6) and the
/// metrics, read from `counters`.
pub fn monitor(counters: Counters, families: &[u8]) -> Monitor {
    let counters = Arc::new(counters);
    let stats: Vec<Arc<Stats>> = families
        .iter()
        .map(|&f| Arc::new(Stats::new(f, counters.clone())))
        .collect();
    let metrics = Arc::new(Metrics {
        stats: stats.clone(),
        counters,
    });
    Monitor { stats, metrics }
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
