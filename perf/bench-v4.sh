#!/usr/bin/env bash
# DHCPv4 lease rate of xdhcp and Kea 2.2, side by side, on one machine.
#
#   sudo [GEN=perfdhcp|xdhcp-perf|xdhcp-perf-xdp] [SERVERS="xdhcp kea-st ..."] \
#        perf/bench-v4.sh [SECONDS] [RATE...]
#
# Builds a two-namespace lab joined by a veth pair (10.0.0.0/8 inside the
# lab's own namespaces: a pool of 16 million addresses, so no run is capped
# by pool exhaustion), then for each server (xdhcp over
# AF_XDP, over a raw AF_PACKET socket and over a UDP socket, Kea
# single-threaded, Kea multi-threaded; memfile without persistence for
# both) runs the generator from the client namespace, full
# DORA, at each offered RATE, and prints the completed-exchange rate and
# drops. GEN=perfdhcp (default) simulates directly connected clients; with
# GEN=xdhcp-perf the clients come through a relay (giaddr 10.0.0.2), the
# way perfdhcp does when given a server address; GEN=xdhcp-perf-xdp
# simulates directly connected clients at layer 2 over AF_XDP, as
# perfdhcp's -l IFACE does, without the generator's IP stack. The server is pinned to
# CPU 0 and the generator to CPU 1. Everything is torn down at the end.
#
# xdhcp-perf sends with UDP segmentation offload, and a veth hands the
# coalesced frames whole to a receiver without XDP: the raw socket (and
# Kea's) then gets up to 64 datagrams per frame, the UDP socket has them
# split by the kernel, AF_XDP sees them one by one (attaching XDP turns the
# peer's offload off). GSO=off turns it off on the generator's veth too, so
# every server sees one frame per datagram, as from a wire.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-10}; shift || true
rates=("${@:-2000 8000 32000}")
[ "$(id -u)" -eq 0 ] || { echo "bench: run as root" >&2; exit 1; }
bash tools/install-deps.sh >/dev/null
cargo build --release -q -p xdhcp-controlplane -p xdhcp-perf
bin=$PWD/target/release/xdhcp-controlplane
gen=${GEN:-perfdhcp}
case $gen in
  perfdhcp) gen_args=(perfdhcp -4 -l xbench-c) ;;
  xdhcp-perf) gen_args=("$PWD/target/release/xdhcp-perf" -4 -l 10.0.0.2 10.0.0.1) ;;
  xdhcp-perf-xdp) gen_args=("$PWD/target/release/xdhcp-perf" -4 --xdp -l xbench-c) ;;
  *) echo "bench: GEN must be perfdhcp, xdhcp-perf or xdhcp-perf-xdp" >&2; exit 1 ;;
esac

