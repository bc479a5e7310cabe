//! Keys xdhcp accepts, as Kea does, without acting on them.
//!
//! The model takes every key Kea takes, so a Kea configuration loads
//! unchanged; some of those keys ask for something xdhcp does not do (yet,
//! or by design). [`TABLE`] names each such key with the reason and the
//! values that would change behaviour: a configuration setting one of
//! those gets one warning per key, at start, on `config-set`,
//! `config-reload` and SIGHUP (`DHCP4_CONFIG_KEY_NO_EFFECT`, or
//! `DHCP6_...` for the `Dhcp6` section), and `-T` prints the same lines.
//! Values that are Kea's default, or that ask for what xdhcp does anyway,
//! stay quiet. Entries marked [`When::Never`] record keys considered and
//! found harmless, with why.

use serde_json::Value;

use super::hooks::{recognise, Hook};
use At::*;
use When::*;

/// Where a key sits, below each server section (`Dhcp4` / `Dhcp6`) unless
/// said otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum At {
    /// The file's top level.
    Top,
    /// The server map itself.
    Server,
    /// Every scope level: the server map, each shared network, each subnet.
    Scope,
    /// A map directly below the server map (`multi-threading`, ...).
    Map(&'static str),
    /// Each subnet.
    Subnet,
    /// Each host reservation, global or in a subnet.
    Reservation,
    /// Each `client-classes` entry.
    Class,
    /// The `hooks-libraries` entries loading this library.
    Library(Hook),
    /// The `parameters` of the `hooks-libraries` entries loading it.
    LibraryParameters(Hook),
}

/// Which values would change behaviour, and so get a warning.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum When {
    /// Any value given.
    Any,
    /// Any value but these (JSON texts): Kea's default, or what xdhcp does
    /// anyway.
    Not(&'static [&'static str]),
    /// None: considered, and harmless whatever the value (the reason says
    /// why).
    Never,
}

/// One key xdhcp accepts without acting on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entry {
    /// Where the key sits.
    pub at: At,
    /// The key.
    pub key: &'static str,
    /// Which values warn.
    pub when: When,
    /// Why it has no effect, for the operator.
    pub reason: &'static str,
}

const fn entry(at: At, key: &'static str, when: When, reason: &'static str) -> Entry {
    Entry {
        at,
        key,
        when,
        reason,
    }
}

const NO_DDNS: &str = "DDNS is not implemented yet: no name change requests are sent";
const NO_NAMES: &str = "client names follow the ddns-* and hostname-char-* parameters of the \
                        server, shared networks and subnets, not those of the dhcp-ddns map";
const UPDATES_ONLY: &str = "it only shapes DNS updates, which need dhcp-ddns enable-updates \
                            (warned about when true)";
const SQL_ONLY: &str = "it configures an SQL database connection; xdhcp keeps leases in its \
                        memfile journal, which connects to nothing";
const NO_4O6: &str = "DHCPv4-over-DHCPv6 is not implemented";
const NO_CACHE: &str = "lease caching is not implemented: every renewal extends the lease";

