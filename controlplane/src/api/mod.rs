//! Kea's control API: commands in, Kea-shaped answers out.
//!
//! [`Api::handle`] takes one request (`{"command": ..., "arguments": ...}`)
//! and returns Kea's answer object (`result`, `text`, `arguments`); the
//! transports ([`unix`]) only move bytes. Result codes are Kea's: 0 success,
//! 1 error, 2 unsupported, 3 empty or not found, 4 conflict.

pub mod classes;
pub mod config;
pub mod hosts;
pub mod http;
pub mod section;
pub mod stat_leases;
pub mod stats;
pub mod subnets;
pub mod tls;
pub mod unix;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Instant;

use serde_json::{json, Map, Value};

use crate::reload::Running;

pub use xdhcp_dataplane::server::answer::{
    answer, answer_with, listing_code, result, unsupported, MAX_REQUEST,
};
use xdhcp_dataplane::server::lease_cmds as leases;

/// What the commands act on.
pub struct Api {
    /// The running configuration, the snapshots it feeds and their leases
    /// (`None` for a metrics-only listener).
    pub running: Option<Arc<Running>>,
    /// Whether this API answers for DHCPv4 (the `Dhcp4` section's control
    /// sockets): the lease4 commands, `config-set` and `config-test`.
    pub dhcp4: bool,
    /// Set by `shutdown`; the server stops when it sees it.
    pub stop: &'static AtomicBool,
    /// The statistics of each DHCP version served, v4 first.
    pub stats: Vec<Arc<crate::stats::Stats>>,
    /// What `GET /metrics` reports, once serving.
    pub metrics: Option<Arc<crate::metrics::Metrics>>,
    started: Instant,
}

/// Every command this build answers, for `list-commands`.
const COMMANDS: &[&str] = &[
    "build-report",
    "class-add",
    "class-del",
    "class-get",
    "class-list",
    "class-update",
    "config-get",
    "config-hash-get",
    "config-reload",
    "config-set",
    "config-test",
    "config-write",
    "lease4-add",
    "lease4-del",
    "lease4-get",
    "lease4-get-all",
    "lease4-get-by-client-id",
    "lease4-get-by-hostname",
    "lease4-get-by-hw-address",
    "lease4-get-page",
    "lease4-resend-ddns",
    "lease4-update",
    "lease4-wipe",
    "lease6-add",
    "lease6-bulk-apply",
    "lease6-del",
    "lease6-get",
    "lease6-get-all",
    "lease6-get-by-duid",
    "lease6-get-by-hostname",
    "lease6-get-page",
    "lease6-resend-ddns",
    "lease6-update",
    "lease6-wipe",
    "leases-reclaim",
    "list-commands",
    "network4-add",
    "network4-del",
    "network4-get",
    "network4-list",
    "network4-subnet-add",
    "network4-subnet-del",
    "network6-add",
    "network6-del",
    "network6-get",
    "network6-list",
    "network6-subnet-add",
    "network6-subnet-del",
    "reservation-add",
    "reservation-del",
    "reservation-get",
    "reservation-get-all",
    "reservation-get-by-hostname",
    "reservation-get-by-id",
    "reservation-get-page",
    "server-tag-get",
    "shutdown",
    "stat-lease4-get",
    "stat-lease6-get",
    "status-get",
    "subnet4-add",
    "subnet4-del",
    "subnet4-get",
    "subnet4-list",
    "subnet4-update",
    "subnet6-add",
    "subnet6-del",
    "subnet6-get",
    "subnet6-list",
    "subnet6-update",
    "version-get",
];

impl Api {
    /// An API over the `running` configuration and what it serves,
    /// answering for DHCPv4 when that is served.
    pub fn new(running: Arc<Running>, stop: &'static AtomicBool) -> Api {
        Api {
            dhcp4: running.serves_dhcp4(),
            running: Some(running),
            ..Api::metrics_only(stop)
        }
    }

