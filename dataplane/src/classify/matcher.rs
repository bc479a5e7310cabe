//! Kea's `match` operator: a regular expression that must match the whole
//! value, compiled once when the configuration is loaded.

use regex::bytes::Regex;
use regex_automata::dfa::{dense, Automaton, StartKind};
use regex_automata::nfa::thompson;
use regex_automata::util::primitives::StateID;
use regex_automata::util::syntax;
use regex_automata::{Anchored, Input};
use rkyv::rancor::{self, Fallible};
use rkyv::ser::Writer;
use rkyv::string::{ArchivedString, StringResolver};
use rkyv::Place;

/// Largest fully built automaton kept per pattern; bigger ones use the
/// regex crate's lazily built one.
const DFA_BYTES: usize = 256 << 10;

/// A compiled `match` pattern.
#[derive(Debug, Clone)]
pub struct Matcher {
    /// The pattern as written, anchored at both ends (Kea matches the whole
    /// value, as `std::regex_match` does).
    source: Regex,
    /// The same pattern as a fully built DFA with its start state, when it
    /// is small: a table walk per byte, with none of the per-call set-up
    /// and cache lookup of the lazy engine (most `match` patterns are short
    /// alternations of MAC prefixes or vendor strings).
    dfa: Option<(dense::DFA<Vec<u32>>, StateID)>,
}

impl Matcher {
    /// Compiles `pattern` (regex crate syntax over bytes).
    pub fn new(pattern: &str) -> Result<Matcher, regex::Error> {
        let whole = format!("^(?:{pattern})$");
        let source = Regex::new(&whole)?;
        // Byte-oriented like `regex::bytes` (patterns may match any byte).
        let dfa = dense::Builder::new()
            .configure(
                dense::Config::new()
                    .start_kind(StartKind::Anchored)
                    .dfa_size_limit(Some(DFA_BYTES))
                    .determinize_size_limit(Some(DFA_BYTES)),
            )
            .syntax(syntax::Config::new().utf8(false))
            .thompson(thompson::Config::new().utf8(false))
            .build(&whole)
            .ok()
            .and_then(|dfa| {
                // Every search starts at the value's first byte with nothing
                // before it, so the start state never changes.
                let input = Input::new(&[]).anchored(Anchored::Yes);
                let start = dfa.start_state_forward(&input).ok()?;
                Some((dfa, start))
            });
        Ok(Matcher { source, dfa })
    }

    /// True when the pattern matches all of `value`.
    pub fn is_match(&self, value: &[u8]) -> bool {
        match &self.dfa {
            Some((dfa, start)) => {
                let mut s = *start;
                for &b in value {
                    s = dfa.next_state(s, b);
                }
                dfa.is_match_state(dfa.next_eoi_state(s))
            }
            None => self.source.is_match(value),
        }
    }

    /// The anchored pattern text.
    pub fn as_str(&self) -> &str {
        self.source.as_str()
    }
    /// The pattern as given to [`Matcher::new`].
    fn pattern(&self) -> &str {
        let s = self.as_str();
        &s["^(?:".len()..s.len() - ")$".len()]
    }
}

// A snapshot (`crate::config::snapshot`) holds the pattern text; the
// automata are built again when it is read, as they were when compiled.
impl rkyv::Archive for Matcher {
    type Archived = ArchivedString;
    type Resolver = StringResolver;

    fn resolve(&self, resolver: StringResolver, out: Place<ArchivedString>) {
        ArchivedString::resolve_from_str(self.pattern(), resolver, out);
    }
}

impl<S> rkyv::Serialize<S> for Matcher
where
    S: Fallible + Writer + ?Sized,
    S::Error: rancor::Source,
{
    fn serialize(&self, s: &mut S) -> Result<StringResolver, S::Error> {
        ArchivedString::serialize_from_str(self.pattern(), s)
    }
}

impl<D> rkyv::Deserialize<Matcher, D> for ArchivedString
where
    D: Fallible + ?Sized,
    D::Error: rancor::Source,
{
    fn deserialize(&self, _: &mut D) -> Result<Matcher, D::Error> {
        Matcher::new(self.as_str()).map_err(<D::Error as rancor::Source>::new)
    }
}

/// Patterns are equal when their sources are (the automata follow).
impl PartialEq for Matcher {
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The DFA and the regex crate agree, on patterns that exercise
    /// alternation, classes, repetition, anchors and non-UTF-8 bytes.
    #[test]
    fn dfa_agrees_with_the_regex_crate() {
        let patterns = [
            "5c-1b-f4|a8-5b-b7",
            "docsis[0-9]\\.[0-9]",
            "(?i)aastra.*",
            "",
            "a*",
            "(?-u:\\xff)+",
            ".",
            "\\w+",
            "MSFT 5\\.0",
        ];
        let values: [&[u8]; 12] = [
            b"5c-1b-f4",
            b"a8-5b-b7",
            b"5c-1b-f4x",
            b"xa8-5b-b7",
            b"docsis3.0",
            b"AASTRA6731i",
            b"",
            b"aaa",
            b"\xff\xff",
            "é".as_bytes(),
            b"MSFT 5.0",
            b"\xff",
        ];
        for p in patterns {
            let m = Matcher::new(p).unwrap();
            assert!(m.dfa.is_some(), "{p} builds a DFA");
            let lazy = Regex::new(m.as_str()).unwrap();
            for v in values {
                assert_eq!(m.is_match(v), lazy.is_match(v), "{p} on {v:?}");
            }
        }
    }
}
