//! Kea's log line layouts: log4cplus patterns such as the default
//! `%D{%Y-%m-%d %H:%M:%S.%q} %-5p [%c/%i.%t] %m\n`, compiled once per
//! output and rendered per message.

use super::{time, Severity};

/// Kea's default pattern for stdout, stderr and files.
pub const DEFAULT_PATTERN: &str = "%D{%Y-%m-%d %H:%M:%S.%q} %-5p [%c/%i.%t] %m\n";
/// Kea's default pattern for syslog.
pub const SYSLOG_PATTERN: &str = "%-5p [%c.%t] %m\n";

/// One message to lay out.
pub struct Message<'a> {
    /// Microseconds since the epoch.
    pub at_us: u64,
    /// Its severity.
    pub severity: Severity,
    /// Logger name, e.g. `kea-dhcp4.leases`.
    pub logger: &'a str,
    /// The emitting thread.
    pub thread: u64,
    /// Message id.
    pub id: &'a str,
    /// Text after the id.
    pub text: &'a str,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Field {
    Literal(String),
    /// `%D{...}` (local) or `%d{...}` (UTC).
    Date {
        format: String,
        local: bool,
    },
    Severity,
    Logger,
    Pid,
    Thread,
    Message,
}

/// A compiled pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pattern {
    /// Each field with its minimum width (negative: left-justified).
    fields: Vec<(Field, i32)>,
}

impl Pattern {
    /// Compiles a log4cplus pattern; unknown conversions are kept as text.
    pub fn new(pattern: &str) -> Pattern {
        let mut fields = Vec::new();
        let mut literal = String::new();
        let mut chars = pattern.chars().peekable();
        while let Some(c) = chars.next() {
            if c != '%' {
                literal.push(c);
                continue;
            }
            let mut spec = String::new();
            while let Some(&d) = chars.peek() {
                if d == '-' || d.is_ascii_digit() || d == '.' {
                    spec.push(d);
                    chars.next();
                } else {
                    break;
                }
            }
            // Only the minimum width (and its sign) matters for Kea's fields.
            let width = spec
                .split('.')
                .next()
                .and_then(|w| w.parse::<i32>().ok())
                .unwrap_or(0);
            let field = match chars.next() {
                Some('%') => {
                    literal.push('%');
                    continue;
                }
                Some('n') => {
                    literal.push('\n');
                    continue;
                }
                Some(d @ ('D' | 'd')) => {
                    let mut format = String::new();
                    if chars.peek() == Some(&'{') {
                        chars.next();
                        for e in chars.by_ref() {
                            if e == '}' {
                                break;
                            }
                            format.push(e);
                        }
                    } else {
                        format.push_str("%Y-%m-%d %H:%M:%S");
                    }
                    Field::Date {
                        format,
                        local: d == 'D',
                    }
                }
                Some('p') => Field::Severity,
                Some('c') => Field::Logger,
                Some('i') => Field::Pid,
                Some('t' | 'T') => Field::Thread,
                Some('m') => Field::Message,
                Some(other) => {
                    literal.push('%');
                    literal.push_str(&spec);
                    literal.push(other);
                    continue;
                }
                None => {
                    literal.push('%');
                    break;
                }
            };
            if !literal.is_empty() {
                fields.push((Field::Literal(std::mem::take(&mut literal)), 0));
            }
            fields.push((field, width));
        }
        if !literal.is_empty() {
            fields.push((Field::Literal(literal), 0));
        }
        Pattern { fields }
    }

    /// Appends `m` laid out by this pattern to `out`.
    pub fn render(&self, m: &Message<'_>, out: &mut String) {
        for (field, width) in &self.fields {
            let text = match field {
                Field::Literal(s) => {
                    out.push_str(s);
                    continue;
                }
                Field::Date { format, local } => time::format(format, m.at_us, *local),
                Field::Severity => m.severity.name().to_string(),
                Field::Logger => m.logger.to_string(),
                Field::Pid => std::process::id().to_string(),
                Field::Thread => m.thread.to_string(),
                Field::Message => format!("{} {}", m.id, m.text),
            };
            let w = width.unsigned_abs() as usize;
            if *width < 0 {
                out.push_str(&format!("{text:<w$}"));
            } else {
                out.push_str(&format!("{text:>w$}"));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_pattern_is_keas_line() {
        let m = Message {
            at_us: 1_565_025_699_123_456,
            severity: Severity::Info,
            logger: "kea-dhcp4.dhcp4",
            thread: 140234,
            id: "DHCP4_STARTED",
            text: "Kea DHCPv4 server version 2.2.0 started",
        };
        let mut out = String::new();
        Pattern::new(&DEFAULT_PATTERN.replace("%D", "%d")).render(&m, &mut out);
        assert_eq!(
            out,
            format!(
                "2019-08-05 17:21:39.123 INFO  [kea-dhcp4.dhcp4/{}.140234] DHCP4_STARTED \
                 Kea DHCPv4 server version 2.2.0 started\n",
                std::process::id()
            )
        );
        let mut out = String::new();
        Pattern::new("%-5p %m%n|%5p|%q%%").render(&m, &mut out);
        assert_eq!(
            out,
            "INFO  DHCP4_STARTED Kea DHCPv4 server version 2.2.0 started\n| INFO|%q%"
        );
    }
}
