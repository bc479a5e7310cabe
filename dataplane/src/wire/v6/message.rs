//! DHCPv6 message types and the packet parser (client/server and relay messages).

use core::net::Ipv6Addr;

use super::duid::Duid;
use super::options::{validate_options, Options};
use super::*;
use crate::wire::WireError;

macro_rules! message_types {
    ($($(#[$doc:meta])* $name:ident = $code:literal,)*) => {
        /// DHCPv6 message type (RFC 8415 §7.3 and later registrations).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum MessageType {
            $($(#[$doc])* $name,)*
            /// Any code not listed above.
            Other(u8),
        }

        impl From<u8> for MessageType {
            fn from(code: u8) -> Self {
                match code {
                    $($code => MessageType::$name,)*
                    other => MessageType::Other(other),
                }
            }
        }

        impl From<MessageType> for u8 {
            fn from(t: MessageType) -> u8 {
                match t {
                    $(MessageType::$name => $code,)*
                    MessageType::Other(code) => code,
                }
            }
        }
    };
}

message_types! {
    /// SOLICIT (RFC 8415).
    Solicit = 1,
    /// ADVERTISE (RFC 8415).
    Advertise = 2,
    /// REQUEST (RFC 8415).
    Request = 3,
    /// CONFIRM (RFC 8415).
    Confirm = 4,
    /// RENEW (RFC 8415).
    Renew = 5,
    /// REBIND (RFC 8415).
    Rebind = 6,
    /// REPLY (RFC 8415).
    Reply = 7,
    /// RELEASE (RFC 8415).
    Release = 8,
    /// DECLINE (RFC 8415).
    Decline = 9,
    /// RECONFIGURE (RFC 8415).
    Reconfigure = 10,
    /// INFORMATION-REQUEST (RFC 8415).
    InformationRequest = 11,
    /// RELAY-FORW (RFC 8415).
    RelayForw = 12,
    /// RELAY-REPL (RFC 8415).
    RelayRepl = 13,
    /// LEASEQUERY (RFC 5007).
    Leasequery = 14,
    /// LEASEQUERY-REPLY (RFC 5007).
    LeasequeryReply = 15,
    /// LEASEQUERY-DONE (RFC 5460).
    LeasequeryDone = 16,
    /// LEASEQUERY-DATA (RFC 5460).
    LeasequeryData = 17,
    /// RECONFIGURE-REQUEST (RFC 6977).
    ReconfigureRequest = 18,
    /// RECONFIGURE-REPLY (RFC 6977).
    ReconfigureReply = 19,
    /// DHCPV4-QUERY (RFC 7341).
    Dhcpv4Query = 20,
    /// DHCPV4-RESPONSE (RFC 7341).
    Dhcpv4Response = 21,
    /// ACTIVELEASEQUERY (RFC 7653).
    ActiveLeasequery = 22,
    /// STARTTLS (RFC 7653).
    StartTls = 23,
    /// BNDUPD (RFC 8156).
    BndUpd = 24,
    /// BNDREPLY (RFC 8156).
    BndReply = 25,
    /// POOLREQ (RFC 8156).
    PoolReq = 26,
    /// POOLRESP (RFC 8156).
    PoolResp = 27,
    /// UPDREQ (RFC 8156).
    UpdReq = 28,
    /// UPDREQALL (RFC 8156).
    UpdReqAll = 29,
    /// UPDDONE (RFC 8156).
    UpdDone = 30,
    /// CONNECT (RFC 8156).
    Connect = 31,
    /// CONNECTREPLY (RFC 8156).
    ConnectReply = 32,
    /// DISCONNECT (RFC 8156).
    Disconnect = 33,
    /// STATE (RFC 8156).
    State = 34,
    /// CONTACT (RFC 8156).
    Contact = 35,
    /// ADDR-REG-INFORM (RFC 9686).
    AddrRegInform = 36,
    /// ADDR-REG-REPLY (RFC 9686).
    AddrRegReply = 37,
}

impl MessageType {
    /// The wire code.
    pub fn code(self) -> u8 {
        self.into()
    }

    /// True for RELAY-FORW and RELAY-REPL, whose header is the 34-byte relay form.
    pub fn is_relay(self) -> bool {
        matches!(self, MessageType::RelayForw | MessageType::RelayRepl)
    }
}

/// A client/server message: type, 24-bit transaction id, options.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientMessage<'a> {
    bytes: &'a [u8],
    msg_type: MessageType,
    xid: u32,
    options: Options<'a>,
}

impl<'a> ClientMessage<'a> {
    /// Reads the header of a message whose options were already validated.
    fn view(bytes: &'a [u8]) -> Option<Self> {
        let head = bytes.first_chunk::<4>()?;
        Some(ClientMessage {
            bytes,
            msg_type: MessageType::from(head[0]),
            xid: u32::from_be_bytes([0, head[1], head[2], head[3]]),
            options: Options::validated(bytes.get(CLIENT_HEADER_LEN..)?),
        })
    }

    /// The message type.
    pub fn msg_type(&self) -> MessageType {
        self.msg_type
    }

    /// The 24-bit transaction id (high byte always zero).
    pub fn xid(&self) -> u32 {
        self.xid
    }

    /// The message's options.
    pub fn options(&self) -> Options<'a> {
        self.options
    }

    /// The whole message as received.
    pub fn as_bytes(&self) -> &'a [u8] {
        self.bytes
    }

    /// CLIENTID.
    pub fn client_id(&self) -> Option<Duid<'a>> {
        self.options.client_id()
    }

    /// SERVERID.
    pub fn server_id(&self) -> Option<Duid<'a>> {
        self.options.server_id()
    }
}

