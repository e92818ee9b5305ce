#!/usr/bin/env bash
# Runs every airlock benchmark found in a build directory and prints one
# summary table (goal figures of issue 8), after each benchmark's own output.
#
#   bench/run.sh [BUILD_DIR] [--quick]
#
# BUILD_DIR defaults to build-bench; configure it as a Release build:
#   cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release
#   cmake --build build-bench -j2
# Environment: HOOK_RUNS (default 500), DAEMON_SECONDS (default 5),
# BASE (a baseline build's bin directory, e.g. the previous commit built
# elsewhere: its hook runs side by side with this one in bench_hook, and
# its daemon is measured right after this one's by bench_daemon),
# AUDIT_ROWS (bench_audit history size, default 100000; the goal is 1M);
# bench_console.sh reads PENDING, ROUNDS, HIST_DIR, SKIP_HISTORY (its
# full run makes a 1M-call store in HIST_DIR once: minutes, ~1.4 GB).
set -u

SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:-$SRC/build-bench}
QUICK=no
[ "${2:-}" = --quick ] && QUICK=yes
BUILD=$(cd "$BUILD" && pwd) || exit 2
B=$BUILD/bench
OUT=$(mktemp -d /tmp/airlock-run.XXXXXX)
trap 'rm -rf "$OUT"' EXIT

echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), kernel $(uname -r)"
echo "build:   $BUILD ($(sed -n 's/^CMAKE_BUILD_TYPE:STRING=//p' "$BUILD/CMakeCache.txt"))"
echo "load:    $(cut -d' ' -f1-3 /proc/loadavg) (1/5/15 min)"
echo

run() { # name command...
	local name=$1
	shift
	if [ ! -x "$1" ]; then
		echo "== $name: not built, skipped"
		return
	fi
	echo "== $name: $*"
	"$@" 2>&1 | tee "$OUT/$name.txt"
	echo
}

BASE_ARGS=()
[ -n "${BASE:-}" ] && BASE_ARGS=(--base "$BASE")

if [ $QUICK = yes ]; then
	run bench_hook "$B/bench_hook" --quick "${BASE_ARGS[@]}"
	run bench_daemon "$B/bench_daemon" --duration 2 --pending 50
	run bench_console "$SRC/bench/bench_console.sh" "$BUILD" --quick
else
	run bench_hook "$B/bench_hook" -n "${HOOK_RUNS:-500}" "${BASE_ARGS[@]}"
	run bench_daemon "$B/bench_daemon" --duration "${DAEMON_SECONDS:-5}"
	if [ -n "${BASE:-}" ]; then
		run bench_daemon_base "$B/bench_daemon" --bin "$BASE" \
			--duration "${DAEMON_SECONDS:-5}"
	fi
	run bench_audit "$B/bench_audit" /tmp "${AUDIT_ROWS:-100000}"
	run bench_diff "$B/bench_diff"
	run bench_scan "$B/bench_scan"
	run bench_console "$SRC/bench/bench_console.sh" "$BUILD"
fi

# The summary: the hook table rows and every RESULT/GOAL line.
echo "================================ summary ================================"
if [ -f "$OUT/bench_hook.txt" ]; then
	grep -E '^(form|sh|args) ' "$OUT/bench_hook.txt"
	echo
fi
for f in "$OUT"/*.txt; do
	name=$(basename "$f" .txt)
	grep -E '^RESULT (daemon|fsync|event-decided|hook-nodaemon|hook-vs-base|console-key |console-rss)' "$f" |
		sed "s/^RESULT /[$name] /"
done
echo
printf '%-38s %12s %10s  %s\n' goal value limit status
cat "$OUT"/*.txt | grep '^GOAL ' | while read -r _ name value limit status; do
	printf '%-38s %12s %10s  %s\n' "$name" "${value#value=}" "${limit#limit=}" "$status"
done
