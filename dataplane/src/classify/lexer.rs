//! Tokens of Kea's expression language, each with the column it starts at.

use super::ParseError;

/// One token and where it starts (0-based byte offset into the expression).
#[derive(Debug, Clone, PartialEq)]
pub struct Token<'s> {
    /// What was read.
    pub kind: Tok<'s>,
    /// Byte offset of its first character.
    pub at: usize,
}

/// Token kinds.
#[derive(Debug, Clone, PartialEq)]
pub enum Tok<'s> {
    /// `'text'` (no escapes, as in Kea).
    Str(&'s str),
    /// `0x...` with at least one digit.
    Hex(&'s str),
    /// A decimal integer, possibly negative.
    Int(&'s str),
    /// An IPv4 or IPv6 address literal.
    Addr(&'s str),
    /// A keyword or an option name.
    Word(&'s str),
    /// One of `( ) [ ] . , + *` or `==`.
    Punct(&'static str),
    /// End of the expression.
    End,
}

impl Tok<'_> {
    /// How an error message names the token.
    pub fn describe(&self) -> String {
        match self {
            Tok::Str(s) => format!("string '{s}'"),
            Tok::Hex(s) | Tok::Int(s) | Tok::Addr(s) | Tok::Word(s) => format!("'{s}'"),
            Tok::Punct(p) => format!("'{p}'"),
            Tok::End => "end of expression".into(),
        }
    }
}

/// Splits `src` into tokens.
pub fn tokens(src: &str) -> Result<Vec<Token<'_>>, ParseError> {
    let b = src.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        let start = i;
        if c.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        let kind = match c {
            b'\'' => {
                let Some(len) = src[i + 1..].find('\'') else {
                    return Err(ParseError::new(start, "unterminated string"));
                };
                i += len + 2;
                Tok::Str(&src[start + 1..i - 1])
            }
            b'=' if b.get(i + 1) == Some(&b'=') => {
                i += 2;
                Tok::Punct("==")
            }
            b'(' | b')' | b'[' | b']' | b'.' | b',' | b'+' | b'*' => {
                i += 1;
                Tok::Punct(match c {
                    b'(' => "(",
                    b')' => ")",
                    b'[' => "[",
                    b']' => "]",
                    b'.' => ".",
                    b',' => ",",
                    b'+' => "+",
                    _ => "*",
                })
            }
            b'0'..=b'9' | b'-' | b'a'..=b'z' | b'A'..=b'Z' | b'_' | b':' => {
                // Read the longest run that can form a word, number or
                // address, then decide which it is.
                while i < b.len() && (b[i].is_ascii_alphanumeric() || b"_-:.".contains(&b[i])) {
                    i += 1;
                }
                classify_run(src, start, &mut i)?
            }
            _ => {
                let ch = src[i..].chars().next().unwrap_or('?');
                return Err(ParseError::new(
                    start,
                    format!("unexpected character '{ch}'"),
                ));
            }
        };
        out.push(Token { kind, at: start });
    }
    out.push(Token {
        kind: Tok::End,
        at: src.len(),
    });
    Ok(out)
}

/// Decides what a run of word characters is; a run that is not an address
/// is cut at its first dot (`option[60].hex`), and a word at its first colon.
fn classify_run<'s>(src: &'s str, start: usize, end: &mut usize) -> Result<Tok<'s>, ParseError> {
    let run = &src[start..*end];
    if run.contains(':') && run.parse::<std::net::Ipv6Addr>().is_ok() {
        return Ok(Tok::Addr(run));
    }
    if run.parse::<std::net::Ipv4Addr>().is_ok() && run.matches('.').count() == 3 {
        return Ok(Tok::Addr(run));
    }
    let cut = run.find(['.', ':']).unwrap_or(run.len());
    let word = &run[..cut];
    *end = start + cut;
    if word.is_empty() {
        return Err(ParseError::new(
            start,
            format!("unexpected '{}'", &run[..1]),
        ));
    }
    let b = word.as_bytes();
    if b.len() > 2 && b[0] == b'0' && (b[1] == b'x' || b[1] == b'X') {
        if b[2..].iter().all(u8::is_ascii_hexdigit) {
            return Ok(Tok::Hex(word));
        }
        return Err(ParseError::new(
            start,
            format!("bad hexadecimal string '{word}'"),
        ));
    }
    let digits = word.strip_prefix('-').unwrap_or(word);
    if !digits.is_empty() && digits.bytes().all(|c| c.is_ascii_digit()) {
        return Ok(Tok::Int(word));
    }
    if word.starts_with('-')
        || word.as_bytes()[0].is_ascii_digit() && !word.contains(char::is_alphabetic)
    {
        return Err(ParseError::new(start, format!("bad number '{word}'")));
    }
    Ok(Tok::Word(word))
}
