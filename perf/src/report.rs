//! The final and periodic reports, in perfdhcp's layout (so scripts that
//! read perfdhcp's output read ours), plus delay percentiles and `--json`.

use std::io::{self, Write};

use serde::Serialize;

use crate::cli::Options;
use crate::engine::{ExitReason, Outcome};
use crate::scenario::Exchange;
use crate::stats::{Counts, Delays, ExchangeStats, Stats};

/// perfdhcp's exit status when an exchange did not complete.
pub const EXIT_DROPS: i32 = 3;

/// The exchanges a run reports, in perfdhcp's order.
pub fn reported(opts: &Options) -> Vec<Exchange> {
    let mut v = vec![Exchange::First];
    if !opts.initial_only {
        v.push(Exchange::Second);
    }
    if opts.renew_rate > 0 {
        v.push(Exchange::Renew);
    }
    if opts.release_rate > 0 {
        v.push(Exchange::Release);
    }
    v
}

/// Whether the server answers exchange `e` (a v4 RELEASE is not answered).
fn answered(opts: &Options, e: Exchange) -> bool {
    !(opts.family == 4 && e == Exchange::Release)
}

fn drops(opts: &Options, e: Exchange, s: &ExchangeStats) -> u64 {
    if answered(opts, e) {
        s.drops()
    } else {
        0
    }
}

/// perfdhcp's exit status: 3 when a request went unanswered, else 0.
pub fn exit_code(opts: &Options, stats: &Stats) -> i32 {
    let dropped = reported(opts)
        .into_iter()
        .any(|e| drops(opts, e, stats.get(e)) > 0);
    if dropped {
        EXIT_DROPS
    } else {
        0
    }
}

/// Completed exchanges per second: 4-way ones, or the first with `-i`.
pub fn achieved_rate(opts: &Options, o: &Outcome) -> f64 {
    let last = if opts.initial_only {
        Exchange::First
    } else {
        Exchange::Second
    };
    o.stats.get(last).received as f64 / o.elapsed.as_secs_f64().max(1e-9)
}

