//! Kea's DHCPv6 packet statistics (`pkt6-*`).

use super::Line;
use crate::wire::v6::MessageType;

const COUNT: usize = 19;

/// What one worker counted, in Kea's statistic names (see [`Counters6::NAMES`]).
#[derive(Debug, Default)]
pub struct Counters6 {
    line: Line<COUNT>,
}

/// Index of each statistic in [`Counters6::NAMES`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(usize)]
pub enum Stat6 {
    /// `pkt6-received`: every DHCPv6 packet received.
    Received,
    /// `pkt6-solicit-received`.
    SolicitReceived,
    /// `pkt6-advertise-received`.
    AdvertiseReceived,
    /// `pkt6-request-received`.
    RequestReceived,
    /// `pkt6-reply-received`.
    ReplyReceived,
    /// `pkt6-renew-received`.
    RenewReceived,
    /// `pkt6-rebind-received`.
    RebindReceived,
    /// `pkt6-release-received`.
    ReleaseReceived,
    /// `pkt6-decline-received`.
    DeclineReceived,
    /// `pkt6-infrequest-received`.
    InfRequestReceived,
    /// `pkt6-dhcpv4-query-received`.
    Dhcpv4QueryReceived,
    /// `pkt6-dhcpv4-response-received`.
    Dhcpv4ResponseReceived,
    /// `pkt6-unknown-received`: a type the server does not handle.
    UnknownReceived,
    /// `pkt6-parse-failed`: not a valid DHCPv6 message.
    ParseFailed,
    /// `pkt6-receive-drop`: received and dropped without an answer.
    ReceiveDrop,
    /// `pkt6-sent`.
    Sent,
    /// `pkt6-advertise-sent`.
    AdvertiseSent,
    /// `pkt6-reply-sent`.
    ReplySent,
    /// `pkt6-dhcpv4-response-sent`.
    Dhcpv4ResponseSent,
}

impl Counters6 {
    /// Kea's names, in [`Stat6`] order.
    pub const NAMES: [&'static str; COUNT] = [
        "pkt6-received",
        "pkt6-solicit-received",
        "pkt6-advertise-received",
        "pkt6-request-received",
        "pkt6-reply-received",
        "pkt6-renew-received",
        "pkt6-rebind-received",
        "pkt6-release-received",
        "pkt6-decline-received",
        "pkt6-infrequest-received",
        "pkt6-dhcpv4-query-received",
        "pkt6-dhcpv4-response-received",
        "pkt6-unknown-received",
        "pkt6-parse-failed",
        "pkt6-receive-drop",
        "pkt6-sent",
        "pkt6-advertise-sent",
        "pkt6-reply-sent",
        "pkt6-dhcpv4-response-sent",
    ];

    /// Adds one to `s`.
    pub fn bump(&self, s: Stat6) {
        self.line.add(s as usize, 1);
    }

    /// Counts a received message of type `kind` (the client's message,
    /// inside any relay layers, as Kea counts it).
    pub fn received(&self, kind: MessageType) {
        use MessageType as M;
        self.bump(Stat6::Received);
        self.bump(match kind {
            M::Solicit => Stat6::SolicitReceived,
            M::Advertise => Stat6::AdvertiseReceived,
            M::Request => Stat6::RequestReceived,
            M::Reply => Stat6::ReplyReceived,
            M::Renew => Stat6::RenewReceived,
            M::Rebind => Stat6::RebindReceived,
            M::Release => Stat6::ReleaseReceived,
            M::Decline => Stat6::DeclineReceived,
            M::InformationRequest => Stat6::InfRequestReceived,
            M::Dhcpv4Query => Stat6::Dhcpv4QueryReceived,
            M::Dhcpv4Response => Stat6::Dhcpv4ResponseReceived,
            _ => Stat6::UnknownReceived,
        });
    }

    /// Counts a received message that does not parse: received, parse
    /// failed and dropped, as Kea counts it.
    pub fn parse_failed(&self) {
        for s in [Stat6::Received, Stat6::ParseFailed, Stat6::ReceiveDrop] {
            self.bump(s);
        }
    }

    /// Counts a sent message of type `kind`.
    pub fn sent(&self, kind: MessageType) {
        self.bump(Stat6::Sent);
        match kind {
            MessageType::Advertise => self.bump(Stat6::AdvertiseSent),
            MessageType::Reply => self.bump(Stat6::ReplySent),
            MessageType::Dhcpv4Response => self.bump(Stat6::Dhcpv4ResponseSent),
            _ => {}
        }
    }

    /// Current values, in [`Counters6::NAMES`] order.
    pub fn values(&self) -> [u64; COUNT] {
        self.line.values()
    }
}
