//! How a subnet treats client names (Kea's `ddns-*` name keys and
//! `hostname-char-set`), resolved per subnet. They shape the Host Name and
//! Client FQDN options and the lease's hostname even with DNS updates off.

use regex::bytes::{Regex, RegexBuilder};

/// `ddns-replace-client-name`: when the server puts a name of its own in
/// place of the client's.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Default, rkyv::Archive, rkyv::Serialize, rkyv::Deserialize,
)]
pub enum ReplaceName {
    /// Use the client's name (Kea's default).
    #[default]
    Never,
    /// Replace a name the client sent.
    WhenPresent,
    /// Supply a name when the client sent none.
    WhenNotPresent,
    /// Always use a generated name.
    Always,
}

impl ReplaceName {
    /// The mode named `name` as Kea spells it; `None` for unknown names.
    pub fn from_name(name: &str) -> Option<ReplaceName> {
        Some(match name {
            "never" => ReplaceName::Never,
            "when-present" => ReplaceName::WhenPresent,
            "when-not-present" => ReplaceName::WhenNotPresent,
            "always" => ReplaceName::Always,
            _ => return None,
        })
    }

    /// True when a name the client sent is thrown away.
    pub fn replaces_sent(self) -> bool {
        matches!(self, ReplaceName::Always | ReplaceName::WhenPresent)
    }

    /// True when a client that sent no name is given one.
    pub fn supplies_missing(self) -> bool {
        matches!(self, ReplaceName::Always | ReplaceName::WhenNotPresent)
    }
}

/// `hostname-char-set` and `hostname-char-replacement`: every match of the
/// pattern in a client's name is replaced.
#[derive(Debug, Clone)]
pub enum Sanitizer {
    /// An empty character set: names are taken as sent.
    Off,
    /// The compiled pattern and its replacement.
    On(Regex, Box<[u8]>),
    /// A pattern that does not compile: Kea fails the name processing of
    /// every client of the subnet, which then gets no name at all.
    Broken,
}

impl Sanitizer {
    /// The sanitizer for `char_set` (regex syntax, matched over bytes as
    /// Kea's `std::regex` matches over chars) and `replacement`.
    pub fn new(char_set: &str, replacement: &str) -> Sanitizer {
        if char_set.is_empty() {
            return Sanitizer::Off;
        }
        // Byte semantics first, so `[^...]` matches any byte outside the
        // set; patterns that need Unicode classes compile with them.
        let built = RegexBuilder::new(char_set)
            .unicode(false)
            .build()
            .or_else(|_| Regex::new(char_set));
        match built {
            Ok(re) => Sanitizer::On(re, replacement.as_bytes().into()),
            Err(_) => Sanitizer::Broken,
        }
    }
}

impl PartialEq for Sanitizer {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Sanitizer::On(a, ra), Sanitizer::On(b, rb)) => a.as_str() == b.as_str() && ra == rb,
            (Sanitizer::Off, Sanitizer::Off) | (Sanitizer::Broken, Sanitizer::Broken) => true,
            _ => false,
        }
    }
}

/// A subnet's name rules with Kea 2.2's defaults.
#[derive(Debug, Clone, PartialEq)]
pub struct NameRules {
    /// `ddns-replace-client-name`.
    pub replace: ReplaceName,
    /// `ddns-generated-prefix` (default `myhost`).
    pub generated_prefix: String,
    /// `ddns-qualifying-suffix` (default empty). Kea 2.2 qualifies names
    /// with it whether or not DNS updates are enabled.
    pub qualifying_suffix: String,
    /// `hostname-char-set` / `hostname-char-replacement`.
    pub sanitizer: Sanitizer,
}

/// Kea 2.2's default `hostname-char-set`.
pub const DEFAULT_CHAR_SET: &str = "[^A-Za-z0-9.-]";

impl Default for NameRules {
    fn default() -> Self {
        NameRules {
            replace: ReplaceName::Never,
            generated_prefix: "myhost".into(),
            qualifying_suffix: String::new(),
            sanitizer: Sanitizer::new(DEFAULT_CHAR_SET, ""),
        }
    }
}
