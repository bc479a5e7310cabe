//! How one server is set up to serve, beside what it answers ([`super::plan`]):
//! the interfaces and sockets it opens, where it keeps its leases and how
//! it looks after them. Read when serving starts; a reload leaves it as it
//! was (Kea's restart-only settings).

use crate::journal::{FlushPolicy, JournalConfig};
use crate::lease::{ReclaimConfig, StoreConfig};

/// Packet I/O backend (`dhcp-socket-type`). xdhcp adds `xdp` (AF_XDP) to
/// Kea's `raw` and `udp`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, rkyv::Archive, rkyv::Serialize, rkyv::Deserialize)]
pub enum SocketType {
    /// AF_XDP, kernel bypass.
    Xdp,
    /// AF_PACKET (Kea's DHCPv4 default).
    Raw,
    /// Plain UDP sockets (Kea's only DHCPv6 mode).
    Udp,
}

/// One server's serving set-up.
#[derive(Debug, Clone, PartialEq, rkyv::Archive, rkyv::Serialize, rkyv::Deserialize)]
pub struct Setup {
    /// `interfaces-config` `interfaces`: names, or `name/address` (for
    /// DHCPv6, the address unicast requests are taken on).
    pub interfaces: Vec<String>,
    /// How the interfaces' sockets are opened.
    pub sockets: Sockets,
    /// Where leases are kept.
    pub leases: Leases,
    /// `expired-leases-processing`.
    pub reclaim: Reclaim,
    /// `lfc-interval` in seconds (0: no cleanup).
    pub lfc_interval: u32,
}

/// Kea's `dhcp-socket-type` and `service-sockets-*` keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq, rkyv::Archive, rkyv::Serialize, rkyv::Deserialize)]
pub struct Sockets {
    /// Packet backend.
    pub socket_type: SocketType,
    /// `service-sockets-require-all`: a socket that does not open stops
    /// the server, and `xdp` does not fall back to `raw`.
    pub require_all: bool,
    /// `service-sockets-max-retries`.
    pub retries: u32,
    /// `service-sockets-retry-wait-time`, in milliseconds.
    pub wait_ms: u32,
}

impl Sockets {
    /// Both sections' wishes, for one backend serving both families (they
    /// name the same socket type): the more insisting of each.
    pub fn with(self, o: Sockets) -> Sockets {
        Sockets {
            socket_type: self.socket_type,
            require_all: self.require_all || o.require_all,
            retries: self.retries.max(o.retries),
            wait_ms: self.wait_ms.max(o.wait_ms),
        }
    }
}

/// The lease store of a server.
#[derive(Debug, Clone, PartialEq, Eq, rkyv::Archive, rkyv::Serialize, rkyv::Deserialize)]
pub struct Leases {
    /// Leases the tables are sized for when the store opens.
    pub capacity: u64,
    /// Directory of the journal and its snapshots; `None` keeps leases in
    /// memory only (Kea's `persist: false`).
    pub journal: Option<String>,
}

/// Lease shards: a few per core keeps lock contention low.
const SHARDS: usize = 8;
/// Journal segment size per shard; recovery reads whole segments, so they
/// stay modest and rotate.
const SEGMENT_BYTES: usize = 8 << 20;

impl Leases {
    /// The store's settings.
    pub fn store_config(&self) -> StoreConfig {
        let capacity = usize::try_from(self.capacity).unwrap_or(usize::MAX);
        match &self.journal {
            None => StoreConfig::memory(SHARDS, capacity),
            Some(dir) => StoreConfig {
                shards: SHARDS,
                capacity,
                journal: JournalConfig {
                    segment_bytes: SEGMENT_BYTES,
                    ..JournalConfig::persistent(dir, FlushPolicy::Os)
                },
            },
        }
    }
}

/// Reclamation of expired leases.
#[derive(Debug, Clone, PartialEq, Eq, rkyv::Archive, rkyv::Serialize, rkyv::Deserialize)]
pub struct Reclaim {
    /// `reclaim-timer-wait-time`: seconds between passes (0: none).
    pub every: u32,
    /// What each pass does.
    pub pass: ReclaimConfig,
}
