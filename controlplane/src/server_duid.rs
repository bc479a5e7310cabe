//! The DHCPv6 server identifier, made as Kea's manual describes ("Server
//! Identifier in DHCPv6"): from `server-id` (DUID-LLT by default), with the
//! parts the configuration leaves out (`htype` 0, `time` 0, `identifier` "",
//! `enterprise-id` 0) taken from the DUID the server used before, and kept
//! in `<data-directory>/kea-dhcp6-serverid` so clients see the same server
//! across restarts.

use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use xdhcp_dataplane::lease::ident::{parse_hex, Hex};
use xdhcp_dataplane::wire::v6::{Duid, DUID_EN, DUID_LL, DUID_LLT};

use crate::config::services::ServerId;

/// The file Kea keeps the DUID in, inside the data directory.
pub const FILE_NAME: &str = "kea-dhcp6-serverid";
/// The data directory when `data-directory` is not configured.
pub const DEFAULT_DATA_DIR: &str = "/var/lib/xdhcp";

/// ISC's enterprise number, for a DUID-EN without one.
pub const ISC_ENTERPRISE: u32 = 2495;
/// Hardware type of Ethernet.
const HTYPE_ETHERNET: u16 = 1;
/// DUID-LLT time counts from 2000-01-01 00:00:00 UTC (RFC 8415 §11.2).
const DUID_EPOCH: u64 = 946_684_800;

/// A DUID of type `duid_type`: the type, then `parts` in order.
fn duid(duid_type: u16, parts: &[&[u8]]) -> Vec<u8> {
    let mut out = duid_type.to_be_bytes().to_vec();
    parts.iter().for_each(|p| out.extend_from_slice(p));
    out
}

/// A DUID-EN (RFC 8415 §11.3).
pub fn duid_en(enterprise: u32, identifier: &[u8]) -> Vec<u8> {
    duid(DUID_EN, &[&enterprise.to_be_bytes(), identifier])
}

/// Where the DUID file of a server with `data-directory` `dir` lives.
pub fn file(data_directory: Option<&str>) -> PathBuf {
    Path::new(data_directory.unwrap_or(DEFAULT_DATA_DIR)).join(FILE_NAME)
}

/// What [`resolve`] did, for the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// The DUID in the file was used as it is.
    Kept,
    /// A new DUID was made and written to the file.
    Stored,
    /// A DUID was made and, as `persist: false` asks, not written.
    NotPersisted,
}

/// The server DUID for `config` (`None`: Kea's default, a DUID-LLT), given
/// the DUID file `path`, the MAC of a served interface (for the link-layer
/// part) and the time. Writes the file when the DUID changes and `persist`
/// allows it.
pub fn resolve(
    config: Option<&ServerId>,
    path: &Path,
    mac: Option<[u8; 6]>,
    now: SystemTime,
) -> Result<(Vec<u8>, Origin), String> {
    let stored = std::fs::read_to_string(path)
        .ok()
        .and_then(|t| parse_hex(t.trim()))
        .filter(|b| Duid::parse(b).is_ok());
    let previous = stored.as_deref().and_then(|b| Duid::parse(b).ok());
    let duid = make(config, previous.as_ref(), mac, now);
    if stored.as_deref() == Some(&duid[..]) {
        return Ok((duid, Origin::Kept));
    }
    if !config.is_none_or(|c| c.persist) {
        return Ok((duid, Origin::NotPersisted));
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    // Written aside and renamed: a crash never leaves half a DUID.
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, format!("{}\n", Hex(&duid)))
        .and_then(|()| std::fs::rename(&tmp, path))
        .map_err(|e| format!("storing the server DUID in {}: {e}", path.display()))?;
    Ok((duid, Origin::Stored))
}

