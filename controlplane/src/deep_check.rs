//! `xdhcp-controlplane -T`: Kea's deep configuration check. Beyond `-t`
//! it tries what serving would need from outside the file, without opening
//! sockets or writing anything: the lease and host databases (xdhcp serves
//! memfile only, so another backend is an error here and at start-up, not
//! a silent fallback), the memfile journal (read as the next start would
//! read it; damage it would drop is reported), and the TLS files of every
//! HTTPS control socket. Keys accepted without effect are noted with the
//! warnings serving would log (see `config::no_effect`).

use std::path::Path;

use xdhcp_dataplane::journal::recover;

use crate::config::Config;
use crate::diag::{self, Diag};
use crate::json::Value;
use crate::leases::store_config;

/// The value at `keys` under `root`, or the deepest one found on the way
/// (so an error still points near the key it is about).
fn locate<'a>(root: &'a Value, keys: &[&str]) -> &'a Value {
    let mut v = root;
    for k in keys {
        match v.get(k) {
            Some(next) => v = next,
            None => break,
        }
    }
    v
}

/// Database backends xdhcp cannot serve: a `lease-database` that is not
/// memfile and any `hosts-database(s)`. Checked by `-T`, before serving and
/// before a new configuration replaces the running one; `raw`, the file's
/// JSON, locates the errors when there is one.
pub fn unsupported_databases(cfg: &Config, raw: Option<&Value>) -> Vec<Diag> {
    let mut out = Vec::new();
    let diag = |keys: &[&str], message: String| {
        let path = keys.iter().fold(String::new(), |p, k| diag::join(&p, k));
        let pos = raw.map(|r| locate(r, keys).pos.clone());
        Diag { pos, path, message }
    };
    for (name, server) in cfg.servers() {
        let db = &server.lease_database;
        if db.kind != "memfile" {
            out.push(diag(
                &[name, "lease-database", "type"],
                format!(
                    "lease-database type '{}' is not available: xdhcp keeps leases in its \
                     memfile journal (type memfile)",
                    db.kind
                ),
            ));
        }
        if !server.hosts_databases.is_empty() {
            let single = raw
                .and_then(|r| r.get(name)?.get("hosts-database"))
                .is_some();
            let key = if single {
                "hosts-database"
            } else {
                "hosts-databases"
            };
            out.push(diag(
                &[name, key],
                format!(
                    "{key} is not available: xdhcp holds reservations in the \
                     configuration and through the host_cmds commands"
                ),
            ));
        }
    }
    out
}

/// Runs the deep check of `cfg` (read from `raw`); returns notes for the
/// operator, or the errors found.
pub fn check(cfg: &Config, raw: &Value) -> Result<Vec<String>, Vec<Diag>> {
    let mut errors = unsupported_databases(cfg, Some(raw));
    let no_effect = crate::config::no_effect::findings(&raw.to_serde());
    let mut notes: Vec<String> = no_effect.iter().map(ToString::to_string).collect();
    for (name, server) in cfg.servers() {
        if server.lease_database.kind == "memfile" && server.lease_database.persist {
            let family = if name == "Dhcp4" { 4 } else { 6 };
            notes.extend(journal_notes(&store_config(server).journal.dir, family));
        }
        for (i, socket) in server.control_sockets.iter().enumerate() {
            let Some(tls) = &socket.tls else { continue };
            if let Err(e) = crate::api::tls::acceptor(tls) {
                let key = if raw
                    .get(name)
                    .and_then(|s| s.get("control-sockets"))
                    .is_some()
                {
                    "control-sockets"
                } else {
                    "control-socket"
                };
                let (list, path) = (locate(raw, &[name, key]), diag::join(name, key));
                let (at, path) = match list.as_array().and_then(|a| a.get(i)) {
                    Some(item) => (item, diag::index(&path, i)),
                    None => (list, path),
                };
                errors.push(Diag::new(&at.pos, path, e.to_string()));
            }
        }
    }
    if errors.is_empty() {
        Ok(notes)
    } else {
        Err(errors)
    }
}

/// What the next start would find in the lease journal directory `dir`:
/// each snapshot and journal checked as recovery checks it, nothing fixed.
fn journal_notes(dir: &Path, family: u8) -> Vec<String> {
    let Ok((journals, snapshots)) = recover::list(dir) else {
        return vec![format!(
            "lease journal {}: not there yet; the server creates it at start",
            dir.display()
        )];
    };
    let files: Vec<_> = snapshots
        .iter()
        .map(|s| &s.1)
        .chain(journals.iter().map(|j| &j.2))
        .collect();
    let mut notes = Vec::new();
    let mut records = 0;
    for path in &files {
        match recover::check(path, family) {
            Ok(r) if r.good_end == 0 => notes.push(format!(
                "lease journal {}: not a DHCPv{family} journal file; the next start ignores it",
                path.display()
            )),
            Ok(r) => {
                records += r.records;
                if r.dropped_bytes > 0 {
                    notes.push(format!(
                        "lease journal {}: {} damaged byte(s) after record {} would be dropped at start",
                        path.display(),
                        r.dropped_bytes,
                        r.records
                    ));
                }
            }
            Err(e) => notes.push(format!("lease journal {}: {e}", path.display())),
        }
    }
    notes.push(format!(
        "lease journal {}: {} file(s), {records} record(s) readable",
        dir.display(),
        files.len()
    ));
    notes
}
