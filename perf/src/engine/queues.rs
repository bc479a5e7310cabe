//! `--xdp` over every receive queue of the interface: one AF_XDP socket and
//! one generator thread per queue, each owning a disjoint slice of the
//! clients and an even share of the rates and request counts.
//!
//! A request leaves on its thread's queue, and replies must come back on
//! it: a veth delivers a frame sent on TX queue `q` to the peer's RX queue
//! `q`, where a per-queue server answers on its own queue `q`. A reply
//! arriving on another queue finds no request in that thread's table and
//! counts as an orphan.

use std::io::{self, Write};
use std::thread;

use super::progress::Progress;
use super::xdp::{self, Family, XdpIo};
use super::{ExitReason, Outcome};
use crate::cli::Options;
use crate::scenario::{clients, Protocol};

/// Runs `opts` over AF_XDP on every queue of `iface`; `make` builds each
/// thread's clients from its share of the options. Progress (`-t`, `-x e`)
/// is written by the first thread, about all of them.
pub fn run<P: Protocol>(
    opts: &Options,
    iface: &str,
    family: Family,
    make: impl Fn(&Options) -> P + Sync,
    out: &mut dyn Write,
) -> io::Result<Outcome> {
    let (program, sockets) = xdp::open(iface)?;
    // Every thread needs a client, and a paced one at least one exchange a
    // second (a zero rate means unpaced).
    let mut threads = (sockets.len() as u64).min(opts.clients as u64);
    if opts.rate > 0 {
        threads = threads.min(opts.rate);
    }
    let threads = threads.max(1) as usize;
    let shares: Vec<Options> = (0..threads).map(|q| share(opts, q, threads)).collect();
    let progress = Progress::new(threads);
    let outcome = thread::scope(|s| {
        let mut sockets = sockets.into_iter();
        let first = sockets.next().expect("an interface has a receive queue");
        let others: Vec<_> = sockets
            .take(threads - 1)
            .zip(&shares[1..])
            .enumerate()
            .map(|(i, (socket, o))| {
                let (progress, make) = (&progress, &make);
                s.spawn(move || {
                    let mut io = XdpIo::new(socket, family, o.mac_base);
                    super::run(o, &mut make(o), &mut io, progress, i + 1, &mut io::sink())
                })
            })
            .collect();
        let o = &shares[0];
        let mut io = XdpIo::new(first, family, o.mac_base);
        let mut total = super::run(o, &mut make(o), &mut io, &progress, 0, out);
        for h in others {
            let theirs = h.join().unwrap_or_else(|e| std::panic::resume_unwind(e));
            merge(&mut total, &theirs);
        }
        total
    });
    // The sockets are closed (their threads are done); now the program.
    drop(program);
    Ok(outcome)
}

/// Thread `q`'s share of `opts` among `n`: its slice of the clients (the
/// `-b` bases shifted to the slice's first), and of the rates, `-n` and
/// `-P`; the rest (`-p`, `-D`, `-d`, `-W`) holds for every thread.
pub fn share(opts: &Options, q: usize, n: usize) -> Options {
    let part = |x: u64| share_of(x, q, n);
    let first: u64 = (0..q).map(|p| share_of(opts.clients as u64, p, n)).sum();
    let mut o = opts.clone();
    clients::shift_bases(&mut o.mac_base, o.duid_base.as_mut(), first as u32);
    o.clients = part(opts.clients as u64) as u32;
    o.rate = part(opts.rate);
    o.renew_rate = part(opts.renew_rate);
    o.release_rate = part(opts.release_rate);
    o.preload = part(opts.preload);
    o.num_requests = opts.num_requests.iter().map(|&r| part(r)).collect();
    o
}

/// Thread `q`'s part of `x` split `n` ways, the remainder to the first.
fn share_of(x: u64, q: usize, n: usize) -> u64 {
    x / n as u64 + u64::from((q as u64) < x % n as u64)
}

/// Adds another thread's outcome: counters summed, the longest elapsed
/// time, the first thread's exit reason unless it was only interrupted.
fn merge(total: &mut Outcome, other: &Outcome) {
    total.stats.merge(&other.stats);
    total.threads += other.threads;
    total.elapsed = total.elapsed.max(other.elapsed);
    if total.reason == ExitReason::Interrupted {
        total.reason = other.reason;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::DEFAULT_MAC;

    #[test]
    fn shares_split_clients_rates_and_counts_without_overlap() {
        let opts = Options {
            rate: 1001,
            clients: 5,
            num_requests: vec![7, 3],
            renew_rate: 1,
            ..Options::default()
        };
        let a = share(&opts, 0, 2);
        let b = share(&opts, 1, 2);
        assert_eq!((a.rate, b.rate), (501, 500));
        assert_eq!((a.clients, b.clients), (3, 2));
        assert_eq!((a.num_requests, b.num_requests), (vec![4, 2], vec![3, 1]));
        assert_eq!((a.renew_rate, b.renew_rate), (1, 0));
        assert_eq!(a.mac_base, DEFAULT_MAC);
        assert_eq!(b.mac_base, clients::mac(&DEFAULT_MAC, 3));
    }
}
