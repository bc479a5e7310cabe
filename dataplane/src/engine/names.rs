//! Client names as Kea 2.2 handles them with DNS updates disabled: the
//! reserved hostname, or the client's Host Name / Client FQDN cleaned up
//! (`hostname-char-set`), qualified (`ddns-qualifying-suffix`) or replaced
//! by a generated one (`ddns-replace-client-name`, `ddns-generated-prefix`).
//! Both engines share these steps; each writes its own options. Names live
//! in fixed buffers: nothing here allocates.

use std::fmt::{self, Write as _};
use std::net::IpAddr;

use crate::config::names::{NameRules, Sanitizer};

/// Longest name or option value handled (a DNS name is at most 255 bytes
/// on the wire, an option value too).
const CAPACITY: usize = 255;
/// Longest DNS label.
const MAX_LABEL: usize = 63;

/// Bytes in a fixed buffer: a name in text form, or an option value.
#[derive(Clone, Copy)]
pub struct NameBuf {
    buf: [u8; CAPACITY],
    len: usize,
}

impl Default for NameBuf {
    fn default() -> Self {
        NameBuf {
            buf: [0; CAPACITY],
            len: 0,
        }
    }
}

impl fmt::Debug for NameBuf {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", String::from_utf8_lossy(self.as_bytes()))
    }
}

impl NameBuf {
    /// The bytes held.
    pub fn as_bytes(&self) -> &[u8] {
        &self.buf[..self.len]
    }

    /// True when nothing is held.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Appends `bytes`; `None` when they do not fit.
    pub fn push(&mut self, bytes: &[u8]) -> Option<()> {
        let end = self.len + bytes.len();
        self.buf.get_mut(self.len..end)?.copy_from_slice(bytes);
        self.len = end;
        Some(())
    }

    fn of(bytes: &[u8]) -> Option<NameBuf> {
        let mut n = NameBuf::default();
        n.push(bytes)?;
        Some(n)
    }

    /// A name sent in ASCII (DHCPv4 Client FQDN without the E flag), in
    /// lower case; `None` when it is no DNS name.
    pub fn from_ascii(text: &[u8]) -> Option<NameBuf> {
        label_count(text)?;
        Some(NameBuf::of(text)?.lowercased())
    }

    fn ends_with_dot(&self) -> bool {
        self.as_bytes().last() == Some(&b'.')
    }

    /// A copy in lower case (ASCII), as Kea keeps DNS names.
    pub fn lowercased(&self) -> NameBuf {
        let mut n = *self;
        n.buf[..n.len].make_ascii_lowercase();
        n
    }
}

impl fmt::Write for NameBuf {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.push(s.as_bytes()).ok_or(fmt::Error)
    }
}

/// Kea's `qualifyName`: `name` followed by the qualifying suffix (when one
/// is configured), with a trailing dot or without one.
fn qualify(mut name: NameBuf, rules: &NameRules, trailing_dot: bool) -> Option<NameBuf> {
    let suffix = rules.qualifying_suffix.as_bytes();
    if !suffix.is_empty() {
        if !name.is_empty() && !name.ends_with_dot() {
            name.push(b".")?;
        }
        name.push(suffix)?;
    }
    if trailing_dot && !name.is_empty() && !name.ends_with_dot() {
        name.push(b".")?;
    } else if !trailing_dot && name.ends_with_dot() {
        name.len -= 1;
    }
    Some(name)
}

/// Kea's `generateFqdn`: `<prefix>-<address with '-' for '.' or ':'>`,
/// qualified.
pub fn generated(rules: &NameRules, addr: IpAddr, trailing_dot: bool) -> Option<NameBuf> {
    let mut name = NameBuf::default();
    name.push(rules.generated_prefix.as_bytes())?;
    name.push(b"-")?;
    let start = name.len;
    write!(name, "{addr}").ok()?;
    for b in &mut name.buf[start..name.len] {
        if *b == b'.' || *b == b':' {
            *b = b'-';
        }
    }
    qualify(name, rules, trailing_dot)
}

