//! Kea 2.2's log messages for lease events, with its ids, loggers,
//! severities and texts, so grep rules written for Kea keep matching.

use std::fmt::Write;

use xdhcp_dataplane::events::{LeaseEvent4, LeaseEvent6, LeaseEventKind};
use xdhcp_dataplane::lease::ident::Hex;

use super::Severity;

/// Kea's debug level for detailed traces (`DBGLVL_TRACE_DETAIL`).
pub const DBG_DETAIL: u8 = 50;

/// Where and how Kea logs a DHCPv4 event of `kind`: logger, severity,
/// debug level.
pub fn route(kind: LeaseEventKind) -> (&'static str, Severity, u8) {
    match kind {
        LeaseEventKind::Nak => ("kea-dhcp4.bad-packets", Severity::Debug, DBG_DETAIL),
        _ => ("kea-dhcp4.leases", Severity::Info, 0),
    }
}

/// Where and how Kea logs a DHCPv6 event: all at INFO on the leases logger.
pub const ROUTE6: (&str, Severity, u8) = ("kea-dhcp6.leases", Severity::Info, 0);

/// The message id and text Kea 2.2 logs for `e`.
pub fn message6(e: &LeaseEvent6) -> (&'static str, String) {
    let label = format!("duid=[{}], tid=0x{:x}", Hex(e.duid.as_bytes()), e.xid);
    let (addr, iaid) = (e.addr, e.iaid);
    let prefix = format!("{addr}/{}", e.prefix_len);
    match (e.kind, e.prefix) {
        (LeaseEventKind::Offer, false) => (
            "DHCP6_LEASE_ADVERT",
            format!("{label}: lease for address {addr} and iaid={iaid} will be advertised"),
        ),
        (LeaseEventKind::Offer, true) => (
            "DHCP6_PD_LEASE_ADVERT",
            format!("{label}: lease for prefix {prefix} and iaid={iaid} will be advertised"),
        ),
        (LeaseEventKind::Allocate, false) => (
            "DHCP6_LEASE_ALLOC",
            format!(
                "{label}: lease for address {addr} and iaid={iaid} has been allocated \
                 for {} seconds",
                e.lifetime
            ),
        ),
        (LeaseEventKind::Allocate, true) => (
            "DHCP6_PD_LEASE_ALLOC",
            format!(
                "{label}: lease for prefix {prefix} and iaid={iaid} has been allocated \
                 for {} seconds",
                e.lifetime
            ),
        ),
        // Kea 2.2's renewal messages name no lifetime.
        (LeaseEventKind::Renew, false) => (
            "DHCP6_LEASE_RENEW",
            format!("{label}: lease for address {addr} and iaid={iaid} has been allocated"),
        ),
        (LeaseEventKind::Renew, true) => (
            "DHCP6_PD_LEASE_RENEW",
            format!("{label}: lease for prefix {prefix} and iaid={iaid} has been allocated"),
        ),
        (LeaseEventKind::Release, false) => (
            "DHCP6_RELEASE_NA",
            format!("{label}: binding for address {addr} and iaid={iaid} was released properly"),
        ),
        (LeaseEventKind::Release, true) => (
            "DHCP6_RELEASE_PD",
            format!("{label}: prefix {prefix} for iaid={iaid} was released properly"),
        ),
        // NAK and INIT-REBOOT are DHCPv4's; the v6 engine never reports them.
        (LeaseEventKind::Decline | LeaseEventKind::Nak | LeaseEventKind::InitReboot, _) => (
            "DHCP6_DECLINE_LEASE",
            format!(
                "Client {label} sent DECLINE for address {addr} and the server marked it \
                 as declined. The lease will be recovered in {} seconds.",
                e.lifetime
            ),
        ),
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
        LeaseEventKind::InitReboot => (
            "DHCP4_INIT_REBOOT",
            format!(
                "{label}: client is in INIT-REBOOT state and requests address {}",
                e.addr
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
