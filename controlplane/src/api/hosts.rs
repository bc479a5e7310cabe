//! Kea's host_cmds over the reservations xdhcp holds itself: the
//! configuration's global (subnet ID 0) and per-subnet reservations.
//! There is no hosts database: `reservation-add` and `reservation-del`
//! change the running configuration through [`Running::edit`], so
//! `config-get` and `config-write` show the change and the engine serves
//! it from its next batch.

use std::net::IpAddr;

use serde_json::{json, Map, Value};
use xdhcp_dataplane::lease::ident::Hex;

use super::section::{
    integer, list_at, locate, refuse, remove_at, subnet_id, text, Args, Refusal, Section,
};
use super::{answer, answer_with, listing_code, result};
use crate::config::reservations::{parse_identifier, Reservation, IDENTIFIER_TYPES};
use crate::config::Server;
use crate::reload::Running;

/// Runs one `reservation-*` command for `section`.
pub fn run(running: &Running, section: Section, command: &str, given: Option<&Args>) -> Value {
    let outcome = match command {
        "reservation-add" => add(running, section, command, given),
        "reservation-del" => del(running, section, command, given),
        _ => read(running, section, command, given),
    };
    outcome.unwrap_or_else(|r| r.0)
}

/// The read-only commands.
fn read(
    running: &Running,
    section: Section,
    command: &str,
    given: Option<&Args>,
) -> Result<Value, Refusal> {
    let (mut json, model) = running.snapshot();
    let server = section.served(&model, command)?;
    let args = parameters(given)?;
    let hosts = hosts(server);
    let show = |json: &mut Value, hosts: &[&Host]| -> Vec<Value> {
        hosts.iter().map(|h| h.to_json(json, section)).collect()
    };
    match command {
        "reservation-get" => {
            let query = Query::read(args)?;
            match hosts.iter().find(|h| query.matches(h)) {
                Some(h) => Ok(answer_with(
                    result::SUCCESS,
                    "Host found.",
                    h.to_json(&mut json, section),
                )),
                None => Err(refuse(result::EMPTY, "Host not found.")),
            }
        }
        "reservation-get-all" => {
            let id = subnet_id(args)?;
            configured(server, section, id)?;
            let found: Vec<&Host> = hosts.iter().filter(|h| h.subnet_id == id).collect();
            Ok(found_hosts(section, show(&mut json, &found), Map::new()))
        }
        "reservation-get-by-hostname" => {
            let name = match args.get("hostname") {
                Some(Value::String(n)) => n.to_lowercase(),
                Some(_) => return Err("invalid type specified for parameter 'hostname'".into()),
                None => return Err("missing parameter 'hostname'".into()),
            };
            if name.is_empty() {
                return Err("Empty hostname".into());
            }
            let within = optional_subnet(args, server, section)?;
            let found: Vec<&Host> = hosts
                .iter()
                .filter(|h| within.is_none_or(|id| h.subnet_id == id))
                .filter(|h| h.r.hostname.as_deref().map(str::to_lowercase) == Some(name.clone()))
                .collect();
            Ok(found_hosts(section, show(&mut json, &found), Map::new()))
        }
        "reservation-get-by-id" => {
            let id_type = string_or(
                args,
                "identifier-type",
                "'identifier-type' is either missing or not a string.",
            )?;
            let id = string_or(
                args,
                "identifier",
                "'identifier' is either missing or not a string.",
            )?;
            if args.contains_key("subnet-id") {
                return Err("'subnet-id' is forbidden in reservation-get-by-id".into());
            }
            let (id_type, id) = identifier(id_type, id)?;
            let found: Vec<&Host> = hosts
                .iter()
                .filter(|h| h.r.id_type == id_type && h.r.id == id)
                .collect();
            Ok(found_hosts(section, show(&mut json, &found), Map::new()))
        }
        "reservation-get-page" => {
            let limit = integer(args, "limit", 0, i64::from(u32::MAX))?
                .ok_or("missing parameter 'limit'")? as usize;
            let within = optional_subnet(args, server, section)?;
            let source = integer(args, "source-index", 0, 10)?.unwrap_or(0);
            let from = integer(args, "from", 0, i64::MAX)?.unwrap_or(0) as usize;
            // Host IDs number the reservations from 1 in configuration
            // order; the configuration is the only source (index 0).
            let page: Vec<(usize, &Host)> = hosts
                .iter()
                .enumerate()
                .map(|(i, h)| (i + 1, h))
                .filter(|(i, h)| {
                    source == 0 && *i > from && within.is_none_or(|id| h.subnet_id == id)
                })
                .take(limit)
                .collect();
            let listed: Vec<&Host> = page.iter().map(|(_, h)| *h).collect();
            let mut extra = Map::new();
            extra.insert("count".into(), page.len().into());
            if let Some((last, _)) = page.last() {
                extra.insert("next".into(), json!({ "from": last, "source-index": 0 }));
            }
            Ok(found_hosts(section, show(&mut json, &listed), extra))
        }
        c => Err(refuse(
            result::UNSUPPORTED,
            format!("'{c}' command not supported."),
        )),
    }
}