/// The DUID `config` asks for, completed from `previous` or made afresh.
fn make(
    config: Option<&ServerId>,
    previous: Option<&Duid<'_>>,
    mac: Option<[u8; 6]>,
    now: SystemTime,
) -> Vec<u8> {
    let kind = config.map_or("LLT", |c| c.duid_type.as_str());
    let given_id = config
        .and_then(|c| c.identifier.as_deref())
        .and_then(parse_hex)
        .filter(|id| !id.is_empty());
    // The link-layer part: configured, else the previous DUID's (an LLT's
    // for an LLT, an LLT's or LL's for an LL), else a served interface's MAC.
    let previous_link = match (kind, previous) {
        (_, Some(d @ Duid::Llt { .. })) | ("LL", Some(d @ Duid::Ll { .. })) => d.link_layer(),
        _ => None,
    };
    let (prev_htype, prev_link) = previous_link.unzip();
    let htype = config
        .and_then(|c| c.htype)
        .filter(|&h| h != 0)
        .or(prev_htype)
        .unwrap_or(HTYPE_ETHERNET);
    let link = || {
        given_id
            .clone()
            .or_else(|| prev_link.map(<[u8]>::to_vec))
            .unwrap_or_else(|| mac.map_or_else(|| random(6), |m| m.to_vec()))
    };
    match kind {
        "EN" => {
            let prev = match previous {
                Some(Duid::En {
                    enterprise,
                    identifier,
                    ..
                }) => Some((*enterprise, *identifier)),
                _ => None,
            };
            let enterprise = config
                .and_then(|c| c.enterprise_id)
                .filter(|&e| e != 0)
                .or(prev.map(|p| p.0))
                .unwrap_or(ISC_ENTERPRISE);
            let id = given_id
                .clone()
                .or_else(|| prev.map(|p| p.1.to_vec()))
                .unwrap_or_else(|| random(6));
            duid_en(enterprise, &id)
        }
        "LL" => duid(DUID_LL, &[&htype.to_be_bytes(), &link()]),
        _ => {
            let prev_time = match previous {
                Some(Duid::Llt { time, .. }) => Some(*time),
                _ => None,
            };
            let since_2000 = now
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| d.as_secs().saturating_sub(DUID_EPOCH));
            let time = config
                .and_then(|c| c.time)
                .filter(|&t| t != 0)
                .or(prev_time)
                .unwrap_or(since_2000 as u32);
            duid(
                DUID_LLT,
                &[&htype.to_be_bytes(), &time.to_be_bytes(), &link()],
            )
        }
    }
}

/// `n` random bytes from the kernel.
fn random(n: usize) -> Vec<u8> {
    let mut b = vec![0u8; n];
    // SAFETY: writes at most `n` bytes into a buffer of `n` bytes.
    let got = unsafe { libc::getrandom(b.as_mut_ptr().cast(), n, 0) };
    if got != n as isize {
        // getrandom cannot fail for a few bytes once the pool is ready;
        // fall back to the clock so a DUID is still made.
        let t = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        b.iter_mut()
            .zip(t.to_be_bytes().iter().rev())
            .for_each(|(x, y)| *x = *y);
    }
    b
}

#[cfg(test)]
mod tests {
    use super::*;

    fn server_id(kind: &str) -> ServerId {
        ServerId {
            duid_type: kind.into(),
            identifier: None,
            time: None,
            htype: None,
            enterprise_id: None,
            persist: true,
        }
    }

    /// A DUID file path in a directory removed when the test ends.
    struct Scratch(PathBuf);

    impl Drop for Scratch {
        fn drop(&mut self) {
            if let Some(d) = self.0.parent() {
                let _ = std::fs::remove_dir_all(d);
            }
        }
    }

    impl std::ops::Deref for Scratch {
        type Target = Path;
        fn deref(&self) -> &Path {
            &self.0
        }
    }

