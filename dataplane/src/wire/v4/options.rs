//! Walking the option areas of a DHCPv4 message.
//!
//! A message can carry options in three areas: the options field, then
//! `file` and `sname` when option 52 says so. RFC 3396 lets one option be
//! split into several instances with the same code, which the receiver joins
//! in area order; [`OptionValue`] presents such a split option without
//! copying until the caller asks for one buffer.

use super::code::{END, PAD};
use crate::wire::WireError;

/// One option instance as it sits on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RawOption<'a> {
    /// The option code.
    pub code: u8,
    /// The option's bytes, without code and length.
    pub data: &'a [u8],
}

/// A byte range of the message holding options.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct Area {
    pub start: u16,
    pub end: u16,
}

impl Area {
    pub fn range(self) -> core::ops::Range<usize> {
        self.start.into()..self.end.into()
    }
}

/// The areas of one message, in the order RFC 3396 joins them; unused ones are empty.
pub(super) type Areas = [Area; 3];

/// Reads the option at `pos`, skipping pads. Returns the option and where the
/// next one starts, or `None` at END or at the end of the area.
pub(super) fn step(
    buf: &[u8],
    mut pos: usize,
    end: usize,
) -> Result<Option<(RawOption<'_>, usize)>, WireError> {
    while pos < end && buf[pos] == PAD {
        pos += 1;
    }
    if pos >= end || buf[pos] == END {
        return Ok(None);
    }
    let code = buf[pos];
    let overrun = WireError::OptionOverrun {
        code: code.into(),
        offset: pos,
    };
    let len = *buf.get(pos + 1).filter(|_| pos + 1 < end).ok_or(overrun)? as usize;
    let data_end = pos + 2 + len;
    if data_end > end {
        return Err(overrun);
    }
    Ok(Some((
        RawOption {
            code,
            data: &buf[pos + 2..data_end],
        },
        data_end,
    )))
}

/// Iterator over every option instance of a validated message, in area order.
#[derive(Debug, Clone)]
pub struct Options<'a> {
    buf: &'a [u8],
    areas: Areas,
    area: usize,
    pos: usize,
}

impl<'a> Options<'a> {
    pub(super) fn new(buf: &'a [u8], areas: Areas) -> Self {
        Options {
            buf,
            areas,
            area: 0,
            pos: areas[0].start.into(),
        }
    }

    /// Continues the walk at `pos`, the start of an option inside one of the areas.
    pub(super) fn resume(buf: &'a [u8], areas: Areas, pos: usize) -> Self {
        let area = areas
            .iter()
            .position(|a| a.range().contains(&pos))
            .unwrap_or(areas.len());
        Options {
            buf,
            areas,
            area,
            pos,
        }
    }
}

impl<'a> Iterator for Options<'a> {
    type Item = RawOption<'a>;

    fn next(&mut self) -> Option<RawOption<'a>> {
        while self.area < self.areas.len() {
            let end = self.areas[self.area].end.into();
            // The message was validated when parsed, so an error cannot occur;
            // treating one as the end of the area keeps this total anyway.
            if let Ok(Some((opt, next))) = step(self.buf, self.pos, end) {
                self.pos = next;
                return Some(opt);
            }
            self.area += 1;
            if let Some(a) = self.areas.get(self.area) {
                self.pos = a.start.into();
            }
        }
        None
    }
}

/// A set of option codes, one bit each.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct CodeSet([u64; 4]);

impl CodeSet {
    pub fn insert(&mut self, code: u8) {
        self.0[usize::from(code >> 6)] |= 1 << (code & 63);
    }

    pub fn contains(&self, code: u8) -> bool {
        self.0[usize::from(code >> 6)] & (1 << (code & 63)) != 0
    }
}

/// The value of one option, possibly split over several instances (RFC 3396).
#[derive(Debug, Clone)]
pub struct OptionValue<'a> {
    code: u8,
    first: &'a [u8],
    split: bool,
    rest: Options<'a>,
}

impl<'a> OptionValue<'a> {
    pub(super) fn new(code: u8, first: &'a [u8], split: bool, rest: Options<'a>) -> Self {
        OptionValue {
            code,
            first,
            split,
            rest,
        }
    }

    /// The option code.
    pub fn code(&self) -> u8 {
        self.code
    }

    /// The whole value when it sits in one instance, which is the usual case.
    pub fn contiguous(&self) -> Option<&'a [u8]> {
        (!self.split).then_some(self.first)
    }

    /// The instances' data in the order they are joined.
    pub fn fragments(&self) -> impl Iterator<Item = &'a [u8]> + '_ {
        let code = self.code;
        let rest = self
            .split
            .then(|| {
                self.rest
                    .clone()
                    .filter(move |o| o.code == code)
                    .map(|o| o.data)
            })
            .into_iter()
            .flatten();
        core::iter::once(self.first).chain(rest)
    }

    /// Length of the joined value.
    pub fn len(&self) -> usize {
        match self.contiguous() {
            Some(v) => v.len(),
            None => self.fragments().map(<[u8]>::len).sum(),
        }
    }

    /// True when the joined value has no bytes.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The joined value: borrowed from the message when it is contiguous,
    /// otherwise copied into `scratch`.
    pub fn read<'s>(&self, scratch: &'s mut [u8]) -> Result<&'s [u8], WireError>
    where
        'a: 's,
    {
        if let Some(v) = self.contiguous() {
            return Ok(v);
        }
        let needed = self.len();
        let available = scratch.len();
        let dst = scratch
            .get_mut(..needed)
            .ok_or(WireError::NoSpace { needed, available })?;
        self.gather(dst);
        Ok(dst)
    }

    /// The joined value as a fixed-size array, or `None` if its length differs.
    pub fn to_array<const N: usize>(&self) -> Option<[u8; N]> {
        let mut out = [0u8; N];
        (self.len() == N).then(|| {
            self.gather(&mut out);
            out
        })
    }

    /// Copies the fragments into `dst`, which holds exactly the joined length.
    fn gather(&self, dst: &mut [u8]) {
        if let Some(v) = self.contiguous() {
            dst.copy_from_slice(v);
            return;
        }
        let mut at = 0;
        for frag in self.fragments() {
            dst[at..at + frag.len()].copy_from_slice(frag);
            at += frag.len();
        }
    }
}
