//! `xdhcp capture`: the frames the dataplane receives and sends on one
//! interface, as a pcap file tshark and Wireshark open.
//!
//! XDP hands DHCP frames to AF_XDP before tcpdump's tap, so the workers copy
//! them into a shared-memory ring while this command is attached
//! (`xdhcp_dataplane::io::capture`). The pcap writer is a few lines of the
//! classic format, which needs no crate.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::Path;
use std::time::{Duration, Instant};

use xdhcp_dataplane::io::capture::{self, Frame, Reader, SNAPLEN};

/// When to stop: after `count` frames, after `seconds`, or at SIGINT/SIGTERM.
pub struct Limits {
    /// Frames to write.
    pub count: Option<u64>,
    /// Seconds to capture.
    pub seconds: Option<u64>,
}

/// Captures interface `iface`'s frames into `out` (`-` for standard output).
pub fn run(iface: &str, out: &Path, limits: &Limits) -> Result<(), String> {
    let ring = capture::path(iface);
    let mut reader = Reader::attach(&ring).map_err(|e| match e.kind() {
        io::ErrorKind::NotFound => format!(
            "no capture file {}: is xdhcp serving {iface} over the xdp or raw backend? \
             (set XDHCP_RUN_DIR as the server has it; udp traffic is visible to tcpdump)",
            ring.display()
        ),
        _ => format!("{}: {e}", ring.display()),
    })?;
    let sink: Box<dyn Write> = if out == Path::new("-") {
        Box::new(io::stdout().lock())
    } else {
        Box::new(File::create(out).map_err(|e| format!("{}: {e}", out.display()))?)
    };
    let mut pcap = Pcap::new(BufWriter::new(sink)).map_err(|e| e.to_string())?;
    crate::interrupt::catch();
    eprintln!(
        "xdhcp capture: reading {iface}'s frames from {}",
        ring.display()
    );
    let deadline = limits
        .seconds
        .map(|s| Instant::now() + Duration::from_secs(s));
    let want = limits.count.unwrap_or(u64::MAX);
    let mut written = 0u64;
    let mut failed = None;
    while written < want && !crate::interrupt::interrupted() {
        if deadline.is_some_and(|d| Instant::now() >= d) {
            break;
        }
        let n = reader.drain(|frame| {
            if written < want && failed.is_none() {
                match pcap.write(&frame) {
                    Ok(()) => written += 1,
                    Err(e) => failed = Some(e),
                }
            }
        });
        if let Some(e) = failed {
            return Err(format!("{}: {e}", out.display()));
        }
        if n == 0 {
            std::thread::sleep(Duration::from_millis(5));
        } else {
            // Whole records as they come, so a reader of a growing file
            // (tshark, tail) sees them.
            pcap.flush().map_err(|e| e.to_string())?;
        }
    }
    pcap.flush().map_err(|e| e.to_string())?;
    eprintln!(
        "xdhcp capture: {written} frame(s) written to {}, {} lost to a full ring",
        out.display(),
        reader.lost()
    );
    Ok(())
}

/// The classic pcap format with nanosecond timestamps, Ethernet link type.
struct Pcap<W: Write> {
    out: W,
}

impl<W: Write> Pcap<W> {
    const MAGIC_NANOS: u32 = 0xa1b2_3c4d;
    const LINKTYPE_ETHERNET: u32 = 1;

    fn new(mut out: W) -> io::Result<Pcap<W>> {
        out.write_all(&Self::MAGIC_NANOS.to_le_bytes())?;
        out.write_all(&2u16.to_le_bytes())?;
        out.write_all(&4u16.to_le_bytes())?;
        out.write_all(&[0; 8])?; // time zone and accuracy: unused
        out.write_all(&(SNAPLEN as u32).to_le_bytes())?;
        out.write_all(&Self::LINKTYPE_ETHERNET.to_le_bytes())?;
        Ok(Pcap { out })
    }

    fn write(&mut self, frame: &Frame<'_>) -> io::Result<()> {
        let secs = (frame.time_ns / 1_000_000_000) as u32;
        let nanos = (frame.time_ns % 1_000_000_000) as u32;
        for field in [secs, nanos, frame.data.len() as u32, frame.len] {
            self.out.write_all(&field.to_le_bytes())?;
        }
        self.out.write_all(frame.data)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}
