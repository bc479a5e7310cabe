//! The local channel between the control plane and the dataplane: a UNIX
//! stream socket, owner-only, one request per connection, of four kinds.
//!
//! - A snapshot: one byte, `S`, with the sealed snapshot memory file
//!   attached (`SCM_RIGHTS`, so no copy of the archive crosses the socket
//!   and nothing touches a disk); the dataplane maps it, applies it and
//!   answers one line: `ok`, or `error: ` and why.
//! - A command: `C`, then a control API request as JSON until the
//!   control plane shuts its side; the dataplane answers with Kea's
//!   answer as JSON. The lease commands travel this way, since the leases
//!   live in the dataplane.
//! - A reading: `R`, then which [`Part`] as JSON; the dataplane answers
//!   with a [`Reading`] of its counters as JSON, which the control plane's
//!   statistic commands and `/metrics` show.
//! - A status: `?`; the dataplane answers `serving`, or `waiting` while it
//!   waits for its first snapshot (it started anew and needs the control
//!   plane's configuration again).

use std::fs::File;
use std::io::{self, BufRead, BufReader, IoSlice, IoSliceMut, Read, Write};
use std::net::Shutdown;
use std::os::fd::{AsRawFd, FromRawFd, RawFd};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::Path;
use std::time::Duration;

use nix::sys::socket::{recvmsg, sendmsg, ControlMessage, ControlMessageOwned, MsgFlags};

use super::answer::MAX_REQUEST;
use super::statistics::{Part, Reading};

/// The first byte of a snapshot hand-over (the file is attached to it).
const SNAPSHOT: u8 = b'S';
/// The first byte of a command.
const COMMAND: u8 = b'C';
/// The first byte of a reading of the counters.
const READ: u8 = b'R';
/// The one byte of a status question.
const STATUS: u8 = b'?';

/// What a connection asks of the dataplane.
#[derive(Debug)]
pub enum Request {
    /// Serve this snapshot.
    Snapshot(File),
    /// Answer this control API request (JSON text).
    Command(String),
    /// Answer with a reading of this part of the counters.
    Read(Part),
    /// Say whether a snapshot is being served.
    Status,
}
/// How long either side waits for the other.
const TIMEOUT: Duration = Duration::from_secs(30);

/// Listens at `path` (a stale socket file there is replaced), readable
/// and writable by the owner only.
pub fn listen(path: &Path) -> io::Result<UnixListener> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
        _ => {}
    }
    let listener = UnixListener::bind(path)?;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))?;
    Ok(listener)
}

/// Reads what a connection asks.
pub fn receive(stream: &UnixStream) -> io::Result<Request> {
    stream.set_read_timeout(Some(TIMEOUT))?;
    let mut byte = [0u8; 1];
    let mut iov = [IoSliceMut::new(&mut byte)];
    let mut space = nix::cmsg_space!([RawFd; 1]);
    let msg = recvmsg::<()>(
        stream.as_raw_fd(),
        &mut iov,
        Some(&mut space),
        MsgFlags::MSG_CMSG_CLOEXEC,
    )?;
    let mut file = None;
    for c in msg.cmsgs()? {
        if let ControlMessageOwned::ScmRights(fds) = c {
            for fd in fds {
                // SAFETY: the kernel just installed `fd` in this process
                // for this message; nothing else owns it.
                let f = unsafe { File::from_raw_fd(fd) };
                file.get_or_insert(f);
            }
        }
    }
    let bad = |what: &str| io::Error::new(io::ErrorKind::InvalidData, what.to_string());
    match (msg.bytes, byte[0], file) {
        (1, SNAPSHOT, Some(f)) => Ok(Request::Snapshot(f)),
        (1, STATUS, None) => Ok(Request::Status),
        (1, COMMAND | READ, None) => {
            let mut text = String::new();
            let limit = (MAX_REQUEST + 1) as u64;
            stream.take(limit).read_to_string(&mut text)?;
            if text.len() > MAX_REQUEST {
                return Err(bad("request larger than the request limit"));
            }
            if byte[0] == COMMAND {
                return Ok(Request::Command(text));
            }
            let part = serde_json::from_str(&text).map_err(|e| bad(&format!("reading: {e}")))?;
            Ok(Request::Read(part))
        }
        _ => Err(bad("expected a snapshot, a command, a reading or a status")),
    }
}

