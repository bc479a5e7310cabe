//! Kea's stat_cmds: `stat-lease4-get` and `stat-lease6-get`, one row of
//! lease statistics per configured subnet in Kea 2.2's result-set shape.
//! As in Kea, totals and cumulative counts are the statistics (so a
//! `statistic-reset` shows), while assigned and declined counts come
//! from the lease table itself.

use std::collections::{BTreeSet, HashMap};
use std::time::SystemTime;

use serde_json::{json, Map, Value};

use super::{answer, answer_with, result};
use crate::stats::Stats;

type Args = Map<String, Value>;

/// The columns of each family's rows, each with the statistic it shows
/// and whether that is read from the leases (not reset by operators).
fn columns(family: u8) -> &'static [(&'static str, &'static str, bool)] {
    if family == 4 {
        &[
            ("total-addresses", "total-addresses", false),
            (
                "cumulative-assigned-addresses",
                "cumulative-assigned-addresses",
                false,
            ),
            ("assigned-addresses", "assigned-addresses", true),
            ("declined-addresses", "declined-addresses", true),
        ]
    } else {
        &[
            ("total-nas", "total-nas", false),
            ("cumulative-assigned-nas", "cumulative-assigned-nas", false),
            ("assigned-nas", "assigned-nas", true),
            ("declined-nas", "declined-addresses", true),
            ("total-pds", "total-pds", false),
            ("cumulative-assigned-pds", "cumulative-assigned-pds", false),
            ("assigned-pds", "assigned-pds", true),
        ]
    }
}

/// Which subnets were asked for.
enum Select {
    All,
    One(u64),
    Range(u64, u64),
}

impl Select {
    /// Kea's label, as its texts show it.
    fn label(&self) -> String {
        match self {
            Select::All => "[all subnets]".into(),
            Select::One(id) => format!("[subnet-id={id}]"),
            Select::Range(a, b) => format!("[subnets {a} through {b}]"),
        }
    }
}

fn positive(v: &Value, wrong_type: &str, name: &str) -> Result<u64, String> {
    let n = v.as_i64().ok_or_else(|| wrong_type.to_string())?;
    u64::try_from(n)
        .ok()
        .filter(|n| *n > 0)
        .ok_or_else(|| format!("'{name}' parameter must be > 0"))
}

fn select(given: Option<&Args>) -> Result<Select, String> {
    let Some(args) = given else {
        return Ok(Select::All);
    };
    let one = args
        .get("subnet-id")
        .map(|v| positive(v, "'subnet-id' parameter is not integer", "subnet-id"))
        .transpose()?;
    let Some(range) = args.get("subnet-range") else {
        return Ok(one.map_or(Select::All, Select::One));
    };
    if one.is_some() {
        return Err("cannot specify both subnet-id and subnet-range".into());
    }
    let range = range
        .as_object()
        .ok_or("subnet-range parameter is not a map")?;
    let bound = |name: &str| {
        let wrong = format!("'{name}' parameter missing or not an integer");
        let v = range.get(name).ok_or_else(|| wrong.clone())?;
        positive(v, &wrong, name)
    };
    let (first, last) = (bound("first-subnet-id")?, bound("last-subnet-id")?);
    if last < first {
        return Err("'last-subnet-id' must be greater than 'first-subnet-id'".into());
    }
    Ok(Select::Range(first, last))
}

/// The subnets `select` keeps of `ids` (sorted), or Kea's reason why
/// there are none.
fn chosen(ids: &BTreeSet<u64>, select: &Select, family: u8) -> Result<Vec<u64>, String> {
    let (first, last) = match *select {
        Select::All => (0, 0),
        Select::One(id) => (id, 0),
        Select::Range(a, b) => (a, b),
    };
    let picked: Vec<u64> = match *select {
        Select::All => ids.iter().copied().collect(),
        Select::One(id) => {
            // Kea's DHCPv4 side looks the id up; its DHCPv6 side takes the
            // first id not below it, which differs when the id is missing.
            let known = if family == 4 {
                ids.contains(&id)
            } else {
                ids.range(id..).next().is_some()
            };
            if !known {
                return Err(format!("subnet-id: {id} does not exist"));
            }
            ids.range(id..=id).copied().collect()
        }
        Select::Range(a, b) => ids.range(a..=b).copied().collect(),
    };
    if picked.is_empty() {
        return Err(format!(
            "selected ID range: {first} through {last} includes no known subnets"
        ));
    }
    Ok(picked)
}

/// The values of `list` by statistic name.
fn by_name(list: &[(String, i64)]) -> HashMap<&str, i64> {
    list.iter().map(|(n, v)| (n.as_str(), *v)).collect()
}

/// Runs `stat-lease4-get` or `stat-lease6-get` over `stats`, the
/// statistics of that DHCP version (`None` when this server does not
/// serve it: no subnets, as Kea answers then).
pub fn run(stats: Option<&Stats>, command: &str, given: Option<&Args>) -> Value {
    let family = if command == "stat-lease4-get" { 4 } else { 6 };
    let select = match select(given) {
        Ok(s) => s,
        Err(text) => return answer(result::ERROR, text),
    };
    let (raw, visible) = match stats {
        Some(s) => {
            let raw = match s.read() {
                Ok(raw) => raw,
                Err(e) => return answer(result::ERROR, e),
            };
            let mut registry = s.registry.lock().unwrap_or_else(|e| e.into_inner());
            (raw.clone(), registry.observe(raw))
        }
        None => (Vec::new(), Vec::new()),
    };
    let cols = columns(family);
    let total = format!("].{}", cols[0].1);
    let ids: BTreeSet<u64> = raw
        .iter()
        .filter_map(|(name, _)| {
            let id = name.strip_prefix("subnet[")?.strip_suffix(total.as_str())?;
            id.parse().ok()
        })
        .collect();
    let label = format!("{command}{}", select.label());
    let picked = match chosen(&ids, &select, family) {
        Ok(p) => p,
        Err(why) => {
            let text = format!("{label}: no matching data, {why}");
            return answer_with(result::EMPTY, text, json!({}));
        }
    };
    // Looked up by name: a row per subnet, thousands of them.
    let (raw, visible) = (by_name(&raw), by_name(&visible));
    let rows: Vec<Value> = picked
        .iter()
        .map(|id| {
            let mut row = vec![json!(id)];
            for (_, stat, from_leases) in cols {
                let list = if *from_leases { &raw } else { &visible };
                let name = format!("subnet[{id}].{stat}");
                row.push(list.get(name.as_str()).copied().unwrap_or(0).into());
            }
            Value::Array(row)
        })
        .collect();
    let names: Vec<&str> = std::iter::once("subnet-id")
        .chain(cols.iter().map(|c| c.0))
        .collect();
    answer_with(
        result::SUCCESS,
        format!("{label}: {} rows found", rows.len()),
        json!({ "result-set": {
            "columns": names,
            "rows": rows,
            "timestamp": super::stats::timestamp(SystemTime::now()),
        }}),
    )
}
