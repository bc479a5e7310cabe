#!/usr/bin/env bash
# Runs every fuzz target for a bounded time on the kept corpus; any crash fails.
# Usage: dataplane/fuzz/run.sh [seconds-per-target]   (default 30)
set -euo pipefail
cd "$(dirname "$0")"
seconds=${1:-30}
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked --quiet
# Stable Rust: no sanitizer, libFuzzer's coverage instrumentation only. The
# targets assert their own invariants, so crashes still surface as panics.
for target in $(cargo fuzz list); do
  mkdir -p "corpus/$target"
  echo "fuzz: $target for ${seconds}s"
  log=$(mktemp)
  if ! cargo fuzz run "$target" --sanitizer none -- -max_total_time="$seconds" "corpus/$target" >"$log" 2>&1; then
    tail -n 40 "$log"
    echo "fuzz: $target failed; reproducer in dataplane/fuzz/artifacts/$target" >&2
    exit 1
  fi
  grep -E "^Done" "$log"
  rm -f "$log"
done
