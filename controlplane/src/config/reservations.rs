//! Host reservations and the flags saying where the server looks for them.

use std::collections::HashMap;
use std::hash::Hash;
use std::net::{IpAddr, Ipv4Addr};
use std::sync::OnceLock;

use xdhcp_dataplane::options::OptionSpaces;

use super::keys;
use super::net::Prefix;
use super::options::{self, OptionData};
use super::read::{Ctx, Map};
use crate::diag;
use crate::json::{Pos, Value};

/// Where host reservations are looked up: `reservations-global`,
/// `reservations-in-subnet`, `reservations-out-of-pool`, or the older
/// `reservation-mode` they replace.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReservationFlags {
    /// Global reservations apply (default false).
    pub global: Option<bool>,
    /// Subnet reservations apply (default true).
    pub in_subnet: Option<bool>,
    /// Reserved addresses are all outside the pools (default false).
    pub out_of_pool: Option<bool>,
}

impl ReservationFlags {
    /// Read the flags of one scope. `reservation-mode` maps to the three
    /// booleans; mixing both styles is an error, as in Kea.
    pub fn read(m: &Map, ctx: &mut Ctx) -> ReservationFlags {
        let mut f = ReservationFlags {
            global: m.bool(ctx, "reservations-global"),
            in_subnet: m.bool(ctx, "reservations-in-subnet"),
            out_of_pool: m.bool(ctx, "reservations-out-of-pool"),
        };
        if let Some(mode) = m.choice(
            ctx,
            "reservation-mode",
            &["disabled", "out-of-pool", "global", "all"],
        ) {
            if f != ReservationFlags::default() {
                ctx.err(
                    &m.get("reservation-mode").expect("present").pos,
                    &m.key_path("reservation-mode"),
                    "invalid use of both 'reservation-mode' and one of 'reservations-global', \
                     'reservations-in-subnet' or 'reservations-out-of-pool' parameters",
                );
            }
            let (g, s, o) = match mode.as_str() {
                "disabled" => (false, false, false),
                "out-of-pool" => (false, true, true),
                "global" => (true, false, false),
                _ => (false, true, false),
            };
            f = ReservationFlags {
                global: Some(g),
                in_subnet: Some(s),
                out_of_pool: Some(o),
            };
        }
        f
    }

    /// Gaps filled from the enclosing scope.
    pub fn inherit(&self, p: &ReservationFlags) -> ReservationFlags {
        ReservationFlags {
            global: self.global.or(p.global),
            in_subnet: self.in_subnet.or(p.in_subnet),
            out_of_pool: self.out_of_pool.or(p.out_of_pool),
        }
    }
}

/// The kinds of client identifier a reservation can be keyed by.
pub const IDENTIFIER_TYPES: &[&str] = &["hw-address", "duid", "circuit-id", "client-id", "flex-id"];

/// One host reservation.
#[derive(Debug, Clone, PartialEq)]
pub struct Reservation {
    /// Identifier type (one of [`IDENTIFIER_TYPES`]).
    pub id_type: String,
    /// Identifier bytes.
    pub id: Vec<u8>,
    /// Reserved IPv4 address.
    pub ip_address: Option<Ipv4Addr>,
    /// Reserved IPv6 addresses.
    pub ip_addresses: Vec<IpAddr>,
    /// Reserved IPv6 prefixes.
    pub prefixes: Vec<Prefix>,
    /// Reserved host name.
    pub hostname: Option<String>,
    /// Classes the host is put in.
    pub client_classes: Vec<String>,
    /// Host-specific options.
    pub option_data: Vec<OptionData>,
    /// Host-specific siaddr (v4).
    pub next_server: Option<Ipv4Addr>,
    /// Host-specific sname (v4).
    pub server_hostname: Option<String>,
    /// Host-specific file (v4).
    pub boot_file_name: Option<String>,
    /// Where the reservation starts.
    pub pos: Pos,
    /// JSON path of the reservation.
    pub path: String,
}

