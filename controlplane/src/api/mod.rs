//! Kea's control API: commands in, Kea-shaped answers out.
//!
//! [`Api::handle`] takes one request (`{"command": ..., "arguments": ...}`)
//! and returns Kea's answer object (`result`, `text`, `arguments`); the
//! transports ([`unix`]) only move bytes. Result codes are Kea's: 0 success,
//! 1 error, 2 unsupported, 3 empty or not found, 4 conflict.

pub mod config;
pub mod http;
pub mod leases4;
pub mod stats;
pub mod unix;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Instant;

use serde_json::{json, Map, Value};

use crate::reload::Running;

/// Kea's result codes.
pub mod result {
    /// The command succeeded.
    pub const SUCCESS: i64 = 0;
    /// The command failed.
    pub const ERROR: i64 = 1;
    /// The command is not supported.
    pub const UNSUPPORTED: i64 = 2;
    /// Nothing matched.
    pub const EMPTY: i64 = 3;
    /// The change conflicts with existing state.
    pub const CONFLICT: i64 = 4;
}

/// Largest request accepted; Kea's own limit is of the same order.
pub const MAX_REQUEST: usize = 1 << 20;

/// An answer with a text and no arguments.
pub fn answer(result: i64, text: impl Into<String>) -> Value {
    json!({ "result": result, "text": text.into() })
}

/// An answer carrying arguments.
pub fn answer_with(result: i64, text: impl Into<String>, arguments: Value) -> Value {
    json!({ "result": result, "text": text.into(), "arguments": arguments })
}

/// What the commands act on.
pub struct Api {
    /// The running configuration, the snapshots it feeds and their leases.
    pub running: Arc<Running>,
    /// Set by `shutdown`; the server stops when it sees it.
    pub stop: &'static AtomicBool,
    /// Counters and lease counts for the statistic commands, once serving.
    pub stats: Option<stats::Sources>,
    started: Instant,
}

/// Every command this build answers, for `list-commands`.
const COMMANDS: &[&str] = &[
    "build-report",
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
    "lease4-update",
    "lease4-wipe",
    "leases-reclaim",
    "list-commands",
    "server-tag-get",
    "shutdown",
    "statistic-get",
    "statistic-get-all",
    "statistic-reset-all",
    "status-get",
    "version-get",
];

impl Api {
    /// An API over the `running` configuration and what it serves.
    pub fn new(running: Arc<Running>, stop: &'static AtomicBool) -> Api {
        Api {
            running,
            stop,
            stats: None,
            started: Instant::now(),
        }
    }

    /// The same API answering the statistic commands from `sources`.
    pub fn with_stats(mut self, sources: stats::Sources) -> Api {
        self.stats = Some(sources);
        self
    }

    /// Answers one request, given as the bytes a client sent.
    pub fn handle(&self, request: &[u8]) -> Value {
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
        self.dispatch(command, args)
    }

    /// Runs `command`; `given` is `None` when the request had no
    /// `arguments` (some commands tell that apart from an empty map).
    fn dispatch(&self, command: &str, given: Option<&Map<String, Value>>) -> Value {
        let empty = Map::new();
        let args = given.unwrap_or(&empty);
        let version = env!("CARGO_PKG_VERSION");
        match command {
            "list-commands" => json!({ "result": result::SUCCESS, "arguments": COMMANDS }),
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
                    "reload": self.started.elapsed().as_secs(),
                    "multi-threading-enabled": true,
                }
            }),
            "shutdown" => {
                self.stop.store(true, Ordering::Relaxed);
                answer(result::SUCCESS, "Shutting down.")
            }
            c if c.starts_with("config-") || c == "server-tag-get" => {
                config::run(&self.running, c, given)
            }
            c if c.starts_with("lease4-") || c == "leases-reclaim" => match &self.running.v4 {
                Some(v4) => leases4::run(v4, c, given),
                None => answer(result::ERROR, "DHCPv4 is not served"),
            },
            c if c.starts_with("statistic-") => match &self.stats {
                Some(s) => s.run(c, args),
                None => answer(
                    result::ERROR,
                    "statistics are not available before serving starts",
                ),
            },
            c => answer(result::UNSUPPORTED, format!("'{c}' command not supported.")),
        }
    }
}
