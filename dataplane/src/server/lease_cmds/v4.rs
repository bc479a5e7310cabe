//! Kea's lease_cmds for DHCPv4, and `leases-reclaim`, acting on the lease
//! store the workers use; subnets are looked up in the running snapshot.

use std::net::{IpAddr, Ipv4Addr};

use crate::config::Config4;
use crate::journal::RecordKind;
use crate::lease::ident::{parse_hex, Hex};
use crate::lease::v4::{client_id_hash, hw_hash};
use crate::lease::{
    ClientId, Hostname, HwAddr, Lease4, LeaseState, LeaseStore, ReclaimConfig, StoreError,
};
use serde_json::{json, Map, Value};

use super::{
    finish, found, hex, lookup_key, now, required, shared, string, typed, with_context, Args,
    Listed,
};
use crate::server::answer::{answer, answer_with, result, unsupported};
use crate::server::family::Family;

impl Listed for Lease4 {
    const LABEL: &'static str = "IPv4";

    fn to_json(&self) -> Value {
        to_json(self)
    }

    fn of_ip(ip: IpAddr) -> Option<Ipv4Addr> {
        match ip {
            IpAddr::V4(a) => Some(a),
            IpAddr::V6(_) => None,
        }
    }
}

/// A lease as Kea's lease_cmds show it.
pub fn to_json(l: &Lease4) -> Value {
    let mut m = json!({
        "ip-address": l.addr.to_string(),
        "hw-address": Hex(l.hwaddr.as_bytes()).to_string(),
        "valid-lft": l.valid_lft,
        "cltt": l.cltt,
        "subnet-id": l.subnet_id,
        "fqdn-fwd": l.fqdn_fwd,
        "fqdn-rev": l.fqdn_rev,
        "hostname": String::from_utf8_lossy(l.hostname.as_bytes()),
        "state": l.state as u8,
    });
    if !l.client_id.is_empty() {
        m["client-id"] = Hex(l.client_id.as_bytes()).to_string().into();
    }
    with_context(m, l.user_context.as_deref())
}

/// Runs one `lease4-*` command, or `leases-reclaim`; `given` is `None`
/// when the request had no `arguments`.
pub fn run(v4: &Family<Config4, Lease4>, command: &str, given: Option<&Args>) -> Value {
    let (store, config) = (&*v4.leases, &*v4.config.load());
    let empty = Map::new();
    let args = given.unwrap_or(&empty);
    let ids: Vec<u32> = config.subnets.iter().map(|s| s.id).collect();
    if let Some(answer) = shared(store, command, given, &ids) {
        return answer;
    }
    let outcome = match command {
        "lease4-get" => get(store, args),
        "lease4-get-by-hw-address" => by_hw(store, given),
        "lease4-get-by-client-id" => by_client_id(store, given),
        "lease4-add" => add(store, config, args),
        "lease4-update" => given
            .ok_or_else(|| "no parameters specified for lease4-update command".into())
            .and_then(|args| update(store, config, args)),
        "lease4-del" => del(store, args),
        "leases-reclaim" => reclaim(store, args),
        c => Ok(unsupported(c)),
    };
    finish(outcome)
}

fn number(args: &Args, key: &str) -> Result<Option<u64>, String> {
    match args.get(key) {
        None => Ok(None),
        Some(v) => v
            .as_u64()
            .map(Some)
            .ok_or_else(|| format!("'{key}' is not a non-negative integer")),
    }
}

fn address(args: &Args) -> Result<Ipv4Addr, String> {
    let text = required(args, "ip-address")?;
    text.parse()
        .map_err(|_| format!("Failed to convert string to address '{text}': Invalid argument"))
}

