//! `hooks-libraries`: Kea loads shared objects; xdhcp implements the
//! libraries it supports natively and recognises them by file name.

use xdhcp_dataplane::options::OptionSpaces;

use super::classes::{self, ClientClass};
use super::keys;
use super::read::Ctx;
use crate::diag;
use crate::json::{Kind, Value};

/// A hook library xdhcp provides natively.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hook {
    /// libdhcp_lease_cmds.so
    LeaseCmds,
    /// libdhcp_stat_cmds.so
    StatCmds,
    /// libdhcp_host_cmds.so
    HostCmds,
    /// libdhcp_subnet_cmds.so
    SubnetCmds,
    /// libdhcp_class_cmds.so
    ClassCmds,
    /// libdhcp_ha.so
    Ha,
    /// libdhcp_legal_log.so
    LegalLog,
    /// libdhcp_flex_id.so
    FlexId,
    /// libdhcp_bootp.so
    Bootp,
    /// libdhcp_mysql.so (MySQL lease and host backends)
    Mysql,
    /// libdhcp_pgsql.so (PostgreSQL lease and host backends)
    Pgsql,
}

const KNOWN: &[(&str, Hook)] = &[
    ("lease_cmds", Hook::LeaseCmds),
    ("stat_cmds", Hook::StatCmds),
    ("host_cmds", Hook::HostCmds),
    ("subnet_cmds", Hook::SubnetCmds),
    ("class_cmds", Hook::ClassCmds),
    ("ha", Hook::Ha),
    ("legal_log", Hook::LegalLog),
    ("flex_id", Hook::FlexId),
    ("bootp", Hook::Bootp),
    ("mysql", Hook::Mysql),
    ("pgsql", Hook::Pgsql),
];

/// Which native hook a library path names: `libdhcp_<name>.so` in any
/// directory.
pub fn recognise(library: &str) -> Option<Hook> {
    let file = library.rsplit('/').next().unwrap_or(library);
    let stem = file.strip_prefix("libdhcp_")?.strip_suffix(".so")?;
    KNOWN.iter().find(|(n, _)| *n == stem).map(|(_, h)| *h)
}

/// One configured hook library.
#[derive(Debug, Clone, PartialEq)]
pub struct HookLibrary {
    /// The hook it stands for.
    pub hook: Hook,
    /// The path as written.
    pub library: String,
    /// `parameters`, verbatim JSON.
    pub parameters: Option<String>,
    /// The flex_id hook's parameters, read.
    pub flex_id: Option<FlexIdParams>,
}

/// `libdhcp_flex_id.so`'s parameters that change how clients are
/// identified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlexIdParams {
    /// `identifier-expression`: a string expression in Kea's
    /// classification language, already checked to parse.
    pub expression: String,
    /// `replace-client-id` (default false).
    pub replace_client_id: bool,
    /// `ignore-iaid` (default false; DHCPv4 ignores it, as Kea does).
    pub ignore_iaid: bool,
}

