//! Tokeniser and recursive-descent parser for Kea's JSON dialect.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::value::{Kind, Member, Pos, Value};
use crate::diag::{self, Diag};

/// Kea stops include recursion at this depth; so do we, which also catches
/// a file including itself.
const MAX_INCLUDE_DEPTH: usize = 10;

/// Read and parse a configuration file, resolving includes relative to the
/// including file. Syntax errors carry the JSON path reached so far.
pub fn parse_file(path: &Path) -> Result<Value, Diag> {
    match parse_file_partial(path)? {
        (v, None) => Ok(v),
        (_, Some(e)) => Err(e),
    }
}

/// Like [`parse_file`], but text after a complete value is reported next to
/// the value instead of replacing it, so that a caller can report errors in
/// file order as Kea's streaming parser does (an extra `}` that closes a map
/// early makes the keys after it wrong before the stray brace is reached).
pub fn parse_file_partial(path: &Path) -> Result<(Value, Option<Diag>), Diag> {
    let text = std::fs::read_to_string(path).map_err(|e| Diag {
        pos: None,
        path: String::new(),
        message: format!("cannot read {}: {e}", path.display()),
    })?;
    let dir = path.parent().map(Path::to_path_buf);
    parse_source(path.display().to_string(), &text, dir)
}

/// Parse configuration text; `name` is used in positions. Includes are
/// resolved relative to the current directory.
pub fn parse_str(name: &str, text: &str) -> Result<Value, Diag> {
    match parse_str_partial(name, text)? {
        (v, None) => Ok(v),
        (_, Some(e)) => Err(e),
    }
}

/// [`parse_str`] with trailing text reported apart (see
/// [`parse_file_partial`]).
pub fn parse_str_partial(name: &str, text: &str) -> Result<(Value, Option<Diag>), Diag> {
    parse_source(name.to_string(), text, None)
}

fn parse_source(
    name: String,
    text: &str,
    dir: Option<PathBuf>,
) -> Result<(Value, Option<Diag>), Diag> {
    let mut p = Parser {
        sources: vec![Source::new(Arc::from(name), text, dir)],
        path: String::new(),
    };
    let v = p.value()?;
    p.skip_ws()?;
    if let Some(c) = p.peek() {
        let e = p.err(format!(
            "unexpected '{c}' after the end of the configuration"
        ));
        return Ok((v, Some(e)));
    }
    Ok((v, None))
}

struct Source {
    file: Arc<str>,
    chars: Vec<char>,
    i: usize,
    line: u32,
    col: u32,
    dir: Option<PathBuf>,
}

impl Source {
    fn new(file: Arc<str>, text: &str, dir: Option<PathBuf>) -> Source {
        Source {
            file,
            // Sized once: `collect` would grow it by doubling from a quarter
            // of the text, faulting in twice the memory of a large file.
            chars: {
                let mut chars = Vec::with_capacity(text.len());
                chars.extend(text.chars());
                chars
            },
            i: 0,
            line: 1,
            col: 1,
            dir,
        }
    }
}

struct Parser {
    /// Include stack; the last one is being read.
    sources: Vec<Source>,
    /// JSON path of the value being parsed, for error messages.
    path: String,
}

impl Parser {
    fn src(&self) -> &Source {
        self.sources.last().expect("source stack never empty")
    }

    fn pos(&self) -> Pos {
        let s = self.src();
        Pos {
            file: s.file.clone(),
            line: s.line,
            col: s.col,
        }
    }

    fn err(&self, msg: impl Into<String>) -> Diag {
        Diag::new(&self.pos(), self.path.clone(), msg)
    }

    /// Next character of the current source (no include popping: callers
    /// that cross file ends go through `skip_ws`).
    fn peek(&self) -> Option<char> {
        let s = self.src();
        s.chars.get(s.i).copied()
    }

    fn peek_at(&self, n: usize) -> Option<char> {
        let s = self.src();
        s.chars.get(s.i + n).copied()
    }

    fn bump(&mut self) -> Option<char> {
        let s = self.sources.last_mut().expect("source stack never empty");
        let c = *s.chars.get(s.i)?;
        s.i += 1;
        if c == '\n' {
            s.line += 1;
            s.col = 1;
        } else {
            s.col += 1;
        }
        Some(c)
    }

    fn starts_with(&self, lit: &str) -> bool {
        lit.chars()
            .enumerate()
            .all(|(n, c)| self.peek_at(n) == Some(c))
    }

