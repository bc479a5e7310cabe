//! Where a server keeps its leases: the lease store settings derived from
//! `lease-database`, shared by the server and the `-T` check so both look
//! at the same journal.

use xdhcp_dataplane::config::setup::Leases;
use xdhcp_dataplane::lease::StoreConfig;
use xdhcp_dataplane::options::Universe;

use crate::config::net::to_u128;
use crate::config::Server;

/// Fewest leases the tables are sized for.
const CAPACITY: usize = 1 << 16;
/// Most leases the tables are sized for up front (about 30 MB of indexes);
/// past it they grow by doubling.
const MAX_CAPACITY: usize = 1 << 20;

/// Leases `server`'s pools and pd-pools can hold, kept between [`CAPACITY`]
/// and [`MAX_CAPACITY`]. Growing a shard's index copies it under the shard
/// lock, a stall of milliseconds once it is large (the DHCPv6 SARR runs in
/// perf/RESULTS.md shed SOLICITs during them), so a store is sized for its
/// pools when it opens, within a bound that keeps a small server small.
fn capacity(server: &Server) -> usize {
    let addresses = server
        .subnets
        .iter()
        .flat_map(|s| &s.pools)
        .map(|p| (to_u128(p.range.last) - to_u128(p.range.first)).saturating_add(1));
    let prefixes = server.subnets.iter().flat_map(|s| &s.pd_pools).map(|p| {
        let bits = p.delegated_len.saturating_sub(p.prefix.len);
        1u128.checked_shl(bits.into()).unwrap_or(u128::MAX)
    });
    let total = addresses.chain(prefixes).fold(0u128, u128::saturating_add);
    total.clamp(CAPACITY as u128, MAX_CAPACITY as u128) as usize
}

/// The store for `server`: in memory when `persist` is false, otherwise a
/// journal directory beside the memfile Kea would write (`<name>.xdhcp`), or
/// `/var/lib/xdhcp/dhcp4` (`dhcp6`) when no name is given.
pub fn setup(server: &Server) -> Leases {
    let db = &server.lease_database;
    let journal = db.persist.then(|| match (&db.name, server.universe) {
        (Some(name), _) => format!("{name}.xdhcp"),
        (None, Universe::V4) => "/var/lib/xdhcp/dhcp4".into(),
        (None, Universe::V6) => "/var/lib/xdhcp/dhcp6".into(),
    });
    Leases {
        capacity: capacity(server) as u64,
        journal,
    }
}

/// The settings the store for `server` opens with.
pub fn store_config(server: &Server) -> StoreConfig {
    setup(server).store_config()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store_for(json: &str) -> StoreConfig {
        let cfg = crate::config::load_str("t.json", json).unwrap();
        let server = cfg.dhcp4.or(cfg.dhcp6).unwrap();
        store_config(&server)
    }

    #[test]
    fn tables_are_sized_for_the_pools_within_bounds() {
        let small = r#"{ "Dhcp4": { "lease-database": { "type": "memfile", "persist": false },
          "subnet4": [ { "id": 1, "subnet": "192.0.2.0/24",
                         "pools": [ { "pool": "192.0.2.10 - 192.0.2.200" } ] } ] } }"#;
        assert_eq!(store_for(small).capacity, CAPACITY);
        let mid = r#"{ "Dhcp4": { "lease-database": { "type": "memfile", "persist": false },
          "subnet4": [ { "id": 1, "subnet": "10.0.0.0/12",
                         "pools": [ { "pool": "10.0.0.0 - 10.3.255.255" } ] } ] } }"#;
        assert_eq!(store_for(mid).capacity, 1 << 18);
        let huge = r#"{ "Dhcp6": { "lease-database": { "type": "memfile", "persist": false },
          "subnet6": [ { "id": 1, "subnet": "2001:db8:1::/64",
            "pools": [ { "pool": "2001:db8:1::/80" } ],
            "pd-pools": [ { "prefix": "2001:db8:8000::", "prefix-len": 34,
                            "delegated-len": 64 } ] } ] } }"#;
        assert_eq!(store_for(huge).capacity, MAX_CAPACITY);
    }
}
