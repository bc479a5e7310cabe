#!/usr/bin/env bash
# Captures real DHCP client <-> Kea exchanges into pcap fixtures for xdhcp's tests.
#
# Builds a private lab: two network namespaces (server, client) joined by one veth pair,
# documentation addresses only (192.0.2.0/24, 2001:db8:1::/48 incl. the PD pool, link-local).
# Runs Kea 2.2 kea-dhcp4 and kea-dhcp6 in the server namespace with throwaway configs in a
# temp dir, captures with tcpdump on the server-side veth (udp 67/68/546/547 only), and runs
# each real client in the client namespace, one at a time, one pcap per client.
# Then writes <name>.expect.json next to every pcap via tools/fixture-oracle.py (tshark's decode).
#
# Usage: sudo tools/capture-fixtures.sh [output-dir]
#   default output dir: dataplane/tests/fixtures/pcap
# Needs root, kea-dhcp4-server, kea-dhcp6-server, isc-dhcp-client, udhcpc, dhcpcd5, tcpdump,
# tshark, python3 (tools/install-deps.sh installs them).
set -euo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out_dir=${1:-$repo_root/dataplane/tests/fixtures/pcap}
mkdir -p "$out_dir"
out_dir=$(cd "$out_dir" && pwd)

[ "$(id -u)" -eq 0 ] || { echo "must run as root" >&2; exit 1; }
for bin in ip kea-dhcp4 kea-dhcp6 dhclient udhcpc dhcpcd tcpdump tshark python3 unshare timeout; do
  command -v "$bin" >/dev/null || { echo "missing $bin" >&2; exit 1; }
done

NS_SRV=xdhcp-fx-srv
NS_CLI=xdhcp-fx-cli
IF_SRV=xfx-s0
IF_CLI=xfx-c0
MAC_SRV=02:00:00:00:0f:01
MAC_CLI=02:00:00:00:0f:02
SRV4=192.0.2.1
SRV6=2001:db8:1::1

for ns in "$NS_SRV" "$NS_CLI"; do
  if ip netns list | grep -qw "$ns"; then
    echo "namespace $ns already exists (stale run?); delete it first: ip netns del $ns" >&2
    exit 1
  fi
done

T=$(mktemp -d /tmp/xdhcp-fx.XXXXXX)
chmod 755 "$T"
pids=()       # every background process we start, killed by PID on exit
netns_made=() # namespaces we created

ours() { # pid: true if it lives in one of our namespaces
  local ns
  ns=$(ip netns identify "$1" 2>/dev/null) || return 1
  [ "$ns" = "$NS_SRV" ] || [ "$ns" = "$NS_CLI" ]
}

log() { printf '[capture] %s\n' "$*" >&2; }

