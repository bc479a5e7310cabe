//! What the load loop sends and receives through, so it runs the same over
//! a relay's UDP socket ([`super::udp`]) and over AF_XDP ([`super::xdp`]).

use std::time::Duration;

/// The sending half: buffers to build requests in, sent in batches.
pub trait Sender {
    /// A free buffer for the next request's DHCP payload; flushes first
    /// when all are queued.
    fn slot(&mut self) -> &mut [u8];
    /// Queues the buffer last returned by [`Sender::slot`] with `len`
    /// bytes; a zero length discards it.
    fn commit(&mut self, len: usize);
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
