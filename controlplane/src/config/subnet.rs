//! Subnets, their address pools and prefix-delegation pools.

use std::net::IpAddr;

use xdhcp_dataplane::options::OptionSpaces;

use super::keys;
use super::net::{Prefix, Range};
use super::options::{self, OptionData};
use super::read::{Ctx, Map};
use super::reservations::{self, Reservation};
use super::scope::Scope;
use crate::diag;
use crate::json::{Pos, Value};

/// An address pool.
#[derive(Debug, Clone, PartialEq)]
pub struct Pool {
    /// Addresses handed out.
    pub range: Range,
    /// `pool-id`: pools sharing one are counted together in the
    /// statistics (`pool[ID]`); 0 when not given, as in Kea.
    pub id: u32,
    /// Pool-level options.
    pub option_data: Vec<OptionData>,
    /// Only clients of these classes may use the pool (none: all).
    pub client_class: Vec<String>,
    /// Classes evaluated for clients of this pool.
    pub require_client_classes: Vec<String>,
    /// Where the `pool` value is.
    pub pos: Pos,
    /// JSON path of the `pool` key.
    pub path: String,
}

/// A prefix-delegation pool: `prefix`/`prefix-len` carved into prefixes of
/// `delegated-len`, optionally excluding one sub-prefix (RFC 6603).
#[derive(Debug, Clone, PartialEq)]
pub struct PdPool {
    /// The pool's prefix.
    pub prefix: Prefix,
    /// `pool-id`, as for address pools (`pd-pool[ID]`).
    pub id: u32,
    /// Length of each delegated prefix.
    pub delegated_len: u8,
    /// `excluded-prefix` / `excluded-prefix-len`.
    pub excluded: Option<Prefix>,
    /// Pool-level options.
    pub option_data: Vec<OptionData>,
    /// Only clients of these classes may use the pool (none: all).
    pub client_class: Vec<String>,
    /// Classes evaluated for clients of this pool.
    pub require_client_classes: Vec<String>,
    /// Where the entry is.
    pub pos: Pos,
    /// JSON path of the entry.
    pub path: String,
}

/// A `subnet4` / `subnet6` entry.
#[derive(Debug, Clone, PartialEq)]
pub struct Subnet {
    /// Subnet id (given, or assigned as Kea does: one more than the highest).
    pub id: u32,
    /// Whether `id` was given in the configuration.
    pub id_given: bool,
    /// The subnet's prefix.
    pub prefix: Prefix,
    /// Parameters as the subnet itself sets them.
    pub own: Scope,
    /// Parameters after inheritance from shared network and global.
    pub effective: Scope,
    /// Address pools.
    pub pools: Vec<Pool>,
    /// Prefix-delegation pools (v6).
    pub pd_pools: Vec<PdPool>,
    /// Subnet reservations.
    pub reservations: Vec<Reservation>,
    /// Subnet-level options.
    pub option_data: Vec<OptionData>,
    /// Shared network the subnet belongs to.
    pub shared_network: Option<String>,
    /// Where the subnet entry starts.
    pub pos: Pos,
    /// JSON path of the subnet entry.
    pub path: String,
}

/// Read `relay`: `ip-address` (old) or `ip-addresses` (list).
pub fn read_relay(v: &Value, path: &str, ctx: &mut Ctx) -> Vec<IpAddr> {
    let v6 = ctx.v6();
    let Some(m) = ctx.map(v, path, "relay", keys::RELAY) else {
        return Vec::new();
    };
    if !m.has("ip-address") && !m.has("ip-addresses") {
        ctx.err(&v.pos, path, "relay needs ip-address or ip-addresses");
    }
    if m.has("ip-address") && m.has("ip-addresses") {
        ctx.err(
            &v.pos,
            path,
            "specify either ip-address or ip-addresses, not both",
        );
    }
    let mut texts = Vec::new();
    if let Some(t) = m.str_at(ctx, "ip-address") {
        texts.push((t.0, t.1.clone(), m.key_path("ip-address")));
    }
    if let Some(list) = m.list(ctx, "ip-addresses") {
        for (i, a) in list.iter().enumerate() {
            let p = diag::index(&m.key_path("ip-addresses"), i);
            match a.as_str() {
                Some(s) => texts.push((s.to_string(), a.pos.clone(), p)),
                None => ctx.err(&a.pos, &p, "expected a string"),
            }
        }
    }
    let mut out = Vec::new();
    for (t, pos, p) in texts {
        match t.parse::<IpAddr>() {
            Ok(a) if a.is_ipv6() == v6 => out.push(a),
            _ => ctx.err(&pos, &p, format!("'{t}' is not a valid relay address")),
        }
    }
    out
}

