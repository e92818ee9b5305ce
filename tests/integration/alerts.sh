#!/usr/bin/env bash
# Alerts, acknowledgement, checkpoints, history filters and a corrupt
# database at start, end to end with real processes (issue 5): airlockd
# records real hook calls; a SUB client on events.sock keeps every event;
# `airlock alerts/log/verify` and python3's sqlite3 check what was stored.
. "$(dirname "$0")/lib.sh"

HOOK="$BIN/airlock-hook --deadline 20"
AL="$BIN/airlock"
OUT=$AIRLOCK_HOME/out
EVENTS=$OUT/events.jsonl
WITNESS=$AIRLOCK_HOME/witness.jsonl
STATE=$AIRLOCK_HOME/state
DB=$STATE/audit.db
ME=$(id -un)
SUB_PID=
mkdir -p "$OUT" "$AIRLOCK_HOME/config"
export SRC

cleanup() {
	[ -n "$SUB_PID" ] && kill "$SUB_PID" 2>/dev/null
	stop_daemon
}
trap cleanup EXIT

# pre SESSION CWD TOOL_USE_ID COMMAND: a PreToolUse Bash event.
pre() {
	python3 - "$@" <<'PY'
import json, sys
s, cwd, tu, cmd = sys.argv[1:5]
print(json.dumps({"session_id": s, "transcript_path": "/tmp/t.jsonl",
    "cwd": cwd, "permission_mode": "default", "hook_event_name": "PreToolUse",
    "tool_name": "Bash", "tool_input": {"command": cmd}, "tool_use_id": tu}))
PY
}

# post SESSION TOOL_USE_ID: a PostToolUse Bash event for that call.
post() {
	python3 - "$@" <<'PY'
import json, sys
s, tu = sys.argv[1:3]
print(json.dumps({"session_id": s, "transcript_path": "/tmp/t.jsonl",
    "cwd": "/home/dev/project", "permission_mode": "default",
    "hook_event_name": "PostToolUse", "tool_name": "Bash",
    "tool_input": {"command": "true"}, "tool_use_id": tu,
    "tool_response": {"stdout": "ok", "stderr": "", "interrupted": False}}))
PY
}

# call SESSION CWD TOOL_USE_ID COMMAND: runs the hook, prints the decision.
call() {
	pre "$@" | timeout 25 $HOOK | decision
}

# call_held SESSION TOOL_USE_ID COMMAND approve|deny: an asked call, decided
# by a human; prints the hook's decision.
call_held() {
	pre "$1" /home/dev/project "$2" "$3" | timeout 25 $HOOK >"$OUT/held" &
	local hook=$! id
	wait_for 10 has_pending "$2" || return 1
	id=$(pending_id "$2")
	if [ "$4" = approve ]; then
		"$AL" approve "$id" >/dev/null
	else
		"$AL" deny "$id" --reason "not now" >/dev/null
	fi
	wait $hook
	decision <"$OUT/held"
}

# alerts_of KIND [SESSION]: how many alerts of KIND (in SESSION) exist.
alerts_of() {
	python3 - "$DB" "$@" <<'PY'
import sqlite3, sys
db = sqlite3.connect("file:%s?mode=ro" % sys.argv[1], uri=True)
q, a = "SELECT count(*) FROM alerts WHERE kind = ?", [sys.argv[2]]
if len(sys.argv) > 3:
    q += " AND session_id = ?"; a.append(sys.argv[3])
print(db.execute(q, a).fetchone()[0])
PY
}

# event_where PYTHON-EXPR: the events file has an event e for which it holds.
event_where() {
	python3 - "$EVENTS" "$1" <<'PY'
import json, sys
for l in open(sys.argv[1]):
    e = json.loads(l)
    try:
        if eval(sys.argv[2]):
            sys.exit(0)
    except (KeyError, TypeError):
        pass
sys.exit(1)
PY
}

# control JSON: one request on control.sock; prints the reply.
control() {
	python3 - "$AIRLOCK_HOME/run/control.sock" "$1" <<'PY'
import os, sys
sys.path.insert(0, os.path.join(os.environ["SRC"], "tests/integration"))
import rel_lib as R
print(R.sp_request(sys.argv[1], sys.argv[2].encode(), timeout=5).decode())
PY
}

