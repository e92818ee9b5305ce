#!/usr/bin/env bash
# Rules made from calls, driven through the real console under tmux:
# `s` approves a call and allows calls like it for the rest of its session
# only (never a destructive one); `A` proposes a rule generalised from the
# call, lets the approver edit it, shows a dry run over the audit history
# (how many past calls it would have allowed, which were denied at the
# time) before saving, then saves it to the user's policy file (keeping
# what was there) and approves. Then session replay: sessions view, Enter,
# n/p step through the calls with decision, who and result.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/console_lib.sh"

OUT=$AIRLOCK_HOME/out
POLICY=$AIRLOCK_HOME/config/policy.json
mkdir -p "$OUT" "$AIRLOCK_HOME/config"
# strict: every Bash command asks unless a rule allows it
cat >"$POLICY" <<'EOF'
{ "comment": "kept by approve-always", "strict": true,
  "egress": { "allow": ["registry.npmjs.org"] } }
EOF
start_daemon --approval-timeout 120
console_start c1 120 40
check "console starts" screen_wait c1 10 "0 pending"

# bash_in SESSION COMMAND OUT: a held (or not) Bash call in the background
bash_in() {
	hook_bg "$PAYLOADS/PreToolUse.Bash.json" "$3" \
		"d['session_id']='$1'; d['tool_input']['command']='$2'; d['tool_use_id']='toolu_'+'$(basename "$3")'"
}

# 1. s: approve for this session.
bash_in sess-one "npm run test -- --watch" "$OUT/s1"
h=$HOOK_PID
check "the call waits" screen_wait c1 5 "1 pending"
keys c1 s
wait $h
check "s approves the call" [ "$(decision <"$OUT/s1")" = allow ]
check "s says which rule it remembered" screen_wait c1 3 "for the rest of its session: Bash(npm run test:*)"

bash_in sess-one "npm run test -- --grep parser" "$OUT/s2"
wait $HOOK_PID
check "a later matching call in that session is allowed at once" [ "$(decision <"$OUT/s2")" = allow ]
check "... naming the session rule" grep -q "this session by rule Bash(npm run test:\*)" "$OUT/s2"
"$BIN/airlock" log --json --limit 5 >"$OUT/log.json" 2>"$OUT/log.err"
check "the audit records source session and the rule" \
	python3 -c "
import json,sys
for l in open('$OUT/log.json'):
    a=json.loads(l)
    if 'grep parser' in json.dumps(a.get('tool_input')):
        sys.exit(0 if a.get('source')=='session' and a.get('rule')=='Bash(npm run test:*)' else 1)
sys.exit(1)"

bash_in sess-one "npm run test && rm -rf ~/work" "$OUT/s3"
h=$HOOK_PID
check "a compound call with a destructive part still asks" wait_for 5 has_pending "rm -rf ~/work"
"$BIN/airlock" deny "$(pending_id 'rm -rf ~/work')" --reason "test" >/dev/null
wait $h

bash_in sess-two "npm run test -- --grep other" "$OUT/s4"
h=$HOOK_PID
check "another session is not covered" wait_for 5 has_pending "grep other"
"$BIN/airlock" deny "$(pending_id 'grep other')" --reason "not now" >/dev/null
wait $h

bash_in sess-one "rm -rf ~/projects" "$OUT/s5"
h=$HOOK_PID
screen_wait c1 5 "rm -rf ~/projects" >/dev/null
keys c1 s
check "s refuses an irreversible call" screen_wait c1 3 "irreversible: no rule"
check "... which stays pending" has_pending "rm -rf ~/projects"
"$BIN/airlock" deny "$(pending_id 'rm -rf ~/projects')" --reason "test" >/dev/null
wait $h
screen_wait c1 5 "0 pending" >/dev/null

