//! Proves client lookups, allocate, renew, release, decline and group
//! commit never touch the heap once the store is sized: a per-thread
//! counting allocator must see zero allocations across thousands of
//! operations.

use std::net::{Ipv4Addr, Ipv6Addr};
use std::sync::Arc;

use xdhcp_dataplane::alloc::{Allocator, AllocatorKind, Pool};
use xdhcp_dataplane::journal::{FlushPolicy, JournalConfig};
use xdhcp_dataplane::lease::{v4, ClientId, HwAddr, Lease4, Lease6, LeaseStore, StoreConfig};
use xdhcp_testlab::{allocations, CountingAllocator};

#[global_allocator]
static GLOBAL: CountingAllocator = CountingAllocator;

fn config(persist: bool) -> StoreConfig {
    let journal = if persist {
        let d = std::env::temp_dir().join(format!("xdhcp-noalloc-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        JournalConfig::persistent(d, FlushPolicy::GroupCommit)
    } else {
        JournalConfig::memory()
    };
    StoreConfig {
        shards: 4,
        capacity: 20_000,
        journal,
    }
}

#[test]
fn v4_hot_path_does_not_allocate() {
    for persist in [false, true] {
        for kind in [
            AllocatorKind::Iterative,
            AllocatorKind::Random,
            AllocatorKind::FreeLeaseQueue,
        ] {
            let (st, _) = LeaseStore::<Lease4>::open(config(persist)).unwrap();
            let pool = Arc::new(Allocator::new(
                Pool::v4(Ipv4Addr::new(10, 0, 0, 0), Ipv4Addr::new(10, 0, 39, 255), 1),
                kind,
            ));
            st.add_pool(pool.clone(), 0);
            let mut batch = st.batch();
            let before = allocations();
            let mut held = [Ipv4Addr::UNSPECIFIED; 64];
            for round in 0..100u32 {
                for (i, h) in held.iter_mut().enumerate() {
                    let mut l = Lease4::new(Ipv4Addr::UNSPECIFIED, round, 3600, 1);
                    l.hwaddr = HwAddr::new(1, &[2, 0, 0, 0, round as u8, i as u8]).unwrap();
                    l.client_id = ClientId::new(&[1, 2, 0, 0, 0, round as u8, i as u8]);
                    let (cid, hw) = (
                        v4::client_id_hash(l.client_id.as_bytes()),
                        v4::hw_hash(&l.hwaddr),
                    );
                    // Every packet first looks for the client's lease.
                    let mut seen = 0;
                    st.each_by_client(cid, |_| seen += 1);
                    st.each_by_hw(hw, |_| seen += 1);
                    assert_eq!(seen, 0);
                    let (a, t) = st.allocate(&pool, l, round as u64, |_| false).unwrap();
                    st.each_by_client(cid, |x| seen += usize::from(x.addr == a));
                    assert_eq!(seen, 1);
                    st.renew(a, |_| true, round + 1, 7200).unwrap();
                    batch.add(t);
                    *h = a;
                }
                // One group commit per batch, as a worker does.
                st.commit_batch(&mut batch).unwrap();
                for (i, &a) in held.iter().enumerate() {
                    if i % 8 == 0 {
                        st.decline(a, |_| true, round, 1).unwrap();
                    } else {
                        st.release(a, |_| true).unwrap();
                    }
                }
            }
            assert_eq!(
                allocations() - before,
                0,
                "{kind:?} persist={persist} allocated"
            );
            let _ = std::fs::remove_dir_all(&st.config().journal.dir);
        }
    }
}

#[test]
fn v6_hot_path_does_not_allocate() {
    let (st, _) = LeaseStore::<Lease6>::open(config(false)).unwrap();
    let pool = Allocator::new(
        Pool::pd("2001:db8::".parse().unwrap(), 32, 56, 1),
        AllocatorKind::Iterative,
    );
    let before = allocations();
    for i in 0..5000u32 {
        let l = Lease6::new(Ipv6Addr::UNSPECIFIED, &[0, 1, 0, 1, 9, 9, 9, 9], i, 0, 3600);
        let (a, _) = st.allocate(&pool, l, 0, |_| false).unwrap();
        st.renew(a, |_| true, 1, 3600).unwrap();
        if i % 2 == 0 {
            st.release(a, |_| true).unwrap();
        }
    }
    assert_eq!(allocations() - before, 0, "v6 allocated");
}
