#!/usr/bin/env bash
# Hostile and broken events: deny with a clear reason, nothing crashes, the
# bounded raw copy and its hash are kept.
. "$(dirname "$0")/lib.sh"

start_daemon
HOOK="$BIN/airlock-hook --deadline 10"

run() { printf '%s' "$1" | timeout 10 $HOOK; echo " rc=$?"; }

# Unparseable input: exit 2 with the reason on stderr (blocks the call).
out=$(printf 'not json' | timeout 10 $HOOK 2>"$AIRLOCK_HOME/err"); rc=$?
check "garbage is blocked (exit 2)" [ $rc -eq 2 ]
check "garbage reason on stderr" grep -q "refused" "$AIRLOCK_HOME/err"
check "garbage prints nothing on stdout" [ -z "$out" ]

bad() {
	local name=$1 expr=$2 want=$3
	local out
	out=$(event "$PAYLOADS/PreToolUse.Bash.json" "$expr" | timeout 10 $HOOK)
	check "$name: deny" [ "$(echo "$out" | decision)" = deny ]
	check "$name: reason mentions $want" bash -c "echo '$out' | grep -qi -- '$want'"
}
bad "tool_input not an object" 'd["tool_input"]="rm -rf /"' "must be an object"
bad "tool_name not a string" 'd["tool_name"]=7' "must be a string"
bad "missing tool_input" 'del d["tool_input"]' "missing field"

out=$(python3 -c '
import json
print("{\"session_id\":\"s\",\"hook_event_name\":\"PreToolUse\",\"tool_name\":\"Bash\",\"tool_input\":{\"command\":\"ls\",\"command\":\"rm -rf ~\"}}")' |
	timeout 10 $HOOK)
check "duplicate keys: deny" [ "$(echo "$out" | decision)" = deny ]

out=$(printf '%s' '{"session_id":"s","hook_event_name":"PreToolUse","tool_name":"Bash","tool_input":{"command":"ls\u0000; rm -rf ~"}}' |
	timeout 10 $HOOK)
check "NUL escape: deny" [ "$(echo "$out" | decision)" = deny ]

out=$(printf '{"session_id":"s","hook_event_name":"PreToolUse","tool_name":"Bash","tool_input":{"command":"ls \xff"}}' |
	timeout 10 $HOOK)
check "invalid UTF-8: deny" [ "$(echo "$out" | decision)" = deny ]

out=$(python3 -c '
import json
print(json.dumps({"session_id":"s","hook_event_name":"PreToolUse","tool_name":"Bash","tool_input":{"command":"x"*(9*1024*1024)}}))' |
	timeout 20 $HOOK)
check "9 MiB event: deny" [ "$(echo "$out" | decision)" = deny ]
check "9 MiB event: reason names the limit" bash -c "echo '$out' | grep -q '8 MiB'"

deep=$(python3 -c 'print("{\"session_id\":\"s\",\"hook_event_name\":\"PreToolUse\",\"tool_name\":\"Bash\",\"tool_input\":{\"a\":" + "["*5000 + "]"*5000 + "}}")')
out=$(printf '%s' "$deep" | timeout 10 $HOOK)
check "deeply nested event: deny" [ "$(echo "$out" | decision)" = deny ]

check "the daemon survived all of it" "$BIN/airlock" status
check "refused events are recorded with their hash" \
	bash -c "sqlite3 '$AIRLOCK_HOME/state/audit.db' 'select count(*) from malformed' 2>/dev/null | grep -qv '^0$' || python3 -c '
import sqlite3,sys
c=sqlite3.connect(\"$AIRLOCK_HOME/state/audit.db\")
n=c.execute(\"select count(*) from malformed\").fetchone()[0]
sys.exit(0 if n>=8 else 1)'"

finish
