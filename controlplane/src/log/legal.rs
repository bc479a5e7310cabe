//! Forensic logging, as Kea's `libdhcp_legal_log.so` writes it: one line
//! per lease the server commits (granted or renewed: "assigned") or gives
//! up (released or declined: "released"), in daily files
//! `path/base-name.CCYYMMDD.txt`, each line prefixed with the local time
//! (`%Y-%m-%d %H:%M:%S %Z`).

use std::fmt::Write as _;
use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::PathBuf;

use serde_json::{Map, Value};
use xdhcp_dataplane::config::v6::MacSource;
use xdhcp_dataplane::events::{LeaseEvent4, LeaseEvent6, LeaseEventKind, ShortId};
use xdhcp_dataplane::lease::ident::Hex;

use super::time;

/// Kea's default directory for the files (Debian's `[prefix]/var/lib/kea`).
const DEFAULT_PATH: &str = "/var/lib/kea";
/// Kea's default file name stem.
const DEFAULT_BASE_NAME: &str = "kea-legal";
/// Kea's timestamp at the start of every line.
const TIMESTAMP: &str = "%Y-%m-%d %H:%M:%S %Z";

/// The hook's file settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LegalConfig {
    /// Directory of the files; it must exist.
    pub path: PathBuf,
    /// File name stem.
    pub base_name: String,
}

impl LegalConfig {
    /// Reads the hook's `parameters` (JSON text, as configured).
    pub fn from_parameters(parameters: Option<&str>) -> Result<LegalConfig, String> {
        let v: serde_json::Value = match parameters {
            Some(p) => serde_json::from_str(p).map_err(|e| format!("legal_log parameters: {e}"))?,
            None => serde_json::Value::Null,
        };
        let text = |key: &str, default: &str| {
            v.get(key)
                .and_then(|s| s.as_str())
                .unwrap_or(default)
                .to_string()
        };
        let unit = text("time-unit", "day");
        let count = v.get("count").and_then(|c| c.as_i64()).unwrap_or(1);
        if unit != "day" || count != 1 {
            return Err(format!(
                "legal_log: only daily files are supported (time-unit \"day\", count 1), \
                 not time-unit \"{unit}\" with count {count}"
            ));
        }
        if v.get("type").is_some() || v.get("request-parser-format").is_some() {
            return Err(
                "legal_log: database storage and custom formats are not supported; \
                 lines use Kea's default format in files"
                    .into(),
            );
        }
        Ok(LegalConfig {
            path: PathBuf::from(text("path", DEFAULT_PATH)),
            base_name: text("base-name", DEFAULT_BASE_NAME),
        })
    }
}

/// The open forensic file of the current day.
pub struct LegalLog {
    config: LegalConfig,
    day: String,
    file: Option<File>,
}

impl LegalLog {
    /// A log writing where `config` says; files open on first use.
    pub fn new(config: LegalConfig) -> LegalLog {
        LegalLog {
            config,
            day: String::new(),
            file: None,
        }
    }

    /// The file for the local day of `at_us`.
    pub fn file_name(&self, at_us: u64) -> PathBuf {
        let day = time::format("%Y%m%d", at_us, true);
        self.config
            .path
            .join(format!("{}.{day}.txt", self.config.base_name))
    }

    /// Appends `entry` (from [`entry`] or [`entry6`]) stamped with `at_us`.
    pub fn write(&mut self, at_us: u64, entry: &str) -> io::Result<()> {
        let day = time::format("%Y%m%d", at_us, true);
        if self.file.is_none() || day != self.day {
            let name = self.file_name(at_us);
            self.file = Some(OpenOptions::new().create(true).append(true).open(name)?);
            self.day = day;
        }
        let line = format!("{} {entry}\n", time::format(TIMESTAMP, at_us, true));
        match self.file.as_mut() {
            Some(f) => f.write_all(line.as_bytes()),
            None => Ok(()),
        }
    }
}

