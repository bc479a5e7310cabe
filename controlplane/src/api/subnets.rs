//! Kea's subnet_cmds: `subnet4-*`/`subnet6-*` and `network4-*`/
//! `network6-*` list, get, add, update and delete subnets and shared
//! networks of the running configuration, and move subnets into and out
//! of shared networks. Every change goes through [`Running::edit`], so it
//! is validated and compiled like a `config-set` and leases stay.

use serde_json::{json, Value};

use super::section::{
    arguments, integer, list_at, locate, refuse, remove_at, single, text, Args, Item, Refusal,
    Section, SUBNET_ID_MAX,
};
use super::{answer, answer_with, listing_code, result};
use crate::config::subnet::Subnet;
use crate::config::Server;
use crate::reload::Running;

const SUBNET: Item = Item {
    one: "subnet",
    many: "subnets",
    entry: "subnet information",
};

const NETWORK: Item = Item {
    one: "network",
    many: "networks",
    entry: "network information",
};

/// Runs one subnet or shared network command (`command` already names
/// the family of `section`).
pub fn run(running: &Running, section: Section, command: &str, given: Option<&Args>) -> Value {
    let verb = command.split_once('-').map_or("", |(_, v)| v);
    let outcome = if command.starts_with("subnet") {
        match verb {
            "list" => list(running, section, command),
            "get" => get(running, section, command, given),
            "add" => add(running, section, command, given),
            "update" => update(running, section, command, given),
            "del" => del(running, section, command, given),
            _ => Err(unsupported(command)),
        }
    } else {
        match verb {
            "list" => network_list(running, section, command),
            "get" => network_get(running, section, command, given),
            "add" => network_add(running, section, command, given),
            "del" => network_del(running, section, command, given),
            "subnet-add" => network_subnet(running, section, command, given, true),
            "subnet-del" => network_subnet(running, section, command, given, false),
            _ => Err(unsupported(command)),
        }
    };
    outcome.unwrap_or_else(|r| r.0)
}

fn unsupported(command: &str) -> Refusal {
    refuse(
        result::UNSUPPORTED,
        format!("'{command}' command not supported."),
    )
}

/// `{"id": .., "subnet": ..}`, how Kea names a subnet in its answers.
fn brief(s: &Subnet) -> Value {
    json!({ "id": s.id, "subnet": s.prefix.to_string() })
}

/// Success naming one subnet under `subnets`, as Kea answers an add,
/// update or delete.
fn subnet_answer(text: String, subnet: Value) -> Value {
    answer_with(result::SUCCESS, text, json!({ "subnets": [subnet] }))
}

/// "N IPv4 subnets found" (singular for one), result 3 when none.
fn counted(n: usize, ip: &str, what: &str, arguments: Value) -> Value {
    let plural = if n == 1 { "" } else { "s" };
    answer_with(
        listing_code(n),
        format!("{n} {ip} {what}{plural} found"),
        arguments,
    )
}

fn list(running: &Running, section: Section, command: &str) -> Result<Value, Refusal> {
    let (_, model) = running.snapshot();
    let server = section.served(&model, command)?;
    let mut subnets: Vec<&Subnet> = server.subnets.iter().collect();
    subnets.sort_by_key(|s| s.id);
    let each: Vec<Value> = subnets.into_iter().map(brief).collect();
    Ok(counted(
        each.len(),
        section.ip(),
        "subnet",
        json!({ "subnets": each }),
    ))
}

fn get(
    running: &Running,
    section: Section,
    command: &str,
    given: Option<&Args>,
) -> Result<Value, Refusal> {
    let (mut json, model) = running.snapshot();
    let server = section.served(&model, command)?;
    let args = arguments(given, command)?;
    if args.len() != 1 {
        return Err(Refusal::from(format!(
            "invalid number of arguments {} for the '{command}' command. Expecting 'id' or 'subnet'",
            args.len()
        )));
    }
    let (found, missing) = match (args.get("subnet"), args.get("id")) {
        (Some(Value::String(prefix)), _) => (
            server
                .subnets
                .iter()
                .find(|s| s.prefix.to_string() == *prefix),
            format!("No {prefix} subnet found"),
        ),
        (Some(_), _) => return Err("'subnet' parameter must be a string".into()),
        (None, Some(id)) => {
            let id = id.as_i64().ok_or("'id' parameter must be an integer")?;
            (
                server.subnets.iter().find(|s| i64::from(s.id) == id),
                format!("No subnet with id {id} found"),
            )
        }
        (None, None) => return Err("'id' or 'subnet' parameter required".into()),
    };
    let subnet = found.ok_or_else(|| refuse(result::EMPTY, missing))?;
    let entry = entry_json(&mut json, subnet);
    Ok(answer_with(
        result::SUCCESS,
        format!(
            "Info about {} subnet {} (id {}) returned",
            section.ip(),
            subnet.prefix,
            subnet.id
        ),
        json!({ section.subnets_key(): [entry] }),
    ))
}

