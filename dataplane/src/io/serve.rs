//! Serving DHCPv4 on one interface over a chosen backend: the sockets,
//! one worker thread per socket, and the loop they share (process a batch,
//! spin briefly when idle, then sleep in `poll`).

use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{SystemTime, UNIX_EPOCH};

use super::raw::RawSocket;
use super::udp::UdpSocket;
use super::xdp::{AttachMode, ModePolicy, Ports, SteeringProgram, XdpSocket, XskConfig};
use crate::config::Config4;
use crate::engine::v4::Engine4;
use crate::lease::{Lease4, LeaseStore};
use crate::stats::Counters4;
use crate::worker::{answer_v4, answer_v4_datagram, Link};

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
    /// One AF_PACKET socket with the DHCPv4 socket filter.
    Raw,
    /// One UDP socket on port 67.
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

/// One socket a worker drives: a batch step and an idle wait.
trait Port: Send + 'static {
    /// Answers one batch; returns how many messages were received.
    fn step(&mut self, engine: &Engine4<'_>, link: &Link, now: u32) -> usize;
    /// Sleeps until input arrives or `timeout_ms` passes.
    fn idle(&self, timeout_ms: i32);
}

impl Port for XdpSocket {
    fn step(&mut self, engine: &Engine4<'_>, link: &Link, now: u32) -> usize {
        self.process(|rx, tx| answer_v4(engine, link, rx, tx, now))
    }
    fn idle(&self, timeout_ms: i32) {
        self.wait(timeout_ms);
    }
}

impl Port for RawSocket {
    fn step(&mut self, engine: &Engine4<'_>, link: &Link, now: u32) -> usize {
        self.process(|rx, tx| answer_v4(engine, link, rx, tx, now))
    }
    fn idle(&self, timeout_ms: i32) {
        self.wait(timeout_ms);
    }
}

impl Port for UdpSocket {
    fn step(&mut self, engine: &Engine4<'_>, link: &Link, now: u32) -> usize {
        self.process(|rx, dst, tx| answer_v4_datagram(engine, link, rx, dst, tx, now))
    }
    fn idle(&self, timeout_ms: i32) {
        self.wait(timeout_ms);
    }
}

/// An interface being served; dropping it after [`Serving::stop`] detaches
/// the steering program, if any.
pub struct Serving {
    program: Option<SteeringProgram>,
    workers: Vec<JoinHandle<()>>,
    /// One counter line per worker, written only by that worker.
    counters: Vec<Arc<Counters4>>,
    stop: Arc<AtomicBool>,
}

impl Serving {
    /// Opens `backend`'s sockets on `link` and starts their workers: one
    /// per receive queue for AF_XDP, one for `raw` and `udp`.
    pub fn start(
        link: Link,
        backend: Backend,
        config: Arc<Config4>,
        leases: Arc<LeaseStore<Lease4>>,
    ) -> Result<Serving, ServeError> {
        let mut serving = Serving {
            program: None,
            workers: Vec::new(),
            counters: Vec::new(),
            stop: Arc::new(AtomicBool::new(false)),
        };
        let err = |e: &dyn fmt::Display| ServeError(format!("{}: {e}", link.name));
        match backend {
            Backend::Xdp(policy) => {
                let mut program = SteeringProgram::attach(&link.name, Ports::SERVER, policy)
                    .map_err(|e| err(&e))?;
                let mut sockets = Vec::new();
                for queue in 0..super::link::rx_queues(&link.name) {
                    let socket = XdpSocket::open(&link.name, queue, &XskConfig::default())
                        .map_err(|e| err(&e))?;
                    program.register(queue, &socket).map_err(|e| err(&e))?;
                    sockets.push(socket);
                }
                serving.program = Some(program);
                for socket in sockets {
                    serving.spawn(socket, &link, &config, &leases);
                }
            }
            Backend::Raw => {
                let socket = RawSocket::open(&link.name).map_err(|e| err(&e))?;
                serving.spawn(socket, &link, &config, &leases);
            }
            Backend::Udp => {
                let socket = UdpSocket::open(&link.name).map_err(|e| err(&e))?;
                serving.spawn(socket, &link, &config, &leases);
            }
        }
        Ok(serving)
    }

    fn spawn(
        &mut self,
        mut port: impl Port,
        link: &Link,
        config: &Arc<Config4>,
        leases: &Arc<LeaseStore<Lease4>>,
    ) {
        let counters = Arc::new(Counters4::default());
        self.counters.push(counters.clone());
        let (config, leases, link, stop) = (
            config.clone(),
            leases.clone(),
            link.clone(),
            self.stop.clone(),
        );
        self.workers.push(std::thread::spawn(move || {
            let engine = Engine4 {
                config: &config,
                leases: &leases,
                stats: Some(&counters),
            };
            let mut idle = 0u32;
            while !stop.load(Ordering::Relaxed) {
                let now = SystemTime::now()
                    .duration_since(UNIX_EPOCH)
                    .map_or(0, |d| d.as_secs() as u32);
                if port.step(&engine, &link, now) > 0 {
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

    /// The workers' packet counters, for the statistics.
    pub fn counters(&self) -> &[Arc<Counters4>] {
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
