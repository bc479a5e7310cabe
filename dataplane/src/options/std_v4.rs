//! Kea's standard DHCPv4 option definitions.
//!
//! Facts (names, codes, types, array flags, record layouts, encapsulated
//! spaces) follow Kea's `std_option_defs.h` and `docsis3_option_defs.h` as of
//! Kea 2.6. Code points IANA assigned but Kea does not define are absent on
//! purpose: Kea lets operators define those themselves in `dhcp4`, and so must
//! we.

use super::types::{DataType as T, OptionDef};
use super::{DHCP4_SPACE, DHCP_AGENT_SPACE, DOCSIS3_V4_SPACE, VENDOR_ENCAPSULATED_SPACE};

const fn d(name: &'static str, code: u16, t: T, array: bool) -> OptionDef {
    OptionDef::std(name, code, DHCP4_SPACE, t, array, "")
}

const fn r(name: &'static str, code: u16, fields: &'static [T], array: bool) -> OptionDef {
    OptionDef::std_record(name, code, DHCP4_SPACE, fields, array, "")
}

const fn agent(name: &'static str, code: u16, t: T) -> OptionDef {
    OptionDef::std(name, code, DHCP_AGENT_SPACE, t, false, "")
}

use T::{
    Binary, Boolean, Empty, Fqdn, Int32, Internal, Ipv4Address as V4, Ipv6Address, Psid,
    String as Str, Tuple, Uint16, Uint32, Uint8,
};

/// Standard options of the `dhcp4` space.
///
/// Includes option 43 (vendor-encapsulated-options), which Kea keeps as a
/// "last resort" definition used when no vendor-specific one applies; a
/// configuration refers to it by name in `dhcp4` all the same.
pub static STANDARD_V4: &[OptionDef] = &[
    d("subnet-mask", 1, V4, false),
    d("time-offset", 2, Int32, false),
    d("routers", 3, V4, true),
    d("time-servers", 4, V4, true),
    d("name-servers", 5, V4, true),
    d("domain-name-servers", 6, V4, true),
    d("log-servers", 7, V4, true),
    d("cookie-servers", 8, V4, true),
    d("lpr-servers", 9, V4, true),
    d("impress-servers", 10, V4, true),
    d("resource-location-servers", 11, V4, true),
    d("host-name", 12, Str, false),
    d("boot-size", 13, Uint16, false),
    d("merit-dump", 14, Str, false),
    d("domain-name", 15, Str, false),
    d("swap-server", 16, V4, false),
    d("root-path", 17, Str, false),
    d("extensions-path", 18, Str, false),
    d("ip-forwarding", 19, Boolean, false),
    d("non-local-source-routing", 20, Boolean, false),
    d("policy-filter", 21, V4, true),
    d("max-dgram-reassembly", 22, Uint16, false),
    d("default-ip-ttl", 23, Uint8, false),
    d("path-mtu-aging-timeout", 24, Uint32, false),
    d("path-mtu-plateau-table", 25, Uint16, true),
    d("interface-mtu", 26, Uint16, false),
    d("all-subnets-local", 27, Boolean, false),
    d("broadcast-address", 28, V4, false),
    d("perform-mask-discovery", 29, Boolean, false),
    d("mask-supplier", 30, Boolean, false),
    d("router-discovery", 31, Boolean, false),
    d("router-solicitation-address", 32, V4, false),
    d("static-routes", 33, V4, true),
    d("trailer-encapsulation", 34, Boolean, false),
    d("arp-cache-timeout", 35, Uint32, false),
    d("ieee802-3-encapsulation", 36, Boolean, false),
    d("default-tcp-ttl", 37, Uint8, false),
    d("tcp-keepalive-interval", 38, Uint32, false),
    d("tcp-keepalive-garbage", 39, Boolean, false),
    d("nis-domain", 40, Str, false),
    d("nis-servers", 41, V4, true),
    d("ntp-servers", 42, V4, true),
    OptionDef::std(
        "vendor-encapsulated-options",
        43,
        DHCP4_SPACE,
        Empty,
        false,
        VENDOR_ENCAPSULATED_SPACE,
    ),
    d("netbios-name-servers", 44, V4, true),
    d("netbios-dd-server", 45, V4, true),
    d("netbios-node-type", 46, Uint8, false),
    d("netbios-scope", 47, Str, false),
    d("font-servers", 48, V4, true),
    d("x-display-manager", 49, V4, true),
    d("dhcp-requested-address", 50, V4, false),
    d("dhcp-lease-time", 51, Uint32, false),
    d("dhcp-option-overload", 52, Uint8, false),
    d("dhcp-message-type", 53, Uint8, false),
    d("dhcp-server-identifier", 54, V4, false),
    d("dhcp-parameter-request-list", 55, Uint8, true),
    d("dhcp-message", 56, Str, false),
    d("dhcp-max-message-size", 57, Uint16, false),
    d("dhcp-renewal-time", 58, Uint32, false),
    d("dhcp-rebinding-time", 59, Uint32, false),
    d("vendor-class-identifier", 60, Str, false),
    d("dhcp-client-identifier", 61, Binary, false),
    d("nwip-domain-name", 62, Str, false),
    d("nwip-suboptions", 63, Binary, false),
    d("nisplus-domain-name", 64, Str, false),
    d("nisplus-servers", 65, V4, true),
    d("tftp-server-name", 66, Str, false),
    d("boot-file-name", 67, Str, false),
    d("mobile-ip-home-agent", 68, V4, true),
    d("smtp-server", 69, V4, true),
    d("pop-server", 70, V4, true),
    d("nntp-server", 71, V4, true),
    d("www-server", 72, V4, true),
    d("finger-server", 73, V4, true),
    d("irc-server", 74, V4, true),
    d("streettalk-server", 75, V4, true),
    d("streettalk-directory-assistance-server", 76, V4, true),
    d("user-class", 77, Binary, false),
    r("slp-directory-agent", 78, &[Boolean, V4], true),
    r("slp-service-scope", 79, &[Boolean, Str], false),
    // Flags, rcode1, rcode2, domain name (RFC 4702).
    r("fqdn", 81, &[Uint8, Uint8, Uint8, Fqdn], false),
    OptionDef::std(
        "dhcp-agent-options",
        82,
        DHCP4_SPACE,
        Empty,
        false,
        DHCP_AGENT_SPACE,
    ),
    d("nds-servers", 85, V4, true),
    d("nds-tree-name", 86, Str, false),
    d("nds-context", 87, Str, false),
    d("bcms-controller-names", 88, Fqdn, true),
    d("bcms-controller-address", 89, V4, true),
    // Kea has no field type for the 64-bit replay detection value.
    d("authenticate", 90, Binary, false),
    d("client-last-transaction-time", 91, Uint32, false),
    d("associated-ip", 92, V4, true),
    d("client-system", 93, Uint16, true),
    r("client-ndi", 94, &[Uint8, Uint8, Uint8], false),
    r("uuid-guid", 97, &[Uint8, Binary], false),
    d("uap-servers", 98, Str, false),
    d("geoconf-civic", 99, Binary, false),
    d("pcode", 100, Str, false),
    d("tcode", 101, Str, false),
    d("v6-only-preferred", 108, Uint32, false),
    d("netinfo-server-address", 112, V4, true),
    d("netinfo-server-tag", 113, Str, false),
    d("v4-captive-portal", 114, Str, false),
    d("auto-config", 116, Uint8, false),
    d("name-service-search", 117, Uint16, true),
    d("subnet-selection", 118, V4, false),
    d("domain-search", 119, Fqdn, true),
    // RFC 3442 routes: Kea parses "prefix/len - router, ..." with a dedicated
    // class, see `text::encode_classless_routes`.
    d("classless-static-route", 121, Internal, false),
    r("vivco-suboptions", 124, &[Uint32, Binary], false),
    // Enterprise number only; the vendor's sub-options come from the
    // `vendor-<enterprise-id>` space.
    d("vivso-suboptions", 125, Uint32, false),
    d("pana-agent", 136, V4, true),
    d("v4-lost", 137, Fqdn, false),
    d("capwap-ac-v4", 138, V4, true),
    d("sip-ua-cs-domains", 141, Fqdn, true),
    d("v4-sztp-redirect", 143, Tuple, true),
    r("rdnss-selection", 146, &[Uint8, V4, V4, Fqdn], true),
    r("status-code", 151, &[Uint8, Str], false),
    d("base-time", 152, Uint32, false),
    d("start-time-of-state", 153, Uint32, false),
    d("query-start-time", 154, Uint32, false),
    d("query-end-time", 155, Uint32, false),
    d("dhcp-state", 156, Uint8, false),
    d("data-source", 157, Uint8, false),
    // PSID offset, then PSID length and value (RFC 7618).
    r("v4-portparams", 159, &[Uint8, Psid], false),
    // RFC 9463 DNR: Kea's dedicated class, see `text` for the text form.
    d("v4-dnr", 162, Internal, false),
    // IPv4 mask length, 6rd prefix length, 6rd prefix, border relays.
    r("option-6rd", 212, &[Uint8, Uint8, Ipv6Address, V4], true),
    d("v4-access-domain", 213, Fqdn, false),
];

