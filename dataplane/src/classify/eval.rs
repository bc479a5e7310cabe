//! Running a [`Program`] on one packet: a fixed-size value stack, values
//! borrowed from the packet or the program, and a scratch arena for the
//! values operators build. Nothing is allocated.

use std::fmt::Write as _;
use std::mem::MaybeUninit;
use std::net::{Ipv4Addr, Ipv6Addr};

use super::ast::{IntKind, Repr, Source, TextForm};
use super::compile::{Op, Program, STACK};
use super::ClassSet;

/// Bytes of scratch space operators may build values in, per evaluation.
pub const ARENA: usize = 4096;

/// A value on the stack.
#[derive(Debug, Clone, Copy)]
pub enum Val<'a> {
    /// Bytes owned by the packet or the program.
    Slice(&'a [u8]),
    /// Bytes built in the arena: start and length.
    Built(u16, u16),
    /// A boolean.
    Bool(bool),
}

/// Per-worker scratch space for evaluations.
pub struct Arena {
    buf: [u8; ARENA],
    used: usize,
}

impl Default for Arena {
    fn default() -> Self {
        Arena::new()
    }
}

/// The arena ran out; the value being built becomes empty.
#[derive(Debug)]
pub struct Full;

impl Arena {
    /// An empty arena.
    pub const fn new() -> Arena {
        Arena {
            buf: [0; ARENA],
            used: 0,
        }
    }

    /// Forgets every value built so far.
    pub fn reset(&mut self) {
        self.used = 0;
    }

    /// The bytes of `v` (a boolean reads as Kea's `true`/`false`).
    pub fn bytes<'s, 'a: 's>(&'s self, v: Val<'a>) -> &'s [u8] {
        match v {
            Val::Slice(s) => s,
            Val::Built(s, l) => &self.buf[usize::from(s)..usize::from(s) + usize::from(l)],
            Val::Bool(true) => b"true",
            Val::Bool(false) => b"false",
        }
    }

    /// Where the next value built starts.
    pub fn mark(&self) -> usize {
        self.used
    }

    /// The value built since `mark`.
    pub fn since(&self, mark: usize) -> Val<'static> {
        Val::Built(mark as u16, (self.used - mark) as u16)
    }

    /// Appends `v`'s bytes to the value being built.
    pub fn append(&mut self, v: Val<'_>) -> Result<(), Full> {
        let len = self.bytes(v).len();
        if self.used + len > ARENA {
            return Err(Full);
        }
        match v {
            Val::Built(s, l) => {
                let s = usize::from(s);
                self.buf.copy_within(s..s + usize::from(l), self.used);
            }
            Val::Slice(b) => self.buf[self.used..self.used + len].copy_from_slice(b),
            Val::Bool(t) => {
                let b: &[u8] = if t { b"true" } else { b"false" };
                self.buf[self.used..self.used + len].copy_from_slice(b);
            }
        }
        self.used += len;
        Ok(())
    }

    /// Appends raw bytes.
    pub fn push(&mut self, b: &[u8]) -> Result<(), Full> {
        self.append(Val::Slice(b))
    }

    /// Space to build a value of unknown length in, via `fmt::Write`.
    pub fn writer(&mut self) -> ArenaWriter<'_> {
        ArenaWriter { arena: self, full: false }
    }
}

/// `fmt::Write` into the arena; formatting integers and addresses this way
/// allocates nothing.
pub struct ArenaWriter<'a> {
    arena: &'a mut Arena,
    full: bool,
}

impl std::fmt::Write for ArenaWriter<'_> {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        if self.arena.push(s.as_bytes()).is_err() {
            self.full = true;
            return Err(std::fmt::Error);
        }
        Ok(())
    }
}

/// Packet data a program reads; implemented per protocol.
pub trait Input<'a> {
    /// The bytes of `src`, built in `arena` when not contiguous in the
    /// packet; `None` when the packet does not have it.
    fn fetch(&self, src: Source, arena: &mut Arena) -> Option<Val<'a>>;
}

