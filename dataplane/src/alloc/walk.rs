//! The candidates a subnet's pools propose for one client, in Kea's order.
//!
//! With `iterative` pools this is Kea 2.2's iterative allocator: one walk
//! over the pools the client may use, by their first address (the order
//! [`LastPool`] keeps), from the pool the subnet allocated from last (see
//! [`LastPool::start`]), each pool going on after the address it handed
//! out last; a pool run to its end is skipped until the walk passes the
//! last pool, which makes every pool the client may use fresh again and
//! starts over from the first. As many candidates are
//! proposed as those pools hold. Other allocators draw up to their
//! `attempts` from each pool in turn, in the same pool order.

use super::{Allocator, AllocatorKind, LastPool};

/// Candidates `(pool index, address)` for one client.
pub struct Walk<'a, P, A> {
    n: usize,
    pool: P,
    admitted: A,
    last: &'a LastPool,
    /// Iterative: the candidates left to propose.
    left: u64,
    iterative: bool,
    /// Other allocators: where the pool order starts, how far along it
    /// the walk is, and the pool (by position) being drawn from with its
    /// draws left.
    start: usize,
    k: usize,
    current: Option<(usize, u64)>,
}

impl<'a, P, A> Walk<'a, P, A>
where
    P: Fn(usize) -> &'a Allocator,
    A: Fn(usize) -> bool,
{
    /// A walk over `n` pools, pool `i` being `pool(i)`, of which the
    /// client may use those `admitted` says; `last` is the subnet's state.
    pub fn new(n: usize, pool: P, admitted: A, last: &'a LastPool) -> Self {
        let start = last.start(n, |k| admitted(last.pool_at(k)));
        let kind = |k| pool(last.pool_at(k)).kind();
        let iterative = start.is_some_and(|k| kind(k) == AllocatorKind::Iterative);
        let left = (0..n)
            .filter(|&i| iterative && admitted(i))
            .map(|i| pool(i).pool().count)
            .fold(0, u64::saturating_add);
        Walk {
            n,
            pool,
            admitted,
            last,
            left,
            iterative,
            start: start.unwrap_or(0),
            k: if start.is_some() { 0 } else { n },
            current: None,
        }
    }

    /// The allocator of the pool at position `k`.
    fn at(&self, k: usize) -> &'a Allocator {
        (self.pool)(self.last.pool_at(k))
    }

    /// True when the client may use the pool at position `k`.
    fn open(&self, k: usize) -> bool {
        (self.admitted)(self.last.pool_at(k))
    }

    /// Kea's `pickAddress`: one step of the subnet-wide iterative walk.
    fn pick(&self) -> Option<(usize, u128)> {
        let open = |k: &usize| self.open(*k);
        let first = (0..self.n).find(open)?;
        let start = self.last.start(self.n, |k| self.open(k))?;
        for k in (start..self.n).filter(open) {
            if let Some(c) = self.at(k).step() {
                self.last.set(k);
                return Some((self.last.pool_at(k), c));
            }
        }
        for k in (first..self.n).filter(open) {
            self.at(k).rewind();
        }
        self.last.set(first);
        Some((self.last.pool_at(first), self.at(first).restart()))
    }

    /// The next draw of a `random` or `flq` walk.
    fn draw(&mut self) -> Option<(usize, u128)> {
        loop {
            if let Some((k, left)) = &mut self.current {
                let k = *k;
                if *left > 0 {
                    *left -= 1;
                    if let Some(c) = self.at(k).next() {
                        self.last.set(k);
                        return Some((self.last.pool_at(k), c));
                    }
                }
                self.current = None;
                self.k += 1;
            }
            if self.k >= self.n {
                return None;
            }
            let k = (self.start + self.k) % self.n;
            if self.open(k) {
                self.current = Some((k, self.at(k).attempts()));
            } else {
                self.k += 1;
            }
        }
    }
}

impl<'a, P, A> Iterator for Walk<'a, P, A>
where
    P: Fn(usize) -> &'a Allocator,
    A: Fn(usize) -> bool,
{
    type Item = (usize, u128);

    fn next(&mut self) -> Option<(usize, u128)> {
        if !self.iterative {
            return self.draw();
        }
        self.left = self.left.checked_sub(1)?;
        self.pick()
    }
}
