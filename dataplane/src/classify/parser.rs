//! Kea's expression grammar (the `parser.yy` of Kea's `src/lib/eval`) by
//! recursive descent: `or` binds loosest, then `and`, then `not`; `==`
//! compares two string expressions; `+` concatenates.

use super::ast::{Bool, IntKind, Pkt4Field, Pkt6Field, PktField, Repr, Source, Str, TextForm};
use super::lexer::{tokens, Tok, Token};
use super::ParseError;
use crate::options::Universe;

/// What the parser needs to know about the configuration around it.
pub trait Names {
    /// DHCPv4 or DHCPv6.
    fn universe(&self) -> Universe;
    /// The code of a top-level option named `name`.
    fn option_code(&self, name: &str) -> Option<u16>;
    /// How `.text` presents top-level option `code`.
    fn text_form(&self, code: u16) -> TextForm;
    /// The index of class `name`, when it may be referred to here
    /// (built in, or defined before the class being parsed).
    fn class(&mut self, name: &str) -> Option<u16>;
}

/// Most operands an expression may hold on the evaluation stack at once;
/// deeper nesting is rejected when the configuration is read.
pub const MAX_NESTING: usize = 24;

/// Parses a class `test` expression.
pub fn parse(src: &str, names: &mut dyn Names) -> Result<Bool, ParseError> {
    let mut p = Parser::new(src, names)?;
    let e = p.or()?;
    p.expect_end()?;
    Ok(e)
}

/// Parses an expression that evaluates to a string, such as the flex_id
/// hook's `identifier-expression` (Kea's parser in its string mode).
pub fn parse_string(src: &str, names: &mut dyn Names) -> Result<Str, ParseError> {
    let mut p = Parser::new(src, names)?;
    let e = p.string()?;
    if *p.peek() != Tok::End {
        return p.unexpected("'+' or the end of the expression");
    }
    Ok(e)
}

struct Parser<'s, 'n> {
    toks: Vec<Token<'s>>,
    i: usize,
    names: &'n mut dyn Names,
    depth: usize,
}

impl<'s, 'n> Parser<'s, 'n> {
    fn new(src: &'s str, names: &'n mut dyn Names) -> Result<Self, ParseError> {
        Ok(Parser {
            toks: tokens(src)?,
            i: 0,
            names,
            depth: 0,
        })
    }

