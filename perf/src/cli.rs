//! perfdhcp's command line: the same letters, getopt clustering
//! (`-r 100`, `-r100`, `-xi`, `-i4`), the same defaults and checks.
//!
//! Hand-parsed rather than clap: getopt lets an option's argument be glued
//! to its letter and short flags be grouped, and perfdhcp users type both.

use std::fmt;
use std::net::IpAddr;
use std::time::Duration;

/// perfdhcp's default base MAC address (`-b mac=`).
pub const DEFAULT_MAC: [u8; 6] = [0x00, 0x0c, 0x01, 0x02, 0x03, 0x04];

/// Which leases a v6 client asks for (`-e`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum LeaseType {
    /// IA_NA (v6) or a plain address (v4).
    AddressOnly,
    /// IA_PD only.
    PrefixOnly,
    /// IA_NA and IA_PD in the same exchange.
    AddressAndPrefix,
}

impl LeaseType {
    /// Whether the client asks for an address (IA_NA).
    pub fn address(self) -> bool {
        self != LeaseType::PrefixOnly
    }

    /// Whether the client asks for a prefix (IA_PD).
    pub fn prefix(self) -> bool {
        self != LeaseType::AddressOnly
    }
}

/// `-D`: abort after this many drops, or this share of drops.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub enum MaxDrop {
    /// An absolute number of dropped requests (at least 1).
    Count(u64),
    /// A percentage of requests sent, checked once more than 10 were sent.
    Percent(f64),
}

/// Where `-l` points: an address to send from, or an interface to use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Local {
    /// A local address (v4: the relay address put into giaddr).
    Addr(IpAddr),
    /// A network interface name.
    Interface(String),
}

/// Where the server argument points.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Server {
    /// A unicast (or explicit multicast) address.
    Addr(IpAddr),
    /// v6 `all`: All_DHCP_Relay_Agents_and_Servers, ff02::1:2.
    AllAgents,
    /// v6 `servers`: All_DHCP_Servers, ff05::1:3.
    AllServers,
    /// v4 with only `-l IFACE`: the limited broadcast address.
    Broadcast,
}

/// A parsed and validated perfdhcp command line.
#[derive(Debug, Clone, PartialEq)]
pub struct Options {
    /// 4 or 6 (`-4`, `-6`; 4 by default).
    pub family: u8,
    /// Exchanges initiated per second (`-r`); 0 means as fast as possible.
    pub rate: u64,
    /// Number of simulated clients (`-R`), at least 1.
    pub clients: u32,
    /// `-n`, up to two: requests of the first and of the second exchange.
    pub num_requests: Vec<u64>,
    /// `-p`: test period.
    pub period: Option<Duration>,
    /// `-d`, up to two: time after which a request counts as lost.
    pub drop_time: [Duration; 2],
    /// `-D`, up to two: abort thresholds for the first and second exchange.
    pub max_drop: Vec<MaxDrop>,
    /// `-l`: local address or interface.
    pub local: Option<Local>,
    /// `-b mac=`: base MAC address.
    pub mac_base: [u8; 6],
    /// `-b duid=`: base DUID, if given.
    pub duid_base: Option<Vec<u8>>,
    /// `-A`: relay encapsulation level (v6); 0 means direct.
    pub relay_level: u8,
    /// `-i`: only the first exchange (DO or SA).
    pub initial_only: bool,
    /// `-e`: lease type.
    pub lease_type: LeaseType,
    /// `-t`: periodic report interval.
    pub report_interval: Option<Duration>,
    /// `-W`: time to keep receiving after an exit condition.
    pub exit_wait: Duration,
    /// `-x`: diagnostic selector letters.
    pub diags: String,
    /// `-f`: renews per second.
    pub renew_rate: u64,
    /// `-F`: releases per second.
    pub release_rate: u64,
    /// `-L`: local port; 0 means the standard one.
    pub local_port: u16,
    /// `-N`: remote port; 0 means the standard one.
    pub remote_port: u16,
    /// `-P`: exchanges initiated back to back at startup.
    pub preload: u64,
    /// `-B`: set the broadcast flag in v4 requests.
    pub broadcast_flag: bool,
    /// `-s`: random seed; 0 means none.
    pub seed: u64,
    /// `-g`: whether replies are received on a separate thread.
    pub multi_thread: bool,
    /// The server argument.
    pub server: Server,
    /// `--json`: print the final report as JSON instead of text.
    pub json: bool,
    /// `--xdp`: clients directly connected to `-l IFACE`, sent and
    /// received over AF_XDP at layer 2 (one thread per receive queue)
    /// instead of through a socket.
    pub xdp: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            family: 4,
            rate: 0,
            clients: 1,
            num_requests: Vec::new(),
            period: None,
            drop_time: [Duration::from_secs(1); 2],
            max_drop: Vec::new(),
            local: None,
            mac_base: DEFAULT_MAC,
            duid_base: None,
            relay_level: 0,
            initial_only: false,
            lease_type: LeaseType::AddressOnly,
            report_interval: None,
            exit_wait: Duration::ZERO,
            diags: String::new(),
            renew_rate: 0,
            release_rate: 0,
            local_port: 0,
            remote_port: 0,
            preload: 0,
            broadcast_flag: false,
            seed: 0,
            multi_thread: false,
            server: Server::Broadcast,
            json: false,
            xdp: false,
        }
    }
}

