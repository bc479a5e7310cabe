//! Binaries of other workspace packages. Cargo builds only the package
//! under test's binaries for its integration tests; a test that drives
//! another package's binary (the CLI starting the server, a server test
//! running the CLI) builds it here first, into the same target directory.

use std::path::{Path, PathBuf};
use std::process::Command;

/// Builds `package`'s binary `name` beside `sibling` (a binary of the same
/// target directory and profile, e.g. `env!("CARGO_BIN_EXE_xdhcp")`) and
/// returns its path.
pub fn workspace_binary(sibling: &str, package: &str, name: &str) -> PathBuf {
    let dir = Path::new(sibling).parent().expect("a binary's directory");
    let mut build = Command::new(env!("CARGO"));
    build.args(["build", "-q", "-p", package, "--bin", name]);
    if dir.ends_with("release") {
        build.arg("--release");
    }
    let out = build.output().expect("cargo");
    assert!(
        out.status.success(),
        "cargo build -p {package}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let bin = dir.join(name);
    assert!(bin.exists(), "{}", bin.display());
    bin
}
