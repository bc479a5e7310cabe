//! Kea-style logging: the `loggers` configuration (names such as
//! `kea-dhcp4.leases`, severity and debuglevel, outputs to stdout, stderr,
//! syslog or rotated files, log4cplus patterns), Kea's line layout and
//! message ids, and the forensic log of the legal_log hook.
//!
//! Nothing that logs waits for an output. Messages and lease events go
//! into one bounded queue drained by a logger thread; the packet workers
//! only ever `try_send` a fixed-size lease event, so a full queue drops
//! (and counts) instead of stalling them.

mod format;
mod lease;
pub mod legal;
mod output;
mod time;

use std::sync::atomic::{AtomicBool, AtomicU16, AtomicU64, Ordering};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender, TrySendError};
use std::sync::{Arc, OnceLock, RwLock};

use xdhcp_dataplane::events::{Family, LeaseEvent4, LeaseEvent6, LeaseEventKind, LeaseEvents};

use crate::config::hooks::Hook;
use crate::config::logging::{Logger, OutputOption};
use crate::config::{Config, Server};
use format::{Message, Pattern, DEFAULT_PATTERN, SYSLOG_PATTERN};
use legal::{LegalConfig, LegalLog};
use output::Output;

/// Records the queue holds; beyond, lease events are dropped and counted.
const QUEUE: usize = 8192;
/// Lines written out together at most, so a busy queue still gets out.
const BATCH: usize = 256;

/// A message's severity, least severe first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// Debugging detail, filtered further by debug level.
    Debug,
    /// An event worth noting.
    Info,
    /// Something out of the ordinary.
    Warn,
    /// An error; the server goes on.
    Error,
    /// The server cannot go on.
    Fatal,
}

impl Severity {
    /// Kea's name.
    pub fn name(self) -> &'static str {
        match self {
            Severity::Debug => "DEBUG",
            Severity::Info => "INFO",
            Severity::Warn => "WARN",
            Severity::Error => "ERROR",
            Severity::Fatal => "FATAL",
        }
    }

    fn parse(s: &str) -> Option<Severity> {
        [
            Severity::Debug,
            Severity::Info,
            Severity::Warn,
            Severity::Error,
            Severity::Fatal,
        ]
        .into_iter()
        .find(|v| v.name() == s)
    }
}

/// What logging a configuration asks for.
#[derive(Debug, Clone, Default)]
pub struct Setup {
    /// The `loggers` of every server section.
    pub loggers: Vec<Logger>,
    /// `-d`: every logger, configured or not, at DEBUG, debuglevel 99.
    pub debug: bool,
    /// Forensic logging of DHCPv4 leases, when `Dhcp4` loads the
    /// legal_log hook.
    pub legal4: Option<LegalConfig>,
    /// Forensic logging of DHCPv6 leases, when `Dhcp6` loads it (Kea's
    /// manual asks for distinct file names).
    pub legal6: Option<LegalConfig>,
}

impl Setup {
    /// The logging `config` asks for.
    pub fn of(config: &Config, debug: bool) -> Result<Setup, String> {
        let servers = [&config.dhcp4, &config.dhcp6];
        let loggers = servers
            .iter()
            .filter_map(|s| s.as_ref())
            .flat_map(|s| s.loggers.iter().cloned())
            .collect();
        let legal = |server: &Option<Server>| {
            server
                .as_ref()
                .and_then(|s| s.hooks.iter().find(|h| h.hook == Hook::LegalLog))
                .map(|h| LegalConfig::from_parameters(h.parameters.as_deref()))
                .transpose()
        };
        Ok(Setup {
            loggers,
            debug,
            legal4: legal(&config.dhcp4)?,
            legal6: legal(&config.dhcp6)?,
        })
    }
}

/// One configured logger, ready to decide.
struct Route {
    name: String,
    /// Lowest severity passed and highest debug level; `None` for NONE.
    level: Option<(Severity, u8)>,
    /// Indexes into the outputs, each with its pattern.
    outputs: Vec<(usize, Pattern)>,
}

