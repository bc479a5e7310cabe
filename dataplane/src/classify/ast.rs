//! The parsed form of an expression: a tree with every name resolved.

/// A boolean expression (a class `test`).
#[derive(Debug, Clone, PartialEq)]
pub enum Bool {
    /// `not x`.
    Not(Box<Bool>),
    /// `a and b`.
    And(Box<Bool>, Box<Bool>),
    /// `a or b`.
    Or(Box<Bool>, Box<Bool>),
    /// `a == b`: byte-wise equality.
    Equal(Box<Str>, Box<Str>),
    /// `match(regex, value)`: the whole value matches.
    Match(String, Box<Str>),
    /// `member('class')`, with the class's index.
    Member(u16),
    /// `x.exists`.
    Exists(Source),
}

/// A string (byte string) expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Str {
    /// A literal: `'text'`, `0x..`, an integer (4 bytes) or an address.
    Const(Vec<u8>),
    /// Data taken from the packet.
    Fetch(Source, Repr),
    /// `substring(v, start, length)`; `None` length is `all`.
    Substring(Box<Str>, i32, Option<i32>),
    /// `split(v, delimiters, field)`.
    Split(Box<Str>, Box<Str>, i32),
    /// `concat(a, b)` and `a + b`.
    Concat(Box<Str>, Box<Str>),
    /// `ifelse(cond, a, b)`.
    IfElse(Box<Bool>, Box<Str>, Box<Str>),
    /// `hexstring(v, separator)`.
    HexString(Box<Str>, Box<Str>),
    /// `lcase(v)`.
    Lcase(Box<Str>),
    /// `ucase(v)`.
    Ucase(Box<Str>),
    /// `addrtotext(v)`.
    AddrToText(Box<Str>),
    /// `int8totext(v)` and its siblings.
    IntToText(IntKind, Box<Str>),
}

/// Which integer a `*totext` conversion reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, rkyv::Archive, rkyv::Serialize, rkyv::Deserialize)]
pub enum IntKind {
    /// `int8totext`.
    I8,
    /// `int16totext`.
    I16,
    /// `int32totext`.
    I32,
    /// `uint8totext`.
    U8,
    /// `uint16totext`.
    U16,
    /// `uint32totext`.
    U32,
}

impl IntKind {
    /// Bytes the conversion expects.
    pub fn width(self) -> usize {
        match self {
            IntKind::I8 | IntKind::U8 => 1,
            IntKind::I16 | IntKind::U16 => 2,
            IntKind::I32 | IntKind::U32 => 4,
        }
    }
}

/// How an option's value is presented.
#[derive(Debug, Clone, Copy, PartialEq, Eq, rkyv::Archive, rkyv::Serialize, rkyv::Deserialize)]
pub enum Repr {
    /// `.hex`: the payload bytes.
    Hex,
    /// `.text`: the payload in text form, as the option's type reads.
    Text(TextForm),
}

/// The text form of an option's payload, fixed at parse time from its
/// definition.
#[derive(Debug, Clone, Copy, PartialEq, Eq, rkyv::Archive, rkyv::Serialize, rkyv::Deserialize)]
pub enum TextForm {
    /// The bytes themselves (strings, and types without a text form here).
    Raw,
    /// Dotted-quad IPv4 address(es), comma separated.
    Ipv4,
    /// IPv6 address(es), comma separated.
    Ipv6,
    /// A decimal integer of this kind.
    Int(IntKind),
}

/// Where packet data comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, rkyv::Archive, rkyv::Serialize, rkyv::Deserialize)]
pub enum Source {
    /// `option[code]`.
    Option(u16),
    /// `option[code].option[sub]`.
    SubOption(u16, u16),
    /// `relay4[sub]`: a sub-option of option 82.
    Relay4(u16),
    /// `relay6[nest].option[code]`.
    Relay6Option(i8, u16),
    /// `relay6[nest].peeraddr`.
    Relay6Peer(i8),
    /// `relay6[nest].linkaddr`.
    Relay6Link(i8),
    /// `pkt.iface`, `pkt.src`, `pkt.dst`, `pkt.len`.
    Pkt(PktField),
    /// `pkt4.<field>`.
    Pkt4(Pkt4Field),
    /// `pkt6.msgtype`, `pkt6.transid`.
    Pkt6(Pkt6Field),
    /// `vendor[ent]` (0 is any enterprise).
    Vendor(u32),
    /// `vendor.enterprise`.
    VendorEnterprise,
    /// `vendor[ent].option[code]`.
    VendorOption(u32, u16),
    /// `vendor-class[ent]`.
    VendorClass(u32),
    /// `vendor-class.enterprise`.
    VendorClassEnterprise,
    /// `vendor-class[ent].data[index]`.
    VendorClassData(u32, u8),
}

/// `pkt.*` fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq, rkyv::Archive, rkyv::Serialize, rkyv::Deserialize)]
pub enum PktField {
    /// Receiving interface name.
    Iface,
    /// Source address.
    Src,
    /// Destination address.
    Dst,
    /// Message length (4 bytes).
    Len,
}

/// `pkt4.*` fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq, rkyv::Archive, rkyv::Serialize, rkyv::Deserialize)]
pub enum Pkt4Field {
    /// chaddr, `hlen` bytes.
    Mac,
    /// hlen (4 bytes).
    Hlen,
    /// htype (4 bytes).
    Htype,
    /// ciaddr.
    Ciaddr,
    /// giaddr.
    Giaddr,
    /// yiaddr.
    Yiaddr,
    /// siaddr.
    Siaddr,
    /// Option 53 (4 bytes).
    Msgtype,
    /// xid (4 bytes).
    Transid,
}

/// `pkt6.*` fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq, rkyv::Archive, rkyv::Serialize, rkyv::Deserialize)]
pub enum Pkt6Field {
    /// Message type (4 bytes).
    Msgtype,
    /// Transaction id (4 bytes).
    Transid,
}