# 2. A: approve always, with an edited rule and a dry run first.
bash_in sess-three "npm run test -- --watch" "$OUT/a1"
h=$HOOK_PID
screen_wait c1 5 "1 pending" >/dev/null
keys c1 A
check "A proposes a generalised rule" screen_wait c1 3 "Allow always (Enter: dry run, Esc cancels): Bash(npm run test:*)"
keys c1 Escape
check "Esc cancels" screen_wait c1 3 "cancelled"
check "... and nothing was saved" bash -c "! grep -q 'npm run test' '$POLICY'"
keys c1 A
screen_wait c1 3 "Bash(npm run test:*)" >/dev/null
# edit: "Bash(npm run test:*)" -> "Bash(npm run test *)"
keys c1 BSpace BSpace BSpace
keys c1 -l " *)"
check "the rule is editable" screen_wait c1 3 "Esc cancels): Bash(npm run test *)"
keys c1 Enter
check "the dry run shows before saving" screen_wait c1 5 "would have allowed"
check "... counting the past calls it covers" screen_wait c1 3 "It would have allowed 3 of the"
check "... and the one denied at the time" screen_wait c1 3 "1 of those were denied at the time"
check "... naming it" screen_wait c1 3 "npm run test -- --grep other"
check "nothing saved yet" bash -c "! grep -q 'npm run test' '$POLICY'"
keys c1 y
wait $h
check "y approves the call" [ "$(decision <"$OUT/a1")" = allow ]
check "the console confirms" screen_wait c1 3 "rule saved: Bash(npm run test *)"
check "the rule is in the policy file" python3 -c "
import json
p=json.load(open('$POLICY'))
assert p['permissions']['allow']==['Bash(npm run test *)'], p
assert p['comment']=='kept by approve-always' and p['strict'] is True
assert p['egress']['allow']==['registry.npmjs.org']"
check "the file is private" [ "$(stat -c %a "$POLICY")" = 600 ]

bash_in sess-four "npm run test -- --coverage" "$OUT/a2"
wait $HOOK_PID
check "the saved rule allows the next call in any session" [ "$(decision <"$OUT/a2")" = allow ]
check "... by that rule" grep -q "npm run test \*" "$OUT/a2"

# 3. Session replay: sessions view, Enter, n/p.
"$BIN/airlock-hook" --deadline 5 <<<"$(event "$PAYLOADS/PostToolUse.Bash.json" \
	"d['session_id']='sess-one'; d['tool_use_id']='toolu_s2'; d['tool_input']['command']='npm run test -- --grep parser'; d['tool_response']={'stdout':'42 tests passed','stderr':''}")" >/dev/null
keys c1 S
check "sessions view" screen_wait c1 5 "sess-one"
keys c1 g
for _ in 1 2 3 4 5; do
	screen c1 | sed -n '/ Detail /,$p' | grep -q "sess-one" && break
	keys c1 j
	sleep 0.2
done
keys c1 Enter
check "Enter opens the replay" screen_wait c1 5 "Replay: call 1 of 4"
check "step 1 shows who decided and the wait" screen_wait c1 3 "approved by"
check "step 1 is the first call" screen_wait c1 3 "npm run test -- --watch"
keys c1 n
check "n steps to call 2" screen_wait c1 3 "Replay: call 2 of 4"
check "call 2 was allowed by the session rule" screen_wait c1 3 "allow at once by Bash(npm run test:*)"
check "call 2 shows its result" screen_wait c1 3 "42 tests passed"
keys c1 n
check "call 3: denied, with the reason" screen_wait c1 3 "denied by"
keys c1 p
check "p steps back" screen_wait c1 3 "Replay: call 2 of 4"
keys c1 Escape
check "Esc goes back to the sessions" screen_wait c1 3 "| sessions"

# History: Enter opens the call's detail, read-only, in its session.
keys c1 H
screen_wait c1 5 "| history" >/dev/null
keys c1 g
keys c1 Enter
check "history Enter opens the call in its replay" screen_wait c1 5 "Replay: call"
keys c1 a
check "the replay decides nothing" screen_wait c1 3 "a is not bound here"

keys c1 q
check "no errors on the console's stderr" bash -c "! grep -q . '$AIRLOCK_HOME/console-c1.err'"
console_finish
