//! Which keys each map accepts: Kea 2.2's grammar, plus the keys the seed
//! manuals (newer Kea) document, plus xdhcp's own extensions. Anything else
//! is rejected as Kea rejects it.

/// Parameters every scope level (global, shared network, subnet) may set.
const SCOPE_COMMON: &[&str] = &[
    "valid-lifetime",
    "min-valid-lifetime",
    "max-valid-lifetime",
    "renew-timer",
    "rebind-timer",
    "calculate-tee-times",
    "t1-percent",
    "t2-percent",
    "option-data",
    "reservation-mode",
    "reservations-global",
    "reservations-in-subnet",
    "reservations-out-of-pool",
    "ddns-send-updates",
    "ddns-override-no-update",
    "ddns-override-client-update",
    "ddns-replace-client-name",
    "ddns-generated-prefix",
    "ddns-qualifying-suffix",
    "ddns-update-on-renew",
    "ddns-use-conflict-resolution",
    "hostname-char-set",
    "hostname-char-replacement",
    "store-extended-info",
    "cache-threshold",
    "cache-max-age",
    "user-context",
    "comment",
    // Documented by the newer manuals (not in Kea 2.2).
    "ddns-conflict-resolution-mode",
    "ddns-ttl-percent",
    "ddns-ttl",
    "ddns-ttl-min",
    "ddns-ttl-max",
    "allocator",
];

const SCOPE_V4: &[&str] = &[
    "match-client-id",
    "authoritative",
    "next-server",
    "server-hostname",
    "boot-file-name",
    "offer-lifetime",
];

const SCOPE_V6: &[&str] = &[
    // Global too in the newer manuals (004, configuration backend table).
    "rapid-commit",
    "preferred-lifetime",
    "min-preferred-lifetime",
    "max-preferred-lifetime",
    "pd-allocator",
];

/// Keys of shared networks and subnets only (not global).
const LOCAL_SCOPE: &[&str] = &[
    "interface",
    "relay",
    "client-class",
    "require-client-classes",
    // Newer manuals: the class guard as a list, additional classes.
    "client-classes",
    "evaluate-additional-classes",
];
const LOCAL_SCOPE_V6: &[&str] = &["interface-id"];

fn cat(parts: &[&[&'static str]]) -> Vec<&'static str> {
    parts.iter().flat_map(|p| p.iter().copied()).collect()
}

/// Keys of the `Dhcp4` / `Dhcp6` map.
pub fn global(v6: bool) -> Vec<&'static str> {
    let common: &[&str] = &[
        "interfaces-config",
        "lease-database",
        "hosts-database",
        "hosts-databases",
        "host-reservation-identifiers",
        "client-classes",
        "option-def",
        "hooks-libraries",
        "expired-leases-processing",
        "dhcp4o6-port",
        "control-socket",
        "dhcp-queue-control",
        "dhcp-ddns",
        "sanity-checks",
        "reservations",
        "config-control",
        "server-tag",
        "loggers",
        "statistic-default-sample-count",
        "statistic-default-sample-age",
        "multi-threading",
        "early-global-reservations-lookup",
        "ip-reservations-unique",
        "reservations-lookup-first",
        "compatibility",
        "parked-packet-limit",
        "decline-probation-period",
        "shared-networks",
        // Newer manuals.
        "control-sockets",
    ];
    if v6 {
        cat(&[
            SCOPE_COMMON,
            SCOPE_V6,
            common,
            &[
                "subnet6",
                "mac-sources",
                "relay-supplied-options",
                "server-id",
                "data-directory",
            ],
        ])
    } else {
        cat(&[
            SCOPE_COMMON,
            SCOPE_V4,
            common,
            &["subnet4", "echo-client-id"],
        ])
    }
}

/// Keys of a `shared-networks` entry.
pub fn shared_network(v6: bool) -> Vec<&'static str> {
    if v6 {
        cat(&[
            SCOPE_COMMON,
            SCOPE_V6,
            LOCAL_SCOPE,
            LOCAL_SCOPE_V6,
            &["name", "subnet6"],
        ])
    } else {
        cat(&[SCOPE_COMMON, SCOPE_V4, LOCAL_SCOPE, &["name", "subnet4"]])
    }
}

/// Keys of a `subnet4` / `subnet6` entry.
pub fn subnet(v6: bool) -> Vec<&'static str> {
    let own: &[&str] = &["id", "subnet", "pools", "reservations"];
    if v6 {
        cat(&[
            SCOPE_COMMON,
            SCOPE_V6,
            LOCAL_SCOPE,
            LOCAL_SCOPE_V6,
            own,
            &["pd-pools"],
        ])
    } else {
        cat(&[
            SCOPE_COMMON,
            SCOPE_V4,
            LOCAL_SCOPE,
            own,
            &["4o6-interface", "4o6-interface-id", "4o6-subnet"],
        ])
    }
}

/// Keys of a `pools` entry.
pub const POOL: &[&str] = &[
    "pool",
    "option-data",
    "client-class",
    "require-client-classes",
    "user-context",
    "comment",
    "pool-id",
    "evaluate-additional-classes",
    "client-classes",
];

/// Keys of a `pd-pools` entry.
pub const PD_POOL: &[&str] = &[
    "prefix",
    "prefix-len",
    "delegated-len",
    "excluded-prefix",
    "excluded-prefix-len",
    "option-data",
    "client-class",
    "require-client-classes",
    "user-context",
    "comment",
    "pool-id",
    "evaluate-additional-classes",
    "client-classes",
];