/// Read the `hooks-libraries` list; a flex_id expression is checked
/// against the option definitions and classes of its server.
pub fn read(
    v: &Value,
    path: &str,
    ctx: &mut Ctx,
    spaces: &OptionSpaces,
    client_classes: &[ClientClass],
) -> Vec<HookLibrary> {
    let Some(items) = ctx.list(v, path) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let p = diag::index(path, i);
        let Some(m) = ctx.map(item, &p, "hooks-libraries", keys::HOOK) else {
            continue;
        };
        let Some((library, pos)) = m.str_at(ctx, "library") else {
            if !m.has("library") {
                ctx.err(&item.pos, &p, "hook library entry needs 'library'");
            }
            continue;
        };
        let parameters = m.raw_map(ctx, "parameters");
        let Some(hook) = recognise(&library) else {
            ctx.err(
                pos,
                &m.key_path("library"),
                format!(
                    "hooks library '{library}' is not one xdhcp provides (supported: {})",
                    KNOWN
                        .iter()
                        .map(|(n, _)| format!("libdhcp_{n}.so"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            );
            continue;
        };
        if let Some(params) = m.get("parameters") {
            check_parameters(hook, params, &m.key_path("parameters"), ctx);
        }
        let flex_id = (hook == Hook::FlexId)
            .then(|| {
                let path = m.key_path("parameters");
                read_flex_id(
                    m.get("parameters"),
                    &item.pos,
                    &path,
                    ctx,
                    spaces,
                    client_classes,
                )
            })
            .flatten();
        out.push(HookLibrary {
            hook,
            library,
            parameters,
            flex_id,
        });
    }
    out
}

/// The flex_id hook's parameters: `identifier-expression` is mandatory and
/// must parse as a string expression (errors point into it, as for class
/// tests).
fn read_flex_id(
    params: Option<&Value>,
    at: &crate::json::Pos,
    path: &str,
    ctx: &mut Ctx,
    spaces: &OptionSpaces,
    client_classes: &[ClientClass],
) -> Option<FlexIdParams> {
    let Some(expr) = params.and_then(|p| p.get("identifier-expression")) else {
        ctx.err(at, path, "the flex_id hook needs 'identifier-expression'");
        return None;
    };
    // A wrong type was reported by the shape checks.
    let text = expr.as_str()?;
    let mut table = classes::table(client_classes, spaces, |_, _| {});
    if let Err(e) = classes::compile_string(text, spaces, &mut table) {
        let mut pos = expr.pos.clone();
        pos.col += 1 + e.at as u32;
        let key = diag::join(path, "identifier-expression");
        ctx.err(&pos, &key, e.to_string());
        return None;
    }
    // Wrong types were reported by the shape checks.
    let flag = |key: &str| {
        params
            .and_then(|p| p.get(key))
            .is_some_and(|v| matches!(v.kind, Kind::Bool(true)))
    };
    Some(FlexIdParams {
        expression: text.to_string(),
        replace_client_id: flag("replace-client-id"),
        ignore_iaid: flag("ignore-iaid"),
    })
}

/// `key`, if present in the parameters map `v`, has the same JSON type as
/// `like`.
fn expect_kind(v: &Value, path: &str, key: &str, like: Kind, ctx: &mut Ctx) {
    let Some(x) = v.get(key) else { return };
    if std::mem::discriminant(&x.kind) != std::mem::discriminant(&like) {
        let want = Value {
            kind: like,
            pos: x.pos.clone(),
        };
        ctx.err(
            &x.pos,
            &diag::join(path, key),
            format!("expected {}, got {}", want.a_type(), x.a_type()),
        );
    }
}

/// Cheap shape checks of the parameters of hooks whose parameters matter.
fn check_parameters(hook: Hook, v: &Value, path: &str, ctx: &mut Ctx) {
    match hook {
        Hook::Ha => match v.get("high-availability") {
            Some(ha) => match ha.as_array() {
                Some(list) => {
                    for (i, rel) in list.iter().enumerate() {
                        let rp = diag::index(&diag::join(path, "high-availability"), i);
                        for key in ["this-server-name", "mode", "peers"] {
                            if rel.get(key).is_none() {
                                ctx.err(&rel.pos, &rp, format!("HA relationship needs '{key}'"));
                            }
                        }
                        if let Some(mode) = rel.get("mode") {
                            let ok = matches!(
                                mode.as_str(),
                                Some("load-balancing" | "hot-standby" | "passive-backup")
                            );
                            if !ok {
                                ctx.err(
                                    &mode.pos,
                                    &diag::join(&rp, "mode"),
                                    "mode must be load-balancing, hot-standby or passive-backup",
                                );
                            }
                        }
                        if let Some(peers) = rel.get("peers") {
                            if peers.as_array().is_none() {
                                ctx.err(&peers.pos, &diag::join(&rp, "peers"), "expected a list");
                            }
                        }
                    }
                }
                None => ctx.err(
                    &ha.pos,
                    &diag::join(path, "high-availability"),
                    "expected a list of relationships",
                ),
            },
            None => ctx.err(&v.pos, path, "the HA hook needs 'high-availability'"),
        },
        Hook::LegalLog => {
            for key in ["path", "base-name", "time-unit", "prefix", "pattern"] {
                expect_kind(v, path, key, Kind::Str(String::new()), ctx);
            }
            expect_kind(v, path, "count", Kind::Int(0), ctx);
        }
        Hook::FlexId => {
            expect_kind(
                v,
                path,
                "identifier-expression",
                Kind::Str(String::new()),
                ctx,
            );
            expect_kind(v, path, "replace-client-id", Kind::Bool(false), ctx);
            expect_kind(v, path, "ignore-iaid", Kind::Bool(false), ctx);
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_are_shape_checked() {
        let text = r#"{ "Dhcp4": { "hooks-libraries": [ { "library": "libdhcp_flex_id.so",
            "parameters": { "identifier-expression": 5 } } ] } }"#;
        let e = crate::load_str("h.json", text).unwrap_err();
        assert_eq!(
            e[0].to_string(),
            "h.json:2:54: Dhcp4.hooks-libraries[0].parameters.identifier-expression: \
             expected a string, got an integer"
        );
    }

    #[test]
    fn recognises_by_file_name() {
        assert_eq!(
            recognise("/usr/lib/x86_64-linux-gnu/kea/hooks/libdhcp_lease_cmds.so"),
            Some(Hook::LeaseCmds)
        );
        assert_eq!(recognise("libdhcp_ha.so"), Some(Hook::Ha));
        assert_eq!(recognise("/opt/charging.so"), None);
    }
}
