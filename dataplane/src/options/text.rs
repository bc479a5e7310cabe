//! Option-data text semantics: Kea's `data` strings to payload bytes and back.
//!
//! With `csv-format: true` (the default) the `data` string is a comma
//! separated list of values, one per array element or record field, each
//! converted according to the definition ([`encode_csv`]). With
//! `csv-format: false` it is hexadecimal, or a single-quoted literal string
//! ([`encode_hex`]). [`decode_to_text`] turns payload bytes back into the csv
//! text that encodes to the same bytes.

use std::fmt::{self, Write as _};
use std::net::{Ipv4Addr, Ipv6Addr};

use super::types::{DataType, OptionDef, Universe};
use super::{DHCP4_SPACE, DHCP6_SPACE};

/// Why option data could not be converted.
///
/// Display texts name the option, the value and the type so an operator can
/// find the offending `option-data` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OptionDataError {
    /// One value could not be converted to its type.
    InvalidValue {
        /// Option name.
        option: String,
        /// The type the value should have had.
        data_type: DataType,
        /// The text as given (after trimming).
        value: String,
        /// Why it was rejected.
        reason: String,
    },
    /// Fewer comma-separated values than the definition needs.
    TooFewValues {
        /// Option name.
        option: String,
        /// Minimum number of values.
        expected: usize,
        /// Number given.
        got: usize,
    },
    /// More comma-separated values than the definition takes.
    TooManyValues {
        /// Option name.
        option: String,
        /// Maximum number of values.
        expected: usize,
        /// Number given.
        got: usize,
    },
    /// Hexadecimal (`csv-format: false`) data is malformed.
    InvalidHex {
        /// The data as given.
        text: String,
        /// Why it was rejected.
        reason: String,
    },
    /// Payload bytes end in the middle of a value.
    Truncated {
        /// Option name.
        option: String,
        /// Type of the value being read.
        data_type: DataType,
        /// Bytes the value needs.
        needed: usize,
        /// Bytes left.
        available: usize,
    },
    /// Payload bytes are well-formed but hold an impossible value.
    InvalidWire {
        /// Option name.
        option: String,
        /// Type of the value being read.
        data_type: DataType,
        /// Why it was rejected.
        reason: String,
    },
    /// Payload bytes continue after the last value of a non-array option.
    TrailingData {
        /// Option name.
        option: String,
        /// Number of unexpected bytes.
        extra: usize,
    },
    /// The option's format is not supported in this direction.
    Unsupported {
        /// Option name.
        option: String,
        /// What is missing.
        reason: String,
    },
}

impl fmt::Display for OptionDataError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OptionDataError::InvalidValue {
                option,
                data_type,
                value,
                reason,
            } => write!(
                f,
                "option '{option}': value '{value}' is not a valid {data_type}: {reason}"
            ),
            OptionDataError::TooFewValues {
                option,
                expected,
                got,
            } => write!(
                f,
                "option '{option}': needs at least {expected} comma-separated value(s), {got} given"
            ),
            OptionDataError::TooManyValues {
                option,
                expected,
                got,
            } => write!(
                f,
                "option '{option}': takes at most {expected} comma-separated value(s), {got} given \
                 (escape commas inside a value as '\\,')"
            ),
            OptionDataError::InvalidHex { text, reason } => {
                write!(f, "option data '{text}' is not valid hexadecimal: {reason}")
            }
            OptionDataError::Truncated {
                option,
                data_type,
                needed,
                available,
            } => write!(
                f,
                "option '{option}': {data_type} value needs {needed} byte(s), only {available} left"
            ),
            OptionDataError::InvalidWire {
                option,
                data_type,
                reason,
            } => write!(f, "option '{option}': invalid {data_type} value: {reason}"),
            OptionDataError::TrailingData { option, extra } => {
                write!(
                    f,
                    "option '{option}': {extra} unexpected byte(s) after the last value"
                )
            }
            OptionDataError::Unsupported { option, reason } => {
                write!(f, "option '{option}': {reason}")
            }
        }
    }
}

impl std::error::Error for OptionDataError {}

type Result<T> = std::result::Result<T, OptionDataError>;

/// Split csv option data into trimmed values the way Kea does: `\,` is a
/// literal comma and `\\` a literal backslash (any other backslash is kept),
/// and runs of commas do not produce empty values.
pub fn split_csv(text: &str) -> Vec<String> {
    split_escaped(text, ',')
        .into_iter()
        .map(|v| v.trim().to_string())
        .collect()
}

/// Kea's tokenizer: `delim` separates, a backslash escapes `delim` or itself.
fn split_escaped(text: &str, delim: char) -> Vec<String> {
    let mut out = Vec::new();
    let mut token = String::new();
    let (mut in_token, mut escaped) = (false, false);
    for c in text.chars() {
        if c == delim {
            if escaped {
                token.push(c);
                escaped = false;
            } else if in_token {
                out.push(std::mem::take(&mut token));
                in_token = false;
            }
        } else if c == '\\' {
            in_token = true;
            if escaped {
                token.push(c);
            }
            escaped = !escaped;
        } else {
            in_token = true;
            if escaped {
                token.push('\\');
                escaped = false;
            }
            token.push(c);
        }
    }
    if in_token {
        if escaped {
            token.push('\\');
        }
        out.push(token);
    }
    out
}

