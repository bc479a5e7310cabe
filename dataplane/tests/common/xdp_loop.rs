//! The serving loop of the AF_XDP lab tests, run on the test thread: a
//! batch at a time until the client under test exits.

use std::process::{Child, Output};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use xdhcp_dataplane::io::xdp::XdpSocket;

/// Answers frames on `socket` with `answer` (request, reply buffer, now)
/// until `client` exits or `limit` passes, then stops the client and
/// returns its output.
pub fn serve_until(
    socket: &mut XdpSocket,
    mut client: Child,
    limit: Duration,
    mut answer: impl FnMut(&[u8], &mut [u8], u32) -> Option<usize>,
) -> Output {
    let deadline = Instant::now() + limit;
    while client.try_wait().unwrap().is_none() && Instant::now() < deadline {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs() as u32;
        if socket.process(|rx, tx| answer(rx, tx, now)) == 0 {
            socket.wait(5);
        }
    }
    let _ = client.kill();
    client.wait_with_output().unwrap()
}
