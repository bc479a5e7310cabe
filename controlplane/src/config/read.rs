//! Typed access to positioned JSON maps, collecting located errors.
//!
//! Every section parser goes through [`Ctx::map`], which rejects keys the
//! section does not know (as Kea's grammar does) and hands back a [`Map`]
//! whose getters check types and ranges, so each error names the key's
//! file position and JSON path.

use xdhcp_dataplane::options::Universe;

use crate::diag::{self, Diag};
use crate::json::{Kind, Member, Pos, Value};

/// Parsing context: the universe being read and the errors found so far.
#[derive(Debug)]
pub struct Ctx {
    /// DHCPv4 or DHCPv6.
    pub universe: Universe,
    /// Located errors, in discovery order.
    pub errors: Vec<Diag>,
}

impl Ctx {
    /// A fresh context for one server section.
    pub fn new(universe: Universe) -> Ctx {
        Ctx {
            universe,
            errors: Vec::new(),
        }
    }

    /// Whether this is the DHCPv6 universe.
    pub fn v6(&self) -> bool {
        self.universe == Universe::V6
    }

    /// Record an error.
    pub fn err(&mut self, pos: &Pos, path: &str, msg: impl Into<String>) {
        self.errors.push(Diag::new(pos, path, msg));
    }

    /// View `v` as a map named `what` (for messages) whose allowed keys are
    /// `known`; unknown keys are reported at their position. The map
    /// borrows `path` rather than copying it: a million reservations are a
    /// million maps.
    pub fn map<'a, 'p>(
        &mut self,
        v: &'a Value,
        path: &'p str,
        what: &str,
        known: &[&str],
    ) -> Option<Map<'a, 'p>> {
        let Some(members) = v.as_object() else {
            self.err(&v.pos, path, format!("expected a map, got {}", v.a_type()));
            return None;
        };
        for m in members {
            if !known.contains(&m.key.as_str()) {
                self.err(
                    &m.key_pos,
                    &diag::join(path, &m.key),
                    format!("got unexpected keyword \"{}\" in {what} map", m.key),
                );
            }
        }
        Some(Map {
            value: v,
            members,
            path,
        })
    }

    /// View `v` as a list, or report it.
    pub fn list<'a>(&mut self, v: &'a Value, path: &str) -> Option<&'a [Value]> {
        match v.as_array() {
            Some(items) => Some(items),
            None => {
                self.err(&v.pos, path, format!("expected a list, got {}", v.a_type()));
                None
            }
        }
    }
}

/// A map being read; see [`Ctx::map`].
#[derive(Debug, Clone)]
pub struct Map<'a, 'p> {
    /// The map value itself.
    pub value: &'a Value,
    members: &'a [Member],
    path: &'p str,
}

impl<'a> Map<'a, '_> {
    /// JSON path of the map.
    pub fn path(&self) -> &str {
        self.path
    }

    /// Where the map starts.
    pub fn pos(&self) -> &'a Pos {
        &self.value.pos
    }

    /// JSON path of one key of the map.
    pub fn key_path(&self, key: &str) -> String {
        diag::join(self.path, key)
    }

    /// The raw value of `key`.
    pub fn get(&self, key: &str) -> Option<&'a Value> {
        self.members.iter().find(|m| m.key == key).map(|m| &m.value)
    }

    /// Whether `key` is present.
    pub fn has(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    fn wrong(&self, ctx: &mut Ctx, key: &str, v: &Value, expected: &str) {
        ctx.err(
            &v.pos,
            &self.key_path(key),
            format!("expected {expected}, got {}", v.a_type()),
        );
    }

    /// A string value, borrowed from the tree, with its position: for
    /// values that are parsed further, so that only results are copied.
    pub fn text_at(&self, ctx: &mut Ctx, key: &str) -> Option<(&'a str, &'a Pos)> {
        let v = self.get(key)?;
        match &v.kind {
            Kind::Str(s) => Some((s, &v.pos)),
            _ => {
                self.wrong(ctx, key, v, "a string");
                None
            }
        }
    }

    /// A string value.
    pub fn str(&self, ctx: &mut Ctx, key: &str) -> Option<String> {
        self.text_at(ctx, key).map(|(s, _)| s.to_string())
    }

    /// A string value with its position.
    pub fn str_at(&self, ctx: &mut Ctx, key: &str) -> Option<(String, &'a Pos)> {
        self.text_at(ctx, key).map(|(s, pos)| (s.to_string(), pos))
    }

    /// A boolean value.
    pub fn bool(&self, ctx: &mut Ctx, key: &str) -> Option<bool> {
        let v = self.get(key)?;
        match v.kind {
            Kind::Bool(b) => Some(b),
            _ => {
                self.wrong(ctx, key, v, "a boolean");
                None
            }
        }
    }

    /// An integer within `min..=max`.
    pub fn int(&self, ctx: &mut Ctx, key: &str, min: i64, max: i64) -> Option<i64> {
        let v = self.get(key)?;
        match v.kind {
            Kind::Int(i) if (min..=max).contains(&i) => Some(i),
            Kind::Int(i) => {
                ctx.err(
                    &v.pos,
                    &self.key_path(key),
                    format!("value {i} is out of range {min}..{max}"),
                );
                None
            }
            _ => {
                self.wrong(ctx, key, v, "an integer");
                None
            }
        }
    }

    /// An unsigned 32-bit integer.
    pub fn u32(&self, ctx: &mut Ctx, key: &str) -> Option<u32> {
        self.int(ctx, key, 0, u32::MAX as i64).map(|i| i as u32)
    }

    /// A real number. As in Kea's grammar, an integer is not accepted
    /// (`0.5` or `1.0`, not `1`).
    pub fn real(&self, ctx: &mut Ctx, key: &str) -> Option<f64> {
        let v = self.get(key)?;
        match v.kind {
            Kind::Float(f) => Some(f),
            _ => {
                self.wrong(ctx, key, v, "a real number");
                None
            }
        }
    }

    /// A list value.
    pub fn list(&self, ctx: &mut Ctx, key: &str) -> Option<&'a [Value]> {
        let v = self.get(key)?;
        ctx.list(v, &self.key_path(key))
    }

    /// A list of strings.
    pub fn strings(&self, ctx: &mut Ctx, key: &str) -> Option<Vec<String>> {
        let items = self.list(ctx, key)?;
        let mut out = Vec::new();
        for (i, v) in items.iter().enumerate() {
            match v.as_str() {
                Some(s) => out.push(s.to_string()),
                None => ctx.err(
                    &v.pos,
                    &diag::index(&self.key_path(key), i),
                    format!("expected a string, got {}", v.a_type()),
                ),
            }
        }
        Some(out)
    }

    /// A map value kept verbatim as JSON text (user-context, parameters).
    pub fn raw_map(&self, ctx: &mut Ctx, key: &str) -> Option<String> {
        let v = self.get(key)?;
        if v.as_object().is_none() {
            self.wrong(ctx, key, v, "a map");
            return None;
        }
        Some(v.to_json())
    }

    /// A string that must be one of `allowed`.
    pub fn choice(&self, ctx: &mut Ctx, key: &str, allowed: &[&str]) -> Option<String> {
        let s = self.str(ctx, key)?;
        if allowed.contains(&s.as_str()) {
            Some(s)
        } else {
            let v = self.get(key).expect("present");
            ctx.err(
                &v.pos,
                &self.key_path(key),
                format!("'{s}' is not one of: {}", allowed.join(", ")),
            );
            None
        }
    }
}
