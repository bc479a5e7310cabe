//! DHCPv4 lease record.

use std::net::Ipv4Addr;

use super::codec::{var_len, Get, Put};
use super::ident::{hash_bytes, ClientId, Hostname, HwAddr, UserContext};
use super::{Lease, LeaseState};

/// One DHCPv4 lease (Kea's `Lease4`). Identifiers up to 22 bytes and
/// hostnames up to 30 bytes are stored inline: see [`super::Ident`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lease4 {
    /// Leased address.
    pub addr: Ipv4Addr,
    /// Valid lifetime in seconds.
    pub valid_lft: u32,
    /// Client last transaction time (Unix seconds).
    pub cltt: u32,
    /// Subnet id.
    pub subnet_id: u32,
    /// Pool id (0 = none; Kea 2.2's CSV has no such column).
    pub pool_id: u32,
    /// Client hardware address.
    pub hwaddr: HwAddr,
    /// Client identifier (option 61), empty when absent.
    pub client_id: ClientId,
    /// Hostname, empty when absent.
    pub hostname: Hostname,
    /// Forward DNS update done.
    pub fqdn_fwd: bool,
    /// Reverse DNS update done.
    pub fqdn_rev: bool,
    /// Lease state.
    pub state: LeaseState,
    /// User context as JSON text, rarely present.
    pub user_context: Option<UserContext>,
}

impl Lease4 {
    /// A fresh lease in the default state with empty identifiers.
    pub fn new(addr: Ipv4Addr, cltt: u32, valid_lft: u32, subnet_id: u32) -> Self {
        Lease4 {
            addr,
            valid_lft,
            cltt,
            subnet_id,
            pool_id: 0,
            hwaddr: HwAddr::default(),
            client_id: ClientId::EMPTY,
            hostname: Hostname::EMPTY,
            fqdn_fwd: false,
            fqdn_rev: false,
            state: LeaseState::Default,
            user_context: None,
        }
    }
}

const TAG_HW: u64 = 0x4877;
const TAG_CID: u64 = 0x4369;
const TAG_HOST: u64 = 0x486f;

impl Lease for Lease4 {
    type Addr = Ipv4Addr;
    const FAMILY: u8 = 4;

    fn addr(&self) -> Ipv4Addr {
        self.addr
    }
    fn subnet_id(&self) -> u32 {
        self.subnet_id
    }
    fn addr_to_u128(a: Ipv4Addr) -> u128 {
        u32::from(a) as u128
    }
    fn addr_from_u128(v: u128) -> Ipv4Addr {
        Ipv4Addr::from(v as u32)
    }
    fn set_addr(&mut self, a: Self::Addr) {
        self.addr = a;
    }
    fn set_times(&mut self, cltt: u32, valid_lft: u32) {
        self.cltt = cltt;
        self.valid_lft = valid_lft;
    }
    fn clear_identity(&mut self) {
        self.hwaddr = HwAddr::default();
        self.client_id = ClientId::EMPTY;
        self.hostname = Hostname::EMPTY;
        self.user_context = None;
        self.fqdn_fwd = false;
        self.fqdn_rev = false;
    }
    fn hw_key(&self) -> Option<u64> {
        (!self.hwaddr.is_empty()).then(|| hw_hash(&self.hwaddr))
    }
    fn client_key(&self) -> Option<u64> {
        (!self.client_id.is_empty()).then(|| client_id_hash(self.client_id.as_bytes()))
    }
    fn host_key(&self) -> Option<u64> {
        (!self.hostname.is_empty()).then(|| host_hash(self.hostname.as_bytes()))
    }
    fn expire(&self) -> u64 {
        self.cltt as u64 + self.valid_lft as u64
    }
    fn state(&self) -> LeaseState {
        self.state
    }
    fn set_state(&mut self, s: LeaseState) {
        self.state = s;
    }
    fn encoded_len(&self) -> usize {
        20 + 3
            + var_len(self.hwaddr.as_bytes())
            + var_len(self.client_id.as_bytes())
            + var_len(self.hostname.as_bytes())
            + 4
            + self.user_context.as_ref().map_or(0, |c| c.len())
    }
    fn encode(&self, out: &mut [u8]) {
        let mut p = Put::new(out);
        p.bytes(&self.addr.octets());
        p.u32(self.valid_lft);
        p.u32(self.cltt);
        p.u32(self.subnet_id);
        p.u32(self.pool_id);
        p.u8(self.fqdn_fwd as u8 | (self.fqdn_rev as u8) << 1);
        p.u8(self.state as u8);
        p.u8(self.hwaddr.htype);
        p.var(self.hwaddr.as_bytes());
        p.var(self.client_id.as_bytes());
        p.var(self.hostname.as_bytes());
        match &self.user_context {
            None => p.u32(u32::MAX),
            Some(c) => {
                p.u32(c.len() as u32);
                p.bytes(c.as_bytes());
            }
        }
    }
    fn decode(buf: &[u8]) -> Option<Self> {
        let mut g = Get::new(buf);
        let addr = Ipv4Addr::from(<[u8; 4]>::try_from(g.bytes(4)?).ok()?);
        let valid_lft = g.u32()?;
        let cltt = g.u32()?;
        let subnet_id = g.u32()?;
        let pool_id = g.u32()?;
        let flags = g.u8()?;
        let state = LeaseState::from_u8(g.u8()?);
        let htype = g.u8()?;
        let hwaddr = HwAddr::new(htype, g.var()?)?;
        let client_id = ClientId::new(g.var()?);
        let hostname = Hostname::new(g.var()?);
        let clen = g.u32()?;
        let user_context = if clen == u32::MAX {
            None
        } else {
            Some(std::str::from_utf8(g.bytes(clen as usize)?).ok()?.into())
        };
        g.done().then_some(Lease4 {
            addr,
            valid_lft,
            cltt,
            subnet_id,
            pool_id,
            hwaddr,
            client_id,
            hostname,
            fqdn_fwd: flags & 1 != 0,
            fqdn_rev: flags & 2 != 0,
            state,
            user_context,
        })
    }
}

/// Index key of a v4 hardware address (for [`crate::lease::LeaseStore::each_by_hw`]).
pub fn hw_hash(hw: &HwAddr) -> u64 {
    hash_bytes(TAG_HW ^ hw.htype as u64, hw.as_bytes())
}

/// Index key of a v4 client identifier.
pub fn client_id_hash(cid: &[u8]) -> u64 {
    hash_bytes(TAG_CID, cid)
}

/// Hostname hash, case-insensitive as DNS names are.
pub fn host_hash(name: &[u8]) -> u64 {
    let mut buf = [0u8; 256];
    let n = name.len().min(256);
    for (d, s) in buf.iter_mut().zip(&name[..n]) {
        *d = s.to_ascii_lowercase();
    }
    hash_bytes(TAG_HOST, &buf[..n])
}
