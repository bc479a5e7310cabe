//! What a backend needs to know about an interface: its MAC, its IPv4
//! address and how many receive queues it has.

use std::ffi::CStr;
use std::net::{Ipv4Addr, Ipv6Addr};

use crate::worker::{Link, Link6};

/// What getifaddrs says about one interface.
struct Found {
    mac: Option<[u8; 6]>,
    v4: Option<Ipv4Addr>,
    link_local: Option<Ipv6Addr>,
}

/// Reads `name`'s MAC, first IPv4 address and IPv6 link-local address in
/// this network namespace.
fn find(name: &str) -> Option<Found> {
    let mut found = Found {
        mac: None,
        v4: None,
        link_local: None,
    };
    let mut list: *mut libc::ifaddrs = std::ptr::null_mut();
    // SAFETY: getifaddrs fills `list`, freed below; entries are read only
    // while the list is alive.
    if unsafe { libc::getifaddrs(&mut list) } != 0 {
        return None;
    }
    let mut cur = list;
    while let Some(entry) = unsafe { cur.as_ref() } {
        cur = entry.ifa_next;
        // SAFETY: ifa_name is a NUL-terminated string owned by the list.
        if entry.ifa_addr.is_null()
            || unsafe { CStr::from_ptr(entry.ifa_name) }.to_bytes() != name.as_bytes()
        {
            continue;
        }
        // SAFETY: the family tells which sockaddr type ifa_addr points to.
        match i32::from(unsafe { (*entry.ifa_addr).sa_family }) {
            libc::AF_INET if found.v4.is_none() => {
                let sin = unsafe { &*(entry.ifa_addr as *const libc::sockaddr_in) };
                found.v4 = Some(Ipv4Addr::from(u32::from_be(sin.sin_addr.s_addr)));
            }
            libc::AF_INET6 => {
                let sin6 = unsafe { &*(entry.ifa_addr as *const libc::sockaddr_in6) };
                let a = Ipv6Addr::from(sin6.sin6_addr.s6_addr);
                if a.segments()[0] & 0xffc0 == 0xfe80 {
                    found.link_local = Some(a);
                }
            }
            libc::AF_PACKET => {
                let sll = unsafe { &*(entry.ifa_addr as *const libc::sockaddr_ll) };
                if sll.sll_halen == 6 {
                    let mut m = [0u8; 6];
                    m.copy_from_slice(&sll.sll_addr[..6]);
                    found.mac = Some(m);
                }
            }
            _ => {}
        }
    }
    // SAFETY: the list from getifaddrs, freed once.
    unsafe { libc::freeifaddrs(list) };
    Some(found)
}

/// Looks up `name` in this network namespace for DHCPv4. `None` when the
/// interface does not exist or has no IPv4 address.
pub fn lookup(name: &str) -> Option<Link> {
    let f = find(name)?;
    Some(Link {
        name: name.to_string(),
        mac: f.mac?,
        addr: f.v4?,
    })
}

/// Looks up `name` for DHCPv6. `None` when the interface does not exist or
/// has no link-local address yet. No unicast address is set: that comes
/// from the configuration.
pub fn lookup6(name: &str) -> Option<Link6> {
    let f = find(name)?;
    Some(Link6 {
        name: name.to_string(),
        mac: f.mac?,
        addr: f.link_local?,
        unicast: None,
    })
}

/// Number of receive queues of `name` (1 when sysfs does not say).
pub fn rx_queues(name: &str) -> u32 {
    std::fs::read_dir(format!("/sys/class/net/{name}/queues"))
        .map(|d| {
            d.filter_map(Result::ok)
                .filter(|e| e.file_name().to_string_lossy().starts_with("rx-"))
                .count() as u32
        })
        .unwrap_or(1)
        .max(1)
}
