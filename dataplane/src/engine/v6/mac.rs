//! The client's link-layer address, from the configured `mac-sources` in
//! order (the Kea manual's "MAC/Hardware Addresses in DHCPv6").

use std::net::Ipv6Addr;

use super::Request6;
use crate::config::v6::MacSource;
use crate::lease::HwAddr;
use crate::wire::v6::{OptionIter, OPTION_REMOTE_ID, OPTION_SUBSCRIBER_ID, OPTION_VENDOR_OPTS};

/// ARP hardware type of Ethernet.
const HTYPE_ETHER: u8 = 1;
/// OPTION_CLIENT_LINKLAYER_ADDR (RFC 6939), added by the nearest relay.
const OPTION_CLIENT_LINKLAYER_ADDR: u16 = 79;
/// CableLabs' enterprise number, whose vendor option carries DOCSIS data.
const CABLELABS: u32 = 4491;
/// CableLabs sub-option the CMTS adds: the cable modem's MAC.
const DOCSIS_CMTS_CM_MAC: u16 = 1026;
/// CableLabs sub-option a modem sends: its device id (its MAC).
const DOCSIS_DEVICE_ID: u16 = 36;

/// The first address one of `sources` yields for `req`, with its source.
pub fn find(req: &Request6<'_>, sources: &[MacSource]) -> Option<(HwAddr, MacSource)> {
    sources
        .iter()
        .find_map(|&s| from(req, s).filter(|hw| !hw.is_empty()).map(|hw| (hw, s)))
}

fn from(req: &Request6<'_>, source: MacSource) -> Option<HwAddr> {
    let packet = &req.packet;
    // The relay nearest the client is the one that saw the client's frame.
    let nearest = packet.relays().last();
    let relay_option = |code: u16| nearest.as_ref().and_then(|r| r.options().find(code));
    match source {
        MacSource::Raw if packet.relay_depth() == 0 => ether(&req.src_mac?),
        MacSource::Raw => None,
        MacSource::Duid => {
            let (htype, bytes) = packet.innermost().client_id()?.link_layer()?;
            HwAddr::new(htype as u8, bytes)
        }
        MacSource::LinkLocal => eui64(nearest.map_or(req.src, |r| r.peer_address())),
        MacSource::RelayOption => {
            let o = relay_option(OPTION_CLIENT_LINKLAYER_ADDR)?;
            HwAddr::new(*o.get(1)?, o.get(2..)?)
        }
        MacSource::RemoteId => ether(relay_option(OPTION_REMOTE_ID)?.get(4..)?),
        MacSource::SubscriberId => ether(relay_option(OPTION_SUBSCRIBER_ID)?),
        MacSource::DocsisCmts => cablelabs(relay_option(OPTION_VENDOR_OPTS)?, DOCSIS_CMTS_CM_MAC),
        MacSource::DocsisModem => {
            let vendor = packet.innermost().options().find(OPTION_VENDOR_OPTS)?;
            cablelabs(vendor, DOCSIS_DEVICE_ID)
        }
    }
}

fn ether(bytes: &[u8]) -> Option<HwAddr> {
    HwAddr::new(HTYPE_ETHER, bytes)
}

/// The MAC inside a modified EUI-64 link-local address: the interface id
/// must carry ff:fe in its middle, the universal bit set and the group
/// bit clear (RFC 4291 appendix A), which is undone.
fn eui64(a: Ipv6Addr) -> Option<HwAddr> {
    let b = a.octets();
    let link_local = a.segments()[0] & 0xffc0 == 0xfe80;
    if !link_local || b[11] != 0xff || b[12] != 0xfe || b[8] & 0x03 != 0x02 {
        return None;
    }
    ether(&[b[8] ^ 0x02, b[9], b[10], b[13], b[14], b[15]])
}

/// Sub-option `code` of a CableLabs vendor option (RFC 8415 §21.17:
/// enterprise number, then code-length-value sub-options).
fn cablelabs(vendor: &[u8], code: u16) -> Option<HwAddr> {
    let enterprise = u32::from_be_bytes(vendor.get(..4)?.try_into().ok()?);
    if enterprise != CABLELABS {
        return None;
    }
    let (_, mac) = OptionIter::new(vendor.get(4..)?).find(|(c, _)| *c == code)?;
    ether(mac)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eui64_link_locals_give_their_mac() {
        let mac = eui64("fe80::aabb:ccff:fedd:eeff".parse().unwrap()).unwrap();
        assert_eq!(mac.as_bytes(), [0xa8, 0xbb, 0xcc, 0xdd, 0xee, 0xff]);
        // Privacy addresses and global ones do not.
        assert!(eui64("fe80::1234:5678:9abc:def0".parse().unwrap()).is_none());
        assert!(eui64("2001:db8::aabb:ccff:fedd:eeff".parse().unwrap()).is_none());
        // A locally administered MAC (universal bit clear in the
        // interface id) and a group address do not count.
        assert!(eui64("fe80::a8bb:ccff:fedd:eeff".parse().unwrap()).is_none());
        assert!(eui64("fe80::abbb:ccff:fedd:eeff".parse().unwrap()).is_none());
    }
}
