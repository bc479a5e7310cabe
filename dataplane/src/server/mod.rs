//! A whole server, set up from a snapshot: the families it serves, the
//! interfaces it opens, the upkeep of its lease stores, the lease commands
//! that act on them and the channel they arrive on. `xdhcp-dataplane` runs
//! it on its own; `xdhcp-controlplane -c` without `--dataplane` runs the
//! same parts in-process.

pub mod answer;
pub mod channel;
pub mod family;
pub mod lease_cmds;
pub mod sockets;
pub mod statistics;
pub mod upkeep;

use std::sync::Arc;

use crate::lease::{Lease, LeaseStore, StoreConfig};

/// Where a server's log lines go: severity (`INFO`, `WARN`, `ERROR`),
/// Kea's message id, text.
pub type Log = fn(&str, &str, &str);

/// Opens a lease store as `config` says and logs what recovery found.
pub fn open_leases<L: Lease>(config: StoreConfig, log: Log) -> Result<Arc<LeaseStore<L>>, String> {
    let (leases, recovery) =
        LeaseStore::<L>::open(config).map_err(|e| format!("opening the lease store: {e}"))?;
    let dropped: usize = recovery.files.iter().map(|f| f.dropped_bytes).sum();
    log(
        "INFO",
        "DHCPSRV_LEASES_LOADED",
        &format!(
            "{} lease(s) loaded: {} from the snapshot, {} journal record(s) replayed, \
             {dropped} damaged byte(s) dropped",
            leases.len(),
            recovery.snapshot_leases,
            recovery.journal_records
        ),
    );
    Ok(leases)
}
