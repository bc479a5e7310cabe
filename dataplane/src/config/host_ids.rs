//! What host reservations are keyed by, for both families: the identifier
//! kinds of Kea's `host-reservation-identifiers`, their configured order,
//! the per-kind indexes of a scope's reservations, and the flex_id hook
//! (`libdhcp_flex_id.so`) that computes the `flex-id` kind.

use std::collections::HashMap;

use crate::classify::{ClassSet, Classes, Input, Program};
use crate::lease::ClientId;

/// The kinds of identifier a reservation can be keyed on (Kea's
/// `host-reservation-identifiers`). DHCPv6 has `hw-address`, `duid` and
/// `flex-id`; the other two find nothing there.
#[derive(Debug, Clone, Copy, PartialEq, Eq, rkyv::Archive, rkyv::Serialize, rkyv::Deserialize)]
pub enum HostIdKind {
    /// `hw-address`: the client's hardware address.
    HwAddress,
    /// `duid`: in DHCPv4 the DUID inside an RFC 4361 client identifier
    /// (type 255, then a 4-byte IAID, then the DUID); in DHCPv6 the
    /// client's DUID.
    Duid,
    /// `circuit-id`: option 82 sub-option 1 (DHCPv4).
    CircuitId,
    /// `client-id`: option 61 as sent (DHCPv4).
    ClientId,
    /// `flex-id`: the flex_id hook's `identifier-expression` value.
    FlexId,
}

impl HostIdKind {
    /// How many kinds there are.
    pub const COUNT: usize = 5;

    /// The kind Kea names `name` (`hw-address`, `duid`, ...).
    pub fn from_name(name: &str) -> Option<HostIdKind> {
        Some(match name {
            "hw-address" => HostIdKind::HwAddress,
            "duid" => HostIdKind::Duid,
            "circuit-id" => HostIdKind::CircuitId,
            "client-id" => HostIdKind::ClientId,
            "flex-id" => HostIdKind::FlexId,
            _ => return None,
        })
    }
}

