#!/usr/bin/env bash
# The review verbs end to end with real processes: airlockd records real
# hook calls, then `airlock verify/checkpoint/show/sessions/export/stats/
# alerts/import/log` read the database; the database is tampered with
# behind the store's back (python3's sqlite3) and verify must name the row.
. "$(dirname "$0")/lib.sh"

HOOK="$BIN/airlock-hook --deadline 20"
AL="$BIN/airlock"
OUT=$AIRLOCK_HOME/out
FIXTURE=$SRC/tests/fixtures/transcript_multi_tool.jsonl
WITNESS=$AIRLOCK_HOME/witness.jsonl
DB=$AIRLOCK_HOME/state/audit.db
mkdir -p "$OUT"

# json_lines FILE: every line is one JSON object (and there is at least one).
json_lines() {
	python3 -c '
import json, sys
n = 0
for l in open(sys.argv[1]):
    assert isinstance(json.loads(l), dict); n += 1
assert n > 0' "$1"
}

# transcript_event N: a PreToolUse event for the N-th tool call of the
# fixture transcript (same session, tool_use_id and input).
transcript_event() {
	python3 - "$FIXTURE" "$PAYLOADS/PreToolUse.Read.json" "$1" <<'PY'
import json, sys
calls = []
for l in open(sys.argv[1]):
    d = json.loads(l)
    if d.get("type") == "assistant":
        calls += [(d, b) for b in d["message"]["content"] if b.get("type") == "tool_use"]
d, b = calls[int(sys.argv[3])]
ev = json.load(open(sys.argv[2]))
ev.update(session_id=d["sessionId"], cwd=d["cwd"], tool_name=b["name"],
          tool_input=b["input"], tool_use_id=b["id"])
print(json.dumps(ev))
PY
}

start_daemon --approval-timeout 60

# ---- record some calls -----------------------------------------------------
out=$(event "$PAYLOADS/PreToolUse.Read.json" | timeout 5 $HOOK)
check "read-only call is allowed" [ "$(echo "$out" | decision)" = allow ]
event "$PAYLOADS/PostToolUse.Read.json" | timeout 5 $HOOK >/dev/null

event "$PAYLOADS/PreToolUse.Bash.json" | timeout 30 $HOOK >"$OUT/bash" &
hook=$!
wait_for 5 has_pending created_by_bash
BASH_ID=$(pending_id created_by_bash)
sleep 0.3 # a measurable wait before the human decides
"$AL" approve "$BASH_ID" --reason "reviewed by the test" >/dev/null
wait $hook
check "bash call approved" [ "$(decision <"$OUT/bash")" = allow ]

event "$PAYLOADS/PreToolUse.Write.json" | timeout 30 $HOOK >"$OUT/write" &
hook=$!
wait_for 5 has_pending '"Write"'
WRITE_ID=$(pending_id '"Write"')
"$AL" deny "$WRITE_ID" --reason "not in this branch" >/dev/null
wait $hook
check "write call denied" [ "$(decision <"$OUT/write")" = deny ]

# The first three calls of the transcript go through the hook; the other
# five will be found by the import as unsupervised.
for i in 0 1 2; do
	transcript_event $i | timeout 10 $HOOK >"$OUT/tr$i"
done
check "transcript calls went through the hook" \
	grep -q permissionDecision "$OUT/tr0" "$OUT/tr1" "$OUT/tr2"

# ---- verify and checkpoint -------------------------------------------------
"$AL" verify >"$OUT/verify" 2>&1
check "verify passes on an untouched database" [ $? -eq 0 ]
check "verify says the chain is intact" grep -q "^chain intact" "$OUT/verify"
check "verify counts rows" grep -Eq "^rows checked: [1-9][0-9]*" "$OUT/verify"

check "checkpoint appends to the witness file" \
	bash -c "'$AL' checkpoint --witness '$WITNESS' >/dev/null"
check "the witness line is JSON with the head hash" python3 -c '
import json, sys
cp = json.loads(open(sys.argv[1]).readlines()[-1])
assert cp["rows"] > 0 and len(cp["head_hash"]) == 64 and cp["time_ms"] > 0' "$WITNESS"
check "verify against the witness passes" \
	bash -c "'$AL' verify --witness '$WITNESS' >/dev/null"
