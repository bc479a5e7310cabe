//! DHCPv4 as a relay agent: DISCOVER/REQUEST with giaddr set to the local
//! address (hops 1), as perfdhcp sends when the server is not broadcast;
//! or, with giaddr unspecified, as directly connected clients (`--xdp`).

use std::net::Ipv4Addr;

use xdhcp_dataplane::wire::v4::{code, MessageType, Packet4, Writer4, BOOTREQUEST, FLAG_BROADCAST};

use super::clients;
use super::leases::LeaseRing;
use super::{Exchange, Protocol, Reply};

/// Options perfdhcp asks for: subnet mask, broadcast, time offset, router,
/// domain name, DNS, host name.
const PARAMETER_LIST: [u8; 7] = [1, 28, 2, 3, 15, 6, 12];

/// DHCPv4 clients behind one simulated relay.
pub struct V4 {
    giaddr: Ipv4Addr,
    mac_base: [u8; 6],
    flags: u16,
    leases: LeaseRing,
}

impl V4 {
    /// Clients numbered from `mac_base`, relayed through `giaddr`, asking
    /// for broadcast replies when `broadcast` (`-B`); keeps up to `keep`
    /// leases for renewals and releases.
    pub fn new(giaddr: Ipv4Addr, mac_base: [u8; 6], broadcast: bool, keep: usize) -> Self {
        V4 {
            giaddr,
            mac_base,
            flags: if broadcast { FLAG_BROADCAST } else { 0 },
            leases: LeaseRing::new(keep),
        }
    }

    fn header<'b>(&self, buf: &'b mut [u8], client: u32, xid: u32, t: MessageType) -> Writer4<'b> {
        // Buffers come from the engine and are always larger than 300 bytes.
        let mut w = Writer4::new(buf, 576).expect("send buffer holds a BOOTP message");
        w.set_op(BOOTREQUEST);
        let _ = w.set_chaddr(1, &clients::mac(&self.mac_base, client));
        w.set_hops(u8::from(!self.giaddr.is_unspecified()));
        w.set_xid(xid);
        w.set_giaddr(self.giaddr);
        w.set_flags(self.flags);
        let _ = w.put_option(code::MESSAGE_TYPE, &[t.to_u8()]);
        w
    }
}

fn finish(w: Writer4<'_>) -> usize {
    w.finish().unwrap_or(0)
}

impl Protocol for V4 {
    const XID_BITS: u32 = 32;
    const RELEASE_ANSWERED: bool = false;

    fn first(&mut self, client: u32, xid: u32, buf: &mut [u8]) -> usize {
        let mut w = self.header(buf, client, xid, MessageType::Discover);
        let _ = w.put_option(code::PARAMETER_REQUEST_LIST, &PARAMETER_LIST);
        finish(w)
    }

    fn read_reply(&self, pkt: &[u8]) -> Option<Reply> {
        let p = Packet4::parse(pkt).ok()?;
        let granted = !p.yiaddr().is_unspecified();
        let (exchange, granted) = match p.message_type()? {
            MessageType::Offer => (Exchange::First, granted),
            // A renewal is told apart by the engine from its own table.
            MessageType::Ack => (Exchange::Second, granted),
            MessageType::Nak => (Exchange::Second, false),
            _ => return None,
        };
        Some(Reply {
            xid: p.xid(),
            exchange,
            granted,
        })
    }

    fn second(&mut self, reply: &[u8], client: u32, xid: u32, buf: &mut [u8]) -> usize {
        let Ok(offer) = Packet4::parse(reply) else {
            return 0;
        };
        let (yiaddr, server) = (offer.yiaddr(), offer.option_ipv4(code::SERVER_ID));
        let mut w = self.header(buf, client, xid, MessageType::Request);
        let _ = w.put_option(code::REQUESTED_ADDRESS, &yiaddr.octets());
        if let Some(server) = server {
            let _ = w.put_option(code::SERVER_ID, &server.octets());
        }
        let _ = w.put_option(code::PARAMETER_REQUEST_LIST, &PARAMETER_LIST);
        finish(w)
    }