# ctl_code JSON CODE: the control request is refused with CODE.
ctl_code() {
	control "$1" | grep -q "\"code\":\"$2\""
}

# start_sub: every event on events.sock, one JSON line each, into $EVENTS.
start_sub() {
	rm -f "$EVENTS.ready"
	python3 - "$AIRLOCK_HOME/run" "$EVENTS" <<'PY' &
import json, os, sys, time
sys.path.insert(0, os.path.join(os.environ["SRC"], "tests/integration"))
import rel_lib as R
s = R.Sub(sys.argv[1])
open(sys.argv[2] + ".ready", "w").close()
with open(sys.argv[2], "a") as f:
    while True:
        try:
            e = s.next(3600)
        except Exception:
            break
        f.write(json.dumps(e) + "\n"); f.flush()
PY
	SUB_PID=$!
	wait_for 10 test -e "$EVENTS.ready"
	sleep 0.3 # the PUB side adds the pipe asynchronously
}

cat >"$AIRLOCK_HOME/config/policy.json" <<'JSON'
{
  "permissions": {"deny": ["Bash(forbidden-cmd:*)"]},
  "egress": {"allow": ["*.example.org"]},
  "alerts": {"denials": 2}
}
JSON
check "policy lint accepts the alerts key" \
	bash -c "'$AL' policy lint '$AIRLOCK_HOME/config/policy.json' >/dev/null"
printf '{"alerts": {"denials": "three"}}\n' >"$OUT/bad1.json"
printf '{"alerts": {"denial": 3}}\n' >"$OUT/bad2.json"
check "policy lint rejects a bad alerts.denials" \
	bash -c "! '$AL' policy lint '$OUT/bad1.json' >/dev/null 2>&1"
check "policy lint rejects an unknown alerts key" \
	bash -c "! '$AL' policy lint '$OUT/bad2.json' >/dev/null 2>&1"

start_daemon --approval-timeout 60 --witness "$WITNESS" --checkpoint-interval 1
start_sub

# ---- checkpoints -----------------------------------------------------------
check "a checkpoint is witnessed at start" wait_for 5 test -s "$WITNESS"
check "checkpoint events reach consoles" wait_for 5 event_where \
	'e["type"] == "checkpoint" and isinstance(e["rows"], int) and len(e["head"]) == 64 and e["time_ms"] > 0 and e["v"] == 1 and e["seq"] > 0'
check "the witness line is what verify --witness reads" \
	bash -c "'$AL' verify --witness '$WITNESS' >/dev/null"

# ---- new hosts ---------------------------------------------------------------
check "egress to an allowlisted host is allowed" \
	[ "$(call s-host /home/dev/project tu-h1 'curl https://fresh-1.example.org/a')" = allow ]
check "egress to a new host is an alert" [ "$(alerts_of new_host s-host)" = 1 ]
call s-host /home/dev/project tu-h2 'curl https://fresh-1.example.org/b' >/dev/null
check "the same host again is no new alert" [ "$(alerts_of new_host s-host)" = 1 ]
call s-host2 /home/dev/project tu-h3 'curl https://FRESH-1.example.org/c' >/dev/null
check "nor in another session, nor in other case" [ "$(alerts_of new_host)" = 1 ]
call s-host /home/dev/project tu-h4 'curl https://fresh-2.example.org/ https://fresh-3.example.org/' >/dev/null
check "two new hosts in one call: one alert naming both" python3 -c '
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
m = db.execute("SELECT message FROM alerts WHERE kind = ? ORDER BY id DESC", ("new_host",)).fetchone()[0]
assert "fresh-2.example.org" in m and "fresh-3.example.org" in m, m' "$DB"
check "the alert event carries the alert object" wait_for 5 event_where \
	'e["type"] == "alert" and e["alert"]["kind"] == "new_host" and e["alert"]["session_id"] == "s-host" and e["alert"]["id"] > 0 and e["alert"]["action_id"] > 0 and e["alert"]["created_ms"] > 0 and "fresh-1.example.org" in e["alert"]["message"] and e["text"] == e["alert"]["message"]'

