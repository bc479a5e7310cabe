//! `client-classes`: named classes with a test expression (parsed here, so
//! a bad one is reported at its file, line and column; compiled again for
//! the dataplane) and class-specific options and fields.

use std::net::Ipv4Addr;

use xdhcp_dataplane::classify::{self, Class, Classes, ParseError, Phase, Program, Scope};
use xdhcp_dataplane::options::OptionSpaces;

use super::keys;
use super::options::{self, OptionData};
use super::read::Ctx;
use super::scope::Triplet;
use crate::diag;
use crate::json::{Pos, Value};

/// One client class.
#[derive(Debug, Clone, PartialEq)]
pub struct ClientClass {
    /// Class name.
    pub name: String,
    /// `test` expression, verbatim.
    pub test: Option<String>,
    /// Where the `test` string starts.
    pub test_pos: Option<Pos>,
    /// `only-if-required` (or `only-in-additional-list`): evaluated only
    /// when a scope requires it.
    pub only_if_required: bool,
    /// Class options.
    pub option_data: Vec<OptionData>,
    /// Class siaddr (v4).
    pub next_server: Option<Ipv4Addr>,
    /// Class sname (v4).
    pub server_hostname: Option<String>,
    /// Class file (v4).
    pub boot_file_name: Option<String>,
    /// Class `valid-lifetime` with `min-`/`max-`.
    pub valid_lifetime: Triplet,
    /// Class `preferred-lifetime` with `min-`/`max-` (v6).
    pub preferred_lifetime: Triplet,
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
        let test = m.str_at(ctx, "test");
        let only_if_required = m
            .bool(ctx, "only-if-required")
            .or_else(|| m.bool(ctx, "only-in-additional-list"))
            .unwrap_or(false);
        out.push(ClientClass {
            test_pos: test.as_ref().map(|(_, p)| (*p).clone()),
            test: test.map(|(t, _)| t),
            only_if_required,
            option_data,
            next_server,
            server_hostname: m.str(ctx, "server-hostname"),
            boot_file_name: m.str(ctx, "boot-file-name"),
            valid_lifetime: Triplet::read(&m, ctx, "valid-lifetime"),
            preferred_lifetime: Triplet::read(&m, ctx, "preferred-lifetime"),
            pos: item.pos.clone(),
            name,
        });
    }
    table(&out, spaces, |i, e| {
        let c = &out[i];
        let mut pos = c.test_pos.clone().unwrap_or_else(|| c.pos.clone());
        // Past the opening quote, to the character the error names.
        pos.col += 1 + e.at as u32;
        let path = diag::join(&diag::index(path, i), "test");
        ctx.err(&pos, &path, format!("client class '{}': {e}", c.name));
    });
    out
}

/// Compiles one class test against the classes defined before it.
pub fn compile_test(
    test: &str,
    spaces: &OptionSpaces,
    classes: &mut Classes,
) -> Result<Program, ParseError> {
    let e = classify::parse(test, &mut Scope { spaces, classes })?;
    Program::new(&e)
}

/// Compiles a string expression (the flex_id hook's identifier) that may
/// name the classes of `classes`.
pub fn compile_string(
    text: &str,
    spaces: &OptionSpaces,
    classes: &mut Classes,
) -> Result<Program, ParseError> {
    let e = classify::parse_string(text, &mut Scope { spaces, classes })?;
    Program::string(&e)
}

/// The dataplane's class table for `list`: built-in classes, then each
/// class in order with its test compiled (a test may only name classes
/// defined before it, as in Kea). `on_error` gets each bad test's index.
pub fn table(
    list: &[ClientClass],
    spaces: &OptionSpaces,
    mut on_error: impl FnMut(usize, ParseError),
) -> Classes {
    let mut classes = Classes::default();
    for (i, c) in list.iter().enumerate() {
        let mut class = Class::named(&c.name);
        if let Some(t) = &c.test {
            match compile_test(t, spaces, &mut classes) {
                Ok(p) => class.test = Some(p),
                Err(e) => on_error(i, e),
            }
        }
        if c.only_if_required {
            class.phase = Phase::Additional;
        }
        class.next_server = c.next_server;
        class.server_hostname = c.server_hostname.clone();
        class.boot_file_name = c.boot_file_name.clone();
        class.valid = c.valid_lifetime.class_lifetime();
        class.preferred = c.preferred_lifetime.class_lifetime();
        if let Err(e) = classes.add(class) {
            on_error(i, ParseError::new(0, e));
        }
    }
    classes
}
