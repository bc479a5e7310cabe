//! Kea's lease_cmds for DHCPv6, acting on the lease store the workers
//! use, with Kea 2.2's arguments, texts and answers. Addresses (IA_NA,
//! IA_TA) and delegated prefixes (IA_PD) share the store, keyed by the
//! address or prefix; a lease is found by address only with its type.

use std::net::{IpAddr, Ipv6Addr};

use crate::config::{Config6, Subnet6};
use crate::journal::RecordKind;
use crate::lease::ident::{parse_hex, Hex};
use crate::lease::v6::client_hash;
use crate::lease::{
    ClientId, Hostname, HwAddr, Lease6, LeaseState, LeaseStore, LeaseType, StoreError,
};
use serde_json::{json, Value};

use super::{finish, found, lookup_key, now, shared, typed, with_context, Args, Listed};
use crate::server::answer::{answer, answer_with, result, unsupported};
use crate::server::family::Family;

/// Kea's name of a lease type.
fn type_name(t: LeaseType) -> &'static str {
    match t {
        LeaseType::Na => "IA_NA",
        LeaseType::Ta => "IA_TA",
        LeaseType::Pd => "IA_PD",
    }
}

impl Listed for Lease6 {
    const LABEL: &'static str = "IPv6";

    fn to_json(&self) -> Value {
        let mut m = json!({
            "ip-address": self.addr.to_string(),
            "duid": Hex(self.duid.as_bytes()).to_string(),
            "iaid": self.iaid,
            "type": type_name(self.lease_type),
            "preferred-lft": self.pref_lft,
            "valid-lft": self.valid_lft,
            "cltt": self.cltt,
            "subnet-id": self.subnet_id,
            "fqdn-fwd": self.fqdn_fwd,
            "fqdn-rev": self.fqdn_rev,
            "hostname": String::from_utf8_lossy(self.hostname.as_bytes()),
            "state": self.state as u8,
        });
        if self.lease_type == LeaseType::Pd {
            m["prefix-len"] = self.prefix_len.into();
        }
        if !self.hwaddr.is_empty() {
            m["hw-address"] = Hex(self.hwaddr.as_bytes()).to_string().into();
        }
        with_context(m, self.user_context.as_deref())
    }

    fn of_ip(ip: IpAddr) -> Option<Ipv6Addr> {
        match ip {
            IpAddr::V6(a) => Some(a),
            IpAddr::V4(_) => None,
        }
    }
}

/// Runs one `lease6-*` command; `given` is `None` when the request had no
/// `arguments`.
pub fn run(v6: &Family<Config6, Lease6>, command: &str, given: Option<&Args>) -> Value {
    let (store, config) = (&*v6.leases, &*v6.config.load());
    let ids: Vec<u32> = config.subnets.iter().map(|s| s.id).collect();
    if let Some(answer) = shared(store, command, given, &ids) {
        return answer;
    }
    let outcome = match command {
        "lease6-get" => get(store, given),
        "lease6-get-by-duid" => by_duid(store, given),
        "lease6-add" => given
            .ok_or_else(|| "no parameters specified for the command".into())
            .and_then(|args| add(store, config, args)),
        "lease6-update" => given
            .ok_or_else(|| "no parameters specified for lease6-update command".into())
            .and_then(|args| update(store, config, args)),
        "lease6-del" => del(store, given),
        "lease6-bulk-apply" => bulk_apply(store, config, given),
        c => Ok(unsupported(c)),
    };
    finish(outcome)
}

/// A DUID in Kea's text form.
fn duid(text: &str) -> Result<Vec<u8>, String> {
    let bytes = parse_hex(text)
        .ok_or_else(|| format!("'{text}' is not a valid string of hexadecimal digits"))?;
    match bytes.len() {
        0 => Err("Empty DUIDs are not allowed".into()),
        // DUID-type and at most 128 bytes of identifier (RFC 8415).
        n if n > 130 => Err(format!("DUID size is {n} bytes, exceeds maximum of 130")),
        _ => Ok(bytes),
    }
}

/// A hardware address in Kea's text form.
fn hw_address(text: &str) -> Result<HwAddr, String> {
    let bytes = parse_hex(text).ok_or_else(|| {
        match text.chars().find(|c| !c.is_ascii_hexdigit() && *c != ':') {
            Some(c) => format!("'{c}' is not a valid hexadecimal digit in decoded string '{text}'"),
            None => format!("'{text}' is not a valid string of hexadecimal digits"),
        }
    })?;
    HwAddr::new(1, &bytes).ok_or_else(|| "hardware address too long".into())
}

