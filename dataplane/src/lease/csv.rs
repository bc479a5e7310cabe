//! Kea memfile CSV import and export (Kea 2.2 column layout).
//!
//! Kea 2.2 writes, for v4:
//! `address,hwaddr,client_id,valid_lifetime,expire,subnet_id,fqdn_fwd,fqdn_rev,hostname,state,user_context`
//! and for v6:
//! `address,duid,valid_lifetime,expire,subnet_id,pref_lifetime,lease_type,iaid,prefix_len,fqdn_fwd,fqdn_rev,hostname,hwaddr,state,user_context,hwtype,hwaddr_source`.
//! Commas inside values are written as `&#x2c`. Import also accepts later
//! Kea versions' extra columns (e.g. `pool_id`) by reading the header.

use std::io::{self, BufRead, Write};
use std::net::{Ipv4Addr, Ipv6Addr};

use super::ident::{parse_hex, ClientId, Hex, Hostname, HwAddr, UserContext};
use super::v6::LeaseType;
use super::{Lease, Lease4, Lease6, LeaseState, LeaseStore, StoreError};
use crate::journal::RecordKind;

/// Kea 2.2's v4 header.
pub const HEADER4: &str =
    "address,hwaddr,client_id,valid_lifetime,expire,subnet_id,fqdn_fwd,fqdn_rev,hostname,state,user_context";
/// Kea 2.2's v6 header.
pub const HEADER6: &str = "address,duid,valid_lifetime,expire,subnet_id,pref_lifetime,lease_type,iaid,prefix_len,fqdn_fwd,fqdn_rev,hostname,hwaddr,state,user_context,hwtype,hwaddr_source";

/// A CSV line that could not be read.
#[derive(Debug)]
pub struct CsvError {
    /// 1-based line number.
    pub line: usize,
    /// What was wrong.
    pub msg: String,
}

impl std::fmt::Display for CsvError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}: {}", self.line, self.msg)
    }
}

impl std::error::Error for CsvError {}

/// Escapes commas as Kea's `CSVRow::escapeCharacters` does.
pub fn escape(s: &str) -> String {
    s.replace(',', "&#x2c")
}

/// Reverses Kea's escaping: `&#xHH` becomes the byte `HH`.
pub fn unescape(s: &str) -> String {
    if !s.contains("&#x") {
        return s.to_owned();
    }
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i..].starts_with(b"&#x") && i + 5 <= b.len() {
            if let Ok(v) = u8::from_str_radix(&s[i + 3..i + 5], 16) {
                out.push(v);
                i += 5;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

struct Row<'a> {
    cols: &'a [String],
    vals: Vec<&'a str>,
    line: usize,
}

impl<'a> Row<'a> {
    fn get(&self, name: &str) -> Option<&'a str> {
        let i = self.cols.iter().position(|c| c == name)?;
        self.vals.get(i).copied()
    }
    fn req(&self, name: &str) -> Result<&'a str, CsvError> {
        self.get(name)
            .ok_or_else(|| self.err(format!("missing column {name}")))
    }
    fn num<T: std::str::FromStr>(&self, name: &str) -> Result<T, CsvError> {
        self.req(name)?
            .trim()
            .parse()
            .map_err(|_| self.err(format!("bad {name}")))
    }
    fn opt_num<T: std::str::FromStr + Default>(&self, name: &str) -> Result<T, CsvError> {
        match self.get(name).map(str::trim) {
            None | Some("") => Ok(T::default()),
            Some(_) => self.num(name),
        }
    }
    fn hex(&self, name: &str) -> Result<Vec<u8>, CsvError> {
        let v = self.get(name).unwrap_or("").trim();
        if v.is_empty() {
            return Ok(Vec::new());
        }
        parse_hex(v).ok_or_else(|| self.err(format!("bad {name}")))
    }
    fn ctx(&self) -> Option<UserContext> {
        let v = self.get("user_context").unwrap_or("");
        (!v.is_empty()).then(|| unescape(v).into())
    }
    fn err(&self, msg: String) -> CsvError {
        CsvError {
            line: self.line,
            msg,
        }
    }
}