/// The reserved hostname as the server sends it: qualified and in lower
/// case. `None` when there is no (non-empty) reserved name.
fn reserved(rules: &NameRules, hostname: Option<&str>, trailing_dot: bool) -> Option<NameBuf> {
    let name = NameBuf::of(hostname.filter(|h| !h.is_empty())?.as_bytes())?;
    Some(qualify(name, rules, trailing_dot)?.lowercased())
}

/// `hostname-char-set` applied to `text`: each match replaced. `None` when
/// the pattern is broken (Kea then gives the client no name).
fn scrub(sanitizer: &Sanitizer, text: &[u8], out: &mut NameBuf) -> Option<()> {
    match sanitizer {
        Sanitizer::Off => out.push(text),
        Sanitizer::Broken => None,
        Sanitizer::On(re, replacement) => {
            let mut last = 0;
            for m in re.find_iter(text) {
                out.push(&text[last..m.start()])?;
                out.push(replacement)?;
                last = m.end();
            }
            out.push(&text[last..])
        }
    }
}

/// Kea's `getLabelCount` for a name in text form: 0 for an empty name,
/// otherwise its labels counting the root ("." has one, "host" two,
/// "host.example" and "host.example." three). `None` for a name that is
/// no DNS name (an empty label inside, a label or name too long).
pub fn label_count(text: &[u8]) -> Option<usize> {
    if text.is_empty() {
        return Some(0);
    }
    if text == b"." {
        return Some(1);
    }
    let body = text.strip_suffix(b".").unwrap_or(text);
    let mut labels = 1;
    let mut wire = 1;
    for label in body.split(|&b| b == b'.') {
        if label.is_empty() || label.len() > MAX_LABEL {
            return None;
        }
        labels += 1;
        wire += label.len() + 1;
    }
    (wire <= CAPACITY).then_some(labels)
}

/// A Client FQDN option's flag bits, which differ between the families.
#[derive(Debug, Clone, Copy)]
pub struct FqdnFlags {
    /// S: the server should do the forward update.
    pub s: u8,
    /// O: the server overrode the client's S.
    pub o: u8,
    /// N: the server does no update.
    pub n: u8,
    /// E: the name is in DNS wire format (DHCPv4 only; 0 in DHCPv6).
    pub e: u8,
}

/// RFC 4702's bits (DHCPv4 option 81).
pub const FQDN_FLAGS_V4: FqdnFlags = FqdnFlags {
    s: 0x01,
    o: 0x02,
    n: 0x08,
    e: 0x04,
};

/// RFC 4704's bits (DHCPv6 option 39).
pub const FQDN_FLAGS_V6: FqdnFlags = FqdnFlags {
    s: 0x01,
    o: 0x02,
    n: 0x04,
    e: 0,
};

impl FqdnFlags {
    /// The flags of the server's answer with DNS updates off (Kea's
    /// `adjustFqdnFlags`): N set, S clear, O telling the client its S was
    /// overridden, E as the client sent it. `None` for a client that set
    /// both N and S, which Kea refuses.
    pub fn answer(&self, sent: u8) -> Option<u8> {
        if sent & self.s != 0 && sent & self.n != 0 {
            return None;
        }
        let o = if sent & self.s != 0 { self.o } else { 0 };
        Some(self.n | o | (sent & self.e))
    }
}

/// A name in DNS wire format as text: labels joined by dots, a trailing
/// dot when it ends with the root label (a full name), in lower case.
/// `None` when the labels overrun the data.
pub fn from_wire(data: &[u8]) -> Option<NameBuf> {
    let mut out = NameBuf::default();
    let mut rest = data;
    while let Some((&len, tail)) = rest.split_first() {
        let len = usize::from(len);
        if len == 0 {
            out.push(b".")?;
            break;
        }
        let label = tail.get(..len)?;
        if !out.is_empty() {
            out.push(b".")?;
        }
        out.push(label)?;
        rest = &tail[len..];
    }
    // "." alone was pushed for a lone root label: a full empty name.
    if out.as_bytes() == b"." {
        return Some(NameBuf::default());
    }
    Some(out.lowercased())
}