/// One relay level: RELAY-FORW or RELAY-REPL header, options, and the
/// message it carries in OPTION_RELAY_MSG.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RelayMessage<'a> {
    bytes: &'a [u8],
    msg_type: MessageType,
    hop_count: u8,
    link_address: Ipv6Addr,
    peer_address: Ipv6Addr,
    options: Options<'a>,
    relay_msg: &'a [u8],
    /// Relay levels from this one to the client message (1 = innermost relay).
    levels: usize,
    /// The client message at the bottom of the chain, found during parse.
    client: ClientMessage<'a>,
}

impl<'a> RelayMessage<'a> {
    /// Reads a validated relay level.
    fn view(bytes: &'a [u8], levels: usize, client: ClientMessage<'a>) -> Option<Self> {
        let options = Options::validated(bytes.get(RELAY_HEADER_LEN..)?);
        Some(RelayMessage {
            bytes,
            msg_type: MessageType::from(*bytes.first()?),
            hop_count: *bytes.get(1)?,
            link_address: Ipv6Addr::from(*addr16(bytes, 2)?),
            peer_address: Ipv6Addr::from(*addr16(bytes, 18)?),
            options,
            relay_msg: options.find(OPTION_RELAY_MSG)?,
            levels,
            client,
        })
    }

    /// RELAY-FORW or RELAY-REPL.
    pub fn msg_type(&self) -> MessageType {
        self.msg_type
    }

    /// Number of relays that have already relayed this message.
    pub fn hop_count(&self) -> u8 {
        self.hop_count
    }

    /// Address identifying the client's link (may be unspecified).
    pub fn link_address(&self) -> Ipv6Addr {
        self.link_address
    }

    /// Address of the client or relay the message came from.
    pub fn peer_address(&self) -> Ipv6Addr {
        self.peer_address
    }

    /// This level's options (RELAY_MSG included).
    pub fn options(&self) -> Options<'a> {
        self.options
    }

    /// INTERFACE_ID, which a reply must echo at this level.
    pub fn interface_id(&self) -> Option<&'a [u8]> {
        self.options.interface_id()
    }

    /// The raw message this level carries (the body of OPTION_RELAY_MSG).
    pub fn relay_msg(&self) -> &'a [u8] {
        self.relay_msg
    }

    /// The whole relay level as received.
    pub fn as_bytes(&self) -> &'a [u8] {
        self.bytes
    }

    /// The next level in: another relay or the client message.
    pub fn inner(&self) -> Packet6<'a> {
        match self.inner_relay() {
            Some(r) => Packet6::Relay(r),
            None => Packet6::Client(self.client),
        }
    }

    /// The next relay level in, `None` when this level carries the client message.
    pub fn inner_relay(&self) -> Option<RelayMessage<'a>> {
        if self.levels <= 1 {
            return None;
        }
        RelayMessage::view(self.relay_msg, self.levels - 1, self.client)
    }

    /// The client message at the bottom of the chain.
    pub fn innermost(&self) -> ClientMessage<'a> {
        self.client
    }

    /// Relay levels from this one to the client message (1 = innermost relay).
    pub fn depth(&self) -> usize {
        self.levels
    }

    /// Iterates relay levels from this one inwards.
    pub fn levels(&self) -> RelayIter<'a> {
        RelayIter { next: Some(*self) }
    }
}

/// Iterator over relay levels, outermost first.
#[derive(Debug, Clone)]
pub struct RelayIter<'a> {
    next: Option<RelayMessage<'a>>,
}

impl<'a> RelayIter<'a> {
    /// An iterator yielding nothing (for a packet that was not relayed).
    pub fn empty() -> Self {
        RelayIter { next: None }
    }
}

impl<'a> Iterator for RelayIter<'a> {
    type Item = RelayMessage<'a>;

    fn next(&mut self) -> Option<RelayMessage<'a>> {
        let cur = self.next.take()?;
        self.next = cur.inner_relay();
        Some(cur)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = self.next.map_or(0, |r| r.levels);
        (n, Some(n))
    }
}

