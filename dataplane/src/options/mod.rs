//! Kea option definitions and option-data text semantics.
//!
//! Kea describes every option by an [`OptionDef`]: a name, a code, the option
//! space it lives in, and a payload [`DataType`] (possibly a record of fields
//! or an array). This module carries Kea's standard definitions
//! ([`std_v4`], [`std_v6`]), a registry of option spaces that configuration
//! `option-def` entries extend ([`OptionSpaces`]), and the conversion between
//! the `data` text of `option-data` entries and option payload bytes
//! ([`text`]), so a Kea configuration means byte-for-byte the same here.

pub mod space;
pub mod std_v4;
pub mod std_v6;
pub mod text;
pub mod types;

pub use space::{OptionSpaces, SpaceKind};
pub use text::{decode_to_text, encode_csv, encode_data, encode_hex, split_csv, OptionDataError};
pub use types::{DataType, DefinitionError, OptionDef, Universe};

/// Top-level DHCPv4 option space.
pub const DHCP4_SPACE: &str = "dhcp4";
/// Top-level DHCPv6 option space.
pub const DHCP6_SPACE: &str = "dhcp6";
/// Relay agent information (option 82) sub-options.
pub const DHCP_AGENT_SPACE: &str = "dhcp-agent-options-space";
/// Sub-options of DHCPv4 option 43 when no vendor definitions apply; Kea
/// defines none itself, configurations add their own.
pub const VENDOR_ENCAPSULATED_SPACE: &str = "vendor-encapsulated-options-space";
/// ISC's DHCPv4-over-DHCPv6 inter-process options.
pub const ISC_4O6_SPACE: &str = "4o6";
/// Sub-options of s46-cont-mape.
pub const MAPE_V6_SPACE: &str = "s46-cont-mape-options";
/// Sub-options of s46-cont-mapt.
pub const MAPT_V6_SPACE: &str = "s46-cont-mapt-options";
/// Sub-options of s46-cont-lw.
pub const LW_V6_SPACE: &str = "s46-cont-lw-options";
/// Sub-options of s46-rule.
pub const V4V6_RULE_SPACE: &str = "s46-rule-options";
/// Sub-options of s46-v4v6bind.
pub const V4V6_BIND_SPACE: &str = "s46-v4v6bind-options";
/// Options a relay supplies on the server's behalf (RSOO, option 66); Kea
/// defines none itself.
pub const RSOO_SPACE: &str = "rsoo-opts";
/// CableLabs' enterprise number, whose DOCSIS 3 definitions Kea ships.
pub const CABLELABS_ENTERPRISE_ID: u32 = 4491;
/// DOCSIS 3 DHCPv4 vendor space, as configurations name it.
pub const DOCSIS3_V4_SPACE: &str = "vendor-4491";
/// DOCSIS 3 DHCPv6 vendor space, as configurations name it.
pub const DOCSIS3_V6_SPACE: &str = "vendor-4491";
