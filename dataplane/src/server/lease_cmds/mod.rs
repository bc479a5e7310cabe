//! Kea's lease_cmds, for both DHCP versions: [`v4`] and [`v6`] parse
//! their leases; the argument readers, listings, paging, wiping and
//! `leaseN-resend-ddns` they share live here, so the two families give
//! the same texts for the same mistakes, as Kea's one hook library does.

pub mod v4;
pub mod v6;

use std::collections::BinaryHeap;
use std::net::IpAddr;
use std::time::{SystemTime, UNIX_EPOCH};

use crate::lease::ident::parse_hex;
use crate::lease::{Lease, Lease4, Lease6, LeaseStore};
use serde_json::{json, Map, Value};

use super::answer::{answer, answer_with, listing_code, result, unsupported};
use super::family::Family;
use crate::config::{Config4, Config6};

/// A command's `arguments` map.
pub type Args = Map<String, Value>;

/// What the shared commands need to know of a lease family.
pub trait Listed: Lease {
    /// `IPv4` or `IPv6`, as Kea's texts name the family.
    const LABEL: &'static str;
    /// The lease as lease_cmds show it.
    fn to_json(&self) -> Value;
    /// `ip` as this family's address, if it is one.
    fn of_ip(ip: IpAddr) -> Option<Self::Addr>;
}

/// `lease` (a lease's JSON) with its `user-context`, kept as JSON text,
/// if it has one.
pub fn with_context(mut lease: Value, context: Option<&str>) -> Value {
    if let Some(ctx) = context.and_then(|c| serde_json::from_str::<Value>(c).ok()) {
        lease["user-context"] = ctx;
    }
    lease
}

/// Seconds since the epoch.
pub fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// An optional string argument.
pub fn string<'a>(args: &'a Args, key: &str) -> Result<Option<&'a str>, String> {
    match args.get(key) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(format!("'{key}' is not a string")),
    }
}

/// A mandatory string argument.
pub fn required<'a>(args: &'a Args, key: &str) -> Result<&'a str, String> {
    string(args, key)?.ok_or_else(|| format!("'{key}' parameter not specified"))
}

/// An optional hexadecimal argument (`01:02:03` or `010203`).
pub fn hex(args: &Args, key: &str) -> Result<Option<Vec<u8>>, String> {
    string(args, key)?
        .map(|t| parse_hex(t).ok_or_else(|| format!("'{key}' value '{t}' is not hexadecimal")))
        .transpose()
}

/// The typed getters of Kea's `SimpleParser`, with its texts (less the
/// position in the request, which Kea appends in parentheses).
pub mod typed {
    use super::Args;
    use serde_json::Value;

    fn invalid(key: &str) -> String {
        format!("invalid type specified for parameter '{key}'")
    }

    /// A mandatory string.
    pub fn string<'a>(args: &'a Args, key: &str) -> Result<&'a str, String> {
        match args.get(key) {
            None => Err(format!("missing parameter '{key}'")),
            Some(Value::String(s)) => Ok(s),
            Some(_) => Err(invalid(key)),
        }
    }

    /// An optional string.
    pub fn opt_string<'a>(args: &'a Args, key: &str) -> Result<Option<&'a str>, String> {
        args.get(key).map(|_| string(args, key)).transpose()
    }

    /// A mandatory integer no larger than `max`.
    pub fn uint(args: &Args, key: &str, max: u64) -> Result<u64, String> {
        let v = args
            .get(key)
            .ok_or_else(|| format!("missing parameter '{key}'"))?;
        let n = v.as_i64().ok_or_else(|| invalid(key))?;
        u64::try_from(n)
            .ok()
            .filter(|n| *n <= max)
            .ok_or_else(|| format!("out of range value ({n}) specified for parameter '{key}'"))
    }

    /// An optional 32-bit unsigned integer.
    pub fn opt_u32(args: &Args, key: &str) -> Result<Option<u32>, String> {
        let n = args.get(key).map(|_| uint(args, key, u32::MAX.into()));
        Ok(n.transpose()?.map(|n| n as u32))
    }

    /// An optional boolean, false when absent.
    pub fn flag(args: &Args, key: &str) -> Result<bool, String> {
        match args.get(key) {
            None => Ok(false),
            Some(Value::Bool(b)) => Ok(*b),
            Some(_) => Err(invalid(key)),
        }
    }
}