fn times(row: &Row<'_>) -> Result<(u32, u32), CsvError> {
    let valid: u32 = row.num("valid_lifetime")?;
    let expire: u64 = row.num("expire")?;
    Ok((
        valid,
        expire.saturating_sub(valid as u64).min(u32::MAX as u64) as u32,
    ))
}

fn read_rows<T>(
    r: impl BufRead,
    mut f: impl FnMut(&Row<'_>) -> Result<T, CsvError>,
) -> Result<Vec<T>, CsvError> {
    let mut cols: Vec<String> = Vec::new();
    let mut out = Vec::new();
    for (i, line) in r.lines().enumerate() {
        let line = line.map_err(|e| CsvError {
            line: i + 1,
            msg: e.to_string(),
        })?;
        let line = line.trim_end_matches('\r');
        if line.is_empty() {
            continue;
        }
        if cols.is_empty() {
            cols = line.split(',').map(str::to_owned).collect();
            if cols.first().map(String::as_str) != Some("address") {
                return Err(CsvError {
                    line: 1,
                    msg: "header does not start with address".into(),
                });
            }
            continue;
        }
        let row = Row {
            cols: &cols,
            vals: line.split(',').collect(),
            line: i + 1,
        };
        out.push(f(&row)?);
    }
    Ok(out)
}

/// Reads a Kea v4 memfile CSV.
pub fn import4(r: impl BufRead) -> Result<Vec<Lease4>, CsvError> {
    read_rows(r, |row| {
        let addr: Ipv4Addr = row.num("address")?;
        let (valid, cltt) = times(row)?;
        let hw = row.hex("hwaddr")?;
        let mut l = Lease4::new(addr, cltt, valid, row.num("subnet_id")?);
        l.hwaddr = HwAddr::new(if hw.is_empty() { 0 } else { 1 }, &hw)
            .ok_or_else(|| row.err("hwaddr too long".into()))?;
        l.client_id = ClientId::new(&row.hex("client_id")?);
        l.fqdn_fwd = row.opt_num::<u8>("fqdn_fwd")? != 0;
        l.fqdn_rev = row.opt_num::<u8>("fqdn_rev")? != 0;
        l.hostname = Hostname::new(unescape(row.get("hostname").unwrap_or("")).as_bytes());
        l.state = LeaseState::from_u8(row.opt_num("state")?);
        l.user_context = row.ctx();
        l.pool_id = row.opt_num("pool_id")?;
        Ok(l)
    })
}

/// Reads a Kea v6 memfile CSV.
pub fn import6(r: impl BufRead) -> Result<Vec<Lease6>, CsvError> {
    read_rows(r, |row| {
        let addr: Ipv6Addr = row.num("address")?;
        let (valid, cltt) = times(row)?;
        let lt = LeaseType::from_u8(row.num("lease_type")?)
            .ok_or_else(|| row.err("bad lease_type".into()))?;
        let mut l = Lease6::new(addr, &row.hex("duid")?, row.num("iaid")?, cltt, valid);
        l.lease_type = lt;
        l.subnet_id = row.num("subnet_id")?;
        l.pref_lft = row.num("pref_lifetime")?;
        l.prefix_len = row.num("prefix_len")?;
        l.fqdn_fwd = row.opt_num::<u8>("fqdn_fwd")? != 0;
        l.fqdn_rev = row.opt_num::<u8>("fqdn_rev")? != 0;
        l.hostname = Hostname::new(unescape(row.get("hostname").unwrap_or("")).as_bytes());
        let hw = row.hex("hwaddr")?;
        l.hwaddr = HwAddr::new(row.opt_num::<u16>("hwtype")? as u8, &hw)
            .ok_or_else(|| row.err("hwaddr too long".into()))?;
        l.hwaddr_source = row.opt_num("hwaddr_source")?;
        l.state = LeaseState::from_u8(row.opt_num("state")?);
        l.user_context = row.ctx();
        l.pool_id = row.opt_num("pool_id")?;
        Ok(l)
    })
}

fn ctx(c: &Option<UserContext>) -> String {
    c.as_deref().map(escape).unwrap_or_default()
}

/// Writes v4 leases in Kea 2.2's format, header included.
pub fn export4<'a>(
    mut w: impl Write,
    leases: impl IntoIterator<Item = &'a Lease4>,
) -> io::Result<()> {
    writeln!(w, "{HEADER4}")?;
    for l in leases {
        writeln!(
            w,
            "{},{},{},{},{},{},{},{},{},{},{}",
            l.addr,
            Hex(l.hwaddr.as_bytes()),
            Hex(l.client_id.as_bytes()),
            l.valid_lft,
            l.expire(),
            l.subnet_id,
            l.fqdn_fwd as u8,
            l.fqdn_rev as u8,
            escape(&String::from_utf8_lossy(l.hostname.as_bytes())),
            l.state as u8,
            ctx(&l.user_context),
        )?;
    }
    Ok(())
}

