#!/usr/bin/env bash
# Alerts, diffs and the terminal title in the console under tmux against a
# real airlockd: an unsupervised execution (a PostToolUse the hook never
# saw) raises an alert that rings the bell, shows a count in the status
# line and the title, is sent as an OSC 777 notification (opt-in, through
# tmux's passthrough) with the hostile text of its message neutralised,
# is listed by `!` and acknowledged with `K` (a second K shows the
# daemon's "already acknowledged by"); a MultiEdit and a NotebookEdit show
# as unified diffs with tabs as "»", and a file that changed on disk after
# the agent asked is said so. On exit the title is restored.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/console_lib.sh"

OUT=$AIRLOCK_HOME/out
mkdir -p "$OUT" "$AIRLOCK_HOME/config"
start_daemon --approval-timeout 120
printf 'notify osc\n' >"$AIRLOCK_HOME/config/console.conf"

title() { tmx display -p -t "$1" '#{pane_title}'; }

# events_ready NAME TAG: the console's event subscription is connected. A
# call made now reaches its screen only through the stream or through the
# resynchronisation that follows the subscription's connection; alert
# events published before that are lost to it (the snapshot does not
# carry alerts yet).
events_ready() {
	local out=$OUT/ready-$1 id
	hook_bg "$PAYLOADS/PreToolUse.Bash.json" "$out" \
		"d['tool_input']['command']='touch ready_$2'"
	screen_wait "$1" 10 "ready_$2" || return 1
	id=$(pending_id "ready_$2")
	"$BIN/airlock" deny "$id" --reason "sync" >/dev/null
	wait $HOOK_PID
	screen_wait_gone "$1" 5 "ready_$2"
}
title_is() { [ "$(title "$1")" = "$2" ]; }

# The raw bytes the console writes, before tmux interprets them.
tmx new-session -d -s probe -x 80 -y 10 "sleep 600"
tmx set -g remain-on-exit on >/dev/null
tmx set -p -t probe -g allow-passthrough off >/dev/null 2>&1
TITLE_BEFORE=$(title probe)
console_start c1 120 36
tmx pipe-pane -o -t c1 "cat >>'$OUT/raw'"
check "console starts" screen_wait c1 10 "0 pending"
check "the title carries the pending count" \
	wait_for 5 title_is c1 "airlock: 0 pending"
events_ready c1 one

# 1. An unsupervised execution, its tool_use_id carrying an OSC 2 that
# would retitle the terminal and a bidi override.
event "$PAYLOADS/PostToolUse.Read.json" \
	'd["tool_use_id"]="toolu_al\u001b]2;PWNED\u0007\u202eevil"' |
	"$BIN/airlock-hook" >/dev/null
check "the daemon recorded the alert" \
	bash -c "'$BIN/airlock' alerts --json | grep -q unsupervised"
check "the status line counts it" screen_wait c1 5 "1 alert"
check "the title counts it" \
	wait_for 5 title_is c1 "airlock: 0 pending, 1 alert"
check "the hostile text did not retitle the terminal" \
	bash -c "! tmux -L '$C_TMUX_SOCK' display -p -t c1 '#{pane_title}' | grep -q PWNED"

# Bell and OSC 777 in the raw output: the notification text has no
# control character (the sanitiser's ^[ marker instead of ESC).
check "bell and OSC notification for the alert" python3 - "$OUT/raw" <<'PY'
import re, sys, time
for _ in range(50):
    raw = open(sys.argv[1], "rb").read()
    m = re.search(rb"\x1bPtmux;\x1b\x1b\]777;notify;airlock alert: unsupervised;(.*?)\x07\x1b\\", raw)
    if m:
        break
    time.sleep(0.1)
else:
    print("no OSC 777 notification in", raw[-400:]); sys.exit(1)
body = m.group(1)
assert b"unsupervised execution" in body, body
assert not re.search(rb"[\x00-\x1f\x7f]", body), body
assert b"^[]2,PWNED" in body or b"^[]2;PWNED" in body, body
assert "\u202e".encode() not in body, body
# a bell outside the OSC strings
rest = re.sub(rb"\x1bPtmux;.*?\x1b\\", b"", raw, flags=re.S)
rest = re.sub(rb"\x1b\][^\x07\x1b]*(\x07|\x1b\\)", b"", rest)
assert b"\x07" in rest, "no bell"
PY