    fn dir(tag: &str) -> Scratch {
        let d = std::env::temp_dir().join(format!("xdhcp-duid-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        Scratch(d.join(FILE_NAME))
    }

    const MAC: [u8; 6] = [2, 0, 0, 0, 0, 9];
    const AT: u64 = DUID_EPOCH + 0x1234_5678;

    fn at() -> SystemTime {
        UNIX_EPOCH + std::time::Duration::from_secs(AT)
    }

    #[test]
    fn the_manuals_explicit_duids() {
        let path = dir("manual");
        let mut llt = server_id("LLT");
        llt.htype = Some(8);
        llt.identifier = Some("A65DC7410F05".into());
        llt.time = Some(2_518_920_166);
        let (d, _) = resolve(Some(&llt), &path, Some(MAC), at()).unwrap();
        assert_eq!(
            Hex(&d).to_string(),
            "00:01:00:08:96:23:ab:e6:a6:5d:c7:41:0f:05"
        );

        let mut en = server_id("EN");
        en.enterprise_id = Some(2495);
        en.identifier = Some("87ABEF7A5BB545".into());
        let (d, _) = resolve(Some(&en), &path, Some(MAC), at()).unwrap();
        assert_eq!(
            Hex(&d).to_string(),
            "00:02:00:00:09:bf:87:ab:ef:7a:5b:b5:45"
        );

        let mut ll = server_id("LL");
        ll.htype = Some(8);
        ll.identifier = Some("A65DC7410F05".into());
        let (d, _) = resolve(Some(&ll), &path, Some(MAC), at()).unwrap();
        assert_eq!(Hex(&d).to_string(), "00:03:00:08:a6:5d:c7:41:0f:05");
    }

    #[test]
    fn the_default_llt_is_made_once_and_kept_across_restarts() {
        let path = dir("keep");
        let (first, origin) = resolve(None, &path, Some(MAC), at()).unwrap();
        assert_eq!(origin, Origin::Stored);
        assert_eq!(
            Hex(&first).to_string(),
            "00:01:00:01:12:34:56:78:02:00:00:00:00:09"
        );
        assert_eq!(
            std::fs::read_to_string(&*path).unwrap().trim(),
            Hex(&first).to_string()
        );
        // Later, on another interface: the stored DUID stays.
        let later = at() + std::time::Duration::from_secs(999);
        let (again, origin) = resolve(None, &path, Some([2, 0, 0, 0, 0, 1]), later).unwrap();
        assert_eq!((again, origin), (first, Origin::Kept));
    }

    #[test]
    fn unset_parts_come_from_the_previous_duid_and_a_new_type_replaces_it() {
        let path = dir("parts");
        let (first, _) = resolve(None, &path, Some(MAC), at()).unwrap();
        // Only the time changes: link-layer parts stay.
        let mut llt = server_id("LLT");
        llt.time = Some(7);
        let (d, origin) = resolve(Some(&llt), &path, None, at()).unwrap();
        assert_eq!(origin, Origin::Stored);
        assert_eq!(d[..4], first[..4]);
        assert_eq!(d[4..8], 7u32.to_be_bytes());
        assert_eq!(d[8..], first[8..]);
        // A new type replaces the DUID; EN without parts gets ISC's number.
        let (en, _) = resolve(Some(&server_id("EN")), &path, None, at()).unwrap();
        assert_eq!(en[..6], [0, 2, 0, 0, 0x09, 0xbf]);
        assert_eq!(en.len(), 12);
        let (kept, origin) = resolve(Some(&server_id("EN")), &path, None, at()).unwrap();
        assert_eq!((kept, origin), (en, Origin::Kept));
    }

    #[test]
    fn persist_false_writes_nothing() {
        let path = dir("nopersist");
        let mut en = server_id("EN");
        en.identifier = Some("0102".into());
        en.persist = false;
        let (d, origin) = resolve(Some(&en), &path, None, at()).unwrap();
        assert_eq!(origin, Origin::NotPersisted);
        assert_eq!(Hex(&d).to_string(), "00:02:00:00:09:bf:01:02");
        assert!(!path.exists());
    }
}
