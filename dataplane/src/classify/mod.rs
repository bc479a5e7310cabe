//! Client classification: Kea's expression language, parsed when the
//! configuration is read, compiled to postfix code, and evaluated per
//! packet without allocating.
//!
//! [`parser::parse`] turns a `test` string into a typed tree with option
//! and class names resolved (errors carry the column); [`Program`] is its
//! compiled form; [`eval::run`] evaluates it over an [`eval::Input`] with a
//! per-thread [`eval::Arena`]. [`Classes`] holds a configuration's classes
//! in order and assigns memberships to a packet in Kea's phases, each
//! phase's tests fused into one [`PhaseCode`].

pub mod assigned;
pub mod ast;
pub mod compile;
pub mod eval;
pub mod lexer;
pub mod matcher;
pub mod parser;
pub mod phase;
pub mod scope;
pub mod v4;
pub mod v6;

use std::cell::RefCell;
use std::net::Ipv4Addr;

pub use assigned::Assigned;
pub use compile::Program;
pub use eval::{Arena, Input};
pub use parser::{parse, parse_string, Names};
pub use phase::PhaseCode;
pub use scope::Scope;

use crate::config::{Lifetime, OptionSet};

/// A syntax or meaning error in an expression, with the byte offset it
/// points at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    /// Byte offset into the expression (0-based).
    pub at: usize,
    /// What is wrong.
    pub msg: String,
}

impl ParseError {
    /// An error at byte offset `at`.
    pub fn new(at: usize, msg: impl Into<String>) -> Self {
        ParseError {
            at,
            msg: msg.into(),
        }
    }

    /// The 1-based column the error points at.
    pub fn column(&self) -> usize {
        self.at + 1
    }
}

impl std::fmt::Display for ParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "at column {}: {}", self.column(), self.msg)
    }
}

impl std::error::Error for ParseError {}

/// Most classes one configuration may name (built-in ones included).
pub const MAX_CLASSES: usize = 512;

/// The classes a packet belongs to, by index.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ClassSet([u64; MAX_CLASSES / 64]);

impl ClassSet {
    /// Adds class `c`.
    pub fn insert(&mut self, c: u16) {
        self.0[usize::from(c) / 64] |= 1 << (c % 64);
    }

    /// Adds class `c` when `member` holds, without a branch on it.
    #[inline]
    pub fn insert_if(&mut self, c: u16, member: bool) {
        self.0[usize::from(c) / 64] |= u64::from(member) << (c % 64);
    }

    /// True when the packet is in class `c`.
    pub fn contains(&self, c: u16) -> bool {
        self.0
            .get(usize::from(c) / 64)
            .is_some_and(|w| w & (1 << (c % 64)) != 0)
    }

    /// The classes of `self` that `other` lacks.
    pub fn without(&self, other: &ClassSet) -> ClassSet {
        let mut out = *self;
        for (w, o) in out.0.iter_mut().zip(other.0) {
            *w &= !o;
        }
        out
    }

    /// Member classes, by index, lowest first.
    pub fn iter(&self) -> impl Iterator<Item = u16> + Clone + '_ {
        self.0.iter().enumerate().flat_map(|(w, &bits)| {
            let mut rest = bits;
            std::iter::from_fn(move || {
                (rest != 0).then(|| {
                    let b = rest.trailing_zeros();
                    rest &= rest - 1;
                    (w * 64) as u16 + b as u16
                })
            })
        })
    }
}

/// Indexes of the built-in classes: every configuration's class table
/// starts with them, in this order.
pub mod builtin {
    /// `ALL`: every packet.
    pub const ALL: u16 = 0;
    /// `KNOWN`: the client has a host reservation.
    pub const KNOWN: u16 = 1;
    /// `UNKNOWN`: it has none.
    pub const UNKNOWN: u16 = 2;
    /// `DROP`: the packet is dropped.
    pub const DROP: u16 = 3;
    /// `BOOTP`: a BOOTP request (set by the bootp hook in Kea).
    pub const BOOTP: u16 = 4;
    /// Their names, by index.
    pub const NAMES: [&str; 5] = ["ALL", "KNOWN", "UNKNOWN", "DROP", "BOOTP"];
}

