//! Tokeniser and recursive-descent parser for Kea's JSON dialect.
//!
//! The reader walks the text's bytes: everything JSON's grammar looks at is
//! ASCII, so characters outside it only matter for columns (counted in
//! characters, as Kea does) and for whitespace tests. Runs of plain bytes
//! (string contents, comments) are taken in one step, and the JSON path is
//! one buffer extended and cut back, so a value costs no more than its own
//! allocation; error texts are built only when there is an error.

use std::borrow::Cow;
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
        sources: vec![Source::new(Arc::from(name), Cow::Borrowed(text), dir)],
        path: String::new(),
        members: Vec::new(),
        items: Vec::new(),
    };
    let v = p.value()?;
    p.skip_ws()?;
    if let Some(c) = p.peek_char() {
        let e = p.err(format!(
            "unexpected '{c}' after the end of the configuration"
        ));
        return Ok((v, Some(e)));
    }
    Ok((v, None))
}

/// Whether `b` starts a character (is not a UTF-8 continuation byte).
fn starts_char(b: u8) -> bool {
    b & 0xc0 != 0x80
}

/// One file being read: its text and the position of the next character.
struct Source<'t> {
    file: Arc<str>,
    /// Borrowed for the text the caller passed in, owned for includes.
    text: Cow<'t, str>,
    /// Byte offset of the next character.
    i: usize,
    line: u32,
    /// Column of the next character, counted in characters.
    col: u32,
    dir: Option<PathBuf>,
}

impl<'t> Source<'t> {
    fn new(file: Arc<str>, text: Cow<'t, str>, dir: Option<PathBuf>) -> Source<'t> {
        Source {
            file,
            text,
            i: 0,
            line: 1,
            col: 1,
            dir,
        }
    }

    /// The bytes not read yet.
    fn rest(&self) -> &[u8] {
        &self.text.as_bytes()[self.i..]
    }

    /// Move past the next `n` bytes, which hold whole characters, keeping
    /// line and column.
    fn advance(&mut self, n: usize) {
        let end = self.i + n;
        for &b in &self.text.as_bytes()[self.i..end] {
            if b == b'\n' {
                self.line += 1;
                self.col = 1;
            } else if starts_char(b) {
                self.col += 1;
            }
        }
        self.i = end;
    }

    /// [`Source::advance`] over bytes known to hold no newline: only the
    /// characters are counted, which the compiler turns into wide steps.
    fn advance_inline(&mut self, n: usize) {
        let end = self.i + n;
        let chars = self.text.as_bytes()[self.i..end]
            .iter()
            .filter(|&&b| starts_char(b))
            .count();
        self.col += chars as u32;
        self.i = end;
    }
}

struct Parser<'t> {
    /// Include stack; the last one is being read.
    sources: Vec<Source<'t>>,
    /// JSON path of the value being parsed, for error messages: each level
    /// appends its key or index and cuts it off again when done.
    path: String,
    /// Members of the maps being read, innermost last; a finished map takes
    /// its own off the top into a vector of exactly its size (growing one
    /// vector per map by doubling would leave most maps half empty).
    members: Vec<Member>,
    /// Elements of the lists being read, likewise.
    items: Vec<Value>,
}

