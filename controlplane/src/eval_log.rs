//! Kea's `kea-dhcp4.eval` / `kea-dhcp6.eval` debug loggers: when a
//! configuration asks for one at DEBUG severity, the dataplane's
//! classification trace (one `EVAL_RESULT` line per class evaluated) is
//! written in Kea's log layout to the logger's output. Nothing is installed
//! otherwise, so the trace stays off and costs nothing per packet.

use std::fs::OpenOptions;
use std::io::Write;
use std::sync::Mutex;
use std::time::SystemTime;

use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Level, Metadata, Subscriber};
use xdhcp_dataplane::classify::{TRACE_TARGET4, TRACE_TARGET6};

use crate::api::stats::timestamp;
use crate::config::Config;

/// Writes the dataplane's evaluation trace where the eval logger points.
struct EvalLog {
    out: Mutex<Box<dyn Write + Send>>,
}

/// Collects an event's message.
struct Message(String);

impl Visit for Message {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            self.0 = format!("{value:?}");
        }
    }
}

impl Subscriber for EvalLog {
    fn enabled(&self, m: &Metadata<'_>) -> bool {
        *m.level() <= Level::DEBUG && [TRACE_TARGET4, TRACE_TARGET6].contains(&m.target())
    }

    fn new_span(&self, _: &Attributes<'_>) -> Id {
        Id::from_u64(1)
    }

    fn record(&self, _: &Id, _: &Record<'_>) {}

    fn record_follows_from(&self, _: &Id, _: &Id) {}

    fn event(&self, e: &Event<'_>) {
        let mut msg = Message(String::new());
        e.record(&mut msg);
        let now = timestamp(SystemTime::now());
        let line = format!(
            "{} DEBUG [{}/{}] {}\n",
            &now[..now.len() - 3],
            e.metadata().target(),
            std::process::id(),
            msg.0
        );
        if let Ok(mut out) = self.out.lock() {
            let _ = out.write_all(line.as_bytes());
        }
    }

    fn enter(&self, _: &Id) {}

    fn exit(&self, _: &Id) {}
}

/// Installs the eval trace when a `kea-dhcp4.eval` or `kea-dhcp6.eval`
/// logger has severity DEBUG; its first output (a file, `stdout` or
/// `stderr`) receives the lines.
pub fn install(config: &Config) -> Result<(), String> {
    let loggers = [&config.dhcp4, &config.dhcp6]
        .into_iter()
        .flatten()
        .flat_map(|s| &s.loggers);
    let Some(l) = loggers
        .filter(|l| [TRACE_TARGET4, TRACE_TARGET6].contains(&l.name.as_str()))
        .find(|l| l.severity == "DEBUG")
    else {
        return Ok(());
    };
    let out: Box<dyn Write + Send> = match l.outputs.first().map(String::as_str) {
        None | Some("stderr") => Box::new(std::io::stderr()),
        Some("stdout") => Box::new(std::io::stdout()),
        Some(path) => Box::new(
            OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)
                .map_err(|e| format!("logger {}: cannot open {path}: {e}", l.name))?,
        ),
    };
    let log = EvalLog {
        out: Mutex::new(out),
    };
    tracing::subscriber::set_global_default(log).map_err(|e| format!("logger {}: {e}", l.name))
}
