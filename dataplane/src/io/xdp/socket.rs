//! One AF_XDP socket: its UMEM (the frames shared with the kernel), the
//! fill/completion rings of its queue, and its RX/TX rings.
//!
//! [`XdpSocket::process`] is the whole batch loop of a worker: reclaim sent
//! frames, receive a batch, hand each frame to a handler together with a TX
//! frame to build the reply in, send the replies, give the RX frames back to
//! the kernel. No allocation, and at most one wake-up syscall per batch.

use std::ffi::CString;
use std::num::NonZeroU32;
use std::os::fd::{AsRawFd, RawFd};
use std::ptr::NonNull;

use xdpilone::xdp::XdpDesc;
use xdpilone::{DeviceQueue, IfInfo, RingRx, RingTx, Socket, SocketConfig, Umem, UmemConfig};

use super::program::XdpError;

/// Most frames handled per batch.
pub const MAX_BATCH: usize = 64;

/// Wake-ups of the TX ring per batch: a full batch at 32 frames a kick,
/// plus one for a kernel that was busy.
const MAX_KICKS: u32 = MAX_BATCH as u32 / 32 + 2;

/// Sizes of one socket's memory and rings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct XskConfig {
    /// Bytes per frame (2048 or 4096); a frame holds one packet.
    pub frame_size: u32,
    /// Frames in the UMEM; half serve reception, half transmission.
    pub frames: u32,
    /// Entries of each ring (a power of two).
    pub ring_size: u32,
}

impl Default for XskConfig {
    fn default() -> Self {
        XskConfig {
            frame_size: 2048,
            frames: 4096,
            ring_size: 2048,
        }
    }
}

/// Anonymous page-aligned memory for the UMEM, unmapped on drop.
struct Area {
    ptr: NonNull<u8>,
    len: usize,
}

impl Area {
    fn new(len: usize) -> Result<Area, XdpError> {
        // SAFETY: an anonymous private mapping with no address hint.
        let ptr = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                len,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_POPULATE,
                -1,
                0,
            )
        };
        if ptr == libc::MAP_FAILED {
            return Err(os_error("mapping the UMEM"));
        }
        let ptr = NonNull::new(ptr.cast()).ok_or_else(|| os_error("mapping the UMEM"))?;
        Ok(Area { ptr, len })
    }
}

impl Drop for Area {
    fn drop(&mut self) {
        // SAFETY: the mapping made in `new`, unmapped once.
        unsafe { libc::munmap(self.ptr.as_ptr().cast(), self.len) };
    }
}

fn os_error(action: &str) -> XdpError {
    XdpError {
        action: action.into(),
        cause: std::io::Error::last_os_error().to_string(),
    }
}

fn errno(action: &str) -> impl FnOnce(xdpilone::Errno) -> XdpError + '_ {
    move |e| XdpError {
        action: action.into(),
        cause: e.to_string(),
    }
}

/// An AF_XDP socket bound to one queue of one interface.
pub struct XdpSocket {
    // Field order is drop order: rings and sockets before the UMEM, the
    // UMEM before the memory it describes.
    rx: RingRx,
    tx: RingTx,
    device: DeviceQueue,
    _socket: Socket,
    _umem: Umem,
    area: Area,
    frame_size: u32,
    /// Received frames waiting beyond which the socket counts as overloaded.
    overload_backlog: u32,
    /// Frame addresses free for transmission (a stack; capacity fixed at start).
    free_tx: Vec<u64>,
}

// SAFETY: the socket owns its memory area and all four rings outright;
// no other handle to them exists in this process, so moving the whole
// socket to a worker thread moves that exclusive ownership with it.
unsafe impl Send for XdpSocket {}

