//! One DHCPv6 message through the engine, for the engine tests.

use xdhcp_dataplane::config::Config6;
use xdhcp_dataplane::engine::v6::{Engine6, Outcome, Request6, Silence};
use xdhcp_dataplane::lease::{Lease6, LeaseStore};

/// The engine's reply to `req` at time `now` (without statistics or lease
/// events), or why there was none.
pub fn answer(
    config: &Config6,
    leases: &LeaseStore<Lease6>,
    req: &Request6<'_>,
    now: u32,
) -> Result<Vec<u8>, Silence> {
    let engine = Engine6 {
        config,
        leases,
        stats: None,
        events: None,
    };
    let mut out = vec![0u8; 2000];
    match engine.handle(req, &mut out, now) {
        Outcome::Reply { len, .. } => Ok(out[..len].to_vec()),
        Outcome::Silent(why) => Err(why),
    }
}
