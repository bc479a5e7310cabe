//! Serving DHCPv4 and DHCPv6 on one interface over a chosen backend: the
//! sockets, one worker thread per socket, and the loop they share (process
//! a batch, spin briefly when idle, then sleep in `poll`).

use std::fmt;
use std::net::{IpAddr, SocketAddr};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use super::capture::{self, CaptureFile, Tap};
use super::raw::RawSocket;
use super::udp::{self, UdpSocket};
use super::xdp::{AttachMode, ModePolicy, Ports, SteeringProgram, XdpSocket, XskConfig};
use crate::config::{Config4, Config6, Live};
use crate::engine::v4::Engine4;
use crate::engine::v6::Engine6;
use crate::events::{Family, LeaseEvents};
use crate::frame::Frame;
use crate::lease::{Lease4, Lease6, LeaseStore};
use crate::stats::{Latency, Stats4, Stats6};
use crate::wire::v4::SERVER_PORT;
use crate::worker::{
    answer_v4, answer_v4_datagram, answer_v6, answer_v6_datagram, Link, Link6, SERVER_PORT_V6,
};

/// Empty polls of the socket before an idle worker sleeps in `poll`.
const SPIN_BEFORE_SLEEP: u32 = 2000;
/// Longest sleep of an idle worker, so it notices a stop request.
const IDLE_WAIT_MS: i32 = 100;

/// Which packet backend serves an interface (Kea's `dhcp-socket-type`,
/// plus `xdp`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// AF_XDP sockets, one per receive queue, fed by the steering program.
    Xdp(ModePolicy),
    /// One AF_PACKET socket whose filter takes the families served.
    Raw,
    /// One UDP socket per family served, on port 67 or 547.
    Udp,
}

/// Why an interface could not be served.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServeError(pub String);

impl fmt::Display for ServeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ServeError {}

/// What a worker answers with: the engine of each family it serves, and
/// the tap an operator's capture reads.
struct Engines<'a> {
    v4: Option<(Engine4<'a>, &'a Link)>,
    v6: Option<(Engine6<'a>, &'a Link6)>,
    tap: Option<&'a Tap>,
}

impl Engines<'_> {
    /// Answers a layer-2 frame with whichever family's engine it is for.
    /// When the socket is `overloaded`, new clients' first messages are
    /// dropped unanswered so that exchanges already under way complete.
    fn answer_frame(&self, rx: &[u8], tx: &mut [u8], now: u32, overloaded: bool) -> Option<usize> {
        if let Some(tap) = &self.tap {
            tap.record(rx);
        }
        if overloaded && self.shed(rx) {
            return None;
        }
        let v4 = self
            .v4
            .as_ref()
            .and_then(|(e, link)| answer_v4(e, link, rx, tx, now));
        let len = v4.or_else(|| {
            let (e, link) = self.v6.as_ref()?;
            answer_v6(e, link, rx, tx, now)
        })?;
        if let Some(tap) = &self.tap {
            tap.record(&tx[..len]);
        }
        Some(len)
    }
}

impl Engines<'_> {
    /// Whether `rx` is a DISCOVER or SOLICIT its engine drops under load.
    fn shed(&self, rx: &[u8]) -> bool {
        let Ok(f) = Frame::parse(rx) else {
            return false;
        };
        match f.addressing.dst_port {
            SERVER_PORT => self.v4.as_ref().is_some_and(|(e, _)| e.shed(f.payload)),
            SERVER_PORT_V6 => self.v6.as_ref().is_some_and(|(e, _)| e.shed(f.payload)),
            _ => false,
        }
    }
}

/// One socket a worker drives: a batch step and an idle wait.
trait Port: Send + 'static {
    /// Answers one batch; returns how many messages were received.
    fn step(&mut self, engines: &Engines<'_>, now: u32) -> usize;
    /// Sleeps until input arrives or `timeout_ms` passes.
    fn idle(&self, timeout_ms: i32);
}

impl Port for XdpSocket {
    fn step(&mut self, engines: &Engines<'_>, now: u32) -> usize {
        let overloaded = self.overloaded();
        self.process(|rx, tx| engines.answer_frame(rx, tx, now, overloaded))
    }
    fn idle(&self, timeout_ms: i32) {
        self.wait(timeout_ms);
    }
}

impl Port for RawSocket {
    fn step(&mut self, engines: &Engines<'_>, now: u32) -> usize {
        // The socket's backlog is not visible here; the kernel drops at
        // its receive buffer instead.
        self.process(|rx, tx| engines.answer_frame(rx, tx, now, false))
    }
    fn idle(&self, timeout_ms: i32) {
        self.wait(timeout_ms);
    }
}

