//! The AF_XDP transport of `--xdp`: DHCP clients directly connected to the
//! interface, simulated at layer 2.
//!
//! Requests leave from each client's own MAC, as real clients send them: v4
//! as broadcasts from 0.0.0.0:68, v6 from the client's link-local address
//! (EUI-64 of its MAC) on port 546 to ff02::1:2 port 547. Replies, to any
//! MAC, are steered by the same XDP program the server uses (on the client
//! ports) into one AF_XDP socket per receive queue. No frame goes through
//! the generator's IP stack, which is what limits the UDP transport.

use std::io;
use std::net::{Ipv4Addr, Ipv6Addr};
use std::time::{Duration, Instant};

use xdhcp_dataplane::frame::{self, Addressing, IpAddrs};
use xdhcp_dataplane::io::link;
use xdhcp_dataplane::io::xdp::{
    ModePolicy, Ports, SteeringProgram, XdpError, XdpSocket, XskConfig,
};

use super::io::{Sender, Staged, Transport};
use super::udp::{BATCH, BUF_LEN};
use crate::scenario::clients;

// A receive batch must fit the reply buffers.
const _: () = assert!(xdhcp_dataplane::io::MAX_BATCH <= BATCH);

/// How long a queue still held by a closed socket is waited for.
const BIND_WAIT: Duration = Duration::from_secs(2);

/// TX ring retries before the rest of a batch counts as refused.
const TX_RETRIES: u32 = 1000;

/// All_DHCP_Relay_Agents_and_Servers and its multicast MAC (RFC 2464).
const ALL_AGENTS: Ipv6Addr = Ipv6Addr::new(0xff02, 0, 0, 0, 0, 0, 1, 2);
const ALL_AGENTS_MAC: [u8; 6] = [0x33, 0x33, 0, 1, 0, 2];

/// Which clients the frames carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    /// DHCPv4 clients in INIT state: broadcasts from 0.0.0.0.
    V4,
    /// DHCPv6 clients: multicasts from their link-local address.
    V6,
}

impl Family {
    /// How a request of the client with `mac` leaves the interface.
    fn addressing(self, mac: [u8; 6]) -> Addressing {
        let (eth_dst, ip, src_port, dst_port) = match self {
            Family::V4 => (
                [0xff; 6],
                IpAddrs::V4 {
                    src: Ipv4Addr::UNSPECIFIED,
                    dst: Ipv4Addr::BROADCAST,
                },
                68,
                67,
            ),
            Family::V6 => (
                ALL_AGENTS_MAC,
                IpAddrs::V6 {
                    src: clients::link_local(&mac),
                    dst: ALL_AGENTS,
                },
                546,
                547,
            ),
        };
        Addressing {
            eth_dst,
            eth_src: mac,
            vlans: [(0, 0); 2],
            vlan_count: 0,
            ip,
            src_port,
            dst_port,
        }
    }
}

/// Attaches the steering program for the client ports to `iface` and opens
/// one socket per receive queue, socket `q` on queue `q`. The program must
/// outlive the sockets.
pub fn open(iface: &str) -> io::Result<(SteeringProgram, Vec<XdpSocket>)> {
    let other = |e: &dyn std::fmt::Display| io::Error::other(format!("--xdp on {iface}: {e}"));
    let clients = Ports { v4: 68, v6: 546 };
    let mut program =
        SteeringProgram::attach(iface, clients, ModePolicy::Any).map_err(|e| other(&e))?;
    let mut sockets = Vec::new();
    for queue in 0..link::rx_queues(iface) {
        let socket = open_socket(iface, queue).map_err(|e| other(&e))?;
        program.register(queue, &socket).map_err(|e| other(&e))?;
        sockets.push(socket);
    }
    Ok((program, sockets))
}

/// Opens the socket of `queue`, waiting up to [`BIND_WAIT`] for a queue an
/// earlier run's socket still holds: the kernel releases a closed socket's
/// queue in deferred work, so back-to-back runs may find it busy (EBUSY).
fn open_socket(iface: &str, queue: u32) -> Result<XdpSocket, XdpError> {
    let deadline = Instant::now() + BIND_WAIT;
    loop {
        match XdpSocket::open(iface, queue, &XskConfig::default()) {
            Err(_) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(20)),
            done => return done,
        }
    }
}

