//! What the load loop sends and receives through, so it runs the same over
//! a relay's UDP socket ([`super::udp`]) and over AF_XDP ([`super::xdp`]).

use std::time::Duration;

use super::udp::{BATCH, BUF_LEN};

/// The sending half: buffers to build requests in, sent in batches.
pub trait Sender {
    /// A free buffer for the next request's DHCP payload; flushes first
    /// when all are queued.
    fn slot(&mut self) -> &mut [u8];
    /// Queues the buffer last returned by [`Sender::slot`] with `len`
    /// bytes, a request of `client` (whose MAC a layer-2 transport sends
    /// from); a zero length discards it.
    fn commit(&mut self, len: usize, client: u32);
    /// Sends everything queued.
    fn flush(&mut self);
    /// Requests that could not be sent (perfdhcp's "locallimit").
    fn refused(&self) -> u64;
}

/// A batched transport of DHCP payloads.
pub trait Transport {
    /// Its sending half.
    type Tx: Sender;
    /// Reads a batch of replies without blocking; returns how many.
    fn recv(&mut self) -> usize;
    /// Reply `i` of the last [`Transport::recv`], with the sender to
    /// answer it through.
    fn reply_and_tx(&mut self, i: usize) -> (&[u8], &mut Self::Tx);
    /// The sending half alone.
    fn tx(&mut self) -> &mut Self::Tx;
    /// Sleeps until a reply may be waiting or `timeout` passes.
    fn wait(&self, timeout: Duration);
}

/// Requests built and waiting for the next flush, in buffers allocated once
/// (a box, so their addresses stay put for the I/O vectors that point at
/// them). Both transports stage their requests here.
pub struct Staged {
    /// The buffers, [`BATCH`] of them.
    pub bufs: Box<[[u8; BUF_LEN]; BATCH]>,
    /// Length of each queued request.
    pub lens: [usize; BATCH],
    /// How many are queued.
    pub queued: usize,
}

impl Staged {
    /// Empty buffers.
    pub fn new() -> Staged {
        Staged {
            bufs: vec![[0u8; BUF_LEN]; BATCH]
                .into_boxed_slice()
                .try_into()
                .expect("BATCH buffers"),
            lens: [0; BATCH],
            queued: 0,
        }
    }

    /// True when every buffer holds a request: flush before the next.
    pub fn full(&self) -> bool {
        self.queued == BATCH
    }

    /// The next free buffer (after a flush when [`Staged::full`]).
    pub fn slot(&mut self) -> &mut [u8] {
        &mut self.bufs[self.queued]
    }

    /// Queues the buffer last returned by [`Staged::slot`] with `len`
    /// bytes; a zero length discards it.
    pub fn commit(&mut self, len: usize) {
        if len > 0 {
            self.lens[self.queued] = len;
            self.queued += 1;
        }
    }

    /// Request `i` of those queued.
    pub fn request(&self, i: usize) -> &[u8] {
        &self.bufs[i][..self.lens[i]]
    }
}

impl Default for Staged {
    fn default() -> Self {
        Staged::new()
    }
}