# 2. The alerts view, and acknowledging.
keys c1 '!'
check "! opens the alerts view" screen_wait c1 5 "| alerts"
check "the alert is listed as new" screen_wait c1 3 "NEW"
check "its message is shown sanitised" screen_wait c1 3 "^[]2;PWNED^G"
check "the bidi override is a marker" screen_wait c1 3 "U+202E"
check "the legend offers K" screen_wait c1 3 "K ack-alert"
keys c1 K
check "K acknowledges it" screen_wait c1 5 "acknowledged"
check "the count is gone" screen_wait_gone c1 5 "1 alert"
check "the title follows" wait_for 5 title_is c1 "airlock: 0 pending"
check "the daemon recorded the acknowledgement" python3 -c '
import json, subprocess, sys
out = subprocess.run([sys.argv[1], "alerts", "--json", "--all"], capture_output=True, text=True).stdout
al = [json.loads(l) for l in out.splitlines() if l.strip()]
assert al and al[0]["acknowledged"], al' "$BIN/airlock"
keys c1 K
check "a second K shows who acknowledged it" screen_wait c1 5 "already acknowledged by"

# A read-only console sees a new alert and may not acknowledge it. (Alerts
# raised before a console starts reach it once the daemon's snapshot
# carries them: the client reads an "alerts" array when there is one.)
console_start ro 100 30 --readonly
screen_wait ro 10 "0 pending" >/dev/null
events_ready ro two
event "$PAYLOADS/PostToolUse.Read.json" 'd["tool_use_id"]="toolu_al_second"' |
	"$BIN/airlock-hook" >/dev/null
check "read-only console shows the count" screen_wait ro 5 "1 alert"
check "so does the other console" screen_wait c1 5 "1 alert"
keys ro '!'
screen_wait ro 5 "| alerts" >/dev/null
keys ro K
check "read-only console refuses to acknowledge" \
	screen_wait ro 3 "read-only console: no acknowledging"
tmx kill-session -t ro

# 3. MultiEdit: edits in order, as a unified diff; tabs as "»".
work=$(mktemp -d /tmp/airlock-al-work.XXXXXX)
printf 'alpha\n\tbeta\ngamma\n' >"$work/f.txt"
keys c1 1
hook_bg "$PAYLOADS/PreToolUse.Edit.json" "$OUT/multi" "
d['tool_name'] = 'MultiEdit'
d['tool_input'] = {'file_path': '$work/f.txt', 'edits': [
    {'old_string': 'alpha', 'new_string': 'ALPHA'},
    {'old_string': 'ALPHA\n\tbeta', 'new_string': 'ALPHA\n\tBETA'}]}"
multi_hook=$HOOK_PID
check "the MultiEdit is pending" screen_wait c1 5 "1 pending"
check "its diff summary" screen_wait c1 5 "+2 −2"
check "the first edit's line" screen_wait c1 3 "+ALPHA"
check "the second edit applied on the first" screen_wait c1 3 "+»   BETA"
check "no stale-file warning for a file untouched since" \
	bash -c "! tmux -L '$C_TMUX_SOCK' capture-pane -p -t c1 | grep -q 'changed on disk'"
touch -d '+5 seconds' "$work/f.txt"
check "a file changed after the agent asked is said so" \
	screen_wait c1 5 "changed on disk after the agent asked"
"$BIN/airlock" deny "$(pending_id MultiEdit)" --reason "test" >/dev/null
wait $multi_hook

# 4. NotebookEdit: the cell's source from the .ipynb on disk.
cat >"$work/nb.ipynb" <<'EOF'
{"cells": [{"cell_type": "code", "id": "c1", "metadata": {},
  "source": ["import os\n", "print(1)\n"], "outputs": []}],
 "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
EOF
hook_bg "$PAYLOADS/PreToolUse.NotebookEdit.json" "$OUT/nb" "
d['tool_input']['notebook_path'] = '$work/nb.ipynb'
d['tool_input']['cell_id'] = 'c1'
d['tool_input']['new_source'] = 'import os\nprint(2)\n'"
nb_hook=$HOOK_PID
check "the NotebookEdit is pending" screen_wait c1 5 "1 pending"
check "the cell diff" screen_wait c1 5 'cell "c1" (replace)'
check "the cell's old line" screen_wait c1 3 "-print(1)"
check "the cell's new line" screen_wait c1 3 "+print(2)"
"$BIN/airlock" deny "$(pending_id NotebookEdit)" --reason "test" >/dev/null
wait $nb_hook

# 5. Quitting restores the title (tmux keeps a title stack).
keys c1 q
check "q quits" bash -c "for i in \$(seq 50); do tmux -L '$C_TMUX_SOCK' list-panes -t c1 -F '#{pane_dead}' 2>/dev/null | grep -q 1 && exit 0; sleep 0.1; done; exit 1"
check "the title is restored on exit" \
	bash -c "[ \"\$(tmux -L '$C_TMUX_SOCK' display -p -t c1 '#{pane_title}')\" != 'airlock: 0 pending' ]"
check "no errors on the console's stderr" bash -c "! grep -q . '$AIRLOCK_HOME/console-c1.err'"
rm -rf "$work"
console_finish