/// Read a `subnet4`/`subnet6` list; `parent` is the effective scope of the
/// enclosing level (for lifetime bound checks). Ids are assigned later,
/// across all shared networks.
pub fn read_list(
    v: &Value,
    path: &str,
    ctx: &mut Ctx,
    spaces: &OptionSpaces,
    network: Option<&str>,
    parent: &Scope,
) -> Vec<Subnet> {
    let Some(items) = ctx.list(v, path) else {
        return Vec::new();
    };
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        out.extend(read_one(
            item,
            diag::index(path, i),
            ctx,
            spaces,
            network,
            parent,
        ));
    }
    out
}

fn read_one(
    item: &Value,
    p: String,
    ctx: &mut Ctx,
    spaces: &OptionSpaces,
    network: Option<&str>,
    parent: &Scope,
) -> Option<Subnet> {
    let v6 = ctx.v6();
    let what = if v6 { "subnet6" } else { "subnet4" };
    let m = ctx.map(item, &p, what, &keys::subnet(v6))?;
    let own = Scope::read(&m, ctx, Some(parent));
    own.inherit(parent).check_percents(&own, &m, ctx);
    if m.has("interface") && m.has("interface-id") {
        ctx.err(
            &item.pos,
            &p,
            "interface (for locally reachable subnets) and interface-id (for subnets reachable \
             via relays) cannot be defined at the same time",
        );
    }
    // Kea reserves the largest 32-bit value.
    let id = m
        .int(ctx, "id", 0, i64::from(u32::MAX - 1))
        .map(|i| i as u32);
    let Some((text, pos)) = m.text_at(ctx, "subnet") else {
        if !m.has("subnet") {
            ctx.err(&item.pos, &p, "mandatory 'subnet' parameter is missing");
        }
        return None;
    };
    let prefix = match Prefix::parse(text) {
        Ok(px) if px.addr.is_ipv6() == v6 => px,
        Ok(_) => {
            ctx.err(
                pos,
                &m.key_path("subnet"),
                format!(
                    "'{text}' is not an {} prefix",
                    if v6 { "IPv6" } else { "IPv4" }
                ),
            );
            return None;
        }
        Err(e) => {
            ctx.err(pos, &m.key_path("subnet"), format!("invalid subnet: {e}"));
            return None;
        }
    };
    let mut s = Subnet {
        id: id.unwrap_or(0),
        id_given: id.is_some_and(|i| i != 0),
        prefix,
        effective: own.clone(),
        own,
        pools: Vec::new(),
        pd_pools: Vec::new(),
        reservations: Vec::new(),
        option_data: Vec::new(),
        shared_network: network.map(str::to_string),
        pos: item.pos.clone(),
        // Set last: `m` borrows the path until then.
        path: String::new(),
    };
    if let Some(v) = m.get("option-data") {
        s.option_data = options::read_data(v, &m.key_path("option-data"), ctx, spaces);
    }
    if let Some(list) = m.list(ctx, "pools") {
        for (i, pv) in list.iter().enumerate() {
            if let Some(pool) = read_pool(pv, &diag::index(&m.key_path("pools"), i), ctx, spaces) {
                s.pools.push(pool);
            }
        }
    }
    if let Some(list) = m.list(ctx, "pd-pools") {
        for (i, pv) in list.iter().enumerate() {
            let pp = diag::index(&m.key_path("pd-pools"), i);
            if let Some(pool) = read_pd_pool(pv, &pp, ctx, spaces) {
                s.pd_pools.push(pool);
            }
        }
    }
    if let Some(v) = m.get("reservations") {
        s.reservations = reservations::read_list(v, &m.key_path("reservations"), ctx, spaces);
    }
    s.path = p;
    check_subnet(&s, ctx);
    Some(s)
}

