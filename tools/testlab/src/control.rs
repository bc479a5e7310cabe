//! The control API over a UNIX socket, as socat drives it.

use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::path::Path;

/// Sends one command to the server's UNIX control socket and returns its
/// answer; panics (failing the test) when the socket or answer is bad.
pub fn control(socket: impl AsRef<Path>, request: &str) -> serde_json::Value {
    let socket = socket.as_ref();
    let mut s = UnixStream::connect(socket)
        .unwrap_or_else(|e| panic!("control socket {}: {e}", socket.display()));
    s.write_all(request.as_bytes()).unwrap();
    let mut answer = String::new();
    s.read_to_string(&mut answer).unwrap();
    serde_json::from_str(&answer).unwrap_or_else(|e| panic!("{e}: {answer}"))
}