check "verify --witness with no file is refused" bash -c "! '$AL' verify --witness $AIRLOCK_HOME/none 2>/dev/null"

# ---- search, show ----------------------------------------------------------
check "log finds the call by substring" \
	bash -c "'$AL' log 'hello from' | grep -q created_by_bash"

"$AL" show "$BASH_ID" >"$OUT/show"
check "show prints the command" grep -q "echo 'hello from bash'" "$OUT/show"
check "show prints the pretty input" grep -q '^  "description": "Create created_by_bash.txt"' "$OUT/show"
check "show prints the policy's verdict" grep -Eq '^  verdict +ask' "$OUT/show"
check "show prints a finding with its span" grep -q 'finding .*workspace_write.*"created_by_bash.txt"' "$OUT/show"
check "show prints who decided" grep -Eq "^  decided by +$(id -un) \(uid $(id -u)" "$OUT/show"
check "show prints the approver's reason" grep -q "reviewed by the test" "$OUT/show"
"$AL" show "$BASH_ID" --json >"$OUT/show.json"
check "show --json is the wire form with the wait time" python3 -c '
import json, sys
a = json.load(open(sys.argv[1]))
assert a["id"] == int(sys.argv[2]) and a["state"] == "approved", a
assert a["verdict"] == "ask" and a["approver"] and a["wait_ms"] >= 300, a
assert a["findings"][0]["category"] == "workspace_write", a' "$OUT/show.json" "$BASH_ID"
"$AL" show "$WRITE_ID" >"$OUT/show_write"
check "show of a Write has a diff against the (missing) file" \
	grep -q '^+++ ' "$OUT/show_write"
check "show of an unknown id fails" bash -c "! '$AL' show 99999 2>/dev/null"
check "show without an id is a usage error" bash -c "'$AL' show 2>/dev/null; [ \$? -eq 2 ]"

# ---- sessions, export, stats, alerts ---------------------------------------
"$AL" sessions --json >"$OUT/sessions"
check "sessions --json is JSON Lines" json_lines "$OUT/sessions"
check "sessions counts the approved and denied calls" python3 -c '
import json, sys
s = {}
for l in open(sys.argv[1]):
    o = json.loads(l); s[o["session_id"]] = o
bash = json.load(open(sys.argv[2]))["session_id"]
assert s[bash]["calls"] >= 1 and s[bash]["asked"] >= 1, s[bash]
assert sum(o["denied"] for o in s.values()) >= 1, s
assert "6a320563-87f0-4aab-92ee-f07ac2b1b855" in s' "$OUT/sessions" "$PAYLOADS/PreToolUse.Bash.json"

"$AL" export >"$OUT/export.jsonl"
check "export is JSON Lines" json_lines "$OUT/export.jsonl"
check "export has every call oldest first, with its decision" python3 -c '
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
ids = [r["id"] for r in rows]
assert ids == sorted(ids) and len(ids) == len(set(ids)), ids
by = {r["id"]: r for r in rows}
assert by[int(sys.argv[2])]["state"] == "approved"
assert by[int(sys.argv[3])]["state"] == "denied"
assert by[int(sys.argv[3])]["final_reason"] == "not in this branch"' \
	"$OUT/export.jsonl" "$BASH_ID" "$WRITE_ID"
