//! Kea's standard DHCPv6 option definitions.
//!
//! Facts follow Kea's `std_option_defs.h` and `docsis3_option_defs.h` as of
//! Kea 2.6, including the Softwire46 container spaces and ISC's 4o6 options.

use super::types::{DataType as T, OptionDef};
use super::{
    DHCP6_SPACE, DOCSIS3_V6_SPACE, ISC_4O6_SPACE, LW_V6_SPACE, MAPE_V6_SPACE, MAPT_V6_SPACE,
    RSOO_SPACE, V4V6_BIND_SPACE, V4V6_RULE_SPACE,
};

const fn d(name: &'static str, code: u16, t: T, array: bool) -> OptionDef {
    OptionDef::std(name, code, DHCP6_SPACE, t, array, "")
}

const fn r(name: &'static str, code: u16, fields: &'static [T], array: bool) -> OptionDef {
    OptionDef::std_record(name, code, DHCP6_SPACE, fields, array, "")
}

const fn container(name: &'static str, code: u16, encapsulate: &'static str) -> OptionDef {
    OptionDef::std(name, code, DHCP6_SPACE, Empty, false, encapsulate)
}

use T::{
    Binary, Empty, Fqdn, Int32, Internal, Ipv4Address, Ipv6Address as V6, Ipv6Prefix, Psid,
    String as Str, Tuple, Uint16, Uint32, Uint8,
};

const S46_RULE: &[T] = &[Uint8, Uint8, Uint8, Ipv4Address, Ipv6Prefix];
const S46_V4V6BIND: &[T] = &[Ipv4Address, Ipv6Prefix];
const S46_PORTPARAMS: &[T] = &[Uint8, Psid];

/// Standard options of the `dhcp6` space.
pub static STANDARD_V6: &[OptionDef] = &[
    d("clientid", 1, Binary, false),
    d("serverid", 2, Binary, false),
    // IAID, T1, T2; addresses follow as sub-options.
    r("ia-na", 3, &[Uint32, Uint32, Uint32], false),
    d("ia-ta", 4, Uint32, false),
    // Address, preferred and valid lifetimes.
    r("iaaddr", 5, &[V6, Uint32, Uint32], false),
    d("oro", 6, Uint16, true),
    d("preference", 7, Uint8, false),
    d("elapsed-time", 8, Uint16, false),
    d("relay-msg", 9, Binary, false),
    // Kea has no field type for the 64-bit replay detection value.
    d("auth", 11, Binary, false),
    d("unicast", 12, V6, false),
    r("status-code", 13, &[Uint16, Str], false),
    d("rapid-commit", 14, Empty, false),
    d("user-class", 15, Binary, false),
    r("vendor-class", 16, &[Uint32, Binary], false),
    // Enterprise number only; sub-options come from `vendor-<enterprise-id>`.
    d("vendor-opts", 17, Uint32, false),
    d("interface-id", 18, Binary, false),
    d("reconf-msg", 19, Uint8, false),
    d("reconf-accept", 20, Empty, false),
    d("sip-server-dns", 21, Fqdn, true),
    d("sip-server-addr", 22, V6, true),
    d("dns-servers", 23, V6, true),
    d("domain-search", 24, Fqdn, true),
    r("ia-pd", 25, &[Uint32, Uint32, Uint32], false),
    // Preferred and valid lifetimes, prefix length, prefix.
    r("iaprefix", 26, &[Uint32, Uint32, Uint8, V6], false),
    d("nis-servers", 27, V6, true),
    d("nisp-servers", 28, V6, true),
    d("nis-domain-name", 29, Fqdn, true),
    d("nisp-domain-name", 30, Fqdn, true),
    d("sntp-servers", 31, V6, true),
    d("information-refresh-time", 32, Uint32, false),
    d("bcmcs-server-dns", 33, Fqdn, true),
    d("bcmcs-server-addr", 34, V6, true),
    r("geoconf-civic", 36, &[Uint8, Uint16, Binary], false),
    r("remote-id", 37, &[Uint32, Binary], false),
    d("subscriber-id", 38, Binary, false),
    // Flags, domain name (RFC 4704).
    r("client-fqdn", 39, &[Uint8, Fqdn], false),
    d("pana-agent", 40, V6, true),
    d("new-posix-timezone", 41, Str, false),
    d("new-tzdb-timezone", 42, Str, false),
    d("ero", 43, Uint16, true),
    // Leasequery options carry further dhcp6 options after their fields.
    OptionDef::std_record(
        "lq-query",
        44,
        DHCP6_SPACE,
        &[Uint8, V6],
        false,
        DHCP6_SPACE,
    ),
    container("client-data", 45, DHCP6_SPACE),
    d("clt-time", 46, Uint32, false),
    r("lq-relay-data", 47, &[V6, Binary], false),
    d("lq-client-link", 48, V6, true),
    d("v6-lost", 51, Fqdn, false),
    d("capwap-ac-v6", 52, V6, true),
    d("relay-id", 53, Binary, false),
    d("v6-access-domain", 57, Fqdn, false),
    d("sip-ua-cs-list", 58, Fqdn, true),
    d("bootfile-url", 59, Str, false),
    d("bootfile-param", 60, Tuple, true),
    d("client-arch-type", 61, Uint16, true),
    r("nii", 62, &[Uint8, Uint8, Uint8], false),
    d("aftr-name", 64, Fqdn, false),
    d("erp-local-domain-name", 65, Fqdn, false),
    container("rsoo", 66, RSOO_SPACE),
    d("pd-exclude", 67, Ipv6Prefix, false),
    r("rdnss-selection", 74, &[V6, Uint8, Fqdn], true),
    d("client-linklayer-addr", 79, Binary, false),
    d("link-address", 80, V6, false),
    d("solmax-rt", 82, Uint32, false),
    d("inf-max-rt", 83, Uint32, false),
    d("dhcpv4-message", 87, Binary, false),
    d("dhcp4o6-server-addr", 88, V6, true),
    d("v6-captive-portal", 103, Str, false),
    d("relay-source-port", 135, Uint16, false),
    d("v6-sztp-redirect", 136, Tuple, true),
    d("ipv6-address-andsf", 143, V6, true),
    container("s46-cont-mape", 94, MAPE_V6_SPACE),
    container("s46-cont-mapt", 95, MAPT_V6_SPACE),
    container("s46-cont-lw", 96, LW_V6_SPACE),
    // RFC 9463 DNR: Kea's dedicated class, see `text` for the text form.
    d("v6-dnr", 144, Internal, false),
];

