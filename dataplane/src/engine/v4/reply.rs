//! Writing the reply and deciding where it goes (RFC 2131 §4.1, §4.3).

use std::net::Ipv4Addr;

use super::name::ClientName;
use super::{input, Ctx, Outcome, Silence};
use crate::classify::{Class, ClassSet};
use crate::config::{OptionSet, Reservation4, Subnet4};
use crate::lease::store::Ticket;
use crate::wire::v4::{code, MessageType, Writer4, FLAG_BROADCAST};

/// Where a reply is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Destination {
    /// To the relay at this address, server port 67, at the MAC the request came from.
    Relay(Ipv4Addr),
    /// To the client's current address (renewing, rebinding, inform), port 68.
    Unicast(Ipv4Addr),
    /// To 255.255.255.255, port 68, broadcast MAC.
    Broadcast,
    /// To the offered address at the client's hardware address (no ARP).
    Hardware(Ipv4Addr),
}

/// Options Kea sends whenever they are configured, asked for or not.
const BASIC: [u8; 3] = [3, 6, 15];
/// The DHCP-specific options of RFC 1533 §9, which the bootp hook removes
/// from a reply to a BOOTP client.
const DHCP_ONLY: [u8; 11] = [50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 61];
/// Room left for IP and UDP headers within a client's maximum message size.
const IP_UDP_LEN: usize = 28;
/// Maximum DHCP message size every client accepts (RFC 2131 §2).
const DEFAULT_MAX_MESSAGE: usize = 576;