/// Sends the control API request `request` (JSON text) to the dataplane
/// listening at `path` and returns its answer (JSON text).
pub fn ask(path: &Path, request: &str) -> Result<String, String> {
    exchange(path, COMMAND, request)
}

/// Reads `part` of the counters of the dataplane listening at `path`.
pub fn read(path: &Path, part: Part) -> Result<Reading, String> {
    let asked = serde_json::to_string(&part).map_err(|e| e.to_string())?;
    let text = exchange(path, READ, &asked)?;
    if let Some(why) = text.trim_end().strip_prefix("error: ") {
        return Err(failure(path, why));
    }
    serde_json::from_str(&text).map_err(|e| {
        let got: String = text.chars().take(200).collect();
        format!("the dataplane's reading is not one: {e}: {got}")
    })
}

/// Whether the dataplane listening at `path` serves a snapshot (`false`:
/// it waits for its first one).
pub fn serving(path: &Path) -> Result<bool, String> {
    let said = exchange(path, STATUS, "")?;
    match said.trim_end() {
        "serving" => Ok(true),
        "waiting" => Ok(false),
        other => Err(failure(path, format!("unexpected status {other:?}"))),
    }
}

/// Answers a status question: `serving`, or `waiting` for a first snapshot.
pub fn answer_status(mut stream: &UnixStream, serving: bool) -> io::Result<()> {
    stream.write_all(if serving { b"serving\n" } else { b"waiting\n" })
}

/// What went wrong on the channel at `path`, as the control plane says it.
fn failure(path: &Path, what: impl std::fmt::Display) -> String {
    format!("dataplane channel {}: {what}", path.display())
}

/// A connection to the dataplane at `path`, waiting at most [`TIMEOUT`]
/// for its answers.
fn connect(path: &Path) -> Result<UnixStream, String> {
    let stream = UnixStream::connect(path).map_err(|e| failure(path, e))?;
    stream
        .set_read_timeout(Some(TIMEOUT))
        .map_err(|e| failure(path, e))?;
    Ok(stream)
}

/// Sends `kind` and `body` to the dataplane at `path`, returns its answer.
fn exchange(path: &Path, kind: u8, body: &str) -> Result<String, String> {
    let failed = |e: io::Error| failure(path, e);
    let mut stream = connect(path)?;
    stream.write_all(&[kind]).map_err(failed)?;
    stream.write_all(body.as_bytes()).map_err(failed)?;
    stream.shutdown(Shutdown::Write).map_err(failed)?;
    let mut answer = String::new();
    stream.read_to_string(&mut answer).map_err(failed)?;
    Ok(answer)
}

/// Answers a snapshot hand-over: `Ok` as `ok`, an error as `error: ` and
/// its text.
pub fn answer(mut stream: &UnixStream, outcome: &Result<(), String>) -> io::Result<()> {
    match outcome {
        Ok(()) => stream.write_all(b"ok\n"),
        Err(e) => writeln!(stream, "error: {}", e.replace('\n', " ")),
    }
}

/// Hands the snapshot in `file` to the dataplane listening at `path` and
/// returns once it has applied it; its refusal comes back as the error.
pub fn hand_over(path: &Path, file: &File) -> Result<(), String> {
    let failed = |e: io::Error| failure(path, e);
    let stream = connect(path)?;
    let fds = [file.as_raw_fd()];
    sendmsg::<()>(
        stream.as_raw_fd(),
        &[IoSlice::new(&[SNAPSHOT])],
        &[ControlMessage::ScmRights(&fds)],
        MsgFlags::empty(),
        None,
    )
    .map_err(|e| failed(e.into()))?;
    let mut line = String::new();
    BufReader::new(&stream)
        .read_line(&mut line)
        .map_err(failed)?;
    match line.trim_end().strip_prefix("error: ") {
        None if line.trim_end() == "ok" => Ok(()),
        None => Err(failure(path, format!("unexpected answer {line:?}"))),
        Some(why) => Err(format!("the dataplane refused the configuration: {why}")),
    }
}
