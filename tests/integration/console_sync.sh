#!/usr/bin/env bash
# Two consoles on one daemon stay in sync; when both decide the same action
# the first wins and the second is told who decided, without crashing or
# retrying. An irreversible action needs the whole detail on screen and a
# confirmation keystroke.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/console_lib.sh"

OUT=$AIRLOCK_HOME/out
mkdir -p "$OUT"
start_daemon --approval-timeout 120
console_start c1 100 30
console_start c2 80 24
check "both consoles start" screen_wait c1 10 "0 pending"
screen_wait c2 10 "0 pending" >/dev/null

# 1. A new action shows in both; a decision in one clears it in the other.
hook_bg "$PAYLOADS/PreToolUse.Bash.json" "$OUT/one" 'd["tool_input"]["command"]="touch sync_one"'
h=$HOOK_PID
check "console 1 shows it" screen_wait c1 5 "sync_one"
check "console 2 shows it" screen_wait c2 5 "sync_one"
keys c1 a
wait $h
check "approved from console 1" [ "$(decision <"$OUT/one")" = allow ]
check "console 2 drops it" screen_wait c2 5 "0 pending"
check "console 1 drops it" screen_wait c1 5 "0 pending"

# 2. Irreversible: a destructive command is not approved on one keystroke.
hook_bg "$PAYLOADS/PreToolUse.Bash.json" "$OUT/rm" 'd["tool_input"]["command"]="rm -rf ~/projects"'
h=$HOOK_PID
screen_wait c1 5 "rm -rf" >/dev/null
screen_wait c2 5 "rm -rf" >/dev/null
if screen c1 | grep -q "DEST"; then
	# 80x24 cannot show all of it at once: page to the end first
	keys c2 Space Space Space
	screen_wait_gone c2 3 "more below" >/dev/null
	keys c2 a
	check "console 2 asks for confirmation" screen_wait c2 3 "press y to approve"
	keys c1 a
	check "console 1 asks for confirmation" screen_wait c1 3 "press y to approve"
	keys c1 y
	wait $h
	check "console 1's confirmed approval wins" [ "$(decision <"$OUT/rm")" = allow ]
	# console 2 may already have dropped the action from its queue; its
	# pending confirmation still names it and must be told, not crash
	keys c2 y
	check "console 2 is told it was already decided" screen_wait c2 5 "already"
	check "console 2 is still running" screen_wait c2 3 "0 pending"
else
	skip "the classifier did not mark rm -rf as destructive"
	"$BIN/airlock" deny "$(pending_id 'rm -rf')" --reason cleanup >/dev/null
	wait $h
fi

# 3. A long destructive command: 'a' is refused until all of it was shown.
long='rm -rf ~/projects'
for i in $(seq 1 40); do long="$long\necho line_$i"; done
hook_bg "$PAYLOADS/PreToolUse.Bash.json" "$OUT/long" "d['tool_input']['command']='$long'"
h=$HOOK_PID
screen_wait c2 5 "1 pending" >/dev/null
if screen c2 | grep -q "DEST"; then
	keys c2 a
	check "refused while part of it was never on screen" screen_wait c2 3 "scroll through the whole detail"
	check "still pending" has_pending line_40
	for i in $(seq 1 10); do keys c2 Space; done
	check "the end was shown" screen_wait c2 3 "line_40"
	keys c2 a
	check "then it asks for confirmation" screen_wait c2 3 "press y to approve"
	keys c2 n
	check "any other key cancels" screen_wait c2 3 "not approved"
	check "still pending after cancel" has_pending line_40
	keys c2 a
	screen_wait c2 3 "press y to approve" >/dev/null
	keys c2 y
	wait $h
	check "approved after scrolling and confirming" [ "$(decision <"$OUT/long")" = allow ]
else
	skip "the classifier did not mark the long command as destructive"
	"$BIN/airlock" deny "$(pending_id line_40)" --reason cleanup >/dev/null
	wait $h
fi

# 4. Edit then approve: the edited input goes back as updatedInput.
cat >"$AIRLOCK_HOME/editor.sh" <<'ED'
#!/bin/sh
sed -i 's/touch edit_me/touch edited_ok/' "$1"
ED
chmod +x "$AIRLOCK_HOME/editor.sh"
tmx kill-session -t c1
C_EDITOR=$AIRLOCK_HOME/editor.sh console_start c3 100 30
screen_wait c3 10 "pending" >/dev/null
hook_bg "$PAYLOADS/PreToolUse.Bash.json" "$OUT/edit" 'd["tool_input"]["command"]="touch edit_me"'
h=$HOOK_PID
screen_wait c3 5 "edit_me" >/dev/null
keys c3 e
wait $h
check "edit then approve allows" [ "$(decision <"$OUT/edit")" = allow ]
check "the hook returns the edited input" grep -q "edited_ok" "$OUT/edit"
check "the console says so" screen_wait c3 3 "approved with edits"

check "no errors on the consoles' stderr" bash -c "! cat '$AIRLOCK_HOME'/console-*.err | grep -q ."
console_finish
