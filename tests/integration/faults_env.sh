#!/usr/bin/env bash
# Faults in the environment (issue 7): each fault is made real — a full
# filesystem (a small tmpfs as the state directory), a read-only
# filesystem, the database locked by another process (python3's sqlite3
# holding BEGIN EXCLUSIVE), a corrupt database file, an unwritable socket
# directory (chattr +i), a stale socket left by a SIGKILLed daemon, a fake
# daemon on the socket path under another uid — and real airlock-hook
# processes ask for a call that the policy would allow.
#
# What it proves, for every fault: the hook's answer is never allow; it
# is deny with a reason naming the fault (or, where no daemon can run at
# all, the hook's own daemon-down answer: deny in non-interactive modes,
# Claude Code's prompt in interactive ones); consoles get an alert (an
# event on events.sock and, once the database is writable, a row in
# `airlock alerts`); and where the fault can clear by itself, the next
# call after it clears is served normally without restarting anything.
# Clock jumps: deadlines use CLOCK_MONOTONIC, checked on the source (the
# wall clock cannot be moved on a shared machine and libfaketime is not
# available; see docs/reliability.md).
#
# Needs root for tmpfs mounts, chattr and the other-uid fake daemon; each
# part that cannot run prints SKIP.
. "$(dirname "$0")/lib.sh"

R="python3 $SRC/tests/integration/rel_lib.py"
STATE=$AIRLOCK_HOME/state
RUN=$AIRLOCK_HOME/run
MNT=

cleanup() {
	stop_daemon
	[ -n "${LOCKER:-}" ] && kill "$LOCKER" 2>/dev/null
	[ -n "${FAKE:-}" ] && kill "$FAKE" 2>/dev/null
	chattr -i "$RUN" 2>/dev/null
	[ -n "$MNT" ] && umount "$MNT" 2>/dev/null
	MNT=
}
trap cleanup EXIT

# call MODE MARKER: one PreToolUse for a harmless command (the policy
# allows it); prints "decision<TAB>reason".
call() {
	python3 - "$BIN" "$1" "$2" <<'PY'
import os, sys
sys.path.insert(0, os.path.join(os.environ["SRC"], "tests/integration"))
import rel_lib as R
h = R.Hook(sys.argv[1], sys.argv[3], R.pre_tool_use(sys.argv[3], R.CMD_ALLOW, mode=sys.argv[2]), deadline=20)
h.collect()
print("%s\t%s\t%d" % (h.decision, h.reason.replace("\n", " "), h.ms))
PY
}
export SRC

# listen_alerts FILE: writes the first alert event's text to FILE (20 s).
listen_alerts() {
	python3 - "$RUN" "$1" <<'PY' &
import os, sys, time
sys.path.insert(0, os.path.join(os.environ["SRC"], "tests/integration"))
import rel_lib as R
for _ in range(100):
    try:
        s = R.Sub(sys.argv[1]); break
    except OSError:
        time.sleep(0.1)
else:
    sys.exit(1)
open(sys.argv[2] + ".ready", "w").close()
ev = s.wait_for(lambda e: e.get("type") == "alert", 20)
open(sys.argv[2], "w").write(ev["text"] if ev else "")
PY
	ALERT_PID=$!
	wait_for 10 test -e "$1.ready"
}

# expect_deny NAME PATTERN RESULT: deny whose reason matches PATTERN.
expect_deny() {
	local dec reason
	dec=$(printf '%s' "$3" | cut -f1)
	reason=$(printf '%s' "$3" | cut -f2)
	echo "  [$1] $dec: $reason ($(printf '%s' "$3" | cut -f3) ms)"
	check "$1: denied, never allowed" [ "$dec" = deny ]
	check "$1: the reason names the fault" bash -c "printf '%s' \"\$0\" | grep -Eqi -- \"\$1\"" "$reason" "$2"
}

expect_allow() {
	check "$1: served again" [ "$(printf '%s' "$2" | cut -f1)" = allow ]
}

alert_rows() {
	"$BIN/airlock" alerts --json --all 2>/dev/null | grep -c "$1"
}

can_mount() {
	[ "$(id -u)" = 0 ] && mkdir -p "$1" && mount -t tmpfs -o "size=$2" tmpfs "$1" 2>/dev/null
}

# ---- 1. corrupt database at start -----------------------------------
# Corruption does not clear by itself: the file is set aside read-only
# (audit.db.corrupt-<time>), a new database starts whose first chain row
# names it, and the daemon serves at once (daemon_corrupt.c).
mkdir -p "$STATE"
head -c 65536 /dev/urandom >"$STATE/audit.db"
start_daemon
expect_allow "corrupt database: set aside, served at once" "$(call dontAsk c1)"
check "corrupt database: kept aside read-only" \
	bash -c "[ \"\$(stat -c %a '$STATE'/audit.db.corrupt-* | head -n 1)\" = 400 ]"