    fn keep_lease(&mut self, reply: &[u8], client: u32) {
        let Ok(ack) = Packet4::parse(reply) else {
            return;
        };
        let server = ack
            .option_ipv4(code::SERVER_ID)
            .unwrap_or(Ipv4Addr::UNSPECIFIED);
        let addr = ack.yiaddr();
        self.leases.push(client, |d| {
            d[..4].copy_from_slice(&addr.octets());
            d[4..8].copy_from_slice(&server.octets());
            8
        });
    }

    fn renew(&mut self, xid: u32, buf: &mut [u8]) -> Option<(usize, u32)> {
        let lease = self.leases.rotate()?;
        let (client, data) = (lease.client, lease.data);
        // RENEWING (RFC 2131 §4.3.2): ciaddr set, no server id or option 50.
        let mut w = self.header(buf, client, xid, MessageType::Request);
        w.set_ciaddr(Ipv4Addr::new(data[0], data[1], data[2], data[3]));
        let _ = w.put_option(code::PARAMETER_REQUEST_LIST, &PARAMETER_LIST);
        Some((finish(w), client))
    }

    fn release(&mut self, xid: u32, buf: &mut [u8]) -> Option<(usize, u32)> {
        let lease = self.leases.pop()?;
        let (client, data) = (lease.client, lease.data);
        let mut w = self.header(buf, client, xid, MessageType::Release);
        w.set_ciaddr(Ipv4Addr::new(data[0], data[1], data[2], data[3]));
        let _ = w.put_option(code::SERVER_ID, &data[4..8]);
        Some((finish(w), client))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn discover_is_relayed_with_the_client_mac_and_request_follows_the_offer() {
        let mut v4 = V4::new(Ipv4Addr::new(192, 0, 2, 2), [0, 0x0c, 1, 2, 3, 4], true, 4);
        let mut buf = [0u8; 1024];
        let n = v4.first(5, 0xdead_beef, &mut buf);
        let p = Packet4::parse(&buf[..n]).unwrap();
        assert_eq!(p.message_type(), Some(MessageType::Discover));
        assert_eq!(p.giaddr(), Ipv4Addr::new(192, 0, 2, 2));
        assert_eq!(&p.chaddr()[..6], &[0, 0x0c, 1, 2, 3, 9]);
        assert_eq!(p.xid(), 0xdead_beef);
        assert!(p.broadcast());

        // The server's OFFER, as a relay would receive it.
        let mut offer = [0u8; 1024];
        let mut w = Writer4::reply_to(&mut offer, 576, &p, MessageType::Offer).unwrap();
        w.set_yiaddr(Ipv4Addr::new(10, 0, 0, 7));
        w.put_option(code::SERVER_ID, &[192, 0, 2, 1]).unwrap();
        let len = w.finish().unwrap();
        let reply = v4.read_reply(&offer[..len]).unwrap();
        assert_eq!(
            reply,
            Reply {
                xid: 0xdead_beef,
                exchange: Exchange::First,
                granted: true
            }
        );
        let mut req = [0u8; 1024];
        let n = v4.second(&offer[..len], 5, 7, &mut req);
        let r = Packet4::parse(&req[..n]).unwrap();
        assert_eq!(r.message_type(), Some(MessageType::Request));
        assert_eq!(
            r.option_ipv4(code::REQUESTED_ADDRESS),
            Some(Ipv4Addr::new(10, 0, 0, 7))
        );
        assert_eq!(
            r.option_ipv4(code::SERVER_ID),
            Some(Ipv4Addr::new(192, 0, 2, 1))
        );

        v4.keep_lease(&offer[..len], 5);
        let (n, client) = v4.renew(8, &mut req).unwrap();
        assert_eq!(client, 5);
        assert_eq!(
            Packet4::parse(&req[..n]).unwrap().ciaddr(),
            Ipv4Addr::new(10, 0, 0, 7)
        );
        let (n, _) = v4.release(9, &mut req).unwrap();
        let rel = Packet4::parse(&req[..n]).unwrap();
        assert_eq!(rel.message_type(), Some(MessageType::Release));
        assert!(v4.release(10, &mut req).is_none());
    }
}
