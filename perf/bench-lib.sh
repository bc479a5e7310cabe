# Shared by bench-v4.sh and bench-v6.sh (sourced, not run): the two-namespace
# lab, starting and stopping a server, one measurement, its report line, and
# the bisection of the highest rate with under 2.5% drops.
#
# The sourcing script sets `gen_args` (the generator's command without -r,
# -R and -p) before calling `run`. Arguments: [SECONDS] [RATE...].
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
seconds=${1:-10}; shift || true
if [ $# -gt 0 ]; then rates=("$@"); else rates=(2000 8000 32000); fi
[ "$(id -u)" -eq 0 ] || { echo "bench: run as root" >&2; exit 1; }
bash tools/install-deps.sh >/dev/null
cargo build --release -q -p xdhcp-controlplane -p xdhcp-perf
bin=$PWD/target/release/xdhcp-controlplane
perf_bin=$PWD/target/release/xdhcp-perf

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
for ns in $srv $cli; do # link-local addresses usable at once
  ip netns exec $ns sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
done
queues=${QUEUES:-1}
ip -n $srv link add $srv numtxqueues "$queues" numrxqueues "$queues" type veth \
  peer name $cli numtxqueues "$queues" numrxqueues "$queues" netns $cli
ip -n $srv addr add 10.0.0.1/8 dev $srv
ip -n $srv addr add 2001:db8:1::1/64 dev $srv nodad
ip -n $srv link set $srv up; ip -n $srv link set lo up
ip -n $cli addr add 10.0.0.2/8 dev $cli
ip -n $cli addr add 2001:db8:1::2/64 dev $cli nodad
ip -n $cli link set $cli up; ip -n $cli link set lo up
if [ "${GSO:-on}" = off ]; then
  ip netns exec $cli ethtool -K $cli tx-udp-segmentation off >/dev/null
fi

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

# The generator is pinned to CPU 1 (GEN_CPUS overrides, e.g. 0,1 for one
# thread per queue of a two-queue link).
measure() { # server-name rate command... ; one run on a fresh server, so no
            # run starts with a pool the previous one filled
  local name=$1 rate=$2; shift 2
  start "$name" "$@"
  local u0 s0 u1 s1
  read -r u0 s0 < <(cpu_ticks "$server_pid")
  out=$(ip netns exec $cli taskset -c "${GEN_CPUS:-1}" "${gen_args[@]}" -r "$rate" -R 4000000 -p "$seconds" 2>&1 || true)
  read -r u1 s1 < <(cpu_ticks "$server_pid")
  stop
  sent=$(awk '/^sent packets/ {print $3; exit}' <<<"$out")
  recv=$(awk '/^received packets/ {print $3; exit}' <<<"$out")
  acks=$(awk '/^received packets/ {n++} n==2 {print $3; exit}' <<<"$out")
  drops=$(awk '/^drops ratio/ {print $3; exit}' <<<"$out")
  drops2=$(awk '/^drops ratio/ {n++} n==2 {print $3; exit}' <<<"$out")
  rate_done=$(awk '/^Rate:/ {print $2; exit}' <<<"$out")
  p99=$(awk '/^delay percentiles/ {print $4, $10; exit}' <<<"$out")
  p99_2=$(awk '/^delay percentiles/ {n++} n==2 {print $4, $10; exit}' <<<"$out")
  # Server CPU per message answered and per lease (completed exchange),
  # user and system (all its threads; over veth, system time includes the
  # kernel copying each reply into the peer, which a NIC does by DMA).
  local hz; hz=$(getconf CLK_TCK)
  us_per_msg=$(awk -v u=$((u1 - u0)) -v s=$((s1 - s0)) -v hz="$hz" \
    -v n="$((${recv:-0} + ${acks:-0}))" \
    'BEGIN { if (n > 0) printf "%.2f user + %.2f sys", u / hz * 1e6 / n, s / hz * 1e6 / n; else print "?" }')
  us_per_lease=$(awk -v u=$((u1 - u0)) -v s=$((s1 - s0)) -v hz="$hz" -v n="${acks:-0}" \
    'BEGIN { if (n > 0) printf "%.2f", (u + s) / hz * 1e6 / n; else print "?" }')
}

report() {
  printf '%-12s offered %7s/s  completed %10s exchanges/s  first sent %8s received %8s  drops %s %% + %s %%  server CPU %s us/msg, %s us/lease  p50,p99 (ms) %s / %s\n' \
    "$1" "$2" "${rate_done:-?}" "${sent:-?}" "${recv:-?}" "${drops:-?}" "${drops2:-?}" "$us_per_msg" "$us_per_lease" "${p99:-n/a}" "${p99_2:-n/a}"
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

# FIND=1: bisect the highest offered rate whose first- and second-exchange
# drops both stay under 2.5% (the issue's bar), between the first two RATEs.
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

# SERVERS picks which servers run (default: all of the script's, in its
# order).
want() { [[ " ${SERVERS:-$all_servers} " == *" $1 "* ]]; }

machine() {
  echo "machine: $(nproc) CPUs, $(lscpu | sed -n 's/^Model name:[[:space:]]*//p'), kernel $(uname -r); kea $(dpkg-query -W -f='${Version}' kea-common); load $(cut -d' ' -f1-3 /proc/loadavg); $(date -u '+%F %T UTC')"
}