check "corrupt database: the new chain's first row names it" \
	[ "$(alert_rows audit_corrupt)" -ge 1 ]
check "corrupt database: the new database verifies" \
	bash -c "'$BIN/airlock' verify >/dev/null"
stop_daemon
rm -f "$STATE"/audit.db.corrupt-*

# ---- 2. database locked by another process ---------------------------
# At start: the daemon's quick_check waits its busy timeout (250 ms), then
# serves in degraded mode.
rm -f "$AIRLOCK_HOME/l.ready" "$AIRLOCK_HOME/l.release"
$R lock-db "$STATE/audit.db" "$AIRLOCK_HOME/l.ready" "$AIRLOCK_HOME/l.release" &
LOCKER=$!
wait_for 10 test -e "$AIRLOCK_HOME/l.ready"
"$BIN/airlockd" --foreground >>"$AIRLOCK_HOME/daemon.log" 2>&1 &
T_DAEMON_PID=$!
wait_for 15 "$BIN/airlock" status >/dev/null
expect_deny "database locked at start" "audit database unavailable" "$(call dontAsk l1)"
touch "$AIRLOCK_HOME/l.release"
wait $LOCKER
LOCKER=
sleep 1.5
expect_allow "database lock released" "$(call dontAsk l2)"
# While running: each write waits the busy timeout, then denies.
rm -f "$AIRLOCK_HOME/l.ready" "$AIRLOCK_HOME/l.release"
$R lock-db "$STATE/audit.db" "$AIRLOCK_HOME/l.ready" "$AIRLOCK_HOME/l.release" &
LOCKER=$!
wait_for 10 test -e "$AIRLOCK_HOME/l.ready"
listen_alerts "$AIRLOCK_HOME/alert2"
expect_deny "database locked while running" "audit|locked|busy" "$(call dontAsk l3)"
wait $ALERT_PID
check "database locked: the alert names the lock" grep -qi "locked\|busy" "$AIRLOCK_HOME/alert2"
touch "$AIRLOCK_HOME/l.release"
wait $LOCKER
LOCKER=
expect_allow "database lock released (running)" "$(call dontAsk l4)"
stop_daemon

# ---- 3. disk full (tmpfs state directory) ----------------------------
rm -rf "$STATE"
if can_mount "$STATE" 8m; then
	MNT=$STATE
	start_daemon
	check "disk: a call is served before the disk fills" \
		[ "$(call dontAsk d0 | cut -f1)" = allow ]
	dd if=/dev/zero of="$STATE/filler" bs=64k 2>/dev/null
	listen_alerts "$AIRLOCK_HOME/alert3"
	expect_deny "disk full while running" "audit|full|disk" "$(call dontAsk d1)"
	wait $ALERT_PID
	check "disk full: consoles get an alert" grep -qi "audit" "$AIRLOCK_HOME/alert3"
	# The reserve (daemon_reserve.c) was freed to record the denial and
	# the outage: no lost audit record.
	check "disk full: the reserve was freed" test ! -e "$STATE/reserve"
	check "disk full: the denied call is recorded" bash -c \
		"'$BIN/airlock' log --json --limit 50 | grep toolu_d1 | grep -q 'recorded in the reserve'"
	check "disk full: the outage is recorded as an alert" [ "$(alert_rows audit_storage)" -ge 1 ]
	expect_deny "disk still full: denied" "audit|full|disk" "$(call dontAsk d1b)"
	rm -f "$STATE/filler"
	expect_allow "disk space freed (no restart)" "$(call dontAsk d2)"
	expect_allow "and the next call too" "$(call dontAsk d2b)"
	check "disk space freed: the reserve is back" test -s "$STATE/reserve"
	check "disk full and freed: the chain still verifies" \
		bash -c "'$BIN/airlock' verify >/dev/null"
	stop_daemon
	# Full before the daemon starts: the database cannot even be made.
	rm -f "$STATE"/audit.db*
	dd if=/dev/zero of="$STATE/filler" bs=64k 2>/dev/null
	start_daemon
	expect_deny "disk full at start" "audit|full|disk" "$(call dontAsk d3)"
	rm -f "$STATE/filler" "$STATE"/audit.db*
	sleep 1.5
	expect_allow "disk full at start, space freed" "$(call dontAsk d4)"
	stop_daemon
	# ---- 4. read-only filesystem at start ----------------------------
	if mount -o remount,ro "$STATE" 2>/dev/null; then
		start_daemon
		res=$(call dontAsk r1)
		expect_deny "read-only database" "audit|read-only|readonly|unable" "$res"
		mount -o remount,rw "$STATE"
		sleep 1.5
		res=$(call dontAsk r2)
		if [ "$(printf '%s' "$res" | cut -f1)" = allow ]; then
			pass "read-only cleared: served again"
		else
			# A connection SQLite opened read-only stays so: recorded
			# as a known limit in docs/reliability.md, still never allow.
			check "read-only cleared: still never allow" [ "$(printf '%s' "$res" | cut -f1)" = deny ]
			echo "  note: read-only → rw needs a daemon restart ($res)"
		fi
		stop_daemon
	else
		skip "read-only remount not permitted"
	fi
	umount "$STATE"
	MNT=