/// How `lease6-get`, `lease6-del` and the deletions of
/// `lease6-bulk-apply` name a lease (Kea's `getParameters`).
struct Selector {
    /// `None` for Kea's `V4` type, which no DHCPv6 lease has.
    lease_type: Option<LeaseType>,
    by: By,
}

enum By {
    Address(Ipv6Addr),
    Duid {
        duid: Vec<u8>,
        iaid: u32,
        subnet: u32,
    },
    HwAddress,
    ClientId,
}

fn selector(given: Option<&Args>) -> Result<Selector, String> {
    let args = given.ok_or("Parameters missing or are not a map.")?;
    if args.get("update-ddns").is_some_and(|v| !v.is_boolean()) {
        return Err("'update-ddns' is not a boolean".into());
    }
    let lease_type = match args.get("type") {
        None => Some(LeaseType::Na),
        Some(Value::String(t)) => match t.as_str() {
            "IA_NA" | "0" => Some(LeaseType::Na),
            "IA_TA" | "1" => Some(LeaseType::Ta),
            "IA_PD" | "2" => Some(LeaseType::Pd),
            "V4" | "3" => None,
            t => {
                return Err(format!(
                    "Invalid lease type specified: {t}, only supported values are: IA_NA, IA_TA, IA_PD and V4"
                ))
            }
        },
        Some(_) => return Err("'type' is not a string.".into()),
    };
    if let Some(v) = args.get("ip-address") {
        let text = v.as_str().ok_or("'ip-address' is not a string.")?;
        let ip: IpAddr = text.parse().map_err(|_| {
            format!("Failed to convert string to address '{text}': Invalid argument")
        })?;
        let addr =
            Lease6::of_ip(ip).ok_or_else(|| format!("Invalid IPv6 address specified: {text}"))?;
        return Ok(Selector {
            lease_type,
            by: By::Address(addr),
        });
    }
    let subnet = match args.get("subnet-id") {
        None => return Err("Mandatory 'subnet-id' parameter missing.".into()),
        Some(v) => v.as_u64().ok_or("'subnet-id' parameter is not integer.")? as u32,
    };
    let iaid = match args.get("iaid") {
        None => 0,
        Some(v) => v.as_u64().ok_or("'iaid' parameter is not integer.")? as u32,
    };
    let missing = |what: &str| {
        format!("No 'ip-address' provided and '{what}' is either missing or not a string.")
    };
    let kind = args
        .get("identifier-type")
        .and_then(Value::as_str)
        .ok_or_else(|| missing("identifier-type"))?;
    let ident = args
        .get("identifier")
        .and_then(Value::as_str)
        .ok_or_else(|| missing("identifier"))?;
    let by = match kind {
        // Kea takes "address" without an address as the address `::`.
        "address" => By::Address(Ipv6Addr::UNSPECIFIED),
        "duid" => By::Duid {
            duid: duid(ident)?,
            iaid,
            subnet,
        },
        "hw-address" => {
            hw_address(ident)?;
            By::HwAddress
        }
        "client-id" => {
            parse_hex(ident).ok_or_else(|| format!("'{ident}' is not a valid string of hexadecimal digits"))?;
            By::ClientId
        }
        other => {
            return Err(format!(
                "Incorrect identifier type: {other}, the only supported values are: address, hw-address, duid"
            ))
        }
    };
    Ok(Selector { lease_type, by })
}

/// The lease `s` names, if any. `verb` says what was asked, for Kea's
/// refusals of identifiers DHCPv6 leases do not have.
fn lookup(store: &LeaseStore<Lease6>, s: &Selector, verb: &str) -> Result<Option<Lease6>, String> {
    let Some(t) = s.lease_type else {
        return Ok(None);
    };
    Ok(match &s.by {
        By::Address(a) => store.get(*a).filter(|l| l.lease_type == t),
        By::Duid { duid, iaid, subnet } => {
            let mut hit = None;
            store.each_by_client(client_hash(duid, *iaid, t), |l| {
                let same = l.duid.as_bytes() == duid.as_slice()
                    && l.iaid == *iaid
                    && l.lease_type == t
                    && l.subnet_id == *subnet;
                if same && hit.is_none() {
                    hit = Some(l.clone());
                }
            });
            hit
        }
        By::HwAddress => return Err(format!("{verb} by hw-address is not allowed in v6.")),
        // Kea's lease6-del has no case for client-id.
        By::ClientId if verb == "Delete" => return Err("Unknown query type: 3".into()),
        By::ClientId => return Err(format!("{verb} by client-id is not allowed in v6.")),
    })
}

