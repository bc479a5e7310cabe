//! dhcpcd run once in a lab: it keeps state in /var/lib/dhcpcd and /run,
//! so it runs in a private mount namespace with both replaced, binds its
//! lease, waits for the leased address, then releases it (`-k`) and stops.

use std::process::Command;

use crate::Lab;

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

impl Lab {
    /// dhcpcd run once on the client interface for `family` (`-4` or
    /// `-6`), with its state and a configuration in `dir`: `global` lines,
    /// then `per_interface` lines for the interface. It waits until `ip
    /// addr` shows `address` (say `inet 198.51.100.100/`), and its output
    /// ends with the interface's addresses once bound.
    pub fn dhcpcd_once(
        &self,
        dir: &str,
        family: &str,
        (global, per_interface): (&str, &str),
        address: &str,
    ) -> Command {
        let db = format!("{dir}/dhcpcd-db");
        std::fs::create_dir_all(&db).expect("creating dhcpcd's state directory");
        let conf = format!("{dir}/dhcpcd.conf");
        std::fs::write(
            &conf,
            format!(
                "duid ll\nrelease\ntimeout 20\n{global}\ninterface {}\n{per_interface}\n",
                self.peer
            ),
        )
        .expect("writing dhcpcd.conf");
        let script = [
            "unshare", "-m", "sh", "-c", SCRIPT, "sh", &db, &conf, &self.peer, family, address,
        ];
        self.client_command(&script)
    }
}
