//! A stateless pseudo-random permutation of `0..n`, so the random allocator
//! needs no shuffled array and no lock: it is a cursor through a bijection.

use crate::lease::ident::mix;

/// The `c`-th element of the permutation, or `None` for a step that
/// falls outside `0..n` (cycle walking; retry with `c + 1`). Each pass of
/// `2^bits` steps uses a fresh key, so successive cycles differ, like Kea's
/// reshuffle.
pub fn nth(c: u64, n: u64, seed: u64) -> Option<u64> {
    let bits = 64 - (n.max(2) - 1).leading_zeros();
    let mask = if bits == 64 {
        u64::MAX
    } else {
        (1u64 << bits) - 1
    };
    let x = c & mask;
    let cycle = if bits == 64 { 0 } else { c >> bits };
    let key = mix(seed ^ cycle);
    let y = permute(x, bits, mask, key);
    (y < n).then_some(y)
}

fn permute(mut x: u64, bits: u32, mask: u64, key: u64) -> u64 {
    let shift = bits / 2 + 1;
    for r in 0..3 {
        // Odd multiplier and added key: bijective modulo 2^bits.
        let k = mix(key.wrapping_add(r));
        x = (x.wrapping_mul(k | 1).wrapping_add(k >> 7)) & mask;
        // xor-shift right: bijective as well.
        x ^= x >> shift;
    }
    x
}

#[cfg(test)]
mod tests {
    #[test]
    fn visits_each_once_per_cycle() {
        for n in [1u64, 2, 3, 7, 100, 1000] {
            let bits = 64 - (n.max(2) - 1).leading_zeros();
            let mut seen = vec![0u32; n as usize];
            for c in 0..(1u64 << bits) {
                if let Some(y) = super::nth(c, n, 42) {
                    seen[y as usize] += 1;
                }
            }
            assert!(seen.iter().all(|&s| s == 1), "n={n}");
        }
    }
}
