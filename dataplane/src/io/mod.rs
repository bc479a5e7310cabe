//! Packet I/O backends: where frames enter and leave the dataplane.
//!
//! `xdp` is the kernel-bypass path: an XDP program steers DHCP frames into
//! AF_XDP sockets, one per NIC queue, whose rings the workers poll. `raw`
//! (AF_PACKET with a socket filter) and `udp` (a port-67 socket) are Kea's
//! two socket types, for NICs and kernels without XDP. [`serve`] runs the
//! workers over any of them; [`capture`] lets an operator see their frames.

mod batch;
pub mod capture;
pub mod link;
pub mod raw;
pub mod serve;
pub mod udp;
pub mod xdp;

pub use batch::MAX_BATCH;
