# Shared helpers for airlock's integration tests (bash). Each test script
# takes the build directory as $1, runs real processes on a private
# AIRLOCK_HOME and ends with the line "N passed, M failed".
set -u

BUILD=$(cd "${1:?usage: $0 BUILD_DIR}" && pwd)
BIN=$BUILD/bin
SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
SHARED=${AIRLOCK_SHARED_DIR:-$SRC/../shared}
PAYLOADS=$SHARED/claude-code/payloads
T_PASS=0
T_FAIL=0
T_SKIP=0
T_DAEMON_PID=
export AIRLOCK_HOME=$(mktemp -d /tmp/airlock-it.XXXXXX)
# A process started by Claude Code carries CLAUDECODE=1, and the daemon
# refuses control requests from such processes: tests are not the agent.
unset CLAUDECODE CLAUDE_CODE_ENTRYPOINT

pass() { T_PASS=$((T_PASS + 1)); echo "PASS: $*"; }
fail() { T_FAIL=$((T_FAIL + 1)); echo "FAIL: $*"; }
skip() { T_SKIP=$((T_SKIP + 1)); echo "SKIP: $*"; }

# check NAME COMMAND...: passes when COMMAND succeeds.
check() {
	local name=$1
	shift
	if "$@"; then pass "$name"; else fail "$name"; fi
}

start_daemon() {
	"$BIN/airlockd" --foreground "$@" >>"$AIRLOCK_HOME/daemon.log" 2>&1 &
	T_DAEMON_PID=$!
	wait_for 5 "$BIN/airlock" status >/dev/null
}

stop_daemon() {
	if [ -n "$T_DAEMON_PID" ]; then
		kill "$T_DAEMON_PID" 2>/dev/null
		wait "$T_DAEMON_PID" 2>/dev/null
		T_DAEMON_PID=
	fi
}

kill9_daemon() {
	if [ -n "$T_DAEMON_PID" ]; then
		kill -9 "$T_DAEMON_PID" 2>/dev/null
		wait "$T_DAEMON_PID" 2>/dev/null
		T_DAEMON_PID=
	fi
}

# wait_for SECONDS COMMAND...: retries COMMAND until it succeeds.
wait_for() {
	local deadline=$((SECONDS + $1))
	shift
	while ! "$@" 2>/dev/null; do
		[ $SECONDS -ge $deadline ] && return 1
		sleep 0.05
	done
}

# The id of the newest pending action whose JSON contains $1.
pending_id() {
	"$BIN/airlock" pending --json 2>/dev/null | grep -F -- "$1" |
		tail -n 1 | python3 -c 'import json,sys; print(json.loads(sys.stdin.readline())["id"])' 2>/dev/null
}

has_pending() { [ -n "$(pending_id "$1")" ]; }
no_pending() { ! has_pending "$1"; }

# event FILE [python-expression-on-d]: a payload, optionally modified.
event() {
	python3 - "$1" "${2:-}" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
if sys.argv[2]:
    exec(sys.argv[2])
print(json.dumps(d))
PY
}

# decision: the permissionDecision of a PreToolUse answer (or "none").
decision() {
	python3 -c '
import json, sys
t = sys.stdin.read()
if not t.strip():
    print("none"); sys.exit()
o = json.loads(t)
h = o["hookSpecificOutput"]
print(h.get("permissionDecision") or h.get("decision", {}).get("behavior", "none"))'
}

reason() {
	python3 -c '
import json, sys
o = json.loads(sys.stdin.read())
h = o["hookSpecificOutput"]
print(h.get("permissionDecisionReason") or h.get("decision", {}).get("message", ""))'
}

finish() {
	stop_daemon
	# Whatever this script still has running in the background (a hook
	# still waiting for a human after a failed check, a listener) is
	# stopped: no test outlives its run.
	local left
	left=$(jobs -p)
	if [ -n "$left" ]; then
		kill $left 2>/dev/null
		wait $left 2>/dev/null
	fi
	rm -rf "$AIRLOCK_HOME"
	echo "$T_PASS passed, $T_FAIL failed, $T_SKIP skipped"
	[ "$T_FAIL" -eq 0 ]
}