/// Prefix of the classes Kea derives from the vendor class option.
pub const VENDOR_CLASS_PREFIX: &str = "VENDOR_CLASS_";

/// When a class's test is evaluated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, rkyv::Archive, rkyv::Serialize, rkyv::Deserialize)]
pub enum Phase {
    /// On reception, before subnet selection.
    Early,
    /// After the host reservation lookup: the test reads `KNOWN` or
    /// `UNKNOWN`, directly or through another class.
    AfterHost,
    /// Only when a pool, subnet or shared network lists it in
    /// `require-client-classes` / `evaluate-additional-classes`.
    Additional,
}

/// One class of the configuration.
#[derive(Debug, Clone, PartialEq, rkyv::Archive, rkyv::Serialize, rkyv::Deserialize)]
pub struct Class {
    /// Its name.
    pub name: String,
    /// The compiled `test`, if any.
    pub test: Option<Program>,
    /// When the test runs.
    pub phase: Phase,
    /// For `VENDOR_CLASS_x`: the vendor class value `x` that makes a member.
    pub vendor: Option<Vec<u8>>,
    /// Class `option-data`.
    pub options: OptionSet,
    /// Class `next-server` (v4 siaddr).
    pub next_server: Option<Ipv4Addr>,
    /// Class `server-hostname` (v4 sname).
    pub server_hostname: Option<String>,
    /// Class `boot-file-name` (v4 file).
    pub boot_file_name: Option<String>,
    /// Class `valid-lifetime` with its own `min-`/`max-` bounds.
    pub valid: Option<Lifetime>,
    /// Class `preferred-lifetime` with its bounds (v6).
    pub preferred: Option<Lifetime>,
}

impl Class {
    /// A class with only a name (built in, or referred to but not defined).
    pub fn named(name: &str) -> Class {
        Class {
            name: name.to_string(),
            test: None,
            phase: Phase::Early,
            vendor: name
                .strip_prefix(VENDOR_CLASS_PREFIX)
                .map(|v| v.as_bytes().to_vec()),
            options: OptionSet::default(),
            next_server: None,
            server_hostname: None,
            boot_file_name: None,
            valid: None,
            preferred: None,
        }
    }
}

/// A configuration's classes, built-in ones first, then in configuration
/// order.
#[derive(Debug, Clone, PartialEq, rkyv::Archive, rkyv::Serialize, rkyv::Deserialize)]
pub struct Classes {
    list: Vec<Class>,
    /// Results are traced under `kea-dhcp6.eval` rather than `kea-dhcp4.eval`.
    v6: bool,
    /// The tests run on reception, in order, fused into one program: a
    /// packet neither walks the whole table to find them nor sets up each.
    early: PhaseCode,
    /// The tests run after the host lookup, in order, fused.
    after_host: PhaseCode,
    /// The `VENDOR_CLASS_` classes.
    vendors: Vec<u16>,
}

impl Default for Classes {
    fn default() -> Self {
        let mut classes = Classes {
            list: builtin::NAMES.iter().map(|n| Class::named(n)).collect(),
            v6: false,
            early: PhaseCode::default(),
            after_host: PhaseCode::default(),
            vendors: Vec::new(),
        };
        classes.schedule();
        classes
    }
}

/// The tracing target of DHCPv4 evaluation results: Kea's
/// `kea-dhcp4.eval` logger.
pub const TRACE_TARGET4: &str = "kea-dhcp4.eval";
/// The tracing target of DHCPv6 evaluation results (`kea-dhcp6.eval`).
pub const TRACE_TARGET6: &str = "kea-dhcp6.eval";

thread_local! {
    static ARENA: RefCell<Arena> = const { RefCell::new(Arena::new()) };
}

