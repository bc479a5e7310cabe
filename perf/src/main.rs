//! `xdhcp-perf`: perfdhcp's command line, xdhcp's engine.

// Nothing is allocated per packet; setup and the report allocate little.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    std::process::exit(xdhcp_perf::main_with(&args));
}
