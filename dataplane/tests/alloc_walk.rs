//! Kea 2.2's subnet-wide iterative walk over a subnet's pools, replayed
//! on the allocators alone: the addresses are those real Kea gave in
//! `controlplane/tests/kea_pools_v4.rs`. Random and free-lease-queue pools
//! keep drawing from each pool in turn.

use std::collections::HashSet;
use std::net::Ipv4Addr;

use xdhcp_dataplane::alloc::{Allocator, AllocatorKind, LastPool, Pool, Walk};

fn pools(kind: AllocatorKind, ranges: &[(u8, u8)]) -> Vec<Allocator> {
    let at = |d: u8| Ipv4Addr::new(203, 0, 113, d);
    ranges
        .iter()
        .map(|&(a, b)| Allocator::new(Pool::v4(at(a), at(b), 1), kind))
        .collect()
}

/// The last octet of the first candidate of `pools` no lease holds, for a
/// client that may use the pools `admitted` says; the address is taken.
fn take(
    pools: &[Allocator],
    last: &LastPool,
    admitted: impl Fn(usize) -> bool,
    taken: &mut HashSet<u128>,
) -> Option<u8> {
    let mut walk = Walk::new(pools.len(), |i| &pools[i], admitted, last);
    let (_, c) = walk.find(|(_, c)| !taken.contains(c))?;
    taken.insert(c);
    Some(c as u8)
}

#[test]
fn the_iterative_walk_gives_what_kea_gave() {
    // An open pool, a vip pool, an open pool.
    let pools = pools(AllocatorKind::Iterative, &[(10, 11), (20, 21), (30, 31)]);
    let last = LastPool::default();
    let mut taken = HashSet::new();
    let plain = |i: usize| i != 1;
    let vip = |_: usize| true;
    let mut got = Vec::new();
    for is_vip in [false, true, true, false, true, true, false, true] {
        let admitted: &dyn Fn(usize) -> bool = if is_vip { &vip } else { &plain };
        got.push(take(&pools, &last, admitted, &mut taken));
    }
    let expect = [
        Some(10),
        Some(11),
        Some(20),
        Some(30),
        Some(31),
        Some(21),
        None,
        None,
    ];
    assert_eq!(got, expect);
    for d in [10u8, 20, 30] {
        taken.remove(&u128::from(u32::from(Ipv4Addr::new(203, 0, 113, d))));
    }
    let after: Vec<Option<u8>> = [true, false, false, true]
        .iter()
        .map(|&is_vip| {
            let admitted: &dyn Fn(usize) -> bool = if is_vip { &vip } else { &plain };
            take(&pools, &last, admitted, &mut taken)
        })
        .collect();
    assert_eq!(after, [Some(30), Some(10), None, Some(20)]);
}

#[test]
fn the_walk_starts_in_the_pool_kea_starts_in() {
    // Kea's state starts at the subnet's last address (of a /28 here):
    // the second pool.
    let pools = pools(AllocatorKind::Iterative, &[(2, 3), (14, 15)]);
    let broadcast = u32::from(Ipv4Addr::new(203, 0, 113, 15));
    let last = LastPool::new(pools.iter().map(Allocator::pool), broadcast.into());
    let mut taken = HashSet::new();
    let got: Vec<Option<u8>> = (0..5)
        .map(|_| take(&pools, &last, |_| true, &mut taken))
        .collect();
    assert_eq!(got, [Some(14), Some(15), Some(2), Some(3), None]);
}

#[test]
fn a_walk_proposes_as_many_candidates_as_the_pools_hold() {
    let pools = pools(AllocatorKind::Iterative, &[(10, 12), (20, 21)]);
    let last = LastPool::default();
    let walk = Walk::new(pools.len(), |i| &pools[i], |_| true, &last);
    let seen: Vec<u8> = walk.map(|(_, c)| c as u8).collect();
    assert_eq!(seen, [10, 11, 12, 20, 21]);
    let guarded = Walk::new(pools.len(), |i| &pools[i], |i| i == 1, &last);
    assert_eq!(guarded.count(), 2);
    let none = Walk::new(pools.len(), |i| &pools[i], |_| false, &last);
    assert_eq!(none.count(), 0);
}

#[test]
fn random_and_queue_pools_are_drawn_in_turn_from_the_last_used() {
    for kind in [AllocatorKind::Random, AllocatorKind::FreeLeaseQueue] {
        let pools = pools(kind, &[(10, 13), (20, 23), (30, 33)]);
        let last = LastPool::default();
        let mut taken = HashSet::new();
        // Every address of the open pools, the first pool's first.
        let got: Vec<u8> = (0..8)
            .map(|_| take(&pools, &last, |i| i != 1, &mut taken).expect("free"))
            .collect();
        let (first, second) = got.split_at(4);
        assert!(
            first.iter().all(|d| (10..=13).contains(d)),
            "{kind:?}: {got:?}"
        );
        assert!(
            second.iter().all(|d| (30..=33).contains(d)),
            "{kind:?}: {got:?}"
        );
        assert_eq!(last.get(), Some(2), "{kind:?}");
        assert_eq!(
            take(&pools, &last, |i| i != 1, &mut taken),
            None,
            "{kind:?}"
        );
    }
}

#[test]
fn pools_are_walked_by_their_first_address() {
    // Listed .30, .10, .20: Kea keeps them sorted, so .10 comes first.
    let pools = pools(AllocatorKind::Iterative, &[(30, 31), (10, 11), (20, 21)]);
    let last = LastPool::new(pools.iter().map(Allocator::pool), 0);
    let walk = Walk::new(pools.len(), |i| &pools[i], |i| i != 2, &last);
    let seen: Vec<(usize, u8)> = walk.map(|(i, c)| (i, c as u8)).collect();
    assert_eq!(seen, [(1, 10), (1, 11), (0, 30), (0, 31)]);
    assert_eq!(last.get().map(|k| last.pool_at(k)), Some(0));
}

/// Workers stepping one pool at once: each address comes out once, the
/// pool is spent when they run past its end, and a rewind starts it over.
#[test]
fn concurrent_steps_hand_out_each_address_once_then_spend_the_pool() {
    let pool = Allocator::new(
        Pool::v4(Ipv4Addr::new(10, 0, 0, 0), Ipv4Addr::new(10, 0, 39, 255), 1),
        AllocatorKind::Iterative,
    );
    let taken: Vec<u128> = std::thread::scope(|s| {
        let workers: Vec<_> = (0..4)
            .map(|_| {
                s.spawn(|| {
                    let mut mine = Vec::new();
                    while let Some(a) = pool.step() {
                        mine.push(a);
                    }
                    mine
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().unwrap())
            .collect()
    });
    let unique: HashSet<u128> = taken.iter().copied().collect();
    assert_eq!((taken.len(), unique.len()), (10_240, 10_240));
    assert_eq!(pool.step(), None, "spent");
    pool.rewind();
    assert_eq!(
        pool.step(),
        Some(u128::from(u32::from(Ipv4Addr::new(10, 0, 0, 0))))
    );
}