/// The string argument `key` of the `leaseN-get-by-*` commands, with
/// their texts.
pub fn lookup_key<'a>(given: Option<&'a Args>, key: &str) -> Result<&'a str, String> {
    let args = given.ok_or("Command arguments missing or a not a map.")?;
    match args.get(key) {
        None => Err(format!("'{key}' parameter not specified")),
        Some(Value::String(s)) => Ok(s),
        Some(_) => Err(format!("'{key}' parameter must be a string")),
    }
}

/// Runs the commands both families answer alike, named by `verb` (the
/// command without its `leaseN-` prefix); `None` for the others.
/// `subnets` are the configured subnet ids, in configuration order.
pub fn shared<L: Listed>(
    store: &LeaseStore<L>,
    command: &str,
    given: Option<&Args>,
    subnets: &[u32],
) -> Option<Value> {
    let verb = command.split_once('-').map_or(command, |(_, verb)| verb);
    let outcome = match verb {
        "get-all" => get_all(store, given),
        "get-page" => page(store, given, command),
        "get-by-hostname" => by_hostname(store, given),
        "wipe" => wipe(store, given, subnets),
        "resend-ddns" => Ok(resend_ddns::<L>(given)),
        _ => return None,
    };
    Some(finish(outcome))
}

/// A command's answer, or Kea's error answer with the text of why not.
pub fn finish(outcome: Result<Value, String>) -> Value {
    outcome.unwrap_or_else(|text| answer(result::ERROR, text))
}

/// Kea's answer for a list of leases.
pub fn found<L: Listed>(leases: Vec<Value>) -> Value {
    let n = leases.len();
    answer_with(
        listing_code(n),
        format!("{n} {} lease(s) found.", L::LABEL),
        json!({ "leases": leases }),
    )
}

/// `leaseN-get-all`: every lease in address order, or, given `subnets`,
/// each listed subnet's leases in turn.
fn get_all<L: Listed>(store: &LeaseStore<L>, given: Option<&Args>) -> Result<Value, String> {
    let all = store.snapshot_sorted();
    let Some(args) = given else {
        return Ok(found::<L>(all.iter().map(L::to_json).collect()));
    };
    let subnets = match args.get("subnets") {
        None => return Err("'subnets' parameter not specified".into()),
        Some(Value::Array(list)) => list,
        Some(_) => return Err("'subnets' parameter must be a list".into()),
    };
    let mut out = Vec::new();
    for id in subnets {
        let id = id
            .as_u64()
            .ok_or("listed subnet identifiers must be numbers")?;
        let of_subnet = all.iter().filter(|l| u64::from(l.subnet_id()) == id);
        out.extend(of_subnet.map(L::to_json));
    }
    Ok(found::<L>(out))
}

/// `leaseN-get-by-hostname`: leases with that hostname, any case.
fn by_hostname<L: Listed>(store: &LeaseStore<L>, given: Option<&Args>) -> Result<Value, String> {
    let name = lookup_key(given, "hostname")?;
    if name.is_empty() {
        return Err("'hostname' parameter is empty".into());
    }
    let mut out = Vec::new();
    store.each_by_hostname(&name.to_ascii_lowercase(), |l| out.push(l.to_json()));
    Ok(found::<L>(out))
}

/// `leaseN-get-page`: up to `limit` leases with addresses above `from`,
/// in address order.
fn page<L: Listed>(
    store: &LeaseStore<L>,
    given: Option<&Args>,
    command: &str,
) -> Result<Value, String> {
    let args = given.ok_or_else(|| format!("no parameters specified for the {command} command"))?;
    let label = L::LABEL;
    let after = match args.get("from") {
        None => return Err("'from' parameter not specified".into()),
        Some(Value::String(s)) if s == "start" => None,
        Some(Value::String(s)) => {
            let ip: IpAddr = s.parse().map_err(|_| {
                format!(
                    "'from' parameter value is neither 'start' keyword nor a valid {label} address"
                )
            })?;
            let a = L::of_ip(ip)
                .ok_or_else(|| format!("'from' parameter value {ip} is not an {label} address"))?;
            Some(L::addr_to_u128(a))
        }
        Some(_) => return Err("'from' parameter must be a string".into()),
    };
    let limit = match args.get("limit") {
        None => return Err("'limit' parameter not specified".into()),
        Some(v) => v.as_i64().ok_or("'limit' parameter must be a number")?,
    };
    let limit = match usize::try_from(limit) {
        Ok(0) => return Err("page size of retrieved leases must not be 0".into()),
        Ok(n) if n <= u32::MAX as usize => n,
        _ => {
            let max = u32::MAX;
            return Err(format!(
                "page size of retrieved leases must not be greater than {max}"
            ));
        }
    };
    // The `limit` lowest addresses past `from`, without sorting the table.
    let mut lowest = BinaryHeap::new();
    store.for_each(|l| {
        let a = L::addr_to_u128(l.addr());
        if after.is_none_or(|f| a > f) {
            lowest.push(a);
            if lowest.len() > limit {
                lowest.pop();
            }
        }
    });
    let leases: Vec<Value> = lowest
        .into_sorted_vec()
        .into_iter()
        .filter_map(|a| store.get(L::addr_from_u128(a)))
        .map(|l| l.to_json())
        .collect();
    let n = leases.len();
    Ok(answer_with(
        listing_code(n),
        format!("{n} {label} lease(s) found."),
        json!({ "count": n, "leases": leases }),
    ))
}