impl XdpSocket {
    /// Creates the socket on `interface` queue `queue` and gives the kernel
    /// half of the frames to receive into.
    pub fn open(interface: &str, queue: u32, config: &XskConfig) -> Result<XdpSocket, XdpError> {
        let area = Area::new(config.frames as usize * config.frame_size as usize)?;
        let umem_config = UmemConfig {
            fill_size: config.ring_size,
            complete_size: config.ring_size,
            frame_size: config.frame_size,
            headroom: 0,
            flags: 0,
        };
        let region = NonNull::slice_from_raw_parts(area.ptr, area.len);
        // SAFETY: `area` is page-aligned, as long as described, and outlives
        // the UMEM (field order in `XdpSocket`).
        let umem = unsafe { Umem::new(umem_config, region) }.map_err(errno("creating the UMEM"))?;
        let mut info = IfInfo::invalid();
        let name = CString::new(interface).map_err(|e| XdpError {
            action: "naming the interface".into(),
            cause: e.to_string(),
        })?;
        info.from_name(&name)
            .map_err(errno("finding the interface"))?;
        info.set_queue(queue);
        let socket = Socket::with_shared(&info, &umem).map_err(errno("creating the socket"))?;
        let mut device = umem
            .fq_cq(&socket)
            .map_err(errno("creating the fill and completion rings"))?;
        let rings = umem
            .rx_tx(
                &socket,
                &SocketConfig {
                    rx_size: NonZeroU32::new(config.ring_size),
                    tx_size: NonZeroU32::new(config.ring_size),
                    bind_flags: SocketConfig::XDP_BIND_NEED_WAKEUP,
                },
            )
            .map_err(errno("creating the RX and TX rings"))?;
        let rx = rings.map_rx().map_err(errno("mapping the RX ring"))?;
        let tx = rings.map_tx().map_err(errno("mapping the TX ring"))?;
        umem.bind(&rings).map_err(errno("binding the socket"))?;

        let half = config.frames / 2;
        let frame = u64::from(config.frame_size);
        {
            let mut fill = device.fill(half);
            fill.insert((0..u64::from(half)).map(|i| i * frame));
            fill.commit();
        }
        let free_tx = (u64::from(half)..u64::from(config.frames))
            .map(|i| i * frame)
            .collect();
        Ok(XdpSocket {
            rx,
            tx,
            device,
            _socket: socket,
            _umem: umem,
            area,
            frame_size: config.frame_size,
            // Half a ring: far above a healthy worker's backlog of a batch
            // or two, with half a ring of room left before the kernel drops.
            overload_backlog: config.ring_size / 2,
            free_tx,
        })
    }

    /// True when frames arrive faster than they are answered: more than
    /// half the receive ring is waiting.
    pub fn overloaded(&self) -> bool {
        self.rx.available() > self.overload_backlog
    }

    /// Processes one batch of up to `MAX_BATCH` received frames.
    ///
    /// `handler` gets each received frame and a TX frame; it returns the
    /// length of the reply it built there, or `None` to send nothing.
    /// Returns how many frames were received.
    pub fn process(&mut self, mut handler: impl FnMut(&[u8], &mut [u8]) -> Option<usize>) -> usize {
        self.reclaim_sent();
        let mut replies = [XdpDesc {
            addr: 0,
            len: 0,
            options: 0,
        }; MAX_BATCH];
        let mut received = [0u64; MAX_BATCH];
        let mut n_replies = 0;
        let mut n_received = 0;
        let (base, frame_size) = (self.area.ptr, self.frame_size as usize);
        {
            let mut batch = self.rx.receive(MAX_BATCH as u32);
            while let Some(desc) = batch.read() {
                received[n_received] = desc.addr;
                n_received += 1;
                let Some(tx_addr) = self.free_tx.pop() else {
                    continue;
                };
                // SAFETY: the kernel handed this RX frame to us and the TX
                // frame is off every ring: both are ours until given back,
                // and they are distinct frames of the area.
                let (request, reply) =
                    unsafe { frames(base, frame_size, desc.addr, desc.len, tx_addr) };
                match handler(request, reply) {
                    Some(len) => {
                        replies[n_replies] = XdpDesc {
                            addr: tx_addr,
                            len: len as u32,
                            options: 0,
                        };
                        n_replies += 1;
                    }
                    None => self.free_tx.push(tx_addr),
                }
            }
            batch.release();
        }
        self.submit(&replies[..n_replies]);
        self.refill(&received[..n_received]);
        n_received
    }

    /// Receives up to `MAX_BATCH` frames, handing each to `each`, and gives
    /// their frames back to the kernel; returns how many there were. For a
    /// client (a load generator) that answers later, not frame for frame.
    pub fn receive(&mut self, mut each: impl FnMut(&[u8])) -> usize {
        let mut received = [0u64; MAX_BATCH];
        let mut n = 0;
        let (base, frame_size) = (self.area.ptr.as_ptr(), self.frame_size as usize);
        {
            let mut batch = self.rx.receive(MAX_BATCH as u32);
            while let Some(desc) = batch.read() {
                received[n] = desc.addr;
                n += 1;
                let len = (desc.len as usize).min(frame_size);
                // SAFETY: the kernel handed this frame to us; it is ours
                // until it goes back on the fill ring below.
                each(unsafe { std::slice::from_raw_parts(base.add(desc.addr as usize), len) });
            }
            batch.release();
        }
        self.refill(&received[..n]);
        n
    }