impl Options {
    /// Whether diagnostic letter `c` was selected with `-x`.
    pub fn diag(&self, c: char) -> bool {
        self.diags.contains(c)
    }
}

/// What the command line asks for.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    /// Run a test.
    Run(Box<Options>),
    /// `-h`.
    Help,
    /// `-v`.
    Version,
}

/// A command-line error; perfdhcp exits with status 1 on these.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CliError(pub String);

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for CliError {}

fn err<T>(msg: impl Into<String>) -> Result<T, CliError> {
    Err(CliError(msg.into()))
}

/// perfdhcp letters that take an argument (its getopt string).
const WITH_ARG: &str = "AabCdDeEfFgIJlLMnNoOpPrRsStTwWxXyY";
/// perfdhcp letters without an argument.
const NO_ARG: &str = "146Bchiuv";

/// perfdhcp flags this tool does not implement, with what they do.
const UNSUPPORTED: &[(char, &str)] = &[
    ('1', "server-id from the first reply"),
    ('a', "aggressivity"),
    ('c', "rapid commit"),
    ('C', "separator-delimited reports"),
    ('E', "template elapsed-time offset"),
    ('I', "template address offset"),
    ('J', "remote address list file"),
    ('M', "MAC address list file"),
    ('o', "custom options"),
    ('O', "template random offset"),
    ('S', "template server-id offset"),
    ('T', "template file"),
    ('u', "address uniqueness checks"),
    ('w', "wrapper script"),
    ('X', "template xid offset"),
    ('y', "increased elapsed time"),
    ('Y', "increased elapsed time period"),
];