/// `leaseN-wipe`: deletes the leases of `subnet-id`, or of every
/// configured subnet (`configured`, in configuration order) without it.
fn wipe<L: Listed>(
    store: &LeaseStore<L>,
    given: Option<&Args>,
    configured: &[u32],
) -> Result<Value, String> {
    let empty = Args::new();
    let id = typed::opt_u32(given.unwrap_or(&empty), "subnet-id")?.unwrap_or(0);
    // Kea takes subnet-id 0 as "all subnets".
    let wiped = if id == 0 { configured } else { &[id][..] };
    let mut doomed = Vec::new();
    store.for_each(|l| {
        if wiped.contains(&l.subnet_id()) {
            doomed.push(l.addr());
        }
    });
    let n = doomed.iter().filter(|a| store.delete(**a).is_ok()).count();
    let ids: String = wiped.iter().map(|id| format!(" {id}")).collect();
    let label = L::LABEL;
    Ok(answer(
        listing_code(n),
        format!("Deleted {n} {label} lease(s) from subnet(s){ids}"),
    ))
}

/// `leaseN-resend-ddns`. xdhcp sends no DNS updates yet, so it answers
/// as Kea does when DDNS updating is disabled, once the address checks
/// out. (Kea 2.2 crashes on the command without arguments; xdhcp says
/// the address is missing.)
fn resend_ddns<L: Listed>(given: Option<&Args>) -> Value {
    let checked = given
        .and_then(|args| args.get("ip-address"))
        .ok_or_else(|| "'ip-address' parameter is missing.".to_string())
        .and_then(|v| v.as_str().ok_or("'ip-address' is not a string.".into()))
        .and_then(|text| {
            let ip: IpAddr = text
                .parse()
                .map_err(|_| format!("'{text}' is not a valid IP address."))?;
            L::of_ip(ip)
                .map(|_| ())
                .ok_or_else(|| format!("Invalid {} address specified: {text}", L::LABEL))
        });
    let text = match checked {
        Ok(()) => "DDNS updating is not enabled".to_string(),
        Err(why) => why,
    };
    answer(result::ERROR, text)
}

/// Runs lease command `command` with `args` on the families served:
/// lease4 commands and `leases-reclaim` for DHCPv4, lease6 commands for
/// DHCPv6; for a family not served the command is unsupported, as in a
/// Kea server of the other version.
pub fn run(
    v4: Option<&Family<Config4, Lease4>>,
    v6: Option<&Family<Config6, Lease6>>,
    command: &str,
    args: Option<&Args>,
) -> Value {
    match (v4, v6) {
        (Some(v4), _) if command.starts_with("lease4-") || command == "leases-reclaim" => {
            v4::run(v4, command, args)
        }
        (_, Some(v6)) if command.starts_with("lease6-") => v6::run(v6, command, args),
        _ => unsupported(command),
    }
}

/// Answers `request`, a control API request as JSON text: how a dataplane
/// process answers the lease commands the control plane passes on.
pub fn answer_request(
    v4: Option<&Family<Config4, Lease4>>,
    v6: Option<&Family<Config6, Lease6>>,
    request: &str,
) -> Value {
    let parsed: Value = match serde_json::from_str(request) {
        Ok(v) => v,
        Err(e) => return answer(result::ERROR, format!("invalid JSON request: {e}")),
    };
    let Some(command) = parsed.get("command").and_then(Value::as_str) else {
        return answer(result::ERROR, "the request names no command");
    };
    run(
        v4,
        v6,
        command,
        parsed.get("arguments").and_then(Value::as_object),
    )
}