impl Route {
    fn accepts(&self, severity: Severity, debuglevel: u8) -> bool {
        self.level.is_some_and(|(min, max)| {
            severity >= min && (severity != Severity::Debug || debuglevel <= max)
        })
    }

    fn covers(&self, logger: &str) -> bool {
        self.name.is_empty()
            || logger == self.name
            || (logger.starts_with(&self.name) && logger.as_bytes()[self.name.len()] == b'.')
    }
}

/// Every route, most specific name first; the last one catches the rest
/// (Kea's default: INFO to standard output).
struct Routes(Vec<Route>);

impl Routes {
    /// The route deciding for `logger`: the longest configured name that is
    /// it or one of its ancestors. Kea's configured loggers do not add up:
    /// a message goes to that one logger's outputs only.
    fn of(&self, logger: &str) -> &Route {
        self.0
            .iter()
            .find(|r| r.covers(logger))
            .unwrap_or(&self.0[self.0.len() - 1])
    }

    fn enabled(&self, logger: &str, severity: Severity, debuglevel: u8) -> bool {
        self.of(logger).accepts(severity, debuglevel)
    }

    /// The lease events (per family and kind) some route or the forensic
    /// log listens to.
    fn lease_mask(&self, legal4: bool, legal6: bool) -> u16 {
        use LeaseEventKind::*;
        let kinds = [Offer, Allocate, Renew, Release, Decline, Nak, InitReboot];
        let mut mask = 0;
        for k in kinds {
            // The forensic log records what was committed or given up.
            let forensic = matches!(k, Allocate | Renew | Release | Decline);
            let (logger, severity, level) = lease::route(k);
            if (forensic && legal4) || self.enabled(logger, severity, level) {
                mask |= k.bit(Family::V4);
            }
            let (logger, severity, level) = lease::ROUTE6;
            let v6 = !matches!(k, Nak | InitReboot);
            if v6 && ((forensic && legal6) || self.enabled(logger, severity, level)) {
                mask |= k.bit(Family::V6);
            }
        }
        mask
    }
}

/// What the logger thread writes with.
struct State {
    routes: Arc<Routes>,
    outputs: Vec<Output>,
    legal4: Option<LegalLog>,
    legal6: Option<LegalLog>,
}

impl State {
    /// Opens every output `setup` names; an output that cannot be opened
    /// is an error, as in Kea.
    fn open(setup: &Setup) -> Result<State, String> {
        let mut outputs: Vec<(String, Output)> = Vec::new();
        let mut routes = Vec::new();
        let mut output = |o: &OutputOption| -> Result<usize, String> {
            if let Some(i) = outputs.iter().position(|(name, _)| *name == o.output) {
                return Ok(i);
            }
            let opened = Output::open(o).map_err(|e| format!("log output {}: {e}", o.output))?;
            outputs.push((o.output.clone(), opened));
            Ok(outputs.len() - 1)
        };
        // Kea's default output, also of a logger that names none.
        let stdout = OutputOption {
            output: "stdout".into(),
            flush: true,
            maxsize: 0,
            maxver: 1,
            pattern: None,
        };
        for l in &setup.loggers {
            let level = match (setup.debug, l.severity.as_str()) {
                (true, _) => Some((Severity::Debug, 99)),
                (false, "NONE") => None,
                (false, s) => Severity::parse(s).map(|s| (s, l.debuglevel)),
            };
            let given = if l.outputs.is_empty() {
                std::slice::from_ref(&stdout)
            } else {
                &l.outputs
            };
            let mut outs = Vec::new();
            for o in given {
                outs.push((output(o)?, o));
            }
            routes.push((l.name.clone(), level, outs));
        }
        let default = output(&stdout)?;
        let outputs: Vec<Output> = outputs.into_iter().map(|(_, o)| o).collect();
        let mut built: Vec<Route> = routes
            .into_iter()
            .map(|(name, level, outs)| Route {
                name,
                level,
                outputs: outs
                    .into_iter()
                    .map(|(i, o)| (i, pattern_for(&outputs[i], o.pattern.as_deref())))
                    .collect(),
            })
            .collect();
        built.sort_by_key(|r| std::cmp::Reverse(r.name.len()));
        built.push(Route {
            name: String::new(),
            level: Some(if setup.debug {
                (Severity::Debug, 99)
            } else {
                (Severity::Info, 0)
            }),
            outputs: vec![(default, pattern_for(&outputs[default], None))],
        });
        Ok(State {
            routes: Arc::new(Routes(built)),
            outputs,
            legal4: setup.legal4.clone().map(LegalLog::new),
            legal6: setup.legal6.clone().map(LegalLog::new),
        })
    }

