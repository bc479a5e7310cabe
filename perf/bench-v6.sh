#!/usr/bin/env bash
# DHCPv6 lease rate of xdhcp and Kea 2.2 (kea-dhcp6), side by side, on one
# machine: full SOLICIT/ADVERTISE/REQUEST/REPLY exchanges.
#
#   sudo [GEN=xdhcp-perf-xdp|xdhcp-perf|perfdhcp] [LEASES=address-only|prefix-only|address-and-prefix] \
#        [SERVERS="xdhcp kea-st kea-mt"] [FIND=1] [QUEUES=N GEN_CPUS=LIST] \
#        perf/bench-v6.sh [SECONDS] [RATE...]
#
# The lab, measurement, report and bisection are bench-v4.sh's
# (bench-lib.sh): a server and a client namespace joined by a veth pair,
# subnet 2001:db8:1::/64 with a pool of 2^48 addresses and a pd-pool of 2^30
# /64 prefixes, memfile without persistence, a fresh server for every run,
# the server on CPU 0 and the generator on CPU 1, 4 M distinct clients.
#
# GEN=xdhcp-perf-xdp (default) simulates directly connected clients at
# layer 2 over AF_XDP: every SOLICIT and REQUEST leaves from its client's MAC
# and link-local address (EUI-64) to ff02::1:2. GEN=xdhcp-perf sends the same
# from one UDP socket on port 546 (the client namespace's own link-local
# address), GEN=perfdhcp is Kea's generator, likewise.
#
# Kea answers through the kernel, which would resolve each simulated
# client's link-local address by neighbour discovery that nobody answers;
# the server's veth is set NOARP, so its replies go to the veth's own MAC
# and cross to the client's end, where the generator's XDP program takes
# them by UDP port whatever their destination MAC. xdhcp over AF_XDP
# addresses replies itself (to the client's MAC) and is unaffected.
source "$(dirname "$0")/bench-lib.sh"
gen=${GEN:-xdhcp-perf-xdp}
leases=${LEASES:-address-only}
case $gen in
  perfdhcp) gen_args=(perfdhcp -6 -e "$leases" -l $cli) ;;
  xdhcp-perf) gen_args=("$perf_bin" -6 -e "$leases" -l $cli) ;;
  xdhcp-perf-xdp) gen_args=("$perf_bin" -6 --xdp -e "$leases" -l $cli) ;;
  *) echo "bench: GEN must be xdhcp-perf-xdp, xdhcp-perf or perfdhcp" >&2; exit 1 ;;
esac
ip -n $srv link set $srv arp off

# Both servers log at WARN: a line per lease (their INFO default) measures
# the logger, not the server.
config() { # interfaces-config-extra multi-threading
  cat <<JSON
{ "Dhcp6": {
    "interfaces-config": { "interfaces": [ "$srv" ] $1 },
    "data-directory": "$work",
    "lease-database": { "type": "memfile", "persist": false },
    "loggers": [ { "name": "kea-dhcp6", "severity": "WARN", "output_options": [ { "output": "stdout" } ] } ],
    "multi-threading": { "enable-multi-threading": $2, "thread-pool-size": 2, "packet-queue-size": 256 },
    "preferred-lifetime": 3000, "valid-lifetime": 4000, "renew-timer": 1000, "rebind-timer": 2000,
    "subnet6": [ { "id": 1, "subnet": "2001:db8:1::/64", "interface": "$srv",
                   "pools": [ { "pool": "2001:db8:1::/80" } ],
                   "pd-pools": [ { "prefix": "2001:db8:8000::", "prefix-len": 34, "delegated-len": 64 } ] } ] } }
JSON
}

echo "generator: $gen, -e $leases, $queues queue(s)"
machine
# SERVERS picks which of them run (default: all, in this order). FIND=1
# bisects each one's sustainable rate between the first two RATEs instead.
all_servers="xdhcp kea-st kea-mt"
config ', "dhcp-socket-type": "xdp"' false > "$work/xdhcp.json"
want xdhcp && run xdhcp "$bin" -c "$work/xdhcp.json"
mkdir -p /run/kea
for mt in false true; do
  config "" $mt > "$work/kea-$mt.json"
  name="kea$([ $mt = true ] && echo -mt || echo -st)"
  want "$name" && run "$name" \
    env KEA_LOCKFILE_DIR=none KEA_PIDFILE_DIR="$work" kea-dhcp6 -c "$work/kea-$mt.json"
done
true