impl Classes {
    /// The classes of a DHCPv6 configuration: results are traced under
    /// `kea-dhcp6.eval`.
    pub fn for_v6(mut self) -> Self {
        self.v6 = true;
        self
    }

    /// The index of class `name`, if the table has it.
    pub fn index(&self, name: &str) -> Option<u16> {
        self.list
            .iter()
            .position(|c| c.name == name)
            .map(|i| i as u16)
    }

    /// The class at `i`.
    pub fn get(&self, i: u16) -> Option<&Class> {
        self.list.get(usize::from(i))
    }

    /// The classes `member` yields that carry options or boot fields, in
    /// that order: the order their options apply in.
    pub fn applying<'c>(
        &'c self,
        member: impl Iterator<Item = u16> + Clone + 'c,
    ) -> impl Iterator<Item = &'c Class> + Clone + 'c {
        member.filter_map(|i| self.get(i)).filter(|c| {
            c.options.iter().next().is_some()
                || c.next_server.is_some()
                || c.server_hostname.is_some()
                || c.boot_file_name.is_some()
        })
    }

    /// Sets the `option-data` of class `i` (the compiler adds them once
    /// option definitions are known).
    pub fn set_options(&mut self, i: u16, options: OptionSet) {
        if let Some(c) = self.list.get_mut(usize::from(i)) {
            c.options = options;
        }
    }

    /// Rebuilds the per-phase programs after the table changed.
    fn schedule(&mut self) {
        self.early = PhaseCode::default();
        self.after_host = PhaseCode::default();
        self.vendors.clear();
        for i in 0..self.list.len() as u16 {
            self.enlist(i);
        }
    }

    /// Adds class `i` to its phase's program (or to the vendor classes),
    /// after every class already there.
    fn enlist(&mut self, i: u16) {
        let c = &self.list[usize::from(i)];
        match (&c.test, c.phase) {
            (Some(t), Phase::Early) => self.early.push(i, t),
            (Some(t), Phase::AfterHost) => self.after_host.push(i, t),
            _ => {}
        }
        if c.vendor.is_some() {
            self.vendors.push(i);
        }
    }

    /// Adds `class` (or replaces the built-in class of that name), working
    /// out its phase from what its test reads; returns its index.
    pub fn add(&mut self, mut class: Class) -> Result<u16, String> {
        if class.phase != Phase::Additional {
            let late = class.test.as_ref().is_some_and(|t| {
                t.members().any(|m| {
                    m == builtin::KNOWN
                        || m == builtin::UNKNOWN
                        || self.get(m).is_some_and(|c| c.phase == Phase::AfterHost)
                })
            });
            class.phase = if late { Phase::AfterHost } else { Phase::Early };
        }
        match self.index(&class.name) {
            Some(i) => {
                // A replaced class may change what runs anywhere after it.
                self.list[usize::from(i)] = class;
                self.schedule();
                Ok(i)
            }
            None if self.list.len() >= MAX_CLASSES => {
                Err(format!("more than {MAX_CLASSES} client classes"))
            }
            None => {
                // Appended: it runs after every class so far, so the phase
                // programs grow by it rather than being rebuilt.
                self.list.push(class);
                let i = self.list.len() as u16 - 1;
                self.enlist(i);
                Ok(i)
            }
        }
    }

    /// The index of `name`, adding a class without a test for a name that
    /// scopes or reservations use but the configuration does not define
    /// (Kea accepts these; `VENDOR_CLASS_` ones match the vendor class).
    pub fn intern(&mut self, name: &str) -> Result<u16, String> {
        match self.index(name) {
            Some(i) => Ok(i),
            None => self.add(Class::named(name)),
        }
    }

    /// Reception: `ALL`, the vendor class, then the tests that need no
    /// host lookup, in configuration order.
    pub fn early<I: Input>(&self, input: &I, vendor_class: Option<&[u8]>, set: &mut ClassSet) {
        set.insert(builtin::ALL);
        if let Some(v) = vendor_class {
            for &i in &self.vendors {
                if self.list[usize::from(i)].vendor.as_deref() == Some(v) {
                    set.insert(i);
                }
            }
        }
        self.run_phase(&self.early, input, set);
    }

    /// After the host lookup: `KNOWN` or `UNKNOWN`, the reservation's
    /// classes, then the tests that read them.
    pub fn after_host<I: Input>(&self, input: &I, known: bool, host: &[u16], set: &mut ClassSet) {
        set.insert(if known {
            builtin::KNOWN
        } else {
            builtin::UNKNOWN
        });
        for &c in host {
            set.insert(c);
        }
        self.run_phase(&self.after_host, input, set);
    }

    /// The classes a pool, subnet or shared network requires, in order; a
    /// listed class without a test is simply assigned.
    pub fn additional<I: Input>(&self, input: &I, required: &[u16], set: &mut ClassSet) {
        self.evaluate(input, set, required.iter().map(|&i| (i, true)));
    }

    /// Evaluates the required class `c` (listed by a shared network,
    /// subnet or pool). As in Kea 2.2 (not later versions), a class
    /// without a test is not assigned this way.
    pub fn required<I: Input>(&self, input: &I, c: u16, set: &mut ClassSet) {
        self.evaluate(input, set, std::iter::once((c, false)));
    }

    /// The value of the string expression `prog` for `input`, with the
    /// memberships known so far (the flex_id hook's identifier).
    pub fn value_of<I: Input, T>(
        prog: &Program,
        input: &I,
        set: &ClassSet,
        take: impl FnOnce(&[u8]) -> T,
    ) -> T {
        ARENA.with(|arena| {
            let mut arena = arena.borrow_mut();
            take(eval::value(prog, input, set, &mut arena.bump()).unwrap_or(&[]))
        })
    }

    /// Runs a phase's fused tests, tracing each result.
    fn run_phase<I: Input>(&self, code: &PhaseCode, input: &I, set: &mut ClassSet) {
        let trace = self.tracing();
        ARENA.with(|arena| {
            code.run(input, set, &mut arena.borrow_mut(), |i, member| {
                if trace {
                    self.trace(i, member);
                }
            });
        });
    }

    /// Evaluates the classes `due` yields in order, adding each whose test
    /// holds (or, when flagged, which has no test); results are traced at
    /// debug level under Kea's eval logger name.
    fn evaluate<I: Input>(
        &self,
        input: &I,
        set: &mut ClassSet,
        due: impl Iterator<Item = (u16, bool)>,
    ) {
        let trace = self.tracing();
        ARENA.with(|arena| {
            let mut arena = arena.borrow_mut();
            for (i, untested_joins) in due {
                let Some(c) = self.get(i) else { continue };
                let member = match &c.test {
                    Some(prog) => eval::run(prog, input, set, &mut arena.bump()),
                    None => untested_joins,
                };
                if trace {
                    self.trace(i, member);
                }
                set.insert_if(i, member);
            }
        });
    }

    /// Whether evaluation results are traced (Kea's eval logger at debug).
    fn tracing(&self) -> bool {
        if self.v6 {
            tracing::enabled!(target: TRACE_TARGET6, tracing::Level::DEBUG)
        } else {
            tracing::enabled!(target: TRACE_TARGET4, tracing::Level::DEBUG)
        }
    }

    /// Traces class `i`'s result as Kea's `EVAL_RESULT` line.
    #[cold]
    fn trace(&self, i: u16, member: bool) {
        let name = self.get(i).map_or("", |c| c.name.as_str());
        if self.v6 {
            tracing::debug!(target: TRACE_TARGET6, "EVAL_RESULT Expression {name} evaluated to {member}");
        } else {
            tracing::debug!(target: TRACE_TARGET4, "EVAL_RESULT Expression {name} evaluated to {member}");
        }
    }
}