/// What address and prefix pools both have.
struct PoolParts {
    id: u32,
    option_data: Vec<OptionData>,
    client_class: Vec<String>,
    require_client_classes: Vec<String>,
}

fn common_pool_parts(m: &Map, ctx: &mut Ctx, spaces: &OptionSpaces) -> PoolParts {
    PoolParts {
        id: m.int(ctx, "pool-id", 0, u32::MAX.into()).unwrap_or(0) as u32,
        option_data: m
            .get("option-data")
            .map(|v| options::read_data(v, &m.key_path("option-data"), ctx, spaces))
            .unwrap_or_default(),
        client_class: super::scope::read_client_class(m, ctx).unwrap_or_default(),
        require_client_classes: super::scope::read_additional_classes(m, ctx).unwrap_or_default(),
    }
}

fn read_pool(v: &Value, p: &str, ctx: &mut Ctx, spaces: &OptionSpaces) -> Option<Pool> {
    let v6 = ctx.v6();
    let m = ctx.map(v, p, "pools", keys::POOL)?;
    let parts = common_pool_parts(&m, ctx, spaces);
    let Some((text, pos)) = m.str_at(ctx, "pool") else {
        if !m.has("pool") {
            ctx.err(&v.pos, p, "mandatory 'pool' parameter is missing");
        }
        return None;
    };
    match Range::parse(&text, v6) {
        Ok(range) => Some(Pool {
            range,
            id: parts.id,
            option_data: parts.option_data,
            client_class: parts.client_class,
            require_client_classes: parts.require_client_classes,
            pos: pos.clone(),
            path: m.key_path("pool"),
        }),
        Err(e) => {
            ctx.err(pos, &m.key_path("pool"), format!("invalid pool: {e}"));
            None
        }
    }
}

