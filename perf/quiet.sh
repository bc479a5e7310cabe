#!/usr/bin/env bash
# Runs "$@" with every compiler and linker on the machine paused (SIGSTOP),
# then resumes them: on a 2-core development machine shared with builds,
# this is how the timings in RESULTS.md marked "compilers paused" were
# taken. Test binaries and servers keep running.
#
#   sudo perf/quiet.sh COMMAND [ARGS...]
# cargo too, or a paused build's cargo starts the next rustc meanwhile.
pids=$( (pgrep -x cargo; pgrep -f 'rustc|/cc1|ld.lld|/ld |clang') | tr '\n' ' ')
[ -n "$pids" ] && kill -STOP $pids 2>/dev/null
trap '[ -n "$pids" ] && kill -CONT $pids 2>/dev/null' EXIT
sleep 1
"$@"
