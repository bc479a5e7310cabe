#!/usr/bin/env bash
# Frames per second the AF_XDP generator alone sends.
#
#   sudo [FAMILY=4|6] [QUEUES=N] [GEN_CPUS=LIST] perf/bench-gen.sh [SECONDS] [RATE]
#
# The lab of bench-lib.sh, but the server's end of the veth runs an XDP
# program that drops every frame, as a server's steering program takes them
# off the wire, so nothing but the generator (and the kernel moving its
# frames across the veth) is measured. `xdhcp-perf --xdp -i` sends
# DISCOVERs (SOLICITs with FAMILY=6) from 4 M clients at RATE (default
# 3,000,000/s) for SECONDS, one thread per queue of the link (QUEUES,
# default 1).
source "$(dirname "$0")/bench-lib.sh"
cat > "$work/drop.c" <<'C'
#include <linux/bpf.h>
__attribute__((section("xdp"), used)) int drop_all(struct xdp_md *ctx) { return XDP_DROP; }
char _license[] __attribute__((section("license"), used)) = "GPL";
C
clang -O2 -g -target bpf -I"/usr/include/$(uname -m)-linux-gnu" -c "$work/drop.c" -o "$work/drop.o"
ip -n $srv link set dev $srv xdp obj "$work/drop.o" sec xdp
# A veth delivers to its peer in the sender's softirq, which would bill the
# receiving end (the server's side of the wire) to the generator's core.
# Threaded NAPI on the server's end, pinned to another CPU, keeps the
# generator's core for the generator, as a NIC's DMA would.
if [ "${SPLIT_RX:-1}" = 1 ]; then
  ip netns exec $srv sh -c "echo 1 > /sys/class/net/$srv/threaded"
  for pid in $(pgrep "^napi/$srv-"); do taskset -p -c "${RX_CPUS:-0}" "$pid" >/dev/null; done
fi
rate=3000000
[ $# -gt 0 ] && rate=${rates[0]}
machine
out=$(ip netns exec $cli taskset -c "${GEN_CPUS:-1}" "$perf_bin" -"${FAMILY:-4}" --xdp -i -l $cli \
  -r "$rate" -R 4000000 -p "$seconds" --json 2>&1 || true)
grep -q '"sent"' <<<"$out" || { echo "$out" >&2; exit 1; }
awk -v s="$seconds" '/"sent"/ { gsub(/,/, ""); printf "v%s, %d queue(s), CPUs %s: %d frames in %s s, %.0f frames/s\n", f, q, c, $2, s, $2 / s; exit }' \
  f="${FAMILY:-4}" q="$queues" c="${GEN_CPUS:-1}" <<<"$out"