fn get(store: &LeaseStore<Lease6>, given: Option<&Args>) -> Result<Value, String> {
    Ok(match lookup(store, &selector(given)?, "Query")? {
        Some(l) => answer_with(result::SUCCESS, "IPv6 lease found.", l.to_json()),
        None => answer(result::EMPTY, "Lease not found."),
    })
}

fn by_duid(store: &LeaseStore<Lease6>, given: Option<&Args>) -> Result<Value, String> {
    let wanted = duid(lookup_key(given, "duid")?)?;
    // No index by DUID alone (the client index is DUID+IAID+type): an
    // administrative query may walk the table.
    let mut hits = Vec::new();
    store.for_each(|l| {
        if l.duid.as_bytes() == wanted.as_slice() {
            hits.push(l.clone());
        }
    });
    hits.sort_by_key(|l| l.addr);
    Ok(found::<Lease6>(hits.iter().map(Lease6::to_json).collect()))
}

fn del(store: &LeaseStore<Lease6>, given: Option<&Args>) -> Result<Value, String> {
    let s = selector(given)?;
    let Some(l) = lookup(store, &s, "Delete")? else {
        return Ok(answer(result::EMPTY, "IPv6 lease not found."));
    };
    Ok(match delete(store, &l) {
        Ok(()) => answer(result::SUCCESS, "IPv6 lease deleted."),
        Err(StoreError::NotFound | StoreError::Mismatch) => {
            answer(result::EMPTY, "IPv6 lease not found.")
        }
        Err(e) => answer(result::ERROR, e.to_string()),
    })
}

/// Deletes `l` if its address still holds a lease of its type.
fn delete(store: &LeaseStore<Lease6>, l: &Lease6) -> Result<(), StoreError> {
    store
        .delete_if(l.addr, |old| old.lease_type == l.lease_type)
        .map(drop)
}

/// The subnet Kea's `Lease6Parser` gives a lease: the one named by
/// `subnet-id` (which must hold an address lease's address), or, for
/// address leases only, the one holding the address.
fn subnet_of(
    config: &Config6,
    addr: Ipv6Addr,
    t: LeaseType,
    given: u32,
) -> Result<&Subnet6, String> {
    if given == 0 {
        if t != LeaseType::Na {
            return Err("Subnet-id is 0 or not specified. This is allowed for address leases only, not prefix leases.".into());
        }
        return config
            .subnets
            .iter()
            .find(|s| s.contains(addr))
            .ok_or_else(|| {
                format!("subnet-id not specified and failed to find a subnet for address {addr}")
            });
    }
    let s = config
        .subnets
        .iter()
        .find(|s| s.id == given)
        .ok_or_else(|| {
            format!(
                "Invalid subnet-id: No IPv6 subnet with subnet-id={given} currently configured."
            )
        })?;
    if t == LeaseType::Na && !s.contains(addr) {
        return Err(format!(
            "The address {addr} does not belong to subnet {}/{}, subnet-id={given}",
            s.prefix, s.prefix_len
        ));
    }
    Ok(s)
}

