//! `option-def` and `option-data`: definitions extend the dataplane's option
//! table; every data entry is resolved to a definition and encoded to the
//! payload bytes the server will send.

use xdhcp_dataplane::options::{
    decode_to_text, encode_data, encode_hex, DataType, OptionDef, OptionSpaces,
};

use super::keys;
use super::read::Ctx;
use crate::diag;
use crate::json::{Pos, Value};

/// One resolved `option-data` entry.
#[derive(Debug, Clone, PartialEq)]
pub struct OptionData {
    /// Option space (default `dhcp4` / `dhcp6`).
    pub space: String,
    /// Option code.
    pub code: u16,
    /// Option name, when a definition is known.
    pub name: Option<String>,
    /// The `data` text as written.
    pub data: String,
    /// `csv-format` as written (default true).
    pub csv_format: bool,
    /// `always-send`: include even when not requested.
    pub always_send: bool,
    /// `never-send`: never include (newer manuals).
    pub never_send: bool,
    /// The encoded payload.
    pub payload: Vec<u8>,
    /// Where the entry starts.
    pub pos: Pos,
}

/// Read a list of `option-def` entries into `spaces`.
pub fn read_defs(v: &Value, path: &str, ctx: &mut Ctx, spaces: &mut OptionSpaces) {
    let Some(items) = ctx.list(v, path) else {
        return;
    };
    let top = ctx.universe.top_space();
    for (i, item) in items.iter().enumerate() {
        let p = diag::index(path, i);
        let Some(m) = ctx.map(item, &p, "option-def", keys::OPTION_DEF) else {
            continue;
        };
        let name = m.str(ctx, "name");
        let code = m.int(ctx, "code", 0, i64::from(u16::MAX));
        let ty = m.str(ctx, "type");
        let (Some(name), Some(code), Some(ty)) = (name, code, ty) else {
            for key in ["name", "code", "type"] {
                if !m.has(key) {
                    ctx.err(&item.pos, &p, format!("missing parameter '{key}'"));
                }
            }
            continue;
        };
        let Some(data_type) = DataType::from_kea_name(&ty) else {
            ctx.err(
                &m.get("type").expect("present").pos,
                &m.key_path("type"),
                format!("unknown option data type '{ty}'"),
            );
            continue;
        };
        let mut record_types = Vec::new();
        let rt = m.str(ctx, "record-types").unwrap_or_default();
        for field in rt.split(',').map(str::trim).filter(|f| !f.is_empty()) {
            match DataType::from_kea_name(field) {
                Some(t) => record_types.push(t),
                None => ctx.err(
                    &m.get("record-types").expect("present").pos,
                    &m.key_path("record-types"),
                    format!("unknown record field type '{field}'"),
                ),
            }
        }
        let space = m.str(ctx, "space").unwrap_or_else(|| top.to_string());
        let encapsulate = m.str(ctx, "encapsulate").unwrap_or_default();
        let array = m.bool(ctx, "array").unwrap_or(false);
        let def = OptionDef::custom(
            name,
            code as u16,
            space,
            data_type,
            array,
            record_types,
            encapsulate,
        );
        if let Err(e) = spaces.add_custom(def) {
            ctx.err(&item.pos, &p, e.to_string());
        }
    }
}

/// Read and encode a list of `option-data` entries.
pub fn read_data(v: &Value, path: &str, ctx: &mut Ctx, spaces: &OptionSpaces) -> Vec<OptionData> {
    let Some(items) = ctx.list(v, path) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        if let Some(o) = read_one(item, &diag::index(path, i), ctx, spaces) {
            out.push(o);
        }
    }
    out
}

fn read_one(item: &Value, p: &str, ctx: &mut Ctx, spaces: &OptionSpaces) -> Option<OptionData> {
    let universe = ctx.universe;
    let m = ctx.map(item, p, "option-data", keys::OPTION_DATA)?;
    let name = m.str(ctx, "name");
    let code = m.int(ctx, "code", 0, i64::from(u16::MAX));
    let space = m
        .str(ctx, "space")
        .unwrap_or_else(|| universe.top_space().to_string());
    // An entry without `data`, or with empty data, is legal (e.g.
    // `never-send`, or an option sent empty); there is nothing to encode.
    let has_data = m
        .get("data")
        .and_then(|d| d.as_str())
        .is_some_and(|d| !d.trim().is_empty());
    let data = m.str(ctx, "data").unwrap_or_default();
    let csv_given = m.bool(ctx, "csv-format");
    let always_send = m.bool(ctx, "always-send").unwrap_or(false);
    let never_send = m.bool(ctx, "never-send").unwrap_or(false);
    if let Some(c) = code {
        let bad = (space == universe.top_space() && (c == 0 || (!ctx.v6() && c == 255)))
            || c > i64::from(universe.max_code());
        if bad {
            ctx.err(
                &m.get("code").expect("present").pos,
                &m.key_path("code"),
                format!("invalid option code {c} for space '{space}'"),
            );
            return None;
        }
    }
    let def = match (&name, code) {
        (_, Some(c)) => {
            let def = spaces.get(&space, c as u16);
            if let (Some(d), Some(n)) = (def, &name) {
                if d.name != n.as_str() {
                    ctx.err(
                        &item.pos,
                        p,
                        format!(
                            "option '{n}' does not match the definition of code {c} in space '{space}' ('{}')",
                            d.name
                        ),
                    );
                    return None;
                }
            }
            def
        }
        (Some(n), None) => match spaces.get_by_name(&space, n) {
            Some(d) => Some(d),
            None => {
                ctx.err(
                    &m.get("name").expect("present").pos,
                    &m.key_path("name"),
                    format!("definition for the option '{space}.{n}' does not exist"),
                );
                return None;
            }
        },
        (None, None) => {
            ctx.err(
                &item.pos,
                p,
                "option data must have a 'name' or a 'code'".to_string(),
            );
            return None;
        }
    };
    let data_pos = m.get("data").map_or(&item.pos, |v| &v.pos);
    let data_path = m.key_path("data");
    let payload = match def {
        _ if !has_data => Ok(Vec::new()),
        Some(d) => encode_data(d, &data, csv_given.unwrap_or(true), universe),
        // No definition: only raw hex (csv-format false, explicitly) can
        // be sent, as in Kea.
        None if csv_given == Some(false) => encode_hex(&data),
        None => {
            ctx.err(
                &item.pos,
                p,
                format!(
                    "definition for the option '{space}.{}' having code '{}' does not exist",
                    name.as_deref().unwrap_or(""),
                    code.unwrap_or(0)
                ),
            );
            return None;
        }
    };
    let payload = match payload {
        Ok(b) => b,
        Err(e) => {
            ctx.err(data_pos, &data_path, e.to_string());
            return None;
        }
    };
    // Raw hex must still fit the definition (Kea unpacks it with the
    // definition and rejects e.g. 17 bytes for a list of IPv6 addresses).
    if let (Some(d), false, false) = (def, csv_given.unwrap_or(true), payload.is_empty()) {
        if let Err(e) = decode_to_text(d, &payload, universe) {
            ctx.err(
                data_pos,
                &data_path,
                format!(
                    "option data does not match the definition of '{}': {e}",
                    d.name
                ),
            );
            return None;
        }
    }
    let (code, name) = match def {
        Some(d) => (d.code, Some(d.name.to_string())),
        None => (code.unwrap_or(0) as u16, name),
    };
    Some(OptionData {
        space,
        code,
        name,
        data,
        csv_format: csv_given.unwrap_or(true),
        always_send,
        never_send,
        payload,
        pos: item.pos.clone(),
    })
}