srv=xbench-s cli=xbench-c work=$(mktemp -d)
cleanup() {
  [ -n "${server_pid:-}" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null || true
  ip netns del $srv 2>/dev/null || true
  ip netns del $cli 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
cleanup_only_ns() { ip netns del $srv 2>/dev/null || true; ip netns del $cli 2>/dev/null || true; }
cleanup_only_ns
ip netns add $srv; ip netns add $cli
ip -n $srv link add $srv type veth peer name $cli netns $cli
ip -n $srv addr add 10.0.0.1/8 dev $srv
ip -n $srv link set $srv up; ip -n $srv link set lo up
ip -n $cli addr add 10.0.0.2/8 dev $cli
ip -n $cli link set $cli up; ip -n $cli link set lo up
if [ "${GSO:-on}" = off ]; then
  ip netns exec $cli ethtool -K $cli tx-udp-segmentation off >/dev/null
fi

# Both servers log at WARN: a line per lease (their INFO default) measures
# the logger, not the server.
config() { # socket-type multi-threading
  cat <<JSON
{ "Dhcp4": {
    "interfaces-config": { "interfaces": [ "$srv" ], "dhcp-socket-type": "$1" },
    "lease-database": { "type": "memfile", "persist": false },
    "loggers": [ { "name": "kea-dhcp4", "severity": "WARN", "output_options": [ { "output": "stdout" } ] } ],
    "multi-threading": { "enable-multi-threading": $2, "thread-pool-size": 2, "packet-queue-size": 256 },
    "valid-lifetime": 4000, "renew-timer": 1000, "rebind-timer": 2000,
    "subnet4": [ { "id": 1, "subnet": "10.0.0.0/8",
                   "pools": [ { "pool": "10.0.1.0 - 10.255.255.254" } ],
                   "option-data": [ { "name": "routers", "data": "10.0.0.1" } ] } ] } }
JSON
}

start() { # name command...
  local name=$1; shift
  ip netns exec $srv taskset -c 0 "$@" > "$work/$name.log" 2>&1 &
  server_pid=$!
  sleep 2
}
stop() {
  kill "$server_pid" 2>/dev/null || true
  wait "$server_pid" 2>/dev/null || true
  server_pid=
}

# User and system CPU ticks of a process (all its threads).
cpu_ticks() { awk '{print $14, $15}' "/proc/$1/stat" 2>/dev/null || echo 0 0; }

measure() { # server-name rate command... ; one run on a fresh server, so no
            # run starts with a pool the previous one filled
  local name=$1 rate=$2; shift 2
  start "$name" "$@"
  local u0 s0 u1 s1
  read -r u0 s0 < <(cpu_ticks "$server_pid")
  out=$(ip netns exec $cli taskset -c 1 "${gen_args[@]}" -r "$rate" -R 4000000 -p "$seconds" 2>&1 || true)
  read -r u1 s1 < <(cpu_ticks "$server_pid")
  stop
  sent=$(awk '/^sent packets/ {print $3; exit}' <<<"$out")
  recv=$(awk '/^received packets/ {print $3; exit}' <<<"$out")
  acks=$(awk '/^received packets/ {n++} n==2 {print $3; exit}' <<<"$out")
  drops=$(awk '/^drops ratio/ {print $3; exit}' <<<"$out")
  drops2=$(awk '/^drops ratio/ {n++} n==2 {print $3; exit}' <<<"$out")
  rate_done=$(awk '/^Rate:/ {print $2; exit}' <<<"$out")
  p99=$(awk '/^delay percentiles/ {print $4, $10; exit}' <<<"$out")
  # Server CPU per message answered, user and system (all its threads;
  # over veth, system time includes the kernel copying each reply into
  # the peer, which a NIC does by DMA).
  us_per_msg=$(awk -v u=$((u1 - u0)) -v s=$((s1 - s0)) -v hz="$(getconf CLK_TCK)" \
    -v n="$((${recv:-0} + ${acks:-0}))" \
    'BEGIN { if (n > 0) printf "%.2f user + %.2f sys", u / hz * 1e6 / n, s / hz * 1e6 / n; else print "?" }')
}

report() {
  printf '%-12s offered %7s/s  completed %10s exchanges/s  DISCOVER/OFFER sent %8s received %8s  drops %s %% + %s %%  server CPU %s us/msg  p50,p99 (ms) %s\n' \
    "$1" "$2" "${rate_done:-?}" "${sent:-?}" "${recv:-?}" "${drops:-?}" "${drops2:-?}" "$us_per_msg" "${p99:-n/a}"
}

run() { # server-name command...
  local name=$1; shift
  if [ -n "${FIND:-}" ]; then
    find_rate "$name" "$@"
    return
  fi
  for rate in "${rates[@]}"; do
    measure "$name" "$rate" "$@"
    report "$name" "$rate"
  done
}

# FIND=1: bisect the highest offered rate whose DISCOVER and REQUEST drops
# both stay under 2.5% (the issue's bar), between the first two RATEs.
find_rate() {
  local name=$1; shift
  local lo=${rates[0]} hi=${rates[1]:-200000} best=
  while [ $((hi - lo)) -gt $((lo / 20 + 100)) ]; do
    local mid=$(((lo + hi) / 2))
    measure "$name" "$mid" "$@"
    report "$name" "$mid"
    if awk -v a="${drops:-100}" -v b="${drops2:-100}" 'BEGIN { exit !(a < 2.5 && b < 2.5) }'; then
      lo=$mid best=$mid
    else
      hi=$mid
    fi
  done
  echo "$name sustains ${best:-less than $lo} offered/s with under 2.5% drops"
}

echo "generator: $gen (UDP segmentation offload ${GSO:-on})"
echo "machine: $(nproc) CPUs, $(lscpu | sed -n 's/^Model name:[[:space:]]*//p'), kernel $(uname -r); kea $(dpkg-query -W -f='${Version}' kea-dhcp4-server)"
# SERVERS picks which of them run (default: all, in this order). FIND=1
# bisects each one's sustainable rate between the first two RATEs instead.
want() { [[ " ${SERVERS:-xdhcp xdhcp-raw xdhcp-udp kea-st kea-mt} " == *" $1 "* ]]; }
config xdp false > "$work/xdhcp.json"
want xdhcp && run xdhcp "$bin" -c "$work/xdhcp.json"
for st in raw udp; do # Kea's socket types, one worker each
  config $st false > "$work/xdhcp-$st.json"
  want "xdhcp-$st" && run "xdhcp-$st" "$bin" -c "$work/xdhcp-$st.json"
done
mkdir -p /run/kea
for mt in false true; do
  config raw $mt > "$work/kea-$mt.json"
  name="kea$([ $mt = true ] && echo -mt || echo -st)"
  want "$name" && run "$name" \
    env KEA_LOCKFILE_DIR=none KEA_PIDFILE_DIR="$work" kea-dhcp4 -c "$work/kea-$mt.json"
done
true