/// Keys of a reservation.
pub fn reservation(v6: bool) -> Vec<&'static str> {
    let common: &[&str] = &[
        "duid",
        "hw-address",
        "flex-id",
        "hostname",
        "option-data",
        "client-classes",
        "user-context",
        "comment",
    ];
    if v6 {
        cat(&[common, &["ip-addresses", "prefixes", "excluded-prefixes"]])
    } else {
        cat(&[
            common,
            &[
                "circuit-id",
                "client-id",
                "ip-address",
                "next-server",
                "server-hostname",
                "boot-file-name",
            ],
        ])
    }
}

/// Keys of an `option-data` entry.
pub const OPTION_DATA: &[&str] = &[
    "name",
    "data",
    "code",
    "space",
    "csv-format",
    "always-send",
    "never-send",
    "user-context",
    "comment",
];

/// Keys of an `option-def` entry.
pub const OPTION_DEF: &[&str] = &[
    "name",
    "code",
    "type",
    "record-types",
    "space",
    "encapsulate",
    "array",
    "user-context",
    "comment",
];

/// Keys of a `client-classes` entry.
pub fn client_class(v6: bool) -> Vec<&'static str> {
    let common: &[&str] = &[
        "name",
        "test",
        "option-data",
        "only-if-required",
        "valid-lifetime",
        "min-valid-lifetime",
        "max-valid-lifetime",
        "user-context",
        "comment",
        "template-test",
        "only-in-additional-list",
    ];
    if v6 {
        cat(&[
            common,
            &[
                "preferred-lifetime",
                "min-preferred-lifetime",
                "max-preferred-lifetime",
            ],
        ])
    } else {
        cat(&[
            common,
            &[
                "option-def",
                "next-server",
                "server-hostname",
                "boot-file-name",
            ],
        ])
    }
}

/// Keys of `interfaces-config`. `dhcp-socket-type` is accepted for DHCPv6
/// too: in xdhcp it selects the packet backend for both servers.
pub const INTERFACES: &[&str] = &[
    "interfaces",
    "dhcp-socket-type",
    "outbound-interface",
    "re-detect",
    "service-sockets-require-all",
    "service-sockets-retry-wait-time",
    "service-sockets-max-retries",
    "user-context",
    "comment",
];

/// Keys of `lease-database`, `hosts-database` and `hosts-databases` entries.
pub const DATABASE: &[&str] = &[
    "type",
    "user",
    "password",
    "host",
    "port",
    "name",
    "persist",
    "lfc-interval",
    "readonly",
    "connect-timeout",
    "max-reconnect-tries",
    "reconnect-wait-time",
    "on-fail",
    "max-row-errors",
    "trust-anchor",
    "cert-file",
    "key-file",
    "cipher-list",
    "retry-on-startup",
    "read-timeout",
    "write-timeout",
    "tcp-user-timeout",
];

/// Keys of `relay`.
pub const RELAY: &[&str] = &["ip-address", "ip-addresses"];

/// Keys of `expired-leases-processing`.
pub const EXPIRY: &[&str] = &[
    "reclaim-timer-wait-time",
    "flush-reclaimed-timer-wait-time",
    "hold-reclaimed-time",
    "max-reclaim-leases",
    "max-reclaim-time",
    "unwarned-reclaim-cycles",
];

/// Keys of `dhcp-ddns`.
pub const DHCP_DDNS: &[&str] = &[
    "enable-updates",
    "qualifying-suffix",
    "server-ip",
    "server-port",
    "sender-ip",
    "sender-port",
    "max-queue-size",
    "ncr-protocol",
    "ncr-format",
    "override-no-update",
    "override-client-update",
    "replace-client-name",
    "generated-prefix",
    "hostname-char-set",
    "hostname-char-replacement",
    "user-context",
    "comment",
];

/// Keys of `control-socket` (and `control-sockets` entries, which newer
/// manuals describe with HTTP transport keys).
pub const CONTROL_SOCKET: &[&str] = &[
    "socket-type",
    "socket-name",
    "socket-address",
    "socket-port",
    "authentication",
    "trust-anchor",
    "cert-file",
    "key-file",
    "cert-required",
    "http-headers",
    "user-context",
    "comment",
];

/// Keys of `multi-threading`.
pub const MULTI_THREADING: &[&str] = &[
    "enable-multi-threading",
    "thread-pool-size",
    "packet-queue-size",
];

/// Keys of a `hooks-libraries` entry.
pub const HOOK: &[&str] = &["library", "parameters"];

/// Keys of a `loggers` entry.
pub const LOGGER: &[&str] = &[
    "name",
    "output_options",
    "output-options",
    "debuglevel",
    "severity",
    "user-context",
    "comment",
];

/// Keys of an `output_options` entry.
pub const LOG_OUTPUT: &[&str] = &["output", "flush", "maxsize", "maxver", "pattern"];

/// Keys of DHCPv6 `server-id`.
pub const SERVER_ID: &[&str] = &[
    "type",
    "identifier",
    "time",
    "htype",
    "enterprise-id",
    "persist",
    "user-context",
    "comment",
];

/// Keys of `sanity-checks`.
pub const SANITY: &[&str] = &["lease-checks", "extended-info-checks"];

/// Keys of `config-control`.
pub const CONFIG_CONTROL: &[&str] = &["config-databases", "config-fetch-wait-time"];

/// Keys of `compatibility`.
pub const COMPATIBILITY: &[&str] = &[
    "lenient-option-parsing",
    "ignore-dhcp-server-identifier",
    "ignore-rai-link-selection",
    "exclude-first-last-24",
];