/// A subnet's JSON as configured, with its ID even when it was assigned.
fn entry_json(json: &mut Value, subnet: &Subnet) -> Value {
    let mut entry = locate(json, &subnet.path).cloned().unwrap_or(Value::Null);
    if let Some(m) = entry.as_object_mut() {
        m.insert("id".into(), subnet.id.into());
    }
    entry
}

/// The subnet map of `subnet4-add`/`-update`, checked as Kea checks it.
fn subnet_argument<'a>(
    section: Section,
    command: &str,
    given: Option<&'a Args>,
) -> Result<&'a Args, Refusal> {
    let args = arguments(given, command)?;
    let key = section.subnets_key();
    if args.len() != 1 {
        return Err(Refusal::from(format!(
            "invalid number of arguments {} for the '{command}' command. Expecting '{key}' list",
            args.len()
        )));
    }
    let subnet = single(args, key, command, &SUBNET)?;
    if subnet.contains_key("reservations") {
        return Err(Refusal::from(format!(
            "must not specify host reservations with '{command}'. Use 'reservation-add' to add \
             a reservation to a subnet"
        )));
    }
    Ok(subnet)
}

/// Writes the ID of every subnet whose ID was assigned into its JSON, so
/// that moving or adding subnets cannot renumber it.
fn pin_ids(json: &mut Value, server: &Server) {
    for s in server.subnets.iter().filter(|s| !s.id_given) {
        if let Some(m) = locate(json, &s.path).and_then(Value::as_object_mut) {
            m.insert("id".into(), s.id.into());
        }
    }
}

fn add(
    running: &Running,
    section: Section,
    command: &str,
    given: Option<&Args>,
) -> Result<Value, Refusal> {
    let new = subnet_argument(section, command, given)?;
    running
        .edit(|json, model| {
            let server = section.served(model, command)?;
            let mut new = new.clone();
            let id = match integer(&new, "id", 0, SUBNET_ID_MAX)? {
                Some(id) if id > 0 => id as u32,
                // Kea numbers a subnet added without an ID after the others.
                _ => server.subnets.iter().map(|s| s.id).max().unwrap_or(0) + 1,
            };
            new.insert("id".into(), id.into());
            if server.subnets.iter().any(|s| s.id == id) {
                return Err(Refusal::from(format!(
                    "ID of the new {} subnet '{id}' is already in use",
                    section.ip()
                )));
            }
            let prefix = new.get("subnet").and_then(Value::as_str).unwrap_or("");
            if server
                .subnets
                .iter()
                .any(|s| s.prefix.to_string() == prefix)
            {
                return Err(Refusal::from(format!(
                    "subnet with the prefix of '{prefix}' already exists"
                )));
            }
            pin_ids(json, server);
            let top = section.json(json)?;
            list_at(top, section.subnets_key())?.push(Value::Object(new.clone()));
            Ok(json!({ "id": id, "subnet": prefix }))
        })
        .map(|added| subnet_answer(format!("{} subnet added", section.ip()), added))
}

fn update(
    running: &Running,
    section: Section,
    command: &str,
    given: Option<&Args>,
) -> Result<Value, Refusal> {
    let new = subnet_argument(section, command, given)?;
    if !new.contains_key("id") {
        return Err(Refusal::from(format!(
            "must specify subnet id with '{command}' command."
        )));
    }
    let id = integer(new, "id", 1, SUBNET_ID_MAX)?.unwrap_or(0) as u32;
    running
        .edit(|json, model| {
            let server = section.served(model, command)?;
            let old = server.subnets.iter().find(|s| s.id == id).ok_or_else(|| {
                refuse(result::EMPTY, format!("Can't find subnet '{id}' to update"))
            })?;
            pin_ids(json, server);
            let entry = locate(json, &old.path).ok_or("the subnet is not in the configuration")?;
            let mut replacement = new.clone();
            // Reservations are managed by the reservation commands and stay.
            if let Some(kept) = entry.get("reservations") {
                replacement.insert("reservations".into(), kept.clone());
            }
            *entry = Value::Object(replacement);
            Ok(json!({ "id": id, "subnet": new.get("subnet").cloned().unwrap_or(Value::Null) }))
        })
        .map(|updated| subnet_answer(format!("{} subnet updated", section.ip()), updated))
}