/// Appends `text` (as [`from_wire`] gives it) to `out` in DNS wire format:
/// a full name ends with the root label, a partial one does not.
pub fn put_wire(text: &[u8], out: &mut NameBuf) -> Option<()> {
    let full = text.last() == Some(&b'.');
    let body = if full { &text[..text.len() - 1] } else { text };
    if !body.is_empty() {
        for label in body.split(|&b| b == b'.') {
            out.push(&[u8::try_from(label.len()).ok()?])?;
            out.push(label)?;
        }
    }
    if full {
        out.push(&[0])?;
    }
    Some(())
}

/// The name a server answers a Client FQDN option with, before any name
/// is generated (Kea's reservation branch and `adjustDomainName`): the
/// reserved hostname qualified; empty when the client sent none or
/// `ddns-replace-client-name` throws its name away; otherwise the client's
/// name cleaned label by label and, when partial, qualified. Always full
/// (with a trailing dot) unless empty. `None` when the name cannot be made
/// (Kea then sends no option and keeps no name).
pub fn fqdn_answer(rules: &NameRules, hostname: Option<&str>, sent: &NameBuf) -> Option<NameBuf> {
    if hostname.is_some_and(|h| !h.is_empty()) {
        return reserved(rules, hostname, true).filter(|n| label_count(n.as_bytes()).is_some());
    }
    if rules.replace.replaces_sent() || sent.is_empty() {
        return Some(NameBuf::default());
    }
    let mut clean = NameBuf::default();
    for (i, label) in sent.as_bytes().split(|&b| b == b'.').enumerate() {
        if i > 0 {
            clean.push(b".")?;
        }
        scrub(&rules.sanitizer, label, &mut clean)?;
    }
    let clean = if sent.ends_with_dot() {
        clean
    } else {
        qualify(clean, rules, true)?
    };
    label_count(clean.as_bytes())?;
    Some(clean.lowercased())
}

/// What the server answers a DHCPv4 Host Name option with.
// Kept on the stack: boxing the name would allocate per packet.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, Copy)]
pub enum HostnameAnswer {
    /// This name.
    Name(NameBuf),
    /// A name generated from the leased address.
    Generate,
}