/// Parses perfdhcp's arguments (without the program name).
pub fn parse<S: AsRef<str>>(args: &[S]) -> Result<Command, CliError> {
    let mut raw: Vec<(char, Option<String>)> = Vec::new();
    let mut positional: Vec<String> = Vec::new();
    let mut json = false;
    let mut xdp = false;
    let mut i = 0;
    while i < args.len() {
        let a = args[i].as_ref();
        i += 1;
        if a == "--" {
            positional.extend(args[i..].iter().map(|s| s.as_ref().to_string()));
            break;
        }
        if let Some(long) = a.strip_prefix("--") {
            let (name, inline) = match long.split_once('=') {
                Some((n, v)) => (n, Some(v.to_string())),
                None => (long, None),
            };
            match name {
                "json" => json = true,
                "xdp" => xdp = true,
                "scenario" => {
                    let v = match inline {
                        Some(v) => v,
                        None if i < args.len() => {
                            i += 1;
                            args[i - 1].as_ref().to_string()
                        }
                        None => return err("option --scenario requires an argument"),
                    };
                    match v.as_str() {
                        "basic" => {}
                        "avalanche" => {
                            return err("option --scenario avalanche is not supported (only basic)")
                        }
                        other => return err(format!("--scenario: unknown scenario '{other}'")),
                    }
                }
                _ => return err(format!("unknown option --{name}")),
            }
            continue;
        }
        if a.len() < 2 || !a.starts_with('-') {
            positional.push(a.to_string());
            continue;
        }
        // A getopt cluster: flags, the last of which may take the rest.
        let body = &a[1..];
        for (pos, c) in body.char_indices() {
            if WITH_ARG.contains(c) {
                let rest = &body[pos + c.len_utf8()..];
                let value = if !rest.is_empty() {
                    rest.to_string()
                } else if i < args.len() {
                    i += 1;
                    args[i - 1].as_ref().to_string()
                } else {
                    return err(format!("option -{c} requires an argument"));
                };
                raw.push((c, Some(value)));
                break;
            } else if NO_ARG.contains(c) {
                raw.push((c, None));
            } else {
                return err(format!("unknown option -{c}"));
            }
        }
    }
    if raw.iter().any(|(c, _)| *c == 'h') {
        return Ok(Command::Help);
    }
    if raw.iter().any(|(c, _)| *c == 'v') {
        return Ok(Command::Version);
    }
    let mut o = Options {
        json,
        xdp,
        ..Options::default()
    };
    build(&mut o, &raw, positional)?;
    if o.xdp && !matches!(o.local, Some(Local::Interface(_))) {
        return err("--xdp needs -l INTERFACE (the clients' link)");
    }
    if o.xdp && o.relay_level > 0 {
        return err("--xdp simulates directly connected clients; -A does not apply");
    }
    Ok(Command::Run(Box::new(o)))
}

