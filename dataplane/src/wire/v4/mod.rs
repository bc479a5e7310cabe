//! DHCPv4 wire codec (RFC 2131, 2132, 3396, 3046).
//!
//! [`Packet4`] reads a received message in place; [`Writer4`] builds a reply
//! in place. Long options (RFC 3396) and option overload into `sname`/`file`
//! are handled on both sides.

mod message_type;
mod options;
mod packet;
pub mod relay_agent;
mod writer;

pub use message_type::{peek_message_type, MessageType};
pub use options::{OptionValue, Options, RawOption};
pub use packet::Packet4;
pub use relay_agent::{RelayAgentInfo, SubOptions};
pub use writer::Writer4;

/// UDP port servers and relays listen on.
pub const SERVER_PORT: u16 = 67;
/// UDP port clients listen on.
pub const CLIENT_PORT: u16 = 68;
/// The four bytes that open the options area (RFC 2131 §3).
pub const MAGIC_COOKIE: [u8; 4] = [99, 130, 83, 99];
/// Length of the fixed BOOTP header, up to and excluding the magic cookie.
pub const HEADER_LEN: usize = 236;

/// Offsets of the fixed header's 4-byte fields (RFC 2131, figure 1).
pub mod offset {
    /// `xid`.
    pub const XID: usize = 4;
    /// `ciaddr`.
    pub const CIADDR: usize = 12;
    /// `yiaddr`.
    pub const YIADDR: usize = 16;
    /// `siaddr`.
    pub const SIADDR: usize = 20;
    /// `giaddr`.
    pub const GIADDR: usize = 24;
}
/// Offset of the first option, right after the magic cookie.
pub const OPTIONS_OFFSET: usize = HEADER_LEN + 4;
/// BOOTP replies are padded to this size; some old clients drop shorter ones
/// (RFC 1542 §2.1).
pub const MIN_BOOTP_LEN: usize = 300;
/// `op` of a message sent by a client.
pub const BOOTREQUEST: u8 = 1;
/// `op` of a message sent by a server.
pub const BOOTREPLY: u8 = 2;
/// The broadcast bit of `flags` (RFC 2131 §2).
pub const FLAG_BROADCAST: u16 = 0x8000;

/// Option codes the codec itself interprets, and the ones engines look up
/// most; the full table with names and formats is in [`crate::options`].
pub mod code {
    /// Padding, one byte with no length.
    pub const PAD: u8 = 0;
    /// Host Name (RFC 2132 §3.14).
    pub const HOST_NAME: u8 = 12;
    /// Client FQDN (RFC 4702).
    pub const CLIENT_FQDN: u8 = 81;
    /// Requested IP address.
    pub const REQUESTED_ADDRESS: u8 = 50;
    /// IP address lease time.
    pub const LEASE_TIME: u8 = 51;
    /// Option overload: 1 `file`, 2 `sname`, 3 both hold options.
    pub const OVERLOAD: u8 = 52;
    /// DHCP message type.
    pub const MESSAGE_TYPE: u8 = 53;
    /// Server identifier.
    pub const SERVER_ID: u8 = 54;
    /// Parameter request list.
    pub const PARAMETER_REQUEST_LIST: u8 = 55;
    /// Maximum DHCP message size.
    pub const MAX_MESSAGE_SIZE: u8 = 57;
    /// Client identifier.
    pub const CLIENT_ID: u8 = 61;
    /// Vendor class identifier.
    pub const VENDOR_CLASS_ID: u8 = 60;
    /// Relay agent information (RFC 3046).
    pub const RELAY_AGENT_INFO: u8 = 82;
    /// Subnet selection (RFC 3011).
    pub const SUBNET_SELECTION: u8 = 118;
    /// End of the options in an area.
    pub const END: u8 = 255;
}
