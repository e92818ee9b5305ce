#!/usr/bin/env bash
# Console frame time and memory under load (issue 8): the real `airlock`
# console in a private tmux server, driven key by key.
#
#   bench/bench_console.sh [BUILD_DIR] [--quick]
#
# BUILD_DIR  a Release build (default build-bench) with bin/airlock,
#            bin/airlockd, bench/console_load and bench/gen_history
#
# 1. Queue: bench/console_load starts a private airlockd holding PENDING
#    calls (Bash `touch held-N`, each on its own open hook connection) and
#    two Writes whose diffs have DIFF_LINES lines (a new file: every line
#    added; an existing file with 1 % of its lines changed). The console
#    runs against it with AIRLOCK_FRAME_LOG set: for every key it logs the
#    time from reading the key to the redrawn screen (curses' doupdate()
#    done). The script sends one key at a time with tmux send-keys and
#    polls capture-pane until the screen changes (the clock columns
#    masked): the outside view, which adds tmux and the polling (a few
#    ms) to the in-process figure. Keys: moving in the queue (j k g G),
#    opening each large diff (selecting it builds its detail), scrolling it
#    (PgDn J K PgUp), switching views (1 2 3 4) and searching the history
#    as you type (/ then letters).
# 2. History: the console against a 1M-call audit store (HIST_DIR, made by
#    bench/gen_history when missing: a few minutes, ~1.4 GB): the history
#    view, moving in it, searching as you type, sessions.
# Both report the console's VmRSS and VmHWM (peak) from /proc.
#
# Environment: PENDING (default 10000, --quick 1000), DIFF_LINES (50000),
# ROUNDS (key sequence repeats: 3, --quick 1), HIST_DIR
# (/tmp/airlock-con-hist1m), HIST_ROWS (1000000), SKIP_HISTORY=1, COLS and
# ROWS of the terminal (120x40), KEEP=1 keeps the frame logs.
#
# Output: RESULT lines per key class (N, p50/p90/p99/max in-process and
# p50/p90/max outside), RESULT rss lines and GOAL lines for bench/run.sh.
set -u

SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$SRC/build-bench
QUICK=no
for a in "$@"; do
	case $a in
	--quick) QUICK=yes ;;
	*) BUILD=$a ;;
	esac
done
BUILD=$(cd "$BUILD" && pwd) || exit 2
if [ $QUICK = yes ]; then
	PENDING=${PENDING:-1000}
	ROUNDS=${ROUNDS:-1}
else
	PENDING=${PENDING:-10000}
	ROUNDS=${ROUNDS:-3}
fi
DIFF_LINES=${DIFF_LINES:-50000}
# lines console_load changes in big-edit.txt: every 100th, from line 50
EDITED=$((DIFF_LINES / 100 + (DIFF_LINES % 100 > 50 ? 1 : 0)))
HIST_DIR=${HIST_DIR:-/tmp/airlock-con-hist1m}
HIST_ROWS=${HIST_ROWS:-1000000}
COLS=${COLS:-120}
ROWS=${ROWS:-40}
BIN=$BUILD/bin
for f in "$BIN/airlock" "$BIN/airlockd" "$BUILD/bench/console_load"; do
	[ -x "$f" ] || {
		echo "bench_console: $f is not built" >&2
		exit 2
	}
done
command -v tmux >/dev/null || {
	echo "bench_console: needs tmux" >&2
	exit 2
}

OUT=$(mktemp -d /tmp/airlock-bcon.XXXXXX)
SOCK=airlock-bcon-$$
LOAD_PID=
HIST_PID=
tmx() { tmux -L "$SOCK" -f /dev/null "$@"; }
cleanup() {
	tmx kill-server 2>/dev/null
	[ -n "$LOAD_PID" ] && kill -TERM "$LOAD_PID" 2>/dev/null && wait "$LOAD_PID"
	[ -n "$HIST_PID" ] && kill -TERM "$HIST_PID" 2>/dev/null
	if [ "${KEEP:-0}" = 1 ]; then
		echo "bench_console: logs kept in $OUT"
	else
		rm -rf "$OUT"
	fi
}
trap cleanup EXIT