/// Runs `prog` over `input` with the memberships known so far.
pub fn run<'a>(prog: &'a Program, input: &dyn Input<'a>, classes: &ClassSet, arena: &mut Arena) -> bool {
    // Left uninitialised: clearing the whole stack for every class costs
    // more than evaluating a typical test.
    let mut stack = [const { MaybeUninit::<Val<'a>>::uninit() }; STACK];
    let mut sp = 0usize;
    macro_rules! pop {
        () => {{
            sp -= 1;
            // SAFETY: slots below `sp` were written by earlier pushes; the
            // compiler typed and counted the program's stack use, so a pop
            // never reaches below what was pushed (checked in debug builds).
            debug_assert!(sp < STACK);
            unsafe { stack[sp].assume_init() }
        }};
    }
    for op in prog.ops.iter() {
        let v = match *op {
            Op::Const(s, l) => Val::Slice(&prog.consts[s as usize..(s + l) as usize]),
            Op::Fetch(src, repr) => match input.fetch(src, arena) {
                None => Val::Slice(&[]),
                Some(v) => match repr {
                    Repr::Hex | Repr::Text(TextForm::Raw) => v,
                    Repr::Text(form) => text(arena, v, form),
                },
            },
            Op::Exists(src) => Val::Bool(input.fetch(src, arena).is_some()),
            Op::Substring(start, len) => substring(arena, pop!(), start, len),
            Op::Split(field) => {
                let delims = pop!();
                split(arena, pop!(), delims, field)
            }
            Op::Concat => {
                let b = pop!();
                let a = pop!();
                build(arena, |ar| {
                    ar.append(a)?;
                    ar.append(b)
                })
            }
            Op::IfElse => {
                let no = pop!();
                let yes = pop!();
                if truth(pop!()) {
                    yes
                } else {
                    no
                }
            }
            Op::HexString => {
                let sep = pop!();
                hexstring(arena, pop!(), sep)
            }
            Op::Lcase | Op::Ucase => {
                let v = pop!();
                let mark = arena.mark();
                let out = build(arena, |ar| ar.append(v));
                if let Val::Built(s, l) = out {
                    let s = usize::from(s);
                    let bytes = &mut arena.buf[s..s + usize::from(l)];
                    if *op == Op::Lcase {
                        bytes.make_ascii_lowercase();
                    } else {
                        bytes.make_ascii_uppercase();
                    }
                }
                debug_assert!(arena.mark() >= mark);
                out
            }
            Op::AddrToText => {
                let v = pop!();
                let form = match arena.bytes(v).len() {
                    4 => TextForm::Ipv4,
                    16 => TextForm::Ipv6,
                    _ => TextForm::Raw,
                };
                if form == TextForm::Raw {
                    Val::Slice(&[])
                } else {
                    text(arena, v, form)
                }
            }
            Op::IntToText(k) => {
                let v = pop!();
                if arena.bytes(v).len() == k.width() {
                    text(arena, v, TextForm::Int(k))
                } else {
                    Val::Slice(&[])
                }
            }
            Op::Equal => {
                let b = pop!();
                let a = pop!();
                Val::Bool(arena.bytes(a) == arena.bytes(b))
            }
            Op::Match(n) => {
                let v = pop!();
                Val::Bool(prog.regexes[usize::from(n)].is_match(arena.bytes(v)))
            }
            Op::Not => Val::Bool(!truth(pop!())),
            Op::And => {
                let b = truth(pop!());
                Val::Bool(truth(pop!()) && b)
            }
            Op::Or => {
                let b = truth(pop!());
                Val::Bool(truth(pop!()) || b)
            }
            Op::Member(c) => Val::Bool(classes.contains(c)),
        };
        stack[sp].write(v);
        sp += 1;
    }
    sp == 1 && truth(pop!())
}

fn truth(v: Val<'_>) -> bool {
    matches!(v, Val::Bool(true))
}

/// Runs a builder; a full arena yields the empty string.
fn build<'a>(arena: &mut Arena, f: impl FnOnce(&mut Arena) -> Result<(), Full>) -> Val<'a> {
    let mark = arena.mark();
    match f(arena) {
        Ok(()) => arena.since(mark),
        Err(Full) => {
            arena.used = mark;
            Val::Slice(&[])
        }
    }
}

/// Narrows a value to `range` of its bytes without copying.
fn narrow(v: Val<'_>, from: usize, to: usize) -> Val<'_> {
    match v {
        Val::Slice(s) => Val::Slice(&s[from..to]),
        Val::Built(s, _) => Val::Built(s + from as u16, (to - from) as u16),
        // The parser types expressions: no boolean reaches a string operator.
        Val::Bool(_) => Val::Slice(&[]),
    }
}

/// Kea's `substring`: negative start counts from the end, negative
/// length takes the bytes before `start`.
fn substring<'a>(arena: &Arena, v: Val<'a>, start: i32, len: Option<i32>) -> Val<'a> {
    let n = arena.bytes(v).len() as i64;
    let (mut start, mut len) = (i64::from(start), len.map_or(n, i64::from));
    if n == 0 || start < -n || start >= n {
        return Val::Slice(&[]);
    }
    if start < 0 {
        start += n;
    }
    if len < 0 {
        len = -len;
        if len <= start {
            start -= len;
        } else {
            len = start;
            start = 0;
        }
    }
    let end = (start + len).min(n);
    narrow(v, start as usize, end as usize)
}

