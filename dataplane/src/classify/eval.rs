//! Running a [`Program`] on one packet. Every value is a byte string, as
//! in Kea (booleans are `"true"` and `"false"`): borrowed from the packet
//! or the program, or built in a per-thread scratch buffer carved into
//! disjoint pieces ([`Bump`]), so nothing is allocated and every value can
//! be a plain slice.

use std::fmt::Write as _;
use std::mem::MaybeUninit;
use std::net::{Ipv4Addr, Ipv6Addr};
use std::sync::Arc;

use super::ast::{IntKind, Repr, Source, TextForm};
use super::compile::{Op, Program, STACK};
use super::matcher::Matcher;
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

    /// Appends `n` bytes for the caller to fill.
    fn extend(&mut self, n: usize) -> Result<&mut [u8], Full> {
        let start = self.len;
        let out = self.buf.get_mut(start..start + n).ok_or(Full)?;
        self.len += n;
        Ok(out)
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

    /// A fast path for [`Input::fetch`] small enough to inline: the bytes
    /// of `src` when they sit in the packet as they are (`Some(None)`: the
    /// packet does not have them); `None` sends the caller to `fetch`.
    fn borrowed(&self, src: Source) -> Option<Option<&[u8]>> {
        let _ = src;
        None
    }
}

/// The bytes of `src`: borrowed when they can be, built otherwise.
#[inline(always)]
fn source<'b, I: Input + ?Sized>(
    input: &'b I,
    src: Source,
    bump: &mut Bump<'b>,
) -> Option<&'b [u8]> {
    match input.borrowed(src) {
        Some(v) => v,
        None => input.fetch(src, bump),
    }
}

/// Most packet data one fused program reads before its code runs.
pub const SLOTS: usize = 32;

/// Packet data read once for a whole fused phase program, by slot: what
/// [`Input::borrowed`] gave, or, for data it could not give (an option
/// split over several instances), a flag sending every use to
/// [`Input::fetch`], so the value is built per class as without slots.
pub(super) struct Slots<'b> {
    /// Slot `n`'s data, written for every `n` below `sources.len()`; left
    /// uninitialised past that (clearing the whole array per packet cost
    /// more than a few tests).
    values: [MaybeUninit<Option<&'b [u8]>>; SLOTS],
    /// Bit `n`: slot `n` must be fetched where it is used.
    unborrowed: u32,
    /// What each slot holds.
    sources: &'b [Source],
}

impl<'b> Slots<'b> {
    /// No slots: for programs that read packet data where they use it.
    pub(super) fn none() -> Slots<'b> {
        Slots {
            values: [const { MaybeUninit::uninit() }; SLOTS],
            unborrowed: 0,
            sources: &[],
        }
    }

    /// Reads `sources` (at most [`SLOTS`]) from `input`, in place: the
    /// array is too big to move around per packet.
    #[inline(always)]
    pub(super) fn read<I: Input + ?Sized>(&mut self, input: &'b I, sources: &'b [Source]) {
        self.sources = &sources[..sources.len().min(SLOTS)];
        self.unborrowed = 0;
        for (n, (slot, &src)) in self.values.iter_mut().zip(self.sources).enumerate() {
            let v = input.borrowed(src).unwrap_or_else(|| {
                self.unborrowed |= 1 << n;
                None
            });
            slot.write(v);
        }
    }

    /// Slot `n`'s data (`None`: the packet does not have it).
    #[inline(always)]
    fn get<I: Input + ?Sized>(&self, n: u8, input: &'b I, bump: &mut Bump<'b>) -> Option<&'b [u8]> {
        let n = usize::from(n);
        // Indexing `sources` first proves the slot was written.
        let src = self.sources[n];
        if self.unborrowed & (1 << n) != 0 {
            return input.fetch(src, bump);
        }
        // SAFETY: `read` wrote every slot below `sources.len()`, and `n` is
        // below it (the index above would have panicked otherwise).
        unsafe { self.values[n].assume_init() }
    }
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
    let code = Code {
        ops: &prog.ops,
        consts: &prog.consts,
        regexes: &prog.regexes,
    };
    exec(code, &Slots::none(), input, classes, bump)
}

