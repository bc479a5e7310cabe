//! The tests of one phase fused into one program: the classes' code back
//! to back over shared literal and regex tables, with the packet data they
//! read gathered into slots filled once per packet. A packet walks one
//! array; the per-class work is only where one class's code ends, and data
//! that several classes read (option 60, the MAC) is looked up once.

use std::sync::Arc;

use super::ast::{Repr, Source};
use super::compile::{Op, Program};
use super::eval::{self, Arena, Code, Input, Slots, SLOTS};
use super::matcher::Matcher;
use super::ClassSet;

/// A phase's class tests, in evaluation order.
#[derive(Debug, Clone, Default, PartialEq, rkyv::Archive, rkyv::Serialize, rkyv::Deserialize)]
pub struct PhaseCode {
    /// Every class's code, appended in order.
    ops: Vec<Op>,
    consts: Vec<u8>,
    regexes: Vec<Arc<Matcher>>,
    /// Per class, in order: its index and where its code ends in `ops`.
    classes: Vec<(u16, u32)>,
    /// The packet data read into slots before the code runs; data past
    /// [`SLOTS`] is read where it is used.
    sources: Vec<Source>,
}

impl PhaseCode {
    /// Fuses `tests` (class index and compiled test), in the order given.
    pub fn new<'p>(tests: impl IntoIterator<Item = (u16, &'p Program)>) -> PhaseCode {
        let mut code = PhaseCode::default();
        for (class, test) in tests {
            code.push(class, test);
        }
        code
    }

    /// Appends class `class` with test `test`: it runs after those before.
    pub fn push(&mut self, class: u16, test: &Program) {
        let (c, r) = (self.consts.len() as u32, self.regexes.len() as u32);
        let base = self.ops.len();
        // Where each of the test's instructions lands, and its end: a
        // substring of slot data joins the slot's instruction.
        let mut at = Vec::with_capacity(test.ops.len() + 1);
        for op in test.ops.iter() {
            let op = self.slotted(op.rebased(c, r));
            let last = self.ops.len().checked_sub(1).filter(|&l| l >= base);
            match (last.map(|l| self.ops[l]), op) {
                (Some(Op::Slot(n, Repr::Hex)), Op::Substring(s, l)) => {
                    let last = self.ops.len() - 1;
                    at.push(last);
                    self.ops[last] = Op::SlotSubstring(n, s, l);
                }
                _ => {
                    at.push(self.ops.len());
                    self.ops.push(op);
                }
            }
        }
        at.push(self.ops.len());
        for (i, &to) in at[..test.ops.len()].iter().enumerate() {
            if let Op::AndThen(n) | Op::OrElse(n) = &mut self.ops[to] {
                *n = (at[i + 1 + *n as usize] - to - 1) as u32;
            }
        }
        self.consts.extend_from_slice(&test.consts);
        self.regexes.extend(test.regexes.iter().cloned());
        self.classes.push((class, self.ops.len() as u32));
    }

    /// `op` reading its packet data from a slot, giving the data a slot
    /// when it has none yet and one is free.
    fn slotted(&mut self, op: Op) -> Op {
        let sources = &mut self.sources;
        let mut slot = |src: Source| {
            let n = match sources.iter().position(|&s| s == src) {
                Some(n) => n,
                None if sources.len() < SLOTS => {
                    sources.push(src);
                    sources.len() - 1
                }
                None => return None,
            };
            u8::try_from(n).ok()
        };
        match op {
            Op::Fetch(src, repr) => slot(src).map(|n| Op::Slot(n, repr)),
            Op::Exists(src) => slot(src).map(Op::SlotExists),
            Op::FetchEqualConst(src, repr, s, l) => {
                slot(src).map(|n| Op::SlotEqualConst(n, repr, s, l))
            }
            _ => None,
        }
        .unwrap_or(op)
    }

    /// Evaluates each class in order, adding it to `set` when its test
    /// holds (so a later test's `member` sees it), and tells `seen` every
    /// result. Each class starts with the whole of `arena`.
    #[inline]
    pub fn run<I: Input + ?Sized>(
        &self,
        input: &I,
        set: &mut ClassSet,
        arena: &mut Arena,
        mut seen: impl FnMut(u16, bool),
    ) {
        let mut slots = Slots::none();
        slots.read(input, &self.sources);
        let mut start = 0;
        for &(class, end) in &self.classes {
            let end = end as usize;
            let code = Code {
                ops: &self.ops[start..end],
                consts: &self.consts,
                regexes: &self.regexes,
            };
            let member =
                eval::exec(code, &slots, input, set, &mut arena.bump()).is_some_and(eval::truth);
            start = end;
            set.insert_if(class, member);
            seen(class, member);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classify::ast::{Bool, Pkt4Field, Repr, Str};

    fn option_is(code: u16, v: &[u8]) -> Program {
        Program::new(&Bool::Equal(
            Box::new(Str::Fetch(Source::Option(code), Repr::Hex)),
            Box::new(Str::Const(v.to_vec())),
        ))
        .unwrap()
    }

    /// Data several classes read gets one slot; literals and regexes keep
    /// pointing at their own class's; data past the last slot is fetched
    /// where it is used.
    #[test]
    fn shared_data_gets_one_slot_and_tables_are_rebased() {
        let mac = Program::new(&Bool::Equal(
            Box::new(Str::Fetch(Source::Pkt4(Pkt4Field::Mac), Repr::Hex)),
            Box::new(Str::Fetch(Source::Option(60), Repr::Hex)),
        ))
        .unwrap();
        let exists = Program::new(&Bool::Exists(Source::Option(60))).unwrap();
        let re = Program::new(&Bool::Match(
            "a+".into(),
            Box::new(Str::Fetch(Source::Option(61), Repr::Hex)),
        ))
        .unwrap();
        let code = PhaseCode::new([
            (5, &option_is(60, b"ab")),
            (6, &mac),
            (7, &exists),
            (8, &re),
            (9, &option_is(60, b"cde")),
            (10, &re),
        ]);
        assert_eq!(
            code.sources,
            [
                Source::Option(60),
                Source::Pkt4(Pkt4Field::Mac),
                Source::Option(61)
            ]
        );
        assert_eq!(
            code.ops,
            [
                Op::SlotEqualConst(0, Repr::Hex, 0, 2),
                Op::Slot(1, Repr::Hex),
                Op::Slot(0, Repr::Hex),
                Op::Equal,
                Op::SlotExists(0),
                Op::Slot(2, Repr::Hex),
                Op::Match(0),
                Op::SlotEqualConst(0, Repr::Hex, 2, 3),
                Op::Slot(2, Repr::Hex),
                Op::Match(1),
            ]
        );
        assert_eq!(
            code.classes,
            [(5, 1), (6, 4), (7, 5), (8, 7), (9, 8), (10, 10)]
        );
        assert_eq!(code.regexes.len(), 2);
        assert_eq!(&code.consts[..], b"abcde");

        // A substring of slot data joins the slot's instruction, and the
        // `and` skipping over it skips one instruction less.
        let sub = |code: u16| {
            Box::new(Str::Substring(
                Box::new(Str::Fetch(Source::Option(code), Repr::Hex)),
                0,
                Some(1),
            ))
        };
        let and = Program::new(&Bool::And(
            Box::new(Bool::Exists(Source::Option(61))),
            Box::new(Bool::Equal(sub(61), Box::new(Str::Const(vec![1])))),
        ))
        .unwrap();
        let code = PhaseCode::new([(5, &and)]);
        assert_eq!(
            code.ops,
            [
                Op::SlotExists(0),
                Op::AndThen(2),
                Op::SlotSubstring(0, 0, Some(1)),
                Op::EqualConst(0, 1),
            ]
        );

        let many: Vec<Program> = (0..SLOTS as u16 + 2).map(|c| option_is(c, b"x")).collect();
        let code = PhaseCode::new(many.iter().enumerate().map(|(i, p)| (i as u16, p)));
        assert_eq!(code.sources.len(), SLOTS);
        assert!(matches!(code.ops[SLOTS - 1], Op::SlotEqualConst(..)));
        assert!(matches!(
            code.ops[SLOTS],
            Op::FetchEqualConst(Source::Option(32), ..)
        ));
    }
}