impl Port for UdpSocket {
    fn step(&mut self, engines: &Engines<'_>, now: u32) -> usize {
        match self.family() {
            Family::V4 => {
                let Some((engine, link)) = &engines.v4 else {
                    return 0;
                };
                self.process(|rx, how, tx| {
                    let IpAddr::V4(dst) = how.dst else {
                        return None;
                    };
                    let (len, to) = answer_v4_datagram(engine, link, rx, dst, tx, now)?;
                    Some((
                        len,
                        udp::Reply {
                            to: to.into(),
                            from: None,
                        },
                    ))
                })
            }
            Family::V6 => {
                let Some((engine, link)) = &engines.v6 else {
                    return 0;
                };
                self.process(|rx, how, tx| {
                    let (SocketAddr::V6(src), IpAddr::V6(dst)) = (how.src, how.dst) else {
                        return None;
                    };
                    let (len, to, from) =
                        answer_v6_datagram(engine, link, rx, (src, dst), tx, now)?;
                    let from = Some(from.into());
                    Some((
                        len,
                        udp::Reply {
                            to: to.into(),
                            from,
                        },
                    ))
                })
            }
        }
    }
    fn idle(&self, timeout_ms: i32) {
        self.wait(timeout_ms);
    }
}

/// DHCPv4 on an interface: its link, configuration and leases.
#[derive(Clone)]
pub struct Dhcp4Service {
    /// The interface as DHCPv4 sees it.
    pub link: Link,
    /// The compiled `Dhcp4` section; a reload swaps it between batches.
    pub config: Arc<Live<Config4>>,
    /// The v4 leases.
    pub leases: Arc<LeaseStore<Lease4>>,
    /// Where the workers send lease events, if anywhere.
    pub events: Option<Arc<dyn LeaseEvents>>,
}

/// DHCPv6 on an interface.
#[derive(Clone)]
pub struct Dhcp6Service {
    /// The interface as DHCPv6 sees it.
    pub link: Link6,
    /// The compiled `Dhcp6` section; a reload swaps it between batches.
    pub config: Arc<Live<Config6>>,
    /// The v6 leases.
    pub leases: Arc<LeaseStore<Lease6>>,
    /// Where the workers send lease events, if anywhere.
    pub events: Option<Arc<dyn LeaseEvents>>,
}

/// What one worker counts, each part written only by that worker; the
/// control plane reads and sums them.
#[derive(Clone)]
pub struct WorkerCounters {
    /// DHCPv4 packets, subnets and pools (empty when v4 is not served).
    pub v4: Arc<Stats4>,
    /// DHCPv6 packets, subnets and pools (empty when v6 is not served).
    pub v6: Arc<Stats6>,
    /// Time from receiving a batch to sending its replies, per message.
    pub latency: Arc<Latency>,
}

/// An interface being served; dropping it after [`Serving::stop`] detaches
/// the steering program, if any.
pub struct Serving {
    program: Option<SteeringProgram>,
    workers: Vec<JoinHandle<()>>,
    counters: Vec<WorkerCounters>,
    /// The frame capture file, or why there is none.
    capture: Result<Arc<CaptureFile>, String>,
    stop: Arc<AtomicBool>,
}

impl Serving {
    /// Opens `backend`'s sockets on `link` and starts their workers: one
    /// per receive queue for AF_XDP, one for `raw` and for `udp`. The
    /// configuration is fixed for the life of the workers.
    pub fn start(
        link: Link,
        backend: Backend,
        config: Arc<Config4>,
        leases: Arc<LeaseStore<Lease4>>,
    ) -> Result<Serving, ServeError> {
        let name = link.name.clone();
        let v4 = Dhcp4Service {
            link,
            config: Arc::new(Live::new(config)),
            leases,
            events: None,
        };
        Serving::start_services(&name, backend, Some(v4), None)
    }

    /// Opens `backend`'s sockets on interface `name` and starts workers that
    /// answer the families given.
    pub fn start_services(
        name: &str,
        backend: Backend,
        v4: Option<Dhcp4Service>,
        v6: Option<Dhcp6Service>,
    ) -> Result<Serving, ServeError> {
        let mut serving = Serving {
            program: None,
            workers: Vec::new(),
            counters: Vec::new(),
            capture: Err(
                "the udp backend hands over datagrams, not frames: tcpdump sees them".into(),
            ),
            stop: Arc::new(AtomicBool::new(false)),
        };
        let err = |e: &dyn fmt::Display| ServeError(format!("{name}: {e}"));
        let families: Vec<Family> = [(v4.is_some(), Family::V4), (v6.is_some(), Family::V6)]
            .into_iter()
            .filter_map(|(served, f)| served.then_some(f))
            .collect();
        match backend {
            Backend::Xdp(policy) => {
                // A family served by another backend passes to the kernel
                // (port 0 matches no DHCP frame).
                let ports = Ports {
                    v4: if v4.is_some() { Ports::SERVER.v4 } else { 0 },
                    v6: if v6.is_some() { Ports::SERVER.v6 } else { 0 },
                };
                let mut program =
                    SteeringProgram::attach(name, ports, policy).map_err(|e| err(&e))?;
                let mut sockets = Vec::new();
                for queue in 0..super::link::rx_queues(name) {
                    let socket =
                        XdpSocket::open(name, queue, &XskConfig::default()).map_err(|e| err(&e))?;
                    program.register(queue, &socket).map_err(|e| err(&e))?;
                    sockets.push(socket);
                }
                serving.program = Some(program);
                serving.open_capture(name, sockets.len());
                for socket in sockets {
                    serving.spawn(socket, &v4, &v6);
                }
            }
            Backend::Raw => {
                let socket = RawSocket::open(name, &families).map_err(|e| err(&e))?;
                serving.open_capture(name, 1);
                serving.spawn(socket, &v4, &v6);
            }
            Backend::Udp => {
                // Both sockets are opened before either worker starts, so
                // a failure leaves nothing running.
                let sockets = families
                    .iter()
                    .map(|&f| UdpSocket::open(name, f).map_err(|e| err(&e)))
                    .collect::<Result<Vec<_>, _>>()?;
                for socket in sockets {
                    serving.spawn(socket, &v4, &v6);
                }
            }
        }
        Ok(serving)
    }

