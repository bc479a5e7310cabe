#!/usr/bin/env bash
# Builds and runs the Kea 2.2 codec benchmark (bench.cc) against the Debian
# kea-dev package, on the same DISCOVER the Rust codec bench parses.
#
#   perf/kea-codec/run.sh [ITERATIONS]      (default 1000000; needs root to install deps)
#
# Build output goes to $KEA_BENCH_BUILD (default /tmp/xdhcp-kea-codec), never into the repo.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
fixture="$repo/perf/fixtures/discover-10-options.bin"
build="${KEA_BENCH_BUILD:-/tmp/xdhcp-kea-codec}"

# kea-dev and libboost-dev (headers), g++: installed with the rest of the system packages.
bash "$repo/tools/install-deps.sh"

mkdir -p "$build"
g++ -O2 -std=c++17 -Wall -Wextra -Wno-sign-compare \
  -I/usr/include/kea \
  "$here/bench.cc" -o "$build/bench" \
  -lkea-dhcp++ -lkea-asiolink -lkea-util -lkea-exceptions

echo "kea-common $(dpkg-query -W -f='${Version}' kea-common), $(nproc) CPUs, $(lscpu | sed -n 's/^Model name:[[:space:]]*//p')"
exec "$build/bench" "$fixture" "${1:-1000000}"