# ---- privilege escalation ----------------------------------------------------
check "sudo is asked, approved by a human" \
	[ "$(call_held s-priv tu-p1 'sudo ls /root' approve)" = allow ]
check "privilege escalation asked is an alert" [ "$(alerts_of privilege s-priv)" = 1 ]
check "the privilege alert names the call" python3 -c '
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
m, a = db.execute("SELECT message, action_id FROM alerts WHERE kind = ?", ("privilege",)).fetchone()
assert "sudo ls /root" in m and a > 0, (m, a)' "$DB"

# ---- tamper ------------------------------------------------------------------
check "a write to Claude Code's settings is denied" \
	[ "$(call s-tamper /home/dev/project tu-t1 'echo x > ~/.claude/settings.json')" = deny ]
check "a blocked tamper attempt is an alert" [ "$(alerts_of tamper s-tamper)" = 1 ]
check "a tamper alert reaches consoles" wait_for 5 event_where \
	'e["type"] == "alert" and e["alert"]["kind"] == "tamper" and e["alert"]["session_id"] == "s-tamper"'

# ---- repeated denials (threshold 2 from the policy) --------------------------
call s-deny /home/dev/project tu-d1 'forbidden-cmd one' >/dev/null
check "one denial: no alert yet" [ "$(alerts_of denials s-deny)" = 0 ]
check "a second policy denial" \
	[ "$(call s-deny /home/dev/project tu-d2 'forbidden-cmd two')" = deny ]
check "two denials cross the threshold: one alert" [ "$(alerts_of denials s-deny)" = 1 ]
call s-deny /home/dev/project tu-d3 'forbidden-cmd three' >/dev/null
check "a third: still one alert (once per crossing)" [ "$(alerts_of denials s-deny)" = 1 ]
check "a human denial counts too" \
	[ "$(call_held s-deny tu-d4 'rm -rf /opt/airlock-alerts-test-dir' deny)" = deny ]
check "four denials: the second crossing alerts" [ "$(alerts_of denials s-deny)" = 2 ]
check "denials in other sessions do not count here" [ "$(alerts_of denials s-tamper)" = 0 ]