/// Kea's duration text: `{d days }h hrs m mins s secs`, or
/// `infinite duration`.
pub fn duration(secs: u32) -> String {
    if secs == u32::MAX {
        return "infinite duration".into();
    }
    let (days, hours, mins, s) = (secs / 86_400, secs / 3600 % 24, secs / 60 % 60, secs % 60);
    let days = if days > 0 {
        format!("{days} days ")
    } else {
        String::new()
    };
    format!("{days}{hours} hrs {mins} mins {s} secs")
}

/// Hex, plus the text in parentheses when every byte is printable.
fn id_text(bytes: &[u8]) -> String {
    let printable = bytes.iter().all(|b| (0x20..0x7f).contains(b));
    if printable {
        format!("{} ({})", Hex(bytes), String::from_utf8_lossy(bytes))
    } else {
        Hex(bytes).to_string()
    }
}

/// `name: hex (text)` for each non-empty identifier, joined by " and ".
fn ids(list: &[(&str, &ShortId)]) -> String {
    list.iter()
        .filter(|(_, id)| !id.as_bytes().is_empty())
        .map(|(name, id)| format!("{name}: {}", id_text(id.as_bytes())))
        .collect::<Vec<_>>()
        .join(" and ")
}

/// The verb and what follows it. As Kea's hook (which logs what the server
/// committed), a renewal is an assignment and a decline a release.
fn action(s: &mut String, kind: LeaseEventKind, lifetime: u32) -> Option<()> {
    match kind {
        LeaseEventKind::Allocate | LeaseEventKind::Renew => {
            let _ = write!(s, " has been assigned for {} to", duration(lifetime));
        }
        LeaseEventKind::Release | LeaseEventKind::Decline => s.push_str(" has been released from"),
        LeaseEventKind::Offer | LeaseEventKind::Nak | LeaseEventKind::InitReboot => return None,
    }
    Some(())
}

/// The entry text (after the timestamp) for `e`, or `None` for events the
/// forensic log does not record.
pub fn entry(e: &LeaseEvent4) -> Option<String> {
    let mut s = format!("Address: {}", e.addr);
    action(&mut s, e.kind, e.lifetime)?;
    let _ = write!(
        s,
        " a device with hardware address: hwtype={} {}",
        e.hw.htype,
        Hex(e.hw.as_bytes())
    );
    if !e.client_id.as_bytes().is_empty() {
        let _ = write!(s, ", client-id: {}", id_text(e.client_id.as_bytes()));
    }
    if !e.giaddr.is_unspecified() {
        let _ = write!(s, " connected via relay at address: {}", e.giaddr);
        let found = ids(&[
            ("circuit-id", &e.circuit_id),
            ("remote-id", &e.remote_id),
            ("subscriber-id", &e.subscriber_id),
        ]);
        if !found.is_empty() {
            let _ = write!(s, ", identified by {found}");
        }
    }
    Some(s)
}

/// The DHCPv6 entry text for `e`, or `None` for events not recorded.
pub fn entry6(e: &LeaseEvent6) -> Option<String> {
    let mut s = if e.prefix {
        format!("Prefix: {}/{}", e.addr, e.prefix_len)
    } else {
        format!("Address: {}", e.addr)
    };
    action(&mut s, e.kind, e.lifetime)?;
    let _ = write!(s, " a device with DUID: {}", Hex(e.duid.as_bytes()));
    if !e.hw.is_empty() {
        let source = e.hw_source.map_or("UNKNOWN", MacSource::text);
        let _ = write!(
            s,
            " and hardware address: hwtype={} {} (from {source})",
            e.hw.htype,
            Hex(e.hw.as_bytes())
        );
    }
    if let Some(r) = &e.relay {
        let _ = write!(
            s,
            " connected via relay at address: {} for client on link address: {}, \
             hop count: {}",
            r.peer, r.link, r.hops
        );
        let found = ids(&[
            ("remote-id", &r.remote_id),
            ("subscriber-id", &r.subscriber_id),
        ]);
        if !found.is_empty() {
            let _ = write!(s, ", identified by {found}");
        }
        if !r.interface_id.as_bytes().is_empty() {
            let _ = write!(
                s,
                ", connected at location interface-id: {}",
                id_text(r.interface_id.as_bytes())
            );
        }
    }
    Some(s)
}

