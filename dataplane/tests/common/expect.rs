//! Typed view of the `<name>.expect.json` oracle files written by `tools/fixture-oracle.py`
//! from tshark's decoding. Every field tshark may leave out is an `Option` (or an empty
//! `Vec`); see `dataplane/tests/fixtures/README.md` for the schema.
#![allow(dead_code)]

use serde::Deserialize;
use std::path::Path;

#[derive(Debug, Deserialize)]
pub struct ExpectFile {
    /// pcap file name the oracle was made from.
    pub source: String,
    /// `tshark --version` first line.
    pub tshark: String,
    /// One entry per DHCPv4/DHCPv6 datagram, in capture order.
    pub packets: Vec<ExpectPacket>,
}

#[derive(Debug, Deserialize)]
pub struct ExpectPacket {
    /// 1-based frame number in the pcap (matches `pcap::Datagram::frame`).
    pub frame: usize,
    pub ip_version: u8,
    pub src_port: u16,
    pub dst_port: u16,
    /// UDP length field minus 8 (matches `pcap::Datagram::payload.len()`).
    pub udp_payload_len: usize,
    pub dhcp4: Option<Dhcp4>,
    pub dhcp6: Option<Dhcp6>,
}

#[derive(Debug, Deserialize)]
pub struct Dhcp4 {
    pub op: u8,
    pub htype: u8,
    pub hlen: u8,
    pub hops: u8,
    pub xid: u32,
    pub secs: u16,
    pub flags: u16,
    /// Dotted quads.
    pub ciaddr: String,
    pub yiaddr: String,
    pub siaddr: String,
    pub giaddr: String,
    /// First `hlen` bytes of chaddr, lower-case hex.
    pub chaddr: Option<String>,
    /// All 16 chaddr bytes, lower-case hex.
    pub chaddr_full: Option<String>,
    pub sname: Option<String>,
    pub file: Option<String>,
    /// Option 53.
    pub msg_type: Option<u8>,
    /// Option codes in wire order, Pad (0) and End (255) excluded.
    pub option_codes: Vec<u8>,
    /// Same order as `option_codes`, with length and raw value (hex).
    pub options: Vec<Dhcp4Option>,
    /// Option 50, dotted quad.
    pub requested_ip: Option<String>,
    /// Option 51, seconds.
    pub lease_time: Option<u32>,
    /// Option 54, dotted quad.
    pub server_id: Option<String>,
    /// Option 55.
    #[serde(default)]
    pub parameter_request_list: Vec<u8>,
    /// Option 57.
    pub max_message_size: Option<u16>,
    /// Option 61, hex (type byte included).
    pub client_id: Option<String>,
    /// Option 12.
    pub hostname: Option<String>,
    /// Option 60.
    pub vendor_class_id: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct Dhcp4Option {
    pub code: u8,
    pub len: usize,
    /// Raw option value, lower-case hex; absent when tshark shows none.
    pub value: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct Dhcp6 {
    pub msg_type: u8,
    /// 24-bit transaction id.
    pub xid: u32,
    /// Top-level option codes in wire order.
    pub option_codes: Vec<u16>,
    /// Same order as `option_codes`, with the option-len field.
    pub options: Vec<Dhcp6Option>,
    /// Option 1, hex.
    pub client_duid: Option<String>,
    /// Option 2, hex.
    pub server_duid: Option<String>,
    /// Option 8, hundredths of a second.
    pub elapsed_time: Option<u16>,
    /// Option 6.
    pub oro: Option<Vec<u16>>,
    /// Option 3, in wire order.
    #[serde(default)]
    pub ia_na: Vec<Ia>,
    /// Option 25, in wire order.
    #[serde(default)]
    pub ia_pd: Vec<Ia>,
    /// Top-level option 13.
    pub status: Option<Status>,
}

#[derive(Debug, Deserialize)]
pub struct Dhcp6Option {
    pub code: u16,
    pub len: usize,
}

#[derive(Debug, Deserialize)]
pub struct Ia {
    pub iaid: u32,
    pub t1: u32,
    pub t2: u32,
    /// Nested option codes in wire order.
    pub option_codes: Vec<u16>,
    /// IAADDR (option 5) entries, IA_NA only.
    #[serde(default)]
    pub addresses: Vec<IaAddr>,
    /// IAPREFIX (option 26) entries, IA_PD only.
    #[serde(default)]
    pub prefixes: Vec<IaPrefix>,
    /// Nested option 13.
    pub status: Option<Status>,
}

#[derive(Debug, Deserialize)]
pub struct IaAddr {
    pub address: String,
    pub preferred: u32,
    pub valid: u32,
}

#[derive(Debug, Deserialize)]
pub struct IaPrefix {
    pub prefix: String,
    pub prefix_len: u8,
    pub preferred: u32,
    pub valid: u32,
}

#[derive(Debug, Deserialize)]
pub struct Status {
    pub code: u16,
    pub message: Option<String>,
}

/// Loads and deserialises an `.expect.json` file; panics with the path on error.
pub fn load(path: impl AsRef<Path>) -> ExpectFile {
    let path = path.as_ref();
    let text =
        std::fs::read_to_string(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("parse {}: {e}", path.display()))
}
