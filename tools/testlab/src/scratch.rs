//! Per-test working directories.

use std::path::PathBuf;

/// An empty directory `xdhcp-<tag>-<pid>` under the temporary directory,
/// for a test's configuration, sockets and logs.
pub fn scratch_dir(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("xdhcp-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("creating a scratch directory");
    dir
}
