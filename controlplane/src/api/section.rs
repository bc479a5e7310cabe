//! What the commands that change the running configuration share (host,
//! subnet and class commands): the server section a command acts on,
//! finding a model item's JSON, Kea's argument checks, and refusals that
//! carry Kea's answer.

use serde_json::{Map, Value};

use super::{answer, result};
use crate::config::{Config, Server};

/// Command arguments.
pub type Args = Map<String, Value>;

/// An answer other than success, ending a command early.
pub struct Refusal(pub Value);

impl From<String> for Refusal {
    /// A validation or argument error: result 1 with its text.
    fn from(text: String) -> Refusal {
        Refusal(answer(result::ERROR, text))
    }
}

impl From<&str> for Refusal {
    fn from(text: &str) -> Refusal {
        Refusal::from(text.to_string())
    }
}

/// `result` with `text`, as a refusal.
pub fn refuse(code: i64, text: impl Into<String>) -> Refusal {
    Refusal(answer(code, text))
}

/// The server section a command acts on: `Dhcp4` or `Dhcp6`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Section {
    /// `Dhcp6` rather than `Dhcp4`.
    pub v6: bool,
}

impl Section {
    /// The section of DHCP version `family` (4 or 6).
    pub fn of(family: u8) -> Section {
        Section { v6: family == 6 }
    }

    /// The section's key in the configuration.
    pub fn key(self) -> &'static str {
        if self.v6 {
            "Dhcp6"
        } else {
            "Dhcp4"
        }
    }

    /// The key of its subnet lists.
    pub fn subnets_key(self) -> &'static str {
        if self.v6 {
            "subnet6"
        } else {
            "subnet4"
        }
    }

    /// "IPv4" or "IPv6", as Kea's texts say.
    pub fn ip(self) -> &'static str {
        if self.v6 {
            "IPv6"
        } else {
            "IPv4"
        }
    }

    /// The section's model, if the configuration has it.
    pub fn server(self, model: &Config) -> Option<&Server> {
        if self.v6 {
            model.dhcp6.as_ref()
        } else {
            model.dhcp4.as_ref()
        }
    }

    /// The section's model, or Kea's "not supported" answer for `command`.
    pub fn served<'a>(self, model: &'a Config, command: &str) -> Result<&'a Server, Refusal> {
        self.server(model).ok_or_else(|| {
            refuse(
                result::UNSUPPORTED,
                format!("'{command}' command not supported."),
            )
        })
    }

    /// The section's map in `root`, the whole configuration's JSON.
    pub fn json(self, root: &mut Value) -> Result<&mut Args, Refusal> {
        root.get_mut(self.key())
            .and_then(Value::as_object_mut)
            .ok_or_else(|| Refusal::from(format!("the configuration has no {} map", self.key())))
    }
}

/// The list at `key` of `map`, created empty when missing.
pub fn list_at<'a>(map: &'a mut Args, key: &str) -> Result<&'a mut Vec<Value>, Refusal> {
    map.entry(key)
        .or_insert_with(|| Value::Array(Vec::new()))
        .as_array_mut()
        .ok_or_else(|| Refusal::from(format!("'{key}' in the configuration is not a list")))
}

/// The JSON value at `path`, a model item's path such as
/// `Dhcp4.shared-networks[1].subnet4[0]` (keys joined by dots, list
/// positions in brackets).
pub fn locate<'a>(root: &'a mut Value, path: &str) -> Option<&'a mut Value> {
    let mut at = root;
    for step in path.split('.') {
        let mut parts = step.split('[');
        at = at.get_mut(parts.next()?)?;
        for index in parts {
            at = at.get_mut(index.strip_suffix(']')?.parse::<usize>().ok()?)?;
        }
    }
    Some(at)
}

/// Takes the entry at `path` (a model item's path ending in a list
/// position) out of its list.
pub fn remove_at(json: &mut Value, path: &str) -> Result<Value, Refusal> {
    let (list, index) = path
        .rsplit_once('[')
        .and_then(|(list, i)| Some((list, i.strip_suffix(']')?.parse::<usize>().ok()?)))
        .ok_or("the entry is not in the configuration")?;
    let entries = locate(json, list)
        .and_then(Value::as_array_mut)
        .filter(|l| index < l.len())
        .ok_or("the entry is not in the configuration")?;
    Ok(entries.remove(index))
}

