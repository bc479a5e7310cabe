//! `xdhcp start|stop|status|reload`: keactrl's job for xdhcp. The server
//! runs in the background with its pid file and output in the run
//! directory (`--run-dir`, else `XDHCP_RUN_DIR`, else `/run/xdhcp`, which
//! the server is given too); its log goes where the configuration's
//! `loggers` say.

use std::fs::OpenOptions;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Name of the server binary, found next to `xdhcp` or on the PATH.
const SERVER: &str = "xdhcp-controlplane";
/// How long `start` waits for the server to serve.
const START_WAIT: Duration = Duration::from_secs(30);

/// Files of one installation's run directory.
pub struct RunDir {
    dir: PathBuf,
}

/// A running server.
struct Running {
    pid: i32,
    config: Option<PathBuf>,
}

impl RunDir {
    /// The run directory `dir`.
    pub fn new(dir: PathBuf) -> RunDir {
        RunDir { dir }
    }

    fn pid_file(&self) -> PathBuf {
        self.dir.join("xdhcp.pid")
    }

    /// The server's standard output and error (what its `stdout` and
    /// `stderr` loggers write, and anything printed before logging starts).
    fn output(&self) -> PathBuf {
        self.dir.join("xdhcp.out")
    }

    /// The configuration file last started, for `status` when stopped.
    fn last_config(&self) -> PathBuf {
        self.dir.join("xdhcp.config")
    }

    /// The server the pid file names, if it is alive and is ours.
    fn running(&self) -> Option<Running> {
        let pid: i32 = std::fs::read_to_string(self.pid_file())
            .ok()?
            .trim()
            .parse()
            .ok()?;
        alive_server(pid).then(|| Running {
            pid,
            config: config_of(pid),
        })
    }
}

/// True when `pid` is a live (not zombie) xdhcp-controlplane: a pid file
/// left behind by a crash may name a process that is now something else.
fn alive_server(pid: i32) -> bool {
    let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
        return false;
    };
    // The state follows the parenthesised command name.
    let zombie = stat
        .rsplit_once(") ")
        .is_some_and(|(_, rest)| rest.starts_with('Z') || rest.starts_with('X'));
    let exe = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
    let argv0 = exe.split(|&b| b == 0).next().unwrap_or_default();
    !zombie && argv0.ends_with(SERVER.as_bytes())
}

/// The `-c FILE` a server process was started with.
fn config_of(pid: i32) -> Option<PathBuf> {
    let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).ok()?;
    let args: Vec<&[u8]> = cmdline.split(|&b| b == 0).collect();
    let i = args.iter().position(|a| *a == b"-c")?;
    let file = String::from_utf8_lossy(args.get(i + 1)?).into_owned();
    Some(PathBuf::from(file))
}

/// Where the server binary is: beside this one, else on the PATH.
fn server_binary() -> PathBuf {
    std::env::current_exe()
        .ok()
        .and_then(|me| me.parent().map(|d| d.join(SERVER)))
        .filter(|p| p.exists())
        .unwrap_or_else(|| PathBuf::from(SERVER))
}