/// Every key accepted without effect, with the values that warn.
pub const TABLE: &[Entry] = &[
    // Other daemons' sections.
    entry(
        Top,
        "DhcpDdns",
        Any,
        "xdhcp has no D2 server: nothing reads this section",
    ),
    entry(
        Top,
        "Control-agent",
        Any,
        "xdhcp serves the control API itself (control-socket with socket-type http or \
         https); nothing reads this section",
    ),
    entry(
        Top,
        "Logging",
        Any,
        "the Kea 0.9 top-level logging section is not read: loggers go in the loggers \
         list of Dhcp4 or Dhcp6",
    ),
    // Threads and queues.
    entry(
        Map("multi-threading"),
        "enable-multi-threading",
        Not(&["true"]),
        "xdhcp always serves with one worker per NIC receive queue (xdp) or per socket \
         (raw, udp); the workers share one lease store, so answers are those of a single \
         thread",
    ),
    entry(
        Map("multi-threading"),
        "thread-pool-size",
        Not(&["0"]),
        "xdhcp sizes its workers per NIC receive queue (xdp) or socket, not by a thread pool",
    ),
    entry(
        Map("multi-threading"),
        "packet-queue-size",
        Not(&["64"]),
        "xdhcp's workers read straight from their socket rings: there is no packet queue \
         to size",
    ),
    entry(
        Map("dhcp-queue-control"),
        "enable-queue",
        Not(&["false"]),
        "xdhcp's workers read straight from their socket rings: there is no packet queue \
         to enable",
    ),
    entry(
        Server,
        "parked-packet-limit",
        Never,
        "xdhcp never parks a packet (no hook defers an answer), so the limit is never met",
    ),
    // Interfaces.
    entry(
        Map("interfaces-config"),
        "outbound-interface",
        Not(&["\"same-as-inbound\""]),
        "every backend answers on the interface the request came in on (same-as-inbound)",
    ),
    entry(
        Map("interfaces-config"),
        "re-detect",
        Never,
        "interfaces are read at start; a reload that changes interfaces-config says it \
         takes effect at the next restart, whatever re-detect says",
    ),
    // The lease database: memfile only (others are refused).
    entry(
        Map("lease-database"),
        "max-row-errors",
        Not(&["0"]),
        "the lease journal is not CSV: damaged records at its end are dropped at start and \
         reported by -T, whatever this limit",
    ),
    entry(Map("lease-database"), "host", Any, SQL_ONLY),
    entry(Map("lease-database"), "port", Any, SQL_ONLY),
    entry(Map("lease-database"), "user", Any, SQL_ONLY),
    entry(Map("lease-database"), "password", Any, SQL_ONLY),
    entry(Map("lease-database"), "readonly", Not(&["false"]), SQL_ONLY),
    entry(Map("lease-database"), "connect-timeout", Any, SQL_ONLY),
    entry(Map("lease-database"), "read-timeout", Any, SQL_ONLY),
    entry(Map("lease-database"), "write-timeout", Any, SQL_ONLY),
    entry(Map("lease-database"), "tcp-user-timeout", Any, SQL_ONLY),
    entry(
        Map("lease-database"),
        "max-reconnect-tries",
        Not(&["0"]),
        SQL_ONLY,
    ),
    entry(
        Map("lease-database"),
        "reconnect-wait-time",
        Not(&["0"]),
        SQL_ONLY,
    ),
    entry(
        Map("lease-database"),
        "retry-on-startup",
        Not(&["false"]),
        SQL_ONLY,
    ),
    entry(
        Map("lease-database"),
        "on-fail",
        Not(&["\"stop-retry-exit\""]),
        SQL_ONLY,
    ),
    entry(Map("lease-database"), "trust-anchor", Any, SQL_ONLY),
    entry(Map("lease-database"), "cert-file", Any, SQL_ONLY),
    entry(Map("lease-database"), "key-file", Any, SQL_ONLY),
    entry(Map("lease-database"), "cipher-list", Any, SQL_ONLY),
    entry(
        Map("expired-leases-processing"),
        "flush-reclaimed-timer-wait-time",
        Not(&["25", "0"]),
        "reclaimed leases older than hold-reclaimed-time are removed in each reclaim pass \
         (reclaim-timer-wait-time), not on a timer of their own (0, which keeps them, is \
         honoured)",
    ),
    // Configuration backends.
    entry(
        Map("config-control"),
        "config-databases",
        Not(&["[]"]),
        "configuration backends are not available: the configuration comes from the file \
         and the control API",
    ),
    entry(
        Map("config-control"),
        "config-fetch-wait-time",
        Never,
        "nothing is fetched without config-databases, which warns",
    ),
    // DDNS: the connection warns; the name rules of the dhcp-ddns map are
    // not read (the scope parameters are), the update-only keys matter only
    // once updates are enabled.
    entry(Map("dhcp-ddns"), "enable-updates", Not(&["false"]), NO_DDNS),
    entry(
        Map("dhcp-ddns"),
        "qualifying-suffix",
        Not(&["\"\""]),
        NO_NAMES,
    ),
    entry(Map("dhcp-ddns"), "override-no-update", Never, UPDATES_ONLY),
    entry(
        Map("dhcp-ddns"),
        "override-client-update",
        Never,
        UPDATES_ONLY,
    ),
    entry(
        Map("dhcp-ddns"),
        "replace-client-name",
        Not(&["\"never\""]),
        NO_NAMES,
    ),
    entry(
        Map("dhcp-ddns"),
        "generated-prefix",
        Not(&["\"myhost\""]),
        NO_NAMES,
    ),
    entry(
        Map("dhcp-ddns"),
        "hostname-char-set",
        Not(&["\"\"", "\"[^A-Za-z0-9.-]\""]),
        NO_NAMES,
    ),
    entry(
        Map("dhcp-ddns"),
        "hostname-char-replacement",
        Not(&["\"\""]),
        NO_NAMES,
    ),
    entry(Scope, "ddns-send-updates", Never, UPDATES_ONLY),
    entry(Scope, "ddns-override-no-update", Never, UPDATES_ONLY),
    entry(Scope, "ddns-override-client-update", Never, UPDATES_ONLY),
    entry(Scope, "ddns-update-on-renew", Never, UPDATES_ONLY),
    entry(Scope, "ddns-use-conflict-resolution", Never, UPDATES_ONLY),
    entry(Scope, "ddns-conflict-resolution-mode", Never, UPDATES_ONLY),
    entry(Scope, "ddns-ttl-percent", Never, UPDATES_ONLY),
    entry(Scope, "ddns-ttl", Never, UPDATES_ONLY),
    entry(Scope, "ddns-ttl-min", Never, UPDATES_ONLY),
    entry(Scope, "ddns-ttl-max", Never, UPDATES_ONLY),
    // Lease handling.
    entry(
        Scope,
        "store-extended-info",
        Not(&["false"]),
        "leases do not keep the relay information (no extended info in their user context)",
    ),
    entry(Scope, "cache-threshold", Any, NO_CACHE),
    entry(Scope, "cache-max-age", Any, NO_CACHE),
    entry(
        Scope,
        "offer-lifetime",
        Not(&["0"]),
        "an offered address is not held for the client: it is leased at the request",
    ),
    entry(
        Map("sanity-checks"),
        "lease-checks",
        Not(&["\"warn\""]),
        "leases are loaded from the journal as written: their subnets are not checked",
    ),
    entry(
        Map("sanity-checks"),
        "extended-info-checks",
        Not(&["\"fix\""]),
        "leases keep no extended info to check (see store-extended-info)",
    ),
    entry(
        Server,
        "early-global-reservations-lookup",
        Not(&["false"]),
        "global reservations are looked up after the subnet is selected, as without this \
         key",
    ),
    entry(
        Server,
        "reservations-lookup-first",
        Never,
        "it orders two look-ups for speed; no answer depends on it",
    ),
    entry(
        Server,
        "relay-supplied-options",
        Not(&["[]"]),
        "options relays supply (RSOO) are not passed on to clients",
    ),
    // Compatibility switches.
    entry(
        Map("compatibility"),
        "lenient-option-parsing",
        Not(&["false"]),
        "malformed options in a request are handled as without this switch",
    ),
    entry(
        Map("compatibility"),
        "ignore-dhcp-server-identifier",
        Not(&["false"]),
        "the server identifier option of a request is checked as without this switch",
    ),
    entry(
        Map("compatibility"),
        "ignore-rai-link-selection",
        Not(&["false"]),
        "the relay agent's link-selection sub-option is used to select the subnet",
    ),
    entry(
        Map("compatibility"),
        "exclude-first-last-24",
        Not(&["false"]),
        "pool addresses ending in .0 or .255 are handed out like any other",
    ),
    // DHCPv4-over-DHCPv6.
    entry(Server, "dhcp4o6-port", Not(&["0"]), NO_4O6),
    entry(Subnet, "4o6-interface", Any, NO_4O6),
    entry(Subnet, "4o6-interface-id", Any, NO_4O6),
    entry(Subnet, "4o6-subnet", Any, NO_4O6),
    // Newer manuals' keys without a counterpart yet.
    entry(
        Reservation,
        "excluded-prefixes",
        Not(&["[]"]),
        "reserved prefixes are delegated without a prefix exclude option",
    ),
    entry(
        Class,
        "template-test",
        Any,
        "template classes are not implemented: no class is spawned from this expression",
    ),
    // Hooks.
    entry(
        Library(Hook::Ha),
        "library",
        Any,
        "high availability is not implemented yet: this server serves alone",
    ),
    entry(
        LibraryParameters(Hook::LegalLog),
        "prerotate",
        Any,
        "forensic log files change daily; no rotation scripts are run",
    ),
    entry(
        LibraryParameters(Hook::LegalLog),
        "postrotate",
        Any,
        "forensic log files change daily; no rotation scripts are run",
    ),
    entry(
        LibraryParameters(Hook::LegalLog),
        "response-parser-format",
        Any,
        "forensic log lines use Kea's default format",
    ),
    entry(
        LibraryParameters(Hook::LegalLog),
        "timestamp-format",
        Any,
        "forensic log lines use Kea's default format",
    ),
];