echo "machine: $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "console: ${COLS}x${ROWS}, $PENDING pending + 2 Writes of $DIFF_LINES lines, $ROUNDS rounds"

# console_start NAME HOME LOG: the console in its own tmux session.
console_start() {
	local cmd="exec env AIRLOCK_HOME='$2' TERM=tmux-256color"
	cmd="$cmd LANG=C.UTF-8 LC_ALL=C.UTF-8 AIRLOCK_FRAME_LOG='$3'"
	cmd="$cmd DBUS_SESSION_BUS_ADDRESS= XDG_RUNTIME_DIR= '$BIN/airlock'"
	cmd="$cmd 2>>'$OUT/console-$1.err'"
	tmx new-session -d -s "$1" -x "$COLS" -y "$ROWS" "$cmd"
	tmx set -g remain-on-exit on >/dev/null
}

# settle LOG: until the console logs a pump that changed nothing.
settle() {
	local deadline=$((SECONDS + 60))
	until grep -q '^work=pump .* mask=0' "$1" 2>/dev/null; do
		[ $SECONDS -ge $deadline ] && break
		sleep 0.1
	done
}

console_pid() { tmx list-panes -t "$1" -F '#{pane_pid}'; }

# rss LABEL PID: VmRSS and VmHWM (kB) of the console.
rss() {
	awk -v l="$1" '/^VmRSS/ {r=$2} /^VmHWM/ {h=$2}
		END {printf "RESULT console-rss %s rss_kb=%d hwm_kb=%d rss_mb=%.1f hwm_mb=%.1f\n", l, r, h, r/1024, h/1024}' \
		"/proc/$2/status"
}

# drive NAME LOG SCRIPT: sends the keys of SCRIPT (lines "class key
# [wait-for-text]"), one at a time, and prints the statistics.
drive() {
	python3 - "$SOCK" "$1" "$2" "$3" <<'EOF'
import re, subprocess, sys, time
sock, name, log, script = sys.argv[1:5]
CLOCK = re.compile(r"\b\d+[smhd](\d+[smhd])?\b")

def screen():
    r = subprocess.run(["tmux", "-L", sock, "-f", "/dev/null", "capture-pane",
                        "-p", "-t", name], capture_output=True, text=True)
    return CLOCK.sub("T", r.stdout)

def log_lines():
    try:
        return [l for l in open(log).read().splitlines()
                if l.startswith("frame_ms=")]
    except FileNotFoundError:
        return []

def pct(v, p):
    if not v:
        return 0.0
    v = sorted(v)
    k = max(1, min(len(v), int(p / 100.0 * len(v) + 0.999999)))
    return v[k - 1]

steps = [l.split(None, 2) for l in open(script).read().splitlines() if l.strip()]
inner, outer, unchanged = {}, {}, {}
for step in steps:
    cls, key = step[0], step[1]
    want = step[2] if len(step) > 2 else None
    before, n0 = screen(), len(log_lines())
    t0 = time.monotonic()
    subprocess.run(["tmux", "-L", sock, "-f", "/dev/null", "send-keys",
                    "-t", name] + (["-l", key] if len(key) == 1 else [key]))
    changed = False
    while time.monotonic() - t0 < 10:
        s = screen()
        if s != before and (want is None or want in s):
            changed = True
            break
    t1 = time.monotonic()
    # the console's own line for this key
    while len(log_lines()) <= n0 and time.monotonic() - t0 < 20:
        time.sleep(0.01)
    lines = log_lines()[n0:]
    if not lines:
        print("bench_console: no frame log line for %s %s" % (cls, key))
        continue
    m = re.search(r"frame_ms=([0-9.]+)", lines[0])
    inner.setdefault(cls, []).append(float(m.group(1)))
    if changed:
        outer.setdefault(cls, []).append((t1 - t0) * 1e3)
    else:
        unchanged[cls] = unchanged.get(cls, 0) + 1
    # let the next key start from a settled screen
    time.sleep(0.02)

allv = []
for cls in inner:
    v, o = inner[cls], outer.get(cls, [])
    allv += v
    print("RESULT console-key %-14s n=%3d p50_ms=%7.2f p90_ms=%7.2f p99_ms=%7.2f "
          "max_ms=%7.2f  outside n=%3d p50_ms=%7.2f p90_ms=%7.2f max_ms=%7.2f%s" % (
          cls, len(v), pct(v, 50), pct(v, 90), pct(v, 99), max(v),
          len(o), pct(o, 50), pct(o, 90), max(o) if o else 0,
          "  (%d without a visible change)" % unchanged[cls] if cls in unchanged else ""))
work = {}
for l in open(log).read().splitlines():
    m = re.match(r"work=(\w+) ms=([0-9.]+)", l)
    if m:
        work.setdefault(m.group(1), []).append(float(m.group(2)))
for w, v in sorted(work.items()):
    print("RESULT console-work %-6s %s n=%d p50_ms=%.2f p99_ms=%.2f max_ms=%.2f" % (
          w, name, len(v), pct(v, 50), pct(v, 99), max(v)))
print("RESULT console-key-all %s n=%d p50_ms=%.2f p99_ms=%.2f max_ms=%.2f" % (
      name, len(allv), pct(allv, 50), pct(allv, 99), max(allv) if allv else 0))
EOF
}

