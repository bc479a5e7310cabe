//! perfdhcp's command line, flag by flag: the same spelling, meaning and
//! defaults (perfdhcp(8), Kea 2.2), getopt's clustering, and a clear error
//! naming every flag this tool does not support.

use std::net::IpAddr;
use std::time::Duration;

use xdhcp_perf::cli::{self, Command, LeaseType, Local, MaxDrop, Options, Server, DEFAULT_MAC};

fn parse(line: &str) -> Result<Options, String> {
    let args: Vec<&str> = line.split_whitespace().collect();
    match cli::parse(&args) {
        Ok(Command::Run(o)) => Ok(*o),
        Ok(other) => Err(format!("not a run: {other:?}")),
        Err(e) => Err(e.0),
    }
}

fn ok(line: &str) -> Options {
    parse(line).unwrap_or_else(|e| panic!("`{line}` rejected: {e}"))
}

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

#[test]
fn defaults_are_perfdhcps() {
    let o = ok("192.0.2.1");
    assert_eq!(o.family, 4);
    assert_eq!(o.rate, 0, "no -r: as fast as possible");
    assert_eq!(o.clients, 1);
    assert!(o.num_requests.is_empty() && o.period.is_none() && o.max_drop.is_empty());
    assert_eq!(o.drop_time, [Duration::from_secs(1); 2]);
    assert_eq!(o.mac_base, DEFAULT_MAC);
    assert_eq!(o.mac_base, [0x00, 0x0c, 0x01, 0x02, 0x03, 0x04]);
    assert_eq!(o.lease_type, LeaseType::AddressOnly);
    assert_eq!(o.exit_wait, Duration::ZERO);
    assert_eq!((o.relay_level, o.renew_rate, o.release_rate), (0, 0, 0));
    assert!(!o.initial_only && o.report_interval.is_none() && !o.json);
    assert_eq!(o.server, Server::Addr(ip("192.0.2.1")));
}

/// Every supported flag, in every getopt spelling, and what it sets.
#[test]
fn every_supported_flag_means_what_it_means_to_perfdhcp() {
    type Check = fn(&Options) -> bool;
    let table: &[(&str, Check)] = &[
        ("-4 192.0.2.1", |o| o.family == 4),
        ("-6 -l eth0", |o| {
            o.family == 6 && o.server == Server::AllAgents
        }),
        ("-6 -l eth0 all", |o| o.server == Server::AllAgents),
        ("-6 -l eth0 servers", |o| o.server == Server::AllServers),
        ("-6 2001:db8::1", |o| {
            o.server == Server::Addr(ip("2001:db8::1"))
        }),
        ("-r 100 192.0.2.1", |o| o.rate == 100),
        ("-r100 192.0.2.1", |o| o.rate == 100),
        ("-R 1000 192.0.2.1", |o| o.clients == 1000),
        ("-R1000 192.0.2.1", |o| o.clients == 1000),
        ("-n 50 192.0.2.1", |o| o.num_requests == [50]),
        ("-n 50 -n 40 192.0.2.1", |o| o.num_requests == [50, 40]),
        ("-p 5 192.0.2.1", |o| {
            o.period == Some(Duration::from_secs(5))
        }),
        ("-p 2.5 192.0.2.1", |o| {
            o.period == Some(Duration::from_millis(2500))
        }),
        ("-d 0.5 192.0.2.1", |o| {
            o.drop_time == [Duration::from_millis(500), Duration::from_secs(1)]
        }),
        ("-d 2 -d 3 192.0.2.1", |o| {
            o.drop_time == [Duration::from_secs(2), Duration::from_secs(3)]
        }),
        ("-D 10 192.0.2.1", |o| o.max_drop == [MaxDrop::Count(10)]),
        ("-D 5% 192.0.2.1", |o| o.max_drop == [MaxDrop::Percent(5.0)]),
        ("-D 3 -D 7% 192.0.2.1", |o| {
            o.max_drop == [MaxDrop::Count(3), MaxDrop::Percent(7.0)]
        }),
        ("-l 192.0.2.2 192.0.2.1", |o| {
            o.local == Some(Local::Addr(ip("192.0.2.2")))
        }),
        ("-l eth0 192.0.2.1", |o| {
            o.local == Some(Local::Interface("eth0".into()))
        }),
        ("-l eth0", |o| o.server == Server::Broadcast),
        ("-b mac=00:11:22:33:44:55 192.0.2.1", |o| {
            o.mac_base == [0, 0x11, 0x22, 0x33, 0x44, 0x55]
        }),
        ("-b mac=00::11::22::33::44::55 192.0.2.1", |o| {
            o.mac_base == [0, 0x11, 0x22, 0x33, 0x44, 0x55]
        }),
        ("-b ether=0a:0b:0c:0d:0e:0f 192.0.2.1", |o| {
            o.mac_base == [10, 11, 12, 13, 14, 15]
        }),
        ("-6 -b duid=0101010101010101010110111F14 -l eth0", |o| {
            o.duid_base.as_deref()
                == Some(&[1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0x10, 0x11, 0x1f, 0x14][..])
        }),
        ("-6 -A 1 2001:db8::1", |o| o.relay_level == 1),
        ("-6 -A1 2001:db8::1", |o| o.relay_level == 1),
        ("-i 192.0.2.1", |o| o.initial_only),
        ("-B 192.0.2.1", |o| o.broadcast_flag),
        ("-e address-only 192.0.2.1", |o| {
            o.lease_type == LeaseType::AddressOnly
        }),
        ("-6 -e prefix-only -l eth0", |o| {
            o.lease_type == LeaseType::PrefixOnly
        }),
        ("-6 -e address-and-prefix -l eth0", |o| {
            o.lease_type == LeaseType::AddressAndPrefix
        }),
        ("-t 2 192.0.2.1", |o| {
            o.report_interval == Some(Duration::from_secs(2))
        }),
        ("-W 100000 192.0.2.1", |o| {
            o.exit_wait == Duration::from_millis(100)
        }),
        ("-x aeistlT 192.0.2.1", |o| o.diags == "aeistlT"),
        ("-xi 192.0.2.1", |o| o.diags == "i"),
        ("-r 100 -f 10 192.0.2.1", |o| o.renew_rate == 10),
        ("-r 100 -F 20 192.0.2.1", |o| o.release_rate == 20),
        ("-r 100 -f 50 -F 50 192.0.2.1", |o| {
            o.renew_rate + o.release_rate == 100
        }),
        ("-L 6767 192.0.2.1", |o| o.local_port == 6767),
        ("-N 6868 192.0.2.1", |o| o.remote_port == 6868),
        ("-s 42 192.0.2.1", |o| o.seed == 42),
        ("-P 10 192.0.2.1", |o| o.preload == 10),
        ("-g multi 192.0.2.1", |o| o.multi_thread),
        ("-g single 192.0.2.1", |o| !o.multi_thread),
        ("--scenario basic 192.0.2.1", |_| true),
        ("--json 192.0.2.1", |o| o.json),
        ("--xdp -l eth0", |o| o.xdp && o.family == 4),
        (
            "-6 --xdp -e address-and-prefix -f 5 -F 5 -r 100 -l eth0",
            |o| o.xdp && o.family == 6 && o.lease_type == LeaseType::AddressAndPrefix,
        ),
        // getopt: grouped flags, a grouped flag taking the rest, options
        // after the server, and `--` ending the options.
        ("-i4 192.0.2.1", |o| o.initial_only && o.family == 4),
        ("-6i -l eth0", |o| o.initial_only && o.family == 6),
        ("-ir100 192.0.2.1", |o| o.initial_only && o.rate == 100),
        ("192.0.2.1 -r 100", |o| {
            o.rate == 100 && o.server == Server::Addr(ip("192.0.2.1"))
        }),
        ("-r 100 -- 192.0.2.1", |o| o.rate == 100),
    ];
    for (line, check) in table {
        let o = ok(line);
        assert!(check(&o), "`{line}` parsed to {o:#?}");
    }
}