    fn write(&mut self, m: &Message<'_>) {
        let route = self.routes.of(m.logger);
        let mut line = String::with_capacity(160);
        for (i, pattern) in &route.outputs {
            line.clear();
            pattern.render(m, &mut line);
            // A failing output has nowhere to report to but stderr.
            if let Err(e) = self.outputs[*i].write(m.severity, &line) {
                eprintln!("xdhcp: log output failed: {e}");
            }
        }
    }

    fn lease(&mut self, e: &LeaseEvent4) {
        self.event(lease::route(e.kind), e.at_us, e.thread, || {
            lease::message(e)
        });
        if let Some(entry) = legal::entry(e) {
            let id = "LEGAL_LOG_LEASE4_WRITE_ERROR";
            self.forensic(false, e.at_us, e.thread, &entry, id);
        }
    }

    fn lease6(&mut self, e: &LeaseEvent6) {
        self.event(lease::ROUTE6, e.at_us, e.thread, || lease::message6(e));
        if let Some(entry) = legal::entry6(e) {
            let id = "LEGAL_LOG_LEASE6_WRITE_ERROR";
            self.forensic(true, e.at_us, e.thread, &entry, id);
        }
    }

    /// Logs a lease event's Kea message, if its logger takes it.
    fn event(
        &mut self,
        (logger, severity, level): (&'static str, Severity, u8),
        at_us: u64,
        thread: u64,
        message: impl FnOnce() -> (&'static str, String),
    ) {
        if self.routes.enabled(logger, severity, level) {
            let (id, text) = message();
            self.write(&Message {
                at_us,
                severity,
                logger,
                thread,
                id,
                text: &text,
            });
        }
    }

    /// Appends a forensic line to the DHCPv4 or DHCPv6 file, when that
    /// server loads the hook; a failure is logged with Kea's id `failure`.
    fn forensic(&mut self, v6: bool, at_us: u64, thread: u64, entry: &str, failure: &'static str) {
        let (log, logger) = if v6 {
            (self.legal6.as_mut(), "kea-dhcp6.legal-log-hooks")
        } else {
            (self.legal4.as_mut(), "kea-dhcp4.legal-log-hooks")
        };
        let Some(log) = log else { return };
        let Err(err) = log.write(at_us, entry) else {
            return;
        };
        let text = format!(
            "could not write to the forensic log file {}: {err}",
            log.file_name(at_us).display()
        );
        self.write(&Message {
            at_us,
            severity: Severity::Error,
            logger,
            thread,
            id: failure,
            text: &text,
        });
    }

    /// Everything written so far, out now.
    fn flush(&mut self) {
        for o in &mut self.outputs {
            let _ = o.flush();
        }
    }

    /// The queue ran dry: outputs that flush push their lines out.
    fn end_batch(&mut self) {
        for o in &mut self.outputs {
            let _ = o.end_batch();
        }
    }
}

/// The pattern of an output: the configured one, or the default of its type.
fn pattern_for(output: &Output, configured: Option<&str>) -> Pattern {
    let default = if output.is_syslog() {
        SYSLOG_PATTERN
    } else {
        DEFAULT_PATTERN
    };
    Pattern::new(configured.unwrap_or(default))
}

/// A control-plane message, formatted where it was logged.
struct Line {
    at_us: u64,
    thread: u64,
    severity: Severity,
    logger: &'static str,
    id: String,
    text: String,
}

// Lease events travel inline: boxing them would allocate on the hot path.
#[allow(clippy::large_enum_variant)]
enum Record {
    Line(Box<Line>),
    Lease(LeaseEvent4),
    Lease6(LeaseEvent6),
    /// A forensic line of a control command, for the v6 file or the v4 one.
    Forensic {
        v6: bool,
        at_us: u64,
        entry: String,
    },
    Reconfigure(Box<State>),
    Flush(SyncSender<()>),
}

/// What every logging thread shares.
struct Shared {
    tx: SyncSender<Record>,
    routes: RwLock<Arc<Routes>>,
    lease_mask: AtomicU16,
    dropped: AtomicU64,
}

static SHARED: OnceLock<Shared> = OnceLock::new();

fn shared() -> &'static Shared {
    SHARED.get_or_init(|| {
        let (tx, rx) = sync_channel(QUEUE);
        // The default (INFO to stdout) cannot fail to open.
        let state = State::open(&Setup::default()).expect("standard output");
        let routes = state.routes.clone();
        std::thread::Builder::new()
            .name("xdhcp-log".into())
            .spawn(move || drain(rx, state))
            .expect("spawning the logger thread");
        Shared {
            tx,
            lease_mask: AtomicU16::new(routes.lease_mask(false, false)),
            routes: RwLock::new(routes),
            dropped: AtomicU64::new(0),
        }
    })
}

/// The logger thread: write records as they come, flush when the queue
/// runs dry, and say when lease events were dropped.
fn drain(rx: Receiver<Record>, mut state: State) {
    let mut reported = 0;
    while let Ok(first) = rx.recv() {
        let mut next = Some(first);
        let mut batch = 0;
        while let Some(record) = next {
            match record {
                Record::Line(l) => state.write(&Message {
                    at_us: l.at_us,
                    severity: l.severity,
                    logger: l.logger,
                    thread: l.thread,
                    id: &l.id,
                    text: &l.text,
                }),
                Record::Lease(e) => state.lease(&e),
                Record::Lease6(e) => state.lease6(&e),
                Record::Forensic { v6, at_us, entry } => {
                    let thread = xdhcp_dataplane::events::thread_id();
                    let id = "LEGAL_LOG_COMMAND_WRITE_ERROR";
                    state.forensic(v6, at_us, thread, &entry, id);
                }
                Record::Reconfigure(s) => {
                    state.flush();
                    state = *s;
                }
                Record::Flush(done) => {
                    state.flush();
                    let _ = done.send(());
                }
            }
            batch += 1;
            if batch == BATCH {
                // Under sustained load the queue never runs dry: write out
                // every so many lines all the same.
                state.end_batch();
                batch = 0;
            }
            next = rx.try_recv().ok();
        }
        state.end_batch();
        let dropped = SHARED
            .get()
            .map_or(0, |s| s.dropped.load(Ordering::Relaxed));
        if dropped > reported {
            let text = format!(
                "{} lease event(s) not logged: the log queue was full",
                dropped - reported
            );
            reported = dropped;
            state.write(&Message {
                at_us: time::now_us(),
                severity: Severity::Warn,
                logger: "kea-dhcp4.dhcp4",
                thread: xdhcp_dataplane::events::thread_id(),
                id: "XDHCP_LOG_DROPPED",
                text: &text,
            });
            state.end_batch();
        }
    }
}

/// `-d` as given at start, kept for reconfigurations.
static DEBUG: AtomicBool = AtomicBool::new(false);

/// Applies a configuration's logging: opens its outputs (an error names
/// the one that failed) and routes every later message by it.
pub fn configure(setup: &Setup) -> Result<(), String> {
    DEBUG.store(setup.debug, Ordering::Relaxed);
    let state = State::open(setup)?;
    let s = shared();
    let routes = state.routes.clone();
    s.lease_mask.store(
        routes.lease_mask(setup.legal4.is_some(), setup.legal6.is_some()),
        Ordering::Relaxed,
    );
    *s.routes.write().unwrap_or_else(|e| e.into_inner()) = routes;
    let _ = s.tx.send(Record::Reconfigure(Box::new(state)));
    Ok(())
}

/// Applies the logging of a configuration installed by a reload, with
/// the `-d` given at start.
pub fn reconfigure(config: &Config) -> Result<(), String> {
    configure(&Setup::of(config, DEBUG.load(Ordering::Relaxed))?)
}

/// Logs one message of Kea's shape: `logger` such as `kea-dhcp4.dhcp4`,
/// Kea's message `id`, then the text. Debug messages pass `debuglevel`.
pub fn emit(
    severity: Severity,
    debuglevel: u8,
    logger: &'static str,
    id: &str,
    text: impl Into<String>,
) {
    let s = shared();
    let enabled = s
        .routes
        .read()
        .unwrap_or_else(|e| e.into_inner())
        .enabled(logger, severity, debuglevel);
    if !enabled {
        return;
    }
    let line = Line {
        at_us: time::now_us(),
        thread: xdhcp_dataplane::events::thread_id(),
        severity,
        logger,
        id: id.to_string(),
        text: text.into(),
    };
    // Control-plane messages are rare: wait for room rather than lose one.
    let _ = s.tx.send(Record::Line(Box::new(line)));
}

/// [`emit`] at INFO.
pub fn info(logger: &'static str, id: &str, text: impl Into<String>) {
    emit(Severity::Info, 0, logger, id, text);
}

/// [`emit`] at WARN.
pub fn warn(logger: &'static str, id: &str, text: impl Into<String>) {
    emit(Severity::Warn, 0, logger, id, text);
}

/// [`emit`] at ERROR.
pub fn error(logger: &'static str, id: &str, text: impl Into<String>) {
    emit(Severity::Error, 0, logger, id, text);
}

/// Records a lease control command that succeeded in the forensic log,
/// as Kea's legal_log hook does ("Administrator added a lease ...").
pub fn command_processed(command: &str, args: &serde_json::Map<String, serde_json::Value>) {
    if let Some((v6, entry)) = legal::command_entry(command, args) {
        let at_us = time::now_us();
        let _ = shared().tx.send(Record::Forensic { v6, at_us, entry });
    }
}

/// Waits until everything logged so far is written out.
pub fn flush() {
    let (done, wait) = sync_channel(1);
    if shared().tx.send(Record::Flush(done)).is_ok() {
        let _ = wait.recv();
    }
}

/// Lease events dropped because the queue was full.
pub fn dropped() -> u64 {
    shared().dropped.load(Ordering::Relaxed)
}

/// The workers' lease-event sink: a non-blocking push into the log queue.
pub struct LeaseSink;

impl LeaseEvents for LeaseSink {
    fn wants(&self, family: Family, kind: LeaseEventKind) -> bool {
        shared().lease_mask.load(Ordering::Relaxed) & kind.bit(family) != 0
    }