/// Message id of the warnings about `section` (`Dhcp6` or else).
pub fn message_id(section: &str) -> &'static str {
    if section == "Dhcp6" {
        "DHCP6_CONFIG_KEY_NO_EFFECT"
    } else {
        "DHCP4_CONFIG_KEY_NO_EFFECT"
    }
}

/// A table entry a configuration sets to a value that would change
/// behaviour, with every JSON path where it does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// The server section (`Dhcp4`, `Dhcp6`) or the top-level key.
    pub section: String,
    /// The entry.
    pub entry: &'static Entry,
    /// JSON paths of the key, in file order.
    pub paths: Vec<String>,
}

/// How many paths a warning names before counting the rest.
const NAMED_PATHS: usize = 3;

impl Finding {
    /// Kea-style message id.
    pub fn id(&self) -> &'static str {
        message_id(&self.section)
    }

    /// The warning's text: where, and why it has no effect.
    pub fn text(&self) -> String {
        let mut at = self.paths[..self.paths.len().min(NAMED_PATHS)].join(", ");
        if self.paths.len() > NAMED_PATHS {
            at += &format!(" (and {} more)", self.paths.len() - NAMED_PATHS);
        }
        format!("{at}: has no effect: {}", self.entry.reason)
    }
}

impl std::fmt::Display for Finding {
    /// The id and text, as `-T` prints them.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.id(), self.text())
    }
}