fn get(store: &LeaseStore<Lease4>, args: &Args) -> Result<Value, String> {
    let lease = if args.contains_key("ip-address") {
        store.get(address(args)?)
    } else {
        let kind = required(args, "identifier-type")?;
        let id = hex(args, "identifier")?.ok_or("'identifier' parameter not specified")?;
        let subnet =
            number(args, "subnet-id")?.ok_or("'subnet-id' parameter not specified")? as u32;
        let mut hit = None;
        let mut keep = |l: &Lease4| {
            if l.subnet_id == subnet && hit.is_none() {
                hit = Some(l.clone());
            }
        };
        match kind {
            "hw-address" => {
                let hw = HwAddr::new(1, &id).ok_or("hardware address too long")?;
                store.each_by_hw(hw_hash(&hw), |l| if l.hwaddr == hw { keep(l) });
            }
            "client-id" => store.each_by_client(client_id_hash(&id), |l| {
                if l.client_id.as_bytes() == id.as_slice() {
                    keep(l)
                }
            }),
            other => return Err(format!("Incorrect identifier type: {other}, the only supported values are: address, hw-address, client-id")),
        }
        hit
    };
    Ok(match lease {
        Some(l) => answer_with(result::SUCCESS, "IPv4 lease found.", to_json(&l)),
        None => answer(result::EMPTY, "Lease not found."),
    })
}

fn by_hw(store: &LeaseStore<Lease4>, given: Option<&Args>) -> Result<Value, String> {
    let text = lookup_key(given, "hw-address")?;
    let id =
        parse_hex(text).ok_or_else(|| format!("'hw-address' value '{text}' is not hexadecimal"))?;
    let hw = HwAddr::new(1, &id).ok_or("hardware address too long")?;
    let mut out = Vec::new();
    store.each_by_hw(hw_hash(&hw), |l| {
        if l.hwaddr == hw {
            out.push(to_json(l));
        }
    });
    Ok(found::<Lease4>(out))
}

fn by_client_id(store: &LeaseStore<Lease4>, given: Option<&Args>) -> Result<Value, String> {
    let text = lookup_key(given, "client-id")?;
    let id =
        parse_hex(text).ok_or_else(|| format!("'client-id' value '{text}' is not hexadecimal"))?;
    let mut out = Vec::new();
    store.each_by_client(client_id_hash(&id), |l| {
        if l.client_id.as_bytes() == id.as_slice() {
            out.push(to_json(l));
        }
    });
    Ok(found::<Lease4>(out))
}

/// The subnet a lease given by `lease4-add` / `lease4-update` belongs
/// to: the one named by `subnet-id` (which must hold the address), or the
/// one holding the address. Returns its id and its default lifetime.
fn subnet_of(config: &Config4, addr: Ipv4Addr, given: u32) -> Result<(u32, u32), String> {
    let holds = |s: &&crate::config::Subnet4| {
        let mask = u32::MAX
            .checked_shl(32 - u32::from(s.prefix_len))
            .unwrap_or(0);
        u32::from(addr) & mask == u32::from(s.network) & mask
    };
    // Kea treats subnet-id 0 as not given.
    if given == 0 {
        let s = config.subnets.iter().find(holds).ok_or_else(|| {
            format!("subnet-id not specified and failed to find a subnet for address {addr}")
        })?;
        return Ok((s.id, s.valid.default));
    }
    let s = config
        .subnets
        .iter()
        .find(|s| s.id == given)
        .ok_or_else(|| {
            format!(
                "Invalid subnet-id: No IPv4 subnet with subnet-id={given} currently configured."
            )
        })?;
    if !holds(&s) {
        return Err(format!(
            "The address {addr} does not belong to subnet {}/{}, subnet-id={given}",
            s.network, s.prefix_len
        ));
    }
    Ok((s.id, s.valid.default))
}

