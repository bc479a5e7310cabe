//! The parsed tree flattened into postfix code over a value stack, with
//! literals in one byte table and regular expressions compiled once.

use std::sync::Arc;

use super::ast::{Bool, IntKind, Repr, Source, Str};
use super::matcher::Matcher;
use super::ParseError;

/// One instruction; operands come from the stack, results go back on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, rkyv::Archive, rkyv::Serialize, rkyv::Deserialize)]
pub enum Op {
    /// Push `consts[start..start + len]`.
    Const(u32, u32),
    /// Push packet data (empty when absent).
    Fetch(Source, Repr),
    /// Push whether packet data is present.
    Exists(Source),
    /// Replace the top with a substring (`None`: to the end).
    Substring(i32, Option<i32>),
    /// Pop delimiters and value, push the field.
    Split(i32),
    /// Pop b and a, push a followed by b.
    Concat,
    /// Pop else, then, cond; push the chosen one.
    IfElse,
    /// Pop separator and value, push the value in hexadecimal.
    HexString,
    /// Lower-case the top.
    Lcase,
    /// Upper-case the top.
    Ucase,
    /// Replace a 4- or 16-byte top with its address text.
    AddrToText,
    /// Replace an integer's bytes with its decimal text.
    IntToText(IntKind),
    /// Pop two strings, push whether they are equal.
    Equal,
    /// Pop a string, push whether it equals `consts[start..start + len]`
    /// (`x == literal` in one step).
    EqualConst(u32, u32),
    /// Push whether packet data equals `consts[start..start + len]`: the
    /// commonest test, `option[..].hex == literal`, in one step.
    FetchEqualConst(Source, Repr, u32, u32),
    /// Pop a string, push whether it lower-cased (`true`) or upper-cased
    /// equals `consts[start..start + len]`: `lcase(x) == literal` without
    /// building the lower-cased copy.
    CaseEqualConst(bool, u32, u32),
    /// Pop a string, push whether regex `n` matches all of it.
    Match(u32),
    /// Negate the top.
    Not,
    /// `a and b`, after `a`: when the top is false it is the result and the
    /// next `n` instructions (`b`) are skipped; otherwise it is dropped.
    AndThen(u32),
    /// `a or b`, after `a`: when the top is true it is the result and the
    /// next `n` instructions are skipped; otherwise it is dropped.
    OrElse(u32),
    /// Push whether the packet is in class `n`.
    Member(u16),
    /// [`Op::Fetch`] of the data a fused phase program read into slot `n`
    /// before its code runs (`super::phase`).
    Slot(u8, Repr),
    /// [`Op::Exists`] of slot `n`'s data.
    SlotExists(u8),
    /// [`Op::Slot`] of `.hex` data followed by [`Op::Substring`].
    SlotSubstring(u8, i32, Option<i32>),
    /// [`Op::FetchEqualConst`] of slot `n`'s data.
    SlotEqualConst(u8, Repr, u32, u32),
}

/// A compiled expression, ready to run on any number of packets.
#[derive(Debug, Clone, Default, PartialEq, rkyv::Archive, rkyv::Serialize, rkyv::Deserialize)]
pub struct Program {
    pub(super) ops: Box<[Op]>,
    pub(super) consts: Box<[u8]>,
    /// Shared: a phase's fused program (`super::phase`) holds the same
    /// automata as the classes' own programs.
    pub(super) regexes: Box<[Arc<Matcher>]>,
}

/// Most values a program may hold on the stack at once.
pub const STACK: usize = 64;

impl Program {
    /// Compiles a parsed test expression.
    pub fn new(e: &Bool) -> Result<Program, ParseError> {
        let mut c = Compiler::default();
        c.bool(e)?;
        c.finish()
    }

    /// Compiles a parsed string expression, run with [`super::eval::value`].
    pub fn string(e: &Str) -> Result<Program, ParseError> {
        let mut c = Compiler::default();
        c.str(e)?;
        c.finish()
    }

    /// Classes this program reads with `member`.
    pub fn members(&self) -> impl Iterator<Item = u16> + '_ {
        self.ops.iter().filter_map(|o| match o {
            Op::Member(c) => Some(*c),
            _ => None,
        })
    }
}

impl Op {
    /// The same instruction in a program whose literal table has `consts`
    /// bytes and whose regex table has `regexes` entries before this
    /// program's (`super::phase` appends programs).
    pub(super) fn rebased(self, consts: u32, regexes: u32) -> Op {
        match self {
            Op::Const(s, l) => Op::Const(s + consts, l),
            Op::EqualConst(s, l) => Op::EqualConst(s + consts, l),
            Op::FetchEqualConst(src, repr, s, l) => Op::FetchEqualConst(src, repr, s + consts, l),
            Op::CaseEqualConst(lower, s, l) => Op::CaseEqualConst(lower, s + consts, l),
            Op::Match(n) => Op::Match(n + regexes),
            op => op,
        }
    }
}

