#!/usr/bin/env bash
# End-to-end history timings on a large generated audit database (issue 8,
# "History"): every figure includes process start, as a user sees it.
# Not part of ctest (it needs minutes and a few GB of disk).
#
#   bench/bench_history.sh [BUILD_DIR] [DIR] [ROWS] [SESSIONS]
#
# BUILD_DIR  a Release build (default build-bench); needs bin/airlock,
#            bin/airlockd, bin/airlock-hook and bench/gen_history
# DIR        AIRLOCK_HOME of the test store (default /tmp/airlock-history);
#            the database is DIR/state/audit.db. Generated when missing
#            (or with REGEN=1): ROWS calls (default 1000000) across
#            SESSIONS sessions (default 2000), about 1.4 GB at 1M.
# Environment: RUNS (hyperfine runs per query, default 30), SMALL (rows of
# the small store for the RSS comparison, default 10000).
#
# Prints: generation time; per command mean/median/min (ms) from hyperfine
# (warm page cache, 3 warm-up runs); the ratio of `airlock log` to
# `grep -F` over the JSON Lines export of the same store; `airlock
# verify` time; daemon start-up time (until it answers) and resident
# memory after start-up and after 500 hook calls, at SMALL and ROWS.
set -eu

SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$(cd "${1:-$SRC/build-bench}" && pwd)
DIR=${2:-/tmp/airlock-history}
ROWS=${3:-1000000}
SESSIONS=${4:-2000}
RUNS=${RUNS:-30}
SMALL=${SMALL:-10000}
BIN=$BUILD/bin
AIRLOCK=$BIN/airlock
command -v hyperfine >/dev/null || {
	echo "bench_history: needs hyperfine (apt-get install hyperfine)" >&2
	exit 2
}
OUT=$(mktemp -d /tmp/airlock-hist.XXXXXX)
trap 'rm -rf "$OUT"' EXIT

now_ms() { echo $(($(date +%s%N) / 1000000)); }

# gen DIR ROWS: fills DIR/state/audit.db unless it exists.
gen() {
	local dir=$1 rows=$2
	if [ -f "$dir/state/audit.db" ] && [ "${REGEN:-0}" != 1 ]; then
		return
	fi
	rm -rf "$dir"
	mkdir -p "$dir/state"
	local t0
	t0=$(now_ms)
	"$BUILD/bench/gen_history" "$dir/state/audit.db" "$rows" "$SESSIONS"
	echo "RESULT gen rows=$rows sessions=$SESSIONS seconds=$((($(now_ms) - t0) / 1000))"
}

# hf NAME RUNS COMMAND: one hyperfine measurement, one RESULT line (ms).
hf() {
	local name=$1 runs=$2
	shift 2
	hyperfine -N --warmup 3 --runs "$runs" --export-json "$OUT/$name.json" \
		"$@" >/dev/null 2>&1 || hyperfine --warmup 3 --runs "$runs" \
		--export-json "$OUT/$name.json" "$@" >/dev/null
	python3 - "$OUT/$name.json" "$name" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))["results"][0]
print("RESULT %-22s mean_ms=%8.2f median_ms=%8.2f min_ms=%8.2f runs=%d" % (
    sys.argv[2], r["mean"] * 1e3, r["median"] * 1e3, r["min"] * 1e3,
    len(r["times"])))
EOF
}

# daemon_probe DIR LABEL: start-up time and RSS of airlockd on DIR.
daemon_probe() {
	local dir=$1 label=$2 t0 pid rss0 rss1
	pgrep -f "airlockd --home $dir\$" >/dev/null && {
		echo "bench_history: a daemon already runs on $dir" >&2
		return 1
	}
	# airlockd itself (it detaches), then until its control socket
	# answers. Not `airlock daemon`: that verb's first probe is the
	# CLI's, not the daemon's cost.
	rm -f "$dir/run/control.sock"
	t0=$(now_ms)
	"$BIN/airlockd" --home "$dir"
	until [ -S "$dir/run/control.sock" ] &&
		AIRLOCK_HOME=$dir "$AIRLOCK" status >/dev/null 2>&1; do
		sleep 0.01
	done
	echo "RESULT daemon-start-$label ms=$(($(now_ms) - t0))"
	pid=$(pgrep -n -x airlockd)
	rss0=$(awk '/^VmRSS/ {print $2}' "/proc/$pid/status")
	for i in $(seq 1 500); do
		printf '{"session_id":"rss","transcript_path":"/tmp/t.jsonl","cwd":"/tmp","permission_mode":"default","hook_event_name":"PreToolUse","tool_name":"Read","tool_input":{"file_path":"/tmp/f%d"},"tool_use_id":"toolu_rss_%d"}' "$i" "$i" |
			AIRLOCK_HOME=$dir "$BIN/airlock-hook" >/dev/null 2>&1 || true
	done
	rss1=$(awk '/^VmRSS/ {print $2}' "/proc/$pid/status")
	echo "RESULT daemon-rss-$label start_kb=$rss0 after_500_calls_kb=$rss1"
	kill -TERM "$pid"
	while kill -0 "$pid" 2>/dev/null; do sleep 0.05; done
}

echo "machine: $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
gen "$DIR" "$ROWS"
ls -l "$DIR/state/audit.db" | awk '{printf "database: %.0f MB\n", $5 / 1e6}'
export AIRLOCK_HOME=$DIR

t0=$(now_ms)
"$AIRLOCK" export >"$OUT/export.jsonl"
echo "RESULT export ms=$(($(now_ms) - t0)) bytes=$(stat -c %s "$OUT/export.jsonl")"
ID=$((ROWS / 2))

hf log-substring "$RUNS" "$AIRLOCK log 'rm -rf' --limit 50"
hf grep-substring "$RUNS" "sh -c \"grep -F 'rm -rf' $OUT/export.jsonl | tail -n 50\""
hf log-word "$RUNS" "$AIRLOCK log origin --limit 50"
hf grep-word "$RUNS" "sh -c \"grep -F origin $OUT/export.jsonl | tail -n 50\""
hf log-rare "$RUNS" "$AIRLOCK log api4999.example --limit 50"
hf show "$RUNS" "$AIRLOCK show $ID"
hf sessions "$RUNS" "$AIRLOCK sessions"
hf verify 3 "$AIRLOCK verify"
for q in substring word; do
	python3 - "$OUT" "$q" <<'EOF'
import json, sys
med = lambda n: json.load(open("%s/%s.json" % (sys.argv[1], n)))["results"][0]["median"]
a, g = med("log-" + sys.argv[2]), med("grep-" + sys.argv[2])
print("RESULT ratio-%s log/grep=%.3f (grep -F is %.1fx slower)" % (sys.argv[2], a / g, g / a))
EOF
done

unset AIRLOCK_HOME
SMALLDIR=$DIR-small
gen "$SMALLDIR" "$SMALL"
daemon_probe "$SMALLDIR" "$SMALL"
daemon_probe "$DIR" "$ROWS"