cleanup() {
  local rc=$?
  set +e
  # Every process we started runs in one of our namespaces; only signal a PID that still
  # does (guards against PID reuse after it exited).
  for pid in "${pids[@]}"; do
    ours "$pid" && kill "$pid" 2>/dev/null
  done
  sleep 0.5
  for pid in "${pids[@]}"; do
    ours "$pid" && kill -9 "$pid" 2>/dev/null
  done
  # dhclient/dhcpcd daemonise; their pid files live in $T.
  for pf in "$T"/*.pid; do
    [ -f "$pf" ] || continue
    pid=$(head -n1 "$pf" 2>/dev/null)
    case "$pid" in '' | *[!0-9]*) continue ;; esac
    # only kill it if it still lives in our client namespace
    ours "$pid" && kill "$pid" 2>/dev/null
  done
  for ns in "${netns_made[@]}"; do
    # anything left inside our namespaces was started by this script
    for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -9 "$pid" 2>/dev/null; done
    ip netns del "$ns" 2>/dev/null
  done
  if [ "${KEEP_TMP:-0}" = 1 ]; then log "temp dir kept: $T"; else rm -rf "$T"; fi
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

in_srv() { ip netns exec "$NS_SRV" "$@"; }
in_cli() { ip netns exec "$NS_CLI" "$@"; }

# ---------------------------------------------------------------- lab
log "temp dir $T"
ip netns add "$NS_SRV"; netns_made+=("$NS_SRV")
ip netns add "$NS_CLI"; netns_made+=("$NS_CLI")
for ns in "$NS_SRV" "$NS_CLI"; do
  # no DAD: link-local addresses are usable as soon as the link is up
  ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
  ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.accept_ra=0 net.ipv6.conf.default.accept_ra=0
  ip netns exec "$ns" ip link set lo up
done
ip link add "$IF_SRV" netns "$NS_SRV" address "$MAC_SRV" type veth peer name "$IF_CLI" netns "$NS_CLI" address "$MAC_CLI"
in_srv ip link set "$IF_SRV" up
in_cli ip link set "$IF_CLI" up
in_srv ip addr add "$SRV4/24" dev "$IF_SRV"
in_srv ip -6 addr add "$SRV6/64" dev "$IF_SRV" nodad
# wait for both link-local addresses
for _ in $(seq 50); do
  if in_srv ip -6 addr show dev "$IF_SRV" scope link | grep -q inet6 &&
     in_cli ip -6 addr show dev "$IF_CLI" scope link | grep -q inet6; then break; fi
  sleep 0.1
done

# ---------------------------------------------------------------- Kea
mkdir -p /run/kea
export KEA_LOCKFILE_DIR=none
export KEA_PIDFILE_DIR=$T

cat >"$T/kea-dhcp4.conf" <<EOF
{
  "Dhcp4": {
    "interfaces-config": { "interfaces": [ "$IF_SRV" ], "dhcp-socket-type": "raw" },
    "control-socket": { "socket-type": "unix", "socket-name": "$T/kea4.sock" },
    "lease-database": { "type": "memfile", "persist": false, "name": "$T/kea-leases4.csv" },
    "valid-lifetime": 3600,
    "renew-timer": 900,
    "rebind-timer": 1800,
    "authoritative": true,
    "subnet4": [
      {
        "id": 1,
        "subnet": "192.0.2.0/24",
        "pools": [ { "pool": "192.0.2.100 - 192.0.2.199" } ],
        "option-data": [
          { "name": "routers", "data": "192.0.2.1" },
          { "name": "domain-name-servers", "data": "192.0.2.53, 192.0.2.54" },
          { "name": "domain-name", "data": "fixtures.example" }
        ]
      }
    ],
    "loggers": [ {
      "name": "kea-dhcp4",
      "output_options": [ { "output": "$T/kea-dhcp4.log" } ],
      "severity": "DEBUG", "debuglevel": 40
    } ]
  }
}
EOF

cat >"$T/kea-dhcp6.conf" <<EOF
{
  "Dhcp6": {
    "interfaces-config": { "interfaces": [ "$IF_SRV" ] },
    "data-directory": "$T",
    "server-id": { "type": "LL", "htype": 1, "identifier": "${MAC_SRV//:/}", "persist": false },
    "control-socket": { "socket-type": "unix", "socket-name": "$T/kea6.sock" },
    "lease-database": { "type": "memfile", "persist": false, "name": "$T/kea-leases6.csv" },
    "preferred-lifetime": 3000,
    "valid-lifetime": 4000,
    "renew-timer": 1000,
    "rebind-timer": 2000,
    "subnet6": [
      {
        "id": 1,
        "subnet": "2001:db8:1::/64",
        "interface": "$IF_SRV",
        "pools": [ { "pool": "2001:db8:1::1000 - 2001:db8:1::1fff" } ],
        "pd-pools": [ { "prefix": "2001:db8:1:100::", "prefix-len": 56, "delegated-len": 60 } ],
        "option-data": [
          { "name": "dns-servers", "data": "2001:db8:1::53" },
          { "name": "domain-search", "data": "fixtures.example" }
        ]
      }
    ],
    "loggers": [ {
      "name": "kea-dhcp6",
      "output_options": [ { "output": "$T/kea-dhcp6.log" } ],
      "severity": "DEBUG", "debuglevel": 40
    } ]
  }
}
EOF

in_srv kea-dhcp4 -t "$T/kea-dhcp4.conf" >"$T/kea4-check.log" 2>&1 || { cat "$T/kea4-check.log" >&2; exit 1; }
in_srv kea-dhcp6 -t "$T/kea-dhcp6.conf" >"$T/kea6-check.log" 2>&1 || { cat "$T/kea6-check.log" >&2; exit 1; }
in_srv kea-dhcp4 -c "$T/kea-dhcp4.conf" >"$T/kea4.out" 2>&1 &
pids+=($!)
in_srv kea-dhcp6 -c "$T/kea-dhcp6.conf" >"$T/kea6.out" 2>&1 &
pids+=($!)

# wait until both servers have opened their sockets (control sockets appear after config)
for _ in $(seq 100); do
  [ -S "$T/kea4.sock" ] && [ -S "$T/kea6.sock" ] && break
  sleep 0.1
done
[ -S "$T/kea4.sock" ] && [ -S "$T/kea6.sock" ] || {
  log "Kea did not start"; tail -n 30 "$T"/kea4.out "$T"/kea6.out >&2; exit 1; }
sleep 1

# ---------------------------------------------------------------- capture helpers
cap_pid=
cap_start() { # name
  local name=$1
  rm -f "$out_dir/$name.pcap"
  in_srv tcpdump -i "$IF_SRV" -n -U -Z root -s 0 -w "$T/$name.pcap" \
    'udp and (port 67 or port 68 or port 546 or port 547)' >"$T/tcpdump-$name.log" 2>&1 &
  cap_pid=$!
  pids+=("$cap_pid")
  for _ in $(seq 100); do
    grep -q 'listening on' "$T/tcpdump-$name.log" 2>/dev/null && break
    sleep 0.05
  done
  sleep 0.3
}
cap_stop() { # name
  local name=$1
  sleep 1 # let the last reply cross the link
  kill -TERM "$cap_pid" 2>/dev/null || true
  wait "$cap_pid" 2>/dev/null || true
  cp "$T/$name.pcap" "$out_dir/$name.pcap"
  log "$name: $(tshark -r "$out_dir/$name.pcap" 2>/dev/null | wc -l) packets"
}

reset_client_if() {
  in_cli ip -4 addr flush dev "$IF_CLI"
  in_cli ip -6 addr flush dev "$IF_CLI" scope global
  in_cli ip -4 route flush dev "$IF_CLI" 2>/dev/null || true
}

# Minimal hook for dhclient/udhcpc: configures the leased IPv4 address on the client veth
# (inside the client namespace only) so the unicast RELEASE has a source address and a route.
cat >"$T/hook.sh" <<'EOF'
#!/bin/sh
# dhclient: $reason + new_ip_address/new_subnet_mask; udhcpc: $1 + ip/mask
if [ -n "$reason" ]; then
  case "$reason" in
    BOUND|RENEW|REBIND|REBOOT)
      [ -n "$new_ip_address" ] && ip addr replace "$new_ip_address/${new_subnet_mask:-255.255.255.0}" dev "$interface" ;;
    RELEASE|EXPIRE|STOP)
      [ -n "$old_ip_address" ] && ip addr del "$old_ip_address/${old_subnet_mask:-255.255.255.0}" dev "$interface" ;;
  esac
else
  case "$1" in
    bound|renew) ip addr replace "$ip/${mask:-24}" dev "$interface" ;;
    deconfig) ip -4 addr flush dev "$interface" ;;
  esac
fi
exit 0
EOF
chmod 755 "$T/hook.sh"

failed=()

# ---------------------------------------------------------------- dhclient -4
run_dhclient4() {
  cat >"$T/dhclient4.conf" <<'EOF'
timeout 20;
retry 5;
send host-name "fx-dhclient4";
request subnet-mask, broadcast-address, time-offset, routers,
        domain-name, domain-name-servers, domain-search, host-name,
        interface-mtu;
EOF
  cap_start dhclient4
  local ok=0
  timeout 40 ip netns exec "$NS_CLI" dhclient -4 -1 -v -cf "$T/dhclient4.conf" \
    -lf "$T/dhclient4.leases" -pf "$T/dhclient4.pid" -sf "$T/hook.sh" "$IF_CLI" \
    >"$T/dhclient4.log" 2>&1 || ok=$?
  if [ $ok -eq 0 ]; then
    sleep 0.5
    timeout 20 ip netns exec "$NS_CLI" dhclient -4 -r -v -cf "$T/dhclient4.conf" \
      -lf "$T/dhclient4.leases" -pf "$T/dhclient4.pid" -sf "$T/hook.sh" "$IF_CLI" \
      >>"$T/dhclient4.log" 2>&1 || log "dhclient -4 -r failed"
  else
    failed+=("dhclient4"); tail -n 20 "$T/dhclient4.log" >&2
  fi
  cap_stop dhclient4
  reset_client_if
}

# ---------------------------------------------------------------- dhclient -6
run_dhclient6() { # name, extra args
  local name=$1; shift
  cat >"$T/$name.conf" <<'EOF'
timeout 20;
retry 5;
EOF
  cap_start "$name"
  local ok=0
  timeout 40 ip netns exec "$NS_CLI" dhclient -6 -1 -v "$@" -cf "$T/$name.conf" \
    -lf "$T/$name.leases" -pf "$T/$name.pid" -sf /bin/true "$IF_CLI" \
    >"$T/$name.log" 2>&1 || ok=$?
  if [ $ok -eq 0 ]; then
    sleep 0.5
    timeout 20 ip netns exec "$NS_CLI" dhclient -6 -r -v "$@" -cf "$T/$name.conf" \
      -lf "$T/$name.leases" -pf "$T/$name.pid" -sf /bin/true "$IF_CLI" \
      >>"$T/$name.log" 2>&1 || log "dhclient -6 -r ($name) failed"
  else
    failed+=("$name"); tail -n 20 "$T/$name.log" >&2
  fi
  cap_stop "$name"
  reset_client_if
}

# ---------------------------------------------------------------- udhcpc
run_udhcpc() {
  cap_start udhcpc
  # Foreground udhcpc (-f) in the background of this script: -x hostname option 12.
  # After the lease: SIGUSR1 -> renew (unicast REQUEST), SIGUSR2 -> RELEASE, then SIGTERM.
  # (-q -R exits without a RELEASE in busybox 1.35, hence the signals.)
  ip netns exec "$NS_CLI" udhcpc -f -t 5 -T 2 -i "$IF_CLI" \
    -s "$T/hook.sh" -x hostname:fx-udhcpc >"$T/udhcpc.log" 2>&1 &
  local upid=$!
  pids+=("$upid")
  local got=0
  for _ in $(seq 200); do
    if grep -q 'lease of' "$T/udhcpc.log" 2>/dev/null; then got=1; break; fi
    sleep 0.1
  done
  if [ $got = 1 ]; then
    sleep 0.5
    kill -USR1 "$upid"
    for _ in $(seq 50); do
      [ "$(grep -c 'lease of' "$T/udhcpc.log")" -ge 2 ] && break
      sleep 0.1
    done
    sleep 0.5
    kill -USR2 "$upid"
    sleep 1
  else
    failed+=("udhcpc"); tail -n 20 "$T/udhcpc.log" >&2
  fi
  kill -TERM "$upid" 2>/dev/null || true
  wait "$upid" 2>/dev/null || true
  cap_stop udhcpc
  reset_client_if
}

# ---------------------------------------------------------------- dhcpcd
# dhcpcd keeps state in /var/lib/dhcpcd and /run/dhcpcd; it runs in a private mount namespace
# with both directories replaced by dirs under $T, so nothing on the host is touched.
run_dhcpcd() { # name, family (4|6)
  local name=$1 fam=$2
  mkdir -p "$T/$name-db" "$T/$name-run"
  {
    echo "# dhcpcd config for fixture capture"
    echo "duid ll"
    echo "noipv4ll"
    echo "nohook"
    echo "release"
    echo "hostname fx-dhcpcd"
    echo "vendorclassid fx-dhcpcd"
    echo "vendclass 40712 fx-dhcpcd" # else the v6 Vendor Class carries the host kernel string
    echo "noipv6rs"
    echo "timeout 20"
    echo "interface $IF_CLI"
    if [ "$fam" = 6 ]; then
      echo "  ipv6only"
      echo "  ia_na 1"
      echo "  ia_pd 2"
    else
      echo "  ipv4only"
    fi
  } >"$T/$name.conf"
  cap_start "$name"
  local waitfor
  if [ "$fam" = 4 ]; then waitfor="inet 192.0.2."; else waitfor="inet6 2001:db8:1::"; fi
  # shellcheck disable=SC2016
  timeout 60 ip netns exec "$NS_CLI" unshare -m sh -c '
    set -e
    mount --bind "$1" /var/lib/dhcpcd
    mount -t tmpfs tmpfs /run
    mkdir -p /run/dhcpcd
    dhcpcd -f "$2" -c /bin/true -B -"$3" "$4" &
    pid=$!
    i=0
    while [ $i -lt 200 ]; do
      ip addr show dev "$4" | grep -q "$5" && break
      i=$((i+1)); sleep 0.1
    done
    ip addr show dev "$4"
    sleep 1
    # -k: release the lease and stop
    dhcpcd -f "$2" -"$3" -k "$4" || true
    i=0
    while kill -0 $pid 2>/dev/null && [ $i -lt 100 ]; do i=$((i+1)); sleep 0.1; done
    kill $pid 2>/dev/null || true
  ' sh "$T/$name-db" "$T/$name.conf" "$fam" "$IF_CLI" "$waitfor" >"$T/$name.log" 2>&1 ||
    { failed+=("$name"); tail -n 30 "$T/$name.log" >&2; }
  cap_stop "$name"
  reset_client_if
}

run_dhclient4
run_dhclient6 dhclient6-na
run_dhclient6 dhclient6-pd -P
run_udhcpc
run_dhcpcd dhcpcd4 4
run_dhcpcd dhcpcd6 6

# ---------------------------------------------------------------- oracle
for pcap in "$out_dir"/*.pcap; do
  python3 "$repo_root/tools/fixture-oracle.py" "$pcap" >"${pcap%.pcap}.expect.json"
done

# versions, for the README
{
  echo "date: $(date -u +%Y-%m-%d)"
  echo "kea-dhcp4: $(kea-dhcp4 -v)"
  echo "kea-dhcp6: $(kea-dhcp6 -v)"
  echo "dhclient: $(dhclient --version 2>&1 | head -n1)"
  echo "udhcpc: $(busybox 2>&1 | head -n1 | cut -d' ' -f1-2)"
  echo "dhcpcd: $(dhcpcd --version | head -n1)"
  echo "tcpdump: $(tcpdump --version 2>&1 | head -n1)"
  echo "tshark: $(tshark --version | head -n1)"
} >"$out_dir/VERSIONS.txt"

if [ "${KEEP_TMP:-0}" = 1 ]; then cp "$T"/*.log "$T"/*.out /tmp/ 2>/dev/null || true; fi
if [ ${#failed[@]} -gt 0 ]; then
  log "FAILED: ${failed[*]}"
  exit 1
fi
log "all captures written to $out_dir"
