//! The client's name in a DHCPv6 reply and in its leases, as Kea 2.2's
//! `processClientFqdn` and `generateFqdn` decide it with DNS updates off:
//! a Client FQDN option (39) is answered only when the client sent one;
//! without it the leases keep the reserved hostname as configured.

use std::net::{IpAddr, Ipv6Addr};

use crate::config::{Reservation6, Subnet6};
use crate::engine::names::{self, NameBuf, FQDN_FLAGS_V6};
use crate::lease::Hostname;
use crate::wire::v6::ClientMessage;
use crate::wire::WireError;

/// OPTION_CLIENT_FQDN (RFC 4704).
pub const OPTION_CLIENT_FQDN: u16 = 39;

/// The name decided for one message.
#[derive(Debug, Clone, Copy, Default)]
pub struct ClientName {
    /// The flags answered, when the client sent a Client FQDN option.
    flags: Option<u8>,
    /// The name answered in it (full, or empty until one is generated).
    answer: NameBuf,
    /// The hostname the leases keep.
    lease: NameBuf,
}

impl ClientName {
    /// The name for a client of `subnet` with reservation `host` that sent
    /// `msg` (nothing without a subnet).
    pub fn of(
        subnet: Option<&Subnet6>,
        host: Option<&Reservation6>,
        msg: &ClientMessage<'_>,
    ) -> Self {
        let reserved = host.and_then(|h| h.hostname.as_deref());
        let Some(subnet) = subnet else {
            return ClientName::default();
        };
        let Some(sent) = msg.options().find(OPTION_CLIENT_FQDN) else {
            // Kea keeps the reserved name as configured, unqualified.
            let lease = reserved.and_then(|r| {
                let mut n = NameBuf::default();
                n.push(r.as_bytes()).map(|()| n)
            });
            return ClientName {
                lease: lease.unwrap_or_default(),
                ..ClientName::default()
            };
        };
        let answered = (|| {
            let (&flags, name) = sent.split_first()?;
            let name = names::from_wire(name)?;
            let flags = FQDN_FLAGS_V6.answer(flags)?;
            let answer = names::fqdn_answer(&subnet.names, reserved, &name)?;
            Some(ClientName {
                flags: Some(flags),
                answer,
                lease: answer,
            })
        })();
        // A Client FQDN Kea cannot read leaves the client nameless.
        answered.unwrap_or_default()
    }

    /// True when the answer still needs a name made from an address.
    pub fn wants_generated(&self) -> bool {
        self.flags.is_some() && self.answer.is_empty()
    }

    /// Takes the name generated in `subnet` from `addr`: the lease keeps
    /// it as made, the option carries it in lower case. False when it
    /// could not be made.
    pub fn generate(&mut self, subnet: &Subnet6, addr: Ipv6Addr) -> bool {
        let Some(made) = names::generated(&subnet.names, IpAddr::V6(addr), true) else {
            return false;
        };
        self.lease = made;
        self.answer = made.lowercased();
        true
    }

    /// The leases' hostname.
    pub fn hostname(&self) -> Hostname {
        Hostname::new(self.lease.as_bytes())
    }

    /// Writes the Client FQDN option of the reply, if the client sent one;
    /// true when written.
    pub fn put(&self, w: &mut crate::wire::v6::Message6Writer<'_>) -> Result<bool, WireError> {
        let Some(flags) = self.flags else {
            return Ok(false);
        };
        let mut value = NameBuf::default();
        let encoded = value
            .push(&[flags])
            .and_then(|()| names::put_wire(self.answer.as_bytes(), &mut value));
        // A name too long for the option is left out, as Kea fails it.
        if encoded.is_none() {
            return Ok(false);
        }
        w.option(OPTION_CLIENT_FQDN, value.as_bytes())?;
        Ok(true)
    }
}
