//! Test support shared by the workspace's integration tests: network
//! namespace labs, and a counting allocator for no-allocation proofs.

pub mod alloc_count;
mod netns;

pub use alloc_count::{allocations, CountingAllocator};
pub use netns::{delete_netns, enter, run, Lab, SERVER_MAC};
