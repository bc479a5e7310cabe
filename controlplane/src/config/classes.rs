//! `client-classes`: named classes with a test expression (kept verbatim for
//! the dataplane's evaluator) and class-specific options and fields.

use std::net::Ipv4Addr;

use xdhcp_dataplane::options::OptionSpaces;

use super::keys;
use super::options::{self, OptionData};
use super::read::Ctx;
use crate::diag;
use crate::json::{Pos, Value};

/// One client class.
#[derive(Debug, Clone, PartialEq)]
pub struct ClientClass {
    /// Class name.
    pub name: String,
    /// `test` expression, verbatim.
    pub test: Option<String>,
    /// `only-if-required`: evaluated only when a scope requires it.
    pub only_if_required: bool,
    /// Class options.
    pub option_data: Vec<OptionData>,
    /// Class siaddr (v4).
    pub next_server: Option<Ipv4Addr>,
    /// Class sname (v4).
    pub server_hostname: Option<String>,
    /// Class file (v4).
    pub boot_file_name: Option<String>,
    /// Class `valid-lifetime`.
    pub valid_lifetime: Option<u32>,
    /// Class `preferred-lifetime` (v6).
    pub preferred_lifetime: Option<u32>,
    /// Where the class starts.
    pub pos: Pos,
}

/// Classes Kea predefines; configurations may attach options to them but
/// not give them a test.
const BUILTIN: &[&str] = &["ALL", "KNOWN", "UNKNOWN", "BOOTP", "DROP"];

/// Read the `option-def` entries nested in v4 classes first, since any
/// option-data may use them.
pub fn read_defs(v: &Value, path: &str, ctx: &mut Ctx, spaces: &mut OptionSpaces) {
    let Some(items) = v.as_array() else { return };
    for (i, item) in items.iter().enumerate() {
        if let Some(defs) = item.get("option-def") {
            let p = diag::join(&diag::index(path, i), "option-def");
            options::read_defs(defs, &p, ctx, spaces);
        }
    }
}

/// Read the class list.
pub fn read_list(v: &Value, path: &str, ctx: &mut Ctx, spaces: &OptionSpaces) -> Vec<ClientClass> {
    let v6 = ctx.v6();
    let Some(items) = ctx.list(v, path) else {
        return Vec::new();
    };
    let mut out: Vec<ClientClass> = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let p = diag::index(path, i);
        let Some(m) = ctx.map(item, &p, "client-classes", &keys::client_class(v6)) else {
            continue;
        };
        let Some((name, npos)) = m.str_at(ctx, "name") else {
            if !m.has("name") {
                ctx.err(&item.pos, &p, "missing parameter 'name'");
            }
            continue;
        };
        if name.is_empty() {
            ctx.err(
                npos,
                &m.key_path("name"),
                "client class name must not be empty",
            );
            continue;
        }
        if out.iter().any(|c| c.name == name) {
            ctx.err(
                npos,
                &m.key_path("name"),
                format!("duplicate client class '{name}'"),
            );
            continue;
        }
        if BUILTIN.contains(&name.as_str()) && name != "DROP" && m.has("test") {
            ctx.err(
                npos,
                &m.key_path("test"),
                format!("built-in class '{name}' cannot have a test expression"),
            );
            continue;
        }
        let next_server = match m.str_at(ctx, "next-server") {
            Some((t, pos)) => match t.parse() {
                Ok(a) => Some(a),
                Err(_) => {
                    ctx.err(
                        pos,
                        &m.key_path("next-server"),
                        format!("'{t}' is not an IPv4 address"),
                    );
                    None
                }
            },
            None => None,
        };
        let option_data = m
            .get("option-data")
            .map(|v| options::read_data(v, &m.key_path("option-data"), ctx, spaces))
            .unwrap_or_default();
        out.push(ClientClass {
            test: m.str(ctx, "test"),
            only_if_required: m.bool(ctx, "only-if-required").unwrap_or(false),
            option_data,
            next_server,
            server_hostname: m.str(ctx, "server-hostname"),
            boot_file_name: m.str(ctx, "boot-file-name"),
            valid_lifetime: m.u32(ctx, "valid-lifetime"),
            preferred_lifetime: m.u32(ctx, "preferred-lifetime"),
            pos: item.pos.clone(),
            name,
        });
    }
    out
}