/// The entry Kea's hook writes for a lease control command that
/// succeeded (`lease4-add`, `lease4-update`, `lease4-del` and their v6
/// twins), built from the command's arguments as given; and whether it
/// belongs to the DHCPv6 file. `None` for other commands.
pub fn command_entry(command: &str, args: &Map<String, Value>) -> Option<(bool, String)> {
    let (v6, verb) = match command {
        "lease4-add" => (false, "added a lease"),
        "lease4-update" => (false, "updated information on the lease"),
        "lease4-del" => (false, ""),
        "lease6-add" => (true, "added a lease"),
        "lease6-update" => (true, "updated information on the lease"),
        "lease6-del" => (true, ""),
        _ => return None,
    };
    let text = |key: &str| args.get(key).and_then(Value::as_str);
    let who = if text("origin") == Some("ha-partner") {
        "HA partner"
    } else {
        "Administrator"
    };
    let address = text("ip-address").unwrap_or_default();
    let mut s = who.to_string();
    if verb.is_empty() {
        match (text("identifier-type"), text("identifier")) {
            (Some(kind), Some(id)) if !args.contains_key("ip-address") => {
                let _ = write!(
                    s,
                    " deleted a lease for a device identified by: {kind} of {id}"
                );
            }
            _ => {
                let _ = write!(s, " deleted the lease for address: {address}");
            }
        }
        return Some((v6, s));
    }
    let prefix = v6 && text("type") == Some("IA_PD");
    if prefix {
        let len = args
            .get("prefix-len")
            .and_then(Value::as_u64)
            .unwrap_or(128);
        let _ = write!(s, " {verb} of prefix: {address}/{len}");
    } else {
        let _ = write!(s, " {verb} of address: {address}");
    }
    if v6 {
        let _ = write!(
            s,
            " to a device with DUID: {}",
            text("duid").unwrap_or_default()
        );
        if let Some(hw) = text("hw-address") {
            let _ = write!(s, ", hardware address: {hw}");
        }
    } else {
        let hw = text("hw-address").unwrap_or_default();
        let _ = write!(s, " to a device with hardware address: {hw}");
        if let Some(id) = text("client-id") {
            let _ = write!(s, ", client-id: {id}");
            let bytes = xdhcp_dataplane::lease::ident::parse_hex(id).unwrap_or_default();
            if !bytes.is_empty() && bytes.iter().all(|b| (0x20..0x7f).contains(b)) {
                let _ = write!(s, " ({})", String::from_utf8_lossy(&bytes));
            }
        }
    }
    if let Some(valid) = args.get("valid-lft").and_then(Value::as_u64) {
        let _ = write!(
            s,
            " for {}",
            duration(valid.min(u64::from(u32::MAX)) as u32)
        );
    }
    // Kea folds a "comment" into the lease's user context.
    let mut context = args.get("user-context").cloned();
    if let Some(comment) = args.get("comment") {
        let map = context.get_or_insert_with(|| Value::Object(Map::new()));
        if let Some(m) = map.as_object_mut() {
            m.insert("comment".into(), comment.clone());
        }
    }
    if let Some(c) = context {
        let _ = write!(s, ", context: {}", kea_text(&c));
    }
    Some((v6, s))
}

