//! Kea's DHCPv4 packet statistics, counted per worker.
//!
//! Each worker owns one [`Counters4`] (cache-line aligned, one writer), so
//! counting is a relaxed add on a line no other core writes; readers (the
//! control API, metrics) sum all workers' lines when asked.

use std::sync::atomic::{AtomicU64, Ordering};

use crate::wire::v4::MessageType;

/// What one worker counted, in Kea's statistic names (see [`Counters4::NAMES`]).
#[derive(Debug, Default)]
#[repr(align(64))]
pub struct Counters4 {
    values: [AtomicU64; COUNT],
}

const COUNT: usize = 16;

/// Index of each statistic in [`Counters4::NAMES`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(usize)]
pub enum Stat4 {
    /// `pkt4-received`: every DHCPv4 packet received.
    Received,
    /// `pkt4-discover-received`.
    DiscoverReceived,
    /// `pkt4-offer-received`.
    OfferReceived,
    /// `pkt4-request-received`.
    RequestReceived,
    /// `pkt4-ack-received`.
    AckReceived,
    /// `pkt4-nak-received`.
    NakReceived,
    /// `pkt4-release-received`.
    ReleaseReceived,
    /// `pkt4-decline-received`.
    DeclineReceived,
    /// `pkt4-inform-received`.
    InformReceived,
    /// `pkt4-unknown-received`: a message type the server does not handle.
    UnknownReceived,
    /// `pkt4-parse-failed`: not a valid DHCPv4 message.
    ParseFailed,
    /// `pkt4-receive-drop`: received and dropped without an answer.
    ReceiveDrop,
    /// `pkt4-sent`.
    Sent,
    /// `pkt4-offer-sent`.
    OfferSent,
    /// `pkt4-ack-sent`.
    AckSent,
    /// `pkt4-nak-sent`.
    NakSent,
}

impl Counters4 {
    /// Kea's names, in [`Stat4`] order.
    pub const NAMES: [&'static str; COUNT] = [
        "pkt4-received",
        "pkt4-discover-received",
        "pkt4-offer-received",
        "pkt4-request-received",
        "pkt4-ack-received",
        "pkt4-nak-received",
        "pkt4-release-received",
        "pkt4-decline-received",
        "pkt4-inform-received",
        "pkt4-unknown-received",
        "pkt4-parse-failed",
        "pkt4-receive-drop",
        "pkt4-sent",
        "pkt4-offer-sent",
        "pkt4-ack-sent",
        "pkt4-nak-sent",
    ];

    /// Adds one to `s`.
    pub fn bump(&self, s: Stat4) {
        // One writer per line: a relaxed add never contends.
        self.values[s as usize].fetch_add(1, Ordering::Relaxed);
    }

    /// Counts a received message of type `kind`.
    pub fn received(&self, kind: MessageType) {
        self.bump(Stat4::Received);
        self.bump(match kind {
            MessageType::Discover => Stat4::DiscoverReceived,
            MessageType::Offer => Stat4::OfferReceived,
            MessageType::Request => Stat4::RequestReceived,
            MessageType::Ack => Stat4::AckReceived,
            MessageType::Nak => Stat4::NakReceived,
            MessageType::Release => Stat4::ReleaseReceived,
            MessageType::Decline => Stat4::DeclineReceived,
            MessageType::Inform => Stat4::InformReceived,
            _ => Stat4::UnknownReceived,
        });
    }

    /// Counts a sent message of type `kind`.
    pub fn sent(&self, kind: MessageType) {
        self.bump(Stat4::Sent);
        match kind {
            MessageType::Offer => self.bump(Stat4::OfferSent),
            MessageType::Ack => self.bump(Stat4::AckSent),
            MessageType::Nak => self.bump(Stat4::NakSent),
            _ => {}
        }
    }

    /// Current values, in [`Counters4::NAMES`] order.
    pub fn values(&self) -> [u64; COUNT] {
        std::array::from_fn(|i| self.values[i].load(Ordering::Relaxed))
    }

    /// Sets every value back to zero (`statistic-reset-all`).
    pub fn reset(&self) {
        for v in &self.values {
            v.store(0, Ordering::Relaxed);
        }
    }
}

/// The sum over all workers' counters, by name.
pub fn sum<'a>(workers: impl IntoIterator<Item = &'a Counters4>) -> Vec<(&'static str, u64)> {
    let mut total = [0u64; COUNT];
    for w in workers {
        for (t, v) in total.iter_mut().zip(w.values()) {
            *t += v;
        }
    }
    Counters4::NAMES.into_iter().zip(total).collect()
}
