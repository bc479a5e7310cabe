//! Kea's `control-socket` of type `unix`: one request per connection, the
//! answer written back, then the connection closed (what socat and
//! kea-shell's UNIX mode expect).

use std::io::{Read, Write};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use super::{answer, result, Api, MAX_REQUEST};

/// Serves `api` on a UNIX socket at `path` until the API's stop flag is set.
/// The socket file is created owner-only and removed on return.
pub fn serve(path: &Path, api: Arc<Api>) -> std::io::Result<JoinHandle<()>> {
    let _ = std::fs::remove_file(path);
    let listener = UnixListener::bind(path)?;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))?;
    listener.set_nonblocking(true)?;
    let path: PathBuf = path.to_path_buf();
    Ok(std::thread::spawn(move || {
        while !api.stop.load(std::sync::atomic::Ordering::Relaxed) {
            match listener.accept() {
                Ok((stream, _)) => {
                    let _ = one(&api, stream);
                }
                Err(_) => std::thread::sleep(Duration::from_millis(20)),
            }
        }
        let _ = std::fs::remove_file(&path);
    }))
}

/// Reads one request (until it parses as JSON, or the client closes its
/// side), answers it and closes.
fn one(api: &Api, mut stream: UnixStream) -> std::io::Result<()> {
    stream.set_nonblocking(false)?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut request = Vec::new();
    let mut buf = [0u8; 4096];
    let reply = loop {
        let n = stream.read(&mut buf)?;
        request.extend_from_slice(&buf[..n]);
        if request.len() > MAX_REQUEST {
            break answer(
                result::ERROR,
                format!("request larger than {MAX_REQUEST} bytes"),
            );
        }
        let complete = serde_json::from_slice::<serde_json::Value>(&request).is_ok();
        if n == 0 || complete {
            break api.handle(&request);
        }
    };
    stream.write_all(reply.to_string().as_bytes())?;
    stream.flush()
}