/// Relay agent information (option 82) sub-options, space
/// `dhcp-agent-options-space`.
pub static DHCP_AGENT_OPTIONS: &[OptionDef] = &[
    agent("circuit-id", 1, Binary),
    agent("remote-id", 2, Binary),
    agent("docsis-device-class", 4, Uint32),
    agent("link-selection", 5, V4),
    agent("subscriber-id", 6, Str),
    agent("radius", 7, Binary),
    agent("auth", 8, Binary),
    agent("vendor-specific-info", 9, Binary),
    agent("relay-flags", 10, Uint8),
    agent("server-id-override", 11, V4),
    agent("relay-id", 12, Binary),
    agent("access-techno-type", 13, Uint16),
    agent("access-network-name", 14, Str),
    agent("access-point-name", 15, Str),
    agent("access-point-bssid", 16, Binary),
    agent("operator-id", 17, Uint32),
    agent("operator-realm", 18, Str),
    agent("relay-port", 19, Uint16),
    agent("virtual-subnet-select", 151, Binary),
    agent("virtual-subnet-select-ctrl", 152, Empty),
];

/// CableLabs DOCSIS 3 DHCPv4 vendor sub-options (enterprise 4491), carried in
/// vivso-suboptions (125). Configurations name the space `vendor-4491`
/// (Kea's internal name for it is `docsis3-v4`).
pub static DOCSIS3_V4: &[OptionDef] = &[
    OptionDef::std("oro", 1, DOCSIS3_V4_SPACE, Uint8, true, ""),
    OptionDef::std("tftp-servers", 2, DOCSIS3_V4_SPACE, V4, true, ""),
];
