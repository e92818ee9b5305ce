#!/usr/bin/env bash
# Clock jumps: approval deadlines run on the monotonic clock, so moving the
# wall clock two hours forward does not time a pending call out at once,
# and moving it two hours back does not keep it waiting for two hours. The
# daemon runs under libfaketime, with the wall clock (only) jumped while a
# call is pending. Uses the non-sanitizer binaries of BUILD/faultpoints
# (libfaketime cannot be preloaded before ASan's runtime).
. "$(dirname "$0")/lib.sh"

FT=$(ls /usr/lib/*/faketime/libfaketimeMT.so.1 2>/dev/null | head -1)
if [ -z "$FT" ]; then
	echo "SKIP: libfaketime is not installed (Debian package libfaketime)"; exit 77
fi
if [ ! -x "$BUILD/faultpoints/bin/airlockd" ]; then
	echo "SKIP: no non-sanitizer build in $BUILD/faultpoints"; exit 77
fi
BIN=$BUILD/faultpoints/bin
CLOCK=$AIRLOCK_HOME/faketime
echo "+0" >"$CLOCK"
LD_PRELOAD=$FT FAKETIME_TIMESTAMP_FILE=$CLOCK FAKETIME_NO_CACHE=1 \
	DONT_FAKE_MONOTONIC=1 "$BIN/airlockd" --foreground --approval-timeout 4 \
	>>"$AIRLOCK_HOME/daemon.log" 2>&1 &
T_DAEMON_PID=$!
wait_for 5 "$BIN/airlock" status >/dev/null

# held_after JUMP: submits a held call, jumps the daemon's wall clock,
# prints how many seconds the call waited and its answer.
held_after() {
	local jump=$1 start out
	echo "+0" >"$CLOCK"
	start=$(date +%s%N)
	event "$PAYLOADS/PreToolUse.Bash.json" "d['tool_input']['command']='touch clock-$RANDOM'" |
		timeout 30 "$BIN/airlock-hook" --deadline 25 >"$AIRLOCK_HOME/out" &
	local hook=$!
	sleep 0.5
	echo "$jump" >"$CLOCK"
	wait $hook
	echo "$(( ($(date +%s%N) - start) / 1000000 )) $(cat "$AIRLOCK_HOME/out")"
}

r=$(held_after "+2h")
ms=${r%% *}
echo "forward jump: waited $ms ms: ${r#* }"
check "wall clock 2 h forward: the call still waits its 4 s (${ms} ms)" \
	[ "$ms" -ge 3500 -a "$ms" -lt 12000 ]
check "... and then times out as deny" bash -c "grep -q 'timed out' <<<'${r#* }'"
# The jump did happen in the daemon: its wall clock says the call ended
# two hours after it arrived (what a wall-clock deadline would have seen).
check "the daemon's wall clock really jumped" python3 -c '
import json, subprocess, sys
rows = [json.loads(l) for l in subprocess.run([sys.argv[1], "log", "--json"],
        capture_output=True, text=True).stdout.splitlines() if l.strip()]
held = [r for r in rows if r.get("state") == "timeout"]
sys.exit(0 if held and held[0]["decided_ms"] - held[0]["received_ms"] > 3600000 else 1)' "$BIN/airlock"

r=$(held_after "-2h")
ms=${r%% *}
echo "backward jump: waited $ms ms: ${r#* }"
check "wall clock 2 h back: the call still times out after 4 s (${ms} ms)" \
	[ "$ms" -ge 3500 -a "$ms" -lt 12000 ]
check "... as deny" bash -c "grep -q '\"deny\"' <<<'${r#* }'"
finish