impl<'c> Ctx<'_, 'c, '_> {
    /// Writes a reply of `kind` offering or confirming `yiaddr` (unspecified
    /// for NAK and INFORM), with `lifetime` and the client's `name` when a
    /// lease is granted.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn reply(
        &self,
        out: &mut [u8],
        kind: MessageType,
        yiaddr: Ipv4Addr,
        subnet: &'c Subnet4,
        lifetime: Option<u32>,
        name: &ClientName,
        ticket: Option<Ticket>,
    ) -> Outcome {
        match self.write(out, kind, yiaddr, subnet, lifetime, name) {
            Ok(len) => Outcome::Reply {
                kind: if self.bootp {
                    MessageType::Other(0)
                } else {
                    kind
                },
                len,
                to: self.destination(kind, yiaddr),
                ticket,
            },
            Err(_) => Outcome::Silent(Silence::Failed),
        }
    }

    fn write(
        &self,
        out: &mut [u8],
        kind: MessageType,
        yiaddr: Ipv4Addr,
        subnet: &'c Subnet4,
        lifetime: Option<u32>,
        name: &ClientName,
    ) -> Result<usize, crate::wire::WireError> {
        let p = &self.req.packet;
        let limit = p
            .option_u16(code::MAX_MESSAGE_SIZE)
            .map_or(DEFAULT_MAX_MESSAGE, |m| {
                usize::from(m).max(DEFAULT_MAX_MESSAGE)
            })
            - IP_UDP_LEN;
        let mut w = if self.bootp {
            Writer4::bootreply_to(out, limit, p)?
        } else {
            let mut w = Writer4::reply_to(out, limit, p, kind)?;
            w.put_option(code::SERVER_ID, &self.req.local_addr.octets())?;
            w
        };
        let nak = kind == MessageType::Nak;
        if nak {
            // A relay must broadcast a NAK on the client's link (§4.3.2).
            if !p.giaddr().is_unspecified() {
                w.set_flags(p.flags() | FLAG_BROADCAST);
            }
        } else {
            let global = &self.engine.config.global_reservations;
            let host = self.client.reservation(subnet, global);
            let pool = subnet.pool_of(yiaddr).map(|i| subnet.pool_classes(i));
            let member = self.additional_classes(subnet, pool.map(|p| &p.required[..]));
            let classes = self.engine.config.classes.applying(member.iter());
            w.set_ciaddr(p.ciaddr());
            w.set_yiaddr(yiaddr);
            self.boot_fields(&mut w, subnet, host, classes.clone())?;
            if let Some(valid) = lifetime.filter(|_| !self.bootp) {
                w.put_option(code::LEASE_TIME, &valid.to_be_bytes())?;
                let (t1, t2) = timers(subnet, valid);
                if let Some(t1) = t1 {
                    w.put_option(58, &t1.to_be_bytes())?;
                }
                if let Some(t2) = t2 {
                    w.put_option(59, &t2.to_be_bytes())?;
                }
            }
            if lifetime.is_some() {
                // Kea adds the subnet mask with a lease, not to an INFORM's ACK.
                w.put_option(1, &subnet.mask().octets())?;
            }
            // The client's name comes before configured options, so it
            // shadows a configured option of the same code (as in Kea).
            if name.code != 0 {
                w.put_option(name.code, name.value.as_bytes())?;
            }
            let scopes = [
                host.map(|h| &h.options),
                pool.map(|p| &p.options),
                Some(&subnet.options),
            ];
            self.configured_options(&mut w, &scopes, classes, name.code)?;
        }
        // flex_id's replace-client-id puts back the identifier the client
        // sent whatever echo-client-id says; a BOOTREPLY carries none.
        let replaced = self
            .engine
            .config
            .flex_id
            .as_ref()
            .is_some_and(|f| f.replace_client_id);
        if (self.engine.config.echo_client_id || replaced) && !self.bootp {
            if let Some(cid) = p.option_contiguous(code::CLIENT_ID) {
                w.put_option(code::CLIENT_ID, cid)?;
            }
        }
        if let Some(rai) = p
            .option(code::RELAY_AGENT_INFO)
            .and_then(|v| v.contiguous())
        {
            w.put_option(code::RELAY_AGENT_INFO, rai)?;
        }
        // RFC 3011: a server that honours the subnet selection option
        // returns it as sent (Kea's copyDefaultOptions does).
        if let Some(sel) = p.option_contiguous(code::SUBNET_SELECTION) {
            w.put_option(code::SUBNET_SELECTION, sel)?;
        }
        w.finish()
    }

    /// The client's classes once those the pool, the subnet and its shared
    /// network require are evaluated (in that order, as Kea does).
    fn additional_classes(&self, subnet: &Subnet4, pool: Option<&[u16]>) -> ClassSet {
        let mut member = self.member;
        let classes = &self.engine.config.classes;
        let input = input(self.req);
        for required in [pool.unwrap_or(&[]), &subnet.required] {
            classes.additional(&input, required, &mut member);
        }
        member
    }

    /// `siaddr`, `sname` and `file`: the reservation's, else the first
    /// class's that sets it, else the subnet's.
    fn boot_fields(
        &self,
        w: &mut Writer4<'_>,
        subnet: &Subnet4,
        host: Option<&Reservation4>,
        classes: impl Iterator<Item = &'c Class> + Clone,
    ) -> Result<(), crate::wire::WireError> {
        let next = host.and_then(|h| h.next_server);
        let next = next.or_else(|| classes.clone().find_map(|c| c.next_server));
        if let Some(a) = next.or(subnet.next_server) {
            w.set_siaddr(a);
        }
        let sname = host.and_then(|h| h.server_hostname.as_deref());
        let sname = sname.or_else(|| classes.clone().find_map(|c| c.server_hostname.as_deref()));
        if let Some(name) = sname.or(subnet.server_hostname.as_deref()) {
            w.set_sname(name.as_bytes())?;
        }
        let file = host.and_then(|h| h.boot_file_name.as_deref());
        let file = file
            .or_else(|| classes.clone().find_map(|c| c.boot_file_name.as_deref()))
            .or(subnet.boot_file_name.as_deref());
        if let Some(name) = file {
            w.set_file(name.as_bytes())?;
        }
        Ok(())
    }

    /// Options the client asked for (option 55), the always-send ones and
    /// Kea's basic set, each from the most specific scope defining it:
    /// reservation, pool, subnet (over its shared network), the client's
    /// classes in order, then the global scope. `named` is the code of the
    /// name option already written (0 for none).
    fn configured_options(
        &self,
        w: &mut Writer4<'_>,
        scopes: &[Option<&OptionSet>; 3],
        classes: impl Iterator<Item = &'c Class> + Clone,
        named: u8,
    ) -> Result<(), crate::wire::WireError> {
        let p = &self.req.packet;
        let requested = p
            .option(code::PARAMETER_REQUEST_LIST)
            .and_then(|v| v.contiguous())
            .unwrap_or(&[]);
        let global = Some(&self.engine.config.global_options);
        let class_sets = classes.map(|c| Some(&c.options));
        let all = || {
            scopes
                .iter()
                .copied()
                .chain(class_sets.clone())
                .chain([global])
                .flatten()
        };
        let lookup = |c: u8| all().find_map(|s| s.get(c.into()));
        // Options the engine writes itself are never taken from the scopes,
        // and a BOOTREPLY carries no DHCP-specific one.
        let own = |c: u8| {
            matches!(c, 1 | 51 | 53 | 54 | 58 | 59 | 61 | 82)
                || (self.bootp && DHCP_ONLY.contains(&c))
        };
        let mut sent = [false; 256];
        sent[usize::from(named)] = named != 0;
        for &c in requested.iter().chain(BASIC.iter()) {
            if !own(c) && !sent[usize::from(c)] {
                if let Some(o) = lookup(c) {
                    w.put_option(c, &o.data)?;
                    sent[usize::from(c)] = true;
                }
            }
        }
        for scope in all() {
            for o in scope.iter().filter(|o| o.always_send) {
                let c = o.code as u8;
                if !own(c) && !sent[usize::from(c)] {
                    w.put_option(c, &o.data)?;
                    sent[usize::from(c)] = true;
                }
            }
        }
        Ok(())
    }

    fn destination(&self, kind: MessageType, yiaddr: Ipv4Addr) -> Destination {
        let p = &self.req.packet;
        // An INFORM is answered at its ciaddr even through a relay (§4.3.5).
        let inform = p.message_type() == Some(MessageType::Inform);
        if inform && !p.ciaddr().is_unspecified() {
            Destination::Unicast(p.ciaddr())
        } else if !p.giaddr().is_unspecified() {
            Destination::Relay(p.giaddr())
        } else if kind == MessageType::Nak {
            Destination::Broadcast
        } else if !p.ciaddr().is_unspecified() {
            Destination::Unicast(p.ciaddr())
        } else if p.broadcast() || yiaddr.is_unspecified() {
            Destination::Broadcast
        } else {
            Destination::Hardware(yiaddr)
        }
    }
}

/// T1 and T2 for a lease of `valid` seconds: the configured timers when
/// below the lifetime, else computed when `calculate-tee-times` is on.
fn timers(subnet: &Subnet4, valid: u32) -> (Option<u32>, Option<u32>) {
    let below = |t: Option<u32>| t.filter(|&t| t < valid);
    let (t1, t2) = (below(subnet.renew_timer), below(subnet.rebind_timer));
    match (t1, t2, subnet.calculate_tee_times) {
        (None, None, Some((p1, p2))) => (
            Some((valid as f32 * p1) as u32),
            Some((valid as f32 * p2) as u32),
        ),
        (t1, t2, _) => (t1.filter(|&t1| t2.is_none_or(|t2| t1 < t2)), t2),
    }
}