    /// The same API answering for DHCPv6 only (a `Dhcp6` section's
    /// control sockets): no lease4 commands, no `config-set`.
    pub fn dhcp6_only(mut self) -> Api {
        self.dhcp4 = false;
        self
    }

    /// An API with no configuration behind it, for a metrics-only
    /// listener.
    pub fn metrics_only(stop: &'static AtomicBool) -> Api {
        Api {
            running: None,
            dhcp4: false,
            stop,
            stats: Vec::new(),
            metrics: None,
            started: Instant::now(),
        }
    }

    /// The same API also answering the statistic commands of one DHCP
    /// version from `stats`.
    pub fn with_stats(mut self, stats: Arc<crate::stats::Stats>) -> Api {
        self.stats.push(stats);
        self.stats.sort_by_key(|s| s.family());
        self
    }

    /// Answers one request sent to the HTTP control socket, which fronts
    /// every DHCP version served as Kea's Control Agent does: a request
    /// naming `service`s gets one answer per service, in order; one without
    /// gets one answer, and `config-get` then also describes the agent's
    /// `control-sockets` (what kea-exporter and Stork read first).
    pub fn handle_http(&self, request: &[u8]) -> Vec<Value> {
        let parsed: Option<Value> = serde_json::from_slice(request).ok();
        let services: Option<Vec<String>> = parsed
            .as_ref()
            .and_then(|v| v.get("service"))
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .map(String::from)
                    .collect()
            });
        match services {
            Some(list) if !list.is_empty() => list
                .iter()
                .map(|svc| match self.family_of(svc) {
                    Some(family) => self.handle_for(request, family),
                    None => answer(
                        result::ERROR,
                        format!("forwarding socket is not configured for the server type {svc}"),
                    ),
                })
                .collect(),
            _ => {
                let mut one = self.handle(request);
                let is_config_get = parsed
                    .as_ref()
                    .and_then(|v| v.get("command"))
                    .and_then(Value::as_str)
                    == Some("config-get");
                if let (true, Some(args)) = (is_config_get, one.get_mut("arguments")) {
                    let sockets: Map<String, Value> = self
                        .services()
                        .into_iter()
                        .map(|s| (s.to_string(), json!({ "socket-type": "unix" })))
                        .collect();
                    args["Control-agent"] = json!({ "control-sockets": sockets });
                }
                vec![one]
            }
        }
    }

    /// The services this API answers for, Kea's names.
    fn services(&self) -> Vec<&'static str> {
        let mut s: Vec<&'static str> = self
            .stats
            .iter()
            .map(|s| if s.family() == 6 { "dhcp6" } else { "dhcp4" })
            .collect();
        if s.is_empty() {
            s.push("dhcp4");
        }
        s
    }

    fn family_of(&self, service: &str) -> Option<u8> {
        self.services()
            .contains(&service)
            .then(|| if service == "dhcp6" { 6 } else { 4 })
    }

    /// Answers one request, given as the bytes a client sent, for the
    /// first DHCP version served.
    pub fn handle(&self, request: &[u8]) -> Value {
        let alone = if self.dhcp4 { 4 } else { 6 };
        let family = self.stats.first().map_or(alone, |s| s.family());
        self.handle_for(request, family)
    }

    /// Answers one request for DHCP version `family`.
    fn handle_for(&self, request: &[u8], family: u8) -> Value {
        let parsed: Value = match serde_json::from_slice(request) {
            Ok(v) => v,
            Err(e) => return answer(result::ERROR, format!("invalid command syntax: {e}")),
        };
        let Some(obj) = parsed.as_object() else {
            return answer(
                result::ERROR,
                "invalid command syntax: a command is a JSON object",
            );
        };
        let Some(command) = obj.get("command").and_then(Value::as_str) else {
            return answer(
                result::ERROR,
                "invalid command syntax: no \"command\" string",
            );
        };
        let args = match obj.get("arguments") {
            None => None,
            Some(Value::Object(m)) => Some(m),
            Some(_) => return answer(result::ERROR, "arguments must be a map"),
        };
        let reply = self.dispatch(command, args, family);
        if let (Some(args), true) = (args, reply["result"] == result::SUCCESS) {
            crate::log::command_processed(command, args);
        }
        reply
    }

    /// Runs `command` for DHCP version `family`; `given` is `None` when the
    /// request had no `arguments` (some commands tell that apart from an
    /// empty map).
    fn dispatch(&self, command: &str, given: Option<&Map<String, Value>>, family: u8) -> Value {
        let empty = Map::new();
        let args = given.unwrap_or(&empty);
        let version = env!("CARGO_PKG_VERSION");
        match command {
            "list-commands" => {
                let mut all: Vec<&str> = COMMANDS.iter().chain(stats::COMMANDS).copied().collect();
                all.sort_unstable();
                json!({ "result": result::SUCCESS, "arguments": all })
            }
            "version-get" => answer_with(
                result::SUCCESS,
                version,
                json!({ "extended": format!("{version} (xdhcp, Kea-compatible control API)") }),
            ),
            "build-report" => answer(result::SUCCESS, format!("xdhcp {version}")),
            "status-get" => json!({
                "result": result::SUCCESS,
                "arguments": {
                    "pid": std::process::id(),
                    "uptime": self.started.elapsed().as_secs(),
                    "reload": self.running.as_ref().map_or_else(
                        || self.started.elapsed(),
                        |r| r.since_reload()
                    ).as_secs(),
                    "multi-threading-enabled": true,
                }
            }),
            "shutdown" => {
                self.stop.store(true, Ordering::Relaxed);
                answer(result::SUCCESS, "Shutting down.")
            }
            c if c.starts_with("config-") || c == "server-tag-get" => match &self.running {
                Some(running) => config::run(running, self.dhcp4, c, given),
                None => unsupported(c),
            },
            c if c.starts_with("reservation-") || c.starts_with("class-") => match &self.running {
                Some(running) if c.starts_with("class-") => {
                    classes::run(running, section::Section::of(family), c, given)
                }
                Some(running) => hosts::run(running, section::Section::of(family), c, given),
                None => unsupported(c),
            },
            c if c.starts_with("subnet4-") || c.starts_with("network4-") => {
                self.subnet_command(c, given, 4, family)
            }
            c if c.starts_with("subnet6-") || c.starts_with("network6-") => {
                self.subnet_command(c, given, 6, family)
            }
            c if c.starts_with("lease4-") || c == "leases-reclaim" || c.starts_with("lease6-") => {
                let ours = if c.starts_with("lease6-") {
                    family == 6
                } else {
                    self.dhcp4
                };
                match self.running.as_ref().filter(|_| ours) {
                    Some(running) if running.remote() => {
                        running.ask_dataplane(&json!({ "command": c, "arguments": given }))
                    }
                    Some(running) => {
                        leases::run(running.v4.as_ref(), running.v6.as_ref(), c, given)
                    }
                    None => unsupported(c),
                }
            }
            c @ ("stat-lease4-get" | "stat-lease6-get") => {
                // Each server answers for its own version; asked for the
                // other, it has no subnets of it, as Kea's has not.
                let asked = if c == "stat-lease4-get" { 4 } else { 6 };
                let stats = self.stats.iter().find(|s| s.family() == asked);
                stat_leases::run(stats.filter(|_| asked == family).map(|s| &**s), c, given)
            }
            c if c.starts_with("statistic-") => {
                match self.stats.iter().find(|s| s.family() == family) {
                    Some(s) => stats::run(s, c, args),
                    None => answer(
                        result::ERROR,
                        "statistics are not available before serving starts",
                    ),
                }
            }
            c => unsupported(c),
        }
    }

    /// A subnet or shared network command of DHCP version `of`: answered
    /// only for that version, as a Kea server of the other one answers.
    fn subnet_command(
        &self,
        command: &str,
        given: Option<&Map<String, Value>>,
        of: u8,
        family: u8,
    ) -> Value {
        match &self.running {
            Some(running) if of == family => {
                subnets::run(running, section::Section::of(family), command, given)
            }
            _ => unsupported(command),
        }
    }
}