    /// Sends up to `n` new frames (at most `MAX_BATCH`), built in place by
    /// `build(i, frame)`, which returns each frame's length. Returns how
    /// many were queued: fewer when TX frames or ring slots run out.
    pub fn transmit(
        &mut self,
        n: usize,
        mut build: impl FnMut(usize, &mut [u8]) -> usize,
    ) -> usize {
        self.reclaim_sent();
        let mut descs = [XdpDesc {
            addr: 0,
            len: 0,
            options: 0,
        }; MAX_BATCH];
        let mut built = 0;
        let (base, frame_size) = (self.area.ptr.as_ptr(), self.frame_size as usize);
        while built < n.min(MAX_BATCH) {
            let Some(addr) = self.free_tx.pop() else {
                break;
            };
            // SAFETY: a frame off every ring, ours until submitted.
            let frame =
                unsafe { std::slice::from_raw_parts_mut(base.add(addr as usize), frame_size) };
            descs[built] = XdpDesc {
                addr,
                len: build(built, frame) as u32,
                options: 0,
            };
            built += 1;
        }
        self.submit(&descs[..built])
    }

    /// Puts `descs` on the TX ring and kicks the kernel; frames the ring
    /// has no room for go back to the pool. Returns how many were queued.
    fn submit(&mut self, descs: &[XdpDesc]) -> usize {
        // A reservation may come back short while the ring has room (the
        // ring's cached view of the kernel is stale); the next one refreshes
        // it, so ask again until the ring is really full.
        let mut sent = 0;
        while sent < descs.len() {
            let mut tx = self.tx.transmit((descs.len() - sent) as u32);
            let n = tx.insert(descs[sent..].iter().copied()) as usize;
            tx.commit();
            if n == 0 {
                break;
            }
            sent += n;
        }
        self.free_tx.extend(descs[sent..].iter().map(|d| d.addr));
        // In copy mode (veth, NICs without zero-copy) each kick sends at
        // most 32 frames and the rest waits for the next kick, which an idle
        // worker would never give: kick until the kernel has taken the
        // batch. A few syscalls per batch, none per frame.
        let mut kicks = 0;
        while self.tx.needs_wakeup() && self.tx.pending() > 0 && kicks < MAX_KICKS {
            self.tx.wake();
            kicks += 1;
        }
        sent
    }

    /// Gives received frames back to the kernel to receive into.
    fn refill(&mut self, addrs: &[u64]) {
        // As in `submit`, a short reservation is asked again; the fill ring
        // holds every receive frame, so all of them always fit and none
        // leaves circulation.
        let mut given = 0;
        while given < addrs.len() {
            let mut fill = self.device.fill((addrs.len() - given) as u32);
            let n = fill.insert(addrs[given..].iter().copied()) as usize;
            fill.commit();
            if n == 0 {
                break;
            }
            given += n;
        }
        if self.device.needs_wakeup() {
            self.device.wake();
        }
    }

    /// Returns frames whose transmission completed to the free pool.
    fn reclaim_sent(&mut self) {
        let mut done = self.device.complete(MAX_BATCH as u32 * 2);
        while let Some(addr) = done.read() {
            self.free_tx.push(addr);
        }
        done.release();
    }

    /// Sleeps until frames arrive or `timeout_ms` passes; for idle workers.
    /// Frames still on the TX ring (a busy device refused them) are kicked
    /// again first, and the sleep is kept short until they are gone.
    pub fn wait(&self, timeout_ms: i32) {
        let mut timeout_ms = timeout_ms;
        if self.tx.pending() > 0 {
            self.tx.wake();
            timeout_ms = timeout_ms.min(1);
        }
        let mut fd = libc::pollfd {
            fd: self.as_raw_fd(),
            events: libc::POLLIN,
            revents: 0,
        };
        // SAFETY: one valid pollfd.
        unsafe { libc::poll(&mut fd, 1, timeout_ms) };
    }
}

/// The bytes of a received frame and a whole TX frame of the UMEM at `base`.
///
/// # Safety
/// `rx` and `tx` must be distinct frames of the UMEM owned by this process,
/// and the UMEM must outlive the returned slices.
unsafe fn frames<'a>(
    base: NonNull<u8>,
    frame_size: usize,
    rx: u64,
    rx_len: u32,
    tx: u64,
) -> (&'a [u8], &'a mut [u8]) {
    let base = base.as_ptr();
    let rx_len = (rx_len as usize).min(frame_size);
    let request = std::slice::from_raw_parts(base.add(rx as usize), rx_len);
    let reply = std::slice::from_raw_parts_mut(base.add(tx as usize), frame_size);
    (request, reply)
}

impl AsRawFd for XdpSocket {
    fn as_raw_fd(&self) -> RawFd {
        self.rx.as_raw_fd()
    }
}
