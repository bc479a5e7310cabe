//! The AF_XDP transport of `--xdp`: DHCPv4 clients directly connected to
//! the interface, simulated at layer 2.
//!
//! Requests leave as broadcast frames from each client's own MAC (its
//! chaddr), as real clients in INIT state send them; replies, broadcast or
//! unicast to a client MAC, are steered by the same XDP program the server
//! uses (on the client port) into one AF_XDP socket. No frame goes through
//! the generator's IP stack, which is what limits the UDP transport.

use std::io;
use std::net::Ipv4Addr;
use std::time::Duration;

use xdhcp_dataplane::frame::{self, Addressing, IpAddrs};
use xdhcp_dataplane::io::link;
use xdhcp_dataplane::io::xdp::{ModePolicy, Ports, SteeringProgram, XdpSocket, XskConfig};

use super::io::{Sender, Staged, Transport};
use super::udp::BUF_LEN;

/// Where a client's DHCP payload has its hardware address (chaddr).
const CHADDR: std::ops::Range<usize> = 28..34;
// A receive batch must fit the reply buffers.
const _: () = assert!(xdhcp_dataplane::io::MAX_BATCH <= super::udp::BATCH);

/// TX ring retries before the rest of a batch counts as refused.
const TX_RETRIES: u32 = 1000;

/// The AF_XDP transport on one interface (queue 0).
pub struct XdpIo {
    // Field order is drop order: the socket before the program.
    tx: XdpTx,
    /// The last batch's replies, copied out of their frames.
    replies: Staged,
    _program: SteeringProgram,
}

/// The sending half: payloads staged, framed into UMEM frames at flush.
pub struct XdpTx {
    socket: XdpSocket,
    staged: Staged,
    refused: u64,
}

impl XdpIo {
    /// Attaches the steering program for the client ports to `iface` and
    /// opens the socket on its only receive queue.
    pub fn open(iface: &str) -> io::Result<XdpIo> {
        let other = |e: &dyn std::fmt::Display| io::Error::other(format!("--xdp on {iface}: {e}"));
        let queues = link::rx_queues(iface);
        if queues != 1 {
            return Err(other(&format_args!(
                "the interface has {queues} receive queues and --xdp reads one; \
                 set it to one (ethtool -L {iface} combined 1)"
            )));
        }
        let clients = Ports { v4: 68, v6: 546 };
        let mut program =
            SteeringProgram::attach(iface, clients, ModePolicy::Any).map_err(|e| other(&e))?;
        let socket = XdpSocket::open(iface, 0, &XskConfig::default()).map_err(|e| other(&e))?;
        program.register(0, &socket).map_err(|e| other(&e))?;
        Ok(XdpIo {
            tx: XdpTx {
                socket,
                staged: Staged::new(),
                refused: 0,
            },
            replies: Staged::new(),
            _program: program,
        })
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

/// Frames a client's payload: broadcast from its chaddr, 0.0.0.0:68 to
/// 255.255.255.255:67. Returns the frame length.
fn frame_request(out: &mut [u8], payload: &[u8]) -> usize {
    let mut mac = [0u8; 6];
    if let Some(chaddr) = payload.get(CHADDR) {
        mac.copy_from_slice(chaddr);
    }
    let to = Addressing {
        eth_dst: [0xff; 6],
        eth_src: mac,
        vlans: [(0, 0); 2],
        vlan_count: 0,
        ip: IpAddrs::V4 {
            src: Ipv4Addr::UNSPECIFIED,
            dst: Ipv4Addr::BROADCAST,
        },
        src_port: 68,
        dst_port: 67,
    };
    frame::write_udp(out, &to, |body| {
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
    fn commit(&mut self, len: usize) {
        self.staged.commit(len);
    }

    fn flush(&mut self) {
        let (mut done, mut retries) = (0, 0);
        let queued = self.staged.queued;
        while done < queued {
            let staged = &self.staged;
            let sent = self.socket.transmit(queued - done, |i, out| {
                frame_request(out, staged.request(done + i))
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
