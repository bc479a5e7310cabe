//! Batched datagram I/O shared by the socket backends (`raw`, `udp`):
//! buffers allocated once per socket, and `recvmmsg`/`sendmmsg` over
//! message headers built on the stack for each batch, so nothing is
//! allocated per packet.

use std::os::fd::RawFd;

/// Most messages received or sent per system call.
pub const MAX_BATCH: usize = 64;

/// `MAX_BATCH` buffers of one size, in one allocation.
pub(crate) struct Slots {
    data: Box<[u8]>,
    size: usize,
}

impl Slots {
    /// Allocates the buffers (once, when a socket opens).
    pub(crate) fn new(size: usize) -> Slots {
        Slots {
            data: vec![0u8; size * MAX_BATCH].into_boxed_slice(),
            size,
        }
    }

    /// The first `len` bytes of buffer `i`.
    pub(crate) fn get(&self, i: usize, len: usize) -> &[u8] {
        &self.data[i * self.size..i * self.size + len.min(self.size)]
    }

    /// The whole buffer `i`.
    pub(crate) fn get_mut(&mut self, i: usize) -> &mut [u8] {
        &mut self.data[i * self.size..(i + 1) * self.size]
    }

    /// One iovec per buffer, covering `len(i)` bytes of buffer `i`.
    pub(crate) fn iovecs(&mut self, len: impl Fn(usize) -> usize) -> [libc::iovec; MAX_BATCH] {
        let base = self.data.as_mut_ptr();
        std::array::from_fn(|i| libc::iovec {
            // SAFETY: `i * size` is within `data` (MAX_BATCH buffers).
            iov_base: unsafe { base.add(i * self.size) }.cast(),
            iov_len: len(i).min(self.size),
        })
    }
}

/// Zeroed message headers, message `i` gathering or scattering the `N`
/// iovecs of `iov[i]`.
pub(crate) fn headers<const N: usize>(
    iov: &mut [[libc::iovec; N]; MAX_BATCH],
) -> [libc::mmsghdr; MAX_BATCH] {
    std::array::from_fn(|i| {
        // SAFETY: mmsghdr is plain data; all-zero is valid (no name, no control).
        let mut m: libc::mmsghdr = unsafe { std::mem::zeroed() };
        m.msg_hdr.msg_iov = iov[i].as_mut_ptr();
        m.msg_hdr.msg_iovlen = N as _;
        m
    })
}

/// Receives up to `msgs.len()` messages without blocking; 0 when none wait.
pub(crate) fn receive(fd: RawFd, msgs: &mut [libc::mmsghdr]) -> usize {
    // SAFETY: every header points at buffers that outlive the call.
    let n = unsafe {
        libc::recvmmsg(
            fd,
            msgs.as_mut_ptr(),
            msgs.len() as u32,
            libc::MSG_DONTWAIT,
            std::ptr::null_mut(),
        )
    };
    n.max(0) as usize
}

/// Sends `msgs`, retrying after a partial send; a full socket buffer
/// (EAGAIN) or an error drops the rest, as a full AF_XDP ring does.
pub(crate) fn send(fd: RawFd, mut msgs: &mut [libc::mmsghdr]) {
    while !msgs.is_empty() {
        // SAFETY: every header points at buffers that outlive the call.
        let n =
            unsafe { libc::sendmmsg(fd, msgs.as_mut_ptr(), msgs.len() as u32, libc::MSG_DONTWAIT) };
        if n <= 0 {
            // A message the kernel refuses (say, no route) would stop the
            // batch: skip it and send the others.
            if n < 0 && std::io::Error::last_os_error().kind() == std::io::ErrorKind::WouldBlock {
                return;
            }
            msgs = &mut msgs[1..];
            continue;
        }
        msgs = &mut msgs[n as usize..];
    }
}

/// Sleeps until `fd` is readable or `timeout_ms` passes.
pub(crate) fn wait(fd: RawFd, timeout_ms: i32) {
    let mut p = libc::pollfd {
        fd,
        events: libc::POLLIN,
        revents: 0,
    };
    // SAFETY: one valid pollfd.
    unsafe { libc::poll(&mut p, 1, timeout_ms) };
}