/// A parsed, fully validated DHCPv6 datagram.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Packet6<'a> {
    /// A client/server message sent directly.
    Client(ClientMessage<'a>),
    /// A relay message; the client message is [`RelayMessage::innermost`].
    Relay(RelayMessage<'a>),
}

impl<'a> Packet6<'a> {
    /// Validates `buf` completely and returns a view of it.
    ///
    /// Checks: header lengths, every option length at every level, the fixed
    /// parts of IA/IAADDR/IAPREFIX and other typed options, encapsulated
    /// options down to [`MAX_OPTION_DEPTH`], and the relay chain: each relay
    /// level must carry exactly one RELAY_MSG, at most [`MAX_RELAY_DEPTH`]
    /// levels (else [`WireError::TooDeep`]), ending in a client message.
    /// The chain is walked in a loop, not by recursion.
    pub fn parse(buf: &'a [u8]) -> Result<Self, WireError> {
        // Pass 1: validate every level and find the client message.
        let mut cur = buf;
        let mut base = 0usize;
        let mut levels = 0usize;
        loop {
            let Some(&first) = cur.first() else {
                return Err(WireError::Truncated {
                    offset: base,
                    needed: CLIENT_HEADER_LEN,
                });
            };
            if !MessageType::from(first).is_relay() {
                if cur.len() < CLIENT_HEADER_LEN {
                    return Err(WireError::Truncated {
                        offset: base + cur.len(),
                        needed: CLIENT_HEADER_LEN - cur.len(),
                    });
                }
                let opts = cur.get(CLIENT_HEADER_LEN..).unwrap_or(&[]);
                validate_options(opts, base + CLIENT_HEADER_LEN, 0)?;
                break;
            }
            levels += 1;
            if levels > MAX_RELAY_DEPTH {
                return Err(WireError::TooDeep);
            }
            if cur.len() < RELAY_HEADER_LEN {
                return Err(WireError::Truncated {
                    offset: base + cur.len(),
                    needed: RELAY_HEADER_LEN - cur.len(),
                });
            }
            let opts = cur.get(RELAY_HEADER_LEN..).unwrap_or(&[]);
            let opts_base = base + RELAY_HEADER_LEN;
            validate_options(opts, opts_base, 0)?;
            let (inner, inner_base) = find_relay_msg(opts, opts_base)?;
            cur = inner;
            base = inner_base;
        }
        let bad = WireError::BadValue {
            what: "DHCPv6 message",
            offset: 0,
        };
        let client = ClientMessage::view(cur).ok_or(bad)?;
        if levels == 0 {
            return Ok(Packet6::Client(client));
        }
        // Pass 2: header of the outermost level; inner ones are read on demand.
        RelayMessage::view(buf, levels, client)
            .map(Packet6::Relay)
            .ok_or(bad)
    }

    /// Type of the outermost message (RELAY-FORW for relayed packets).
    pub fn msg_type(&self) -> MessageType {
        match self {
            Packet6::Client(c) => c.msg_type(),
            Packet6::Relay(r) => r.msg_type(),
        }
    }

    /// Options of the outermost message.
    pub fn options(&self) -> Options<'a> {
        match self {
            Packet6::Client(c) => c.options(),
            Packet6::Relay(r) => r.options(),
        }
    }

    /// The client message, however deeply it was relayed.
    pub fn innermost(&self) -> ClientMessage<'a> {
        match self {
            Packet6::Client(c) => *c,
            Packet6::Relay(r) => r.innermost(),
        }
    }

    /// Relay levels, outermost first (empty when not relayed).
    pub fn relays(&self) -> RelayIter<'a> {
        match self {
            Packet6::Client(_) => RelayIter::empty(),
            Packet6::Relay(r) => r.levels(),
        }
    }

    /// Number of relay levels (0 when not relayed).
    pub fn relay_depth(&self) -> usize {
        match self {
            Packet6::Client(_) => 0,
            Packet6::Relay(r) => r.depth(),
        }
    }

    /// The whole datagram.
    pub fn as_bytes(&self) -> &'a [u8] {
        match self {
            Packet6::Client(c) => c.as_bytes(),
            Packet6::Relay(r) => r.as_bytes(),
        }
    }
}

/// Finds the single RELAY_MSG in a validated relay option area, returning
/// its body and packet offset.
fn find_relay_msg(opts: &[u8], base: usize) -> Result<(&[u8], usize), WireError> {
    let mut found = None;
    let mut pos = 0usize;
    for (code, body) in options::OptionIter::new(opts) {
        if code == OPTION_RELAY_MSG {
            if found.is_some() {
                // Two candidate inner messages: which one is "the" client is
                // ambiguous, so refuse rather than guess.
                return Err(WireError::BadValue {
                    what: "duplicate RELAY_MSG",
                    offset: base + pos,
                });
            }
            found = Some((body, base + pos + 4));
        }
        pos += 4 + body.len();
    }
    found.ok_or(WireError::BadValue {
        what: "missing RELAY_MSG",
        offset: base,
    })
}
