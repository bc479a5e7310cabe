//! Packet I/O backends: where frames enter and leave the dataplane.
//!
//! `xdp` is the kernel-bypass path: an XDP program steers DHCP frames into
//! AF_XDP sockets, one per NIC queue, whose rings the workers poll.

pub mod link;
pub mod xdp;