/// Escape a value so [`split_csv`] gives it back unchanged.
fn escape_csv(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        if c == ',' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Convert `csv-format: true` option data to payload bytes.
///
/// Non-array options take exactly one value, arrays one or more, records one
/// per field; an array record repeats its last field for any extra values, as
/// Kea does. Unlike Kea, surplus values are an error rather than silently
/// dropped, because they are almost always an unescaped comma.
pub fn encode_csv(def: &OptionDef, text: &str, universe: Universe) -> Result<Vec<u8>> {
    if def.data_type == DataType::Internal {
        return encode_internal(def, text, universe);
    }
    let values = split_csv(text);
    let name = def.name.as_ref();
    let mut out = Vec::new();
    match def.data_type {
        DataType::Empty => {
            if !values.is_empty() {
                return Err(OptionDataError::TooManyValues {
                    option: name.into(),
                    expected: 0,
                    got: values.len(),
                });
            }
        }
        DataType::Record => {
            let fields = def.record_types.as_ref();
            if values.len() < fields.len() {
                return Err(OptionDataError::TooFewValues {
                    option: name.into(),
                    expected: fields.len(),
                    got: values.len(),
                });
            }
            if values.len() > fields.len() && !def.array {
                return Err(OptionDataError::TooManyValues {
                    option: name.into(),
                    expected: fields.len(),
                    got: values.len(),
                });
            }
            let last = fields[fields.len() - 1];
            for (i, value) in values.iter().enumerate() {
                let ty = fields.get(i).copied().unwrap_or(last);
                encode_field(name, ty, value, universe, &mut out)?;
            }
        }
        ty => {
            // An empty binary option carries no bytes and is valid; every
            // other type needs at least one value.
            if values.is_empty() && (ty != DataType::Binary || def.array) {
                return Err(OptionDataError::TooFewValues {
                    option: name.into(),
                    expected: 1,
                    got: 0,
                });
            }
            if values.len() > 1 && !def.array {
                return Err(OptionDataError::TooManyValues {
                    option: name.into(),
                    expected: 1,
                    got: values.len(),
                });
            }
            for value in &values {
                encode_field(name, ty, value, universe, &mut out)?;
            }
        }
    }
    Ok(out)
}

fn invalid(option: &str, ty: DataType, value: &str, reason: impl Into<String>) -> OptionDataError {
    OptionDataError::InvalidValue {
        option: option.into(),
        data_type: ty,
        value: value.into(),
        reason: reason.into(),
    }
}

/// Append one value of type `ty`, given as text, to `out`.
fn encode_field(
    option: &str,
    ty: DataType,
    value: &str,
    universe: Universe,
    out: &mut Vec<u8>,
) -> Result<()> {
    let bad = |reason: &str| invalid(option, ty, value, reason);
    match ty {
        DataType::Empty | DataType::Record | DataType::Internal => {
            return Err(bad("this type cannot be given as a single value"))
        }
        DataType::Binary => out.extend(decode_hex_digits(value).map_err(|r| bad(&r))?),
        DataType::Boolean => out.push(
            parse_bool(value).ok_or_else(|| bad("expected 'true', 'false', '1' or '0'"))? as u8,
        ),
        DataType::Int8 => {
            out.push(parse_int(value, i8::MIN as i64, i8::MAX as i64).map_err(|r| bad(&r))? as u8)
        }
        DataType::Int16 => out.extend(
            (parse_int(value, i16::MIN as i64, i16::MAX as i64).map_err(|r| bad(&r))? as i16)
                .to_be_bytes(),
        ),
        DataType::Int32 => out.extend(
            (parse_int(value, i32::MIN as i64, i32::MAX as i64).map_err(|r| bad(&r))? as i32)
                .to_be_bytes(),
        ),
        DataType::Uint8 => {
            out.push(parse_int(value, 0, u8::MAX as i64).map_err(|r| bad(&r))? as u8)
        }
        DataType::Uint16 => out.extend(
            (parse_int(value, 0, u16::MAX as i64).map_err(|r| bad(&r))? as u16).to_be_bytes(),
        ),
        DataType::Uint32 => out.extend(
            (parse_int(value, 0, u32::MAX as i64).map_err(|r| bad(&r))? as u32).to_be_bytes(),
        ),
        DataType::Ipv4Address => out.extend(
            value
                .parse::<Ipv4Addr>()
                .map_err(|_| bad("expected a dotted-quad IPv4 address"))?
                .octets(),
        ),
        DataType::Ipv6Address => out.extend(
            value
                .parse::<Ipv6Addr>()
                .map_err(|_| bad("expected an IPv6 address"))?
                .octets(),
        ),
        DataType::Ipv6Prefix => {
            let (addr, len) = parse_prefix6(value).map_err(|r| bad(&r))?;
            write_prefix(&addr.octets(), len, out);
        }
        DataType::Psid => {
            let (psid, len) = parse_psid(value).map_err(|r| bad(&r))?;
            out.push(len);
            let wire = if len == 0 {
                0
            } else {
                psid << (16 - len as u32)
            };
            out.extend((wire as u16).to_be_bytes());
        }
        // Kea refuses empty strings: the option would carry nothing.
        DataType::String if value.is_empty() => return Err(bad("a string must not be empty")),
        DataType::String => out.extend_from_slice(value.as_bytes()),
        DataType::Tuple => {
            let bytes = value.as_bytes();
            match universe {
                Universe::V4 => {
                    let len = u8::try_from(bytes.len())
                        .map_err(|_| bad("longer than 255 bytes, the DHCPv4 tuple limit"))?;
                    out.push(len);
                }
                Universe::V6 => {
                    let len = u16::try_from(bytes.len())
                        .map_err(|_| bad("longer than 65535 bytes, the DHCPv6 tuple limit"))?;
                    out.extend(len.to_be_bytes());
                }
            }
            out.extend_from_slice(bytes);
        }
        DataType::Fqdn => write_fqdn(value, out).map_err(|r| bad(&r))?,
    }
    Ok(())
}

/// Convert an `option-data` entry's `data` according to its `csv-format`
/// flag: [`encode_csv`] when true (Kea's default), [`encode_hex`] when false.
pub fn encode_data(
    def: &OptionDef,
    data: &str,
    csv_format: bool,
    universe: Universe,
) -> Result<Vec<u8>> {
    if csv_format {
        encode_csv(def, data, universe)
    } else {
        encode_hex(data)
    }
}

/// Kea's boolean words: `true`/`false` in any case, or the numbers 1 and 0.
fn parse_bool(value: &str) -> Option<bool> {
    match value.to_ascii_lowercase().as_str() {
        "true" | "1" => Some(true),
        "false" | "0" => Some(false),
        _ => None,
    }
}

/// Decimal (optionally signed) or `0x` hexadecimal, range checked.
fn parse_int(value: &str, min: i64, max: i64) -> std::result::Result<i64, String> {
    let parsed = if let Some(hex) = value
        .strip_prefix("0x")
        .or_else(|| value.strip_prefix("0X"))
    {
        i64::from_str_radix(hex, 16)
            .ok()
            .filter(|_| !hex.starts_with(['+', '-']))
    } else {
        value.parse::<i64>().ok()
    };
    let n = parsed
        .ok_or_else(|| "expected a decimal or 0x-prefixed hexadecimal integer".to_string())?;
    if n < min || n > max {
        return Err(format!("out of range {min}..{max}"));
    }
    Ok(n)
}

fn parse_prefix6(value: &str) -> std::result::Result<(Ipv6Addr, u8), String> {
    let (addr, len) = value.split_once('/').ok_or("expected 'address/length'")?;
    let addr: Ipv6Addr = addr.trim().parse().map_err(|_| "bad IPv6 address part")?;
    let len: u8 = len
        .trim()
        .parse()
        .ok()
        .filter(|&l| l <= 128)
        .ok_or("prefix length must be 0..128")?;
    Ok((addr, len))
}

/// Prefix length byte, then only the bytes the prefix covers, with the bits
/// past the length cleared so equal prefixes encode identically.
fn write_prefix(addr: &[u8], len: u8, out: &mut Vec<u8>) {
    out.push(len);
    let nbytes = (len as usize).div_ceil(8);
    let start = out.len();
    out.extend_from_slice(&addr[..nbytes]);
    clear_host_bits(&mut out[start..], len);
}

/// Clears the bits of `prefix` (its first `len.div_ceil(8)` bytes) that lie
/// past `len`.
fn clear_host_bits(prefix: &mut [u8], len: u8) {
    if len & 7 != 0 {
        prefix[usize::from(len / 8)] &= 0xFFu8 << (8 - len % 8);
    }
}

/// Kea's PSID text is `psid/psid-length`, e.g. `3/4` (PSID 3 in the top four
/// bits: 0x3000 on the wire).
fn parse_psid(value: &str) -> std::result::Result<(u32, u8), String> {
    let (psid, len) = value.split_once('/').ok_or("expected 'psid/psid-length'")?;
    let len: u8 = len
        .trim()
        .parse()
        .ok()
        .filter(|&l| l <= 16)
        .ok_or("PSID length must be 0..16")?;
    let psid: u32 = psid
        .trim()
        .parse()
        .map_err(|_| "PSID must be a decimal integer")?;
    // With a zero length Kea ignores the value (it is shifted out entirely).
    if len > 0 && psid >= 1 << len {
        return Err(format!("PSID {psid} does not fit in {len} bit(s)"));
    }
    Ok((psid, len))
}

/// Domain name text to uncompressed DNS wire format. A trailing dot is
/// optional; `\.` and `\DDD` escapes are understood.
fn write_fqdn(value: &str, out: &mut Vec<u8>) -> std::result::Result<(), String> {
    if value.is_empty() {
        return Err("empty domain name".into());
    }
    let start = out.len();
    if value != "." {
        let mut label: Vec<u8> = Vec::new();
        let bytes = value.as_bytes();
        let mut i = 0;
        let finish = |label: &mut Vec<u8>, out: &mut Vec<u8>| {
            if label.is_empty() {
                return Err("empty label".to_string());
            }
            if label.len() > 63 {
                return Err("label longer than 63 bytes".to_string());
            }
            out.push(label.len() as u8);
            out.append(label);
            Ok(())
        };
        let mut ended_with_dot = false;
        while i < bytes.len() {
            ended_with_dot = false;
            match bytes[i] {
                b'.' => {
                    finish(&mut label, out)?;
                    ended_with_dot = true;
                }
                b'\\' => {
                    let rest = &bytes[i + 1..];
                    if rest.len() >= 3 && rest[..3].iter().all(u8::is_ascii_digit) {
                        let n: u32 = std::str::from_utf8(&rest[..3])
                            .unwrap_or("0")
                            .parse()
                            .unwrap_or(0);
                        if n > 255 {
                            return Err("\\DDD escape above 255".into());
                        }
                        label.push(n as u8);
                        i += 3;
                    } else if let Some(&c) = rest.first() {
                        label.push(c);
                        i += 1;
                    } else {
                        return Err("dangling backslash".into());
                    }
                }
                b if b.is_ascii_whitespace() => return Err("whitespace in domain name".into()),
                b => label.push(b),
            }
            i += 1;
        }
        if !ended_with_dot {
            finish(&mut label, out)?;
        }
    }
    out.push(0);
    if out.len() - start > 255 {
        return Err("name longer than 255 bytes on the wire".into());
    }
    Ok(())
}

/// Convert `csv-format: false` option data to payload bytes.
///
/// Accepted like Kea: bytes separated by colons (`ab:cd:ef`) or spaces
/// (`ab cd ef`), one or two digits each, or a continuous string of digits
/// with an optional `0x` prefix (an odd count gets a leading zero). A
/// single-quoted string (`'text'`) stands for its own bytes. As a leniency
/// for old Kea manuals, space-separated groups of more than two digits are
/// also taken as continuous hex (`2001 0DB8 ...`).
pub fn encode_hex(text: &str) -> Result<Vec<u8>> {
    let t = text.trim();
    if t.len() >= 2 && t.starts_with('\'') && t.ends_with('\'') {
        return Ok(t.as_bytes()[1..t.len() - 1].to_vec());
    }
    let err = |reason: String| OptionDataError::InvalidHex {
        text: text.into(),
        reason,
    };
    if t.contains(':') {
        let mut out = Vec::new();
        for group in t.split(':') {
            let group = group.trim();
            if group.is_empty() || group.len() > 2 {
                return Err(err(format!(
                    "'{group}' between colons must be one or two hex digits"
                )));
            }
            out.extend(decode_hex_digits(group).map_err(err)?);
        }
        Ok(out)
    } else if t.split_ascii_whitespace().nth(1).is_some() {
        let mut out = Vec::new();
        for group in t.split_ascii_whitespace() {
            if group.len() > 2 && group.len() % 2 == 1 {
                return Err(err(format!(
                    "'{group}' must be one or two hex digits (or an even number)"
                )));
            }
            out.extend(decode_hex_digits(group).map_err(err)?);
        }
        Ok(out)
    } else {
        decode_hex_digits(t).map_err(err)
    }
}

/// Continuous hex digits, optional `0x`, odd length padded with a leading 0.
fn decode_hex_digits(s: &str) -> std::result::Result<Vec<u8>, String> {
    let digits = s
        .strip_prefix("0x")
        .or_else(|| s.strip_prefix("0X"))
        .unwrap_or(s);
    if let Some(c) = digits.chars().find(|c| !c.is_ascii_hexdigit()) {
        return Err(format!("'{c}' is not a hex digit"));
    }
    let padded;
    let digits = if digits.len() % 2 == 1 {
        padded = format!("0{digits}");
        padded.as_str()
    } else {
        digits
    };
    Ok(digits
        .as_bytes()
        .chunks(2)
        .map(|pair| {
            let hi = (pair[0] as char).to_digit(16).unwrap_or(0) as u8;
            let lo = (pair[1] as char).to_digit(16).unwrap_or(0) as u8;
            hi << 4 | lo
        })
        .collect())
}

/// Uppercase hex without separators, as Kea prints binary fields.
fn hex_upper(data: &[u8]) -> String {
    let mut s = String::with_capacity(data.len() * 2);
    for b in data {
        let _ = write!(s, "{b:02X}");
    }
    s
}

/// Format payload bytes as the csv text that [`encode_csv`] turns back into
/// the same bytes.
///
/// Values are joined with `", "`; commas and backslashes inside string values
/// are escaped. Bytes after the fields of an option that encapsulates a space
/// are its sub-options and are not rendered here.
pub fn decode_to_text(def: &OptionDef, data: &[u8], universe: Universe) -> Result<String> {
    if def.data_type == DataType::Internal {
        return decode_internal(def, data, universe);
    }
    let name = def.name.as_ref();
    let mut values: Vec<String> = Vec::new();
    let mut pos = 0;
    match def.data_type {
        DataType::Empty => {}
        DataType::Record => {
            let fields = def.record_types.as_ref();
            for &ty in fields {
                let (v, used) = decode_field(name, ty, &data[pos..], universe)?;
                values.push(v);
                pos += used;
            }
            if def.array {
                let last = fields[fields.len() - 1];
                while pos < data.len() {
                    let (v, used) = decode_field(name, last, &data[pos..], universe)?;
                    values.push(v);
                    pos += used;
                }
            }
        }
        // An array holds at least one value, as its csv form must.
        ty if def.array => loop {
            let (v, used) = decode_field(name, ty, &data[pos..], universe)?;
            values.push(v);
            pos += used;
            if pos >= data.len() {
                break;
            }
        },
        ty => {
            let (v, used) = decode_field(name, ty, data, universe)?;
            values.push(v);
            pos = used;
        }
    }
    if pos < data.len() && !def.encapsulates() {
        return Err(OptionDataError::TrailingData {
            option: name.into(),
            extra: data.len() - pos,
        });
    }
    Ok(values.join(", "))
}

/// Read one value of type `ty` from the front of `data`; returns its text and
/// the number of bytes used. String and binary take everything.
fn decode_field(
    option: &str,
    ty: DataType,
    data: &[u8],
    universe: Universe,
) -> Result<(String, usize)> {
    let need = |n: usize| {
        if data.len() < n {
            Err(OptionDataError::Truncated {
                option: option.into(),
                data_type: ty,
                needed: n,
                available: data.len(),
            })
        } else {
            Ok(())
        }
    };
    let wire = |reason: String| OptionDataError::InvalidWire {
        option: option.into(),
        data_type: ty,
        reason,
    };
    Ok(match ty {
        DataType::Empty | DataType::Record | DataType::Internal => {
            return Err(wire("this type cannot appear as a field".into()))
        }
        DataType::Binary => (hex_upper(data), data.len()),
        DataType::Boolean => {
            need(1)?;
            match data[0] {
                0 => ("false".into(), 1),
                1 => ("true".into(), 1),
                b => return Err(wire(format!("byte {b} is neither 0 nor 1"))),
            }
        }
        DataType::Int8 => {
            need(1)?;
            ((data[0] as i8).to_string(), 1)
        }
        DataType::Uint8 => {
            need(1)?;
            (data[0].to_string(), 1)
        }
        DataType::Int16 => {
            need(2)?;
            (i16::from_be_bytes([data[0], data[1]]).to_string(), 2)
        }
        DataType::Uint16 => {
            need(2)?;
            (u16::from_be_bytes([data[0], data[1]]).to_string(), 2)
        }
        DataType::Int32 => {
            need(4)?;
            (
                i32::from_be_bytes([data[0], data[1], data[2], data[3]]).to_string(),
                4,
            )
        }
        DataType::Uint32 => {
            need(4)?;
            (
                u32::from_be_bytes([data[0], data[1], data[2], data[3]]).to_string(),
                4,
            )
        }
        DataType::Ipv4Address => {
            need(4)?;
            (
                Ipv4Addr::new(data[0], data[1], data[2], data[3]).to_string(),
                4,
            )
        }
        DataType::Ipv6Address => {
            need(16)?;
            let mut a = [0u8; 16];
            a.copy_from_slice(&data[..16]);
            (Ipv6Addr::from(a).to_string(), 16)
        }
        DataType::Ipv6Prefix => {
            need(1)?;
            let len = data[0];
            if len > 128 {
                return Err(wire(format!("prefix length {len} is above 128")));
            }
            let nbytes = (len as usize).div_ceil(8);
            need(1 + nbytes)?;
            let mut a = [0u8; 16];
            a[..nbytes].copy_from_slice(&data[1..1 + nbytes]);
            // Bits past the prefix length mean nothing; show them cleared, as
            // the prefix would be written back.
            clear_host_bits(&mut a, len);
            (format!("{}/{len}", Ipv6Addr::from(a)), 1 + nbytes)
        }
        DataType::Psid => {
            need(3)?;
            let len = data[0];
            let raw = u16::from_be_bytes([data[1], data[2]]) as u32;
            if len > 16 {
                return Err(wire(format!("PSID length {len} is above 16")));
            }
            let psid = if len == 0 {
                0
            } else {
                raw >> (16 - len as u32)
            };
            let rest = if len == 0 {
                raw
            } else {
                raw & ((1u32 << (16 - len as u32)) - 1)
            };
            if rest != 0 {
                return Err(wire(format!("bits beyond the {len}-bit PSID are set")));
            }
            (format!("{psid}/{len}"), 3)
        }
        DataType::String => {
            // Kea drops trailing NULs some clients pad strings with.
            let end = data.iter().rposition(|&b| b != 0).map_or(0, |p| p + 1);
            if end == 0 {
                return Err(OptionDataError::InvalidWire {
                    option: option.into(),
                    data_type: ty,
                    reason: "the string is empty or only NULs".into(),
                });
            }
            (
                escape_csv(&String::from_utf8_lossy(&data[..end])),
                data.len(),
            )
        }
        DataType::Tuple => {
            let (len, hdr) = match universe {
                Universe::V4 => {
                    need(1)?;
                    (data[0] as usize, 1)
                }
                Universe::V6 => {
                    need(2)?;
                    (u16::from_be_bytes([data[0], data[1]]) as usize, 2)
                }
            };
            need(hdr + len)?;
            (
                escape_csv(&String::from_utf8_lossy(&data[hdr..hdr + len])),
                hdr + len,
            )
        }
        DataType::Fqdn => read_fqdn(data).map_err(|r| match r {
            FqdnError::Truncated => OptionDataError::Truncated {
                option: option.into(),
                data_type: ty,
                needed: data.len() + 1,
                available: data.len(),
            },
            FqdnError::Bad(reason) => wire(reason),
        })?,
    })
}

enum FqdnError {
    Truncated,
    Bad(String),
}

/// Uncompressed DNS wire name to text with a trailing dot (root is `.`).
fn read_fqdn(data: &[u8]) -> std::result::Result<(String, usize), FqdnError> {
    let mut text = String::new();
    let mut pos = 0;
    loop {
        let len = *data.get(pos).ok_or(FqdnError::Truncated)? as usize;
        pos += 1;
        if len == 0 {
            break;
        }
        if len > 63 {
            return Err(FqdnError::Bad(
                "label length above 63 (compression is not allowed in options)".into(),
            ));
        }
        let label = data.get(pos..pos + len).ok_or(FqdnError::Truncated)?;
        for &b in label {
            match b {
                b'.' | b',' => {
                    text.push('\\');
                    text.push(b as char);
                }
                // A backslash goes out as \092 (below): "\\" would be
                // unescaped by the csv splitter before the name parser saw it.
                0x21..=0x7e if b != b'\\' => text.push(b as char),
                _ => {
                    let _ = write!(text, "\\{b:03}");
                }
            }
        }
        text.push('.');
        pos += len;
        if pos > 255 {
            return Err(FqdnError::Bad("name longer than 255 bytes".into()));
        }
    }
    if text.is_empty() {
        text.push('.');
    }
    Ok((text, pos))
}

// ---------------------------------------------------------------------------
// Options Kea formats with dedicated classes (definition type `internal`).

fn internal_kind(def: &OptionDef, universe: Universe) -> Option<Internal> {
    match (universe, def.space.as_ref(), def.code) {
        (Universe::V4, DHCP4_SPACE, 121) => Some(Internal::ClasslessRoutes),
        (Universe::V4, DHCP4_SPACE, 162) => Some(Internal::Dnr(Universe::V4)),
        (Universe::V6, DHCP6_SPACE, 144) => Some(Internal::Dnr(Universe::V6)),
        _ => None,
    }
}

enum Internal {
    ClasslessRoutes,
    Dnr(Universe),
}

fn unsupported(def: &OptionDef) -> OptionDataError {
    OptionDataError::Unsupported {
        option: def.name.to_string(),
        reason: "no text format is known for this built-in option; use csv-format false".into(),
    }
}

fn encode_internal(def: &OptionDef, text: &str, universe: Universe) -> Result<Vec<u8>> {
    match internal_kind(def, universe).ok_or_else(|| unsupported(def))? {
        Internal::ClasslessRoutes => encode_classless_routes(&def.name, text),
        Internal::Dnr(u) => encode_dnr(&def.name, text, u),
    }
}

fn decode_internal(def: &OptionDef, data: &[u8], universe: Universe) -> Result<String> {
    // Routes and DNR both need at least one entry, as their text form does.
    if data.is_empty() {
        return Err(OptionDataError::InvalidWire {
            option: def.name.to_string(),
            data_type: DataType::Internal,
            reason: "no entries".into(),
        });
    }
    match internal_kind(def, universe).ok_or_else(|| unsupported(def))? {
        Internal::ClasslessRoutes => decode_classless_routes(&def.name, data),
        Internal::Dnr(u) => decode_dnr(&def.name, data, u),
    }
}

/// RFC 3442 routes, Kea text `"10.0.0.0/8 - 10.0.0.1, 0.0.0.0/0 - 192.0.2.1"`.
/// Each route is the prefix length, the prefix's significant octets, then
/// the router.
fn encode_classless_routes(option: &str, text: &str) -> Result<Vec<u8>> {
    let routes = split_csv(text);
    if routes.is_empty() {
        return Err(OptionDataError::TooFewValues {
            option: option.into(),
            expected: 1,
            got: 0,
        });
    }
    let mut out = Vec::new();
    for route in &routes {
        let bad = |reason: &str| invalid(option, DataType::Internal, route, reason);
        let (dest, router) = route
            .split_once('-')
            .ok_or_else(|| bad("expected 'prefix/length - router'"))?;
        let (addr, len) = dest
            .trim()
            .split_once('/')
            .ok_or_else(|| bad("destination must be 'address/length'"))?;
        let addr: Ipv4Addr = addr
            .trim()
            .parse()
            .map_err(|_| bad("bad destination IPv4 address"))?;
        let len: u8 = len
            .trim()
            .parse()
            .ok()
            .filter(|&l| l <= 32)
            .ok_or_else(|| bad("prefix length must be 0..32"))?;
        let router: Ipv4Addr = router
            .trim()
            .parse()
            .map_err(|_| bad("bad router IPv4 address"))?;
        out.push(len);
        out.extend_from_slice(&addr.octets()[..(len as usize).div_ceil(8)]);
        out.extend(router.octets());
    }
    Ok(out)
}

fn decode_classless_routes(option: &str, data: &[u8]) -> Result<String> {
    let wire = |reason: String| OptionDataError::InvalidWire {
        option: option.into(),
        data_type: DataType::Internal,
        reason,
    };
    let mut routes = Vec::new();
    let mut pos = 0;
    while pos < data.len() {
        let len = data[pos];
        if len > 32 {
            return Err(wire(format!("route prefix length {len} is above 32")));
        }
        let n = (len as usize).div_ceil(8);
        let route = data
            .get(pos + 1..pos + 1 + n + 4)
            .ok_or(OptionDataError::Truncated {
                option: option.into(),
                data_type: DataType::Internal,
                needed: 1 + n + 4,
                available: data.len() - pos,
            })?;
        let mut dest = [0u8; 4];
        dest[..n].copy_from_slice(&route[..n]);
        let router = Ipv4Addr::new(route[n], route[n + 1], route[n + 2], route[n + 3]);
        routes.push(format!("{}/{len} - {router}", Ipv4Addr::from(dest)));
        pos += 1 + n + 4;
    }
    if routes.is_empty() {
        return Err(wire("no routes".into()));
    }
    Ok(routes.join(", "))
}

// SvcParamKeys (RFC 9460) that DNR (RFC 9463) may carry. The address hints
// are forbidden by RFC 9463 because the addresses have their own field.
const SVC_KEYS: &[(&str, u16)] = &[
    ("mandatory", 0),
    ("alpn", 1),
    ("no-default-alpn", 2),
    ("port", 3),
    ("ech", 5),
    ("dohpath", 7),
    ("ohttp", 8),
];

fn svc_key_name(key: u16) -> String {
    SVC_KEYS
        .iter()
        .find(|(_, k)| *k == key)
        .map_or_else(|| format!("key{key}"), |(n, _)| n.to_string())
}

fn svc_key_code(name: &str) -> Option<u16> {
    SVC_KEYS
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, k)| *k)
        .or_else(|| name.strip_prefix("key").and_then(|n| n.parse().ok()))
}