/// Kea 2.2's `processHostnameOption` with DNS updates off: the reserved
/// hostname (qualified, lower case) whatever the client sent; else, for a
/// client that sent option 12, its name trimmed, cleaned, in lower case
/// and qualified when it is a single label, or a generated name when it is
/// only "." or `ddns-replace-client-name` replaces it; for a client that
/// sent none, a generated name only when that mode supplies one. `None`:
/// no Host Name in the reply.
pub fn hostname_answer(
    rules: &NameRules,
    hostname: Option<&str>,
    sent: Option<&[u8]>,
) -> Option<HostnameAnswer> {
    if let Some(name) = reserved(rules, hostname, false) {
        return Some(HostnameAnswer::Name(name));
    }
    let Some(sent) = sent else {
        return rules
            .replace
            .supplies_missing()
            .then_some(HostnameAnswer::Generate);
    };
    let text = sent.trim_ascii();
    let labels = label_count(text)?;
    if labels == 0 {
        return None;
    }
    if rules.replace.replaces_sent() || labels < 2 {
        return Some(HostnameAnswer::Generate);
    }
    let mut clean = NameBuf::default();
    scrub(&rules.sanitizer, text, &mut clean)?;
    let clean = clean.lowercased();
    let name = if labels == 2 {
        qualify(clean, rules, false)?
    } else {
        clean
    };
    // Option 12 cannot be empty.
    (!name.is_empty()).then_some(HostnameAnswer::Name(name))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::names::ReplaceName;

    fn rules(suffix: &str, set: &str, with: &str) -> NameRules {
        NameRules {
            qualifying_suffix: suffix.into(),
            sanitizer: Sanitizer::new(set, with),
            generated_prefix: "gen".into(),
            ..NameRules::default()
        }
    }

    fn text(n: NameBuf) -> String {
        String::from_utf8(n.as_bytes().to_vec()).unwrap()
    }

    fn host12(r: &NameRules, reserved: Option<&str>, sent: &[u8]) -> String {
        match hostname_answer(r, reserved, Some(sent)) {
            Some(HostnameAnswer::Name(n)) => text(n),
            Some(HostnameAnswer::Generate) => "<generate>".into(),
            None => "<none>".into(),
        }
    }

    #[test]
    fn host_names_are_handled_as_kea_2_2_does() {
        // Each answer below was seen from kea-dhcp4 2.2 on these rules.
        let default = NameRules::default();
        assert_eq!(host12(&default, Some("Reserved-One"), b"x"), "reserved-one");
        assert_eq!(host12(&default, None, b"MyHost"), "myhost");
        assert_eq!(
            host12(&default, None, b"my host_x!.Example.com"),
            "myhostx.example.com"
        );
        assert_eq!(
            host12(&default, None, b"host.example.com."),
            "host.example.com."
        );
        assert_eq!(host12(&default, None, b"  padded  "), "padded");
        assert_eq!(host12(&default, None, b"."), "<generate>");
        let strict = rules("Example.NET", "[^a-z]", "x");
        assert_eq!(host12(&strict, Some("three"), b""), "three.example.net");
        assert_eq!(host12(&strict, None, b"My-Host9"), "xyxxostx.Example.NET");
        assert_eq!(
            host12(&strict, None, b"My-Host9.Dom.Org"),
            "xyxxostxxxomxxrg"
        );
        let addr = "203.0.113.14".parse().unwrap();
        assert_eq!(
            text(generated(&strict, addr, false).unwrap()),
            "gen-203-0-113-14.Example.NET"
        );
        let always = NameRules {
            replace: ReplaceName::Always,
            ..NameRules::default()
        };
        assert!(matches!(
            hostname_answer(&always, None, None),
            Some(HostnameAnswer::Generate)
        ));
        assert!(hostname_answer(&default, None, None).is_none());
    }

    #[test]
    fn fqdn_names_are_handled_as_kea_2_2_does() {
        let strict = rules("Example.NET", "[^a-z]", "x");
        let sent = |s: &str| NameBuf::of(s.as_bytes()).unwrap().lowercased();
        let answer =
            |r: &NameRules, h: Option<&str>, s: &str| text(fqdn_answer(r, h, &sent(s)).unwrap());
        assert_eq!(answer(&strict, None, "My-Host9"), "myxhostx.example.net.");
        assert_eq!(answer(&strict, None, "My-Host9.dom."), "myxhostx.dom.");
        assert_eq!(answer(&strict, Some("three"), "x"), "three.example.net.");
        assert_eq!(answer(&NameRules::default(), None, "laptop"), "laptop.");
        assert_eq!(answer(&NameRules::default(), None, ""), "");
        let v6 = "2001:db8:2::105".parse().unwrap();
        assert_eq!(
            text(generated(&strict, v6, true).unwrap()),
            "gen-2001-db8-2--105.Example.NET."
        );
        assert_eq!(FQDN_FLAGS_V4.answer(0x01), Some(0x0a));
        assert_eq!(FQDN_FLAGS_V4.answer(0x05), Some(0x0e));
        assert_eq!(FQDN_FLAGS_V4.answer(0x09), None);
        assert_eq!(FQDN_FLAGS_V6.answer(0x01), Some(0x06));
        assert_eq!(FQDN_FLAGS_V6.answer(0x04), Some(0x04));
    }

    #[test]
    fn wire_names_round_trip() {
        let full = from_wire(b"\x04Host\x07example\x00").unwrap();
        assert_eq!(full.as_bytes(), b"host.example.");
        let partial = from_wire(b"\x06laptop").unwrap();
        assert_eq!(partial.as_bytes(), b"laptop");
        let mut out = NameBuf::default();
        put_wire(full.as_bytes(), &mut out).unwrap();
        assert_eq!(out.as_bytes(), b"\x04host\x07example\x00");
        assert!(from_wire(b"\x09short").is_none());
        assert_eq!(label_count(b"a..b"), None);
        assert_eq!(label_count(b"abc."), Some(2));
    }
}