/// `xdhcp start -c FILE`.
pub fn start(run: &RunDir, config: &Path) -> Result<(), String> {
    if let Some(r) = run.running() {
        return Err(format!(
            "xdhcp is already running (pid {}, configuration {})",
            r.pid,
            r.config
                .map_or("unknown".into(), |c| c.display().to_string())
        ));
    }
    let config = std::fs::canonicalize(config)
        .map_err(|e| format!("configuration file {}: {e}", config.display()))?;
    xdhcp_controlplane::check_file(&config)?;
    std::fs::create_dir_all(&run.dir)
        .map_err(|e| format!("run directory {}: {e}", run.dir.display()))?;
    let pid_file = run.pid_file();
    let _ = std::fs::remove_file(&pid_file);
    std::fs::write(run.last_config(), config.to_string_lossy().as_bytes())
        .map_err(|e| format!("{}: {e}", run.last_config().display()))?;
    let out = OpenOptions::new()
        .create(true)
        .append(true)
        .open(run.output())
        .map_err(|e| format!("{}: {e}", run.output().display()))?;
    let err = out.try_clone().map_err(|e| e.to_string())?;
    let mut command = Command::new(server_binary());
    command
        .arg("-c")
        .arg(&config)
        .arg("--pid-file")
        .arg(&pid_file)
        .env(xdhcp_dataplane::io::capture::RUN_DIR_ENV, &run.dir)
        .stdin(Stdio::null())
        .stdout(out)
        .stderr(err);
    // SAFETY: setsid is async-signal-safe; it detaches the server from our
    // session so it outlives this command and the terminal.
    unsafe {
        command.pre_exec(|| {
            libc::setsid();
            Ok(())
        });
    }
    let mut child = command
        .spawn()
        .map_err(|e| format!("starting {SERVER}: {e}"))?;
    let began = Instant::now();
    loop {
        if let Some(status) = child.try_wait().map_err(|e| e.to_string())? {
            return Err(format!(
                "{SERVER} exited during start-up ({status}); its last output ({}):\n{}",
                run.output().display(),
                tail(&run.output(), 20)
            ));
        }
        let written = std::fs::read_to_string(&pid_file).ok();
        if written.is_some_and(|p| p.trim() == child.id().to_string()) {
            println!(
                "xdhcp started: {SERVER} pid {}, configuration {}",
                child.id(),
                config.display()
            );
            return Ok(());
        }
        if began.elapsed() > START_WAIT {
            return Err(format!(
                "{SERVER} (pid {}) did not finish starting within {} s; see {}",
                child.id(),
                START_WAIT.as_secs(),
                run.output().display()
            ));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The last `lines` lines of a file.
fn tail(path: &Path, lines: usize) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

/// `xdhcp stop`: SIGTERM, then wait up to `wait` for the process to go.
pub fn stop(run: &RunDir, wait: Duration) -> Result<(), String> {
    let Some(r) = run.running() else {
        let _ = std::fs::remove_file(run.pid_file());
        println!("{SERVER} isn't running.");
        return Ok(());
    };
    signal(r.pid, libc::SIGTERM)?;
    let began = Instant::now();
    while alive_server(r.pid) {
        if began.elapsed() > wait {
            return Err(format!(
                "{SERVER} (pid {}) still runs {} s after SIGTERM",
                r.pid,
                wait.as_secs()
            ));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = std::fs::remove_file(run.pid_file());
    println!("Stopped {SERVER} (pid {}).", r.pid);
    Ok(())
}

/// `xdhcp reload`: SIGHUP makes the server read its configuration again.
pub fn reload(run: &RunDir) -> Result<(), String> {
    let Some(r) = run.running() else {
        return Err(format!("{SERVER} isn't running: nothing to reload"));
    };
    signal(r.pid, libc::SIGHUP)?;
    println!(
        "Sent SIGHUP to {SERVER} (pid {}): it reloads {}",
        r.pid,
        r.config
            .map_or("its configuration".into(), |c| c.display().to_string())
    );
    Ok(())
}

fn signal(pid: i32, sig: libc::c_int) -> Result<(), String> {
    // SAFETY: a signal to the server process the pid file names, checked
    // to be xdhcp-controlplane just before.
    if unsafe { libc::kill(pid, sig) } != 0 {
        return Err(format!(
            "signalling pid {pid}: {}",
            std::io::Error::last_os_error()
        ));
    }
    Ok(())
}

/// `xdhcp status`, in keactrl's shape: which servers run, the pid, and
/// the configuration file.
pub fn status(run: &RunDir) -> String {
    let running = run.running();
    let config = running.as_ref().and_then(|r| r.config.clone()).or_else(|| {
        std::fs::read_to_string(run.last_config())
            .ok()
            .map(PathBuf::from)
    });
    // Which sections the file holds; unreadable means both may be served.
    let sections = config
        .as_ref()
        .and_then(|c| xdhcp_controlplane::json::parse_file(c).ok());
    let holds = |name: &str| sections.as_ref().is_none_or(|v| v.get(name).is_some());
    let mut out = String::new();
    for (label, section) in [("DHCPv4 server", "Dhcp4"), ("DHCPv6 server", "Dhcp6")] {
        let state = match &running {
            Some(r) if holds(section) => format!("active (pid {})", r.pid),
            _ => "inactive".to_string(),
        };
        out.push_str(&format!("{label}: {state}\n"));
    }
    out.push_str(&format!(
        "xdhcp configuration file: {}\n",
        config.map_or("(never started)".into(), |c| c.display().to_string())
    ));
    out.push_str(&format!("xdhcp run directory: {}\n", run.dir.display()));
    out
}