    /// Skip whitespace, comments and include directives; pop finished
    /// included files.
    fn skip_ws(&mut self) -> Result<(), Diag> {
        loop {
            match self.peek() {
                Some(c) if c.is_whitespace() => {
                    self.bump();
                }
                Some('#') => self.skip_line(),
                Some('/') if self.peek_at(1) == Some('/') => self.skip_line(),
                Some('/') if self.peek_at(1) == Some('*') => {
                    let start = self.err("unterminated /* comment");
                    self.bump();
                    self.bump();
                    loop {
                        match self.bump() {
                            None => return Err(start),
                            Some('*') if self.peek() == Some('/') => {
                                self.bump();
                                break;
                            }
                            Some(_) => {}
                        }
                    }
                }
                Some('<') if self.starts_with("<?include") => self.include()?,
                None if self.sources.len() > 1 => {
                    self.sources.pop();
                }
                _ => return Ok(()),
            }
        }
    }

    fn skip_line(&mut self) {
        while let Some(c) = self.peek() {
            if c == '\n' {
                break;
            }
            self.bump();
        }
    }

    /// `<?include "file"?>`: push the named file, relative to the including
    /// file's directory.
    fn include(&mut self) -> Result<(), Diag> {
        let at = self.err("");
        for _ in 0.."<?include".len() {
            self.bump();
        }
        while matches!(self.peek(), Some(c) if c.is_whitespace()) {
            self.bump();
        }
        if self.peek() != Some('"') {
            return Err(self.err("expected a quoted file name after <?include"));
        }
        let name = self.string()?;
        while matches!(self.peek(), Some(c) if c.is_whitespace()) {
            self.bump();
        }
        if !self.starts_with("?>") {
            return Err(self.err("expected ?> to close <?include"));
        }
        self.bump();
        self.bump();
        if self.sources.len() > MAX_INCLUDE_DEPTH {
            return Err(Diag {
                message: format!("too many nested includes (limit {MAX_INCLUDE_DEPTH})"),
                ..at
            });
        }
        let rel = Path::new(&name);
        let full = match (&self.src().dir, rel.is_absolute()) {
            (Some(dir), false) => dir.join(rel),
            _ => rel.to_path_buf(),
        };
        let text = std::fs::read_to_string(&full).map_err(|e| Diag {
            message: format!("cannot include {}: {e}", full.display()),
            ..at.clone()
        })?;
        let dir = full.parent().map(Path::to_path_buf);
        self.sources.push(Source::new(
            Arc::from(full.display().to_string()),
            &text,
            dir,
        ));
        Ok(())
    }

    fn value(&mut self) -> Result<Value, Diag> {
        self.skip_ws()?;
        let pos = self.pos();
        let kind = match self.peek() {
            None => return Err(self.err("unexpected end of file, expecting a value")),
            Some('{') => self.object()?,
            Some('[') => self.array()?,
            Some('"') => Kind::Str(self.string()?),
            Some(c) if c == '-' || c.is_ascii_digit() => self.number()?,
            Some(c) if c.is_ascii_alphabetic() => {
                let word = self.word();
                match word.as_str() {
                    "true" => Kind::Bool(true),
                    "false" => Kind::Bool(false),
                    "null" => Kind::Null,
                    _ => {
                        return Err(Diag::new(
                            &pos,
                            self.path.clone(),
                            format!("syntax error: unexpected word '{word}', expecting a value"),
                        ))
                    }
                }
            }
            Some(c) => {
                return Err(self.err(format!("syntax error: unexpected '{c}', expecting a value")))
            }
        };
        Ok(Value { kind, pos })
    }

    fn word(&mut self) -> String {
        let mut w = String::new();
        while let Some(c) = self.peek() {
            if !c.is_ascii_alphanumeric() && c != '_' && c != '-' {
                break;
            }
            w.push(c);
            self.bump();
        }
        w
    }

    fn object(&mut self) -> Result<Kind, Diag> {
        self.bump(); // '{'
        let mut members: Vec<Member> = Vec::new();
        let outer = self.path.clone();
        loop {
            self.skip_ws()?;
            match self.peek() {
                // A trailing comma is accepted (Kea only warns about it).
                Some('}') => {
                    self.bump();
                    break;
                }
                Some('"') => {}
                Some(c) => {
                    return Err(self.err(format!(
                        "syntax error: unexpected '{c}', expecting a quoted key or }}"
                    )))
                }
                None => return Err(self.err("unexpected end of file inside a map")),
            }
            let key_pos = self.pos();
            let key = self.string()?;
            if let Some(prev) = members.iter().find(|m| m.key == key) {
                return Err(Diag::new(
                    &key_pos,
                    diag::join(&outer, &key),
                    format!("duplicate {key} entries (previous at {})", prev.key_pos),
                ));
            }
            self.skip_ws()?;
            if self.peek() != Some(':') {
                self.path = diag::join(&outer, &key);
                return Err(self.err("syntax error: expecting ':' after the key"));
            }
            self.bump();
            self.path = diag::join(&outer, &key);
            let value = self.value()?;
            self.path = outer.clone();
            members.push(Member {
                key,
                key_pos,
                value,
            });
            self.skip_ws()?;
            match self.peek() {
                Some(',') => {
                    self.bump();
                }
                Some('}') => {
                    self.bump();
                    break;
                }
                Some(c) => {
                    return Err(self.err(format!(
                        "syntax error: unexpected '{c}', expecting ',' or }}"
                    )))
                }
                None => return Err(self.err("unexpected end of file inside a map")),
            }
        }
        Ok(Kind::Object(members))
    }

