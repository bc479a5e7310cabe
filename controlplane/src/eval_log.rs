//! Kea's `kea-dhcp4.eval` / `kea-dhcp6.eval` debug loggers: when a
//! configuration asks for one at DEBUG severity, the dataplane's
//! classification trace (one `EVAL_RESULT` line per class evaluated) is
//! handed to the logging module ([`crate::log`]), which writes it in Kea's
//! layout to the logger's outputs. Nothing is installed otherwise, so the
//! trace stays off and costs nothing per packet.

use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Level, Metadata, Subscriber};
use xdhcp_dataplane::classify::{TRACE_TARGET4, TRACE_TARGET6};

use crate::config::Config;
use crate::log::{self, Severity};

/// Kea logs evaluation results at its basic trace level.
const EVAL_DEBUG_LEVEL: u8 = 40;

/// Forwards the dataplane's evaluation trace to the eval loggers.
struct EvalLog;

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
        let logger = if e.metadata().target() == TRACE_TARGET6 {
            TRACE_TARGET6
        } else {
            TRACE_TARGET4
        };
        // The trace's text starts with Kea's message id.
        let (id, text) = msg.0.split_once(' ').unwrap_or(("EVAL_RESULT", &msg.0));
        log::emit(
            Severity::Debug,
            EVAL_DEBUG_LEVEL,
            logger,
            id,
            text.to_string(),
        );
    }

    fn enter(&self, _: &Id) {}

    fn exit(&self, _: &Id) {}
}

/// Installs the eval trace when a `kea-dhcp4.eval` or `kea-dhcp6.eval`
/// logger has severity DEBUG.
pub fn install(config: &Config) -> Result<(), String> {
    let wanted = [&config.dhcp4, &config.dhcp6]
        .into_iter()
        .flatten()
        .flat_map(|s| &s.loggers)
        .find(|l| {
            [TRACE_TARGET4, TRACE_TARGET6].contains(&l.name.as_str()) && l.severity == "DEBUG"
        });
    let Some(l) = wanted else {
        return Ok(());
    };
    tracing::subscriber::set_global_default(EvalLog).map_err(|e| format!("logger {}: {e}", l.name))
}