/// One reservation and the subnet it belongs to (0: global).
struct Host<'a> {
    subnet_id: u32,
    r: &'a Reservation,
}

impl Host<'_> {
    /// The reservation as Kea's host commands show it: as configured,
    /// with Kea's defaults, its identifier in hex and its `subnet-id`.
    fn to_json(&self, json: &mut Value, section: Section) -> Value {
        let configured = locate(json, &self.r.path).cloned().unwrap_or(Value::Null);
        let mut m = configured.as_object().cloned().unwrap_or_default();
        m.insert(self.r.id_type.clone(), Hex(&self.r.id).to_string().into());
        let defaults: &[(&str, Value)] = if section.v6 {
            &[
                ("hostname", json!("")),
                ("ip-addresses", json!([])),
                ("prefixes", json!([])),
                ("client-classes", json!([])),
                ("option-data", json!([])),
            ]
        } else {
            &[
                ("hostname", json!("")),
                ("next-server", json!("0.0.0.0")),
                ("server-hostname", json!("")),
                ("boot-file-name", json!("")),
                ("client-classes", json!([])),
                ("option-data", json!([])),
            ]
        };
        for (k, v) in defaults {
            m.entry(*k).or_insert_with(|| v.clone());
        }
        m.insert("subnet-id".into(), self.subnet_id.into());
        Value::Object(m)
    }

    /// The addresses it reserves.
    fn addresses(&self) -> impl Iterator<Item = IpAddr> + '_ {
        let v4 = self.r.ip_address.map(IpAddr::V4);
        v4.into_iter().chain(self.r.ip_addresses.iter().copied())
    }
}

/// Every reservation of `server`: global ones first, then each subnet's.
fn hosts(server: &Server) -> Vec<Host<'_>> {
    let global = server.reservations.iter().map(|r| Host { subnet_id: 0, r });
    let subnets = server.subnets.iter().flat_map(|s| {
        s.reservations
            .iter()
            .map(move |r| Host { subnet_id: s.id, r })
    });
    global.chain(subnets).collect()
}

/// "N IPv4 host(s) found." with the hosts (result 3 when none).
fn found_hosts(section: Section, hosts: Vec<Value>, mut arguments: Map<String, Value>) -> Value {
    let n = hosts.len();
    let code = listing_code(n);
    arguments.insert("hosts".into(), hosts.into());
    let family = if section.v6 { 6 } else { 4 };
    answer_with(
        code,
        format!("{n} IPv{family} host(s) found."),
        Value::Object(arguments),
    )
}

/// Kea's check of the host commands' arguments.
fn parameters(given: Option<&Args>) -> Result<&Args, Refusal> {
    given.ok_or_else(|| "Parameters missing or are not a map.".into())
}