    /// Creates the capture file with one ring per worker to come.
    fn open_capture(&mut self, name: &str, workers: usize) {
        let path = capture::path(name);
        self.capture = CaptureFile::create(&path, workers)
            .map_err(|e| format!("cannot create {}: {e}", path.display()));
    }

    fn spawn(&mut self, mut port: impl Port, v4: &Option<Dhcp4Service>, v6: &Option<Dhcp6Service>) {
        let tap = self
            .capture
            .as_ref()
            .ok()
            .map(|c| c.tap(self.workers.len()));
        // Laid out for each configuration at the first batch that serves
        // it (`Scopes::follow`).
        let counters = WorkerCounters {
            v4: Arc::new(Stats4::default()),
            v6: Arc::new(Stats6::default()),
            latency: Arc::new(Latency::default()),
        };
        self.counters.push(counters.clone());
        let (v4, v6, stop) = (v4.clone(), v6.clone(), self.stop.clone());
        self.workers.push(std::thread::spawn(move || {
            let mut idle = 0u32;
            while !stop.load(Ordering::Relaxed) {
                let now = SystemTime::now()
                    .duration_since(UNIX_EPOCH)
                    .map_or(0, |d| d.as_secs() as u32);
                // One snapshot per batch: a reload takes effect at the next
                // batch, and frames waiting in the rings are answered by
                // whichever snapshot is current then, so none are lost.
                let (c4, c6) = (
                    v4.as_ref().map(|s| s.config.load()),
                    v6.as_ref().map(|s| s.config.load()),
                );
                if let Some(c) = c4.as_deref() {
                    counters.v4.scopes.follow(c);
                }
                if let Some(c) = c6.as_deref() {
                    counters.v6.scopes.follow(c);
                }
                let engines = Engines {
                    v4: v4.as_ref().zip(c4.as_deref()).map(|(s, config)| {
                        let engine = Engine4 {
                            config,
                            leases: &s.leases,
                            stats: Some(&counters.v4),
                            events: s.events.as_deref(),
                        };
                        (engine, &s.link)
                    }),
                    v6: v6.as_ref().zip(c6.as_deref()).map(|(s, config)| {
                        let engine = Engine6 {
                            config,
                            leases: &s.leases,
                            stats: Some(&counters.v6),
                            events: s.events.as_deref(),
                        };
                        (engine, &s.link)
                    }),
                    tap: tap.as_ref(),
                };
                let started = Instant::now();
                let received = port.step(&engines, now);
                if received > 0 {
                    let us = started.elapsed().as_micros() as u64;
                    counters.latency.observe(us, received as u64);
                    idle = 0;
                } else if idle < SPIN_BEFORE_SLEEP {
                    // Under load the next message is microseconds away:
                    // polling again beats a sleep and a wake-up.
                    idle += 1;
                    std::hint::spin_loop();
                } else {
                    port.idle(IDLE_WAIT_MS);
                }
            }
        }));
    }

    /// The workers' counters, for the statistics.
    pub fn counters(&self) -> &[WorkerCounters] {
        &self.counters
    }

    /// How many worker threads serve the interface.
    pub fn workers(&self) -> usize {
        self.workers.len()
    }

    /// The mode the steering program is attached in (AF_XDP only).
    pub fn mode(&self) -> Option<&AttachMode> {
        self.program.as_ref().map(SteeringProgram::mode)
    }

    /// The file `xdhcp capture` reads this interface's frames from, or why
    /// there is none.
    pub fn capture(&self) -> Result<&Path, &str> {
        match &self.capture {
            Ok(c) => Ok(c.path()),
            Err(why) => Err(why),
        }
    }

    /// The steering program, for its counters (AF_XDP only).
    pub fn program(&self) -> Option<&SteeringProgram> {
        self.program.as_ref()
    }

    /// Stops the workers and waits for them.
    pub fn stop(self) {
        self.stop.store(true, Ordering::Relaxed);
        for w in self.workers {
            let _ = w.join();
        }
    }
}
