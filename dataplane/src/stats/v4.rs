//! Kea's DHCPv4 packet statistics (`pkt4-*`).

use super::Line;
use crate::wire::v4::MessageType;

const COUNT: usize = 16;

/// What one worker counted, in Kea's statistic names (see [`Counters4::NAMES`]).
#[derive(Debug, Default)]
pub struct Counters4 {
    line: Line<COUNT>,
}

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
        self.line.add(s as usize, 1);
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

    /// Counts a received message that does not parse: received, parse
    /// failed and dropped, as Kea counts it.
    pub fn parse_failed(&self) {
        for s in [Stat4::Received, Stat4::ParseFailed, Stat4::ReceiveDrop] {
            self.bump(s);
        }
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
        self.line.values()
    }
}