/// An identifier a reservation is keyed on, with its bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HostId<'a> {
    /// `hw-address`: the client's hardware address.
    HwAddress(&'a [u8]),
    /// `duid`: the client's DUID.
    Duid(&'a [u8]),
    /// `client-id`: option 61 as sent.
    ClientId(&'a [u8]),
    /// `circuit-id`: option 82 sub-option 1.
    CircuitId(&'a [u8]),
    /// `flex-id`: the flex_id hook's identifier.
    FlexId(&'a [u8]),
}

impl<'a> HostId<'a> {
    /// An identifier of `kind` with bytes `id`.
    pub fn new(kind: HostIdKind, id: &'a [u8]) -> HostId<'a> {
        match kind {
            HostIdKind::HwAddress => HostId::HwAddress(id),
            HostIdKind::Duid => HostId::Duid(id),
            HostIdKind::CircuitId => HostId::CircuitId(id),
            HostIdKind::ClientId => HostId::ClientId(id),
            HostIdKind::FlexId => HostId::FlexId(id),
        }
    }

    fn split(self) -> (HostIdKind, &'a [u8]) {
        match self {
            HostId::HwAddress(k) => (HostIdKind::HwAddress, k),
            HostId::Duid(k) => (HostIdKind::Duid, k),
            HostId::CircuitId(k) => (HostIdKind::CircuitId, k),
            HostId::ClientId(k) => (HostIdKind::ClientId, k),
            HostId::FlexId(k) => (HostIdKind::FlexId, k),
        }
    }
}

/// Positions of a scope's reservations, one map per identifier kind.
#[derive(Debug, Clone, Default)]
pub struct ById([HashMap<Vec<u8>, usize>; HostIdKind::COUNT]);

impl ById {
    /// Notes that reservation `i` is keyed by `id`.
    pub fn insert(&mut self, id: HostId<'_>, i: usize) {
        let (kind, key) = id.split();
        self.0[kind as usize].insert(key.to_vec(), i);
    }

    /// The position of the reservation keyed by `id`.
    pub fn get(&self, id: HostId<'_>) -> Option<usize> {
        let (kind, key) = id.split();
        self.0[kind as usize].get(key).copied()
    }
}

/// The identifier kinds looked up, in `host-reservation-identifiers` order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostIds(pub Vec<HostIdKind>);

/// Kea 2.2's default DHCPv4 order: `hw-address`, `duid`, `circuit-id`,
/// `client-id`. As the DHCPv6 kinds come in Kea's DHCPv6 order
/// (`hw-address`, `duid`) and the others find nothing there, it serves a
/// DHCPv6 configuration built without a list too.
impl Default for HostIds {
    fn default() -> Self {
        HostIds(vec![
            HostIdKind::HwAddress,
            HostIdKind::Duid,
            HostIdKind::CircuitId,
            HostIdKind::ClientId,
        ])
    }
}

impl HostIds {
    /// The kinds a client is looked up by, in order: `flex-id` only when
    /// the flex_id hook is loaded (`flex_loaded`), as in Kea, where the
    /// hook supplies that identifier.
    pub fn lookup(&self, flex_loaded: bool) -> Lookup {
        let mut order = [None; HostIdKind::COUNT];
        let usable = self
            .0
            .iter()
            .filter(|&&k| k != HostIdKind::FlexId || flex_loaded);
        for (slot, &kind) in order.iter_mut().zip(usable) {
            *slot = Some(kind);
        }
        Lookup(order)
    }
}

/// One client's lookup order, kept inline for the packet's handling.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lookup([Option<HostIdKind>; HostIdKind::COUNT]);

impl Lookup {
    /// The first reservation `find` gives for the client's identifiers
    /// (`id` of each kind, empty when it has none), taken in order: the
    /// first hit wins, as in Kea.
    pub fn first<'r, R>(
        &self,
        id: impl Fn(HostIdKind) -> &'r [u8],
        find: impl Fn(HostId<'_>) -> Option<R>,
    ) -> Option<R> {
        self.0
            .iter()
            .map_while(|k| *k)
            .map(|k| (k, id(k)))
            .filter(|(_, id)| !id.is_empty())
            .find_map(|(k, id)| find(HostId::new(k, id)))
    }
}

/// The flex_id hook (`libdhcp_flex_id.so`) as configured.
#[derive(Debug, Clone, PartialEq, rkyv::Archive, rkyv::Serialize, rkyv::Deserialize)]
pub struct FlexId {
    /// `identifier-expression`, compiled as a string expression.
    pub expression: Program,
    /// `replace-client-id`: the client is handled as if its client
    /// identifier (DHCPv4) or DUID (DHCPv6) were zero bytes followed by
    /// the flexible identifier ([`FlexId::replacement`]).
    pub replace_client_id: bool,
    /// `ignore-iaid` (DHCPv6 only): a message's only IA_NA, and its only
    /// IA_PD, are leased under IAID 0, so a client that changes IAIDs
    /// keeps its leases; replies carry the IAIDs sent.
    pub ignore_iaid: bool,
}

impl FlexId {
    /// The flexible identifier of the client whose message `input`
    /// shows, with the classes known so far (empty when the expression
    /// yields nothing).
    pub fn evaluate<I: Input>(&self, input: &I, member: &ClassSet) -> ClientId {
        Classes::value_of(&self.expression, input, member, ClientId::new)
    }

    /// Under `replace-client-id`, what the server takes for the client's
    /// own identifier: `zeros` zero bytes (a type no client uses: one
    /// before a client identifier, two before a DUID) and the flexible
    /// identifier `id`. `None` without the flag or for an empty `id`.
    pub fn replacement(&self, id: &ClientId, zeros: usize) -> Option<ClientId> {
        if !self.replace_client_id || id.is_empty() {
            return None;
        }
        // On the stack: the packet path does not allocate for it.
        let (mut buf, v) = ([0u8; 256], id.as_bytes());
        let n = v.len().min(buf.len() - zeros);
        buf[zeros..zeros + n].copy_from_slice(&v[..n]);
        Some(ClientId::new(&buf[..zeros + n]))
    }
}
