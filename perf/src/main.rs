//! `xdhcp-perf`: perfdhcp's command line, xdhcp's engine.

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    std::process::exit(xdhcp_perf::main_with(&args));
}
