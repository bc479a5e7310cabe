//! DHCPv6 messages the classification tests send: options as TLVs, IAs
//! with hints, vendor class, and a RELAY-FORW around a client message.

use std::net::Ipv6Addr;

/// One option: code, length, data.
pub fn tlv(code: u16, data: &[u8]) -> Vec<u8> {
    let mut v = code.to_be_bytes().to_vec();
    v.extend_from_slice(&(data.len() as u16).to_be_bytes());
    v.extend_from_slice(data);
    v
}

/// OPTION_ORO asking for `codes`.
pub fn oro(codes: &[u16]) -> Vec<u8> {
    let list: Vec<u8> = codes.iter().flat_map(|c| c.to_be_bytes()).collect();
    tlv(6, &list)
}

/// An IA_NA with IAID `iaid`, T1 and T2 zero, and an IAADDR hint
/// (address, preferred, valid) when given.
pub fn ia_na(iaid: u32, hint: Option<(Ipv6Addr, u32, u32)>) -> Vec<u8> {
    let mut ia = iaid.to_be_bytes().to_vec();
    ia.extend([0; 8]);
    if let Some((a, p, v)) = hint {
        let mut addr = a.octets().to_vec();
        addr.extend(p.to_be_bytes());
        addr.extend(v.to_be_bytes());
        ia.extend(tlv(5, &addr));
    }
    tlv(3, &ia)
}

/// An IA_PD with IAID `iaid` and no hint.
pub fn ia_pd(iaid: u32) -> Vec<u8> {
    let mut ia = iaid.to_be_bytes().to_vec();
    ia.extend([0; 8]);
    tlv(25, &ia)
}

/// OPTION_VENDOR_CLASS of enterprise 4491 (CableLabs) with one item.
pub fn vendor_class(item: &[u8]) -> Vec<u8> {
    let mut v = 4491u32.to_be_bytes().to_vec();
    v.extend((item.len() as u16).to_be_bytes());
    v.extend(item);
    tlv(16, &v)
}

/// A RELAY-FORW from the relay on `link` carrying `msg` from `peer`.
pub fn relay_forw(link: Ipv6Addr, peer: Ipv6Addr, msg: &[u8]) -> Vec<u8> {
    relay_forw_with(link, peer, &[], msg)
}

/// A RELAY-FORW as [`relay_forw`] whose relay adds `options` (TLVs).
pub fn relay_forw_with(link: Ipv6Addr, peer: Ipv6Addr, options: &[u8], msg: &[u8]) -> Vec<u8> {
    let mut relay = vec![12, 0];
    relay.extend(link.octets());
    relay.extend(peer.octets());
    relay.extend(options);
    relay.extend(tlv(9, msg));
    relay
}
