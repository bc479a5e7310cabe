//! DHCPv6 clients, sent directly or wrapped in one RELAY-FORW level (`-A 1`).

use std::net::Ipv6Addr;

use xdhcp_dataplane::wire::v6::{
    status, Message6Writer, MessageType, OptionIter, Packet6, OPTION_IA_NA, OPTION_IA_PD,
    OPTION_RELAY_MSG, OPTION_SERVERID,
};
use xdhcp_dataplane::wire::WireError;

use super::clients;
use super::leases::LeaseRing;
use super::{Exchange, Protocol, Reply};
use crate::cli::LeaseType;

/// IAID of the one IA_NA and one IA_PD each client asks for.
const IAID: u32 = 1;

/// DHCPv6 clients, optionally behind one simulated relay.
pub struct V6 {
    /// `Some(link-address)` when relaying (`-A 1`).
    relay: Option<Ipv6Addr>,
    lease_type: LeaseType,
    mac_base: [u8; 6],
    duid_base: Option<Vec<u8>>,
    leases: LeaseRing,
}

impl V6 {
    /// Clients numbered from the `-b` bases, relayed with `relay` as the
    /// link-address when given; keeps up to `keep` leases.
    pub fn new(
        relay: Option<Ipv6Addr>,
        lease_type: LeaseType,
        mac_base: [u8; 6],
        duid_base: Option<Vec<u8>>,
        keep: usize,
    ) -> Self {
        V6 {
            relay,
            lease_type,
            mac_base,
            duid_base,
            leases: LeaseRing::new(keep),
        }
    }

    /// Writes the relay header (if relaying), the message header and the
    /// client id, then lets `body` add options, and closes everything.
    fn build(
        &self,
        buf: &mut [u8],
        client: u32,
        xid: u32,
        t: MessageType,
        body: impl FnOnce(&mut Message6Writer<'_>) -> Result<(), WireError>,
    ) -> usize {
        let mut w = Message6Writer::new(buf);
        let run = |w: &mut Message6Writer<'_>| -> Result<(), WireError> {
            let relay_mark = match self.relay {
                Some(link) => {
                    let peer = clients::link_local(&clients::mac(&self.mac_base, client));
                    w.put_relay_header(MessageType::RelayForw, 0, link, peer)?;
                    Some(w.begin_option(OPTION_RELAY_MSG)?)
                }
                None => None,
            };
            w.put_header(t, xid)?;
            let mut duid = [0u8; 64];
            let n = clients::duid(&self.mac_base, self.duid_base.as_deref(), client, &mut duid);
            w.client_id(&duid[..n])?;
            w.elapsed_time(0)?;
            body(w)?;
            if let Some(mark) = relay_mark {
                w.end_option(mark)?;
            }
            Ok(())
        };
        match run(&mut w) {
            Ok(()) => w.finish().unwrap_or(0),
            Err(_) => 0,
        }
    }
}

/// Copies the server id and the IA options of `opts` into `w`.
fn copy_lease_options(w: &mut Message6Writer<'_>, opts: &[u8]) -> Result<(), WireError> {
    for (code, body) in OptionIter::new(opts) {
        if matches!(code, OPTION_SERVERID | OPTION_IA_NA | OPTION_IA_PD) {
            w.option(code, body)?;
        }
    }
    Ok(())
}

/// The options area of the client message inside `pkt`, if it parses.
fn inner_options(pkt: &[u8]) -> Option<(MessageType, u32, &[u8])> {
    let p = Packet6::parse(pkt).ok()?;
    let m = p.innermost();
    Some((m.msg_type(), m.xid(), m.options().as_bytes()))
}

impl Protocol for V6 {
    const XID_BITS: u32 = 24;
    const RELEASE_ANSWERED: bool = true;

    fn first(&mut self, client: u32, xid: u32, buf: &mut [u8]) -> usize {
        let lt = self.lease_type;
        self.build(buf, client, xid, MessageType::Solicit, |w| {
            if lt.address() {
                let m = w.begin_ia_na(IAID, 0, 0)?;
                w.end_option(m)?;
            }
            if lt.prefix() {
                let m = w.begin_ia_pd(IAID, 0, 0)?;
                w.end_option(m)?;
            }
            Ok(())
        })
    }

    fn read_reply(&self, pkt: &[u8]) -> Option<Reply> {
        let p = Packet6::parse(pkt).ok()?;
        let m = p.innermost();
        let exchange = match m.msg_type() {
            MessageType::Advertise => Exchange::First,
            MessageType::Reply => Exchange::Second,
            _ => return None,
        };
        let opts = m.options();
        let ok = |s: Option<u16>| s.is_none_or(|c| c == status::SUCCESS);
        let mut granted = ok(opts.status_code().map(|s| s.code));
        if self.lease_type.address() {
            granted &= opts
                .ia_nas()
                .any(|ia| ok(ia.status().map(|s| s.code)) && ia.addresses().any(|a| a.valid > 0));
        }
        if self.lease_type.prefix() {
            granted &= opts
                .ia_pds()
                .any(|ia| ok(ia.status().map(|s| s.code)) && ia.prefixes().any(|p| p.valid > 0));
        }
        Some(Reply {
            xid: m.xid(),
            exchange,
            granted,
        })
    }