/// String `key` of `args`; `missing` says it is absent or not a string.
fn string_or<'a>(args: &'a Args, key: &str, missing: &str) -> Result<&'a str, Refusal> {
    text(args, key, missing, missing)
}

/// An identifier type and value, checked as Kea checks them.
fn identifier(id_type: &str, text: &str) -> Result<(String, Vec<u8>), Refusal> {
    if !IDENTIFIER_TYPES.contains(&id_type) {
        return Err("Value of 'identifier-type' was not recognized.".into());
    }
    let id = parse_identifier(id_type, text).map_err(|_| "Unable to parse 'identifier' value.")?;
    Ok((id_type.to_string(), id))
}

/// Refuses a non-zero subnet ID the section does not configure.
fn configured(server: &Server, section: Section, id: u32) -> Result<(), Refusal> {
    if id == 0 || server.subnets.iter().any(|s| s.id == id) {
        return Ok(());
    }
    Err(Refusal::from(format!(
        "{} subnet with ID of '{id}' is not configured",
        section.ip()
    )))
}

/// An optional `subnet-id`, checked to be configured.
fn optional_subnet(args: &Args, server: &Server, section: Section) -> Result<Option<u32>, Refusal> {
    if !args.contains_key("subnet-id") {
        return Ok(None);
    }
    let id = subnet_id(args)?;
    configured(server, section, id)?;
    Ok(Some(id))
}

/// Which reservation `reservation-get` and `reservation-del` name: a
/// subnet and either an address or an identifier.
struct Query {
    subnet_id: u32,
    by: By,
}

enum By {
    Address(IpAddr),
    Identifier(String, Vec<u8>),
}

impl Query {
    /// Reads the arguments with Kea's rules and texts.
    fn read(args: &Args) -> Result<Query, Refusal> {
        let addr = args.get("ip-address");
        let has_type = args.contains_key("identifier-type");
        let has_id = args.contains_key("identifier");
        let subnet = if args.contains_key("subnet-id") || (addr.is_none() && !has_type && !has_id) {
            Some(subnet_id(args)?)
        } else {
            None
        };
        if let Some(addr) = addr {
            let text = addr.as_str().ok_or("'ip-address' is not a string.")?;
            let a: IpAddr = text.parse().map_err(|_| {
                format!("Failed to convert string to address '{text}': Invalid argument")
            })?;
            let subnet_id = subnet.ok_or_else(|| {
                format!(
                    "missing parameter 'subnet-id', use 'reservation-get-by-address' with \
                     'ip-address' set to \"{text}\" to get the list of reservations with this \
                     address"
                )
            })?;
            return Ok(Query {
                subnet_id,
                by: By::Address(a),
            });
        }
        let id_type = string_or(
            args,
            "identifier-type",
            "No 'ip-address' provided and 'identifier-type' is either missing or not a string.",
        )?;
        let id = string_or(
            args,
            "identifier",
            "No 'ip-address' provided and 'identifier' is either missing or not a string.",
        )?;
        let (id_type, bytes) = identifier(id_type, id)?;
        let subnet_id = subnet.ok_or_else(|| {
            format!(
                "missing parameter 'subnet-id', use 'reservation-get-by-id' with \
                 'identifier-type' set to \"{id_type}\" and 'identifier' to \"{id}\" to get the \
                 list of reservations with this identifier"
            )
        })?;
        Ok(Query {
            subnet_id,
            by: By::Identifier(id_type, bytes),
        })
    }

    fn matches(&self, h: &Host) -> bool {
        h.subnet_id == self.subnet_id
            && match &self.by {
                By::Address(a) => h.addresses().any(|x| x == *a),
                By::Identifier(t, id) => h.r.id_type == *t && h.r.id == *id,
            }
    }
}