/// Writes v6 leases in Kea 2.2's format, header included.
pub fn export6<'a>(
    mut w: impl Write,
    leases: impl IntoIterator<Item = &'a Lease6>,
) -> io::Result<()> {
    writeln!(w, "{HEADER6}")?;
    for l in leases {
        let hw = l.hwaddr.as_bytes();
        writeln!(
            w,
            "{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}",
            l.addr,
            Hex(l.duid.as_bytes()),
            l.valid_lft,
            l.expire(),
            l.subnet_id,
            l.pref_lft,
            l.lease_type as u8,
            l.iaid,
            l.prefix_len,
            l.fqdn_fwd as u8,
            l.fqdn_rev as u8,
            escape(&String::from_utf8_lossy(l.hostname.as_bytes())),
            Hex(hw),
            l.state as u8,
            ctx(&l.user_context),
            if hw.is_empty() {
                String::new()
            } else {
                l.hwaddr.htype.to_string()
            },
            if hw.is_empty() {
                String::new()
            } else {
                l.hwaddr_source.to_string()
            },
        )?;
    }
    Ok(())
}

/// Loads a Kea v4 CSV into `store` (journalled as admin adds). Kea appends
/// a line per change, so a later line for an address replaces an earlier
/// one, exactly as Kea's own loader does. Returns the lines applied.
pub fn load4(store: &LeaseStore<Lease4>, r: impl BufRead) -> Result<usize, LoadError> {
    let rows = import4(r)?;
    for l in &rows {
        store.upsert(l.clone(), RecordKind::AdminAdd)?;
    }
    Ok(rows.len())
}

/// Loads a Kea v6 CSV into `store`; see [`load4`].
pub fn load6(store: &LeaseStore<Lease6>, r: impl BufRead) -> Result<usize, LoadError> {
    let rows = import6(r)?;
    for l in &rows {
        store.upsert(l.clone(), RecordKind::AdminAdd)?;
    }
    Ok(rows.len())
}

/// Writes every lease of `store`, sorted by address, as a Kea v4 CSV.
pub fn save4(store: &LeaseStore<Lease4>, w: impl Write) -> io::Result<()> {
    export4(w, &store.snapshot_sorted())
}

/// Writes every lease of `store`, sorted by address, as a Kea v6 CSV.
pub fn save6(store: &LeaseStore<Lease6>, w: impl Write) -> io::Result<()> {
    export6(w, &store.snapshot_sorted())
}

/// Why [`load4`] / [`load6`] failed.
#[derive(Debug)]
pub enum LoadError {
    /// The CSV could not be read.
    Csv(CsvError),
    /// The store refused a lease.
    Store(StoreError),
}

impl std::fmt::Display for LoadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LoadError::Csv(e) => e.fmt(f),
            LoadError::Store(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for LoadError {}

impl From<CsvError> for LoadError {
    fn from(e: CsvError) -> Self {
        LoadError::Csv(e)
    }
}

impl From<StoreError> for LoadError {
    fn from(e: StoreError) -> Self {
        LoadError::Store(e)
    }
}
