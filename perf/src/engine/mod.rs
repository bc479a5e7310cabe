//! The load loop: pace new exchanges, send in batches, match replies to
//! requests, answer OFFERs/ADVERTISEs, renew and release, and stop when
//! perfdhcp would.
//!
//! One thread does everything for its clients: receive a batch, answer it,
//! start what the pacers allow, flush, and sleep on the socket only when
//! nothing is due. Over AF_XDP there is one such thread per queue
//! ([`queues`]), each with its own slice of the clients, publishing its
//! counters to the others ([`progress`]).

pub mod io;
pub mod pacer;
pub mod progress;
pub mod queues;
pub mod table;
pub mod udp;
pub mod xdp;

use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use crate::cli::{MaxDrop, Options};
use crate::scenario::{Exchange, Protocol};
use crate::stats::{Counts, Stats};
use io::{Sender, Transport};
use pacer::Pacer;
use progress::Progress;
use table::XidTable;
use udp::BATCH;

/// Set by SIGINT: stop as if an exit condition was met.
pub static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// Why a run stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ExitReason {
    /// `-n` requests were sent.
    MaxRequests,
    /// `-p` elapsed.
    TestPeriod,
    /// `-D` drops were reached.
    MaxDrops,
    /// `-D` percentage of drops was reached.
    MaxDropsPercent,
    /// Interrupted (SIGINT).
    Interrupted,
}

impl ExitReason {
    /// perfdhcp's `-x e` wording.
    pub fn message(self) -> &'static str {
        match self {
            ExitReason::MaxRequests => "Reached max requests limit.",
            ExitReason::TestPeriod => "reached test-period.",
            ExitReason::MaxDrops => "Reached maximum drops number.",
            ExitReason::MaxDropsPercent => "Reached maximum percentage of drops.",
            ExitReason::Interrupted => "Interrupted.",
        }
    }
}

/// What a run produced.
pub struct Outcome {
    /// All counters.
    pub stats: Stats,
    /// From the first send to the end of the run (including `-W`).
    pub elapsed: Duration,
    /// Why it stopped.
    pub reason: ExitReason,
    /// Generator threads that ran (one per AF_XDP queue, else one).
    pub threads: usize,
}

