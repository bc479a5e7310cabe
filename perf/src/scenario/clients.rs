//! Simulated client identities: MAC addresses and DUIDs derived from
//! perfdhcp's `-b` bases by adding the client number.

use std::net::Ipv6Addr;

/// Identity of client `n`: the base MAC plus `n`, big-endian with carry,
/// so `-R` clients have distinct addresses (perfdhcp adds to the same base).
pub fn mac(base: &[u8; 6], n: u32) -> [u8; 6] {
    let mut mac = *base;
    add_be(&mut mac, n);
    mac
}

/// Writes client `n`'s DUID into `out` and returns its length: the `-b duid=`
/// base plus `n`, or else a DUID-LL (type 3, Ethernet) over its MAC.
pub fn duid(mac_base: &[u8; 6], duid_base: Option<&[u8]>, n: u32, out: &mut [u8; 64]) -> usize {
    match duid_base {
        Some(base) => {
            let len = base.len().min(out.len());
            out[..len].copy_from_slice(&base[..len]);
            add_be(&mut out[..len], n);
            len
        }
        None => {
            out[..4].copy_from_slice(&[0, 3, 0, 1]);
            out[4..10].copy_from_slice(&mac(mac_base, n));
            10
        }
    }
}

/// The link-local address a client with `mac` uses (modified EUI-64).
pub fn link_local(mac: &[u8; 6]) -> Ipv6Addr {
    Ipv6Addr::from([
        0xfe,
        0x80,
        0,
        0,
        0,
        0,
        0,
        0,
        mac[0] ^ 2,
        mac[1],
        mac[2],
        0xff,
        0xfe,
        mac[3],
        mac[4],
        mac[5],
    ])
}

/// The `-b` bases of clients `first..`: client `n` of the result is client
/// `first + n` of the originals (adding with carry is associative), so a
/// generator thread numbering its slice from 0 keeps everyone's identity.
pub fn shift_bases(mac_base: &mut [u8; 6], duid_base: Option<&mut Vec<u8>>, first: u32) {
    add_be(mac_base, first);
    if let Some(duid) = duid_base {
        add_be(duid, first);
    }
}

fn add_be(bytes: &mut [u8], n: u32) {
    let mut carry = n as u64;
    for b in bytes.iter_mut().rev() {
        if carry == 0 {
            break;
        }
        let sum = *b as u64 + (carry & 0xff);
        *b = sum as u8;
        carry = (carry >> 8) + (sum >> 8);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn macs_count_up_from_the_base_with_carry() {
        let base = [0, 0x0c, 1, 2, 3, 0xff];
        assert_eq!(mac(&base, 0), base);
        assert_eq!(mac(&base, 1), [0, 0x0c, 1, 2, 4, 0]);
        assert_eq!(mac(&base, 0x101), [0, 0x0c, 1, 2, 5, 0]);
        assert_eq!(mac(&base, 0x1_0001), [0, 0x0c, 1, 3, 4, 0]);
    }

    #[test]
    fn duid_ll_wraps_the_mac_and_duid_base_counts_up() {
        let mut out = [0u8; 64];
        let n = duid(&[0, 0x0c, 1, 2, 3, 4], None, 2, &mut out);
        assert_eq!(&out[..n], &[0, 3, 0, 1, 0, 0x0c, 1, 2, 3, 6]);
        let n = duid(&[0; 6], Some(&[0, 1, 2, 3, 4, 5, 6, 0xfe]), 3, &mut out);
        assert_eq!(&out[..n], &[0, 1, 2, 3, 4, 5, 7, 1]);
    }

    #[test]
    fn shifted_bases_number_a_slice_of_the_same_clients() {
        let (mac_base, duid_base) = ([0, 0x0c, 1, 2, 3, 0xf0], vec![0, 1, 0xff]);
        let (mut m, mut d) = (mac_base, duid_base.clone());
        shift_bases(&mut m, Some(&mut d), 0x20);
        let mut out = [0u8; 64];
        let mut shifted = [0u8; 64];
        for n in [0, 1, 0x300] {
            assert_eq!(mac(&m, n), mac(&mac_base, 0x20 + n));
            let a = duid(&mac_base, Some(&duid_base), 0x20 + n, &mut out);
            let b = duid(&m, Some(&d), n, &mut shifted);
            assert_eq!(out[..a], shifted[..b]);
        }
        assert_eq!(
            link_local(&[0, 0x0c, 1, 2, 3, 4]),
            "fe80::20c:1ff:fe02:304".parse::<Ipv6Addr>().unwrap()
        );
    }
}
