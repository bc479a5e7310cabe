//! Shared helpers for dataplane integration tests.
#![allow(dead_code)]

pub mod engine4;
pub mod events;
pub mod expect;
pub mod pcap;
pub mod rng;
pub mod v4lab;
pub mod v6lab;
pub mod xdp_loop;

use std::path::PathBuf;

/// `dataplane/tests/fixtures/pcap`.
pub fn fixture_pcap_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/pcap")
}