fn build(
    o: &mut Options,
    raw: &[(char, Option<String>)],
    positional: Vec<String>,
) -> Result<(), CliError> {
    let (mut saw4, mut saw6) = (false, false);
    let mut drop_times = 0usize;
    let mut lease_type_given = false;
    for (c, v) in raw {
        let c = *c;
        if let Some((_, what)) = UNSUPPORTED.iter().find(|(u, _)| *u == c) {
            return err(format!(
                "option -{c} ({what}) is not supported by xdhcp-perf"
            ));
        }
        let v = v.as_deref().unwrap_or("");
        match c {
            '4' => saw4 = true,
            '6' => saw6 = true,
            'i' => o.initial_only = true,
            'B' => o.broadcast_flag = true,
            'e' => {
                lease_type_given = true;
                o.lease_type = match v {
                    "address-only" => LeaseType::AddressOnly,
                    "prefix-only" => LeaseType::PrefixOnly,
                    "address-and-prefix" => LeaseType::AddressAndPrefix,
                    _ => return err(format!("-e: invalid lease type '{v}'")),
                }
            }
            'r' => o.rate = positive(c, v)?,
            'R' => {
                o.clients = u32::try_from(positive(c, v)?)
                    .or_else(|_| err("-R: number of clients too large"))?
            }
            'n' => {
                if o.num_requests.len() == 2 {
                    return err("-n: too many values (at most 2)");
                }
                o.num_requests.push(positive(c, v)?);
            }
            'p' => o.period = Some(seconds(c, v)?),
            'd' => {
                if drop_times == 2 {
                    return err("-d: too many values (at most 2)");
                }
                o.drop_time[drop_times] = seconds(c, v)?;
                drop_times += 1;
            }
            'D' => {
                if o.max_drop.len() == 2 {
                    return err("-D: too many values (at most 2)");
                }
                o.max_drop.push(max_drop(v)?);
            }
            'l' => {
                o.local = Some(match v.parse::<IpAddr>() {
                    Ok(a) => Local::Addr(a),
                    Err(_) if !v.is_empty() => Local::Interface(v.to_string()),
                    Err(_) => return err("-l: empty local address or interface"),
                })
            }
            'b' => base(o, v)?,
            'A' => {
                o.relay_level = match v.parse::<u8>() {
                    Ok(1) => 1,
                    _ => {
                        return err(format!(
                            "-A: only encapsulation level 1 is supported, got '{v}'"
                        ))
                    }
                }
            }
            't' => o.report_interval = Some(Duration::from_secs(positive(c, v)?)),
            'W' => o.exit_wait = Duration::from_micros(number(c, v)?),
            'x' => o.diags.push_str(v),
            'f' => o.renew_rate = number(c, v)?,
            'F' => o.release_rate = number(c, v)?,
            'L' => o.local_port = port(c, v)?,
            'N' => o.remote_port = port(c, v)?,
            's' => o.seed = number(c, v)?,
            'P' => o.preload = number(c, v)?,
            'g' => {
                o.multi_thread = match v {
                    "single" => false,
                    "multi" => true,
                    _ => {
                        return err(format!(
                            "-g: thread mode must be single or multi, got '{v}'"
                        ))
                    }
                }
            }
            _ => return err(format!("unknown option -{c}")),
        }
    }
    if saw4 && saw6 {
        return err("-4 and -6 are mutually exclusive");
    }
    o.family = if saw6 { 6 } else { 4 };
    if o.family == 4 && lease_type_given && o.lease_type != LeaseType::AddressOnly {
        return err("-e prefix-only and -e address-and-prefix need -6");
    }
    if o.family == 6 && o.broadcast_flag {
        return err("-B (broadcast flag) is a DHCPv4 option; use -4");
    }
    if o.family == 4 && o.relay_level > 0 {
        return err("-A (relay encapsulation) is a DHCPv6 option; use -6");
    }
    if (o.renew_rate > 0 || o.release_rate > 0) && o.rate == 0 {
        return err("-f and -F need an exchange rate (-r)");
    }
    if o.renew_rate + o.release_rate > o.rate && o.rate > 0 {
        return err("-f plus -F must not exceed the exchange rate (-r)");
    }
    if o.initial_only && (o.release_rate > 0 || drop_times > 0 || !o.max_drop.is_empty()) {
        return err("-i is incompatible with -F, -d and -D");
    }
    if o.initial_only && o.renew_rate > 0 {
        return err("-i is incompatible with -f: no lease is ever acquired to renew");
    }
    if positional.len() > 1 {
        return err(format!(
            "only one server argument expected, got: {}",
            positional.join(" ")
        ));
    }
    o.server = match positional.first().map(String::as_str) {
        Some("all") if o.family == 6 => Server::AllAgents,
        Some("servers") if o.family == 6 => Server::AllServers,
        Some(s) => match s.parse::<IpAddr>() {
            Ok(a) if a.is_ipv4() == (o.family == 4) => Server::Addr(a),
            Ok(a) => return err(format!("server address {a} does not match -{}", o.family)),
            Err(_) => return err(format!("invalid server address '{s}'")),
        },
        None => match (&o.local, o.family) {
            (Some(Local::Interface(_)), 6) => Server::AllAgents,
            (Some(Local::Interface(_)), _) => Server::Broadcast,
            _ => return err("server is required unless -l names an interface"),
        },
    };
    Ok(())
}

fn number(c: char, v: &str) -> Result<u64, CliError> {
    v.trim()
        .parse::<u64>()
        .or_else(|_| err(format!("-{c}: expected a non-negative integer, got '{v}'")))
}

fn positive(c: char, v: &str) -> Result<u64, CliError> {
    match number(c, v)? {
        0 => err(format!("-{c}: must be a positive integer")),
        n => Ok(n),
    }
}

fn port(c: char, v: &str) -> Result<u16, CliError> {
    u16::try_from(number(c, v)?).or_else(|_| err(format!("-{c}: port must be 0..65535")))
}

fn seconds(c: char, v: &str) -> Result<Duration, CliError> {
    match v.trim().parse::<f64>() {
        Ok(s) if s > 0.0 && s.is_finite() => Ok(Duration::from_secs_f64(s)),
        _ => err(format!(
            "-{c}: expected a positive number of seconds, got '{v}'"
        )),
    }
}