fn del(
    running: &Running,
    section: Section,
    command: &str,
    given: Option<&Args>,
) -> Result<Value, Refusal> {
    let query = Query::read(parameters(given)?)?;
    running
        .edit(|json, model| {
            let server = section.served(model, command)?;
            let found = hosts(server).into_iter().find(|h| query.matches(h));
            let host =
                found.ok_or_else(|| refuse(result::EMPTY, "Host not deleted (not found)."))?;
            remove_at(json, &host.r.path)?;
            Ok(())
        })
        .map(|()| answer(result::SUCCESS, "Host deleted."))
}

fn add(
    running: &Running,
    section: Section,
    command: &str,
    given: Option<&Args>,
) -> Result<Value, Refusal> {
    let args = given.ok_or("no parameters specified for the command")?;
    let reservation = args
        .get("reservation")
        .ok_or("reservation must be specified")?
        .as_object()
        .ok_or("reservation must be a map")?;
    let mut entry = reservation.clone();
    let given_subnet = integer(&entry, "subnet-id", 0, super::section::SUBNET_ID_MAX)?;
    entry.remove("subnet-id");
    running
        .edit(|json, model| {
            let server = section.served(model, command)?;
            let addresses = reserved_addresses(&entry);
            let id = match given_subnet {
                Some(id) => id as u32,
                None if addresses.is_empty() => 0,
                None => return Err(Refusal::from(subnet_hint(server, &addresses))),
            };
            configured(server, section, id)?;
            if let Some(subnet) = server.subnets.iter().find(|s| s.id == id) {
                if let Some(a) = addresses.iter().find(|a| !subnet.prefix.contains(**a)) {
                    return Err(Refusal::from(format!(
                        "specified reservation '{a}' is not matching the {} subnet prefix '{}'",
                        section.ip(),
                        subnet.prefix
                    )));
                }
            }
            let scope = match server.subnets.iter().find(|s| s.id == id) {
                Some(s) => locate(json, &s.path)
                    .and_then(Value::as_object_mut)
                    .ok_or("the subnet is not in the configuration")?,
                None => section.json(json)?,
            };
            list_at(scope, "reservations")?.push(Value::Object(entry.clone()));
            Ok(given_subnet.is_none())
        })
        .map(|assumed_global| {
            let text = if assumed_global {
                "Host added. subnet-id not specified, assumed global (subnet-id 0)."
            } else {
                "Host added."
            };
            answer(result::SUCCESS, text)
        })
}

/// The addresses (not prefixes) a reservation's JSON reserves; ones that
/// do not parse are left to the validator.
fn reserved_addresses(entry: &Args) -> Vec<IpAddr> {
    let v4 = entry.get("ip-address").into_iter();
    let v6 = entry
        .get("ip-addresses")
        .and_then(Value::as_array)
        .into_iter()
        .flatten();
    v4.chain(v6)
        .filter_map(|a| a.as_str()?.parse().ok())
        .collect()
}

/// Kea's refusal of an address reservation without `subnet-id`, naming
/// the subnet that holds the addresses.
fn subnet_hint(server: &Server, addresses: &[IpAddr]) -> String {
    let mut holding = server
        .subnets
        .iter()
        .filter(|s| addresses.iter().all(|a| s.prefix.contains(*a)));
    let first = holding.next();
    let others = if holding.next().is_some() {
        " and others."
    } else {
        "."
    };
    let what = match addresses {
        [one] => format!("The address '{one}'"),
        _ => "Reserved IPv6 addresses".to_string(),
    };
    match first {
        Some(s) => format!(
            "Mandatory 'subnet-id' parameter missing. {what} belong{} to subnet '{}' id {}{others}",
            if addresses.len() == 1 { "s" } else { "" },
            s.prefix,
            s.id
        ),
        None => format!(
            "Mandatory 'subnet-id' parameter missing. {what} belong{} to no configured subnet.",
            if addresses.len() == 1 { "s" } else { "" }
        ),
    }
}