/// Runs the test described by `opts` with `proto` over `io`, writing
/// periodic reports (`-t`) to `out`. `thread` is this loop's slot in
/// `progress`, where it publishes its counters; `-D` and `-t` read the
/// totals of every thread there, `-n` counts this thread's own requests.
pub fn run<P: Protocol, T: Transport>(
    opts: &Options,
    proto: &mut P,
    io: &mut T,
    progress: &Progress,
    thread: usize,
    out: &mut dyn Write,
) -> Outcome {
    let mut stats = Stats::default();
    let in_flight = (opts.rate.max(1) as f64
        * 2.0
        * opts.drop_time[0].max(opts.drop_time[1]).as_secs_f64()
        * 1.5) as usize;
    let capacity = if opts.rate == 0 { 1 << 20 } else { in_flight };
    let seed = if opts.seed != 0 {
        opts.seed
    } else {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(1, |d| d.subsec_nanos() as u64 ^ d.as_secs())
    };
    let mut table = XidTable::new(
        capacity,
        P::XID_BITS,
        seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 16,
    );
    let drop_ns = [
        opts.drop_time[0].as_nanos() as u64,
        opts.drop_time[1].as_nanos() as u64,
    ];
    let mut exchanges = Pacer::new(opts.rate);
    let mut renews = Pacer::new(opts.renew_rate);
    let mut releases = Pacer::new(opts.release_rate);
    let mut next_client: u32 = 0;
    let mut preload = opts.preload;
    let report_ns = opts.report_interval.map(|d| d.as_nanos() as u64);
    let mut next_report = report_ns.unwrap_or(u64::MAX);
    let exit_wait_ns = opts.exit_wait.as_nanos() as u64;
    let mut stop: Option<(ExitReason, u64)> = None;

    let start = Instant::now();
    let now_ns = || start.elapsed().as_nanos() as u64;
    loop {
        // 1. Replies.
        let mut received = 0;
        loop {
            let n = io.recv();
            if n == 0 {
                break;
            }
            received += n;
            let now = now_ns();
            for i in 0..n {
                let (reply, tx) = io.reply_and_tx(i);
                on_reply(opts, proto, &mut table, tx, &mut stats, reply, now);
            }
            if n < BATCH {
                break;
            }
        }

        // 2. Requests given up on.
        let now = now_ns();
        table.expire(
            |e| now.saturating_sub(drop_ns[(e != Exchange::First) as usize]),
            |e| stats.of(e).timed_out += 1,
        );

        // 3. Exit conditions.
        progress.publish(thread, &stats);
        if stop.is_none() {
            if let Some(reason) = exit_condition(opts, &stats, &progress.totals(), now) {
                if opts.diag('e') {
                    let _ = writeln!(out, "{}", reason.message());
                }
                // perfdhcp waits (-W) for replies, except after too many drops.
                let wait = match reason {
                    ExitReason::MaxDrops | ExitReason::MaxDropsPercent => 0,
                    _ => exit_wait_ns,
                };
                stop = Some((reason, now + wait));
            }
        }
        if let Some((_, until)) = stop {
            if now >= until {
                break;
            }
        }

        // 4. New exchanges, renewals and releases, paced.
        let tx = io.tx();
        if stop.is_none() {
            // Never past -n, even when a late loop catches up in a burst.
            let left = opts.num_requests.first().map_or(u64::MAX, |n| {
                n.saturating_sub(stats.get(Exchange::First).sent)
            });
            let paced = exchanges.due(now, (BATCH as u64).min(left));
            // -P: exchanges started back to back at startup, outside the pacing.
            let extra = preload.min((BATCH as u64).min(left) - paced);
            preload -= extra;
            let due = paced + extra;
            for _ in 0..due {
                let client = next_client;
                next_client = if next_client + 1 >= opts.clients {
                    0
                } else {
                    next_client + 1
                };
                let (xid, evicted) = table.insert(Exchange::First, client, now);
                if let Some(e) = evicted {
                    stats.of(e).timed_out += 1;
                }
                let len = proto.first(client, xid, tx.slot());
                tx.commit(len, client);
            }
            exchanges.sent(paced);
            stats.of(Exchange::First).sent += due;
            send_kept(
                proto,
                &mut renews,
                Exchange::Renew,
                now,
                &mut table,
                tx,
                &mut stats,
                P::RELEASE_ANSWERED,
            );
            send_kept(
                proto,
                &mut releases,
                Exchange::Release,
                now,
                &mut table,
                tx,
                &mut stats,
                P::RELEASE_ANSWERED,
            );
        }
        tx.flush();

        // 5. Periodic report.
        if now >= next_report {
            crate::report::periodic(out, &progress.totals(), opts);
            next_report += report_ns.unwrap_or(u64::MAX);
        }

        // 6. Sleep on the socket until something is due, if nothing is.
        if received == 0 {
            let mut wake = next_report;
            if let Some((_, until)) = stop {
                wake = wake.min(until);
            } else {
                for p in [&exchanges, &renews, &releases] {
                    if let Some(t) = p.next_due_ns() {
                        wake = wake.min(t);
                    }
                }
                if opts.rate == 0 || preload > 0 {
                    wake = now;
                }
                if let Some(p) = opts.period {
                    wake = wake.min(p.as_nanos() as u64);
                }
            }
            // Sleep at most 10 ms so drops expire and SIGINT is seen.
            let sleep = wake.saturating_sub(now).min(10_000_000);
            if sleep > 20_000 {
                io.wait(Duration::from_nanos(sleep));
            }
        }
    }
    stats.local_limit = io.tx().refused();
    Outcome {
        stats,
        elapsed: start.elapsed(),
        reason: stop.map_or(ExitReason::Interrupted, |(r, _)| r),
        threads: 1,
    }
}