fn del(
    running: &Running,
    section: Section,
    command: &str,
    given: Option<&Args>,
) -> Result<Value, Refusal> {
    let args = arguments(given, command)?;
    if args.len() != 1 {
        return Err(Refusal::from(format!(
            "invalid number of arguments specified for the '{command} command. Expected subnet \
             identifier"
        )));
    }
    let id = args.get("id").ok_or_else(|| {
        Refusal::from(format!(
            "subnet identifier is required for the '{command}' command"
        ))
    })?;
    let id = id.as_i64().ok_or_else(|| {
        Refusal::from(format!(
            "subnet identifier specified for the '{command}' is not a number"
        ))
    })?;
    running
        .edit(|json, model| {
            let server = section.served(model, command)?;
            let subnet = server
                .subnets
                .iter()
                .find(|s| i64::from(s.id) == id)
                .ok_or_else(|| refuse(result::EMPTY, format!("no subnet with id {id} found")))?;
            pin_ids(json, server);
            // Its reservations go with it, as Kea deletes a subnet's hosts.
            remove_at(json, &subnet.path)?;
            Ok(subnet.clone())
        })
        .map(|gone| {
            let text = format!(
                "{} subnet {} (id {}) deleted",
                section.ip(),
                gone.prefix,
                gone.id
            );
            subnet_answer(text, brief(&gone))
        })
}

fn network_list(running: &Running, section: Section, command: &str) -> Result<Value, Refusal> {
    let (_, model) = running.snapshot();
    let server = section.served(&model, command)?;
    let each: Vec<Value> = server
        .shared_networks
        .iter()
        .map(|n| json!({ "name": n.name }))
        .collect();
    Ok(counted(
        each.len(),
        section.ip(),
        "network",
        json!({ "shared-networks": each }),
    ))
}

/// Success naming network `name`, as Kea answers an add or delete.
fn network_answer(text: String, name: &str) -> Value {
    answer_with(
        result::SUCCESS,
        text,
        json!({ "shared-networks": [{ "name": name }] }),
    )
}

/// The JSON list of shared networks of the section.
fn networks(json: &mut Value, section: Section) -> Result<&mut Vec<Value>, Refusal> {
    list_at(section.json(json)?, "shared-networks")
}

/// The position of network `name` in `list`.
fn network_at(list: &[Value], name: &str) -> Option<usize> {
    list.iter()
        .position(|n| n.get("name").and_then(Value::as_str) == Some(name))
}

fn network_get(
    running: &Running,
    section: Section,
    command: &str,
    given: Option<&Args>,
) -> Result<Value, Refusal> {
    let (mut json, model) = running.snapshot();
    let server = section.served(&model, command)?;
    let args = arguments(given, command)?;
    let name = text(
        args,
        "name",
        format!("invalid '{command}': missing mandatory 'name' parameter"),
        "'name' parameter must be a string",
    )?;
    pin_ids(&mut json, server);
    let list = networks(&mut json, section)?;
    let at = network_at(list, name)
        .ok_or_else(|| refuse(result::EMPTY, format!("No '{name}' shared network found")))?;
    Ok(answer_with(
        result::SUCCESS,
        format!(
            "Info about {} shared network '{name}' returned",
            section.ip()
        ),
        json!({ "shared-networks": [list[at].clone()] }),
    ))
}

fn network_add(
    running: &Running,
    section: Section,
    command: &str,
    given: Option<&Args>,
) -> Result<Value, Refusal> {
    let args = arguments(given, command)?;
    let network = single(args, "shared-networks", command, &NETWORK)?;
    let name = network
        .get("name")
        .and_then(Value::as_str)
        .ok_or("missing parameter 'name'")?
        .to_string();
    running
        .edit(|json, model| {
            let server = section.served(model, command)?;
            if server.shared_networks.iter().any(|n| n.name == name) {
                return Err(Refusal::from(format!(
                    "a shared network with the name '{name}' already exists"
                )));
            }
            pin_ids(json, server);
            networks(json, section)?.push(Value::Object(network.clone()));
            Ok(())
        })
        .map(|()| {
            let text = format!("A new {} shared network '{name}' added", section.ip());
            network_answer(text, &name)
        })
}