#[test]
fn help_and_version() {
    assert_eq!(cli::parse(&["-h"]), Ok(Command::Help));
    assert_eq!(cli::parse(&["-v"]), Ok(Command::Version));
}

/// Invalid combinations perfdhcp also refuses.
#[test]
fn perfdhcps_checks() {
    let bad: &[(&str, &str)] = &[
        ("-4 -6 192.0.2.1", "mutually exclusive"),
        ("-e prefix-only 192.0.2.1", "-e"),
        ("-e bogus 192.0.2.1", "lease type"),
        ("-f 10 192.0.2.1", "-r"),
        ("-r 10 -f 6 -F 6 192.0.2.1", "exceed"),
        ("-i -F 1 -r 10 192.0.2.1", "-i"),
        ("-i -D 1 192.0.2.1", "-i"),
        ("-A 1 192.0.2.1", "-6"),
        ("-6 -B -l eth0", "-4"),
        ("-6 -A 2 2001:db8::1", "level 1"),
        ("-r 0 192.0.2.1", "positive"),
        ("-R 0 192.0.2.1", "positive"),
        ("-n x 192.0.2.1", "-n"),
        ("-D 0 192.0.2.1", "positive"),
        ("-n 1 -n 2 -n 3 192.0.2.1", "at most 2"),
        ("-D 101% 192.0.2.1", "percentage"),
        ("-b mac=00:11:22 192.0.2.1", "six octets"),
        ("-b duid=0102 192.0.2.1", "DUID"),
        ("-b foo=1 192.0.2.1", "base type"),
        ("-r", "requires an argument"),
        ("", "server is required"),
        ("-6 192.0.2.1", "does not match"),
        ("192.0.2.1 192.0.2.9", "one server"),
        ("-Z 192.0.2.1", "unknown option -Z"),
        ("--scenario avalanche 192.0.2.1", "avalanche"),
        ("--xdp 192.0.2.1", "-l INTERFACE"),
        ("-6 --xdp -l 2001:db8::2 2001:db8::1", "-l INTERFACE"),
        ("-6 --xdp -A 1 -l eth0 2001:db8::1", "-A does not apply"),
    ];
    for (line, needle) in bad {
        let e = parse(line).expect_err(line);
        assert!(e.contains(needle), "`{line}`: error `{e}` lacks `{needle}`");
    }
}

#[test]
fn unsupported_flags_are_named_in_the_error() {
    let unsupported = [
        "-1",
        "-a 1",
        "-c",
        "-C ,",
        "-E 4",
        "-I 4",
        "-J file",
        "-M file",
        "-o 60,00",
        "-O 4",
        "-S 4",
        "-T file",
        "-u",
        "-w script",
        "-X 4",
        "-y 1",
        "-Y 1",
    ];
    for flag in unsupported {
        let line = format!("{flag} 192.0.2.1");
        let e = parse(&line).expect_err(&line);
        let letter = &flag[..2];
        assert!(
            e.contains(&format!("option {letter} ")) && e.contains("not supported"),
            "`{line}`: error `{e}` does not name {letter}"
        );
    }
}