    fn array(&mut self) -> Result<Kind, Diag> {
        self.bump(); // '['
        let mut items = Vec::new();
        let outer = self.path.clone();
        loop {
            self.skip_ws()?;
            if self.peek() == Some(']') {
                self.bump();
                break;
            }
            self.path = diag::index(&outer, items.len());
            items.push(self.value()?);
            self.path = outer.clone();
            self.skip_ws()?;
            match self.peek() {
                Some(',') => {
                    self.bump();
                }
                Some(']') => {
                    self.bump();
                    break;
                }
                Some(c) => {
                    return Err(self.err(format!(
                        "syntax error: unexpected '{c}', expecting ',' or ]"
                    )))
                }
                None => return Err(self.err("unexpected end of file inside a list")),
            }
        }
        Ok(Kind::Array(items))
    }

    fn string(&mut self) -> Result<String, Diag> {
        let start = self.err("unterminated string");
        self.bump(); // '"'
        let mut s = String::new();
        loop {
            match self.bump() {
                None | Some('\n') => return Err(start),
                Some('"') => return Ok(s),
                Some('\\') => {
                    let c = self.bump().ok_or_else(|| start.clone())?;
                    match c {
                        '"' => s.push('"'),
                        '\\' => s.push('\\'),
                        '/' => s.push('/'),
                        'b' => s.push('\u{8}'),
                        'f' => s.push('\u{c}'),
                        'n' => s.push('\n'),
                        'r' => s.push('\r'),
                        't' => s.push('\t'),
                        'u' => {
                            let mut code = 0u32;
                            for _ in 0..4 {
                                let d = self
                                    .bump()
                                    .and_then(|c| c.to_digit(16))
                                    .ok_or_else(|| self.err("bad \\u escape"))?;
                                code = code * 16 + d;
                            }
                            s.push(char::from_u32(code).unwrap_or('\u{fffd}'));
                        }
                        c => return Err(self.err(format!("bad escape \\{c} in string"))),
                    }
                }
                Some(c) => s.push(c),
            }
        }
    }

    fn number(&mut self) -> Result<Kind, Diag> {
        let at = self.err("");
        let mut t = String::new();
        while let Some(c) = self.peek() {
            if !(c.is_ascii_digit() || matches!(c, '-' | '+' | '.' | 'e' | 'E')) {
                break;
            }
            t.push(c);
            self.bump();
        }
        let bad = |what: &str| Diag {
            message: format!("{what} '{t}'"),
            ..at.clone()
        };
        if t.contains(['.', 'e', 'E']) {
            t.parse::<f64>()
                .map(Kind::Float)
                .map_err(|_| bad("bad number"))
        } else {
            t.parse::<i64>()
                .map(Kind::Int)
                .map_err(|_| bad("bad or out of range integer"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_and_positions() {
        let v = parse_str(
            "t.json",
            "# hash\n{ // slash\n  /* block\n */ \"a\": [1, 2.5, \"x\"], \"b\": {\"c\": null,}\n}",
        )
        .unwrap();
        let a = v.get("a").unwrap();
        assert_eq!((a.pos.line, a.pos.col), (4, 10));
        assert_eq!(a.as_array().unwrap()[1].kind, Kind::Float(2.5));
        assert_eq!(v.get("b").unwrap().get("c").unwrap().kind, Kind::Null);
    }

    #[test]
    fn errors_name_path() {
        let e = parse_str("t.json", "{\"a\": {\"b\": [1, }]}}").unwrap_err();
        assert_eq!(
            e.to_string(),
            "t.json:1:17: a.b[1]: syntax error: unexpected '}', expecting a value"
        );
        let e = parse_str("t.json", "{\"a\": 1, \"a\": 2}").unwrap_err();
        assert_eq!(
            e.to_string(),
            "t.json:1:10: a: duplicate a entries (previous at t.json:1:2)"
        );
    }
}
