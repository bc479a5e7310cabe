//! One configuration and one scripted exchange, served by real Kea 2.2 and
//! then by xdhcp, each in a lab of its own: what differs, step by step.

use std::fmt::Debug;

use xdhcp_testlab::{control, Lab, ServerProcess};

/// What tells the two servers of one family apart.
pub struct Family {
    /// Kea's binary.
    pub kea: &'static str,
    /// Kea's log message once it serves.
    pub kea_started: &'static str,
    /// Kea's log message once its control socket accepts commands.
    pub kea_socket_open: &'static str,
}

/// DHCPv4: kea-dhcp4.
pub const V4: Family = Family {
    kea: "kea-dhcp4",
    kea_started: "DHCP4_STARTED",
    kea_socket_open: "COMMAND_ACCEPTOR_START",
};

/// DHCPv6: kea-dhcp6.
pub const V6: Family = Family {
    kea: "kea-dhcp6",
    kea_started: "DHCP6_STARTED",
    kea_socket_open: "COMMAND_ACCEPTOR_START",
};

/// What a server answered at each named step (`None`: silence).
pub type Answers<T> = Vec<(String, Option<T>)>;

/// A step of a scripted exchange: its message, made from the reply `T`
/// seen at the step before (`None`: silence, or the first step).
pub type Step<T> = Box<dyn FnOnce(Option<&T>) -> Vec<u8> + Send>;

/// A step that sends `msg` whatever came before.
pub fn fixed<T>(msg: Vec<u8>) -> Step<T> {
    Box::new(move |_| msg)
}

/// Runs `script`, each message through `send`, which returns the reply
/// it saw, if any.
pub fn run_steps<T>(
    script: Vec<(String, Step<T>)>,
    mut send: impl FnMut(&[u8]) -> Option<T>,
) -> Answers<T> {
    let mut out: Answers<T> = Vec::new();
    for (name, step) in script {
        let msg = step(out.last().and_then(|(_, seen)| seen.as_ref()));
        let seen = send(&msg);
        out.push((name, seen));
    }
    out
}

/// Who takes leases in turn from a subnet of three 2-address pools, the
/// middle one `vip`-only, in the pool-order scenarios of both families:
/// (client number, in the `vip` class). Both kinds run out.
pub const POOL_TURNS: [(u8, bool); 8] = [
    (1, false),
    (2, true),
    (3, true),
    (4, false),
    (5, true),
    (6, true),
    (7, false),
    (8, true),
];

/// Who takes leases after a release in each of those pools.
pub const TURNS_AFTER_RELEASES: [(u8, bool); 4] = [(9, true), (10, false), (11, false), (12, true)];

/// The control socket of the server on the lab of `iface`, for the
/// configurations whose statistics are compared.
pub fn control_socket(iface: &str) -> String {
    std::env::temp_dir()
        .join(format!("xdhcp-sbs-{iface}.sock"))
        .to_string_lossy()
        .into_owned()
}

/// The values of statistics `names` from the server on `iface` (`None`
/// where it has no such statistic), once its log says `open`.
fn statistics(
    server: &mut ServerProcess,
    iface: &str,
    open: &str,
    names: &[&str],
) -> Vec<Option<u64>> {
    if names.is_empty() {
        return Vec::new();
    }
    server.wait_for(open);
    let all = control(control_socket(iface), r#"{"command": "statistic-get-all"}"#);
    names
        .iter()
        .map(|n| all["arguments"][n][0][0].as_u64())
        .collect()
}

/// Serves the exchange `run` from Kea, then from xdhcp, each with
/// `config(iface, socket type)` (`udp` for Kea, `xdp` for xdhcp); returns
/// the steps (and the statistics `stats`) where they differ, Kea's answers
/// and Kea's statistics.
pub fn differences<T: PartialEq + Debug>(
    tag: &str,
    family: &Family,
    config: impl Fn(&str, &str) -> String,
    run: impl Fn(&Lab) -> Answers<T>,
    stats: &[&str],
) -> (Vec<String>, Answers<T>, Vec<Option<u64>>) {
    let kea_bin = format!("/usr/sbin/{}", family.kea);
    assert!(
        std::path::Path::new(&kea_bin).exists(),
        "{} missing: run tools/install-deps.sh",
        family.kea
    );
    std::fs::create_dir_all("/run/kea").expect("/run/kea");
    let dir = std::env::temp_dir().join(format!("xdhcp-sbs-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();

    let kea_lab = Lab::new(&format!("k{tag}"));
    kea_lab.wait_link_local();
    // Kea names its PID file after the configuration file: one per test.
    let kea_conf = dir.join(format!("kea-{tag}.json"));
    std::fs::write(&kea_conf, config(&kea_lab.iface, "udp")).unwrap();
    let mut kea = ServerProcess::start(
        kea_lab.server_command(&[family.kea, "-c", kea_conf.to_str().unwrap()]),
        family.kea_started,
    );
    let from_kea = run(&kea_lab);
    let kea_stats = statistics(&mut kea, &kea_lab.iface, family.kea_socket_open, stats);
    drop(kea);

    let our_lab = Lab::new(&format!("x{tag}"));
    our_lab.wait_link_local();
    let our_conf = dir.join("xdhcp.json");
    std::fs::write(&our_conf, config(&our_lab.iface, "xdp")).unwrap();
    let bin = env!("CARGO_BIN_EXE_xdhcp-controlplane");
    let mut ours = ServerProcess::start(
        our_lab.server_command(&[bin, "-c", our_conf.to_str().unwrap()]),
        "DHCP4_STARTED",
    );
    let from_us = run(&our_lab);
    let our_stats = statistics(&mut ours, &our_lab.iface, "COMMAND_SOCKET_OPENED", stats);
    drop(ours);
    let _ = std::fs::remove_dir_all(&dir);

    let mut out = Vec::new();
    for ((name, k), (_, x)) in from_kea.iter().zip(&from_us) {
        if k != x {
            out.push(format!("{name}:\n  kea   {k:?}\n  xdhcp {x:?}"));
        }
    }
    for ((name, k), x) in stats.iter().zip(&kea_stats).zip(&our_stats) {
        if k != x {
            out.push(format!("statistic {name}: kea {k:?}, xdhcp {x:?}"));
        }
    }
    (out, from_kea, kea_stats)
}

/// The steps of `differences` not named in `deliberate` (documented
/// differences from Kea), asserting that each deliberate one did differ.
pub fn unexpected<'d>(differences: &'d [String], deliberate: &[&str]) -> Vec<&'d String> {
    let named = |d: &String, n: &str| d.starts_with(&format!("{n}:"));
    for n in deliberate {
        assert!(
            differences.iter().any(|d| named(d, n)),
            "'{n}' is listed as a deliberate difference from Kea but did not differ"
        );
    }
    differences
        .iter()
        .filter(|d| !deliberate.iter().any(|n| named(d, n)))
        .collect()
}
