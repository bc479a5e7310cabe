//! Test support shared by the workspace's integration tests: network
//! namespace labs, server processes run in them, their control sockets,
//! and a counting allocator for no-allocation proofs.

pub mod alloc_count;
mod bins;
mod control;
mod dhcpcd;
mod netns;
mod process;
mod scratch;

pub use alloc_count::{allocations, CountingAllocator};
pub use bins::workspace_binary;
pub use control::control;
pub use netns::{delete_netns, enter, run, stop_daemon, Lab, SERVER_MAC};
pub use process::ServerProcess;
pub use scratch::scratch_dir;
