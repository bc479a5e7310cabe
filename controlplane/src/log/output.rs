//! Where log lines go: stdout, stderr, syslog, or a file rotated by size
//! as Kea's log4cplus appender does (`name` → `name.1` → `name.2` ...).

use std::ffi::CString;
use std::fs::{File, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::path::PathBuf;

use super::Severity;
use crate::config::logging::OutputOption;

/// Bytes of lines kept for stdout or stderr before they are written anyway.
const BUFFER: usize = 64 * 1024;

/// Kea's smallest `maxsize` that rotates; anything smaller disables it.
pub const MIN_ROTATE_SIZE: u64 = 204_800;

/// One destination. Lines are buffered and written out at the end of each
/// batch the logger thread drains (when `flush` is on, Kea's default) so a
/// burst of lease events costs one write, not one per line.
pub struct Output {
    sink: Sink,
    flush: bool,
}

enum Sink {
    /// Standard output, with the batch's lines.
    Stdout(Vec<u8>),
    /// Standard error, likewise.
    Stderr(Vec<u8>),
    /// syslog with this identity (facility local0, as Kea's default).
    Syslog(CString),
    /// A file.
    File(RotatingFile),
}

impl Output {
    /// Opens the destination an `output_options` entry names.
    pub fn open(o: &OutputOption) -> io::Result<Output> {
        let sink = match o.output.as_str() {
            "stdout" => Sink::Stdout(Vec::new()),
            "stderr" => Sink::Stderr(Vec::new()),
            "syslog" => Sink::Syslog(CString::new("kea").unwrap_or_default()),
            s if s.starts_with("syslog:") => {
                Sink::Syslog(CString::new(&s["syslog:".len()..]).unwrap_or_default())
            }
            path => Sink::File(RotatingFile::open(
                PathBuf::from(path),
                o.maxsize,
                o.maxver,
            )?),
        };
        Ok(Output {
            sink,
            flush: o.flush,
        })
    }

    /// True for syslog, whose default pattern differs.
    pub fn is_syslog(&self) -> bool {
        matches!(self.sink, Sink::Syslog(_))
    }

    /// Writes one rendered line.
    pub fn write(&mut self, severity: Severity, line: &str) -> io::Result<()> {
        match &mut self.sink {
            Sink::Stdout(buf) | Sink::Stderr(buf) => {
                buf.extend_from_slice(line.as_bytes());
                // Unflushed outputs still write out when the buffer fills.
                if buf.len() >= BUFFER {
                    self.flush()?;
                }
                Ok(())
            }
            Sink::Syslog(ident) => {
                let priority = match severity {
                    Severity::Fatal => libc::LOG_CRIT,
                    Severity::Error => libc::LOG_ERR,
                    Severity::Warn => libc::LOG_WARNING,
                    Severity::Info => libc::LOG_INFO,
                    Severity::Debug => libc::LOG_DEBUG,
                };
                let text = CString::new(line.trim_end_matches('\n').replace('\0', " "))
                    .unwrap_or_default();
                // SAFETY: NUL-terminated strings that outlive the calls; the
                // format string consumes exactly one string argument.
                unsafe {
                    libc::openlog(ident.as_ptr(), libc::LOG_PID, libc::LOG_LOCAL0);
                    libc::syslog(priority, c"%s".as_ptr(), text.as_ptr());
                }
                Ok(())
            }
            Sink::File(f) => f.write(line.as_bytes()),
        }
    }

    /// The end of a batch: pushes its lines out when this output flushes.
    pub fn end_batch(&mut self) -> io::Result<()> {
        if self.flush {
            self.flush()
        } else {
            Ok(())
        }
    }

    /// Pushes buffered lines out.
    pub fn flush(&mut self) -> io::Result<()> {
        match &mut self.sink {
            Sink::Stdout(buf) => write_out(&mut io::stdout().lock(), buf),
            Sink::Stderr(buf) => write_out(&mut io::stderr().lock(), buf),
            Sink::Syslog(_) => Ok(()),
            Sink::File(f) => f.file.flush(),
        }
    }
}

/// Writes and empties `buf`.
fn write_out(out: &mut impl Write, buf: &mut Vec<u8>) -> io::Result<()> {
    let written = out.write_all(buf).and_then(|()| out.flush());
    buf.clear();
    written
}

/// A log file that rotates once the next line would take it past `maxsize`.
pub struct RotatingFile {
    path: PathBuf,
    file: BufWriter<File>,
    size: u64,
    maxsize: u64,
    maxver: u32,
}

impl RotatingFile {
    /// Opens (appending to) `path`.
    pub fn open(path: PathBuf, maxsize: u64, maxver: u32) -> io::Result<Self> {
        let file = OpenOptions::new().create(true).append(true).open(&path)?;
        let size = file.metadata()?.len();
        Ok(RotatingFile {
            path,
            file: BufWriter::new(file),
            size,
            maxsize,
            maxver: maxver.max(1),
        })
    }

    fn write(&mut self, line: &[u8]) -> io::Result<()> {
        let len = line.len() as u64;
        if self.maxsize >= MIN_ROTATE_SIZE && self.size > 0 && self.size + len > self.maxsize {
            self.rotate()?;
        }
        self.file.write_all(line)?;
        self.size += len;
        Ok(())
    }

    /// `name.(maxver-1)` → `name.maxver` ... `name` → `name.1`, then a new
    /// `name`; what was `name.maxver` is gone.
    fn rotate(&mut self) -> io::Result<()> {
        self.file.flush()?;
        let numbered = |n: u32| {
            let mut p = self.path.clone().into_os_string();
            p.push(format!(".{n}"));
            PathBuf::from(p)
        };
        for n in (1..self.maxver).rev() {
            let from = numbered(n);
            if from.exists() {
                std::fs::rename(&from, numbered(n + 1))?;
            }
        }
        std::fs::rename(&self.path, numbered(1))?;
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.path)?;
        self.file = BufWriter::new(file);
        self.size = 0;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rotates_at_maxsize_and_keeps_maxver_files() {
        let dir = std::env::temp_dir().join(format!("xdhcp-rotate-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("kea.log");
        let o = OutputOption {
            output: path.to_string_lossy().into_owned(),
            flush: true,
            maxsize: MIN_ROTATE_SIZE,
            maxver: 3,
            pattern: None,
        };
        let mut out = Output::open(&o).unwrap();
        let line = format!("{}\n", "x".repeat(99));
        // 6.5 files' worth: the live file, .1, .2 and .3 remain.
        let lines = 13 * MIN_ROTATE_SIZE as usize / 2 / line.len();
        for _ in 0..lines {
            out.write(Severity::Info, &line).unwrap();
        }
        let mut names: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(names, ["kea.log", "kea.log.1", "kea.log.2", "kea.log.3"]);
        for n in &names[1..] {
            let size = std::fs::metadata(dir.join(n)).unwrap().len();
            assert!(
                size <= MIN_ROTATE_SIZE && size > MIN_ROTATE_SIZE - line.len() as u64,
                "{n}: {size}"
            );
        }
        // Below Kea's minimum, rotation is off.
        let small = OutputOption {
            maxsize: 1000,
            output: dir.join("small.log").to_string_lossy().into_owned(),
            ..o
        };
        let mut out = Output::open(&small).unwrap();
        for _ in 0..100 {
            out.write(Severity::Info, &line).unwrap();
        }
        assert!(!dir.join("small.log.1").exists());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
