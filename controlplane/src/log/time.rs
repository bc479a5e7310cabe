//! strftime with log4cplus's two extra conversions: `%q` (milliseconds)
//! and `%Q` (milliseconds with a fraction: `123.456`).

use std::ffi::CString;

/// Formats `at_us` (microseconds since the epoch) with `format`, in local
/// time or UTC.
pub fn format(format: &str, at_us: u64, local: bool) -> String {
    let (secs, micros) = ((at_us / 1_000_000) as libc::time_t, at_us % 1_000_000);
    let mut expanded = String::with_capacity(format.len() + 8);
    let mut chars = format.chars();
    while let Some(c) = chars.next() {
        if c != '%' {
            expanded.push(c);
            continue;
        }
        match chars.next() {
            Some('q') => expanded.push_str(&format!("{:03}", micros / 1000)),
            Some('Q') => expanded.push_str(&format!("{:03}.{:03}", micros / 1000, micros % 1000)),
            Some(other) => {
                expanded.push('%');
                expanded.push(other);
            }
            None => expanded.push('%'),
        }
    }
    // SAFETY: tm is plain data; localtime_r/gmtime_r fill it from `secs`.
    let mut tm: libc::tm = unsafe { std::mem::zeroed() };
    unsafe {
        if local {
            libc::localtime_r(&secs, &mut tm);
        } else {
            libc::gmtime_r(&secs, &mut tm);
        }
    }
    let Ok(c_format) = CString::new(expanded) else {
        return String::new();
    };
    let mut buf = [0u8; 256];
    // SAFETY: buf is writable for its length; strftime writes at most that.
    let n = unsafe { libc::strftime(buf.as_mut_ptr().cast(), buf.len(), c_format.as_ptr(), &tm) };
    String::from_utf8_lossy(&buf[..n]).into_owned()
}

/// Microseconds since the epoch, now.
pub fn now_us() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_micros() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn millis_and_micros() {
        // 2019-08-05 17:21:39.123456 UTC
        let t = 1_565_025_699_123_456;
        assert_eq!(
            format("%Y-%m-%d %H:%M:%S.%q", t, false),
            "2019-08-05 17:21:39.123"
        );
        assert_eq!(format("%S.%Q %%", t, false), "39.123.456 %");
    }
}