/// Each item of list `key` of `map` (at `path`), with its path `path.key[i]`.
fn items<'a>(map: &'a Value, path: &str, key: &str) -> Vec<(String, &'a Value)> {
    let list = map.get(key).and_then(Value::as_array);
    let each = list.into_iter().flatten().enumerate();
    each.map(|(i, v)| (format!("{path}.{key}[{i}]"), v))
        .collect()
}

/// Every subnet of server map `s` at `path`: plain ones, then those of
/// each shared network.
fn subnets<'a>(s: &'a Value, path: &str) -> Vec<(String, &'a Value)> {
    let mut out = Vec::new();
    for key in ["subnet4", "subnet6"] {
        out.extend(items(s, path, key));
        for (np, net) in items(s, path, "shared-networks") {
            out.extend(items(net, &np, key));
        }
    }
    out
}

/// The maps where `at` looks for its key in server map `s` (at `path`).
fn places<'a>(at: At, s: &'a Value, path: &str) -> Vec<(String, &'a Value)> {
    let hooks = |hook: Hook| {
        let each = items(s, path, "hooks-libraries").into_iter();
        each.filter(move |(_, h)| {
            let library = h.get("library").and_then(Value::as_str);
            library.and_then(recognise) == Some(hook)
        })
    };
    match at {
        // The file's top level is not below a section.
        Top => Vec::new(),
        Server => vec![(path.to_string(), s)],
        Scope => {
            let mut out = vec![(path.to_string(), s)];
            out.extend(items(s, path, "shared-networks"));
            out.extend(subnets(s, path));
            out
        }
        Map(key) => s
            .get(key)
            .map(|m| vec![(format!("{path}.{key}"), m)])
            .unwrap_or_default(),
        Subnet => subnets(s, path),
        Reservation => {
            let mut out = items(s, path, "reservations");
            for (sp, sub) in subnets(s, path) {
                out.extend(items(sub, &sp, "reservations"));
            }
            out
        }
        Class => items(s, path, "client-classes"),
        Library(hook) => hooks(hook).collect(),
        LibraryParameters(hook) => hooks(hook)
            .filter_map(|(hp, h)| Some((format!("{hp}.parameters"), h.get("parameters")?)))
            .collect(),
    }
}