/// A lease as `lease6-add`, `lease6-update` and `lease6-bulk-apply` give
/// it, checked in Kea's order; and its `force-create`.
fn lease_from(config: &Config6, args: &Args) -> Result<(Lease6, bool), String> {
    let text = typed::string(args, "ip-address")?;
    let ip: IpAddr = text
        .parse()
        .map_err(|_| format!("invalid address ({text}) specified for parameter 'ip-address'"))?;
    let addr = Lease6::of_ip(ip).ok_or_else(|| format!("Non-IPv6 address specified: {ip}"))?;
    let client = duid(typed::string(args, "duid")?)?;
    let (lease_type, prefix_len) = match typed::opt_string(args, "type")? {
        None | Some("IA_NA") => (LeaseType::Na, 128),
        Some("IA_TA") => (LeaseType::Ta, 128),
        Some("IA_PD") => (LeaseType::Pd, typed::uint(args, "prefix-len", 255)? as u8),
        Some(other) => {
            return Err(format!(
                "Incorrect lease type: {other}, the only supported values are: na, ta and pd"
            ))
        }
    };
    let given = typed::opt_u32(args, "subnet-id")?.unwrap_or(0);
    let subnet = subnet_of(config, addr, lease_type, given)?;
    let iaid = typed::uint(args, "iaid", u32::MAX.into())? as u32;
    let hwaddr = typed::opt_string(args, "hw-address")?
        .map(hw_address)
        .transpose()?;
    let valid = typed::opt_u32(args, "valid-lft")?.unwrap_or(subnet.valid.default);
    // Kea 2.2 defaults the preferred lifetime to the subnet's valid one.
    let preferred = typed::opt_u32(args, "preferred-lft")?.unwrap_or(subnet.valid.default);
    let cltt = match args.get("expire") {
        None => now(),
        Some(v) => {
            let expire = v
                .as_i64()
                .ok_or("invalid type specified for parameter 'expire'")?;
            if expire <= 0 {
                return Err(format!(
                    "expiration time must be positive for address {addr}"
                ));
            }
            if expire < i64::from(valid) {
                return Err(format!(
                    "expiration time must be greater than valid lifetime for address {addr}"
                ));
            }
            (expire - i64::from(valid)) as u64
        }
    };
    let fqdn_fwd = typed::flag(args, "fqdn-fwd")?;
    let fqdn_rev = typed::flag(args, "fqdn-rev")?;
    let hostname = typed::opt_string(args, "hostname")?.unwrap_or_default();
    if hostname.is_empty() && (fqdn_fwd || fqdn_rev) {
        return Err(
            "No hostname specified and either forward or reverse fqdn was set to true.".into(),
        );
    }
    let state = match args.get("state") {
        None => 0,
        Some(_) => typed::uint(args, "state", 255)?,
    };
    if state > LeaseState::ExpiredReclaimed as u64 {
        return Err(format!(
            "Invalid state value: {state}, supported values are: 0 (default), 1 (declined) and 2 (expired-reclaimed)"
        ));
    }
    let context = user_context(args)?;
    let force = typed::flag(args, "force-create")?;
    let mut l = Lease6::new(addr, &client, iaid, cltt as u32, valid);
    l.lease_type = lease_type;
    l.prefix_len = prefix_len;
    l.pref_lft = preferred;
    l.subnet_id = subnet.id;
    l.fqdn_fwd = fqdn_fwd;
    l.fqdn_rev = fqdn_rev;
    l.hostname = Hostname::new(hostname.to_ascii_lowercase().as_bytes());
    l.state = LeaseState::from_u8(state as u8);
    l.duid = ClientId::new(&client);
    l.hwaddr = hwaddr.unwrap_or_default();
    l.user_context = context.map(|c| c.to_string().into());
    Ok((l, force))
}

/// `user-context`, with a `comment` folded in as Kea does.
fn user_context(args: &Args) -> Result<Option<Value>, String> {
    let mut context = match args.get("user-context") {
        None => None,
        Some(c @ Value::Object(_)) => Some(c.clone()),
        Some(c) => return Err(format!("Invalid user context '{c}' is not a JSON map.")),
    };
    if let Some(comment) = args.get("comment") {
        let map = context.get_or_insert_with(|| json!({}));
        if map.get("comment").is_some() {
            return Err(format!(
                "Duplicated comment entry '{comment}' in user context '{map}'"
            ));
        }
        map["comment"] = comment.clone();
    }
    Ok(context)
}

fn add(store: &LeaseStore<Lease6>, config: &Config6, args: &Args) -> Result<Value, String> {
    let (l, _) = lease_from(config, args)?;
    let what = match l.lease_type {
        LeaseType::Na => format!("address {}", l.addr),
        _ => format!("prefix {}/{}", l.addr, l.prefix_len),
    };
    let subnet = l.subnet_id;
    match store.add(l, now()) {
        Ok(_) => Ok(answer(
            result::SUCCESS,
            format!("Lease for {what}, subnet-id {subnet} added."),
        )),
        // Kea 2.2 reports this as an error, not a conflict.
        Err(StoreError::Exists) => Err("IPv6 lease already exists.".into()),
        Err(e) => Err(e.to_string()),
    }
}

/// Kea's `addOrUpdate6`: replaces the lease of the same type at the same
/// address, or, with `force`, adds it when there is none. Says whether it
/// added.
fn add_or_update(store: &LeaseStore<Lease6>, l: Lease6, force: bool) -> Result<bool, String> {
    let (addr, t) = (l.addr, l.lease_type);
    let exists = store.get(addr).is_some_and(|old| old.lease_type == t);
    if force && !exists {
        store
            .upsert(l, RecordKind::AdminAdd)
            .map_err(|e| e.to_string())?;
        return Ok(true);
    }
    match store.update(
        addr,
        RecordKind::AdminUpdate,
        |old| old.lease_type == t,
        |old| *old = l,
    ) {
        Ok(_) => Ok(false),
        Err(StoreError::NotFound | StoreError::Mismatch) => Err(format!(
            "failed to update the lease with address {addr} either because the lease has been \
             deleted or it has changed in the database, in both cases a retry might succeed"
        )),
        Err(e) => Err(e.to_string()),
    }
}