else
	skip "disk full / read-only: cannot mount a tmpfs (not root?)"
fi

# ---- 5. unwritable socket directory ---------------------------------
rm -rf "$RUN"
mkdir -p "$RUN" && chmod 700 "$RUN"
if chattr +i "$RUN" 2>/dev/null; then
	"$BIN/airlockd" --foreground >"$AIRLOCK_HOME/d5.log" 2>&1 &
	pid=$!
	wait_for 10 bash -c "! kill -0 $pid"
	wait $pid
	check "socket dir unwritable: the daemon refuses to start (exit $?)" \
		bash -c "! kill -0 $pid 2>/dev/null"
	check "socket dir unwritable: it says why" grep -qi "cannot listen\|permission\|not permitted" "$AIRLOCK_HOME/d5.log"
	expect_deny "socket dir unwritable, hook (non-interactive)" "not running" "$(call dontAsk s1)"
	check "socket dir unwritable, interactive: ask, never allow" \
		[ "$(call default s2 | cut -f1)" = ask ]
	chattr -i "$RUN"
else
	skip "chattr +i not permitted here"
fi

# ---- 6. stale socket left by a SIGKILLed daemon ----------------------
start_daemon
kill9_daemon
check "stale socket: hook.sock left behind" test -S "$RUN/hook.sock"
res=$(call dontAsk t1)
expect_deny "stale socket, no daemon" "not running" "$res"
check "stale socket: answered within 1 s" [ "$(printf '%s' "$res" | cut -f3)" -lt 1000 ]
start_daemon
expect_allow "stale socket replaced by a new daemon" "$(call dontAsk t2)"
stop_daemon

# ---- 7. a fake daemon on the socket path -----------------------------
rm -f "$RUN"/*.sock
if [ "$(id -u)" = 0 ] && id nobody >/dev/null 2>&1; then
	# First as our own uid: the fake works, the hook believes it (this is
	# what makes the next check meaningful).
	rm -f "$AIRLOCK_HOME/f.ready"
	$R fake-daemon "$RUN/hook.sock" "$(id -u)" "$AIRLOCK_HOME/f.ready" &
	FAKE=$!
	wait_for 5 test -s "$AIRLOCK_HOME/f.ready"
	check "fake daemon under our uid answers allow (control)" \
		[ "$(call dontAsk f0 | cut -f1)" = allow ]
	kill $FAKE; wait $FAKE 2>/dev/null
	rm -f "$AIRLOCK_HOME/f.ready"
	$R fake-daemon "$RUN/hook.sock" "$(id -u nobody)" "$AIRLOCK_HOME/f.ready" &
	FAKE=$!
	wait_for 5 test -s "$AIRLOCK_HOME/f.ready"
	expect_deny "fake daemon under another uid" "another user" "$(call dontAsk f1)"
	check "fake daemon, interactive mode: never allow" \
		[ "$(call default f2 | cut -f1)" != allow ]
	kill $FAKE; wait $FAKE 2>/dev/null
	FAKE=
	rm -f "$RUN/hook.sock"
else
	skip "fake daemon under another uid needs root and user nobody"
fi

# ---- 8. clock jumps: deadlines are monotonic (source check) ----------
check "hook deadlines use CLOCK_MONOTONIC" grep -q "CLOCK_MONOTONIC" "$SRC/ipc/sp.c"
check "daemon approval deadlines run on the monotonic clock" \
	bash -c "grep -q 'now >= p->deadline_mono' '$SRC/ipc/daemon.c' && \
		grep -q 'int64_t now = daemon_now_mono();' '$SRC/ipc/daemon.c'"
check "no deadline is compared with the wall clock" \
	bash -c "! grep -nE 'deadline_ms *[<>]=? |[^-][<>]=? *[a-z_]+(->|[.])deadline_ms' '$SRC'/ipc/daemon*.c"

trap - EXIT
cleanup
finish