/// RFC 9463 DNR, Kea text `"priority, adn, addr addr, key=value key=value"`
/// (addresses and parameters optional; ADN-only mode has neither). In DHCPv4
/// several instances may be given, separated by `|`.
fn encode_dnr(option: &str, text: &str, universe: Universe) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    let instances = match universe {
        Universe::V4 => split_escaped(text, '|'),
        Universe::V6 => vec![text.to_string()],
    };
    if instances.is_empty() {
        return Err(OptionDataError::TooFewValues {
            option: option.into(),
            expected: 2,
            got: 0,
        });
    }
    for instance in &instances {
        let body = encode_dnr_instance(option, instance, universe)?;
        if universe == Universe::V4 {
            let len = u16::try_from(body.len()).map_err(|_| {
                invalid(
                    option,
                    DataType::Internal,
                    instance,
                    "DNR instance too long",
                )
            })?;
            out.extend(len.to_be_bytes());
        }
        out.extend(body);
    }
    Ok(out)
}

fn encode_dnr_instance(option: &str, text: &str, universe: Universe) -> Result<Vec<u8>> {
    let values = split_csv(text);
    if values.len() < 2 {
        return Err(OptionDataError::TooFewValues {
            option: option.into(),
            expected: 2,
            got: values.len(),
        });
    }
    if values.len() > 4 {
        return Err(OptionDataError::TooManyValues {
            option: option.into(),
            expected: 4,
            got: values.len(),
        });
    }
    let bad = |value: &str, reason: String| invalid(option, DataType::Internal, value, reason);
    let mut out = Vec::new();
    encode_field(option, DataType::Uint16, &values[0], universe, &mut out)?;
    let mut adn = Vec::new();
    encode_field(option, DataType::Fqdn, &values[1], universe, &mut adn)?;
    push_len(&mut out, adn.len(), universe);
    out.extend(adn);
    if let Some(addrs) = values.get(2) {
        let mut buf = Vec::new();
        for a in addrs.split_ascii_whitespace() {
            let ty = match universe {
                Universe::V4 => DataType::Ipv4Address,
                Universe::V6 => DataType::Ipv6Address,
            };
            encode_field(option, ty, a, universe, &mut buf)?;
        }
        if buf.is_empty() {
            return Err(bad(addrs, "at least one address is needed".into()));
        }
        if universe == Universe::V4 && buf.len() > 255 {
            return Err(bad(addrs, "too many addresses".into()));
        }
        push_len(&mut out, buf.len(), universe);
        out.extend(buf);
    }
    if let Some(params) = values.get(3) {
        let mut parsed: Vec<(u16, Vec<u8>)> = Vec::new();
        for param in params.split_ascii_whitespace() {
            let (key, value) = param.split_once('=').unwrap_or((param, ""));
            let code = svc_key_code(key)
                .ok_or_else(|| bad(param, format!("unknown SvcParamKey '{key}'")))?;
            if code == 4 || code == 6 {
                return Err(bad(param, "address hints are not allowed in DNR".into()));
            }
            if parsed.iter().any(|(k, _)| *k == code) {
                return Err(bad(param, format!("SvcParamKey '{key}' given twice")));
            }
            let wire = match code {
                0 => {
                    let mut w = Vec::new();
                    for k in value.split(',') {
                        let c = svc_key_code(k)
                            .ok_or_else(|| bad(param, format!("unknown mandatory key '{k}'")))?;
                        w.extend(c.to_be_bytes());
                    }
                    w
                }
                1 => {
                    let mut w = Vec::new();
                    for id in value.split(',') {
                        if id.is_empty() || id.len() > 255 {
                            return Err(bad(param, "alpn ids must be 1..255 bytes".into()));
                        }
                        w.push(id.len() as u8);
                        w.extend_from_slice(id.as_bytes());
                    }
                    w
                }
                2 | 8 => {
                    if !value.is_empty() {
                        return Err(bad(param, format!("'{key}' takes no value")));
                    }
                    Vec::new()
                }
                3 => {
                    let port = parse_int(value, 0, u16::MAX as i64).map_err(|r| bad(param, r))?;
                    (port as u16).to_be_bytes().to_vec()
                }
                7 => value.as_bytes().to_vec(),
                _ => decode_hex_digits(value).map_err(|r| bad(param, r))?,
            };
            parsed.push((code, wire));
        }
        // RFC 9460 requires keys in increasing order on the wire.
        parsed.sort_by_key(|(k, _)| *k);
        for (key, value) in parsed {
            out.extend(key.to_be_bytes());
            out.extend((value.len() as u16).to_be_bytes());
            out.extend(value);
        }
    }
    Ok(out)
}

