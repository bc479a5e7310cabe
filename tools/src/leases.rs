//! `xdhcp leases export|import`: move leases between a server's lease store
//! and Kea's memfile CSV, in either direction, with Kea's exact columns.

use std::fs::File;
use std::io::{BufReader, BufWriter, Write};
use std::path::Path;

use xdhcp_controlplane::config::Server;
use xdhcp_controlplane::leases::store_config;
use xdhcp_dataplane::lease::{csv, Lease4, Lease6, LeaseStore};

/// Which server of the configuration file the leases belong to.
fn server(config: &Path, v6: bool) -> Result<Server, String> {
    let cfg = xdhcp_controlplane::load_file(config).map_err(|errors| {
        let text: Vec<String> = errors.iter().map(ToString::to_string).collect();
        text.join("\n")
    })?;
    let (name, s) = if v6 {
        ("Dhcp6", cfg.dhcp6)
    } else {
        ("Dhcp4", cfg.dhcp4)
    };
    let s = s.ok_or_else(|| format!("{} has no {name} section", config.display()))?;
    if !s.lease_database.persist {
        return Err(format!(
            "{name} keeps leases in memory only (persist: false): nothing on disk"
        ));
    }
    Ok(s)
}

/// Writes the server's leases as Kea CSV to `out` (standard output when None).
/// Run it with the server stopped: the journal has one writer at a time.
pub fn export(config: &Path, v6: bool, out: Option<&Path>) -> Result<(), String> {
    let cfg = store_config(&server(config, v6)?);
    let mut w: Box<dyn Write> = match out {
        Some(p) => Box::new(BufWriter::new(
            File::create(p).map_err(|e| format!("{}: {e}", p.display()))?,
        )),
        None => Box::new(BufWriter::new(std::io::stdout().lock())),
    };
    let n = if v6 {
        let (store, _) = LeaseStore::<Lease6>::open(cfg).map_err(|e| e.to_string())?;
        csv::save6(&store, &mut w).map_err(|e| e.to_string())?;
        store.len()
    } else {
        let (store, _) = LeaseStore::<Lease4>::open(cfg).map_err(|e| e.to_string())?;
        csv::save4(&store, &mut w).map_err(|e| e.to_string())?;
        store.len()
    };
    w.flush().map_err(|e| e.to_string())?;
    eprintln!("xdhcp: exported {n} lease(s)");
    Ok(())
}

/// Loads a Kea memfile CSV into the server's lease store (journalled).
/// Run it with the server stopped.
pub fn import(config: &Path, v6: bool, file: &Path) -> Result<(), String> {
    let cfg = store_config(&server(config, v6)?);
    let r = BufReader::new(File::open(file).map_err(|e| format!("{}: {e}", file.display()))?);
    let where_ = |e: &dyn std::fmt::Display| format!("{}: {e}", file.display());
    let n = if v6 {
        let (store, _) = LeaseStore::<Lease6>::open(cfg).map_err(|e| e.to_string())?;
        let n = csv::load6(&store, r).map_err(|e| where_(&e))?;
        store.flush_all().map_err(|e| e.to_string())?;
        n
    } else {
        let (store, _) = LeaseStore::<Lease4>::open(cfg).map_err(|e| e.to_string())?;
        let n = csv::load4(&store, r).map_err(|e| where_(&e))?;
        store.flush_all().map_err(|e| e.to_string())?;
        n
    };
    eprintln!("xdhcp: imported {n} lease(s)");
    Ok(())
}
