#!/usr/bin/env bash
# Secrets never leave airlock in clear: a pending call that carries a token
# is shown to approvers (pending, log, the events stream) with the token
# replaced by a typed marker, the audit database never stores it, and an
# approver who edits the redacted input still runs the real command (the
# markers they leave are put back).
. "$(dirname "$0")/lib.sh"

start_daemon --approval-timeout 60
TOKEN=ghp_$(python3 -c 'import random,string; r=random.Random(7); print("".join(r.choice(string.ascii_letters+string.digits) for _ in range(36)))')
CMD="curl -s -H 'Authorization: token $TOKEN' https://api.github.com/user && touch fetched"

event "$PAYLOADS/PreToolUse.Bash.json" "d['tool_input']['command']=\"$CMD\"" |
	timeout 30 "$BIN/airlock-hook" --deadline 25 >"$AIRLOCK_HOME/hook.out" &
hook=$!
wait_for 5 has_pending api.github.com || fail "the call is pending"
json=$("$BIN/airlock" pending --json)
printf '%s\n' "$json" >"$AIRLOCK_HOME/pending.json"
check "pending --json does not show the token" \
	bash -c "! grep -qF '$TOKEN' '$AIRLOCK_HOME/pending.json'"
check "pending --json shows a typed marker" \
	grep -q 'github_pat #' "$AIRLOCK_HOME/pending.json"

# Edit then approve: change only the URL, keep the marker.
id=$(pending_id api.github.com)
edited=$(python3 -c '
import json, sys
a = json.loads(sys.argv[1])
ti = a["tool_input"]
ti["command"] = ti["command"].replace("/user", "/rate_limit")
print(json.dumps(ti))' "$json")
"$BIN/airlock" approve "$id" --reason "rate limit instead" --input "$edited" >/dev/null
wait $hook
check "the hook runs the edited command with the real token" \
	grep -qF "$TOKEN" "$AIRLOCK_HOME/hook.out"
check "the edit itself is kept" grep -qF "/rate_limit" "$AIRLOCK_HOME/hook.out"
check "the history does not show the token" \
	bash -c "! '$BIN/airlock' log --json --limit 20 | grep -qF '$TOKEN'"
check "the database never stored the token" \
	bash -c "! grep -qaF '$TOKEN' '$AIRLOCK_HOME'/state/audit.db*"
finish
