//! Where a server keeps its leases: the lease store settings derived from
//! `lease-database`, shared by the server and the `xdhcp leases` commands so
//! both open the same journal.

use std::path::PathBuf;

use xdhcp_dataplane::journal::{FlushPolicy, JournalConfig};
use xdhcp_dataplane::lease::StoreConfig;
use xdhcp_dataplane::options::Universe;

use crate::config::Server;

/// Lease shards: a few per core keeps lock contention low.
const SHARDS: usize = 8;
/// Journal segment size per shard; recovery reads whole segments, so they
/// stay modest and rotate.
const SEGMENT_BYTES: usize = 8 << 20;
/// Leases the tables hold before growing.
const CAPACITY: usize = 1 << 16;

/// The store for `server`: in memory when `persist` is false, otherwise a
/// journal directory beside the memfile Kea would write (`<name>.xdhcp`), or
/// `/var/lib/xdhcp/dhcp4` (`dhcp6`) when no name is given.
pub fn store_config(server: &Server) -> StoreConfig {
    let db = &server.lease_database;
    if !db.persist {
        return StoreConfig::memory(SHARDS, CAPACITY);
    }
    let dir = match (&db.name, server.universe) {
        (Some(name), _) => PathBuf::from(format!("{name}.xdhcp")),
        (None, Universe::V4) => PathBuf::from("/var/lib/xdhcp/dhcp4"),
        (None, Universe::V6) => PathBuf::from("/var/lib/xdhcp/dhcp6"),
    };
    StoreConfig {
        shards: SHARDS,
        capacity: CAPACITY,
        journal: JournalConfig {
            segment_bytes: SEGMENT_BYTES,
            ..JournalConfig::persistent(dir, FlushPolicy::Os)
        },
    }
}
