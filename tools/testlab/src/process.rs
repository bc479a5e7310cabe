//! A server process a test starts in a lab namespace, with its output
//! (stdout and stderr) collected line by line, so the test can wait for a
//! log message and show the whole log when something fails.

use std::io::{BufRead, BufReader, Read};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{channel, Receiver};
use std::time::Duration;

/// A running server, killed when dropped.
pub struct ServerProcess {
    child: Child,
    log: Receiver<String>,
    seen: String,
    /// Kea's pid file directory, this server's own.
    run_dir: PathBuf,
}

/// Servers started by this test process, to name their run directories.
static STARTED: AtomicUsize = AtomicUsize::new(0);

impl ServerProcess {
    /// Spawns `command` and waits (15 s at most) until its output contains
    /// `ready`. Kea takes no lock file, and writes its pid file into a
    /// directory of this server's own: Kea refuses to start over a pid file
    /// whose pid is alive, and a killed Kea leaves its file behind for any
    /// later process to reuse the pid.
    pub fn start(mut command: Command, ready: &str) -> ServerProcess {
        let n = STARTED.fetch_add(1, Ordering::Relaxed);
        let run_dir = std::env::temp_dir().join(format!("xdhcp-server-{}-{n}", std::process::id()));
        std::fs::create_dir_all(&run_dir).expect("creating a server's run directory");
        let mut child = command
            .env("KEA_LOCKFILE_DIR", "none")
            .env("KEA_PIDFILE_DIR", &run_dir)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("{command:?}: {e} (tools/install-deps.sh installs it)"));
        let (tx, log) = channel();
        let outputs: [Box<dyn Read + Send>; 2] = [
            Box::new(child.stdout.take().unwrap()),
            Box::new(child.stderr.take().unwrap()),
        ];
        for out in outputs {
            let tx = tx.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(out).lines().map_while(Result::ok) {
                    let _ = tx.send(line);
                }
            });
        }
        let mut p = ServerProcess {
            child,
            log,
            seen: String::new(),
            run_dir,
        };
        p.wait_for(ready);
        p
    }

    /// Waits (15 s at most) for an output line containing `what`.
    pub fn wait_for(&mut self, what: &str) {
        // Only new lines are searched: a server logging every lease can
        // write hundreds of thousands of them.
        let mut found = self.seen.contains(what);
        while !found {
            match self.log.recv_timeout(Duration::from_secs(15)) {
                Ok(line) => {
                    found = line.contains(what);
                    self.seen.push_str(&line);
                    self.seen.push('\n');
                }
                Err(_) => panic!("no {what} in the server's output:\n{}", self.seen),
            }
        }
    }

    /// Sends `signal` (e.g. SIGHUP) to the server.
    pub fn signal(&self, signal: libc::c_int) {
        // SAFETY: a signal to the process this test started.
        unsafe { libc::kill(self.child.id() as i32, signal) };
    }

    /// The output read so far.
    pub fn output(&self) -> &str {
        &self.seen
    }

    /// Sends SIGTERM, waits for `last` in the output and a clean exit, and
    /// returns the whole output.
    pub fn stop(mut self, last: &str) -> String {
        // SAFETY: a signal to the process this test started.
        unsafe { libc::kill(self.child.id() as i32, libc::SIGTERM) };
        self.wait_for(last);
        assert!(self.child.wait().unwrap().success(), "{}", self.seen);
        std::mem::take(&mut self.seen)
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.run_dir);
    }
}