/// Parse an identifier: hex bytes (with `:`, `-` or space separators, or
/// none) or a quoted literal `'text'` (not for hw-address and duid).
pub fn parse_identifier(kind: &str, text: &str) -> Result<Vec<u8>, String> {
    let t = text.trim();
    if t.len() >= 2 && t.starts_with('\'') && t.ends_with('\'') && kind != "hw-address" {
        let inner = &t[1..t.len() - 1];
        if inner.is_empty() {
            return Err(format!("empty {kind}"));
        }
        return Ok(inner.as_bytes().to_vec());
    }
    let t = t.strip_prefix("0x").unwrap_or(t).as_bytes();
    let separator = |b: &u8| matches!(b, b':' | b'-' | b' ');
    let separators = t.iter().filter(|b| separator(b)).count();
    // Sized once: identifiers are kept in the model, a million of them.
    let mut out = Vec::with_capacity(if separators > 0 {
        separators + 1
    } else {
        t.len().div_ceil(2)
    });
    let groups: &mut dyn Iterator<Item = &[u8]> = if separators > 0 {
        &mut t.split(separator)
    } else {
        &mut t.chunks(2)
    };
    for g in groups {
        out.push(hex_byte(g).ok_or_else(|| format!("invalid {kind} '{text}'"))?);
    }
    if out.is_empty() {
        return Err(format!("empty {kind}"));
    }
    Ok(out)
}

/// One or two hex digits, or one after a `+`: what `u8::from_str_radix(g,
/// 16)` takes from a group of at most two bytes.
fn hex_byte(g: &[u8]) -> Option<u8> {
    let hex = |d: u8| char::from(d).to_digit(16).map(|v| v as u8);
    match *g {
        [d] | [b'+', d] => hex(d),
        [high, low] => Some(hex(high)? << 4 | hex(low)?),
        _ => None,
    }
}

/// Read a `reservations` list.
pub fn read_list(v: &Value, path: &str, ctx: &mut Ctx, spaces: &OptionSpaces) -> Vec<Reservation> {
    let Some(items) = ctx.list(v, path) else {
        return Vec::new();
    };
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        out.extend(read_one(item, diag::index(path, i), ctx, spaces));
    }
    out
}

/// The keys a reservation may hold, built once per universe.
fn known_keys(v6: bool) -> &'static [&'static str] {
    static KEYS: [OnceLock<Vec<&str>>; 2] = [OnceLock::new(), OnceLock::new()];
    KEYS[usize::from(v6)].get_or_init(|| keys::reservation(v6))
}

