//! Concurrency stress: threads allocate, renew and release against shared
//! pools; afterwards no address is leased twice, indexes agree with the
//! tables and every count matches.

use std::collections::HashMap;
use std::net::Ipv4Addr;
use std::sync::Arc;

use xdhcp_dataplane::alloc::{Allocator, AllocatorKind, Pool};
use xdhcp_dataplane::lease::{v4, ClientId, HwAddr, Lease4, LeaseStore, StoreConfig};

const THREADS: u32 = 4;
const OPS: u32 = 60_000;

fn lease_for(t: u32, i: u32) -> Lease4 {
    let mut l = Lease4::new(Ipv4Addr::UNSPECIFIED, 1000, 3600, 1);
    let (a, b) = (t.to_be_bytes(), i.to_be_bytes());
    l.hwaddr = HwAddr::new(1, &[a[3], b[0], b[1], b[2], b[3], 0]).unwrap();
    l.client_id = ClientId::new(&[1, a[3], b[0], b[1], b[2], b[3]]);
    l
}

#[test]
fn threads_share_pools_without_double_leases() {
    let (st, _) = LeaseStore::<Lease4>::open(StoreConfig::memory(16, 20_000)).unwrap();
    // Small pools so threads collide on candidates and exhaust pools.
    let pools: Vec<Arc<Allocator>> = [
        (0x0a00_0000u32, AllocatorKind::Iterative),
        (0x0a01_0000, AllocatorKind::Random),
        (0x0a02_0000, AllocatorKind::FreeLeaseQueue),
    ]
    .into_iter()
    .map(|(base, k)| {
        let p = Arc::new(Allocator::new(
            Pool::v4(Ipv4Addr::from(base), Ipv4Addr::from(base + 1999), 1),
            k,
        ));
        st.add_pool(p.clone(), 0);
        p
    })
    .collect();
    let handles: Vec<_> = (0..THREADS)
        .map(|t| {
            let (st, pools) = (st.clone(), pools.clone());
            std::thread::spawn(move || {
                let mut mine: Vec<(Ipv4Addr, u32)> = Vec::new();
                let mut x = 0x1234_5678u64 ^ t as u64;
                let mut exhausted = 0;
                for i in 0..OPS {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    match x % 20 {
                        0..=8 => {
                            let p = &pools[(x >> 8) as usize % pools.len()];
                            match st.allocate(p, lease_for(t, i), 1000, |_| false) {
                                Ok((a, _)) => mine.push((a, i)),
                                Err(_) => exhausted += 1,
                            }
                        }
                        9..=11 if !mine.is_empty() => {
                            let (a, id) = mine[(x >> 16) as usize % mine.len()];
                            let cid = lease_for(t, id).client_id;
                            // The client directory finds it while other
                            // threads mutate the same directory shards.
                            let mut hits = 0;
                            st.each_by_client(v4::client_id_hash(cid.as_bytes()), |l| {
                                assert_eq!(l.addr, a);
                                hits += 1;
                            });
                            assert_eq!(hits, 1);
                            st.renew(a, |l| l.client_id == cid, 1000 + i, 3600).unwrap();
                        }
                        12..=19 if !mine.is_empty() => {
                            let k = (x >> 16) as usize % mine.len();
                            let (a, id) = mine.swap_remove(k);
                            let cid = lease_for(t, id).client_id;
                            st.release(a, |l| l.client_id == cid).unwrap();
                        }
                        _ => {}
                    }
                }
                (mine, exhausted)
            })
        })
        .collect();
    let mut owner: HashMap<Ipv4Addr, (u32, u32)> = HashMap::new();
    let mut exhausted = 0;
    for (t, h) in handles.into_iter().enumerate() {
        let (mine, ex) = h.join().unwrap();
        exhausted += ex;
        for (a, id) in mine {
            assert!(
                owner.insert(a, (t as u32, id)).is_none(),
                "{a} leased twice"
            );
        }
    }
    eprintln!(
        "{} leases held, {exhausted} allocations found pools full",
        owner.len()
    );
    assert_eq!(st.len(), owner.len());
    st.check_consistency().unwrap();
    for (a, (t, id)) in &owner {
        let want = lease_for(*t, *id);
        let l = st.get(*a).expect("held lease present");
        assert_eq!(l.client_id, want.client_id);
        let mut n = 0;
        st.each_by_client(v4::client_id_hash(want.client_id.as_bytes()), |x| {
            assert_eq!(x.addr, *a);
            n += 1
        });
        assert_eq!(n, 1);
    }
}
