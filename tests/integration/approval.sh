#!/usr/bin/env bash
# The approval path end to end with real processes: airlockd on a private
# AIRLOCK_HOME, real airlock-hook processes fed Claude Code's payloads, and
# decisions made with `airlock approve/deny`.
. "$(dirname "$0")/lib.sh"

HOOK="$BIN/airlock-hook --deadline 20"
OUT=$AIRLOCK_HOME/out
mkdir -p "$OUT"

start_daemon --approval-timeout 60

# 1. Read-only tool inside the project: allowed at once.
out=$(event "$PAYLOADS/PreToolUse.Read.json" | timeout 5 $HOOK)
check "read-only call is allowed" [ "$(echo "$out" | decision)" = allow ]

# 2. A call with side effects is held; approve it from the CLI.
event "$PAYLOADS/PreToolUse.Bash.json" | timeout 30 $HOOK >"$OUT/approve" &
hook=$!
if wait_for 5 has_pending created_by_bash; then
	pass "side-effect call is pending"
	id=$(pending_id created_by_bash)
	check "approve succeeds" "$BIN/airlock" approve "$id" --reason "looks fine"
	wait $hook
	check "hook prints allow after approval" [ "$(decision <"$OUT/approve")" = allow ]
	check "a second approval is told it was already decided" \
		bash -c "'$BIN/airlock' approve $id 2>&1 | grep -q 'already approved'"
else
	fail "side-effect call is pending"
	kill $hook 2>/dev/null
fi

# 3. Deny with a reason: the reason reaches the model.
event "$PAYLOADS/PreToolUse.Write.json" | timeout 30 $HOOK >"$OUT/deny" &
hook=$!
if wait_for 5 has_pending '"Write"'; then
	id=$(pending_id '"Write"')
	check "deny without reason is refused" bash -c "! '$BIN/airlock' deny $id 2>/dev/null"
	"$BIN/airlock" deny "$id" --reason "not in this branch" >/dev/null
	wait $hook
	check "hook prints deny" [ "$(decision <"$OUT/deny")" = deny ]
	check "deny reason reaches the model" grep -q "not in this branch" "$OUT/deny"
else
	fail "write call is pending"
	kill $hook 2>/dev/null
fi

# 4. Two concurrent hooks: one held for a human, one decided at once.
event "$PAYLOADS/PreToolUse.Bash.json" 'd["tool_input"]["command"]="touch held_one"' |
	timeout 30 $HOOK >"$OUT/held" &
held=$!
wait_for 5 has_pending held_one
start=$(date +%s%N)
out=$(event "$PAYLOADS/PreToolUse.Grep.json" | timeout 5 $HOOK)
elapsed_ms=$(( ($(date +%s%N) - start) / 1000000 ))
check "a second hook is decided while the first is held (${elapsed_ms} ms)" \
	[ "$(echo "$out" | decision)" = allow -a "$elapsed_ms" -lt 2000 ]
check "the held hook is still waiting" kill -0 $held

# 4b. A burst: 40 hooks at once, as a busy agent with parallel calls and
#     subagents produces. Every one gets the policy's answer, none a
#     spurious timeout.
burst=$(event "$PAYLOADS/PreToolUse.Read.json")
for i in $(seq 1 40); do
	printf '%s\n' "$burst" | timeout 30 $HOOK >"$OUT/burst.$i" &
done
wait_for 30 bash -c "[ \$(cat '$OUT'/burst.* | grep -c '\"allow\"') -eq 40 ]"
check "40 hooks at once: all 40 allowed ($(cat "$OUT"/burst.* | grep -c '"allow"'))" \
	[ "$(cat "$OUT"/burst.* | grep -c '"allow"')" -eq 40 ]

# 5. Two approvers decide the same action: the first wins, the second is told.
id=$(pending_id held_one)
"$BIN/airlock" approve "$id" >"$OUT/a1" 2>&1 &
a1=$!
"$BIN/airlock" deny "$id" --reason "second" >"$OUT/a2" 2>&1 &
a2=$!
wait $a1; r1=$?
wait $a2; r2=$?
wait $held
check "exactly one of two concurrent decisions wins" [ $((r1 + r2)) -eq 1 ]
check "the loser is told who decided first" grep -qh "already" "$OUT/a1" "$OUT/a2"

# 6. kill -9 with a pending action: it survives, the hook reconnects and
#    gets its answer, and nothing ran without a decision row.
event "$PAYLOADS/PreToolUse.Bash.json" 'd["tool_input"]["command"]="touch survivor"' |
	timeout 40 $HOOK >"$OUT/survivor" &
hook=$!
wait_for 5 has_pending survivor
kill9_daemon
check "hook keeps waiting while the daemon is down" kill -0 $hook
start_daemon --approval-timeout 60
if wait_for 5 has_pending survivor; then
	pass "pending action survives kill -9"
	"$BIN/airlock" approve "$(pending_id survivor)" >/dev/null
	wait $hook
	check "the reconnected hook gets the decision" [ "$(decision <"$OUT/survivor")" = allow ]
else
	fail "pending action survives kill -9"
	kill $hook 2>/dev/null
fi

# 6b. The hook goes away (Claude Code killed it, the user pressed Ctrl-C):
#     after the grace period the action ends as abandoned, recorded.
stop_daemon
start_daemon --approval-timeout 60 --abandon-grace 1
event "$PAYLOADS/PreToolUse.Bash.json" 'd["tool_input"]["command"]="touch orphan"' |
	timeout 30 $HOOK >/dev/null &
hook=$!
wait_for 5 has_pending orphan
pkill -9 -P $hook 2>/dev/null; kill -9 $hook 2>/dev/null
wait $hook 2>/dev/null
check "an abandoned action leaves the queue" wait_for 10 no_pending orphan
check "abandonment is recorded" bash -c "'$BIN/airlock' log --json | grep orphan | grep -q '\"state\":\"abandoned\"'"

# Sockets and the runtime directory are private.
check "runtime directory is 0700" [ "$(stat -c %a "$AIRLOCK_HOME/run")" = 700 ]
for s in hook control events; do
	check "$s.sock is 0600" [ "$(stat -c %a "$AIRLOCK_HOME/run/$s.sock")" = 600 ]
done

# 7. Approval timeout: deny, recorded.
stop_daemon
start_daemon --approval-timeout 1
out=$(event "$PAYLOADS/PreToolUse.Bash.json" 'd["tool_input"]["command"]="touch late"' | timeout 10 $HOOK)
check "approval timeout denies" [ "$(echo "$out" | decision)" = deny ]
check "timeout reason is given" bash -c "echo '$out' | grep -q 'timed out'"
check "timeout is in the history" bash -c "'$BIN/airlock' log --json | grep -q '\"state\":\"timeout\"'"

# 8. The hook's own deadline is shorter than Claude Code's: deny at it.
stop_daemon
start_daemon --approval-timeout 60
out=$(event "$PAYLOADS/PreToolUse.Bash.json" 'd["tool_input"]["command"]="touch slow"' |
	timeout 10 "$BIN/airlock-hook" --deadline 1)
check "hook deadline answers deny" [ "$(echo "$out" | decision)" = deny ]

finish