/// ISC's DHCPv4-over-DHCPv6 inter-process options, space `4o6`.
pub static ISC_4O6: &[OptionDef] = &[
    OptionDef::std("4o6-interface", 60000, ISC_4O6_SPACE, Str, false, ""),
    OptionDef::std("4o6-source-address", 60001, ISC_4O6_SPACE, V6, false, ""),
    OptionDef::std("4o6-source-port", 60002, ISC_4O6_SPACE, Uint16, false, ""),
];

/// Options inside s46-cont-mape (94).
pub static S46_CONT_MAPE: &[OptionDef] = &[
    OptionDef::std("s46-br", 90, MAPE_V6_SPACE, V6, false, ""),
    OptionDef::std_record(
        "s46-rule",
        89,
        MAPE_V6_SPACE,
        S46_RULE,
        false,
        V4V6_RULE_SPACE,
    ),
];

/// Options inside s46-cont-mapt (95).
pub static S46_CONT_MAPT: &[OptionDef] = &[
    OptionDef::std_record(
        "s46-rule",
        89,
        MAPT_V6_SPACE,
        S46_RULE,
        false,
        V4V6_RULE_SPACE,
    ),
    OptionDef::std("s46-dmr", 91, MAPT_V6_SPACE, Ipv6Prefix, false, ""),
];

/// Options inside s46-cont-lw (96).
pub static S46_CONT_LW: &[OptionDef] = &[
    OptionDef::std("s46-br", 90, LW_V6_SPACE, V6, false, ""),
    OptionDef::std_record(
        "s46-v4v6bind",
        92,
        LW_V6_SPACE,
        S46_V4V6BIND,
        false,
        V4V6_BIND_SPACE,
    ),
];

/// Options inside an s46-rule (89).
pub static S46_RULE_OPTIONS: &[OptionDef] = &[OptionDef::std_record(
    "s46-portparams",
    93,
    V4V6_RULE_SPACE,
    S46_PORTPARAMS,
    false,
    "",
)];

/// Options inside an s46-v4v6bind (92).
pub static S46_V4V6BIND_OPTIONS: &[OptionDef] = &[OptionDef::std_record(
    "s46-portparams",
    93,
    V4V6_BIND_SPACE,
    S46_PORTPARAMS,
    false,
    "",
)];

/// CableLabs DOCSIS 3 DHCPv6 vendor sub-options (enterprise 4491), carried in
/// vendor-opts (17). Configurations name the space `vendor-4491` (Kea's
/// internal name for it is `docsis3-v6`).
pub static DOCSIS3_V6: &[OptionDef] = &[
    OptionDef::std("oro", 1, DOCSIS3_V6_SPACE, Uint16, true, ""),
    OptionDef::std("device-type", 2, DOCSIS3_V6_SPACE, Str, false, ""),
    OptionDef::std("vendor-type", 10, DOCSIS3_V6_SPACE, Str, false, ""),
    OptionDef::std("tftp-servers", 32, DOCSIS3_V6_SPACE, V6, true, ""),
    OptionDef::std("config-file", 33, DOCSIS3_V6_SPACE, Str, false, ""),
    OptionDef::std("syslog-servers", 34, DOCSIS3_V6_SPACE, V6, true, ""),
    OptionDef::std("device-id", 36, DOCSIS3_V6_SPACE, Binary, false, ""),
    OptionDef::std("time-servers", 37, DOCSIS3_V6_SPACE, V6, true, ""),
    OptionDef::std("time-offset", 38, DOCSIS3_V6_SPACE, Int32, false, ""),
    // Inserted by a CMTS acting as relay: the cable modem's MAC address.
    OptionDef::std("cmts-cm-mac", 1026, DOCSIS3_V6_SPACE, Binary, false, ""),
];