fn update(store: &LeaseStore<Lease6>, config: &Config6, args: &Args) -> Result<Value, String> {
    let (l, force) = lease_from(config, args)?;
    let done = if add_or_update(store, l, force)? {
        "added"
    } else {
        "updated"
    };
    Ok(answer(result::SUCCESS, format!("IPv6 lease {done}.")))
}

/// One lease `lease6-bulk-apply` could not delete, add or update, as
/// Kea lists it.
fn failed(
    t: Option<LeaseType>,
    addr: Ipv6Addr,
    duid: Option<&[u8]>,
    code: i64,
    why: &str,
) -> Value {
    let mut m = json!({
        "type": t.map_or("V4", type_name),
        "result": code,
        "error-message": why,
    });
    if !addr.is_unspecified() {
        m["ip-address"] = addr.to_string().into();
    } else if let Some(d) = duid {
        m["duid"] = Hex(d).to_string().into();
    }
    m
}

/// A list argument of `lease6-bulk-apply`, empty when absent.
fn list<'a>(v: Option<&'a Value>, key: &str) -> Result<&'a [Value], String> {
    match v {
        None => Ok(&[]),
        Some(Value::Array(a)) => Ok(a),
        Some(_) => Err(format!("the '{key}' parameter must be a list")),
    }
}

/// `lease6-bulk-apply`: everything is parsed first, so a malformed lease
/// fails the whole command and changes nothing; then each deletion and
/// each addition or update is applied, and the ones that fail are
/// listed in the answer.
fn bulk_apply(
    store: &LeaseStore<Lease6>,
    config: &Config6,
    given: Option<&Args>,
) -> Result<Value, String> {
    let args = given.ok_or("Command arguments missing or a not a map.")?;
    let (deleted, leases) = (args.get("deleted-leases"), args.get("leases"));
    if deleted.is_none() && leases.is_none() {
        return Err("neither 'deleted-leases' nor 'leases' parameter specified".into());
    }
    let (deleted, leases) = (list(deleted, "deleted-leases")?, list(leases, "leases")?);
    let not_map = "lease information is not a map";
    let mut doomed = Vec::new();
    for item in deleted {
        let s = selector(Some(item.as_object().ok_or(not_map)?))?;
        // `Some(None)`: an address with no lease, listed as failed;
        // `None`: an unknown DUID, skipped, as Kea does.
        let target = match (&s.by, lookup(store, &s, "Delete")?) {
            (_, Some(l)) => Some(Some(l)),
            (By::Address(_), None) => Some(None),
            _ => None,
        };
        doomed.push((s, target));
    }
    let parsed = leases
        .iter()
        .map(|item| lease_from(config, item.as_object().ok_or(not_map)?))
        .collect::<Result<Vec<_>, String>>()?;

    let mut done = 0;
    let mut failed_deleted = Vec::new();
    for (s, target) in doomed {
        let Some(target) = target else { continue };
        let (addr, duid) = match &s.by {
            By::Address(a) => (*a, None),
            By::Duid { duid, .. } => (Ipv6Addr::UNSPECIFIED, Some(duid.as_slice())),
            _ => (Ipv6Addr::UNSPECIFIED, None),
        };
        match target.map_or(Err(StoreError::NotFound), |l| delete(store, &l)) {
            Ok(()) => done += 1,
            Err(StoreError::NotFound | StoreError::Mismatch) => failed_deleted.push(failed(
                s.lease_type,
                addr,
                duid,
                result::EMPTY,
                "lease not found",
            )),
            Err(e) => failed_deleted.push(failed(
                s.lease_type,
                addr,
                duid,
                result::ERROR,
                &e.to_string(),
            )),
        }
    }
    let mut failed_leases = Vec::new();
    for (l, _) in parsed {
        let (t, addr, duid) = (l.lease_type, l.addr, l.duid.as_bytes().to_vec());
        match add_or_update(store, l, true) {
            Ok(_) => done += 1,
            Err(why) => failed_leases.push(failed(Some(t), addr, Some(&duid), result::ERROR, &why)),
        }
    }
    let code = if done > 0 {
        result::SUCCESS
    } else {
        result::EMPTY
    };
    let text = format!("Bulk apply of {done} IPv6 leases completed.");
    if failed_deleted.is_empty() && failed_leases.is_empty() {
        return Ok(answer(code, text));
    }
    let mut arguments = json!({});
    if !failed_deleted.is_empty() {
        arguments["failed-deleted-leases"] = failed_deleted.into();
    }
    if !failed_leases.is_empty() {
        arguments["failed-leases"] = failed_leases.into();
    }
    Ok(answer_with(code, text, arguments))
}