/// Instructions to run and the literal and regex tables they index.
#[derive(Clone, Copy)]
pub(super) struct Code<'b> {
    pub ops: &'b [Op],
    pub consts: &'b [u8],
    pub regexes: &'b [Arc<Matcher>],
}

/// Runs `code`, one whole expression, with the packet data in `slots`,
/// and returns the value it leaves.
#[inline(always)]
pub(super) fn exec<'b, I: Input + ?Sized>(
    code: Code<'b>,
    slots: &Slots<'b>,
    input: &'b I,
    classes: &ClassSet,
    bump: &mut Bump<'b>,
) -> Option<&'b [u8]> {
    // The top of the stack lives in `top` (a register, in practice): most
    // instructions replace it, so few values travel through memory. The
    // values under it are in `under`, left uninitialised: clearing it for
    // every class costs more than evaluating a typical test. The first
    // push stores the meaningless initial `top` in `under[0]`.
    let mut top: &'b [u8] = &[];
    let mut under = [const { MaybeUninit::<&'b [u8]>::uninit() }; STACK];
    let mut sp = 0usize;
    macro_rules! push {
        ($v:expr) => {{
            let v = $v;
            // The compiler bounded the program's depth by STACK.
            debug_assert!(sp < STACK);
            under[sp].write(top);
            sp += 1;
            top = v;
        }};
    }
    macro_rules! pop {
        () => {{
            sp -= 1;
            // SAFETY: slots below `sp` were written by earlier pushes; the
            // compiler counted the program's stack use and the parser typed
            // it, so a pop never reaches below what was pushed.
            debug_assert!(sp < STACK);
            unsafe { under[sp].assume_init() }
        }};
    }
    let Code {
        ops,
        consts,
        regexes,
    } = code;
    let constant = |s: u32, l: u32| &consts[s as usize..(s + l) as usize];
    let mut pc = 0;
    while let Some(&op) = ops.get(pc) {
        pc += 1;
        match op {
            Op::AndThen(n) | Op::OrElse(n) => {
                if truth(top) == matches!(op, Op::OrElse(_)) {
                    // The left operand decides: it stays as the result.
                    pc += n as usize;
                } else {
                    top = pop!();
                }
            }
            Op::Const(s, l) => push!(constant(s, l)),
            Op::Fetch(src, repr) => push!(fetch(input, src, repr, bump)),
            Op::FetchEqualConst(src, repr, s, l) => {
                push!(boolean(same(fetch(input, src, repr, bump), constant(s, l))))
            }
            Op::Exists(src) => push!(boolean(source(input, src, bump).is_some())),
            Op::Slot(n, repr) => push!(represent(slots.get(n, input, bump), repr, bump)),
            Op::SlotSubstring(n, start, len) => {
                push!(substring(
                    slots.get(n, input, bump).unwrap_or(&[]),
                    start,
                    len
                ))
            }
            Op::SlotExists(n) => push!(boolean(slots.get(n, input, bump).is_some())),
            Op::SlotEqualConst(n, repr, s, l) => {
                let v = represent(slots.get(n, input, bump), repr, bump);
                push!(boolean(same(v, constant(s, l))))
            }
            Op::Member(c) => push!(boolean(classes.contains(c))),
            Op::Substring(start, len) => top = substring(top, start, len),
            Op::Split(field) => top = split(pop!(), top, field),
            Op::Concat => top = bump.join(&[pop!(), top]),
            Op::IfElse => {
                let yes = pop!();
                top = if truth(pop!()) { yes } else { top };
            }
            Op::HexString => top = hexstring(bump, pop!(), top),
            Op::Lcase | Op::Ucase => {
                let (v, lower) = (top, op == Op::Lcase);
                top = bump.build(|c| {
                    c.push(v)?;
                    let w = c.written();
                    if lower {
                        w.make_ascii_lowercase();
                    } else {
                        w.make_ascii_uppercase();
                    }
                    Ok(())
                });
            }
            Op::AddrToText => {
                top = match top.len() {
                    4 => text(bump, top, TextForm::Ipv4),
                    16 => text(bump, top, TextForm::Ipv6),
                    _ => &[],
                }
            }
            Op::IntToText(k) => {
                top = if top.len() == k.width() {
                    text(bump, top, TextForm::Int(k))
                } else {
                    &[]
                }
            }
            Op::Equal => top = boolean(same(pop!(), top)),
            Op::EqualConst(s, l) => top = boolean(same(top, constant(s, l))),
            Op::CaseEqualConst(lower, s, l) => {
                let c = constant(s, l);
                let fold = |b: &u8| {
                    if lower {
                        b.to_ascii_lowercase()
                    } else {
                        b.to_ascii_uppercase()
                    }
                };
                top = boolean(top.len() == c.len() && top.iter().map(fold).eq(c.iter().copied()));
            }
            Op::Match(n) => top = boolean(regexes[n as usize].is_match(top)),
            Op::Not => top = boolean(!truth(top)),
        }
    }
    // One value pushed over the initial `top`: the result.
    (sp == 1).then_some(top)
}

/// Packet data in the representation asked for; empty when absent.
fn fetch<'b, I: Input + ?Sized>(
    input: &'b I,
    src: Source,
    repr: Repr,
    bump: &mut Bump<'b>,
) -> &'b [u8] {
    represent(source(input, src, bump), repr, bump)
}

