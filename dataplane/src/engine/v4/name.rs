//! The client's name in a DHCPv4 reply and in its lease, as Kea 2.2's
//! `processClientName` decides it with DNS updates off: a Client FQDN
//! option (81) is answered in kind and wins over a Host Name option (12);
//! a reserved hostname wins over what the client sent.

use std::net::{IpAddr, Ipv4Addr};

use super::Ctx;
use crate::config::names::NameRules;
use crate::config::Subnet4;
use crate::engine::names::{self, HostnameAnswer, NameBuf, FQDN_FLAGS_V4};
use crate::wire::v4::code;

/// The name decided for one reply.
#[derive(Debug, Default)]
pub(super) struct ClientName {
    /// The option carrying it (12 or 81); 0 when none is sent.
    pub code: u8,
    /// That option's value.
    pub value: NameBuf,
    /// The hostname the lease keeps (empty for none).
    pub lease: NameBuf,
}

impl Ctx<'_, '_, '_> {
    /// The name for a reply giving `yiaddr` in `subnet` (a generated name
    /// is made from the address).
    pub(super) fn client_name(&self, subnet: &Subnet4, yiaddr: Ipv4Addr) -> ClientName {
        let global = &self.engine.config.global_reservations;
        let host = self.client.reservation(subnet, global);
        let reserved = host.and_then(|h| h.hostname.as_deref());
        let rules = &subnet.names;
        let p = &self.req.packet;
        let mut scratch = [0u8; 255];
        if let Some(fqdn) = p.option(code::CLIENT_FQDN) {
            // A client FQDN Kea cannot read leaves the client nameless.
            let sent = fqdn.read(&mut scratch).ok();
            return sent
                .and_then(|f| fqdn_name(rules, reserved, f, yiaddr))
                .unwrap_or_default();
        }
        let sent = p
            .option(code::HOST_NAME)
            .and_then(|v| v.read(&mut scratch).ok());
        let name = match names::hostname_answer(rules, reserved, sent) {
            Some(HostnameAnswer::Name(n)) => Some(n),
            Some(HostnameAnswer::Generate) => names::generated(rules, IpAddr::V4(yiaddr), false),
            None => None,
        };
        // Kea 2.2's DHCPv4 leases keep names in lower case, whatever the
        // option carries (a suffix keeps its case there).
        name.map_or_else(ClientName::default, |n| ClientName {
            code: code::HOST_NAME,
            value: n,
            lease: n.lowercased(),
        })
    }
}

/// The answer to a Client FQDN option `sent` (flags, two RCODE bytes, the
/// name in ASCII or, with E, DNS wire format): N set, the name (in lower
/// case, as the lease keeps it) in the client's encoding, RCODEs echoed.
fn fqdn_name(
    rules: &NameRules,
    reserved: Option<&str>,
    sent: &[u8],
    yiaddr: Ipv4Addr,
) -> Option<ClientName> {
    let (&flags, rest) = sent.split_first()?;
    let rcodes = rest.get(..2)?;
    let wire = flags & FQDN_FLAGS_V4.e != 0;
    let name = if wire {
        names::from_wire(&rest[2..])?
    } else {
        NameBuf::from_ascii(&rest[2..])?
    };
    let flags = FQDN_FLAGS_V4.answer(flags)?;
    let mut answer = names::fqdn_answer(rules, reserved, &name)?;
    if answer.is_empty() {
        answer = names::generated(rules, IpAddr::V4(yiaddr), true)?.lowercased();
    }
    let mut value = NameBuf::default();
    value.push(&[flags])?;
    value.push(rcodes)?;
    if wire {
        names::put_wire(answer.as_bytes(), &mut value)?;
    } else {
        value.push(answer.as_bytes())?;
    }
    Some(ClientName {
        code: code::CLIENT_FQDN,
        value,
        lease: answer,
    })
}
