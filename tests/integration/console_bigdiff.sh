#!/usr/bin/env bash
# A large irreversible Write in the console under tmux: a detail over
# VIEW_DETAIL_CACHE_ASYNC_BYTES (64 KiB) is built on a worker thread and a
# placeholder ("Preparing the detail ...") stands in for it meanwhile.
#  1. A very large one (~7.4 MB, about 2 s to build under ASan, so still
#     building when the key arrives): the placeholder is shown, approving
#     is refused because the detail is still being prepared, and once the
#     diff replaces it the placeholder has not counted as seen.
#  2. A moderate one (~92 KB): the placeholder or the diff shows; a is
#     refused until the whole detail has been on screen; paged to the end,
#     a asks for the confirmation and y gives the hook allow.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/console_lib.sh"

OUT=$AIRLOCK_HOME/out
mkdir -p "$OUT"
# Outside the workspace and outside /tmp: the classifier calls writing it
# destructive (an overwrite with no project history), so irreversible.
# Nothing is written: the hook only answers.
TARGET=/nonexistent-airlock-test/bigdiff/out.txt
start_daemon --approval-timeout 170
# Tall: a long page (the detail gets about two thirds of the rows).
console_start c1 160 90

check "console starts" screen_wait c1 10 "0 pending"

# big_write OUT TAG LINES: a held Write of LINES lines of 92 bytes whose
# last line is "TAG_last_line"; sets HOOK_PID.
big_write() {
	hook_bg "$PAYLOADS/PreToolUse.Write.json" "$1" "
d['tool_input']['file_path'] = '$TARGET.$2'
d['tool_input']['content'] = ''.join(
    '$2 line %06d %s\n' % (i, 'x' * 80) for i in range($3)) + '$2_last_line\n'"
}

# destructive TAG: whether the pending call writing TARGET.TAG was found
# destructive, which makes it irreversible in the console.
destructive() {
	"$BIN/airlock" pending --json 2>/dev/null | python3 -c '
import json, sys
for line in sys.stdin:
    a = json.loads(line)
    if a.get("tool_input", {}).get("file_path") == sys.argv[1]:
        sys.exit(0 if any(f["category"] == "destructive"
                          for f in a.get("findings", [])) else 1)
sys.exit(1)' "$TARGET.$1"
}

# page_to_end NAME: Space until the detail's last line has been on screen.
# The title says " lines A-B of N"; a page is B-A rows. One send-keys: the
# console draws a frame for each key, so every page is really on screen.
page_to_end() {
	local a b n pages
	read -r a b n < <(screen "$1" |
		sed -n 's/.* lines \([0-9]*\)-\([0-9]*\) of \([0-9]*\).*/\1 \2 \3/p' | head -n 1)
	[ -n "$n" ] && [ "$b" -gt "$a" ] || return 1
	pages=$(((n - b) / (b - a) + 2))
	keys "$1" $(for _ in $(seq "$pages"); do printf 'Space '; done)
	screen_wait_gone "$1" 10 "more below"
}

# 1. Very large (~7.4 MB; ~2 s to build under ASan): approving while the
# placeholder is up is refused, and the placeholder never counts as seen.
big_write "$OUT/huge" huge 80000
huge_hook=$HOOK_PID
if screen_wait c1 30 "Preparing the detail"; then
	keys c1 a
	check "a while the placeholder shows is refused" \
		screen_wait c1 5 "irreversible: the detail is still being prepared"
	check "the huge call is irreversible (destructive)" destructive huge
	check "the diff replaces the placeholder" screen_wait c1 60 "Diff +80001"
	check "... and the placeholder is gone" \
		screen_wait_gone c1 5 "Preparing the detail"
	keys c1 a
	check "the placeholder did not count as seen" \
		screen_wait c1 5 "irreversible: scroll through the whole detail"
	check "the huge call is still pending" has_pending "$TARGET.huge"
else
	fail "the placeholder shows for a 7 MB Write"
fi
"$BIN/airlock" deny "$(pending_id "$TARGET.huge")" --reason cleanup >/dev/null
wait $huge_hook
check "the huge call is denied from the CLI" [ "$(decision <"$OUT/huge")" = deny ]
check "the queue is empty" screen_wait c1 10 "0 pending"

# 2. Moderate (~92 KB): the placeholder or the diff, then seen to the end,
# then approved with the confirmation.
big_write "$OUT/big" big 1000
big_hook=$HOOK_PID
check "the placeholder or the diff shows" \
	screen_wait c1 10 "Diff +1001"
check "the call is irreversible (destructive)" destructive big
check "the placeholder is gone" screen_wait_gone c1 5 "Preparing the detail"
keys c1 a
check "a before scrolling is refused" \
	screen_wait c1 5 "irreversible: scroll through the whole detail"
check "still pending" has_pending "$TARGET.big"
check "paged to the end of the detail" page_to_end c1
check "the last line was on screen" screen_wait c1 5 "big_last_line"
keys c1 a
check "then a asks for the confirmation" screen_wait c1 5 "press y to approve"
keys c1 y
wait $big_hook
check "hook prints allow" [ "$(decision <"$OUT/big")" = allow ]
check "queue is empty again" screen_wait c1 5 "0 pending"

check "no errors on the console's stderr" bash -c "! grep -q . '$AIRLOCK_HOME/console-c1.err'"
console_finish