/// Kea's `split`: fields separated by any of the delimiter bytes, counted
/// from 1; adjacent delimiters give empty fields.
fn split<'a>(arena: &Arena, v: Val<'a>, delims: Val<'a>, field: i32) -> Val<'a> {
    let (s, d) = (arena.bytes(v), arena.bytes(delims));
    if s.is_empty() {
        return Val::Slice(&[]);
    }
    if d.is_empty() {
        return v;
    }
    let Ok(field) = usize::try_from(field) else {
        return Val::Slice(&[]);
    };
    let mut start = 0;
    let mut n = 1;
    for (i, c) in s.iter().enumerate() {
        if d.contains(c) {
            if n == field {
                return narrow(v, start, i);
            }
            n += 1;
            start = i + 1;
        }
    }
    if n == field {
        narrow(v, start, s.len())
    } else {
        Val::Slice(&[])
    }
}

fn hexstring<'a>(arena: &mut Arena, v: Val<'a>, sep: Val<'a>) -> Val<'a> {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let n = arena.bytes(v).len();
    build(arena, |ar| {
        for i in 0..n {
            if i > 0 {
                ar.append(sep)?;
            }
            let b = ar.bytes(v)[i];
            ar.push(&[DIGITS[usize::from(b >> 4)], DIGITS[usize::from(b & 15)]])?;
        }
        Ok(())
    })
}

/// An option's or a value's text form.
fn text<'a>(arena: &mut Arena, v: Val<'a>, form: TextForm) -> Val<'a> {
    let mut tmp = [0u8; 16];
    let n = arena.bytes(v).len();
    let width = match form {
        TextForm::Raw => return v,
        TextForm::Ipv4 => 4,
        TextForm::Ipv6 => 16,
        TextForm::Int(k) => k.width(),
    };
    if n == 0 || n % width != 0 {
        return v;
    }
    build(arena, |ar| {
        for i in 0..n / width {
            tmp[..width].copy_from_slice(&ar.bytes(v)[i * width..(i + 1) * width]);
            let item = &tmp[..width];
            let mut w = ar.writer();
            let sep = if i > 0 { "," } else { "" };
            let r = match form {
                TextForm::Ipv4 => {
                    let a = Ipv4Addr::new(item[0], item[1], item[2], item[3]);
                    write!(w, "{sep}{a}")
                }
                TextForm::Ipv6 => {
                    let mut o = [0u8; 16];
                    o.copy_from_slice(item);
                    write!(w, "{sep}{}", Ipv6Addr::from(o))
                }
                TextForm::Int(k) => {
                    let be = |b: &[u8]| b.iter().fold(0u32, |acc, &x| acc << 8 | u32::from(x));
                    let u = be(item);
                    match k {
                        IntKind::I8 => write!(w, "{sep}{}", u as u8 as i8),
                        IntKind::I16 => write!(w, "{sep}{}", u as u16 as i16),
                        IntKind::I32 => write!(w, "{sep}{}", u as i32),
                        _ => write!(w, "{sep}{u}"),
                    }
                }
                TextForm::Raw => Ok(()),
            };
            if r.is_err() || w.full {
                return Err(Full);
            }
        }
        Ok(())
    })
}