/// Kea's check that a command has arguments.
pub fn arguments<'a>(given: Option<&'a Args>, command: &str) -> Result<&'a Args, Refusal> {
    given.ok_or_else(|| {
        Refusal::from(format!(
            "no arguments specified for the '{command}' command"
        ))
    })
}

/// String `key` of `args`: `missing` is the refusal when it is absent,
/// `wrong` when it is not a string.
pub fn text<'a>(
    args: &'a Args,
    key: &str,
    missing: impl Into<String>,
    wrong: impl Into<String>,
) -> Result<&'a str, Refusal> {
    match args.get(key) {
        None => Err(Refusal::from(missing.into())),
        Some(Value::String(s)) => Ok(s),
        Some(_) => Err(Refusal::from(wrong.into())),
    }
}

/// Integer `key` of `args` within `min..=max`, as Kea's simple parser
/// reads it; `None` when absent.
pub fn integer(args: &Args, key: &str, min: i64, max: i64) -> Result<Option<i64>, String> {
    let Some(v) = args.get(key) else {
        return Ok(None);
    };
    let n = v
        .as_i64()
        .ok_or_else(|| format!("invalid type specified for parameter '{key}'"))?;
    if n < min || n > max {
        return Err(format!(
            "The '{key}' value ({n}) is not within expected range: ({min} - {max})"
        ));
    }
    Ok(Some(n))
}

/// Largest subnet ID Kea accepts.
pub const SUBNET_ID_MAX: i64 = u32::MAX as i64 - 1;

/// A mandatory subnet ID (`0` names the global scope).
pub fn subnet_id(args: &Args) -> Result<u32, String> {
    integer(args, "subnet-id", 0, SUBNET_ID_MAX)?
        .map(|n| n as u32)
        .ok_or_else(|| "missing parameter 'subnet-id'".to_string())
}

/// What the add and update commands take one of, for Kea's texts.
pub struct Item {
    /// "subnet".
    pub one: &'static str,
    /// "subnets".
    pub many: &'static str,
    /// "subnet information".
    pub entry: &'static str,
}

/// The single map of the one-element list `key` that the add and update
/// commands take (`subnet4`, `shared-networks`, `client-classes`), with
/// Kea's texts.
pub fn single<'a>(
    args: &'a Args,
    key: &str,
    command: &str,
    item: &Item,
) -> Result<&'a Args, String> {
    let list = args
        .get(key)
        .ok_or_else(|| format!("missing '{key}' argument for the '{command}' command"))?;
    let list = list.as_array().ok_or_else(|| {
        format!("'{key}' argument specified for the '{command}' command is not a list")
    })?;
    if list.len() != 1 {
        return Err(format!(
            "invalid number of {} specified for the '{command}' command. Expected one {}",
            item.many, item.one
        ));
    }
    list[0].as_object().ok_or_else(|| {
        format!(
            "invalid {} specified for the '{command}' command. Expected a map",
            item.entry
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn locate_follows_model_paths() {
        let mut v = json!({"Dhcp4": {"shared-networks": [{}, {"subnet4": [{"id": 7}]}]}});
        let s = locate(&mut v, "Dhcp4.shared-networks[1].subnet4[0]").unwrap();
        assert_eq!(s["id"], 7);
        assert!(locate(&mut v, "Dhcp4.subnet4[0]").is_none());
    }

    #[test]
    fn integers_are_checked_as_kea_checks_them() {
        let args = json!({"subnet-id": -1, "x": "a"});
        let args = args.as_object().unwrap();
        assert!(subnet_id(args)
            .unwrap_err()
            .contains("not within expected range"));
        assert!(integer(args, "x", 0, 1)
            .unwrap_err()
            .contains("invalid type"));
        assert_eq!(integer(args, "y", 0, 1), Ok(None));
    }
}