# queue_script ROUNDS: the key sequence in the queue (see the header).
queue_script() {
	local r i
	for ((r = 0; r < $1; r++)); do
		for ((i = 0; i < 10; i++)); do echo "queue-move j"; done
		for ((i = 0; i < 10; i++)); do echo "queue-move k"; done
		echo "queue-end-diff End"
		echo "queue-home g"
		echo "queue-end-diff G"
		echo "diff-open k Diff +$DIFF_LINES "
		for ((i = 0; i < 10; i++)); do echo "diff-scroll PgDn"; done
		for ((i = 0; i < 5; i++)); do echo "diff-scroll J"; done
		for ((i = 0; i < 5; i++)); do echo "diff-scroll K"; done
		for ((i = 0; i < 5; i++)); do echo "diff-scroll PgUp"; done
		echo "diff-open j Diff +$EDITED "
		for ((i = 0; i < 10; i++)); do echo "diff-scroll PgDn"; done
		echo "view-switch 2 | history"
		echo "view-switch 3 | sessions"
		echo "view-switch 4 | alerts"
		echo "view-switch 1 | queue"
		echo "view-switch 2 | history"
		echo "search-open /"
		for k in t o u c h; do echo "search-type $k"; done
		echo "search-type Enter"
		echo "view-switch 1 | queue"
		echo "queue-home g"
	done
}

# history_script ROUNDS
history_script() {
	local r i
	for ((r = 0; r < $1; r++)); do
		echo "view-switch 2 | history"
		for ((i = 0; i < 10; i++)); do echo "hist-move j"; done
		echo "hist-move G"
		echo "hist-move g"
		echo "search-open /"
		for k in r m Space - r f; do echo "search-type $k"; done
		echo "search-type Enter"
		echo "search-open /"
		for k in o r i g i n; do echo "search-type $k"; done
		echo "search-type Escape"
		echo "view-switch 3 | sessions"
		echo "view-switch 1 | queue"
	done
}

# ---- 1. the queue ---------------------------------------------------------
"$BUILD/bench/console_load" --bin "$BIN" --pending "$PENDING" \
	--diff-lines "$DIFF_LINES" >"$OUT/load.out" 2>"$OUT/load.err" &
LOAD_PID=$!
deadline=$((SECONDS + 900))
until grep -q '^READY ' "$OUT/load.out"; do
	if ! kill -0 "$LOAD_PID" 2>/dev/null || [ $SECONDS -ge $deadline ]; then
		echo "bench_console: console_load failed:" >&2
		cat "$OUT/load.out" "$OUT/load.err" >&2
		exit 1
	fi
	sleep 0.5
done
grep '^RESULT' "$OUT/load.out"
HOME_Q=$(sed -n 's/^READY home=\([^ ]*\) .*/\1/p' "$OUT/load.out")
console_start q "$HOME_Q" "$OUT/frames-q.log"
deadline=$((SECONDS + 120))
until tmx capture-pane -p -t q 2>/dev/null | grep -q " $((PENDING + 2)) pending"; do
	if [ $SECONDS -ge $deadline ]; then
		echo "bench_console: the console never showed the queue:" >&2
		tmx capture-pane -p -t q >&2
		exit 1
	fi
	sleep 0.2
