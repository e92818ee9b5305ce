#!/usr/bin/env bash
# Load (issue 7): SESSIONS concurrent agent sessions, each a loop of real
# airlock-hook processes (one call at a time, as Claude Code runs them),
# offering RATE calls/s in total for SECONDS; 5% of the calls are held for
# a human and decided by a scripted approver (`airlock pending --json` +
# `airlock approve/deny`). Default: 32 sessions, 200 calls/s offered, 30 s. The
# long variant (AIRLOCK_LONG_TESTS) runs 64 sessions for 10 minutes.
#
# What it proves: at the offered rate, zero errors (every call answered by
# the daemon, none by a fallback or an audit failure), every auto-decided
# call gets the policy's decision, zero lost events (every call has
# exactly one row, and the row agrees with what the hook printed), the
# rate is sustained (>= MIN_RATE calls/s), and the daemon's VmRSS
# stays under a bound. It reports p50/p90/p99 hook latency (process
# spawn to decision) and the RSS curve.
#
# A non-sanitizer build measures the product rather than ASan: the
# binaries of BUILD/faultpoints (built by integration_faultpoints_build;
# fault points are inert without AIRLOCK_FAULT) are used when present.
. "$(dirname "$0")/lib.sh"

SESSIONS=${AIRLOCK_LOAD_SESSIONS:-32}
SECS=${AIRLOCK_LOAD_SECONDS:-30}
RATE=${AIRLOCK_LOAD_RATE:-200}
# The sustained rate that must be reached. On a shared 2-vCPU machine the
# Python driver spawning every hook is the bottleneck (~130-145 calls/s
# measured, docs/reliability.md), so the default run requires 100/s; the
# long variant and a dedicated machine require the full 200/s.
MIN_RATE=${AIRLOCK_LOAD_MIN_RATE:-100}
MAX_RSS=${AIRLOCK_LOAD_MAX_RSS_MIB:-}
if [ -x "$BUILD/faultpoints/bin/airlock-hook" ] && [ -x "$BUILD/faultpoints/bin/airlock" ]; then
	BIN=$BUILD/faultpoints/bin
	MAX_RSS=${MAX_RSS:-64}
else
	# ASan keeps freed memory in quarantine (256 MiB by default).
	MAX_RSS=${MAX_RSS:-512}
fi
echo "binaries: $BIN"
start_daemon --approval-timeout 60
out=$(python3 "$SRC/tests/integration/load.py" "$BIN" "$AIRLOCK_HOME" \
	"$SESSIONS" "$SECS" "$RATE" "$MAX_RSS" "$MIN_RATE" 2>&1)
rc=$?
echo "$out"
check "load: $SESSIONS sessions at $RATE calls/s for $SECS s" [ $rc -eq 0 ]
check "daemon alive after the load" kill -0 "$T_DAEMON_PID"
check "audit chain verifies after the load" "$BIN/airlock" verify
finish