impl<'t> Parser<'t> {
    fn src(&self) -> &Source<'t> {
        self.sources.last().expect("source stack never empty")
    }

    fn src_mut(&mut self) -> &mut Source<'t> {
        self.sources.last_mut().expect("source stack never empty")
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

    /// An error at `pos`, an earlier position, with the current path.
    fn err_at(&self, pos: &Pos, msg: impl Into<String>) -> Diag {
        Diag::new(pos, self.path.clone(), msg)
    }

    /// Next byte of the current source (no include popping: callers that
    /// cross file ends go through `skip_ws`).
    fn peek(&self) -> Option<u8> {
        self.src().rest().first().copied()
    }

    fn peek_at(&self, n: usize) -> Option<u8> {
        self.src().rest().get(n).copied()
    }

    /// Next character, for messages and the non-ASCII whitespace test.
    fn peek_char(&self) -> Option<char> {
        let s = self.src();
        s.text[s.i..].chars().next()
    }

    /// Take the next character.
    fn bump(&mut self) -> Option<char> {
        let c = self.peek_char()?;
        self.src_mut().advance(c.len_utf8());
        Some(c)
    }

    fn starts_with(&self, lit: &str) -> bool {
        self.src().rest().starts_with(lit.as_bytes())
    }

    /// Take one whitespace character (Unicode's definition), if next.
    fn whitespace(&mut self) -> bool {
        let n = match self.peek() {
            Some(b) if b.is_ascii() => usize::from((b as char).is_whitespace()),
            Some(_) => match self.peek_char() {
                Some(c) if c.is_whitespace() => c.len_utf8(),
                _ => 0,
            },
            None => 0,
        };
        self.src_mut().advance(n);
        n > 0
    }

    /// Skip whitespace, comments and include directives; pop finished
    /// included files.
    fn skip_ws(&mut self) -> Result<(), Diag> {
        loop {
            self.skip_ascii_whitespace();
            match self.peek() {
                // ASCII whitespace is gone: only Unicode's is left to test.
                Some(b) if !b.is_ascii() && self.whitespace() => {}
                Some(b'#') => self.skip_line(),
                Some(b'/') if self.peek_at(1) == Some(b'/') => self.skip_line(),
                Some(b'/') if self.peek_at(1) == Some(b'*') => self.block_comment()?,
                Some(b'<') if self.starts_with("<?include") => self.include()?,
                None if self.sources.len() > 1 => {
                    self.sources.pop();
                }
                _ => return Ok(()),
            }
        }
    }

    /// Take a run of ASCII whitespace, the usual kind, in one step (what
    /// [`Parser::whitespace`] would take byte by byte).
    fn skip_ascii_whitespace(&mut self) {
        let s = self.src_mut();
        // `char::is_whitespace` also counts vertical tab, which
        // `u8::is_ascii_whitespace` does not.
        let n = s
            .rest()
            .iter()
            .position(|&b| !(b.is_ascii_whitespace() || b == 0x0b));
        s.advance(n.unwrap_or(s.rest().len()));
    }

    /// Skip to the end of the line (the newline stays).
    fn skip_line(&mut self) {
        let s = self.src_mut();
        let n = s.rest().iter().position(|&b| b == b'\n');
        s.advance_inline(n.unwrap_or(s.rest().len()));
    }

    /// Skip a `/* ... */` comment; an unclosed one is reported where it
    /// opens.
    fn block_comment(&mut self) -> Result<(), Diag> {
        let s = self.src();
        // The search starts after the opening `/*`, so `/*/` is not closed.
        match s.rest()[2..].windows(2).position(|w| w == b"*/") {
            Some(n) => {
                self.src_mut().advance(n + 4);
                Ok(())
            }
            None => Err(self.err("unterminated /* comment")),
        }
    }

    /// `<?include "file"?>`: push the named file, relative to the including
    /// file's directory.
    fn include(&mut self) -> Result<(), Diag> {
        let at = self.err("");
        self.src_mut().advance_inline("<?include".len());
        while self.whitespace() {}
        if self.peek() != Some(b'"') {
            return Err(self.err("expected a quoted file name after <?include"));
        }
        let name = self.string()?;
        while self.whitespace() {}
        if !self.starts_with("?>") {
            return Err(self.err("expected ?> to close <?include"));
        }
        self.src_mut().advance_inline(2);
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
            Cow::Owned(text),
            dir,
        ));
        Ok(())
    }

    fn value(&mut self) -> Result<Value, Diag> {
        self.skip_ws()?;
        let pos = self.pos();
        let kind = match self.peek() {
            None => return Err(self.err("unexpected end of file, expecting a value")),
            Some(b'{') => self.object()?,
            Some(b'[') => self.array()?,
            Some(b'"') => Kind::Str(self.string()?),
            Some(b) if b == b'-' || b.is_ascii_digit() => self.number()?,
            Some(b) if b.is_ascii_alphabetic() => match self.word() {
                "true" => Kind::Bool(true),
                "false" => Kind::Bool(false),
                "null" => Kind::Null,
                word => {
                    let msg = format!("syntax error: unexpected word '{word}', expecting a value");
                    return Err(self.err_at(&pos, msg));
                }
            },
            Some(_) => {
                let c = self.peek_char().expect("not at the end");
                return Err(self.err(format!("syntax error: unexpected '{c}', expecting a value")));
            }
        };
        Ok(Value { kind, pos })
    }

    /// The longest run of bytes `more` accepts, taken (all ASCII: no
    /// newline among them).
    fn take_while(&mut self, more: impl Fn(u8) -> bool) -> &str {
        let s = self.src_mut();
        let start = s.i;
        let n = s.rest().iter().position(|&b| !more(b));
        s.advance_inline(n.unwrap_or(s.rest().len()));
        &s.text[start..s.i]
    }

    fn word(&mut self) -> &str {
        self.take_while(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    }

    /// Append `.key` to the path (just `key` at the top).
    fn push_key(&mut self, key: &str) {
        if !self.path.is_empty() {
            self.path.push('.');
        }
        self.path.push_str(key);
    }

    fn object(&mut self) -> Result<Kind, Diag> {
        self.src_mut().advance_inline(1); // '{'
        let first = self.members.len();
        let outer = self.path.len();
        loop {
            self.skip_ws()?;
            match self.peek() {
                // A trailing comma is accepted (Kea only warns about it).
                Some(b'}') => {
                    self.src_mut().advance_inline(1);
                    break;
                }
                Some(b'"') => {}
                Some(_) => {
                    let c = self.peek_char().expect("not at the end");
                    return Err(self.err(format!(
                        "syntax error: unexpected '{c}', expecting a quoted key or }}"
                    )));
                }
                None => return Err(self.err("unexpected end of file inside a map")),
            }
            let key_pos = self.pos();
            let key = self.string()?;
            if let Some(prev) = self.members[first..].iter().find(|m| m.key == key) {
                let message = format!("duplicate {key} entries (previous at {})", prev.key_pos);
                self.push_key(&key);
                return Err(self.err_at(&key_pos, message));
            }
            self.skip_ws()?;
            self.push_key(&key);
            if self.peek() != Some(b':') {
                return Err(self.err("syntax error: expecting ':' after the key"));
            }
            self.src_mut().advance_inline(1);
            let value = self.value()?;
            self.path.truncate(outer);
            self.members.push(Member {
                key,
                key_pos,
                value,
            });
            self.skip_ws()?;
            match self.peek() {
                Some(b',') => self.src_mut().advance_inline(1),
                Some(b'}') => {
                    self.src_mut().advance_inline(1);
                    break;
                }
                Some(_) => {
                    let c = self.peek_char().expect("not at the end");
                    return Err(self.err(format!(
                        "syntax error: unexpected '{c}', expecting ',' or }}"
                    )));
                }
                None => return Err(self.err("unexpected end of file inside a map")),
            }
        }
        Ok(Kind::Object(self.members.drain(first..).collect()))
    }

    fn array(&mut self) -> Result<Kind, Diag> {
        self.src_mut().advance_inline(1); // '['
        let first = self.items.len();
        let outer = self.path.len();
        loop {
            self.skip_ws()?;
            if self.peek() == Some(b']') {
                self.src_mut().advance_inline(1);
                break;
            }
            diag::push_index(&mut self.path, self.items.len() - first);
            let item = self.value()?;
            self.path.truncate(outer);
            self.items.push(item);
            self.skip_ws()?;
            match self.peek() {
                Some(b',') => self.src_mut().advance_inline(1),
                Some(b']') => {
                    self.src_mut().advance_inline(1);
                    break;
                }
                Some(_) => {
                    let c = self.peek_char().expect("not at the end");
                    return Err(self.err(format!(
                        "syntax error: unexpected '{c}', expecting ',' or ]"
                    )));
                }
                None => return Err(self.err("unexpected end of file inside a list")),
            }
        }
        Ok(Kind::Array(self.items.drain(first..).collect()))
    }

    /// A quoted string, escapes resolved. Plain runs between escapes are
    /// copied whole; a string may not span lines.
    fn string(&mut self) -> Result<String, Diag> {
        // Where the string opens, made a `Pos` only for an error (a string
        // stays within one file).
        let start = (self.src().line, self.src().col);
        self.src_mut().advance_inline(1); // '"'
        let mut out = String::new();
        loop {
            let s = self.src_mut();
            let n = s
                .rest()
                .iter()
                .position(|&b| matches!(b, b'"' | b'\\' | b'\n'));
            let n = n.unwrap_or(s.rest().len());
            let run = &s.text[s.i..s.i + n];
            if out.is_empty() {
                // Most strings have no escape: one allocation of their size.
                out = run.to_owned();
            } else {
                out.push_str(run);
            }
            s.advance_inline(n);
            match self.peek() {
                Some(b'"') => {
                    self.src_mut().advance_inline(1);
                    return Ok(out);
                }
                Some(b'\\') => {
                    self.src_mut().advance_inline(1);
                    self.escape(&mut out, start)?;
                }
                _ => return Err(self.unterminated(start)),
            }
        }
    }

    /// The error for a string opened at `start` (line, column) of the
    /// current file and not closed on its line.
    fn unterminated(&self, (line, col): (u32, u32)) -> Diag {
        let file = self.src().file.clone();
        self.err_at(&Pos { file, line, col }, "unterminated string")
    }

    /// The character after a backslash, resolved into `out`. A bad escape
    /// is reported just after it; the file ending is an unterminated
    /// string, reported where the string opens (`start`).
    fn escape(&mut self, out: &mut String, start: (u32, u32)) -> Result<(), Diag> {
        let Some(c) = self.bump() else {
            return Err(self.unterminated(start));
        };
        out.push(match c {
            '"' => '"',
            '\\' => '\\',
            '/' => '/',
            'b' => '\u{8}',
            'f' => '\u{c}',
            'n' => '\n',
            'r' => '\r',
            't' => '\t',
            'u' => {
                let mut code = 0u32;
                for _ in 0..4 {
                    let d = self
                        .bump()
                        .and_then(|c| c.to_digit(16))
                        .ok_or_else(|| self.err("bad \\u escape"))?;
                    code = code * 16 + d;
                }
                char::from_u32(code).unwrap_or('\u{fffd}')
            }
            c => return Err(self.err(format!("bad escape \\{c} in string"))),
        });
        Ok(())
    }

    fn number(&mut self) -> Result<Kind, Diag> {
        let at = self.pos();
        let t = self
            .take_while(|b| b.is_ascii_digit() || matches!(b, b'-' | b'+' | b'.' | b'e' | b'E'));
        let parsed = if t.contains(['.', 'e', 'E']) {
            t.parse::<f64>().map(Kind::Float).map_err(|_| "bad number")
        } else {
            t.parse::<i64>()
                .map(Kind::Int)
                .map_err(|_| "bad or out of range integer")
        };
        let message = match parsed {
            Ok(kind) => return Ok(kind),
            Err(what) => format!("{what} '{t}'"),
        };
        Err(self.err_at(&at, message))
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

    fn error(text: &str) -> String {
        parse_str("t.json", text).unwrap_err().to_string()
    }

    #[test]
    fn columns_count_characters_not_bytes() {
        // "é" is two bytes, "日" three, "😀" four: each is one column.
        let v = parse_str("t.json", "{\"é日😀\": \"ü\", \"b\": [1, true]}").unwrap();
        let b = v.get("b").unwrap();
        assert_eq!((b.pos.line, b.pos.col), (1, 19));
        assert_eq!(v.get("é日😀").unwrap().as_str(), Some("ü"));
        assert_eq!(
            error("{\"é\": \"日本\", \"b\": x}"),
            "t.json:1:18: b: syntax error: unexpected word 'x', expecting a value"
        );
        assert_eq!(
            error("# ünïcödé comment\n/* 日本\n語 */ [1, é]"),
            "t.json:3:10: [1]: syntax error: unexpected 'é', expecting a value"
        );
    }

    #[test]
    fn escapes_resolve_and_errors_keep_positions() {
        let v = parse_str(
            "t.json",
            r#"{"a": "q\"\\\/\b\f\n\r\t\u00e9\ud800x", "b": 1}"#,
        )
        .unwrap();
        assert_eq!(
            v.get("a").unwrap().as_str(),
            Some("q\"\\/\u{8}\u{c}\n\r\té\u{fffd}x")
        );
        assert_eq!(v.get("b").unwrap().pos.col, 46);
        // A bad escape is reported just after it, in characters.
        assert_eq!(
            error(r#"{"é": "日\n\q"}"#),
            "t.json:1:13: é: bad escape \\q in string"
        );
        assert_eq!(
            error(r#"{"a": "\u00g0"}"#),
            "t.json:1:13: a: bad \\u escape"
        );
        // An unterminated string is reported where it opens, past escapes.
        assert_eq!(
            error("{\"a\": [\"x\\\"y\n\"]}"),
            "t.json:1:8: a[0]: unterminated string"
        );
        assert_eq!(error("\"ab\\"), "t.json:1:1: unterminated string");
    }

    #[test]
    fn comments_whitespace_and_numbers() {
        // Unicode whitespace is whitespace; `/*/` does not close a comment.
        let v = parse_str("t.json", "\u{a0}[ /*/ x */ 1,\u{2028}-2.5e1 // end\n]").unwrap();
        assert_eq!(v.as_array().unwrap()[1].kind, Kind::Float(-25.0));
        assert_eq!(v.as_array().unwrap()[1].pos.col, 16);
        assert_eq!(
            error("[1, /* 日\n */ 2, /* open"),
            "t.json:2:8: unterminated /* comment"
        );
        assert_eq!(
            error("{\"a\": [0, 12x]}"),
            "t.json:1:13: a: syntax error: unexpected 'x', expecting ',' or ]"
        );
        assert_eq!(error("{\"é\": 1e}"), "t.json:1:7: é: bad number '1e'");
        assert_eq!(
            error("[99999999999999999999]"),
            "t.json:1:2: [0]: bad or out of range integer '99999999999999999999'"
        );
    }

    #[test]
    fn includes_keep_their_own_positions() {
        let dir = std::env::temp_dir().join(format!("xdhcp-reader-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("inner.json"), "// ünï\n\"b\": 2, \"c\": [1,\n 日]").unwrap();
        std::fs::write(dir.join("good.json"), "\"b\": \"é\",").unwrap();
        let outer = dir.join("outer.json");
        std::fs::write(
            &outer,
            "{ \"a\": 1,\n  <?include \"good.json\"?> \"d\": 3 }",
        )
        .unwrap();
        let v = parse_file(&outer).unwrap();
        let b = v.get("b").unwrap();
        assert!(b.pos.file.ends_with("good.json"));
        assert_eq!((b.pos.line, b.pos.col, b.as_str()), (1, 6, Some("é")));
        let d = v.get("d").unwrap();
        assert_eq!(
            (d.pos.file.as_ref(), d.pos.line, d.pos.col),
            (outer.to_str().unwrap(), 2, 32)
        );
        std::fs::write(&outer, "{ \"a\": 1,\n  <?include \"inner.json\"?> }").unwrap();
        let e = parse_file(&outer).unwrap_err().to_string();
        assert!(
            e.ends_with("inner.json:3:2: c[1]: syntax error: unexpected '日', expecting a value"),
            "{e}"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
