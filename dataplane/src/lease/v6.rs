//! DHCPv6 lease record (address or delegated prefix).

use std::net::Ipv6Addr;

use super::codec::{var_len, Get, Put};
use super::ident::{hash_bytes, ClientId, Hostname, HwAddr, UserContext};
use super::v4::host_hash;
use super::{Lease, LeaseState};

/// Lease type, numbered as Kea's `lease_type` column.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
#[repr(u8)]
pub enum LeaseType {
    /// Non-temporary address (IA_NA).
    #[default]
    Na = 0,
    /// Temporary address (IA_TA).
    Ta = 1,
    /// Delegated prefix (IA_PD).
    Pd = 2,
}

impl LeaseType {
    /// Decodes Kea's number.
    pub fn from_u8(v: u8) -> Option<Self> {
        Some(match v {
            0 => LeaseType::Na,
            1 => LeaseType::Ta,
            2 => LeaseType::Pd,
            _ => return None,
        })
    }
}

/// One DHCPv6 lease (Kea's `Lease6`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lease6 {
    /// Address, or the delegated prefix for `Pd`.
    pub addr: Ipv6Addr,
    /// Prefix length (128 for addresses).
    pub prefix_len: u8,
    /// NA, TA or PD.
    pub lease_type: LeaseType,
    /// Forward DNS update done.
    pub fqdn_fwd: bool,
    /// Reverse DNS update done.
    pub fqdn_rev: bool,
    /// Lease state.
    pub state: LeaseState,
    /// Identity association id.
    pub iaid: u32,
    /// Preferred lifetime in seconds.
    pub pref_lft: u32,
    /// Valid lifetime in seconds.
    pub valid_lft: u32,
    /// Client last transaction time (Unix seconds).
    pub cltt: u32,
    /// Subnet id.
    pub subnet_id: u32,
    /// Pool id (0 = none).
    pub pool_id: u32,
    /// Where the hardware address came from (Kea's `hwaddr_source` bits).
    pub hwaddr_source: u32,
    /// Client DUID.
    pub duid: ClientId,
    /// Client hardware address, if known.
    pub hwaddr: HwAddr,
    /// Hostname, empty when absent.
    pub hostname: Hostname,
    /// User context as JSON text, rarely present.
    pub user_context: Option<UserContext>,
}

impl Lease6 {
    /// A fresh NA lease in the default state.
    pub fn new(addr: Ipv6Addr, duid: &[u8], iaid: u32, cltt: u32, valid_lft: u32) -> Self {
        Lease6 {
            addr,
            prefix_len: 128,
            lease_type: LeaseType::Na,
            fqdn_fwd: false,
            fqdn_rev: false,
            state: LeaseState::Default,
            iaid,
            pref_lft: valid_lft / 2,
            valid_lft,
            cltt,
            subnet_id: 0,
            pool_id: 0,
            hwaddr_source: 0,
            duid: ClientId::new(duid),
            hwaddr: HwAddr::default(),
            hostname: Hostname::EMPTY,
            user_context: None,
        }
    }
}

const TAG_HW: u64 = 0x6877;
const TAG_DUID: u64 = 0x6475;

/// Index key of a v6 hardware address.
pub fn hw_hash(hw: &HwAddr) -> u64 {
    hash_bytes(TAG_HW ^ hw.htype as u64, hw.as_bytes())
}

/// Hash of the v6 client key: DUID + IAID + lease type.
pub fn client_hash(duid: &[u8], iaid: u32, t: LeaseType) -> u64 {
    hash_bytes(TAG_DUID ^ (iaid as u64) << 8 ^ (t as u64) << 40, duid)
}

impl Lease for Lease6 {
    type Addr = Ipv6Addr;
    const FAMILY: u8 = 6;

    fn addr(&self) -> Ipv6Addr {
        self.addr
    }
    fn subnet_id(&self) -> u32 {
        self.subnet_id
    }
    fn addr_to_u128(a: Ipv6Addr) -> u128 {
        u128::from(a)
    }
    fn addr_from_u128(v: u128) -> Ipv6Addr {
        Ipv6Addr::from(v)
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
        self.duid = ClientId::EMPTY;
        self.hostname = Hostname::EMPTY;
        self.user_context = None;
        self.fqdn_fwd = false;
        self.fqdn_rev = false;
    }
    fn hw_key(&self) -> Option<u64> {
        (!self.hwaddr.is_empty()).then(|| hw_hash(&self.hwaddr))
    }
    fn client_key(&self) -> Option<u64> {
        (!self.duid.is_empty())
            .then(|| client_hash(self.duid.as_bytes(), self.iaid, self.lease_type))
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
        16 + 4
            + 7 * 4
            + 1
            + var_len(self.duid.as_bytes())
            + var_len(self.hwaddr.as_bytes())
            + var_len(self.hostname.as_bytes())
            + 4
            + self.user_context.as_ref().map_or(0, |c| c.len())
    }
    fn encode(&self, out: &mut [u8]) {
        let mut p = Put::new(out);
        p.bytes(&self.addr.octets());
        p.u8(self.prefix_len);
        p.u8(self.lease_type as u8);
        p.u8(self.fqdn_fwd as u8 | (self.fqdn_rev as u8) << 1);
        p.u8(self.state as u8);
        for v in [
            self.iaid,
            self.pref_lft,
            self.valid_lft,
            self.cltt,
            self.subnet_id,
            self.pool_id,
            self.hwaddr_source,
        ] {
            p.u32(v);
        }
        p.u8(self.hwaddr.htype);
        p.var(self.duid.as_bytes());
        p.var(self.hwaddr.as_bytes());
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
        let addr = Ipv6Addr::from(<[u8; 16]>::try_from(g.bytes(16)?).ok()?);
        let prefix_len = g.u8()?;
        let lease_type = LeaseType::from_u8(g.u8()?)?;
        let flags = g.u8()?;
        let state = LeaseState::from_u8(g.u8()?);
        let mut v = [0u32; 7];
        for x in &mut v {
            *x = g.u32()?;
        }
        let htype = g.u8()?;
        let duid = ClientId::new(g.var()?);
        let hwaddr = HwAddr::new(htype, g.var()?)?;
        let hostname = Hostname::new(g.var()?);
        let clen = g.u32()?;
        let user_context = if clen == u32::MAX {
            None
        } else {
            Some(std::str::from_utf8(g.bytes(clen as usize)?).ok()?.into())
        };
        g.done().then_some(Lease6 {
            addr,
            prefix_len,
            lease_type,
            fqdn_fwd: flags & 1 != 0,
            fqdn_rev: flags & 2 != 0,
            state,
            iaid: v[0],
            pref_lft: v[1],
            valid_lft: v[2],
            cltt: v[3],
            subnet_id: v[4],
            pool_id: v[5],
            hwaddr_source: v[6],
            duid,
            hwaddr,
            hostname,
            user_context,
        })
    }
}
