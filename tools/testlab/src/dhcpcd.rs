//! dhcpcd run once in a lab: it keeps state in /var/lib/dhcpcd and /run,
//! so it runs in a private mount namespace with both replaced, binds its
//! lease, waits for the leased address, then releases it (`-k`) and stops.

const SCRIPT: &str = r#"
set -e
mount --bind "$1" /var/lib/dhcpcd
mount -t tmpfs tmpfs /run
mkdir -p /run/dhcpcd
dhcpcd -f "$2" -c /bin/true -B "$4" "$3" &
pid=$!
i=0
while [ $i -lt 200 ]; do
  ip addr show dev "$3" | grep -q "$5" && break
  i=$((i+1)); sleep 0.1
done
ip addr show dev "$3"
sleep 0.5
dhcpcd -f "$2" "$4" -k "$3" || true
i=0
while kill -0 $pid 2>/dev/null && [ $i -lt 100 ]; do i=$((i+1)); sleep 0.1; done
"#;

/// The command line (to run inside the client's network namespace) of
/// one dhcpcd run on `iface` for `family` (`-4` or `-6`), with its state
/// directory `db` and configuration `conf`, that waits until `ip addr`
/// shows `address` (say `inet 198.51.100.100/`). Its output ends with
/// the interface's addresses once bound.
pub fn dhcpcd_once<'a>(
    db: &'a str,
    conf: &'a str,
    iface: &'a str,
    family: &'a str,
    address: &'a str,
) -> [&'a str; 11] {
    [
        "unshare", "-m", "sh", "-c", SCRIPT, "sh", db, conf, iface, family, address,
    ]
}