# ---- acknowledgement ---------------------------------------------------------
AID=$(python3 -c '
import sqlite3, sys
print(sqlite3.connect(sys.argv[1]).execute("SELECT id FROM alerts WHERE kind = ?", ("tamper",)).fetchone()[0])' "$DB")
"$AL" alerts >"$OUT/alerts_before"
check "alerts lists the tamper alert" grep -q "^#$AID .*tamper" "$OUT/alerts_before"
"$AL" alerts --ack "$AID" >"$OUT/ack1" 2>&1
check "the first acknowledgement wins" [ $? -eq 0 ]
check "and says so" grep -q "alert $AID acknowledged" "$OUT/ack1"
"$AL" alerts --ack "$AID" >"$OUT/ack2" 2>&1
check "a second acknowledgement is refused" [ $? -eq 1 ]
check "and is told who acknowledged it" grep -q "already acknowledged by $ME" "$OUT/ack2"
check "an unknown alert cannot be acknowledged" bash -c "! '$AL' alerts --ack 999999 2>/dev/null"
check "--ack without an id is a usage error" bash -c "'$AL' alerts --ack 2>/dev/null; [ \$? -eq 2 ]"
check "the acknowledgement is recorded with the approver" python3 -c '
import sqlite3, sys
by, uid, ms = sqlite3.connect(sys.argv[1]).execute("SELECT acknowledged_by, acknowledged_uid, acknowledged_ms FROM alerts WHERE id = ?", (int(sys.argv[2]),)).fetchone()
assert by == sys.argv[3] and uid == int(sys.argv[4]) and ms > 0, (by, uid, ms)' "$DB" "$AID" "$ME" "$(id -u)"
check "acknowledged alerts leave the default list" bash -c "! '$AL' alerts | grep -q '^#$AID '"
check "and stay in --all" bash -c "'$AL' alerts --all | grep -q '^#$AID .*acknowledged by $ME'"
check "consoles hear of the acknowledgement" wait_for 5 event_where \
	"e['type'] == 'alert_ack' and e['alert']['id'] == $AID and e['alert']['acked_by'] == '$ME' and e['alert']['acked_ms'] > 0"
check "alert_ack with a bad id is invalid" \
	ctl_code '{"v":1,"op":"alert_ack","id":"x"}' invalid

# ---- history filters ---------------------------------------------------------
call s-proj /home/dev/projA tu-c1 'ls marker-proj-a' >/dev/null
call s-proj /home/dev/projA/sub tu-c2 'ls marker-proj-a-sub' >/dev/null
call s-proj /home/dev/projAB tu-c3 'ls marker-proj-ab' >/dev/null
"$AL" log --project /home/dev/projA --json >"$OUT/log_proj"
check "log --project: the directory and below" \
	bash -c "grep -q marker-proj-a-sub '$OUT/log_proj' && grep -q 'marker-proj-a\"' '$OUT/log_proj'"
check "log --project: not a sibling with the same prefix" bash -c "! grep -q marker-proj-ab '$OUT/log_proj'"
check "log --project /home/dev/projA/ (trailing slash) is the same" \
	bash -c "[ \"\$('$AL' log --project /home/dev/projA/ --json | wc -l)\" = \"\$(wc -l <'$OUT/log_proj')\" ]"

"$AL" log --approver "$ME" --json >"$OUT/log_appr"
check "log --approver: the calls that user decided" python3 -c '
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
assert len(rows) == 2 and all(r["approver"] == sys.argv[2] for r in rows), rows' "$OUT/log_appr" "$ME"
check "log --approver somebody-else is empty" bash -c "[ -z \"\$('$AL' log --approver nobody-such)\" ]"

"$AL" log --risk privilege --json >"$OUT/log_risk"
check "log --risk privilege: the sudo call only" python3 -c '
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
assert [r["tool_use_id"] for r in rows] == ["tu-p1"], rows' "$OUT/log_risk"
check "log --risk egress: the curl calls" \
	[ "$("$AL" log --risk egress --json | grep -c '"tu-h')" = 4 ]
check "log --risk with an unknown category is a usage error" \
	bash -c "'$AL' log --risk nonsense 2>/dev/null; [ \$? -eq 2 ]"

post s-post tu-unseen | timeout 10 $HOOK >/dev/null
post s-deny tu-d1 | timeout 10 $HOOK >/dev/null
"$AL" log --unsupervised --json >"$OUT/log_unsup"
check "log --unsupervised: a result no decision covers" grep -q '"tu-unseen"' "$OUT/log_unsup"
check "log --unsupervised: not a result of a decided call" bash -c "! grep -q '\"tu-d1\"' '$OUT/log_unsup'"
check "log --unsupervised: no decided call either" \
	[ "$(grep -c . "$OUT/log_unsup")" = 1 ]
check "log filters combine" \
	[ "$("$AL" log --risk egress --session s-host2 --json | grep -c .)" = 1 ]

control '{"v":1,"op":"log","project":"/home/dev/projA","risk":"egress"}' >"$OUT/ctl_none"
control '{"v":1,"op":"log","project":"/home/dev/projA"}' >"$OUT/ctl_proj"
control '{"v":1,"op":"log","unsupervised":true}' >"$OUT/ctl_unsup"
control '{"v":1,"op":"log","approver":"'"$ME"'","risk":"privilege"}' >"$OUT/ctl_appr"
check "the log control op takes the new filters" python3 -c '
import json, sys
n = lambda f: len(json.load(open(f))["actions"])
assert n(sys.argv[1]) == 0 and n(sys.argv[2]) == 2 and n(sys.argv[3]) == 1 and n(sys.argv[4]) == 1
' "$OUT/ctl_none" "$OUT/ctl_proj" "$OUT/ctl_unsup" "$OUT/ctl_appr"
check "the log control op refuses an unknown risk category" \
	ctl_code '{"v":1,"op":"log","risk":"bogus"}' invalid

# ---- the witness detects a truncated tail ------------------------------------
ROWS=$(python3 -c '
import sqlite3, sys
print(sqlite3.connect(sys.argv[1]).execute("SELECT max(seq) FROM chain").fetchone()[0])' "$DB")
check "the periodic checkpoint catches up with the chain" wait_for 10 python3 -c '
import json, sys
assert json.loads(open(sys.argv[1]).readlines()[-1])["rows"] >= int(sys.argv[2])' "$WITNESS" "$ROWS"
kill "$SUB_PID" 2>/dev/null
SUB_PID=
stop_daemon
check "verify --witness passes on the whole database" \
	bash -c "'$AL' verify --witness '$WITNESS' >/dev/null"
python3 - "$DB" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
for seq, tbl, row in db.execute("SELECT seq, tbl, row_id FROM chain ORDER BY seq DESC LIMIT 2").fetchall():
    db.execute(f"DELETE FROM {tbl} WHERE id = ?", (row,))
    db.execute("DELETE FROM chain WHERE seq = ?", (seq,))
db.commit()
PY
check "a truncated tail still passes verify alone" bash -c "'$AL' verify >/dev/null"
"$AL" verify --witness "$WITNESS" >"$OUT/verify_trunc"
check "verify --witness detects the truncation" [ $? -eq 1 ]
check "and says so" grep -q "truncated" "$OUT/verify_trunc"

# ---- a corrupt database at start is set aside ----------------------------------
rm -f "$DB" "$DB-wal" "$DB-shm"
head -c 65536 /dev/urandom >"$DB"
SUM=$(sha256sum "$DB" | cut -d' ' -f1)
start_daemon --approval-timeout 60
check "with a corrupt database the daemon serves at once" \
	[ "$(call s-new /home/dev/project tu-n1 'ls after-corrupt')" = allow ]
ASIDE=$(ls "$STATE"/audit.db.corrupt-* 2>/dev/null | grep -v -- '-wal$\|-shm$' | head -n 1)
check "the corrupt file is set aside" [ -n "$ASIDE" ]
check "read-only (0400)" [ "$(stat -c %a "$ASIDE" 2>/dev/null)" = 400 ]
check "untouched (same SHA-256)" [ "$(sha256sum "$ASIDE" | cut -d' ' -f1)" = "$SUM" ]
check "the new database's first chain row names the old file and its hash" python3 -c '
import sqlite3, sys
db = sqlite3.connect("file:%s?mode=ro" % sys.argv[1], uri=True)
tbl, row = db.execute("SELECT tbl, row_id FROM chain WHERE seq = 1").fetchone()
assert tbl == "alerts", tbl
kind, msg = db.execute("SELECT kind, message FROM alerts WHERE id = ?", (row,)).fetchone()
assert kind == "audit_corrupt" and sys.argv[2] in msg and sys.argv[3] in msg, msg' "$DB" "$ASIDE" "$SUM"
check "verify passes on the new database" bash -c "'$AL' verify >/dev/null"
check "airlock alerts shows the set-aside" bash -c "'$AL' alerts | grep -q audit_corrupt"
stop_daemon

# A database with a damaged page (quick_check fails): set aside too.
rm -f "$STATE"/audit.db.corrupt-*
python3 - "$DB" <<'PY'
import os, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
db.execute("CREATE TABLE filler(x)")
db.executemany("INSERT INTO filler VALUES (?)", [(os.urandom(200).hex(),) for _ in range(400)])
db.commit()
db.execute("PRAGMA journal_mode=DELETE")
db.close()
size = os.path.getsize(sys.argv[1])
with open(sys.argv[1], "r+b") as f:
    f.seek(size - 3 * 4096)
    f.write(b"\xff" * 4096)
PY
start_daemon --approval-timeout 60
check "a damaged page: served at once" \
	[ "$(call s-new2 /home/dev/project tu-n2 'ls after-damage')" = allow ]
check "a damaged page: set aside" bash -c "ls '$STATE'/audit.db.corrupt-* >/dev/null 2>&1"
check "a damaged page: verify passes on the new database" bash -c "'$AL' verify >/dev/null"
stop_daemon

finish