fn push_len(out: &mut Vec<u8>, len: usize, universe: Universe) {
    match universe {
        Universe::V4 => out.push(len as u8),
        Universe::V6 => out.extend((len as u16).to_be_bytes()),
    }
}

fn decode_dnr(option: &str, data: &[u8], universe: Universe) -> Result<String> {
    match universe {
        Universe::V6 => decode_dnr_instance(option, data, universe),
        Universe::V4 => {
            let mut instances = Vec::new();
            let mut pos = 0;
            while pos < data.len() {
                let hdr = data.get(pos..pos + 2).ok_or(OptionDataError::Truncated {
                    option: option.into(),
                    data_type: DataType::Internal,
                    needed: 2,
                    available: data.len() - pos,
                })?;
                let len = u16::from_be_bytes([hdr[0], hdr[1]]) as usize;
                let body = data
                    .get(pos + 2..pos + 2 + len)
                    .ok_or(OptionDataError::Truncated {
                        option: option.into(),
                        data_type: DataType::Internal,
                        needed: len,
                        available: data.len() - pos - 2,
                    })?;
                instances.push(decode_dnr_instance(option, body, universe)?);
                pos += 2 + len;
            }
            Ok(instances.join(" | "))
        }
    }
}

fn decode_dnr_instance(option: &str, data: &[u8], universe: Universe) -> Result<String> {
    let trunc = |needed: usize, available: usize| OptionDataError::Truncated {
        option: option.into(),
        data_type: DataType::Internal,
        needed,
        available,
    };
    let wire = |reason: String| OptionDataError::InvalidWire {
        option: option.into(),
        data_type: DataType::Internal,
        reason,
    };
    let lsize = match universe {
        Universe::V4 => 1,
        Universe::V6 => 2,
    };
    let read_len = |pos: usize| -> Result<usize> {
        let b = data
            .get(pos..pos + lsize)
            .ok_or(trunc(lsize, data.len().saturating_sub(pos)))?;
        Ok(if lsize == 1 {
            b[0] as usize
        } else {
            u16::from_be_bytes([b[0], b[1]]) as usize
        })
    };
    let mut fields = Vec::new();
    let prio = data.get(..2).ok_or(trunc(2, data.len()))?;
    fields.push(u16::from_be_bytes([prio[0], prio[1]]).to_string());
    let mut pos = 2;
    let adn_len = read_len(pos)?;
    pos += lsize;
    let adn = data
        .get(pos..pos + adn_len)
        .ok_or(trunc(adn_len, data.len() - pos))?;
    let (name, used) = read_fqdn(adn).map_err(|e| match e {
        FqdnError::Truncated => wire("ADN ends inside a label".into()),
        FqdnError::Bad(r) => wire(r),
    })?;
    if used != adn_len {
        return Err(wire("ADN length does not match the name".into()));
    }
    fields.push(name);
    pos += adn_len;
    if pos < data.len() {
        let addr_len = read_len(pos)?;
        pos += lsize;
        let size = if universe == Universe::V4 { 4 } else { 16 };
        if addr_len == 0 || addr_len % size != 0 {
            return Err(wire(format!(
                "address length {addr_len} is not a multiple of {size}"
            )));
        }
        let addrs = data
            .get(pos..pos + addr_len)
            .ok_or(trunc(addr_len, data.len() - pos))?;
        let text: Vec<String> = addrs
            .chunks(size)
            .map(|c| match universe {
                Universe::V4 => Ipv4Addr::new(c[0], c[1], c[2], c[3]).to_string(),
                Universe::V6 => {
                    let mut a = [0u8; 16];
                    a.copy_from_slice(c);
                    Ipv6Addr::from(a).to_string()
                }
            })
            .collect();
        fields.push(text.join(" "));
        pos += addr_len;
        let mut params = Vec::new();
        while pos < data.len() {
            let h = data.get(pos..pos + 4).ok_or(trunc(4, data.len() - pos))?;
            let key = u16::from_be_bytes([h[0], h[1]]);
            let len = u16::from_be_bytes([h[2], h[3]]) as usize;
            pos += 4;
            let v = data
                .get(pos..pos + len)
                .ok_or(trunc(len, data.len() - pos))?;
            pos += len;
            let name = svc_key_name(key);
            let value = match key {
                0 => v
                    .chunks(2)
                    .map(|c| svc_key_name(u16::from_be_bytes([c[0], *c.get(1).unwrap_or(&0)])))
                    .collect::<Vec<_>>()
                    .join("\\,"),
                1 => {
                    let mut ids = Vec::new();
                    let mut i = 0;
                    while i < v.len() {
                        let l = v[i] as usize;
                        let id = v
                            .get(i + 1..i + 1 + l)
                            .ok_or_else(|| wire("alpn id overruns its parameter".into()))?;
                        ids.push(escape_csv(&String::from_utf8_lossy(id)));
                        i += 1 + l;
                    }
                    ids.join("\\,")
                }
                2 | 8 => String::new(),
                3 if v.len() == 2 => u16::from_be_bytes([v[0], v[1]]).to_string(),
                7 => escape_csv(&String::from_utf8_lossy(v)),
                _ => hex_upper(v),
            };
            params.push(if value.is_empty() && (key == 2 || key == 8) {
                name
            } else {
                format!("{name}={value}")
            });
        }
        if !params.is_empty() {
            fields.push(params.join(" "));
        }
    }
    Ok(fields.join(", "))
}
