//! Running a [`Program`] on one packet. Every value is a byte string, as
//! in Kea (booleans are `"true"` and `"false"`): borrowed from the packet
//! or the program, or built in a per-thread scratch buffer carved into
//! disjoint pieces ([`Bump`]), so nothing is allocated and every value can
//! be a plain slice.

use std::fmt::Write as _;
use std::mem::MaybeUninit;
use std::net::{Ipv4Addr, Ipv6Addr};

use super::ast::{IntKind, Repr, Source, TextForm};
use super::compile::{Op, Program, STACK};
use super::ClassSet;

/// Bytes of scratch space operators may build values in, per evaluation.
pub const ARENA: usize = 4096;

/// Kea's boolean values.
const TRUE: &[u8] = b"true";
const FALSE: &[u8] = b"false";

/// Per-thread scratch space for evaluations.
pub struct Arena {
    buf: [u8; ARENA],
}

impl Default for Arena {
    fn default() -> Self {
        Arena::new()
    }
}

impl Arena {
    /// An empty arena.
    pub const fn new() -> Arena {
        Arena { buf: [0; ARENA] }
    }

    /// The whole arena, free, for one evaluation.
    pub fn bump(&mut self) -> Bump<'_> {
        Bump {
            rest: &mut self.buf,
        }
    }
}

/// The free part of an arena: each value built takes a piece off its front.
pub struct Bump<'a> {
    rest: &'a mut [u8],
}

/// The arena ran out; the value being built becomes empty.
#[derive(Debug)]
pub struct Full;

impl<'a> Bump<'a> {
    /// A value written by `f` into the free space; empty when it does not fit.
    pub fn build(&mut self, f: impl FnOnce(&mut Cursor<'_>) -> Result<(), Full>) -> &'a [u8] {
        let mut c = Cursor {
            buf: std::mem::take(&mut self.rest),
            len: 0,
        };
        let ok = f(&mut c).is_ok();
        let len = if ok { c.len } else { 0 };
        let (done, rest) = c.buf.split_at_mut(len);
        self.rest = rest;
        done
    }

    /// The concatenation of `parts`.
    pub fn join(&mut self, parts: &[&[u8]]) -> &'a [u8] {
        self.build(|c| parts.iter().try_for_each(|p| c.push(p)))
    }
}

/// Writes one value into the arena's free space.
pub struct Cursor<'a> {
    buf: &'a mut [u8],
    len: usize,
}

impl Cursor<'_> {
    /// Appends `b`.
    pub fn push(&mut self, b: &[u8]) -> Result<(), Full> {
        let end = self.len + b.len();
        self.buf
            .get_mut(self.len..end)
            .ok_or(Full)?
            .copy_from_slice(b);
        self.len = end;
        Ok(())
    }

    /// The bytes written so far.
    fn written(&mut self) -> &mut [u8] {
        &mut self.buf[..self.len]
    }
}

/// Formatting integers and addresses into the arena allocates nothing.
impl std::fmt::Write for Cursor<'_> {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        self.push(s.as_bytes()).map_err(|_| std::fmt::Error)
    }
}

/// Packet data a program reads; implemented per protocol.
pub trait Input {
    /// The bytes of `src`, built in `bump` when not contiguous in the
    /// packet; `None` when the packet does not have it.
    fn fetch<'b>(&'b self, src: Source, bump: &mut Bump<'b>) -> Option<&'b [u8]>;
}

/// Runs the test `prog` over `input` with the memberships known so far.
pub fn run<'b, I: Input + ?Sized>(
    prog: &'b Program,
    input: &'b I,
    classes: &ClassSet,
    bump: &mut Bump<'b>,
) -> bool {
    value(prog, input, classes, bump).is_some_and(truth)
}

/// Runs `prog` and returns the value it leaves: the string of a string
/// expression (built in `bump` or borrowed from the packet or program).
pub fn value<'b, I: Input + ?Sized>(
    prog: &'b Program,
    input: &'b I,
    classes: &ClassSet,
    bump: &mut Bump<'b>,
) -> Option<&'b [u8]> {
    // Left uninitialised: clearing the whole stack for every class costs
    // more than evaluating a typical test.
    let mut stack = [const { MaybeUninit::<&'b [u8]>::uninit() }; STACK];
    let mut sp = 0usize;
    macro_rules! pop {
        () => {{
            sp -= 1;
            // SAFETY: slots below `sp` were written by earlier pushes; the
            // compiler counted the program's stack use and the parser typed
            // it, so a pop never reaches below what was pushed.
            debug_assert!(sp < STACK);
            unsafe { stack[sp].assume_init() }
        }};
    }
    let consts = &prog.consts[..];
    let ops = &prog.ops[..];
    let mut pc = 0;
    while let Some(&op) = ops.get(pc) {
        pc += 1;
        let v: &'b [u8] = match op {
            Op::AndThen(n) | Op::OrElse(n) => {
                let left = truth(pop!());
                if left == matches!(op, Op::OrElse(_)) {
                    // The left operand decides: it stays as the result.
                    sp += 1;
                    pc += n as usize;
                }
                continue;
            }
            Op::Const(s, l) => &consts[s as usize..(s + l) as usize],
            Op::Fetch(src, repr) => fetch(input, src, repr, bump),
            Op::FetchEqualConst(src, repr, s, l) => {
                let v = fetch(input, src, repr, bump);
                boolean(same(v, &consts[s as usize..(s + l) as usize]))
            }
            Op::Exists(src) => boolean(input.fetch(src, bump).is_some()),
            Op::Substring(start, len) => substring(pop!(), start, len),
            Op::Split(field) => {
                let delims = pop!();
                split(pop!(), delims, field)
            }
            Op::Concat => {
                let b = pop!();
                let a = pop!();
                bump.join(&[a, b])
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
                hexstring(bump, pop!(), sep)
            }
            Op::Lcase | Op::Ucase => {
                let v = pop!();
                let lower = op == Op::Lcase;
                bump.build(|c| {
                    c.push(v)?;
                    let w = c.written();
                    if lower {
                        w.make_ascii_lowercase();
                    } else {
                        w.make_ascii_uppercase();
                    }
                    Ok(())
                })
            }
            Op::AddrToText => {
                let v = pop!();
                match v.len() {
                    4 => text(bump, v, TextForm::Ipv4),
                    16 => text(bump, v, TextForm::Ipv6),
                    _ => &[],
                }
            }
            Op::IntToText(k) => {
                let v = pop!();
                if v.len() == k.width() {
                    text(bump, v, TextForm::Int(k))
                } else {
                    &[]
                }
            }
            Op::Equal => {
                let b = pop!();
                boolean(same(pop!(), b))
            }
            Op::EqualConst(s, l) => boolean(same(pop!(), &consts[s as usize..(s + l) as usize])),
            Op::Match(n) => boolean(prog.regexes[usize::from(n)].is_match(pop!())),
            Op::Not => boolean(!truth(pop!())),
            Op::Member(c) => boolean(classes.contains(c)),
        };
        stack[sp].write(v);
        sp += 1;
    }
    (sp == 1).then(|| pop!())
}