fn read_one(item: &Value, p: String, ctx: &mut Ctx, spaces: &OptionSpaces) -> Option<Reservation> {
    let v6 = ctx.v6();
    let m = ctx.map(item, &p, "reservations", known_keys(v6))?;
    let mut present = IDENTIFIER_TYPES.iter().copied().filter(|k| m.has(k));
    let id_type = match (present.next(), present.next()) {
        (None, _) => {
            ctx.err(
                &item.pos,
                &p,
                "one of the supported identifiers must be specified for host reservation: \
                 hw-address, duid, circuit-id, client-id, flex-id",
            );
            return None;
        }
        (Some(one), None) => one,
        (Some(a), Some(b)) => {
            ctx.err(
                &m.get(b).expect("present").pos,
                &m.key_path(b),
                format!("the '{a}' and '{b}' are mutually exclusive"),
            );
            return None;
        }
    };
    let (text, pos) = m.text_at(ctx, id_type)?;
    let id = match parse_identifier(id_type, text) {
        Ok(id) => id,
        Err(e) => {
            ctx.err(pos, &m.key_path(id_type), e);
            return None;
        }
    };
    let mut r = Reservation {
        id_type: id_type.to_string(),
        id,
        ip_address: None,
        ip_addresses: Vec::new(),
        prefixes: Vec::new(),
        hostname: m.str(ctx, "hostname"),
        client_classes: m.strings(ctx, "client-classes").unwrap_or_default(),
        option_data: Vec::new(),
        next_server: None,
        server_hostname: m.str(ctx, "server-hostname"),
        boot_file_name: m.str(ctx, "boot-file-name"),
        pos: item.pos.clone(),
        // Set last: `m` borrows the path until then.
        path: String::new(),
    };
    for key in ["ip-address", "next-server"] {
        if let Some((t, pos)) = m.text_at(ctx, key) {
            match t.parse::<Ipv4Addr>() {
                Ok(a) if key == "ip-address" => r.ip_address = Some(a),
                Ok(a) => r.next_server = Some(a),
                Err(_) => ctx.err(
                    pos,
                    &m.key_path(key),
                    format!("'{t}' is not a valid IPv4 address"),
                ),
            }
        }
    }
    if let Some(list) = m.list(ctx, "ip-addresses") {
        for (i, a) in list.iter().enumerate() {
            match a.as_str().map(str::parse::<std::net::Ipv6Addr>) {
                Some(Ok(addr)) => r.ip_addresses.push(IpAddr::V6(addr)),
                _ => ctx.err(
                    &a.pos,
                    &diag::index(&m.key_path("ip-addresses"), i),
                    "expected an IPv6 address".to_string(),
                ),
            }
        }
    }
    if let Some(list) = m.list(ctx, "prefixes") {
        for (i, a) in list.iter().enumerate() {
            match a.as_str().map(Prefix::parse) {
                Some(Ok(px)) if px.addr.is_ipv6() => r.prefixes.push(px),
                Some(Err(e)) => ctx.err(&a.pos, &diag::index(&m.key_path("prefixes"), i), e),
                _ => ctx.err(
                    &a.pos,
                    &diag::index(&m.key_path("prefixes"), i),
                    "expected an IPv6 prefix".to_string(),
                ),
            }
        }
    }
    if let Some(v) = m.get("option-data") {
        r.option_data = options::read_data(v, &m.key_path("option-data"), ctx, spaces);
    }
    // A reservation with only an identifier is legal: it makes the host
    // KNOWN (004 §9.3.12), though Kea 2.2 still rejected it.
    r.path = p;
    Some(r)
}

/// Kea's checks within one set of reservations (one subnet, or the global
/// list): one reservation per identifier, and (with `ip-reservations-unique`,
/// the default) one host per address.
///
/// Each reservation is checked against the ones before it through maps
/// from identifier, address and prefix to their first holder, not pair by
/// pair: a subnet may hold thousands.
pub fn check_duplicates(list: &[Reservation], ctx: &mut Ctx, unique_ips: bool) {
    let mut ids = HashMap::with_capacity(list.len());
    let mut addrs = HashMap::with_capacity(if unique_ips { list.len() } else { 0 });
    let mut prefixes = HashMap::new();
    for (i, r) in list.iter().enumerate() {
        let taken_id = held_before(&mut ids, (r.id_type.as_str(), r.id.as_slice()), i);
        if taken_id {
            ctx.err(
                &r.pos,
                &r.path,
                format!(
                    "a reservation for this {} already exists in the same scope",
                    r.id_type
                ),
            );
        }
        if !unique_ips {
            continue;
        }
        // A reservation refused for its identifier still holds its
        // addresses against later ones, but is not reported for them.
        for a in addresses(r) {
            if held_before(&mut addrs, a, i) && !taken_id {
                ctx.err(
                    &r.pos,
                    &r.path,
                    format!("there's already a reservation for the address {a}"),
                );
            }
        }
        for px in &r.prefixes {
            if held_before(&mut prefixes, *px, i) && !taken_id {
                ctx.err(
                    &r.pos,
                    &r.path,
                    format!("there's already a reservation for the prefix {px}"),
                );
            }
        }
    }
}

/// Record that entry `i` holds `key`, answering whether an entry before it
/// already did (entries are recorded in order, so the first stays).
fn held_before<K: Hash + Eq>(first: &mut HashMap<K, usize>, key: K, i: usize) -> bool {
    *first.entry(key).or_insert(i) < i
}

/// The addresses a reservation holds, v4 and v6.
fn addresses(r: &Reservation) -> impl Iterator<Item = IpAddr> + '_ {
    r.ip_address
        .map(IpAddr::V4)
        .into_iter()
        .chain(r.ip_addresses.iter().copied())
}
