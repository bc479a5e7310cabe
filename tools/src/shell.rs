//! `xdhcp shell`: kea-shell's job with kea-shell's switches. One command,
//! its optional arguments read from standard input (the inside of the
//! `arguments` map, as kea-shell takes them, or a whole JSON object), sent
//! over HTTP, or HTTPS with `--ca` (and `--cert`/`--key` for a client
//! certificate), to a control agent or xdhcp's HTTP control socket, or over
//! a UNIX control socket (`--socket`); the answer is pretty-printed.

use std::io::{IsTerminal, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::time::Duration;

use base64::Engine as _;
use serde_json::{json, Map, Value};
use xdhcp_controlplane::api::tls;

/// kea-shell's switches, plus `--socket`.
#[derive(clap::Args, Debug)]
pub struct ShellArgs {
    /// Hostname of the CA (or xdhcp HTTP control socket) to connect to.
    #[arg(long, default_value = "127.0.0.1")]
    pub host: String,
    /// TCP port to connect to.
    #[arg(long, default_value_t = 8000)]
    pub port: u16,
    /// Path of the URL to connect to.
    #[arg(long, default_value = "")]
    pub path: String,
    /// File or directory name of the CA; given, the connection is HTTPS.
    #[arg(long, default_value = "")]
    pub ca: String,
    /// File name of the client certificate.
    #[arg(long, default_value = "")]
    pub cert: String,
    /// File name of the client private key.
    #[arg(long, default_value = "")]
    pub key: String,
    /// Timeout (in seconds) when attempting to connect.
    #[arg(long, default_value_t = 10)]
    pub timeout: u64,
    /// Target service (repeatable); without it the agent itself answers.
    #[arg(long, num_args = 0..=1)]
    pub service: Vec<String>,
    /// Basic HTTP authentication user.
    #[arg(long = "auth-user", default_value = "")]
    pub auth_user: String,
    /// Basic HTTP authentication password.
    #[arg(long = "auth-password", default_value = "")]
    pub auth_password: String,
    /// Send over this UNIX control socket instead of HTTP.
    #[arg(long, value_name = "PATH")]
    pub socket: Option<PathBuf>,
    /// Print the version.
    #[arg(short = 'v')]
    pub version: bool,
    /// Command to execute.
    #[arg(default_value = "list-commands")]
    pub command: String,
}

/// Runs the command and prints the answer.
pub fn run(args: &ShellArgs) -> Result<(), String> {
    if args.version {
        println!("{}", env!("CARGO_PKG_VERSION"));
        return Ok(());
    }
    // kea-shell's own checks, in its words.
    if args.cert.is_empty() != args.key.is_empty() {
        return Err("--cert and --key must be used together".into());
    }
    if !args.cert.is_empty() && args.ca.is_empty() {
        return Err("--cert and --key with HTTPS disabled (no --ca)".into());
    }
    let stdin = std::io::stdin();
    let mut input = String::new();
    if !stdin.is_terminal() {
        stdin
            .lock()
            .read_to_string(&mut input)
            .map_err(|e| format!("reading arguments from standard input: {e}"))?;
    }
    let request = request(args, &input)?;
    let answer = match &args.socket {
        Some(path) => unix(path, &request, args.timeout)?,
        None => http(args, &request)?,
    };
    let pretty = serde_json::from_str::<Value>(&answer)
        .ok()
        .and_then(|v| serde_json::to_string_pretty(&v).ok())
        .unwrap_or(answer);
    println!("{pretty}");
    Ok(())
}

/// The command object: kea-shell's body, with the arguments given.
pub fn request(args: &ShellArgs, input: &str) -> Result<String, String> {
    let mut body = Map::new();
    body.insert("command".into(), json!(args.command));
    let services: Vec<&String> = args.service.iter().filter(|s| !s.is_empty()).collect();
    if !services.is_empty() && args.socket.is_none() {
        body.insert("service".into(), json!(services));
    }
    let input = input.trim();
    if !input.is_empty() {
        // kea-shell wraps its input in braces; a whole object works too.
        let text = if input.starts_with('{') {
            input.to_string()
        } else {
            format!("{{ {input} }}")
        };
        let arguments: Value = serde_json::from_str(&text)
            .map_err(|e| format!("the arguments on standard input are not JSON: {e}"))?;
        body.insert("arguments".into(), arguments);
    }
    Ok(Value::Object(body).to_string())
}

/// One request over a UNIX control socket; the answer is read to EOF.
pub fn unix(path: &Path, request: &str, timeout: u64) -> Result<String, String> {
    let failed = |e: std::io::Error| format!("Failed to run: {}: {e}", path.display());
    let mut s = UnixStream::connect(path).map_err(failed)?;
    s.set_read_timeout(Some(Duration::from_secs(timeout)))
        .map_err(failed)?;
    s.write_all(request.as_bytes()).map_err(failed)?;
    let mut answer = String::new();
    s.read_to_string(&mut answer).map_err(failed)?;
    Ok(answer)
}

/// One POST as kea-shell sends it; the body of a 2xx answer.
fn http(args: &ShellArgs, request: &str) -> Result<String, String> {
    let failed = |e: &dyn std::fmt::Display| format!("Failed to run: {e}");
    let timeout = Duration::from_secs(args.timeout);
    let addr = (args.host.as_str(), args.port)
        .to_socket_addrs()
        .map_err(|e| failed(&e))?
        .next()
        .ok_or_else(|| failed(&format!("{} has no address", args.host)))?;
    let tcp = TcpStream::connect_timeout(&addr, timeout).map_err(|e| failed(&e))?;
    tcp.set_read_timeout(Some(timeout))
        .map_err(|e| failed(&e))?;
    let mut s: Box<dyn Stream> = if args.ca.is_empty() {
        Box::new(tcp)
    } else {
        let client = (!args.cert.is_empty()).then_some((args.cert.as_str(), args.key.as_str()));
        Box::new(tls::connect(tcp, &args.host, &args.ca, client).map_err(|e| failed(&e))?)
    };
    let mut head = format!(
        "POST /{} HTTP/1.1\r\nHost: {}:{}\r\nUser-Agent: xdhcp-shell/{}\r\n\
         Accept: */*\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\
         Connection: close\r\n",
        args.path.trim_start_matches('/'),
        args.host,
        args.port,
        env!("CARGO_PKG_VERSION"),
        request.len()
    );
    if !args.auth_user.is_empty() {
        let secret = format!("{}:{}", args.auth_user, args.auth_password);
        let encoded = base64::engine::general_purpose::STANDARD.encode(secret);
        head.push_str(&format!("Authorization: Basic {encoded}\r\n"));
    }
    head.push_str("\r\n");
    s.write_all(head.as_bytes())
        .and_then(|()| s.write_all(request.as_bytes()))
        .map_err(|e| failed(&e))?;
    let response = read_response(&mut *s).map_err(|e| failed(&e))?;
    let (status, body) =
        parse_response(&response).ok_or_else(|| failed(&"malformed HTTP answer"))?;
    if !(200..300).contains(&status.0) {
        return Err(failed(&format!("HTTP Error {}: {}", status.0, status.1)));
    }
    Ok(body)
}

/// A connection to the agent: plain TCP or TLS over it.
trait Stream: Read + Write {}

impl<T: Read + Write> Stream for T {}

/// Reads until the headers' Content-Length is satisfied or the peer closes.
fn read_response(s: &mut dyn Stream) -> std::io::Result<Vec<u8>> {
    let mut data = Vec::new();
    let mut buf = [0u8; 8192];
    loop {
        let n = s.read(&mut buf)?;
        if n == 0 {
            return Ok(data);
        }
        data.extend_from_slice(&buf[..n]);
        if let Some(end) = find(&data, b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&data[..end]).to_ascii_lowercase();
            let length = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse::<usize>().ok());
            if length.is_some_and(|len| data.len() >= end + 4 + len) {
                return Ok(data);
            }
        }
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// The status line's code and reason, and the body.
fn parse_response(data: &[u8]) -> Option<((u16, String), String)> {
    let end = find(data, b"\r\n\r\n")?;
    let head = String::from_utf8_lossy(&data[..end]);
    let mut status = head.lines().next()?.splitn(3, ' ').skip(1);
    let code = status.next()?.parse().ok()?;
    let reason = status.next().unwrap_or("").to_string();
    let body = String::from_utf8_lossy(&data[end + 4..]).into_owned();
    Some(((code, reason), body))
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        shell: ShellArgs,
    }

    #[test]
    fn builds_kea_shells_request() {
        let cli = Cli::parse_from(["x", "--service", "dhcp4", "lease4-get"]);
        assert_eq!(
            request(&cli.shell, "\"ip-address\": \"192.0.2.1\"\n").unwrap(),
            r#"{"arguments":{"ip-address":"192.0.2.1"},"command":"lease4-get","service":["dhcp4"]}"#
        );
        let cli = Cli::parse_from(["x"]);
        assert_eq!(
            request(&cli.shell, "").unwrap(),
            r#"{"command":"list-commands"}"#
        );
        assert!(request(&cli.shell, "not json").is_err());
    }
}