/// Formats like C++ streams' default (`%g`, 6 significant digits).
fn g(x: f64) -> String {
    if !x.is_finite() {
        return format!("{x}").to_lowercase();
    }
    if x == 0.0 {
        return "0".into();
    }
    let exp = x.abs().log10().floor() as i32;
    if !(-5..6).contains(&exp) {
        return format!("{x:e}");
    }
    let decimals = (5 - exp).max(0) as usize;
    let s = format!("{x:.decimals$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// Writes the final report as perfdhcp lays it out.
pub fn text(out: &mut dyn Write, opts: &Options, o: &Outcome) -> io::Result<()> {
    let fam = opts.family;
    writeln!(out, "***Rate statistics***")?;
    // perfdhcp 2.2's wording, capitals included.
    let unit = match (opts.initial_only, fam) {
        (false, _) => "4-way exchanges/second",
        (true, 4) => "DISCOVER-OFFER/second",
        (true, _) => "Solicit-Advertise/second",
    };
    write!(out, "Rate: {} {unit}", g(achieved_rate(opts, o)))?;
    if opts.rate > 0 {
        write!(out, ", expected rate: {}", opts.rate)?;
    }
    writeln!(out, "\n")?;
    writeln!(out, "***Malformed Packets***")?;
    writeln!(out, "Malformed packets: {}", o.stats.malformed)?;
    for e in reported(opts) {
        let s = o.stats.get(e);
        writeln!(out, "***Statistics for: {}***", e.name(fam))?;
        writeln!(out, "sent packets: {}", s.sent)?;
        writeln!(out, "received packets: {}", s.received)?;
        let d = drops(opts, e, s);
        writeln!(out, "drops: {d}")?;
        let ratio = if answered(opts, e) {
            s.drops_ratio()
        } else {
            0.0
        };
        writeln!(out, "drops ratio: {} %", g(ratio))?;
        writeln!(out, "orphans: {}", s.orphans)?;
        writeln!(out, "rejected leases: {}", s.rejected)?;
        writeln!(out, "non unique addresses: 0")?;
        writeln!(out)?;
        match s.delays() {
            Some(d) => {
                writeln!(out, "min delay: {:.3} ms", d.min_ms)?;
                writeln!(out, "avg delay: {:.3} ms", d.avg_ms)?;
                writeln!(out, "max delay: {:.3} ms", d.max_ms)?;
                writeln!(out, "std deviation: {:.3} ms", d.std_ms)?;
                writeln!(
                    out,
                    "delay percentiles: p50 {:.3} ms, p90 {:.3} ms, p99 {:.3} ms, p99.9 {:.3} ms",
                    d.p50_ms, d.p90_ms, d.p99_ms, d.p999_ms
                )?;
            }
            None => {
                for k in ["min delay", "avg delay", "max delay", "std deviation"] {
                    writeln!(out, "{k}: n/a")?;
                }
            }
        }
        writeln!(out, "collected packets: 0")?;
        writeln!(out)?;
    }
    if o.stats.local_limit > 0 {
        writeln!(out, "locallimit: {}", o.stats.local_limit)?;
    }
    Ok(())
}

/// Writes one periodic (`-t`) line: first/second exchange counters.
pub fn periodic(out: &mut dyn Write, totals: &[Counts; 2], opts: &Options) {
    let [a, b] = totals;
    let line = if opts.initial_only {
        format!(
            "sent: {}; received: {}; drops: {}; rejected: {}",
            a.sent,
            a.received,
            a.drops(),
            a.rejected
        )
    } else {
        format!(
            "sent: {}/{}; received: {}/{}; drops: {}/{}; rejected: {}/{}",
            a.sent,
            b.sent,
            a.received,
            b.received,
            a.drops(),
            b.drops(),
            a.rejected,
            b.rejected
        )
    };
    let _ = writeln!(out, "{line}");
}

#[derive(Serialize)]
struct JsonExchange {
    name: &'static str,
    sent: u64,
    received: u64,
    drops: u64,
    drops_ratio: Option<f64>,
    timed_out: u64,
    orphans: u64,
    rejected: u64,
    delay_ms: Option<Delays>,
}

#[derive(Serialize)]
struct JsonReport {
    family: u8,
    elapsed_s: f64,
    rate: f64,
    expected_rate: Option<u64>,
    exit_reason: ExitReason,
    exit_code: i32,
    threads: usize,
    malformed: u64,
    local_limit: u64,
    exchanges: Vec<JsonExchange>,
}

/// Writes the final report as one JSON object.
pub fn json(out: &mut dyn Write, opts: &Options, o: &Outcome) -> io::Result<()> {
    let exchanges = reported(opts)
        .into_iter()
        .map(|e| {
            let s = o.stats.get(e);
            let d = drops(opts, e, s);
            JsonExchange {
                name: e.name(opts.family),
                sent: s.sent,
                received: s.received,
                drops: d,
                drops_ratio: (s.sent > 0).then(|| 100.0 * d as f64 / s.sent as f64),
                timed_out: s.timed_out,
                orphans: s.orphans,
                rejected: s.rejected,
                delay_ms: s.delays(),
            }
        })
        .collect();
    let r = JsonReport {
        family: opts.family,
        elapsed_s: o.elapsed.as_secs_f64(),
        rate: achieved_rate(opts, o),
        expected_rate: (opts.rate > 0).then_some(opts.rate),
        exit_reason: o.reason,
        exit_code: exit_code(opts, &o.stats),
        threads: o.threads,
        malformed: o.stats.malformed,
        local_limit: o.stats.local_limit,
        exchanges,
    };
    serde_json::to_writer_pretty(&mut *out, &r)?;
    writeln!(out)
}

#[cfg(test)]
mod tests {
    use super::g;

    #[test]
    fn numbers_print_like_cpp_streams() {
        assert_eq!(g(199.743_21), "199.743");
        assert_eq!(g(0.1), "0.1");
        assert_eq!(g(0.0), "0");
        assert_eq!(g(100.0), "100");
        assert_eq!(g(3853.544), "3853.54");
    }
}