fn max_drop(v: &str) -> Result<MaxDrop, CliError> {
    if let Some(p) = v.strip_suffix('%') {
        match p.trim().parse::<f64>() {
            Ok(p) if p > 0.0 && p <= 100.0 => Ok(MaxDrop::Percent(p)),
            _ => err(format!("-D: invalid percentage '{v}'")),
        }
    } else {
        // The man page mentions `-D 0`, but perfdhcp 2.2 refuses it.
        positive('D', v).map(MaxDrop::Count)
    }
}

fn base(o: &mut Options, v: &str) -> Result<(), CliError> {
    let (kind, value) = v
        .split_once('=')
        .ok_or_else(|| CliError(format!("-b: expected mac=... or duid=..., got '{v}'")))?;
    match kind.to_ascii_lowercase().as_str() {
        "mac" | "ether" => {
            // perfdhcp accepts single or double colons between octets.
            let octets: Vec<&str> = value.split(':').filter(|s| !s.is_empty()).collect();
            let mut mac = [0u8; 6];
            if octets.len() != 6 {
                return err(format!(
                    "-b: MAC address must have six octets, got '{value}'"
                ));
            }
            for (m, s) in mac.iter_mut().zip(&octets) {
                *m = u8::from_str_radix(s, 16)
                    .ok()
                    .filter(|_| s.len() <= 2)
                    .ok_or_else(|| CliError(format!("-b: invalid MAC address '{value}'")))?;
            }
            o.mac_base = mac;
        }
        "duid" => {
            if value.len() % 2 != 0 || value.len() < 12 || value.len() > 128 {
                return err(format!(
                    "-b: DUID must be 6 to 64 octets of hex, got '{value}'"
                ));
            }
            let bytes: Option<Vec<u8>> = (0..value.len())
                .step_by(2)
                .map(|i| u8::from_str_radix(value.get(i..i + 2)?, 16).ok())
                .collect();
            o.duid_base =
                Some(bytes.ok_or_else(|| CliError(format!("-b: invalid DUID '{value}'")))?);
        }
        _ => {
            return err(format!(
                "-b: unknown base type '{kind}' (mac, ether or duid)"
            ))
        }
    }
    Ok(())
}

/// The usage text printed by `-h` and after a command-line error.
pub const USAGE: &str = "\
xdhcp-perf [-4 | -6] [-A encapsulation-level] [-b base] [-B] [-d drop-time]
           [-D max-drop] [-e lease-type] [-f renew-rate] [-F release-rate]
           [-g thread-mode] [-h] [-i] [-l local-address|interface]
           [-L local-port] [-n num-request] [-N remote-port] [-p test-period]
           [-P preload]
           [-r rate] [-R num-clients] [-s seed] [--scenario basic]
           [-t report] [-v] [-W exit-wait-time] [-x diagnostic-selector]
           [--json] [--xdp] [server]

A perfdhcp-compatible DHCP load generator: the options mean what they mean
to Kea's perfdhcp (see perfdhcp(8)). v4 traffic is sent as a relay from
port 67 with giaddr set to the local address (broadcast out of -l IFACE when
no server is given); v6 traffic is sent directly from port 546, or as
RELAY-FORW from port 547 with -A 1. -x accepts perfdhcp's letters; 'a' and
'e' print the options and the exit reason, the others are ignored.

--json prints the final report as one JSON object.
--xdp (with -l IFACE, as root) simulates directly connected clients
instead: each request leaves IFACE as a frame from its client's own MAC (v4:
broadcast from 0.0.0.0; v6: from the link-local address derived from the
MAC to ff02::1:2), and replies are taken off the interface by an XDP program
into AF_XDP sockets, so the generator's kernel path is a copy per frame.
One thread and one socket per receive queue of IFACE, each with its own
slice of the clients (-R) and share of the rates (-r -f -F) and -n/-P.
Exit status: 0 success, 1 error (including command-line errors, as
perfdhcp 2.2 does), 3 when one or more exchanges did not complete.
";
