#!/usr/bin/env bash
# The console under tmux against a real airlockd: a pending action appears,
# navigation, approve, deny with a reason, Esc cancels, help, resize keeps
# the selection, read-only mode refuses decisions.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/console_lib.sh"

OUT=$AIRLOCK_HOME/out
mkdir -p "$OUT"
start_daemon --approval-timeout 120
console_start c1 100 30

check "console starts and shows the empty queue" screen_wait c1 10 "0 pending"
check "the legend names the keys" screen_wait c1 2 "a approve"

# 1. A pending action appears within a second of the hook asking.
start=$(date +%s%N)
hook_bg "$PAYLOADS/PreToolUse.Bash.json" "$OUT/bash"
bash_hook=$HOOK_PID
if screen_wait c1 5 "created_by_bash"; then
	ms=$((($(date +%s%N) - start) / 1000000))
	check "pending action on screen within 1 s (${ms} ms)" [ "$ms" -lt 1000 ]
else
	fail "pending action appears"
fi
check "status counts it" screen_wait c1 2 "1 pending"
check "detail shows the command" screen_wait c1 2 "Command"
check "detail shows the input size and hash" screen_wait c1 2 "sha256"
if "$BIN/airlock" status 2>/dev/null | grep -q '"tier":[[:space:]]*0[,}[:space:]]'; then
	check "tier 0 banner" screen_wait c1 2 "agent not isolated"
fi

# 2. Navigation: a second action, j/k move the selection.
hook_bg "$PAYLOADS/PreToolUse.Write.json" "$OUT/write"
write_hook=$HOOK_PID
check "second action appears" screen_wait c1 5 "2 pending"
bash_id=$(pending_id created_by_bash)
write_id=$(pending_id '"Write"')
first=$(detail_id c1)
keys c1 j
check "j moves the selection" screen_wait_gone c1 3 "Detail #$first "
second=$(detail_id c1)
keys c1 k
check "k moves it back" screen_wait c1 3 "Detail #$first "
keys c1 Down
check "Down moves too" screen_wait c1 3 "Detail #$second "
keys c1 Up
screen_wait c1 3 "Detail #$first " >/dev/null

# 3. Help overlay from the action table, closed by Esc.
keys c1 '?'
check "help lists every action" screen_wait c1 3 "Approve the selected call"
keys c1 Escape
check "Esc closes the help" screen_wait_gone c1 3 "Approve the selected call"

# 4. Resize down to 80x24 and back: the selection is kept.
tmx resize-window -t c1 -x 80 -y 24
check "resize to 80x24 keeps the selection" screen_wait c1 3 "Detail #$first "
check "80x24 still shows the legend" screen_wait c1 3 "d deny"
tmx resize-window -t c1 -x 132 -y 40
check "resize to 132x40 keeps the selection" screen_wait c1 3 "Detail #$first "

# 5. Deny with a reason, after a cancelled attempt.
keys c1 g
while [ "$(detail_id c1)" != "$write_id" ]; do
	keys c1 j
	screen_wait_gone c1 2 "Detail #$(detail_id c1) " >/dev/null || break
done
keys c1 d
check "d asks for a reason" screen_wait c1 3 "Reason for denying #$write_id"
keys c1 Escape
check "Esc cancels the prompt" screen_wait c1 3 "cancelled"
check "the action is still pending" has_pending '"Write"'
keys c1 d
screen_wait c1 3 "Reason for denying" >/dev/null
keys c1 Enter
check "an empty reason is refused" screen_wait c1 3 "A reason is required"
keys c1 -l "not on this branch"
keys c1 Enter
wait $write_hook
check "hook prints deny" [ "$(decision <"$OUT/write")" = deny ]
check "the typed reason reaches the model" grep -q "not on this branch" "$OUT/write"
check "console confirms the denial" screen_wait c1 3 "denied #$write_id"

# 6. Approve.
check "one left" screen_wait c1 3 "1 pending"
keys c1 a
wait $bash_hook
check "hook prints allow after a" [ "$(decision <"$OUT/bash")" = allow ]
check "queue is empty again" screen_wait c1 3 "0 pending"

# 7. Read-only console: sees everything, decides nothing.
hook_bg "$PAYLOADS/PreToolUse.Bash.json" "$OUT/ro" 'd["tool_input"]["command"]="touch readonly_case"'
ro_hook=$HOOK_PID
console_start ro 100 30 --readonly
check "read-only console shows the action" screen_wait ro 5 "readonly_case"
check "read-only is announced" screen_wait ro 2 "read-only"
keys ro a
check "read-only refuses to approve" screen_wait ro 3 "read-only console: no decisions"
check "the action is still pending" has_pending readonly_case
"$BIN/airlock" deny "$(pending_id readonly_case)" --reason cleanup >/dev/null
wait $ro_hook

# 8. History view lists what happened; search narrows it.
keys c1 H
check "history shows the denial" screen_wait c1 5 "denied"
keys c1 /
keys c1 -l "readonly_c"
check "search as you type" screen_wait c1 5 "search: readonly_c"
check "search finds the row" screen_wait c1 5 "readonly_case"
keys c1 Escape
keys c1 q
check "q quits" bash -c "for i in \$(seq 50); do tmux -L '$C_TMUX_SOCK' list-panes -t c1 -F '#{pane_dead}' 2>/dev/null | grep -q 1 && exit 0; sleep 0.1; done; exit 1"
check "no errors on the console's stderr" bash -c "! grep -q . '$AIRLOCK_HOME/console-c1.err'"

console_finish
