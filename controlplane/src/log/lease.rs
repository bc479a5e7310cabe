//! Kea 2.2's log messages for lease events, with its ids, loggers,
//! severities and texts, so grep rules written for Kea keep matching.

use std::fmt::Write;

use xdhcp_dataplane::events::{LeaseEvent4, LeaseEventKind};
use xdhcp_dataplane::lease::ident::Hex;

use super::Severity;

/// Kea's debug level for detailed traces (`DBGLVL_TRACE_DETAIL`).
pub const DBG_DETAIL: u8 = 50;

/// Where and how Kea logs an event of `kind`: logger, severity, debug level.
pub fn route(kind: LeaseEventKind) -> (&'static str, Severity, u8) {
    match kind {
        LeaseEventKind::Nak => ("kea-dhcp4.bad-packets", Severity::Debug, DBG_DETAIL),
        _ => ("kea-dhcp4.leases", Severity::Info, 0),
    }
}

/// Kea's packet label: `[hwtype=1 aa:bb:..], cid=[01:..], tid=0x1234`.
pub fn label(e: &LeaseEvent4) -> String {
    let mut s = String::with_capacity(80);
    if e.hw.is_empty() {
        s.push_str("[no hwaddr info]");
    } else {
        let _ = write!(s, "[hwtype={} {}]", e.hw.htype, Hex(e.hw.as_bytes()));
    }
    let cid = e.client_id.as_bytes();
    if cid.is_empty() {
        s.push_str(", cid=[no info]");
    } else {
        let _ = write!(s, ", cid=[{}]", Hex(cid));
    }
    let _ = write!(s, ", tid=0x{:x}", e.xid);
    s
}

/// The message id and text Kea logs for `e`.
pub fn message(e: &LeaseEvent4) -> (&'static str, String) {
    let label = label(e);
    match e.kind {
        LeaseEventKind::Offer => (
            "DHCP4_LEASE_ADVERT",
            format!("{label}: lease {} will be advertised", e.addr),
        ),
        // Kea 2.2 logs a renewal with the allocation message too.
        LeaseEventKind::Allocate | LeaseEventKind::Renew => (
            "DHCP4_LEASE_ALLOC",
            format!(
                "{label}: lease {} has been allocated for {} seconds",
                e.addr, e.lifetime
            ),
        ),
        LeaseEventKind::Release => (
            "DHCP4_RELEASE",
            format!("{label}: address {} was released properly.", e.addr),
        ),
        LeaseEventKind::Decline => (
            "DHCP4_DECLINE_LEASE",
            format!(
                "Received DHCPDECLINE for addr {} from client {label}. \
                 The lease will be unavailable for {} seconds.",
                e.addr, e.lifetime
            ),
        ),
        LeaseEventKind::Nak => {
            let asked = if e.addr.is_unspecified() {
                "(no address)".to_string()
            } else {
                e.addr.to_string()
            };
            (
                "DHCP4_PACKET_NAK_0004",
                format!(
                    "{label}: failed to grant a lease, client sent ciaddr {}, \
                     requested-ip-address {asked}",
                    e.ciaddr
                ),
            )
        }
    }
}