/// JSON as Kea's `Element::str()` prints it: `{ "a": 1, "b": [ 2, 3 ] }`.
fn kea_text(v: &Value) -> String {
    match v {
        Value::Object(m) => {
            let items: Vec<String> = m
                .iter()
                .map(|(k, v)| format!("{}: {}", Value::from(k.as_str()), kea_text(v)))
                .collect();
            format!("{{ {} }}", items.join(", "))
        }
        Value::Array(list) => {
            let items: Vec<String> = list.iter().map(kea_text).collect();
            format!("[ {} ]", items.join(", "))
        }
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use std::net::Ipv4Addr;

    use xdhcp_dataplane::events::Relay6;
    use xdhcp_dataplane::lease::HwAddr;

    use super::*;

    /// Kea's own unit-test inputs for the default format.
    fn renewal() -> LeaseEvent4 {
        LeaseEvent4 {
            kind: LeaseEventKind::Renew,
            addr: Ipv4Addr::new(192, 2, 1, 100),
            ciaddr: Ipv4Addr::UNSPECIFIED,
            lifetime: 6735,
            xid: 1,
            hw: HwAddr::new(1, &[0x08, 0x00, 0x2b, 0x02, 0x3f, 0x4e]).unwrap(),
            client_id: ShortId::new(&[0x17, 0x34, 0xe2, 0xff, 0x09, 0x92, 0x54]),
            giaddr: Ipv4Addr::new(192, 2, 16, 33),
            circuit_id: ShortId::new(b"howdy"),
            remote_id: ShortId::new(&[0x87, 0xf6, 0x79, 0x77, 0xef]),
            subscriber_id: ShortId::new(&[0x1a, 0x2b, 0x3c, 0x4d, 0x5e, 0x6f]),
            thread: 0,
            at_us: 0,
        }
    }

    #[test]
    fn v4_entries_are_keas() {
        let e = renewal();
        assert_eq!(
            entry(&e).unwrap(),
            "Address: 192.2.1.100 has been assigned for 1 hrs 52 mins 15 secs to a device \
             with hardware address: hwtype=1 08:00:2b:02:3f:4e, client-id: \
             17:34:e2:ff:09:92:54 connected via relay at address: 192.2.16.33, identified \
             by circuit-id: 68:6f:77:64:79 (howdy) and remote-id: 87:f6:79:77:ef \
             and subscriber-id: 1a:2b:3c:4d:5e:6f"
        );
        for kind in [LeaseEventKind::Release, LeaseEventKind::Decline] {
            let gone = LeaseEvent4 {
                kind,
                giaddr: Ipv4Addr::UNSPECIFIED,
                client_id: ShortId::EMPTY,
                ..e
            };
            assert_eq!(
                entry(&gone).unwrap(),
                "Address: 192.2.1.100 has been released from a device with hardware \
                 address: hwtype=1 08:00:2b:02:3f:4e"
            );
        }
        assert_eq!(duration(86_400 + 10), "1 days 0 hrs 0 mins 10 secs");
        assert_eq!(duration(u32::MAX), "infinite duration");
        let offer = LeaseEvent4 {
            kind: LeaseEventKind::Offer,
            ..e
        };
        assert_eq!(entry(&offer), None);
    }

    #[test]
    fn v6_entries_are_keas() {
        let e = LeaseEvent6 {
            kind: LeaseEventKind::Allocate,
            addr: "2001:db8:1::".parse().unwrap(),
            prefix_len: 128,
            prefix: false,
            iaid: 1,
            lifetime: 713,
            xid: 1,
            duid: ShortId::new(&[0x17, 0x34, 0xe2, 0xff, 0x09, 0x92, 0x54]),
            hw: HwAddr::new(1, &[0x08, 0x00, 0x2b, 0x02, 0x3f, 0x4e]).unwrap(),
            hw_source: Some(MacSource::Duid),
            relay: Some(Relay6 {
                peer: "fe80::abcd".parse().unwrap(),
                link: "3001::1".parse().unwrap(),
                hops: 1,
                remote_id: ShortId::new(&[1, 2, 3, 4, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f]),
                subscriber_id: ShortId::new(&[0x1a, 0x2b, 0x3c, 0x4d, 0x5e, 0x6f]),
                interface_id: ShortId::EMPTY,
            }),
            thread: 0,
            at_us: 0,
        };
        assert_eq!(
            entry6(&e).unwrap(),
            "Address: 2001:db8:1:: has been assigned for 0 hrs 11 mins 53 secs to a device \
             with DUID: 17:34:e2:ff:09:92:54 and hardware address: hwtype=1 \
             08:00:2b:02:3f:4e (from DUID) connected via relay at address: fe80::abcd for \
             client on link address: 3001::1, hop count: 1, identified by remote-id: \
             01:02:03:04:0a:0b:0c:0d:0e:0f and subscriber-id: 1a:2b:3c:4d:5e:6f"
        );
        let released = LeaseEvent6 {
            kind: LeaseEventKind::Release,
            addr: "2001:db8:8000::".parse().unwrap(),
            prefix_len: 56,
            prefix: true,
            hw: HwAddr::default(),
            relay: None,
            ..e
        };
        assert_eq!(
            entry6(&released).unwrap(),
            "Prefix: 2001:db8:8000::/56 has been released from a device with DUID: \
             17:34:e2:ff:09:92:54"
        );
    }

    #[test]
    fn control_commands_are_logged_as_keas_hook_logs_them() {
        let cases = [
            (
                "lease4-add",
                r#"{"subnet-id": 44, "ip-address": "192.0.2.202", "hw-address": "1a:1b:1c:1d:1e:1f", "valid-lft": 86400}"#,
                "Administrator added a lease of address: 192.0.2.202 to a device with hardware \
                 address: 1a:1b:1c:1d:1e:1f for 1 days 0 hrs 0 mins 0 secs",
            ),
            (
                "lease4-update",
                r#"{"origin": "ha-partner", "subnet-id": 44, "ip-address": "192.0.2.202", "hw-address": "1a:1b:1c:1d:1e:1f", "client-id": "686f776479"}"#,
                "HA partner updated information on the lease of address: 192.0.2.202 to a \
                 device with hardware address: 1a:1b:1c:1d:1e:1f, client-id: 686f776479 (howdy)",
            ),
            (
                "lease4-update",
                r#"{"subnet-id": 44, "ip-address": "192.0.2.202", "hw-address": "1a:1b:1c:1d:1e:1f", "comment": "Fred's box"}"#,
                "Administrator updated information on the lease of address: 192.0.2.202 to a \
                 device with hardware address: 1a:1b:1c:1d:1e:1f, context: { \"comment\": \"Fred's box\" }",
            ),
            (
                "lease4-del",
                r#"{"subnet-id": 44, "identifier-type": "hw-address", "identifier": "1a:1b:1c:1d:1e:1f"}"#,
                "Administrator deleted a lease for a device identified by: hw-address of 1a:1b:1c:1d:1e:1f",
            ),
            (
                "lease4-del",
                r#"{"ip-address": "192.0.2.202"}"#,
                "Administrator deleted the lease for address: 192.0.2.202",
            ),
            (
                "lease6-add",
                r#"{"subnet-id": 66, "type": "IA_PD", "ip-address": "2001:db8:abcd::", "prefix-len": 48, "duid": "1a:1b:1c:1d:1e:1f:20:21:22:23:24", "iaid": 1234}"#,
                "Administrator added a lease of prefix: 2001:db8:abcd::/48 to a device with \
                 DUID: 1a:1b:1c:1d:1e:1f:20:21:22:23:24",
            ),
            (
                "lease6-add",
                r#"{"subnet-id": 66, "ip-address": "2001:db8::3", "duid": "1a:1b:1c:1d:1e:1f:20:21:22:23:24", "iaid": 1234, "hw-address": "1a:1b:1c:1d:1e:1f"}"#,
                "Administrator added a lease of address: 2001:db8::3 to a device with DUID: \
                 1a:1b:1c:1d:1e:1f:20:21:22:23:24, hardware address: 1a:1b:1c:1d:1e:1f",
            ),
        ];
        for (command, args, wanted) in cases {
            let args: Value = serde_json::from_str(args).unwrap();
            let (v6, entry) = command_entry(command, args.as_object().unwrap()).unwrap();
            assert_eq!(entry, wanted);
            assert_eq!(v6, command.starts_with("lease6"));
        }
        assert_eq!(command_entry("lease4-get", &Map::new()), None);
    }
}
