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

# A hook of another protocol version: deny with a clear reason. Spoken
# here directly on the wire (nng SP over the Unix socket), as the hook does.
reply=$(python3 - "$AIRLOCK_HOME/run/hook.sock" "$PAYLOADS/PreToolUse.Bash.json" <<'PY'
import json, socket, struct, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])
s.sendall(b"\x00SP\x00\x00\x30\x00\x00"); s.recv(8)
body = b"AIRLOCK-HOOK 2 " + b"ab" * 16 + b" -\n" + open(sys.argv[2], "rb").read()
payload = struct.pack(">I", 0x80000001) + body
s.sendall(b"\x01" + struct.pack(">Q", len(payload)) + payload)
hdr = b""
while len(hdr) < 9: hdr += s.recv(9 - len(hdr))
n = struct.unpack(">Q", hdr[1:])[0]; data = b""
while len(data) < n: data += s.recv(n - len(data))
print(data[4:].decode())
PY
)
check "protocol version mismatch: deny" bash -c "echo '$reply' | grep -q '\"decision\":\"deny\"'"
check "protocol version mismatch: the reason says so" bash -c "echo '$reply' | grep -q 'version mismatch'"

check "the daemon survived all of it" bash -c "'$BIN/airlock' status >/dev/null"
check "refused events are recorded with their hash" \
	bash -c "sqlite3 '$AIRLOCK_HOME/state/audit.db' 'select count(*) from malformed' 2>/dev/null | grep -qv '^0$' || python3 -c '
import sqlite3,sys
c=sqlite3.connect(\"$AIRLOCK_HOME/state/audit.db\")
n=c.execute(\"select count(*) from malformed\").fetchone()[0]
sys.exit(0 if n>=8 else 1)'"

finish