    fn record(&self, event: &LeaseEvent4) {
        push(Record::Lease(*event));
    }

    fn record6(&self, event: &LeaseEvent6) {
        push(Record::Lease6(*event));
    }
}

/// Queues a worker's record, or counts it as dropped when the queue is full.
fn push(record: Record) {
    let s = shared();
    if let Err(TrySendError::Full(_)) = s.tx.try_send(record) {
        s.dropped.fetch_add(1, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn logger(name: &str, severity: &str, debuglevel: u8) -> Logger {
        Logger {
            name: name.into(),
            severity: severity.into(),
            debuglevel,
            outputs: vec![OutputOption {
                output: "stderr".into(),
                flush: true,
                maxsize: 0,
                maxver: 1,
                pattern: None,
            }],
        }
    }

    #[test]
    fn the_most_specific_logger_decides() {
        let setup = Setup {
            loggers: vec![
                logger("kea-dhcp4", "WARN", 0),
                logger("kea-dhcp4.leases", "INFO", 0),
                logger("kea-dhcp4.bad-packets", "DEBUG", 50),
                logger("kea-dhcp4.packets", "NONE", 0),
                Logger {
                    outputs: Vec::new(),
                    ..logger("kea-dhcp4.ddns", "INFO", 0)
                },
            ],
            ..Setup::default()
        };
        let routes = State::open(&setup).unwrap().routes;
        // A logger without outputs writes to stdout, as Kea's does.
        assert_eq!(routes.of("kea-dhcp4.ddns").outputs.len(), 1);
        assert!(routes.enabled("kea-dhcp4.leases", Severity::Info, 0));
        assert!(!routes.enabled("kea-dhcp4.dhcp4", Severity::Info, 0));
        assert!(routes.enabled("kea-dhcp4.dhcp4", Severity::Warn, 0));
        assert!(routes.enabled("kea-dhcp4.bad-packets", Severity::Debug, 50));
        assert!(!routes.enabled("kea-dhcp4.bad-packets", Severity::Debug, 51));
        assert!(!routes.enabled("kea-dhcp4.packets", Severity::Fatal, 0));
        // A name that merely starts like a configured one is not its child.
        assert!(routes.enabled("kea-dhcp4.leasesx", Severity::Warn, 0));
        assert!(!routes.enabled("kea-dhcp4.leasesx", Severity::Info, 0));
        // Unconfigured roots keep Kea's default, INFO.
        assert!(routes.enabled("kea-dhcp6.leases", Severity::Info, 0));
        use LeaseEventKind::*;
        let bits =
            |family, kinds: &[LeaseEventKind]| kinds.iter().fold(0, |m, k| m | k.bit(family));
        let all = [Offer, Allocate, Renew, Release, Decline, Nak, InitReboot];
        assert_eq!(
            routes.lease_mask(false, false),
            bits(Family::V4, &all) | bits(Family::V6, &all[..5])
        );
        let quiet = Setup {
            loggers: vec![
                logger("kea-dhcp4", "WARN", 0),
                logger("kea-dhcp6", "WARN", 0),
            ],
            ..Setup::default()
        };
        let routes = State::open(&quiet).unwrap().routes;
        assert_eq!(
            routes.lease_mask(false, false),
            0,
            "nothing listens: no events"
        );
        let committed = [Allocate, Renew, Release, Decline];
        assert_eq!(routes.lease_mask(true, false), bits(Family::V4, &committed));
        assert_eq!(routes.lease_mask(false, true), bits(Family::V6, &committed));
    }

    #[test]
    fn a_full_queue_drops_and_counts_and_never_waits() {
        let dir = std::env::temp_dir().join(format!("xdhcp-log-queue-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("leases.log");
        let mut leases = logger("kea-dhcp4.leases", "INFO", 0);
        leases.outputs[0].output = file.to_string_lossy().into_owned();
        configure(&Setup {
            loggers: vec![leases],
            ..Setup::default()
        })
        .unwrap();
        let event = LeaseEvent4 {
            kind: LeaseEventKind::Allocate,
            addr: std::net::Ipv4Addr::new(192, 0, 2, 1),
            ciaddr: std::net::Ipv4Addr::UNSPECIFIED,
            lifetime: 3600,
            xid: 1,
            hw: xdhcp_dataplane::lease::HwAddr::new(1, &[2, 0, 0, 0, 0, 1]).unwrap(),
            client_id: xdhcp_dataplane::events::ShortId::EMPTY,
            giaddr: std::net::Ipv4Addr::UNSPECIFIED,
            circuit_id: xdhcp_dataplane::events::ShortId::EMPTY,
            remote_id: xdhcp_dataplane::events::ShortId::EMPTY,
            subscriber_id: xdhcp_dataplane::events::ShortId::EMPTY,
            thread: 0,
            at_us: 0,
        };
        let sink = LeaseSink;
        assert!(sink.wants(Family::V4, LeaseEventKind::Allocate));
        // Four queues' worth as fast as a worker could: some are dropped.
        let pushed = 4 * QUEUE as u64;
        let before = dropped();
        for _ in 0..pushed {
            sink.record(&event);
        }
        flush();
        let lost = dropped() - before;
        let written = std::fs::read_to_string(&file).unwrap().lines().count() as u64;
        assert!(lost > 0, "the queue never filled");
        assert_eq!(written + lost, pushed, "every event written or counted");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
