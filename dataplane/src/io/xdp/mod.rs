//! The AF_XDP backend: the steering program ([`program`]) and the sockets
//! whose rings carry frames to and from the workers ([`socket`]).

pub mod program;
pub mod socket;

pub use program::{AttachMode, Counters, ModePolicy, Ports, SteeringProgram, XdpError};
pub use socket::{XdpSocket, XskConfig};