READ_ID=$(python3 -c '
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
print(next(r["id"] for r in rows if r["tool_name"] == "Read" and r["hook_event"] == "PreToolUse"))' "$OUT/export.jsonl")
"$AL" show "$READ_ID" >"$OUT/show_read"
check "show prints the result from the call's PostToolUse" \
	grep -q '^result (PostToolUse call' "$OUT/show_read"
check "show --json carries the PostToolUse event" python3 -c '
import json, sys
a = json.loads(sys.stdin.read())
assert a["post"]["hook_event"] == "PostToolUse" and a["post"]["result_size"] > 0, a' \
	< <("$AL" show "$READ_ID" --json)
check "export --since in the future is empty" \
	bash -c "[ -z \"\$('$AL' export --since 2099-01-01)\" ]"
check "export with a bad time is a usage error" \
	bash -c "'$AL' export --since yesterday 2>/dev/null; [ \$? -eq 2 ]"

"$AL" stats --json >"$OUT/stats"
check "stats has today's calls, asks, denials and median" python3 -c '
import json, sys, datetime
days = [json.loads(l) for l in open(sys.argv[1])]
today = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d")
d = days[-1]
assert d["day"] == today, d
assert d["calls"] >= 6 and d["asked"] >= 2 and d["denied"] >= 1, d
assert d["decided"] >= 2 and d["median_decide_ms"] >= 0, d' "$OUT/stats"
check "stats prints a table" bash -c "'$AL' stats | grep -q '^day (UTC) '"

check "alerts: none yet" bash -c "[ -z \"\$('$AL' alerts --json)\" ]"

# ---- import and reconciliation ---------------------------------------------
"$AL" import "$FIXTURE" >"$OUT/import_busy" 2>&1
check "import refuses while the daemon runs" [ $? -eq 1 ]
check "import says why" grep -q "airlockd is running" "$OUT/import_busy"

stop_daemon
"$AL" import "$FIXTURE" >"$OUT/import" 2>&1
check "import succeeds with the daemon stopped" [ $? -eq 0 ]
check "import flags the five calls the hook never saw" \
	[ "$(grep -c '^UNSUPERVISED:' "$OUT/import")" -eq 5 ]
check "a hooked call is not flagged" bash -c "! grep -q toolu_t00_00 '$OUT/import'"
check "import reports what the hook already had" grep -q "5 imported, 3 already recorded by the hook" "$OUT/import"
"$AL" alerts --json >"$OUT/alerts"
check "five unsupervised-execution alerts" python3 -c '
import json, sys
al = [json.loads(l) for l in open(sys.argv[1])]
assert len(al) == 5 and all(a["kind"] == "unsupervised" for a in al), al
assert all("unsupervised execution" in a["message"] and a["action_id"] for a in al), al
assert not any(a["acknowledged"] for a in al)' "$OUT/alerts"
check "alerts prints them" bash -c "'$AL' alerts | grep -c unsupervised | grep -qx 5"
"$AL" import "$FIXTURE" >"$OUT/import2" 2>&1
check "a second import adds nothing" grep -q "0 imported, 3 already recorded by the hook, 5 imported before, 0 unsupervised" "$OUT/import2"
imported_id=$(python3 -c '
import json, sys
print([json.loads(l) for l in open(sys.argv[1])][0]["action_id"])' "$OUT/alerts")
"$AL" show "$imported_id" >"$OUT/show_imported"
check "an imported call has no decision provenance" grep -q "imported from a transcript: no decision provenance" "$OUT/show_imported"
check "the chain is intact after the import" bash -c "'$AL' verify >/dev/null"
check "checkpoint after the import" \
	bash -c "'$AL' checkpoint --witness '$WITNESS' >/dev/null"

# ---- truncation needs the witness (on a copy) -------------------------------
COPY=$(mktemp -d /tmp/airlock-it-copy.XXXXXX)
mkdir -p "$COPY/state"
cp "$DB" "$COPY/state/audit.db"
python3 - "$COPY/state/audit.db" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
for seq, tbl, row in db.execute("SELECT seq, tbl, row_id FROM chain ORDER BY seq DESC LIMIT 2").fetchall():
    db.execute(f"DELETE FROM {tbl} WHERE id = ?", (row,))
    db.execute("DELETE FROM chain WHERE seq = ?", (seq,))
db.commit()
PY
check "a truncated tail passes verify without a witness" \
	bash -c "AIRLOCK_HOME='$COPY' '$AL' verify >/dev/null"
AIRLOCK_HOME="$COPY" "$AL" verify --witness "$WITNESS" >"$OUT/verify_trunc"
check "verify --witness detects the truncation" [ $? -eq 1 ]
check "and says so" grep -q "truncated" "$OUT/verify_trunc"
rm -rf "$COPY"

# ---- tampering: edit a row's tool_input ------------------------------------
python3 - "$DB" "$BASH_ID" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.execute("UPDATE actions SET tool_input = ? WHERE id = ?",
           ('{"command":"echo harmless"}', int(sys.argv[2])))
db.commit()
PY
"$AL" verify >"$OUT/verify_bad" 2>&1
check "verify fails on an edited row" [ $? -eq 1 ]
check "verify names the row" grep -q "^first broken row: table actions, row id $BASH_ID\$" "$OUT/verify_bad"
check "verify says what is wrong" grep -q "row edited" "$OUT/verify_bad"

finish