/// The AF_XDP transport on one queue.
pub struct XdpIo {
    tx: XdpTx,
    /// The last batch's replies, copied out of their frames.
    replies: Staged,
}

/// The sending half: payloads staged, framed into UMEM frames at flush.
pub struct XdpTx {
    socket: XdpSocket,
    staged: Staged,
    /// The client of each staged request.
    clients: [u32; BATCH],
    family: Family,
    /// MAC of client 0 (`-b mac=`, shifted to this queue's slice).
    mac_base: [u8; 6],
    refused: u64,
}

impl XdpIo {
    /// The transport over `socket` (one of [`open`]'s) for `family`'s
    /// clients, numbered from `mac_base`.
    pub fn new(socket: XdpSocket, family: Family, mac_base: [u8; 6]) -> XdpIo {
        XdpIo {
            tx: XdpTx {
                socket,
                staged: Staged::new(),
                clients: [0; BATCH],
                family,
                mac_base,
                refused: 0,
            },
            replies: Staged::new(),
        }
    }
}

impl Transport for XdpIo {
    type Tx = XdpTx;

    fn recv(&mut self) -> usize {
        let XdpIo { tx, replies, .. } = self;
        replies.queued = 0;
        tx.socket.receive(|raw| {
            // The program steers UDP to the client port only; anything
            // else that gets here is not a reply and is skipped.
            let Ok(f) = frame::Frame::parse(raw) else {
                return;
            };
            let len = f.payload.len().min(BUF_LEN);
            replies.slot()[..len].copy_from_slice(&f.payload[..len]);
            replies.commit(len);
        });
        replies.queued
    }

    #[inline]
    fn reply_and_tx(&mut self, i: usize) -> (&[u8], &mut XdpTx) {
        (self.replies.request(i), &mut self.tx)
    }

    fn tx(&mut self) -> &mut XdpTx {
        &mut self.tx
    }

    fn wait(&self, timeout: Duration) {
        let ms = timeout.as_micros().div_ceil(1000).min(i32::MAX as u128) as i32;
        self.tx.socket.wait(ms);
    }
}

/// Frames a client's payload as addressed by `to`; returns the frame length.
fn frame_request(out: &mut [u8], to: &Addressing, payload: &[u8]) -> usize {
    frame::write_udp(out, to, |body| {
        let room = body.len();
        let dst =
            body.get_mut(..payload.len())
                .ok_or(xdhcp_dataplane::wire::WireError::NoSpace {
                    needed: payload.len(),
                    available: room,
                })?;
        dst.copy_from_slice(payload);
        Ok(payload.len())
    })
    // A UMEM frame holds any request; an empty descriptor is refused by
    // the kernel and counted there.
    .unwrap_or(0)
}

impl Sender for XdpTx {
    #[inline]
    fn slot(&mut self) -> &mut [u8] {
        if self.staged.full() {
            self.flush();
        }
        self.staged.slot()
    }

    #[inline]
    fn commit(&mut self, len: usize, client: u32) {
        self.clients[self.staged.queued] = client;
        self.staged.commit(len);
    }

    fn flush(&mut self) {
        let (mut done, mut retries) = (0, 0);
        let queued = self.staged.queued;
        while done < queued {
            let (staged, owners) = (&self.staged, &self.clients);
            let (family, base) = (self.family, self.mac_base);
            let sent = self.socket.transmit(queued - done, |i, out| {
                let client = owners[done + i];
                let to = family.addressing(clients::mac(&base, client));
                frame_request(out, &to, staged.request(done + i))
            });
            done += sent;
            if sent == 0 {
                retries += 1;
                if retries > TX_RETRIES {
                    self.refused += (queued - done) as u64;
                    break;
                }
                // The kernel is still sending the last batch.
                std::hint::spin_loop();
            }
        }
        self.staged.queued = 0;
    }

    fn refused(&self) -> u64 {
        self.refused
    }
}
