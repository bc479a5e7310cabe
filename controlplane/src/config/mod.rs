//! The Kea configuration model: typed sections with Kea's defaults,
//! inheritance (global → shared network → subnet → pool) and validation.
//!
//! [`load_file`] / [`load_str`] take a configuration file holding `Dhcp4`,
//! `Dhcp6` or both (plus `DhcpDdns` / `Control-agent`, kept and only
//! shape-checked for now) and return either the typed [`Config`] or every
//! located error found.

pub mod classes;
pub mod database;
pub mod hooks;
pub mod interfaces;
pub mod keys;
pub mod logging;
pub mod net;
pub mod no_effect;
pub mod options;
pub mod read;
pub mod reservations;
pub mod scope;
pub mod server;
pub mod services;
pub mod shared_network;
pub mod subnet;
mod validate;

use std::path::Path;

use xdhcp_dataplane::options::Universe;

use crate::diag::Diag;
use crate::json::{self, Value};
pub use server::Server;

/// A whole configuration file.
#[derive(Debug, Clone)]
pub struct Config {
    /// The DHCPv4 server, if the file configures one.
    pub dhcp4: Option<Server>,
    /// The DHCPv6 server, if the file configures one.
    pub dhcp6: Option<Server>,
    /// `DhcpDdns`, kept verbatim (not yet interpreted).
    pub dhcp_ddns: Option<Value>,
    /// `Control-agent`, kept verbatim (not yet interpreted).
    pub control_agent: Option<Value>,
}

impl Config {
    /// The server sections the file holds, with their names.
    pub fn servers(&self) -> impl Iterator<Item = (&'static str, &Server)> {
        [("Dhcp4", &self.dhcp4), ("Dhcp6", &self.dhcp6)]
            .into_iter()
            .filter_map(|(name, s)| s.as_ref().map(|s| (name, s)))
    }
}

/// Top-level objects a file may hold. `Logging` is the 0.9.1 manual's
/// top-level logger section; it is shape-checked like `loggers`.
const TOP_LEVEL: &[&str] = &["Dhcp4", "Dhcp6", "DhcpDdns", "Control-agent", "Logging"];

/// Load and validate a configuration file.
pub fn load_file(path: &Path) -> Result<Config, Vec<Diag>> {
    let (v, trailing) = json::parse_file_partial(path).map_err(|e| vec![e])?;
    with_trailing(load_value(&v), trailing)
}

/// Load and validate configuration text; `name` appears in error positions.
pub fn load_str(name: &str, text: &str) -> Result<Config, Vec<Diag>> {
    let (v, trailing) = json::parse_str_partial(name, text).map_err(|e| vec![e])?;
    with_trailing(load_value(&v), trailing)
}

/// Merge a trailing-text syntax error into the validation result, in file
/// order: errors in the same file before it come first, as Kea, reading
/// the file in one pass, would report them.
fn with_trailing(
    r: Result<Config, Vec<Diag>>,
    trailing: Option<Diag>,
) -> Result<Config, Vec<Diag>> {
    let Some(t) = trailing else { return r };
    let mut errors = r.err().unwrap_or_default();
    let key = |d: &Diag| d.pos.as_ref().map(|p| (p.line, p.col));
    let tp = t.pos.clone();
    let at = errors
        .iter()
        .position(|e| {
            e.pos.as_ref().map(|p| &p.file) != tp.as_ref().map(|p| &p.file) || key(e) > key(&t)
        })
        .unwrap_or(errors.len());
    errors.insert(at, t);
    Err(errors)
}

/// Validate an already parsed configuration tree.
pub fn load_value(v: &Value) -> Result<Config, Vec<Diag>> {
    let mut ctx = read::Ctx::new(Universe::V4);
    let mut cfg = Config {
        dhcp4: None,
        dhcp6: None,
        dhcp_ddns: None,
        control_agent: None,
    };
    let Some(top) = ctx.map(v, "", "top-level", TOP_LEVEL) else {
        return Err(ctx.errors);
    };
    let mut errors = std::mem::take(&mut ctx.errors);
    if let Some(d) = top.get("Dhcp4") {
        let mut c4 = read::Ctx::new(Universe::V4);
        cfg.dhcp4 = Server::read(d, "Dhcp4", &mut c4);
        errors.extend(c4.errors);
    }
    if let Some(d) = top.get("Dhcp6") {
        let mut c6 = read::Ctx::new(Universe::V6);
        cfg.dhcp6 = Server::read(d, "Dhcp6", &mut c6);
        errors.extend(c6.errors);
    }
    for key in ["DhcpDdns", "Control-agent"] {
        if let Some(d) = top.get(key) {
            if d.as_object().is_none() {
                errors.push(Diag::new(
                    &d.pos,
                    key,
                    format!("expected a map, got {}", d.a_type()),
                ));
            }
        }
    }
    cfg.dhcp_ddns = top.get("DhcpDdns").cloned();
    cfg.control_agent = top.get("Control-agent").cloned();
    if let Some(l) = top.get("Logging") {
        let mut c = read::Ctx::new(Universe::V4);
        if let Some(m) = c.map(l, "Logging", "Logging", &["loggers"]) {
            if let Some(list) = m.get("loggers") {
                logging::read(list, "Logging.loggers", &mut c);
            }
        }
        errors.extend(c.errors);
    }
    if cfg.dhcp4.is_none() && cfg.dhcp6.is_none() && errors.is_empty() {
        errors.push(Diag::new(
            &v.pos,
            "",
            "the configuration holds neither Dhcp4 nor Dhcp6",
        ));
    }
    if errors.is_empty() {
        Ok(cfg)
    } else {
        Err(errors)
    }
}