done
# settled: a pump that found nothing new (the first ones take the
# daemon's snapshot)
settle "$OUT/frames-q.log"
QPID=$(console_pid q)
rss "queue-start pending=$((PENDING + 2))" "$QPID" | tee "$OUT/rss-q0.txt"
queue_script "$ROUNDS" >"$OUT/keys-q.txt"
drive q "$OUT/frames-q.log" "$OUT/keys-q.txt" | tee "$OUT/keys-q.out"
rss "queue-end pending=$((PENDING + 2))" "$QPID" | tee "$OUT/rss-q1.txt"
tmx send-keys -t q q
kill -TERM "$LOAD_PID" && wait "$LOAD_PID"
LOAD_PID=

# ---- 2. history at 1M -------------------------------------------------------
if [ "${SKIP_HISTORY:-0}" != 1 ] && [ $QUICK = no ]; then
	if [ ! -f "$HIST_DIR/state/audit.db" ]; then
		mkdir -p "$HIST_DIR/state"
		echo "bench_console: generating $HIST_ROWS calls in $HIST_DIR (minutes)"
		"$BUILD/bench/gen_history" "$HIST_DIR/state/audit.db" "$HIST_ROWS" 2000 ||
			exit 1
	fi
	rm -f "$HIST_DIR/run/control.sock"
	"$BIN/airlockd" --home "$HIST_DIR" --foreground --approval-timeout 86400 \
		2>"$OUT/hist-daemon.err" &
	HIST_PID=$!
	until [ -S "$HIST_DIR/run/control.sock" ] &&
		AIRLOCK_HOME=$HIST_DIR "$BIN/airlock" status >/dev/null 2>&1; do
		kill -0 "$HIST_PID" 2>/dev/null || {
			echo "bench_console: airlockd on $HIST_DIR died" >&2
			cat "$OUT/hist-daemon.err" >&2
			exit 1
		}
		sleep 0.1
	done
	console_start h "$HIST_DIR" "$OUT/frames-h.log"
	deadline=$((SECONDS + 60))
	until tmx capture-pane -p -t h 2>/dev/null | grep -q " 0 pending"; do
		[ $SECONDS -ge $deadline ] && break
		sleep 0.2
	done
	settle "$OUT/frames-h.log"
	HPID=$(console_pid h)
	rss "history-start rows=$HIST_ROWS" "$HPID" | tee "$OUT/rss-h0.txt"
	history_script "$ROUNDS" >"$OUT/keys-h.txt"
	drive h "$OUT/frames-h.log" "$OUT/keys-h.txt" | tee "$OUT/keys-h.out"
	rss "history-end rows=$HIST_ROWS" "$HPID" | tee "$OUT/rss-h1.txt"
	tmx send-keys -t h q
	kill -TERM "$HIST_PID" && wait "$HIST_PID"
	HIST_PID=
fi

# ---- goals --------------------------------------------------------------------
awk '/^RESULT console-key-all/ {for (i = 1; i <= NF; i++) if ($i ~ /^(p99|max)_ms=/) {split($i, kv, "="); if (kv[2] + 0 > v[kv[1]] + 0) v[kv[1]] = kv[2]}}
	END {printf "GOAL console-key-redraw-p99-ms value=%.2f limit=16 %s\n", v["p99_ms"], v["p99_ms"] < 16 ? "met" : "MISSED";
	     printf "GOAL console-key-redraw-max-ms value=%.2f limit=16 %s\n", v["max_ms"], v["max_ms"] < 16 ? "met" : "MISSED"}' \
	"$OUT"/keys-*.out
# memory: the goal is for the 1M-row history; the queue's is reported
cat "$OUT"/rss-h*.txt 2>/dev/null | awk '{for (i = 1; i <= NF; i++) if ($i ~ /^hwm_kb=/) {split($i, kv, "="); if (kv[2] + 0 > m + 0) m = kv[2]}}
	END {if (m > 0) printf "GOAL console-history-peak-rss-mb value=%.1f limit=30 %s\n", m / 1024, m / 1024 < 30 ? "met" : "MISSED"}'
