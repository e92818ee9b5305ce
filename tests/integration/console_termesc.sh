#!/usr/bin/env bash
# Every case of ../shared/corpus/termesc.jsonl through the real console
# under tmux (issue 4, safe rendering): each case becomes a held tool call
# whose field (expect.field) carries the hostile input; the console walks
# them with j and, from `tmux capture-pane`, the case's dangerous_core must
# be visible as the sanitiser renders it (tests/tui/test_termesc_render.c
# --render), and the terminal must be untouched: same pane title, no paste
# buffer set through OSC 52, the alternate screen still on, the cursor on
# the screen. tool_output cases are shown as the result of a call
# (PostToolUse) in the history view's detail. A calibration pane first
# proves that each of these checks sees a terminal that *was* changed.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/console_lib.sh"

RENDER=$BUILD/tests/tui_test_termesc_render
CORPUS=$SHARED/corpus/termesc.jsonl
if [ ! -x "$RENDER" ] || [ ! -r "$CORPUS" ]; then
	echo "SKIP: needs $RENDER and $CORPUS"
	exit 77
fi
OUT=$AIRLOCK_HOME/out
mkdir -p "$OUT" "$AIRLOCK_HOME/config"
# Every tool asks, so each case waits in the queue.
cat >"$AIRLOCK_HOME/config/policy.json" <<'EOF'
{ "permissions": { "ask": ["Bash", "Read", "Write", "Edit", "WebFetch"] } }
EOF

# 0. Calibration: a pane that prints hostile bytes raw changes each thing
#    the checks look at, so a console that let them through would fail.
printf 'x\033]2;PWNED-title\007\033]52;c;UFdORUQ=\007\033[?1049h' >"$OUT/raw"
tmx new-session -d -s keep -x 80 -y 24 "exec sleep 900"
# applications may set the clipboard (a paste buffer) through OSC 52
tmx set -g set-clipboard on
tmx new-session -d -s probe -x 80 -y 24 "cat '$OUT/raw'; exec sleep 600"
wait_for 5 bash -c "[ \"\$(tmux -L '$C_TMUX_SOCK' display -p -t probe '#{pane_title}')\" = PWNED-title ]"
check "calibration: a raw OSC 2 changes the pane title" \
	[ "$(tmx display -p -t probe '#{pane_title}')" = PWNED-title ]
check "calibration: a raw OSC 52 sets a paste buffer" \
	bash -c "tmux -L '$C_TMUX_SOCK' show-buffer 2>/dev/null | grep -q PWNED"
check "calibration: a raw ?1049h turns the alternate screen on" \
	[ "$(tmx display -p -t probe '#{alternate_on}')" = 1 ]
tmx kill-session -t probe
while tmx delete-buffer 2>/dev/null; do :; done

start_daemon --approval-timeout 280

# 1. The cases as hook events, and what each must look like on screen.
python3 - "$CORPUS" "$PAYLOADS" "$OUT" <<'PY'
import json, sys
corpus, payloads, out = sys.argv[1:4]
cases = []
for line in open(corpus, encoding="utf-8"):
    line = line.strip()
    if line:
        cases.append(json.loads(line))
with open(out + "/cases.tsv", "w") as tsv, open(out + "/render.in", "w") as rin:
    for c in cases:
        field = c["expect"]["field"]
        core = c["expect"]["dangerous_core"] or c["input"]
        if field == "tool_output":
            pre = json.load(open(payloads + "/PreToolUse.Bash.json"))
            pre["tool_input"]["command"] = "echo " + c["id"]
            post = json.load(open(payloads + "/PostToolUse.Bash.json"))
            post["tool_input"] = pre["tool_input"]
            post["tool_response"] = {"stdout": c["input"], "stderr": "",
                                     "interrupted": False}
            post["session_id"] = pre["session_id"]
            events = [pre, post]
        else:
            tool, key = field.split(".")
            pre = json.load(open("%s/PreToolUse.%s.json" % (payloads, tool)))
            pre["tool_input"][key] = c["input"]
            if tool == "Edit":
                pre["tool_input"]["old_string"] = "/* termesc */"
            events = [pre]
        for i, e in enumerate(events):
            e["tool_use_id"] = "toolu_" + c["id"].replace("-", "_")
            with open("%s/%s.%d.json" % (out, c["id"], i), "w") as f:
                json.dump(e, f)
        tsv.write("%s\t%s\t%d\n" % (c["id"], field, len(events)))
        rin.write(core.encode("utf-8", "surrogatepass").hex() + "\n")