impl When {
    /// Whether `value` would change behaviour.
    fn warns(self, value: &Value) -> bool {
        match self {
            Any => true,
            Not(inert) => !inert
                .iter()
                .any(|t| serde_json::from_str::<Value>(t).is_ok_and(|v| &v == value)),
            Never => false,
        }
    }
}

/// What `config` (a whole configuration file as JSON) sets that xdhcp
/// accepts without acting on, one finding per table entry and section.
pub fn findings(config: &Value) -> Vec<Finding> {
    let mut out = Vec::new();
    for e in TABLE {
        if e.at == Top {
            if config.get(e.key).is_some_and(|v| e.when.warns(v)) {
                out.push(Finding {
                    section: e.key.to_string(),
                    entry: e,
                    paths: vec![e.key.to_string()],
                });
            }
            continue;
        }
        for section in ["Dhcp4", "Dhcp6"] {
            let Some(s) = config.get(section) else {
                continue;
            };
            let paths: Vec<String> = places(e.at, s, section)
                .into_iter()
                .filter(|(_, m)| m.get(e.key).is_some_and(|v| e.when.warns(v)))
                .map(|(p, _)| format!("{p}.{}", e.key))
                .collect();
            if !paths.is_empty() {
                out.push(Finding {
                    section: section.to_string(),
                    entry: e,
                    paths,
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A configuration setting every key of the table to a value that
    /// changes behaviour (and Kea's defaults nowhere), valid for the model.
    const EVERY_KEY: &str = r#"{
      "Dhcp4": {
        "interfaces-config": { "interfaces": [ "eth9" ], "outbound-interface": "use-routing",
                               "re-detect": false },
        "lease-database": { "type": "memfile", "persist": false, "max-row-errors": 5,
          "host": "db", "port": 3306, "user": "u", "password": "p", "readonly": true,
          "connect-timeout": 5, "read-timeout": 1, "write-timeout": 1, "tcp-user-timeout": 1,
          "max-reconnect-tries": 3, "reconnect-wait-time": 100, "retry-on-startup": true,
          "on-fail": "serve-retry-exit", "trust-anchor": "a", "cert-file": "c",
          "key-file": "k", "cipher-list": "x" },
        "multi-threading": { "enable-multi-threading": false, "thread-pool-size": 4,
                             "packet-queue-size": 16 },
        "dhcp-queue-control": { "enable-queue": true, "queue-type": "kea-ring4",
                                "capacity": 64 },
        "parked-packet-limit": 10,
        "expired-leases-processing": { "flush-reclaimed-timer-wait-time": 5 },
        "config-control": { "config-databases": [ { "type": "mysql", "name": "cfg" } ],
                            "config-fetch-wait-time": 10 },
        "dhcp-ddns": { "enable-updates": true, "qualifying-suffix": "x.",
          "override-no-update": true, "override-client-update": true,
          "replace-client-name": "always", "generated-prefix": "h",
          "hostname-char-set": "[^a-z]", "hostname-char-replacement": "x" },
        "ddns-send-updates": false, "ddns-override-no-update": true,
        "ddns-override-client-update": true, "ddns-replace-client-name": "always",
        "ddns-generated-prefix": "h", "ddns-qualifying-suffix": "x.",
        "ddns-update-on-renew": true, "ddns-use-conflict-resolution": false,
        "ddns-conflict-resolution-mode": "no-check-with-dhcid", "ddns-ttl-percent": 0.5,
        "ddns-ttl": 300, "ddns-ttl-min": 10, "ddns-ttl-max": 1000,
        "hostname-char-set": "[^a-z]", "hostname-char-replacement": "x",
        "store-extended-info": true, "cache-threshold": 0.25, "cache-max-age": 600,
        "offer-lifetime": 60,
        "sanity-checks": { "lease-checks": "fix", "extended-info-checks": "strict" },
        "early-global-reservations-lookup": true, "reservations-lookup-first": true,
        "compatibility": { "lenient-option-parsing": true,
          "ignore-dhcp-server-identifier": true, "ignore-rai-link-selection": true,
          "exclude-first-last-24": true },
        "dhcp4o6-port": 6767,
        "client-classes": [ { "name": "spawned", "template-test": "pkt4.mac" } ],
        "hooks-libraries": [
          { "library": "/usr/lib/kea/hooks/libdhcp_ha.so", "parameters": {
              "high-availability": [ { "this-server-name": "a", "mode": "hot-standby",
                                       "peers": [] } ] } },
          { "library": "libdhcp_legal_log.so", "parameters": { "path": "/tmp",
              "prerotate": "/bin/true", "postrotate": "/bin/true",
              "response-parser-format": "x", "timestamp-format": "%Y" } } ],
        "subnet4": [ { "id": 1, "subnet": "192.0.2.0/24", "cache-max-age": 60,
                       "ddns-send-updates": false,
                       "pools": [ { "pool": "192.0.2.10 - 192.0.2.20" } ] } ],
        "shared-networks": [ { "name": "net", "cache-max-age": 60, "subnet4": [
          { "id": 2, "subnet": "10.0.0.0/24", "cache-max-age": 60,
            "4o6-interface": "eth1", "4o6-interface-id": "x", "4o6-subnet": "2001:db8::/64",
            "pools": [ { "pool": "10.0.0.10 - 10.0.0.20" } ] } ] } ]
      },
      "Dhcp6": {
        "relay-supplied-options": [ "110" ],
        "reservations": [ { "duid": "01:02:03:04", "prefixes": [ "2001:db8:1::/56" ],
                            "excluded-prefixes": [ "2001:db8:1:1::/64" ] } ]
      },
      "DhcpDdns": { "ip-address": "127.0.0.1" },
      "Control-agent": { "http-port": 8000 },
      "Logging": { "loggers": [] }
    }"#;

    /// Kea's defaults, written out: they change nothing.
    const DEFAULTS: &str = r#"{
      "Dhcp4": {
        "interfaces-config": { "interfaces": [ "eth9" ], "outbound-interface": "same-as-inbound",
                               "re-detect": true },
        "lease-database": { "type": "memfile", "max-row-errors": 0, "readonly": false,
          "max-reconnect-tries": 0, "reconnect-wait-time": 0, "retry-on-startup": false,
          "on-fail": "stop-retry-exit" },
        "multi-threading": { "enable-multi-threading": true, "thread-pool-size": 0,
                             "packet-queue-size": 64 },
        "dhcp-queue-control": { "enable-queue": false },
        "parked-packet-limit": 256,
        "expired-leases-processing": { "flush-reclaimed-timer-wait-time": 25 },
        "config-control": { "config-databases": [] },
        "dhcp-ddns": { "enable-updates": false, "replace-client-name": "never" },
        "ddns-send-updates": true, "ddns-override-no-update": false,
        "ddns-override-client-update": false, "ddns-replace-client-name": "never",
        "ddns-generated-prefix": "myhost", "ddns-qualifying-suffix": "",
        "ddns-update-on-renew": false, "ddns-use-conflict-resolution": true,
        "ddns-conflict-resolution-mode": "check-with-dhcid",
        "hostname-char-set": "[^A-Za-z0-9.-]", "hostname-char-replacement": "",
        "store-extended-info": false, "offer-lifetime": 0,
        "sanity-checks": { "lease-checks": "warn", "extended-info-checks": "fix" },
        "early-global-reservations-lookup": false, "reservations-lookup-first": false,
        "compatibility": { "lenient-option-parsing": false,
          "ignore-dhcp-server-identifier": false, "ignore-rai-link-selection": false,
          "exclude-first-last-24": false },
        "dhcp4o6-port": 0,
        "statistic-default-sample-count": 20, "statistic-default-sample-age": 0,
        "hooks-libraries": [ { "library": "libdhcp_lease_cmds.so" },
                             { "library": "libdhcp_legal_log.so",
                               "parameters": { "path": "/tmp" } } ],
        "subnet4": [ { "id": 1, "subnet": "192.0.2.0/24", "ddns-send-updates": true,
                       "pools": [ { "pool": "192.0.2.10 - 192.0.2.20" } ] } ]
      },
      "Dhcp6": { "relay-supplied-options": [] }
    }"#;

    fn found(text: &str) -> Vec<Finding> {
        crate::config::load_str("t.json", text).expect("the model accepts it");
        findings(&serde_json::from_str(text).unwrap())
    }

    #[test]
    fn every_key_of_the_table_warns_with_its_path_and_reason() {
        let all = found(EVERY_KEY);
        for e in TABLE.iter().filter(|e| e.when != Never) {
            let f = all.iter().find(|f| f.entry == e);
            let f = f.unwrap_or_else(|| panic!("{} {:?} gave no warning", e.key, e.at));
            let path = &f.paths[0];
            assert!(
                path.ends_with(&format!(".{}", e.key)) || path == e.key,
                "{path}"
            );
            assert!(f.text().starts_with(path.as_str()), "{}", f.text());
            assert!(f.text().ends_with(&format!("has no effect: {}", e.reason)));
        }
        // One warning per key and section, naming every place.
        let mut keys: Vec<_> = all.iter().map(|f| (&f.section, f.entry.key)).collect();
        keys.dedup();
        assert_eq!(keys.len(), all.len());
        let cache = all.iter().find(|f| f.entry.key == "cache-max-age").unwrap();
        assert_eq!(
            cache.to_string(),
            "DHCP4_CONFIG_KEY_NO_EFFECT Dhcp4.cache-max-age, \
             Dhcp4.shared-networks[0].cache-max-age, \
             Dhcp4.subnet4[0].cache-max-age (and 1 more): has no effect: lease caching \
             is not implemented: every renewal extends the lease"
        );
        let rsoo = all.iter().find(|f| f.entry.key == "relay-supplied-options");
        assert_eq!(rsoo.unwrap().id(), "DHCP6_CONFIG_KEY_NO_EFFECT");
        let o4 = all.iter().find(|f| f.entry.key == "4o6-subnet").unwrap();
        assert_eq!(o4.paths, ["Dhcp4.shared-networks[0].subnet4[0].4o6-subnet"]);
    }

    #[test]
    fn kea_defaults_and_harmless_keys_warn_nothing() {
        assert_eq!(found(DEFAULTS), Vec::<Finding>::new());
        let harmless: Vec<_> = found(EVERY_KEY)
            .into_iter()
            .filter(|f| f.entry.when == Never)
            .collect();
        assert_eq!(harmless, Vec::<Finding>::new());
    }
}