/// A lease as `lease4-add` and `lease4-update` give it.
fn lease_from(config: &Config4, args: &Args) -> Result<Lease4, String> {
    let addr = address(args)?;
    let hw = hex(args, "hw-address")?.ok_or("'hw-address' parameter not specified")?;
    let given = number(args, "subnet-id")?.unwrap_or(0) as u32;
    let (subnet, default_valid) = subnet_of(config, addr, given)?;
    let valid = number(args, "valid-lft")?.map_or(default_valid, |v| v as u32);
    let now = now();
    let expire = number(args, "expire")?.unwrap_or(now + u64::from(valid));
    let mut l = Lease4::new(
        addr,
        expire.saturating_sub(u64::from(valid)) as u32,
        valid,
        subnet,
    );
    l.hwaddr = HwAddr::new(1, &hw).ok_or("hardware address too long")?;
    if let Some(cid) = hex(args, "client-id")? {
        l.client_id = ClientId::new(&cid);
    }
    if let Some(name) = string(args, "hostname")? {
        l.hostname = Hostname::new(name.to_ascii_lowercase().as_bytes());
    }
    l.fqdn_fwd = typed::flag(args, "fqdn-fwd")?;
    l.fqdn_rev = typed::flag(args, "fqdn-rev")?;
    l.state = LeaseState::from_u8(number(args, "state")?.unwrap_or(0) as u8);
    l.user_context = args.get("user-context").map(|c| c.to_string().into());
    Ok(l)
}

fn add(store: &LeaseStore<Lease4>, config: &Config4, args: &Args) -> Result<Value, String> {
    let l = lease_from(config, args)?;
    let (addr, subnet) = (l.addr, l.subnet_id);
    let now = now();
    match store.add(l, now) {
        Ok(_) => Ok(answer(
            result::SUCCESS,
            format!("Lease for address {addr}, subnet-id {subnet} added."),
        )),
        Err(StoreError::Exists) => Ok(answer(
            result::CONFLICT,
            format!("IPv4 lease already exists for {addr}."),
        )),
        Err(e) => Err(format!("{e:?}")),
    }
}

fn update(store: &LeaseStore<Lease4>, config: &Config4, args: &Args) -> Result<Value, String> {
    let force = typed::flag(args, "force-create")?;
    let l = lease_from(config, args)?;
    let addr = l.addr;
    if force {
        // Kea says whether the lease was there before.
        let existed = store.get(addr).is_some();
        store
            .upsert(l, RecordKind::AdminUpdate)
            .map_err(|e| format!("{e:?}"))?;
        let done = if existed { "updated" } else { "added" };
        return Ok(answer(result::SUCCESS, format!("IPv4 lease {done}.")));
    }
    match store.update(addr, RecordKind::AdminUpdate, |_| true, |old| *old = l) {
        Ok(_) => Ok(answer(result::SUCCESS, "IPv4 lease updated.")),
        Err(StoreError::NotFound) => Err(format!(
            "failed to update the lease with address {addr} either because the lease has been \
             deleted or it has changed in the database, in both cases a retry might succeed"
        )),
        Err(e) => Err(format!("{e:?}")),
    }
}

/// `leases-reclaim`: reclaims every expired lease now, removing them
/// when `remove` is true and leaving them in the expired-reclaimed state
/// otherwise.
fn reclaim(store: &LeaseStore<Lease4>, args: &Args) -> Result<Value, String> {
    let remove = match args.get("remove") {
        None => return Err("Missing mandatory 'remove' parameter.".into()),
        Some(Value::Bool(b)) => *b,
        Some(_) => return Err("'remove' parameter expected to be a boolean.".into()),
    };
    let cfg = ReclaimConfig {
        hold_reclaimed_time: if remove { 0 } else { u32::MAX },
        max_reclaim_leases: 0,
        max_reclaim_time_ms: 0,
        unwarned_reclaim_cycles: 0,
    };
    let now = now();
    store
        .reclaim_expired(now, &cfg)
        .map_err(|e| format!("reclaiming expired leases: {e}"))?;
    Ok(answer(
        result::SUCCESS,
        "Reclamation of expired leases is complete.",
    ))
}

fn del(store: &LeaseStore<Lease4>, args: &Args) -> Result<Value, String> {
    let addr = address(args)?;
    Ok(match store.delete(addr) {
        Ok(_) => answer(result::SUCCESS, "IPv4 lease deleted."),
        Err(StoreError::NotFound) => answer(result::EMPTY, "IPv4 lease not found."),
        Err(e) => answer(result::ERROR, format!("{e:?}")),
    })
}
