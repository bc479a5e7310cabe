//! Where the load comes from and goes to: the local address (and port) a
//! relay or client would use, per perfdhcp's `-l`, `-L`, `-N` and server
//! argument, and the socket bound there.

use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use crate::cli::{Local, Options, Server};
use crate::engine::udp::{self, UdpIo};

fn port(given: u16, standard: u16) -> u16 {
    if given == 0 {
        standard
    } else {
        given
    }
}

fn unsupported(msg: &str) -> io::Error {
    io::Error::new(io::ErrorKind::Unsupported, msg.to_string())
}

/// v4: a relay socket on port 67 of the local address, which is also giaddr.
pub fn open_v4(opts: &Options) -> io::Result<(UdpIo, Ipv4Addr)> {
    let (server, iface) = match (&opts.server, &opts.local) {
        (Server::Addr(IpAddr::V4(a)), _) => (*a, None),
        // perfdhcp with only `-l IFACE`: broadcast out of that interface,
        // still as a relay (giaddr set), so the server answers unicast.
        (Server::Broadcast, Some(Local::Interface(name))) => (Ipv4Addr::BROADCAST, Some(name)),
        _ => {
            return Err(unsupported(
                "a v4 server address (or -l INTERFACE) is required",
            ))
        }
    };
    let local = match &opts.local {
        Some(Local::Addr(a)) => *a,
        Some(Local::Interface(name)) => udp::interface_address(name, false, false)?.0,
        None => udp::route_source(IpAddr::V4(server))?,
    };
    let IpAddr::V4(local) = local else {
        return Err(unsupported(
            "-l must be an IPv4 address or interface with -4",
        ));
    };
    let io = UdpIo::open(
        SocketAddr::new(local.into(), port(opts.local_port, 67)),
        SocketAddr::new(server.into(), port(opts.remote_port, 67)),
        0,
    )?;
    if let Some(name) = iface {
        io.broadcast_on(name)?;
    }
    Ok((io, local))
}

/// v6: a relay socket on port 547 (`-A 1`), or a client socket on port 546.
/// Returns the relay's link-address when relaying.
pub fn open_v6(opts: &Options) -> io::Result<(UdpIo, Option<Ipv6Addr>)> {
    let relay = opts.relay_level > 0;
    let (local, ifindex) = match &opts.local {
        Some(Local::Addr(a)) => (Some(*a), 0),
        Some(Local::Interface(name)) => {
            let (a, i) = udp::interface_address(name, true, !relay)?;
            (Some(a), i)
        }
        None => (None, 0),
    };
    let server = match opts.server {
        Server::Addr(a) => a,
        Server::AllAgents => IpAddr::V6(Ipv6Addr::new(0xff02, 0, 0, 0, 0, 0, 1, 2)),
        Server::AllServers => IpAddr::V6(Ipv6Addr::new(0xff05, 0, 0, 0, 0, 0, 1, 3)),
        Server::Broadcast => return Err(unsupported("a v6 server address is required")),
    };
    if server.is_multicast() && ifindex == 0 {
        return Err(unsupported(
            "multicast to 'all'/'servers' needs -l INTERFACE",
        ));
    }
    let local = match local {
        Some(a) => a,
        None => udp::route_source(server)?,
    };
    let IpAddr::V6(local6) = local else {
        return Err(unsupported(
            "-l must be an IPv6 address or interface with -6",
        ));
    };
    let (lport, rport) = if relay { (547, 547) } else { (546, 547) };
    let bind = SocketAddr::V6(std::net::SocketAddrV6::new(
        local6,
        port(opts.local_port, lport),
        0,
        if local6.segments()[0] & 0xffc0 == 0xfe80 {
            ifindex
        } else {
            0
        },
    ));
    let io = UdpIo::open(
        bind,
        SocketAddr::new(server, port(opts.remote_port, rport)),
        ifindex,
    )?;
    Ok((io, relay.then_some(local6)))
}