    fn peek(&self) -> &Tok<'s> {
        &self.toks[self.i].kind
    }

    fn at(&self) -> usize {
        self.toks[self.i].at
    }

    fn next(&mut self) -> Tok<'s> {
        let t = self.toks[self.i].kind.clone();
        if self.i + 1 < self.toks.len() {
            self.i += 1;
        }
        t
    }

    fn unexpected<T>(&self, wanted: &str) -> Result<T, ParseError> {
        Err(ParseError::new(
            self.at(),
            format!("expected {wanted}, found {}", self.peek().describe()),
        ))
    }

    fn is_punct(&self, p: &str) -> bool {
        matches!(self.peek(), Tok::Punct(q) if *q == p)
    }

    fn is_word(&self, w: &str) -> bool {
        matches!(self.peek(), Tok::Word(x) if *x == w)
    }

    fn punct(&mut self, p: &str) -> Result<(), ParseError> {
        if self.is_punct(p) {
            self.next();
            Ok(())
        } else {
            self.unexpected(&format!("'{p}'"))
        }
    }

    fn word(&mut self, w: &str) -> Result<(), ParseError> {
        if self.is_word(w) {
            self.next();
            Ok(())
        } else {
            self.unexpected(&format!("'{w}'"))
        }
    }

    fn expect_end(&self) -> Result<(), ParseError> {
        if *self.peek() == Tok::End {
            Ok(())
        } else {
            self.unexpected("'and', 'or' or the end of the expression")
        }
    }

    /// Guards the recursion, which also bounds the evaluation stack.
    fn nest<T>(
        &mut self,
        f: impl FnOnce(&mut Self) -> Result<T, ParseError>,
    ) -> Result<T, ParseError> {
        if self.depth >= MAX_NESTING {
            return Err(ParseError::new(self.at(), "expression nested too deeply"));
        }
        self.depth += 1;
        let r = f(self);
        self.depth -= 1;
        r
    }

    fn or(&mut self) -> Result<Bool, ParseError> {
        self.chain("or", Self::and, Bool::Or)
    }

    fn and(&mut self) -> Result<Bool, ParseError> {
        self.chain("and", Self::unary, Bool::And)
    }

    /// `next (word next)*`, joined left to right.
    fn chain(
        &mut self,
        word: &str,
        next: fn(&mut Self) -> Result<Bool, ParseError>,
        join: fn(Box<Bool>, Box<Bool>) -> Bool,
    ) -> Result<Bool, ParseError> {
        let mut e = next(self)?;
        while self.is_word(word) {
            self.next();
            let r = self.nest(next)?;
            e = join(Box::new(e), Box::new(r));
        }
        Ok(e)
    }

    fn unary(&mut self) -> Result<Bool, ParseError> {
        if self.is_word("not") {
            self.next();
            let e = self.nest(|p| p.unary())?;
            return Ok(Bool::Not(Box::new(e)));
        }
        if self.is_punct("(") {
            self.next();
            let e = self.nest(|p| p.or())?;
            self.punct(")")?;
            return Ok(e);
        }
        self.predicate()
    }

    /// A boolean leaf: `member`, `known`, `match`, `.exists`, or `a == b`.
    fn predicate(&mut self) -> Result<Bool, ParseError> {
        let at = self.at();
        match self.peek().clone() {
            Tok::Word("member") => {
                self.next();
                self.punct("(")?;
                let at = self.at();
                let Tok::Str(name) = self.next() else {
                    self.i -= 1;
                    return self.unexpected("a class name in quotes");
                };
                let Some(idx) = self.names.class(name) else {
                    return Err(ParseError::new(
                        at,
                        format!("not defined client class '{name}'"),
                    ));
                };
                self.punct(")")?;
                return Ok(Bool::Member(idx));
            }
            Tok::Word(w @ ("known" | "unknown")) => {
                self.next();
                let known = self.names.class("KNOWN").expect("KNOWN is built in");
                let m = Bool::Member(known);
                return Ok(if w == "known" {
                    m
                } else {
                    Bool::Not(Box::new(m))
                });
            }
            Tok::Word("match") => {
                self.next();
                self.punct("(")?;
                let at = self.at();
                let Tok::Str(re) = self.next() else {
                    self.i -= 1;
                    return self.unexpected("a regular expression in quotes");
                };
                if let Err(e) = regex::bytes::Regex::new(re) {
                    let first = e.to_string();
                    let line = first.lines().last().unwrap_or("invalid").trim();
                    return Err(ParseError::new(
                        at,
                        format!("bad regular expression: {line}"),
                    ));
                }
                self.punct(",")?;
                let v = self.string()?;
                self.punct(")")?;
                return Ok(Bool::Match(re.to_string(), Box::new(v)));
            }
            _ => {}
        }
        match self.term()? {
            Term::Exists(src) => Ok(Bool::Exists(src)),
            Term::Str(left) => {
                let left = self.concat_tail(left)?;
                if !self.is_punct("==") {
                    return self.unexpected("'=='");
                }
                self.next();
                let right = self.string()?;
                Ok(Bool::Equal(Box::new(left), Box::new(right)))
            }
            Term::NotString => Err(ParseError::new(at, "expected a boolean expression")),
        }
    }

    /// A string expression, with `+` concatenation.
    fn string(&mut self) -> Result<Str, ParseError> {
        let at = self.at();
        let t = self.nest(|p| p.term())?;
        match t {
            Term::Str(s) => self.concat_tail(s),
            _ => Err(ParseError::new(
                at,
                "expected a string expression, found a boolean one",
            )),
        }
    }

    fn concat_tail(&mut self, mut left: Str) -> Result<Str, ParseError> {
        while self.is_punct("+") {
            self.next();
            let at = self.at();
            let r = match self.nest(|p| p.term())? {
                Term::Str(s) => s,
                _ => return Err(ParseError::new(at, "expected a string expression")),
            };
            left = Str::Concat(Box::new(left), Box::new(r));
        }
        Ok(left)
    }

    /// One operand: a literal, a packet reference or a function call.
    fn term(&mut self) -> Result<Term, ParseError> {
        let at = self.at();
        let v6 = self.names.universe() == Universe::V6;
        let tok = self.next();
        let s = match tok {
            Tok::Str(s) => Str::Const(s.as_bytes().to_vec()),
            Tok::Hex(h) => Str::Const(decode_hex(&h[2..])),
            Tok::Int(n) => {
                let v = parse_int::<u32>(n, at, "an unsigned 32-bit integer")?;
                Str::Const(v.to_be_bytes().to_vec())
            }
            Tok::Addr(a) => Str::Const(match a.parse::<std::net::IpAddr>() {
                Ok(std::net::IpAddr::V4(a)) => a.octets().to_vec(),
                Ok(std::net::IpAddr::V6(a)) => a.octets().to_vec(),
                Err(_) => return Err(ParseError::new(at, format!("bad address '{a}'"))),
            }),
            Tok::Word("option") => {
                let code = self.option_code()?;
                self.punct(".")?;
                if self.is_word("option") {
                    self.next();
                    let sub = self.bracket_u16("a sub-option code")?;
                    self.punct(".")?;
                    return self.option_repr(Source::SubOption(code, sub), TextForm::Raw);
                }
                let form = self.names.text_form(code);
                return self.option_repr(Source::Option(code), form);
            }
            Tok::Word("relay4") => {
                if v6 {
                    return Err(ParseError::new(at, "relay4 can only be used in DHCPv4"));
                }
                let sub = self.bracket_u16("a sub-option code")?;
                self.punct(".")?;
                return self.option_repr(Source::Relay4(sub), TextForm::Raw);
            }
            Tok::Word("relay6") => {
                if !v6 {
                    return Err(ParseError::new(at, "relay6 can only be used in DHCPv6"));
                }
                self.punct("[")?;
                let nat = self.at();
                let Tok::Int(n) = self.next() else {
                    self.i -= 1;
                    return self.unexpected("a nesting level");
                };
                let nest = parse_int::<i8>(n, nat, "a nesting level from -32 to 32")?;
                self.punct("]")?;
                self.punct(".")?;
                let wat = self.at();
                match self.next() {
                    Tok::Word("peeraddr") => Str::Fetch(Source::Relay6Peer(nest), Repr::Hex),
                    Tok::Word("linkaddr") => Str::Fetch(Source::Relay6Link(nest), Repr::Hex),
                    Tok::Word("option") => {
                        let code = self.bracket_u16("an option code")?;
                        self.punct(".")?;
                        let form = self.names.text_form(code);
                        return self.option_repr(Source::Relay6Option(nest, code), form);
                    }
                    t => {
                        return Err(ParseError::new(
                            wat,
                            format!(
                                "expected 'option', 'peeraddr' or 'linkaddr', found {}",
                                t.describe()
                            ),
                        ))
                    }
                }
            }
            Tok::Word("pkt") => {
                self.punct(".")?;
                let f = match self.field(&["iface", "src", "dst", "len"])? {
                    "iface" => PktField::Iface,
                    "src" => PktField::Src,
                    "dst" => PktField::Dst,
                    _ => PktField::Len,
                };
                Str::Fetch(Source::Pkt(f), Repr::Hex)
            }
            Tok::Word("pkt4") => {
                if v6 {
                    return Err(ParseError::new(at, "pkt4 can only be used in DHCPv4"));
                }
                self.punct(".")?;
                let names = [
                    "mac", "hlen", "htype", "ciaddr", "giaddr", "yiaddr", "siaddr", "msgtype",
                    "transid",
                ];
                let f = match self.field(&names)? {
                    "mac" => Pkt4Field::Mac,
                    "hlen" => Pkt4Field::Hlen,
                    "htype" => Pkt4Field::Htype,
                    "ciaddr" => Pkt4Field::Ciaddr,
                    "giaddr" => Pkt4Field::Giaddr,
                    "yiaddr" => Pkt4Field::Yiaddr,
                    "siaddr" => Pkt4Field::Siaddr,
                    "msgtype" => Pkt4Field::Msgtype,
                    _ => Pkt4Field::Transid,
                };
                Str::Fetch(Source::Pkt4(f), Repr::Hex)
            }
            Tok::Word("pkt6") => {
                if !v6 {
                    return Err(ParseError::new(at, "pkt6 can only be used in DHCPv6"));
                }
                self.punct(".")?;
                let f = match self.field(&["msgtype", "transid"])? {
                    "msgtype" => Pkt6Field::Msgtype,
                    _ => Pkt6Field::Transid,
                };
                Str::Fetch(Source::Pkt6(f), Repr::Hex)
            }
            Tok::Word(w @ ("vendor" | "vendor-class")) => return self.vendor(w == "vendor"),
            Tok::Word("substring") => {
                self.punct("(")?;
                let v = self.string()?;
                self.punct(",")?;
                let start = self.int_arg::<i32>("a start position")?;
                self.punct(",")?;
                let len = if self.is_word("all") {
                    self.next();
                    None
                } else {
                    Some(self.int_arg::<i32>("a length or 'all'")?)
                };
                self.punct(")")?;
                Str::Substring(Box::new(v), start, len)
            }
            Tok::Word("split") => {
                self.punct("(")?;
                let v = self.string()?;
                self.punct(",")?;
                let d = self.string()?;
                self.punct(",")?;
                let field = self.int_arg::<i32>("a field number")?;
                self.punct(")")?;
                Str::Split(Box::new(v), Box::new(d), field)
            }
            Tok::Word("concat") => {
                let (a, b) = self.two_strings()?;
                Str::Concat(Box::new(a), Box::new(b))
            }
            Tok::Word("hexstring") => {
                let (a, b) = self.two_strings()?;
                Str::HexString(Box::new(a), Box::new(b))
            }
            Tok::Word("ifelse") => {
                self.punct("(")?;
                let c = self.nest(|p| p.or())?;
                self.punct(",")?;
                let a = self.string()?;
                self.punct(",")?;
                let b = self.string()?;
                self.punct(")")?;
                Str::IfElse(Box::new(c), Box::new(a), Box::new(b))
            }
            Tok::Word(
                w @ ("lcase" | "ucase" | "addrtotext" | "int8totext" | "int16totext"
                | "int32totext" | "uint8totext" | "uint16totext" | "uint32totext"),
            ) => {
                self.punct("(")?;
                let v = Box::new(self.string()?);
                self.punct(")")?;
                match w {
                    "lcase" => Str::Lcase(v),
                    "ucase" => Str::Ucase(v),
                    "addrtotext" => Str::AddrToText(v),
                    "int8totext" => Str::IntToText(IntKind::I8, v),
                    "int16totext" => Str::IntToText(IntKind::I16, v),
                    "int32totext" => Str::IntToText(IntKind::I32, v),
                    "uint8totext" => Str::IntToText(IntKind::U8, v),
                    "uint16totext" => Str::IntToText(IntKind::U16, v),
                    _ => Str::IntToText(IntKind::U32, v),
                }
            }
            Tok::Word("member" | "known" | "unknown" | "match" | "not") | Tok::Punct("(") => {
                self.i -= 1;
                return Ok(Term::NotString);
            }
            t => {
                return Err(ParseError::new(at, format!("unexpected {}", t.describe())));
            }
        };
        Ok(Term::Str(s))
    }

    fn two_strings(&mut self) -> Result<(Str, Str), ParseError> {
        self.punct("(")?;
        let a = self.string()?;
        self.punct(",")?;
        let b = self.string()?;
        self.punct(")")?;
        Ok((a, b))
    }

    fn field(&mut self, names: &[&'static str]) -> Result<&'static str, ParseError> {
        let found = names.iter().find(|n| self.is_word(n)).copied();
        match found {
            Some(n) => {
                self.next();
                Ok(n)
            }
            None => self.unexpected(&format!("one of {}", names.join(", "))),
        }
    }

    fn int_arg<T: std::str::FromStr>(&mut self, what: &str) -> Result<T, ParseError> {
        let at = self.at();
        match self.next() {
            Tok::Int(n) => parse_int(n, at, what),
            _ => {
                self.i -= 1;
                self.unexpected(&format!("{what} (an integer)"))
            }
        }
    }

    /// `[code]` or `[name]` after `option`.
    fn option_code(&mut self) -> Result<u16, ParseError> {
        self.punct("[")?;
        let at = self.at();
        let v4 = self.names.universe() == Universe::V4;
        let code = match self.next() {
            Tok::Int(n) if v4 => {
                parse_int::<u8>(n, at, "a DHCPv4 option code from 0 to 255")?.into()
            }
            Tok::Int(n) => parse_int::<u16>(n, at, "an option code from 0 to 65535")?,
            Tok::Word(name) => match self.names.option_code(name) {
                Some(c) => c,
                None => {
                    return Err(ParseError::new(
                        at,
                        format!("option '{name}' is not defined"),
                    ))
                }
            },
            _ => {
                self.i -= 1;
                return self.unexpected("an option code or name");
            }
        };
        self.punct("]")?;
        Ok(code)
    }

    fn bracket_u16(&mut self, what: &str) -> Result<u16, ParseError> {
        self.punct("[")?;
        let v = self.int_arg::<u16>(what)?;
        self.punct("]")?;
        Ok(v)
    }

    /// `.hex`, `.text` or `.exists` after an option reference.
    fn option_repr(&mut self, src: Source, form: TextForm) -> Result<Term, ParseError> {
        match self.field(&["hex", "text", "exists"])? {
            "hex" => Ok(Term::Str(Str::Fetch(src, Repr::Hex))),
            "text" => Ok(Term::Str(Str::Fetch(src, Repr::Text(form)))),
            _ => Ok(Term::Exists(src)),
        }
    }

    /// `vendor[...]...` and `vendor-class[...]...`.
    fn vendor(&mut self, vendor: bool) -> Result<Term, ParseError> {
        if self.is_punct(".") {
            self.next();
            self.word("enterprise")?;
            let src = if vendor {
                Source::VendorEnterprise
            } else {
                Source::VendorClassEnterprise
            };
            return Ok(Term::Str(Str::Fetch(src, Repr::Hex)));
        }
        self.punct("[")?;
        let ent = if self.is_punct("*") {
            self.next();
            0
        } else {
            self.int_arg::<u32>("an enterprise id or '*'")?
        };
        self.punct("]")?;
        self.punct(".")?;
        if self.is_word("exists") {
            self.next();
            return Ok(Term::Exists(if vendor {
                Source::Vendor(ent)
            } else {
                Source::VendorClass(ent)
            }));
        }
        if vendor {
            self.word("option")?;
            let code = self.bracket_u16("a sub-option code")?;
            self.punct(".")?;
            return self.option_repr(Source::VendorOption(ent, code), TextForm::Raw);
        }
        self.word("data")?;
        let index = if self.is_punct("[") {
            self.next();
            let i = self.int_arg::<u8>("a data index")?;
            self.punct("]")?;
            i
        } else {
            0
        };
        Ok(Term::Str(Str::Fetch(
            Source::VendorClassData(ent, index),
            Repr::Hex,
        )))
    }
}

/// What [`Parser::term`] found.
enum Term {
    Str(Str),
    Exists(Source),
    /// The token starts a boolean expression instead.
    NotString,
}

fn parse_int<T: std::str::FromStr>(n: &str, at: usize, what: &str) -> Result<T, ParseError> {
    n.parse()
        .map_err(|_| ParseError::new(at, format!("'{n}' is not {what}")))
}

/// Hex digits to bytes; an odd count gets a leading zero, as in Kea.
fn decode_hex(digits: &str) -> Vec<u8> {
    let nib = |c: u8| (c as char).to_digit(16).unwrap_or(0) as u8;
    let b = digits.as_bytes();
    let mut out = Vec::with_capacity(b.len().div_ceil(2));
    let mut i = 0;
    if !b.len().is_multiple_of(2) {
        out.push(nib(b[0]));
        i = 1;
    }
    while i + 1 < b.len() {
        out.push(nib(b[i]) << 4 | nib(b[i + 1]));
        i += 2;
    }
    out
}
