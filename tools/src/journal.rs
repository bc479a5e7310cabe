//! `xdhcp journal inspect`: what the lease journal of a server holds, file
//! by file: records and their kinds, sequence numbers, and any damage the
//! next start would drop.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use xdhcp_controlplane::leases::store_config;
use xdhcp_dataplane::journal::frame::{scan, Op};
use xdhcp_dataplane::lease::{Lease, Lease4, Lease6};

/// Prints a report for the journal of the server configured in `config`;
/// with `records`, one line per record as well. Damage is reported, never
/// repaired: the server truncates it at its next start.
pub fn inspect(config: &Path, v6: bool, records: bool) -> Result<(), String> {
    let cfg = xdhcp_controlplane::load_file(config).map_err(|errors| {
        errors
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("\n")
    })?;
    let server = if v6 { cfg.dhcp6 } else { cfg.dhcp4 }
        .ok_or("no such server section in the configuration")?;
    let dir = store_config(&server).journal.dir;
    if !server.lease_database.persist {
        return Err("leases are kept in memory only (persist: false): there is no journal".into());
    }
    let family = if v6 { 6 } else { 4 };
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "log"))
        .collect();
    files.sort();
    println!("journal {} ({} file(s))", dir.display(), files.len());
    let mut damaged = 0;
    for path in &files {
        let buf = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let mut kinds: BTreeMap<String, u64> = BTreeMap::new();
        let (mut first, mut last) = (None, 0);
        let end = scan(&buf, family, |r| {
            *kinds.entry(format!("{:?}", r.kind)).or_default() += 1;
            first.get_or_insert(r.seq);
            last = r.seq;
            if records {
                println!(
                    "  {:>8} {:<12} {}",
                    r.seq,
                    format!("{:?}", r.kind),
                    describe(r.op, r.body, v6)
                );
            }
            true
        });
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        let Some(end) = end else {
            println!("{name}: not a DHCPv{family} journal file");
            damaged += 1;
            continue;
        };
        let seqs = first.map_or("none".to_string(), |f| format!("{f}..={last}"));
        let kinds: Vec<String> = kinds.iter().map(|(k, n)| format!("{k} {n}")).collect();
        println!(
            "{name}: {} record(s), seq {seqs}, {} byte(s) good, {} damaged byte(s){}",
            end.records,
            end.good_end,
            end.dropped,
            if kinds.is_empty() {
                String::new()
            } else {
                format!(" [{}]", kinds.join(", "))
            }
        );
        if end.dropped > 0 {
            damaged += 1;
        }
    }
    if damaged > 0 {
        println!("{damaged} file(s) damaged: the server drops the damage at its next start and logs how much");
    }
    Ok(())
}

/// A record body, as the address and client it concerns.
fn describe(op: Op, body: &[u8], v6: bool) -> String {
    if op == Op::Delete {
        return format!("delete ({} byte key)", body.len());
    }
    if v6 {
        Lease6::decode(body).map_or("undecodable".into(), |l| {
            format!("{}/{} iaid {}", l.addr, l.prefix_len, l.iaid)
        })
    } else {
        Lease4::decode(body).map_or("undecodable".into(), |l| {
            format!(
                "{} hw {:?} valid {} cltt {}",
                l.addr, l.hwaddr, l.valid_lft, l.cltt
            )
        })
    }
}