impl Compiler {
    fn finish(self) -> Result<Program, ParseError> {
        let c = self;
        if c.max_depth > STACK {
            return Err(ParseError::new(0, "expression too large"));
        }
        Ok(Program {
            ops: c.ops.into(),
            consts: c.consts.into(),
            regexes: c.regexes.into(),
        })
    }
}

#[derive(Default)]
struct Compiler {
    ops: Vec<Op>,
    consts: Vec<u8>,
    regexes: Vec<Arc<Matcher>>,
    depth: usize,
    max_depth: usize,
}

impl Compiler {
    /// Emits `op`, which pops `pops` values and pushes one.
    fn emit(&mut self, op: Op, pops: usize) {
        self.ops.push(op);
        self.depth = self.depth + 1 - pops;
        self.max_depth = self.max_depth.max(self.depth);
    }

    fn bool(&mut self, e: &Bool) -> Result<(), ParseError> {
        match e {
            Bool::Not(a) => {
                self.bool(a)?;
                self.emit(Op::Not, 1);
            }
            Bool::And(a, b) | Bool::Or(a, b) => {
                // Kea evaluates both sides, but nothing has side effects, so
                // skipping the right one when the left decides is the same.
                self.bool(a)?;
                let at = self.ops.len();
                self.ops.push(Op::AndThen(0));
                self.depth -= 1;
                self.bool(b)?;
                let n = (self.ops.len() - at - 1) as u32;
                self.ops[at] = if matches!(e, Bool::And(..)) {
                    Op::AndThen(n)
                } else {
                    Op::OrElse(n)
                };
            }
            Bool::Equal(a, b) => {
                self.str(a)?;
                self.str(b)?;
                let n = self.ops.len();
                match self.ops[n.saturating_sub(2)..] {
                    [Op::Fetch(src, repr), Op::Const(s, l)] => {
                        self.ops.truncate(n - 2);
                        self.depth -= 2;
                        self.emit(Op::FetchEqualConst(src, repr, s, l), 0);
                    }
                    [.., op @ (Op::Lcase | Op::Ucase), Op::Const(s, l)] => {
                        self.ops.truncate(n - 2);
                        self.depth -= 1;
                        self.emit(Op::CaseEqualConst(op == Op::Lcase, s, l), 1);
                    }
                    [.., Op::Const(s, l)] => {
                        self.ops.pop();
                        self.depth -= 1;
                        self.emit(Op::EqualConst(s, l), 1);
                    }
                    _ => self.emit(Op::Equal, 2),
                }
            }
            Bool::Match(re, v) => {
                self.str(v)?;
                let re = Matcher::new(re)
                    .map_err(|e| ParseError::new(0, format!("bad regular expression: {e}")))?;
                let n = u32::try_from(self.regexes.len())
                    .map_err(|_| ParseError::new(0, "too many regular expressions"))?;
                self.regexes.push(Arc::new(re));
                self.emit(Op::Match(n), 1);
            }
            Bool::Member(c) => self.emit(Op::Member(*c), 0),
            Bool::Exists(s) => self.emit(Op::Exists(*s), 0),
        }
        Ok(())
    }

    fn str(&mut self, e: &Str) -> Result<(), ParseError> {
        match e {
            Str::Const(b) => {
                let start = self.consts.len() as u32;
                self.consts.extend_from_slice(b);
                self.emit(Op::Const(start, b.len() as u32), 0);
            }
            Str::Fetch(s, r) => self.emit(Op::Fetch(*s, *r), 0),
            Str::Substring(v, start, len) => {
                self.str(v)?;
                self.emit(Op::Substring(*start, *len), 1);
            }
            Str::Split(v, d, field) => {
                self.str(v)?;
                self.str(d)?;
                self.emit(Op::Split(*field), 2);
            }
            Str::Concat(a, b) | Str::HexString(a, b) => {
                self.str(a)?;
                self.str(b)?;
                let op = if matches!(e, Str::Concat(..)) {
                    Op::Concat
                } else {
                    Op::HexString
                };
                self.emit(op, 2);
            }
            Str::IfElse(c, a, b) => {
                self.bool(c)?;
                self.str(a)?;
                self.str(b)?;
                self.emit(Op::IfElse, 3);
            }
            Str::Lcase(v) | Str::Ucase(v) | Str::AddrToText(v) | Str::IntToText(_, v) => {
                self.str(v)?;
                let op = match e {
                    Str::Lcase(_) => Op::Lcase,
                    Str::Ucase(_) => Op::Ucase,
                    Str::AddrToText(_) => Op::AddrToText,
                    Str::IntToText(k, _) => Op::IntToText(*k),
                    _ => unreachable!("matched above"),
                };
                self.emit(op, 1);
            }
        }
        Ok(())
    }
}
