//! Kea's configuration commands: `config-get`, `config-test`,
//! `config-set`, `config-reload`, `config-write`, `config-hash-get` and
//! `server-tag-get`, over the [`Running`] configuration.

use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};

use super::{answer, answer_with, result, unsupported};
use crate::reload::{self, Running};

type Args = Map<String, Value>;

/// Runs one configuration command; `given` is `None` when the request
/// had no `arguments`. Without `dhcp4` (a `Dhcp6` section's control
/// socket), the commands about the `Dhcp4` section are not answered.
pub fn run(running: &Running, dhcp4: bool, command: &str, given: Option<&Args>) -> Value {
    let outcome = match command {
        "config-test" | "config-set" | "server-tag-get" if !dhcp4 => Ok(unsupported(command)),
        "config-get" => Ok(json!({ "result": result::SUCCESS, "arguments": running.json() })),
        "config-hash-get" => Ok(json!({
            "result": result::SUCCESS,
            "arguments": { "hash": hash(&running.json()) },
        })),
        "server-tag-get" => Ok(json!({
            "result": result::SUCCESS,
            "arguments": { "server-tag": running.server_tag() },
        })),
        "config-test" => dhcp4_argument(given)
            .and_then(|d| reload::check(&running.with_dhcp4(d)))
            .map(|_| {
                answer(
                    result::SUCCESS,
                    "Configuration seems sane. Control-socket, hook-libraries, and D2 \
                     configuration were sanity checked, but not applied.",
                )
            }),
        "config-set" => dhcp4_argument(given)
            .and_then(|d| running.set(d))
            .map(|()| answer(result::SUCCESS, "Configuration successful.")),
        "config-reload" => running
            .reload()
            .map(|()| answer(result::SUCCESS, "Configuration successful.")),
        "config-write" => write(running, given),
        c => Ok(unsupported(c)),
    };
    outcome.unwrap_or_else(|text| answer(result::ERROR, text))
}

/// The `Dhcp4` map of a `config-set` / `config-test`, checked as Kea
/// checks it.
fn dhcp4_argument(given: Option<&Args>) -> Result<&Value, String> {
    let args = given.ok_or("Missing mandatory 'arguments' parameter.")?;
    let dhcp4 = args
        .get("Dhcp4")
        .ok_or("Missing mandatory 'Dhcp4' parameter.")?;
    if let Some(other) = args.keys().find(|k| *k != "Dhcp4") {
        return Err(format!("Unsupported '{other}' parameter."));
    }
    if !dhcp4.is_object() {
        return Err("'Dhcp4' parameter expected to be a map.".into());
    }
    Ok(dhcp4)
}

/// `config-write`: the running configuration as JSON, to `filename` or
/// to the `-c` file.
fn write(running: &Running, given: Option<&Args>) -> Result<Value, String> {
    let name = match given.and_then(|a| a.get("filename")) {
        Some(Value::String(name)) => name.clone(),
        Some(_) => return Err("passed parameter 'filename' is not a string".into()),
        None => running
            .file()
            .map(|f| f.display().to_string())
            .ok_or("Unable to determine filename. Please specify filename explicitly.")?,
    };
    let text = serde_json::to_string_pretty(&running.json()).map_err(|e| e.to_string())? + "\n";
    // Kea's text, which does not say why.
    std::fs::write(&name, &text)
        .map_err(|_| format!("Error during write-config:Unable to open file {name} for writing"))?;
    Ok(answer_with(
        result::SUCCESS,
        format!("Configuration written to {name} successful"),
        json!({ "filename": name, "size": text.len() }),
    ))
}

/// `config-hash-get`'s hash: SHA-256 of the configuration in Kea's
/// one-line JSON text (`Element::str()`), as upper-case hex.
pub fn hash(config: &Value) -> String {
    let mut text = String::new();
    kea_text(config, &mut text);
    let digest = Sha256::digest(text.as_bytes());
    digest.iter().map(|b| format!("{b:02X}")).collect()
}

/// Kea's one-line JSON: `{ "a": 1, "b": [ 2, 3 ] }`, map keys in byte
/// order, an empty list as `[  ]`.
fn kea_text(v: &Value, out: &mut String) {
    match v {
        Value::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            out.push_str("{ ");
            for (i, k) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                out.push_str(&Value::from(k.as_str()).to_string());
                out.push_str(": ");
                kea_text(&m[k], out);
            }
            out.push_str(" }");
        }
        Value::Array(a) => {
            out.push_str("[ ");
            for (i, x) in a.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                kea_text(x, out);
            }
            out.push_str(" ]");
        }
        scalar => out.push_str(&scalar.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kea_text_matches_kea_layout() {
        let mut out = String::new();
        kea_text(
            &json!({"result": 3, "arguments": {"leases": [], "count": 0}, "text": "a\"b"}),
            &mut out,
        );
        assert_eq!(
            out,
            r#"{ "arguments": { "count": 0, "leases": [  ] }, "result": 3, "text": "a\"b" }"#
        );
    }
}
