//! Serving DHCPv4 on one interface over AF_XDP: the steering program, one
//! socket per receive queue and one worker thread per socket.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{SystemTime, UNIX_EPOCH};

use super::{AttachMode, ModePolicy, Ports, SteeringProgram, XdpError, XdpSocket, XskConfig};
use crate::config::Config4;
use crate::engine::v4::Engine4;
use crate::lease::{Lease4, LeaseStore};
use crate::worker::{answer_v4, Link};

/// Empty polls of the rings before an idle worker sleeps in `poll`.
const SPIN_BEFORE_SLEEP: u32 = 2000;

/// An interface being served; dropping it after [`Serving::stop`] detaches
/// the program.
pub struct Serving {
    program: SteeringProgram,
    workers: Vec<JoinHandle<()>>,
    stop: Arc<AtomicBool>,
}

impl Serving {
    /// Attaches to `link` and starts one worker per queue.
    pub fn start(
        link: Link,
        queues: u32,
        policy: ModePolicy,
        config: Arc<Config4>,
        leases: Arc<LeaseStore<Lease4>>,
    ) -> Result<Serving, XdpError> {
        let mut program = SteeringProgram::attach(&link.name, Ports::SERVER, policy)?;
        let stop = Arc::new(AtomicBool::new(false));
        let mut workers = Vec::new();
        for queue in 0..queues {
            let socket = XdpSocket::open(&link.name, queue, &XskConfig::default())?;
            program.register(queue, &socket)?;
            let (config, leases, link, stop) =
                (config.clone(), leases.clone(), link.clone(), stop.clone());
            workers.push(std::thread::spawn(move || {
                let mut socket = socket;
                let engine = Engine4 {
                    config: &config,
                    leases: &leases,
                };
                let mut idle = 0u32;
                while !stop.load(Ordering::Relaxed) {
                    let now = SystemTime::now()
                        .duration_since(UNIX_EPOCH)
                        .map_or(0, |d| d.as_secs() as u32);
                    if socket.process(|rx, tx| answer_v4(&engine, &link, rx, tx, now)) > 0 {
                        idle = 0;
                    } else if idle < SPIN_BEFORE_SLEEP {
                        // Under load the next frame is microseconds away:
                        // polling the rings beats a sleep and a wake-up.
                        idle += 1;
                        std::hint::spin_loop();
                    } else {
                        socket.wait(100);
                    }
                }
            }));
        }
        Ok(Serving {
            program,
            workers,
            stop,
        })
    }

    /// The mode the steering program is attached in.
    pub fn mode(&self) -> &AttachMode {
        self.program.mode()
    }

    /// The steering program, for its counters.
    pub fn program(&self) -> &SteeringProgram {
        &self.program
    }

    /// Stops the workers and waits for them.
    pub fn stop(self) {
        self.stop.store(true, Ordering::Relaxed);
        for w in self.workers {
            let _ = w.join();
        }
    }
}