/// Packet data in the representation asked for; empty when absent.
fn fetch<'b, I: Input + ?Sized>(
    input: &'b I,
    src: Source,
    repr: Repr,
    bump: &mut Bump<'b>,
) -> &'b [u8] {
    match input.fetch(src, bump) {
        None => &[],
        Some(v) => match repr {
            Repr::Hex | Repr::Text(TextForm::Raw) => v,
            Repr::Text(form) => text(bump, v, form),
        },
    }
}

fn boolean(b: bool) -> &'static [u8] {
    if b {
        TRUE
    } else {
        FALSE
    }
}

/// Booleans are only ever `TRUE` or `FALSE` (the parser types every
/// operand), so the length tells them apart without comparing bytes.
fn truth(v: &[u8]) -> bool {
    v.len() == TRUE.len()
}

/// Byte equality; short values (most literals) without calling `memcmp`.
fn same(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    if a.len() > 8 {
        return a == b;
    }
    let word = |x: &[u8]| x.iter().fold(0u64, |w, &c| w << 8 | u64::from(c));
    word(a) == word(b)
}

/// Kea's `substring`: negative start counts from the end, negative
/// length takes the bytes before `start`.
fn substring(v: &[u8], start: i32, len: Option<i32>) -> &[u8] {
    let n = v.len() as i64;
    let (mut start, mut len) = (i64::from(start), len.map_or(n, i64::from));
    if n == 0 || start < -n || start >= n {
        return &[];
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
    &v[start as usize..end as usize]
}

/// Kea's `split`: fields separated by any of the delimiter bytes, counted
/// from 1; adjacent delimiters give empty fields.
fn split<'v>(v: &'v [u8], delims: &[u8], field: i32) -> &'v [u8] {
    if v.is_empty() || delims.is_empty() {
        return v;
    }
    usize::try_from(field)
        .ok()
        .and_then(|f| v.split(|c| delims.contains(c)).nth(f.checked_sub(1)?))
        .unwrap_or(&[])
}

fn hexstring<'b>(bump: &mut Bump<'b>, v: &[u8], sep: &[u8]) -> &'b [u8] {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    bump.build(|c| {
        for (i, &b) in v.iter().enumerate() {
            if i > 0 {
                c.push(sep)?;
            }
            c.push(&[DIGITS[usize::from(b >> 4)], DIGITS[usize::from(b & 15)]])?;
        }
        Ok(())
    })
}

/// A value's text form: addresses and integers (arrays comma separated).
fn text<'b>(bump: &mut Bump<'b>, v: &'b [u8], form: TextForm) -> &'b [u8] {
    let width = match form {
        TextForm::Raw => return v,
        TextForm::Ipv4 => 4,
        TextForm::Ipv6 => 16,
        TextForm::Int(k) => k.width(),
    };
    if v.is_empty() || !v.len().is_multiple_of(width) {
        return v;
    }
    bump.build(|c| {
        for (i, item) in v.chunks(width).enumerate() {
            let sep = if i > 0 { "," } else { "" };
            let r = match form {
                TextForm::Ipv4 => write!(
                    c,
                    "{sep}{}",
                    Ipv4Addr::new(item[0], item[1], item[2], item[3])
                ),
                TextForm::Ipv6 => {
                    let mut o = [0u8; 16];
                    o.copy_from_slice(item);
                    write!(c, "{sep}{}", Ipv6Addr::from(o))
                }
                TextForm::Int(k) => {
                    let u = item.iter().fold(0u32, |acc, &x| acc << 8 | u32::from(x));
                    match k {
                        IntKind::I8 => write!(c, "{sep}{}", u as u8 as i8),
                        IntKind::I16 => write!(c, "{sep}{}", u as u16 as i16),
                        IntKind::I32 => write!(c, "{sep}{}", u as i32),
                        _ => write!(c, "{sep}{u}"),
                    }
                }
                TextForm::Raw => Ok(()),
            };
            r.map_err(|_| Full)?;
        }
        Ok(())
    })
}
