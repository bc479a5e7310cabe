//! A server's serving set-up from its sections: `interfaces-config`,
//! `lease-database` and `expired-leases-processing`.

use xdhcp_dataplane::config::setup::{Reclaim, Setup, Sockets};
use xdhcp_dataplane::lease::ReclaimConfig;

use crate::config::services::ExpiredLeases;
use crate::config::Server;
use crate::leases;

/// The set-up of `s`.
pub fn setup(s: &Server) -> Setup {
    let i = &s.interfaces;
    Setup {
        interfaces: i.interfaces.clone(),
        sockets: Sockets {
            socket_type: i.socket_type,
            require_all: i.require_all,
            retries: i.max_retries,
            wait_ms: i.retry_wait_time,
        },
        leases: leases::setup(s),
        reclaim: reclaim(&s.expired_leases),
        lfc_interval: s.lease_database.lfc_interval,
    }
}

fn reclaim(e: &ExpiredLeases) -> Reclaim {
    Reclaim {
        every: e.reclaim_timer_wait_time,
        pass: ReclaimConfig {
            hold_reclaimed_time: hold_time(e),
            max_reclaim_leases: e.max_reclaim_leases as usize,
            max_reclaim_time_ms: e.max_reclaim_time.into(),
            unwarned_reclaim_cycles: e.unwarned_reclaim_cycles,
        },
    }
}

/// How long a reclaimed lease is kept. Removal happens in the reclaim
/// passes themselves, so `flush-reclaimed-timer-wait-time` has no timer of
/// its own; its 0 keeps reclaimed leases for good, as Kea's disabled flush
/// does, unless `hold-reclaimed-time` 0 removes them at reclamation.
fn hold_time(settings: &ExpiredLeases) -> u32 {
    match (
        settings.hold_reclaimed_time,
        settings.flush_reclaimed_timer_wait_time,
    ) {
        (0, _) => 0,
        (_, 0) => u32::MAX,
        (hold, _) => hold,
    }
}