fn read_pd_pool(v: &Value, p: &str, ctx: &mut Ctx, spaces: &OptionSpaces) -> Option<PdPool> {
    let m = ctx.map(v, p, "pd-pools", keys::PD_POOL)?;
    let parts = common_pool_parts(&m, ctx, spaces);
    let prefix = m.str_at(ctx, "prefix");
    let prefix_len = m.int(ctx, "prefix-len", 0, 128);
    let delegated_len = m.int(ctx, "delegated-len", 0, 128);
    for key in ["prefix", "prefix-len", "delegated-len"] {
        if !m.has(key) {
            ctx.err(&v.pos, p, format!("mandatory '{key}' parameter is missing"));
        }
    }
    let (Some((ptext, ppos)), Some(plen), Some(dlen)) = (prefix, prefix_len, delegated_len) else {
        return None;
    };
    let prefix = match Prefix::parse(&format!("{ptext}/{plen}")) {
        Ok(px) if px.addr.is_ipv6() => px,
        _ => {
            ctx.err(
                ppos,
                &m.key_path("prefix"),
                format!("'{ptext}' is not an IPv6 prefix"),
            );
            return None;
        }
    };
    if dlen < plen {
        ctx.err(
            &m.get("delegated-len").expect("present").pos,
            &m.key_path("delegated-len"),
            format!(
                "delegated length ({dlen}) must not be shorter than the prefix length ({plen})"
            ),
        );
        return None;
    }
    let mut excluded = None;
    match (
        m.str_at(ctx, "excluded-prefix"),
        m.int(ctx, "excluded-prefix-len", 0, 128),
    ) {
        (Some((et, epos)), Some(elen)) => match Prefix::parse(&format!("{et}/{elen}")) {
            Ok(ex) if ex.addr.is_ipv6() => {
                // RFC 6603 as Kea applies it: the excluded prefix sits inside
                // the pool's first delegated prefix, and is longer than it.
                let first = Prefix {
                    addr: prefix.addr,
                    len: dlen as u8,
                };
                if elen <= dlen {
                    ctx.err(
                        epos,
                        &m.key_path("excluded-prefix-len"),
                        format!(
                            "length of the excluded prefix {ex} must be greater than the \
                             delegated length {dlen}"
                        ),
                    );
                } else if !first.contains(ex.addr) {
                    ctx.err(
                        epos,
                        &m.key_path("excluded-prefix"),
                        format!(
                            "excluded prefix {ex} must have the same common prefix part of {dlen} \
                             as the delegated prefix {}/{dlen}",
                            super::net::from_u128(first.first(), true)
                        ),
                    );
                } else {
                    excluded = Some(ex);
                }
            }
            _ => ctx.err(
                epos,
                &m.key_path("excluded-prefix"),
                format!("'{et}' is not an IPv6 prefix"),
            ),
        },
        (None, None) => {}
        (Some((_, pos)), None) => ctx.err(
            pos,
            &m.key_path("excluded-prefix"),
            "excluded-prefix-len is missing",
        ),
        (None, Some(_)) => ctx.err(
            &m.get("excluded-prefix-len").expect("present").pos,
            &m.key_path("excluded-prefix-len"),
            "excluded-prefix is missing",
        ),
    }
    Some(PdPool {
        prefix,
        id: parts.id,
        delegated_len: dlen as u8,
        excluded,
        option_data: parts.option_data,
        client_class: parts.client_class,
        require_client_classes: parts.require_client_classes,
        pos: v.pos.clone(),
        path: p.to_string(),
    })
}

/// Checks local to one subnet: pools inside and not overlapping, pd-pools
/// not overlapping, reservations inside the subnet and unique.
fn check_subnet(s: &Subnet, ctx: &mut Ctx) {
    for (i, pool) in s.pools.iter().enumerate() {
        if !s.prefix.contains(pool.range.first) || !s.prefix.contains(pool.range.last) {
            ctx.err(
                &pool.pos,
                &pool.path,
                format!("pool {} is outside subnet {}", pool.range, s.prefix),
            );
        } else if let Some(other) = s.pools[..i].iter().find(|o| o.range.overlaps(&pool.range)) {
            ctx.err(
                &pool.pos,
                &pool.path,
                format!("pool {} overlaps with pool {}", pool.range, other.range),
            );
        }
    }
    for (i, pd) in s.pd_pools.iter().enumerate() {
        // Kea also refuses a delegated range that overlaps an address pool.
        let range = Range {
            first: super::net::from_u128(pd.prefix.first(), true),
            last: super::net::from_u128(pd.prefix.last(), true),
        };
        if let Some(pool) = s.pools.iter().find(|p| p.range.overlaps(&range)) {
            ctx.err(
                &pd.pos,
                &pd.path,
                format!("pd-pool {} overlaps with pool {}", pd.prefix, pool.range),
            );
            continue;
        }
        if let Some(other) = s.pd_pools[..i]
            .iter()
            .find(|o| o.prefix.covers(&pd.prefix) || pd.prefix.covers(&o.prefix))
        {
            ctx.err(
                &pd.pos,
                &pd.path,
                format!(
                    "pd-pool {} overlaps with pd-pool {}",
                    pd.prefix, other.prefix
                ),
            );
        }
    }
    for r in &s.reservations {
        let addrs = r
            .ip_address
            .map(IpAddr::V4)
            .into_iter()
            .chain(r.ip_addresses.iter().copied());
        for a in addrs {
            if !s.prefix.contains(a) {
                ctx.err(
                    &r.pos,
                    &r.path,
                    format!(
                        "specified reservation '{a}' is not within the subnet '{}'",
                        s.prefix
                    ),
                );
            }
        }
    }
}
