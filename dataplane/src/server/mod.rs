//! A whole server, set up from a snapshot: the families it serves, the
//! interfaces it opens and the upkeep of its lease stores. `xdhcp-dataplane`
//! runs it on its own; until the two processes separate for good,
//! `xdhcp-controlplane -c` runs the same parts in-process.

pub mod channel;
pub mod family;
pub mod sockets;
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