/// Packet data `v` in the representation asked for; empty when absent.
#[inline(always)]
fn represent<'b>(v: Option<&'b [u8]>, repr: Repr, bump: &mut Bump<'b>) -> &'b [u8] {
    match v {
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
pub(super) fn truth(v: &[u8]) -> bool {
    v.len() == TRUE.len()
}

/// Byte equality; values up to 16 bytes (most literals) compared as two
/// overlapping words each, without a loop or a call to `memcmp`.
fn same(a: &[u8], b: &[u8]) -> bool {
    // Fixed-size arrays compile to single loads; `a` and `b` have the same
    // length, at least `N`.
    fn words<const N: usize>(a: &[u8], b: &[u8]) -> bool {
        let at =
            |x: &[u8], from: usize| -> [u8; N] { x[from..from + N].try_into().expect("N bytes") };
        let last = a.len() - N;
        at(a, 0) == at(b, 0) && at(a, last) == at(b, last)
    }
    if a.len() != b.len() {
        return false;
    }
    match a.len() {
        0 => true,
        1 => a[0] == b[0],
        2..=3 => words::<2>(a, b),
        4..=7 => words::<4>(a, b),
        8..=16 => words::<8>(a, b),
        _ => a == b,
    }
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
        .and_then(|f| {
            let nth = f.checked_sub(1)?;
            match delims {
                // One delimiter (the usual case): a plain byte compare.
                [d] => v.split(|c| c == d).nth(nth),
                _ => v.split(|c| delims.contains(c)).nth(nth),
            }
        })
        .unwrap_or(&[])
}

fn hexstring<'b>(bump: &mut Bump<'b>, v: &[u8], sep: &[u8]) -> &'b [u8] {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let width = 2 + sep.len();
    bump.build(|c| {
        let out = c.extend((v.len() * width).saturating_sub(sep.len()))?;
        for (i, &b) in v.iter().enumerate() {
            let at = i * width;
            out[at] = DIGITS[usize::from(b >> 4)];
            out[at + 1] = DIGITS[usize::from(b & 15)];
            if i + 1 < v.len() {
                // A one-byte separator (the usual `:` or `-`) without a copy call.
                match sep {
                    [s] => out[at + 2] = *s,
                    _ => out[at + 2..at + width].copy_from_slice(sep),
                }
            }
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