    fn second(&mut self, reply: &[u8], client: u32, xid: u32, buf: &mut [u8]) -> usize {
        let Some((_, _, opts)) = inner_options(reply) else {
            return 0;
        };
        self.build(buf, client, xid, MessageType::Request, |w| {
            copy_lease_options(w, opts)
        })
    }

    fn keep_lease(&mut self, reply: &[u8], client: u32) {
        let Some((_, _, opts)) = inner_options(reply) else {
            return;
        };
        // Keep the server id and IAs as sent, to echo them in RENEW/RELEASE.
        let mut keep = [0u8; super::leases::LEASE_DATA];
        let mut w = Message6Writer::new(&mut keep);
        if copy_lease_options(&mut w, opts).is_err() {
            return;
        }
        let n = w.len();
        self.leases.push(client, |d| {
            d[..n].copy_from_slice(&keep[..n]);
            n
        });
    }

    fn renew(&mut self, xid: u32, buf: &mut [u8]) -> Option<(usize, u32)> {
        let lease = *self.leases.rotate()?;
        let data = &lease.data[..lease.len as usize];
        let n = self.build(buf, lease.client, xid, MessageType::Renew, |w| {
            w.put_bytes(data)
        });
        Some((n, lease.client))
    }

    fn release(&mut self, xid: u32, buf: &mut [u8]) -> Option<(usize, u32)> {
        let lease = *self.leases.pop()?;
        let data = &lease.data[..lease.len as usize];
        let n = self.build(buf, lease.client, xid, MessageType::Release, |w| {
            w.put_bytes(data)
        });
        Some((n, lease.client))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn advertise(solicit: &[u8], buf: &mut [u8]) -> usize {
        let req = Packet6::parse(solicit).unwrap();
        let m = req.innermost();
        let mut w = Message6Writer::new(buf);
        let mark = w.begin_relay_reply(req.relays()).unwrap();
        w.put_header(MessageType::Advertise, m.xid()).unwrap();
        w.client_id(m.client_id().unwrap().as_bytes()).unwrap();
        w.server_id(&[0, 3, 0, 1, 1, 2, 3, 4, 5, 6]).unwrap();
        let ia = w.begin_ia_na(IAID, 100, 200).unwrap();
        w.ia_addr("2001:db8::5".parse().unwrap(), 300, 400).unwrap();
        w.end_option(ia).unwrap();
        w.end_relay_reply(mark).unwrap();
        w.finish().unwrap()
    }

    #[test]
    fn relayed_solicit_request_renew_release() {
        let link: Ipv6Addr = "2001:db8::2".parse().unwrap();
        let mut v6 = V6::new(
            Some(link),
            LeaseType::AddressOnly,
            [0, 0x0c, 1, 2, 3, 4],
            None,
            4,
        );
        let mut buf = [0u8; 1024];
        let n = v6.first(1, 0x12_3456, &mut buf);
        let p = Packet6::parse(&buf[..n]).unwrap();
        assert_eq!(p.msg_type(), MessageType::RelayForw);
        assert_eq!(p.relays().next().unwrap().link_address(), link);
        let m = p.innermost();
        assert_eq!((m.msg_type(), m.xid()), (MessageType::Solicit, 0x12_3456));
        assert_eq!(
            m.client_id().unwrap().as_bytes(),
            &[0, 3, 0, 1, 0, 0x0c, 1, 2, 3, 5]
        );
        assert_eq!(m.options().ia_nas().count(), 1);

        let mut adv = [0u8; 1024];
        let len = advertise(&buf[..n], &mut adv);
        let r = v6.read_reply(&adv[..len]).unwrap();
        assert_eq!(
            r,
            Reply {
                xid: 0x12_3456,
                exchange: Exchange::First,
                granted: true
            }
        );

        let n = v6.second(&adv[..len], 1, 9, &mut buf);
        let req = Packet6::parse(&buf[..n]).unwrap().innermost();
        assert_eq!(req.msg_type(), MessageType::Request);
        assert!(req.server_id().is_some());
        let addr = req
            .options()
            .ia_nas()
            .next()
            .unwrap()
            .addresses()
            .next()
            .unwrap();
        assert_eq!(addr.address, "2001:db8::5".parse::<Ipv6Addr>().unwrap());

        v6.keep_lease(&adv[..len], 1);
        let (n, _) = v6.renew(10, &mut buf).unwrap();
        let renew = Packet6::parse(&buf[..n]).unwrap().innermost();
        assert_eq!(renew.msg_type(), MessageType::Renew);
        assert_eq!(renew.options().ia_nas().count(), 1);
        let (n, _) = v6.release(11, &mut buf).unwrap();
        assert_eq!(
            Packet6::parse(&buf[..n]).unwrap().innermost().msg_type(),
            MessageType::Release
        );
    }

    #[test]
    fn direct_solicit_asks_for_a_prefix() {
        let mut v6 = V6::new(None, LeaseType::PrefixOnly, [0; 6], None, 1);
        let mut buf = [0u8; 512];
        let n = v6.first(0, 1, &mut buf);
        let p = Packet6::parse(&buf[..n]).unwrap();
        assert_eq!(p.msg_type(), MessageType::Solicit);
        assert_eq!(p.options().ia_pds().count(), 1);
        assert_eq!(p.options().ia_nas().count(), 0);
    }
}