fn network_del(
    running: &Running,
    section: Section,
    command: &str,
    given: Option<&Args>,
) -> Result<Value, Refusal> {
    let args = arguments(given, command)?;
    let name = text(
        args,
        "name",
        format!("network name ('name') is required for the '{command}' command"),
        format!("network name ('name') specified for the '{command}' is not a string"),
    )?;
    let delete = match args.get("subnets-action") {
        None => false,
        Some(Value::String(a)) if a == "keep" => false,
        Some(Value::String(a)) if a == "delete" => true,
        Some(Value::String(a)) => {
            return Err(Refusal::from(format!(
                "Invalid value for subnets-action parameter: {a}, Supported values: 'keep' and \
                 'delete'."
            )))
        }
        Some(_) => {
            return Err(Refusal::from(format!(
                "subnets-action parameter for {command} command must be a string. Supported \
                 values are: 'keep' and 'delete'."
            )))
        }
    };
    running
        .edit(|json, model| {
            let server = section.served(model, command)?;
            pin_ids(json, server);
            let list = networks(json, section)?;
            let at = network_at(list, name).ok_or_else(|| {
                refuse(
                    result::EMPTY,
                    format!("no shared network with name '{name}' found"),
                )
            })?;
            let gone = list.remove(at);
            if !delete {
                // Kept subnets become plain subnets.
                let subnets = gone
                    .get(section.subnets_key())
                    .and_then(Value::as_array)
                    .cloned()
                    .unwrap_or_default();
                list_at(section.json(json)?, section.subnets_key())?.extend(subnets);
            }
            Ok(())
        })
        .map(|()| {
            let text = format!("{} shared network '{name}' deleted", section.ip());
            network_answer(text, name)
        })
}

/// `network4-subnet-add` (`into`) and `network4-subnet-del`: moves a
/// subnet into a shared network, or out of it to the plain subnets.
fn network_subnet(
    running: &Running,
    section: Section,
    command: &str,
    given: Option<&Args>,
    into: bool,
) -> Result<Value, Refusal> {
    let args = arguments(given, command)?;
    let name = text(
        args,
        "name",
        format!("missing 'name' argument for the '{command}' command"),
        format!("'name' argument specified for the '{command}' command is not a string"),
    )?;
    let id = match args.get("id") {
        None => {
            return Err(Refusal::from(format!(
                "missing 'id' argument for the '{command}' command"
            )))
        }
        Some(v) => v.as_i64().ok_or_else(|| {
            Refusal::from(format!(
                "'id' argument specified for the '{command}' command is not an integer"
            ))
        })?,
    };
    let ip = section.ip();
    running
        .edit(|json, model| {
            let server = section.served(model, command)?;
            if !server.shared_networks.iter().any(|n| n.name == name) {
                return Err(refuse(
                    result::EMPTY,
                    format!("no {ip} shared network with name '{name}' found"),
                ));
            }
            let subnet = server.subnets.iter().find(|s| i64::from(s.id) == id);
            let subnet = match (subnet, into) {
                (None, true) => {
                    return Err(refuse(
                        result::EMPTY,
                        format!("no {ip} subnet with id '{id}' found"),
                    ))
                }
                (Some(s), true) => match &s.shared_network {
                    Some(other) => {
                        return Err(Refusal::from(format!(
                            "subnet {id} already belongs to shared network '{other}'"
                        )))
                    }
                    None => s,
                },
                (Some(s), false) if s.shared_network.as_deref() == Some(name) => s,
                _ => {
                    return Err(refuse(
                        result::EMPTY,
                        format!(
                            "The {ip} subnet with id {id} is not part of the shared network \
                             with name '{name}' found"
                        ),
                    ))
                }
            };
            pin_ids(json, server);
            let entry = remove_at(json, &subnet.path)?;
            let key = section.subnets_key();
            if into {
                let list = networks(json, section)?;
                let at = network_at(list, name).ok_or("the network is not in the configuration")?;
                let network = list[at].as_object_mut().ok_or("the network is not a map")?;
                list_at(network, key)?.push(entry);
            } else {
                list_at(section.json(json)?, key)?.push(entry);
            }
            Ok(subnet.prefix.to_string())
        })
        .map(|prefix| {
            let how = if into {
                "is now part of"
            } else {
                "is now removed from"
            };
            answer(
                result::SUCCESS,
                format!("{ip} subnet {prefix} (id {id}) {how} shared network '{name}'"),
            )
        })
}
