//! Compiles the XDP steering program (xdp-prog/dhcp_steer.c) with clang so
//! the dataplane embeds the exact object it loads. eBPF is written in C here
//! because Rust eBPF needs bpf-linker on LLVM 21, which Debian 12 lacks.

use std::path::PathBuf;
use std::process::Command;

fn main() {
    let src = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../xdp-prog/dhcp_steer.c");
    let out = PathBuf::from(std::env::var("OUT_DIR").unwrap()).join("dhcp_steer.o");
    println!("cargo:rerun-if-changed={}", src.display());
    let multiarch = format!("/usr/include/{}-linux-gnu", std::env::consts::ARCH);
    let status = Command::new(std::env::var("CLANG").unwrap_or_else(|_| "clang".into()))
        .args(["-O2", "-g", "-target", "bpf", "-Wall", "-Werror"])
        .arg(format!("-I{multiarch}"))
        .arg("-c")
        .arg(&src)
        .arg("-o")
        .arg(&out)
        .status();
    match status {
        Ok(s) if s.success() => {}
        Ok(s) => panic!("clang failed to compile {} ({s})", src.display()),
        Err(e) => panic!(
            "cannot run clang ({e}); install the build packages with `sudo tools/install-deps.sh`"
        ),
    }
}
