//! Located configuration errors: `file:line:col: json.path: message`.

use std::fmt;

use crate::json::Pos;

/// One problem found in a configuration, located by file position and by
/// the JSON path of the offending key (e.g. `Dhcp4.subnet4[0].pools[1].pool`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diag {
    /// Where the offending value (or key) starts; `None` only for problems
    /// with the file as a whole (e.g. it cannot be read).
    pub pos: Option<Pos>,
    /// JSON path of the key, empty when the problem is above the top level.
    pub path: String,
    /// What is wrong, in Kea's terms.
    pub message: String,
}

impl Diag {
    /// A problem at `pos` in the value at `path`.
    pub fn new(pos: &Pos, path: impl Into<String>, message: impl Into<String>) -> Diag {
        Diag {
            pos: Some(pos.clone()),
            path: path.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for Diag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(pos) = &self.pos {
            write!(f, "{pos}: ")?;
        }
        if !self.path.is_empty() {
            write!(f, "{}: ", self.path)?;
        }
        f.write_str(&self.message)
    }
}

impl std::error::Error for Diag {}

/// Append `.key` to a JSON path.
pub fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

/// Append `[index]` to a JSON path.
pub fn index(path: &str, i: usize) -> String {
    let mut out = String::with_capacity(path.len() + 8);
    out.push_str(path);
    push_index(&mut out, i);
    out
}

/// Append `[index]` to a JSON path in place. Written out rather than
/// through `format!`: every list element read gets a path (a million
/// reservations), and the formatting machinery was a tenth of the load.
pub fn push_index(path: &mut String, i: usize) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    let mut rest = i;
    loop {
        at -= 1;
        digits[at] = b'0' + (rest % 10) as u8;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    path.push('[');
    path.push_str(std::str::from_utf8(&digits[at..]).expect("ASCII digits"));
    path.push(']');
}

#[cfg(test)]
mod tests {
    #[test]
    fn index_paths() {
        assert_eq!(super::index("a.b", 0), "a.b[0]");
        assert_eq!(super::index("", 1234567), "[1234567]");
        assert_eq!(super::index("x", usize::MAX), format!("x[{}]", usize::MAX));
    }
}