PY
"$RENDER" --render <"$OUT/render.in" >"$OUT/render.out"
paste "$OUT/cases.tsv" "$OUT/render.out" >"$OUT/expect.tsv"
check "the sanitiser rendered every case" \
	[ "$(wc -l <"$OUT/render.out")" -eq "$(wc -l <"$OUT/cases.tsv")" ]

HOOKS=()
# one at a time (each pending or answered before the next): a burst of
# connections is not what this test is about
while IFS=$'\t' read -r id field nev hex; do
	if [ "$nev" -eq 1 ]; then
		timeout 290 "$BIN/airlock-hook" --deadline 285 <"$OUT/$id.0.json" >"$OUT/$id.out" 2>/dev/null &
		HOOKS+=($!)
		wait_for 10 bash -c "[ -s '$OUT/$id.out' ] || '$BIN/airlock' pending --json | grep -q 'toolu_${id/-/_}'"
	fi
done <"$OUT/expect.tsv"
nhooks=${#HOOKS[@]}
# settled: each case is pending, or its hook has already been answered
settled() {
	local p d
	p=$("$BIN/airlock" pending --json | grep -c toolu_termesc)
	d=$(find "$OUT" -name 'termesc-*.out' -size +0 | wc -l)
	[ $((p + d)) -ge "$nhooks" ]
}
check "every case is pending or answered" wait_for 30 settled
"$BIN/airlock" pending --json >"$OUT/pending.jsonl"
nheld=$(grep -c toolu_termesc "$OUT/pending.jsonl")
# A case the daemon refuses outright (a \u0000 in the input is malformed
# JSON for airlock, a built-in deny) never reaches a human: it must be
# denied, never allowed.
refused() { [ "$(decision <"$1")" = deny ] && ! grep -q 'timed out' "$1"; }
for f in $(find "$OUT" -name 'termesc-*.out' -size +0); do
	cid=$(basename "$f" .out)
	check "$cid refused before the console: $(reason <"$f" | cut -c1-60)" \
		refused "$f"
done

# 2. The console walks the queue: g, then j through every action.
console_start c1 160 50
check "console shows the queue" screen_wait c1 10 "$nheld pending"
TITLE0=$(tmx display -p -t c1 '#{pane_title}')
title_own() { [[ "$1" =~ ^airlock:\ [0-9]+\ pending(,\ [0-9]+\ alerts?)?$ ]]; }
check "the title is the console's own (counts only)" title_own "$TITLE0"
ALT0=$(tmx display -p -t c1 '#{alternate_on}')

# detail_pages NAME FILE: every page of the detail pane into FILE.
detail_pages() {
	local name=$1 file=$2 top
	: >"$file"
	for _ in $(seq 12); do
		screen "$name" | sed -n '/ Detail #/,$p' | sed '$d' | sed '$d' >>"$file"
		top=$(screen "$name" | sed -n 's/.* lines \([0-9]*\)-.*/\1/p')
		screen "$name" | grep -q "more below" || break
		keys "$name" Space
		wait_for 3 bash -c "! tmux -L '$C_TMUX_SOCK' capture-pane -p -t '$name' | grep -q ' lines $top-'"
	done
}

# term_ok NAME: the terminal state is what it was before any case.
term_ok() {
	local t a x y w h
	t=$(tmx display -p -t "$1" '#{pane_title}')
	a=$(tmx display -p -t "$1" '#{alternate_on}')
	read -r x y w h < <(tmx display -p -t "$1" '#{cursor_x} #{cursor_y} #{pane_width} #{pane_height}')
	# the console's own title (counts only, never agent text) may move
	[ "$t" = "$TITLE0" ] || title_own "$t" ||
		{ echo "pane title changed to: $t"; return 1; }
	[ "$a" = "$ALT0" ] || { echo "alternate screen changed: $a"; return 1; }
	[ "$x" -lt "$w" ] && [ "$y" -lt "$h" ] || { echo "cursor at $x,$y"; return 1; }
	! tmx show-buffer >/dev/null 2>&1 || { echo "a paste buffer was set"; return 1; }
}

# visible ID FILE: the rendered core of ID appears in the captured pages
# (whitespace and the wrap marker ↪ ignored: a long line wraps anywhere).
visible() {
	python3 - "$1" "$2" "$OUT/expect.tsv" <<'PY'
import sys, re
cid, page, expect = sys.argv[1:4]
hexcore = [l.rstrip("\n").split("\t")[3] for l in open(expect) if l.startswith(cid + "\t")][0]
want = bytes.fromhex(hexcore).decode("utf-8")
screen = open(page, encoding="utf-8", errors="replace").read()
# tmux stores zero-width joiners and variation selectors with their base
# cell; capture-pane may or may not repeat them.
norm = lambda s: re.sub(r"[\s\u21aa\u200d\ufe0f]", "", s)
if norm(want) in norm(screen):
    sys.exit(0)
print("not on screen: %r" % want)
sys.exit(1)
PY
}

declare -A SEEN
keys c1 g
for _ in $(seq "$nheld"); do
	id=$(detail_id c1)
	tu=$(grep "\"id\":[[:space:]]*$id," "$OUT/pending.jsonl" | grep -o 'toolu_termesc_[0-9]*' | head -n 1)
	cid=${tu#toolu_}
	cid=${cid/_/-}
	if [ -z "$id" ] || [ -z "$tu" ]; then
		fail "selected action #$id is a corpus case"
	else
		detail_pages c1 "$OUT/$cid.screen"
		check "$cid ($(grep "^$cid	" "$OUT/cases.tsv" | cut -f2)) core visible" visible "$cid" "$OUT/$cid.screen"
		check "$cid leaves the terminal unchanged" term_ok c1
		SEEN[$cid]=1
	fi
	keys c1 j
	wait_for 3 bash -c "! tmux -L '$C_TMUX_SOCK' capture-pane -p -t c1 | grep -q ' Detail #$id '" || break
done
check "every held case was walked (${#SEEN[@]} of $nheld)" [ "${#SEEN[@]}" -eq "$nheld" ]

# 3. tool_output: a call's result, shown by the history detail.
while IFS=$'\t' read -r id field nev hex; do
	[ "$nev" -eq 2 ] || continue
	"$BIN/airlock-hook" --deadline 20 <"$OUT/$id.0.json" >"$OUT/$id.out" 2>/dev/null &
	h=$!
	wait_for 10 has_pending "toolu_${id/-/_}"
	"$BIN/airlock" approve "$(pending_id "toolu_${id/-/_}")" >/dev/null
	wait $h
	"$BIN/airlock-hook" --deadline 20 <"$OUT/$id.1.json" >/dev/null 2>&1
done <"$OUT/expect.tsv"
keys c1 H
keys c1 /
keys c1 -l "echo termesc-"
keys c1 Enter
screen_wait c1 5 "echo termesc-" >/dev/null
nout=$(awk -F'\t' '$3 == 2' "$OUT/expect.tsv" | wc -l)
keys c1 g
declare -A OSEEN
for _ in $(seq $((nout * 3))); do
	cid=$(screen c1 | sed -n '/ Detail #/,$p' | grep -o 'echo termesc-[0-9]*' | head -n 1 | sed 's/echo //')
	if [ -n "$cid" ] && [ -z "${OSEEN[$cid]:-}" ] && screen c1 | grep -q "Result"; then
		detail_pages c1 "$OUT/$cid.screen"
		check "$cid (tool_output) core visible" visible "$cid" "$OUT/$cid.screen"
		check "$cid leaves the terminal unchanged" term_ok c1
		OSEEN[$cid]=1
	fi
	[ "${#OSEEN[@]}" -ge "$nout" ] && break
	id=$(detail_id c1)
	keys c1 j
	wait_for 3 bash -c "! tmux -L '$C_TMUX_SOCK' capture-pane -p -t c1 | grep -q ' Detail #$id '" || break
done
check "every tool_output case was shown (${#OSEEN[@]} of $nout)" [ "${#OSEEN[@]}" -eq "$nout" ]

# 4. Clean up: deny the held calls; the console saw nothing odd.
for cid in "${!SEEN[@]}"; do
	"$BIN/airlock" deny "$(pending_id "toolu_${cid/-/_}")" --reason "termesc test" >/dev/null 2>&1
done
for h in "${HOOKS[@]}"; do wait "$h" 2>/dev/null; done
check "the console is still alive" bash -c "! tmux -L '$C_TMUX_SOCK' list-panes -t c1 -F '#{pane_dead}' | grep -q 1"
check "no errors on the console's stderr" bash -c "! grep -q . '$AIRLOCK_HOME/console-c1.err'"
[ -n "${TERMESC_KEEP:-}" ] && cp -r "$OUT" "$TERMESC_KEEP"
console_finish
