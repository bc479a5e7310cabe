//! `loggers`: Kea's logging configuration (names, severities, outputs).

use super::keys;
use super::read::Ctx;
use crate::diag;
use crate::json::Value;

/// One logger.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Logger {
    /// Logger name, e.g. `kea-dhcp4` or `kea-dhcp4.dhcpsrv`.
    pub name: String,
    /// FATAL, ERROR, WARN, INFO, DEBUG or NONE (default INFO).
    pub severity: String,
    /// Debug level 0..99.
    pub debuglevel: u8,
    /// Where its messages go.
    pub outputs: Vec<OutputOption>,
}

/// One `output_options` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputOption {
    /// `stdout`, `stderr`, `syslog`, `syslog:name` or a file name.
    pub output: String,
    /// Flush after every message (Kea's default: true).
    pub flush: bool,
    /// Rotate a file once it would grow past this many bytes; below
    /// Kea's minimum of 204800 (0 included) rotation is off.
    pub maxsize: u64,
    /// Rotated files kept (at least 1).
    pub maxver: u32,
    /// The line layout; `None` (or empty) for the output type's default.
    pub pattern: Option<String>,
}

/// Kea's default `maxsize`.
pub const DEFAULT_MAXSIZE: u64 = 10_240_000;

const SEVERITIES: &[&str] = &["FATAL", "ERROR", "WARN", "INFO", "DEBUG", "NONE"];

/// Read the `loggers` list.
pub fn read(v: &Value, path: &str, ctx: &mut Ctx) -> Vec<Logger> {
    let Some(items) = ctx.list(v, path) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let p = diag::index(path, i);
        let Some(m) = ctx.map(item, &p, "loggers", keys::LOGGER) else {
            continue;
        };
        let Some(name) = m.str(ctx, "name") else {
            if !m.has("name") {
                ctx.err(&item.pos, &p, "logger needs a 'name'");
            }
            continue;
        };
        let mut l = Logger {
            name,
            severity: m
                .choice(ctx, "severity", SEVERITIES)
                .unwrap_or_else(|| "INFO".into()),
            debuglevel: m.int(ctx, "debuglevel", 0, 99).unwrap_or(0) as u8,
            outputs: Vec::new(),
        };
        let key = if m.has("output-options") {
            "output-options"
        } else {
            "output_options"
        };
        if let Some(list) = m.list(ctx, key) {
            for (j, o) in list.iter().enumerate() {
                let op = diag::index(&m.key_path(key), j);
                if let Some(om) = ctx.map(o, &op, "output_options", keys::LOG_OUTPUT) {
                    let flush = om.bool(ctx, "flush").unwrap_or(true);
                    let maxsize = om.u32(ctx, "maxsize").map_or(DEFAULT_MAXSIZE, u64::from);
                    let maxver = om.u32(ctx, "maxver").unwrap_or(1).max(1);
                    let pattern = om.str(ctx, "pattern").filter(|p| !p.is_empty());
                    match om.str(ctx, "output") {
                        Some(output) => l.outputs.push(OutputOption {
                            output,
                            flush,
                            maxsize,
                            maxver,
                            pattern,
                        }),
                        None if !om.has("output") => {
                            ctx.err(&o.pos, &op, "output_options entry needs 'output'")
                        }
                        None => {}
                    }
                }
            }
        }
        out.push(l);
    }
    out
}
