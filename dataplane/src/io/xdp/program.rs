//! Loading the steering program (xdp-prog/dhcp_steer.c) and attaching it.

use std::fmt;
use std::os::fd::AsRawFd;

use aya::maps::{MapData, PerCpuArray, XskMap};
use aya::programs::{Xdp, XdpFlags};
use aya::{Ebpf, EbpfLoader};

/// The compiled program, built from C by this crate's build script.
static OBJECT: &[u8] = aya::include_bytes_aligned!(concat!(env!("OUT_DIR"), "/dhcp_steer.o"));
const PROGRAM: &str = "dhcp_steer";

/// UDP destination ports the program steers; everything else passes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ports {
    /// DHCPv4 port (67 for a server, 68 for a load generator's clients).
    pub v4: u16,
    /// DHCPv6 port (547 for a server, 546 for clients).
    pub v6: u16,
}

impl Ports {
    /// The ports a server listens on.
    pub const SERVER: Ports = Ports { v4: 67, v6: 547 };
}

/// Which XDP attach modes may be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModePolicy {
    /// Native (driver) mode, falling back to generic (skb) mode.
    Any,
    /// Native mode or nothing.
    NativeOnly,
    /// Generic mode only (works on every interface, slower).
    GenericOnly,
}

/// The mode the program ended up attached in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AttachMode {
    /// In the driver, before the kernel allocates a socket buffer.
    Native,
    /// In the generic path; `native_error` says why native mode was not
    /// used, when it was tried.
    Generic {
        /// The kernel's refusal of native mode, if native was tried.
        native_error: Option<String>,
    },
}

/// Why the program could not be set up.
#[derive(Debug)]
pub struct XdpError {
    /// What was being done.
    pub action: String,
    /// The underlying error.
    pub cause: String,
}

impl fmt::Display for XdpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.action, self.cause)
    }
}

impl std::error::Error for XdpError {}

fn failed(action: impl Into<String>) -> impl FnOnce(&dyn fmt::Display) -> XdpError {
    let action = action.into();
    move |cause| XdpError {
        action,
        cause: cause.to_string(),
    }
}

/// What the program did with the frames it saw, summed over CPUs. The slots
/// follow `enum counter` in dhcp_steer.c.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Counters {
    /// Every frame the program ran on.
    pub seen: u64,
    /// DHCP frames handed to an AF_XDP socket.
    pub redirected: u64,
    /// Frames passed to the kernel.
    pub passed: u64,
    /// Frames whose headers end early or are inconsistent (also passed).
    pub malformed: u64,
    /// DHCP frames on a queue without a socket (also passed).
    pub no_socket: u64,
}

/// The steering program attached to one interface. Dropping it detaches
/// the program; since kernels from 5.9 on tie the attachment to a link
/// file descriptor, a crashed process leaves no stale program behind.
pub struct SteeringProgram {
    ebpf: Ebpf,
    mode: AttachMode,
}

impl SteeringProgram {
    /// Loads the program for `ports` and attaches it to `interface`.
    pub fn attach(interface: &str, ports: Ports, policy: ModePolicy) -> Result<Self, XdpError> {
        let mut ebpf = EbpfLoader::new()
            .set_global("port_v4", &ports.v4, true)
            .set_global("port_v6", &ports.v6, true)
            .load(OBJECT)
            .map_err(|e| failed("loading the XDP object")(&e))?;
        let program: &mut Xdp = ebpf
            .program_mut(PROGRAM)
            .ok_or_else(|| failed("finding the XDP program")(&PROGRAM))?
            .try_into()
            .map_err(|e| failed("finding the XDP program")(&e))?;
        program
            .load()
            .map_err(|e| failed("verifying the XDP program")(&e))?;
        let on = format!("attaching XDP to {interface}");
        let mode = match policy {
            ModePolicy::GenericOnly => {
                program
                    .attach(interface, XdpFlags::SKB_MODE)
                    .map_err(|e| failed(on)(&e))?;
                AttachMode::Generic { native_error: None }
            }
            ModePolicy::NativeOnly => {
                program
                    .attach(interface, XdpFlags::DRV_MODE)
                    .map_err(|e| failed(on)(&e))?;
                AttachMode::Native
            }
            ModePolicy::Any => match program.attach(interface, XdpFlags::DRV_MODE) {
                Ok(_) => AttachMode::Native,
                Err(native) => {
                    program
                        .attach(interface, XdpFlags::SKB_MODE)
                        .map_err(|e| failed(on)(&e))?;
                    AttachMode::Generic {
                        native_error: Some(native.to_string()),
                    }
                }
            },
        };
        Ok(SteeringProgram { ebpf, mode })
    }

    /// How the program is attached.
    pub fn mode(&self) -> &AttachMode {
        &self.mode
    }

    /// Steers frames received on `queue` to `socket`.
    pub fn register(&mut self, queue: u32, socket: &impl AsRawFd) -> Result<(), XdpError> {
        let map = self
            .ebpf
            .map_mut("xsks")
            .ok_or_else(|| failed("finding the socket map")(&"xsks"))?;
        let mut xsks: XskMap<&mut MapData> =
            XskMap::try_from(map).map_err(|e| failed("opening the socket map")(&e))?;
        xsks.set(queue, socket.as_raw_fd(), 0)
            .map_err(|e| failed(format!("registering the socket of queue {queue}"))(&e))
    }

    /// The counters, summed over CPUs.
    pub fn counters(&self) -> Result<Counters, XdpError> {
        let map = self
            .ebpf
            .map("counters")
            .ok_or_else(|| failed("finding the counters")(&"counters"))?;
        let array: PerCpuArray<&MapData, u64> =
            PerCpuArray::try_from(map).map_err(|e| failed("opening the counters")(&e))?;
        let mut slots = [0u64; 5];
        for (i, slot) in slots.iter_mut().enumerate() {
            let per_cpu = array
                .get(&(i as u32), 0)
                .map_err(|e| failed("reading the counters")(&e))?;
            *slot = per_cpu.iter().sum();
        }
        let [seen, redirected, passed, malformed, no_socket] = slots;
        Ok(Counters {
            seen,
            redirected,
            passed,
            malformed,
            no_socket,
        })
    }
}
