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
# every server sees one frame per datagram, as from a wire. QUEUES=2 gives the
# veth two queues (the xdp server and generator then run a thread per queue;
# set GEN_CPUS=0,1 for the generator). The lab, measurement and bisection
# are shared with bench-v6.sh (bench-lib.sh).
source "$(dirname "$0")/bench-lib.sh"
gen=${GEN:-perfdhcp}
case $gen in
  perfdhcp) gen_args=(perfdhcp -4 -l $cli) ;;
  xdhcp-perf) gen_args=("$perf_bin" -4 -l 10.0.0.2 10.0.0.1) ;;
  xdhcp-perf-xdp) gen_args=("$perf_bin" -4 --xdp -l $cli) ;;
  *) echo "bench: GEN must be perfdhcp, xdhcp-perf or xdhcp-perf-xdp" >&2; exit 1 ;;
esac

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

echo "generator: $gen (UDP segmentation offload ${GSO:-on})"
machine
# SERVERS picks which of them run (default: all, in this order). FIND=1
# bisects each one's sustainable rate between the first two RATEs instead.
all_servers="xdhcp xdhcp-raw xdhcp-udp kea-st kea-mt"
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