/// Counts one received datagram and answers it: an OFFER/ADVERTISE with a
/// REQUEST (unless `-i`), an ACK/REPLY by keeping the lease for `-f`/`-F`.
#[allow(clippy::too_many_arguments)]
#[inline]
fn on_reply<P: Protocol>(
    opts: &Options,
    proto: &mut P,
    table: &mut XidTable,
    tx: &mut impl Sender,
    stats: &mut Stats,
    pkt: &[u8],
    now: u64,
) {
    let Some(reply) = proto.read_reply(pkt) else {
        stats.malformed += 1;
        return;
    };
    // An ACK/REPLY may end a REQUEST, a renewal or (v6) a release.
    let first = reply.exchange == Exchange::First;
    let Some(m) = table.take(reply.xid, |e| (e == Exchange::First) == first) else {
        stats.of(reply.exchange).orphans += 1;
        return;
    };
    let es = stats.of(m.exchange);
    es.record(now.saturating_sub(m.sent_ns));
    if m.exchange == Exchange::Release {
        return;
    }
    if !reply.granted {
        es.rejected += 1;
        return;
    }
    match m.exchange {
        Exchange::First if !opts.initial_only => {
            let (xid, evicted) = table.insert(Exchange::Second, m.client, now);
            if let Some(e) = evicted {
                stats.of(e).timed_out += 1;
            }
            let len = proto.second(pkt, m.client, xid, tx.slot());
            tx.commit(len, m.client);
            if len > 0 {
                stats.of(Exchange::Second).sent += 1;
            } else {
                let _ = table.take(xid, |_| true);
            }
        }
        Exchange::Second if opts.renew_rate > 0 || opts.release_rate > 0 => {
            proto.keep_lease(pkt, m.client);
        }
        _ => {}
    }
}

#[allow(clippy::too_many_arguments)]
#[inline]
fn send_kept<P: Protocol>(
    proto: &mut P,
    pacer: &mut Pacer,
    exchange: Exchange,
    now: u64,
    table: &mut XidTable,
    tx: &mut impl Sender,
    stats: &mut Stats,
    release_answered: bool,
) {
    let due = pacer.due(now, BATCH as u64);
    let answered = exchange == Exchange::Renew || release_answered;
    let mut sent = 0;
    for _ in 0..due {
        // The xid is reserved before knowing whether a lease is kept; an
        // unused one is simply skipped by expiry.
        let (xid, client_slot) = if answered {
            let (xid, evicted) = table.insert(exchange, 0, now);
            if let Some(e) = evicted {
                stats.of(e).timed_out += 1;
            }
            (xid, true)
        } else {
            (now as u32, false)
        };
        let built = match exchange {
            Exchange::Renew => proto.renew(xid, tx.slot()),
            _ => proto.release(xid, tx.slot()),
        };
        match built {
            Some((len, client)) => {
                tx.commit(len, client);
                sent += 1;
            }
            None => {
                if client_slot {
                    let _ = table.take(xid, |_| true);
                }
                break;
            }
        }
    }
    // Unused due messages are not carried over: no kept lease, no renewal.
    pacer.sent(due);
    stats.of(exchange).sent += sent;
}

/// Why the run should stop now, if it should: `-n` by this thread's own
/// `stats`, `-D` by the `totals` of every thread.
fn exit_condition(
    opts: &Options,
    stats: &Stats,
    totals: &[Counts; 2],
    now: u64,
) -> Option<ExitReason> {
    if INTERRUPTED.load(Ordering::Relaxed) {
        return Some(ExitReason::Interrupted);
    }
    if opts.period.is_some_and(|p| now >= p.as_nanos() as u64) {
        return Some(ExitReason::TestPeriod);
    }
    let pairs = [Exchange::First, Exchange::Second];
    for (n, e) in opts.num_requests.iter().zip(pairs) {
        if stats.get(e).sent >= *n {
            return Some(ExitReason::MaxRequests);
        }
    }
    for (d, s) in opts.max_drop.iter().zip(totals) {
        // perfdhcp's drops here are requests not (yet) answered, so requests
        // in flight count too; kept for compatibility.
        match *d {
            MaxDrop::Count(n) if s.drops() >= n => return Some(ExitReason::MaxDrops),
            MaxDrop::Percent(p) if s.sent > 10 && s.drops_ratio() >= p => {
                return Some(ExitReason::MaxDropsPercent)
            }
            _ => {}
        }
    }
    None
}
