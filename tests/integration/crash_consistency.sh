#!/usr/bin/env bash
# Crash consistency (issue 7): airlockd is SIGKILLed over and over — at
# random moments and at named crash points inside the decision path
# (ipc/faultpoint.h: decided but unwritten, written but uncommitted,
# committed but unanswered, a batch half answered, a pending action held,
# a human's decision before and after its row, restoring pending actions
# at start) — and restarted each time, while real airlock-hook processes
# submit a seeded mix of auto-allowed, auto-denied and held calls and a
# scripted approver decides held ones through `airlock approve/deny`.
#
# What it proves, comparing every hook's printed decision with the
# database at the end:
#   - no hook printed allow without a committed row that says allow
#     (policy allow, or approved by a human);
#   - no decision a hook received from the daemon is missing from the
#     database, and none disagrees with its row (no lost rows);
#   - no request has two rows (retries after a restart are deduplicated);
#   - no action has more than one final decision, and none stays pending;
#   - no pending action became allow through a restart: every approval
#     row names an approve request the approver actually sent, never
#     airlockd itself;
#   - `airlock verify` passes after every crash, PRAGMA integrity_check
#     is ok at the end; every hook answered (no hang, no garbage).
# It also reports restart-to-serving times (start to the first answer on
# hook.sock). With AIRLOCK_RESTART_ROWS=N and bench's gen_history built,
# it measures restart time over an N-row history too.
#
# Needs an airlockd built with -DAIRLOCK_FAULTPOINTS=ON: BUILD/faultpoints
# (made by the ctest fixture integration_faultpoints_build) or BUILD itself
# when it was configured with the option.
. "$(dirname "$0")/lib.sh"

CYCLES=${AIRLOCK_CRASH_CYCLES:-48}
PER_CYCLE=${AIRLOCK_CRASH_CALLS:-40}
SEED=${AIRLOCK_CRASH_SEED:-7}

if grep -q '^AIRLOCK_FAULTPOINTS:BOOL=ON' "$BUILD/CMakeCache.txt" 2>/dev/null; then
	FP_DAEMON=$BIN/airlockd
else
	FP_DAEMON=$BUILD/faultpoints/bin/airlockd
fi
if [ ! -x "$FP_DAEMON" ]; then
	echo "SKIP: no airlockd with fault points ($FP_DAEMON); run the" \
		"integration_faultpoints_build test or configure with -DAIRLOCK_FAULTPOINTS=ON"
	rm -rf "$AIRLOCK_HOME"
	exit 77
fi
# A production daemon ignores AIRLOCK_FAULT entirely: prove the points
# are compiled out of the normal build (when it is not a fault build).
if [ "$FP_DAEMON" != "$BIN/airlockd" ]; then
	AIRLOCK_FAULT=hook_decided:1 start_daemon
	out=$(event "$PAYLOADS/PreToolUse.Read.json" | timeout 10 "$BIN/airlock-hook" --deadline 5)
	check "normal build: AIRLOCK_FAULT has no effect" \
		[ "$(echo "$out" | decision)" = allow ]
	check "normal build: daemon still alive after the call" kill -0 "$T_DAEMON_PID"
	stop_daemon
	rm -rf "$AIRLOCK_HOME/state" "$AIRLOCK_HOME/run"
fi

# Hooks and CLI of the same non-sanitizer tree when present: ASan start-up
# would make the approver the bottleneck, and the daemon is under test.
CBIN=$BIN
[ -x "$(dirname "$FP_DAEMON")/airlock" ] && [ -x "$(dirname "$FP_DAEMON")/airlock-hook" ] &&
	CBIN=$(dirname "$FP_DAEMON")
out=$(timeout 900 python3 "$SRC/tests/integration/crash_consistency.py" "$CBIN" \
	"$FP_DAEMON" "$AIRLOCK_HOME" "$CYCLES" "$PER_CYCLE" "$SEED" 2>&1)
rc=$?
echo "$out"
check "crash consistency over $CYCLES crash/restart cycles" [ $rc -eq 0 ]

# Restart time over a large history (long variant, or by hand).
if [ -n "${AIRLOCK_RESTART_ROWS:-}" ]; then
	GEN=$BUILD/bench/gen_history
	H=$(mktemp -d /tmp/airlock-big.XXXXXX)
	mkdir -p "$H/state"
	if [ -x "$GEN" ] && timeout 3600 "$GEN" "$H/state/audit.db" \
		"$AIRLOCK_RESTART_ROWS" 2000 >/dev/null 2>&1; then
		big=$(AIRLOCK_HOME=$H SRC=$SRC python3 - "$FP_DAEMON" "$H" <<'PY'
import os, signal, subprocess, sys
sys.path.insert(0, os.path.join(os.environ.get("SRC", "."), "tests/integration"))
import rel_lib as R
times = []
for i in range(5):
    p = subprocess.Popen([sys.argv[1], "--foreground"], stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL)
    ms = R.wait_ready(os.path.join(sys.argv[2], "run"), 60)
    p.send_signal(signal.SIGKILL)
    p.wait()
    times.append(ms if ms is not None else float("inf"))
times.sort()
print("%.0f %.0f" % (times[len(times) // 2], times[-1]))
PY
)
		echo "restart over $AIRLOCK_RESTART_ROWS rows (ms): median/max $big"
		check "restart over $AIRLOCK_RESTART_ROWS rows serves" [ -n "$big" ]
	else
		skip "restart over $AIRLOCK_RESTART_ROWS rows: gen_history unavailable or too slow"
	fi
	rm -rf "$H"
fi

finish
