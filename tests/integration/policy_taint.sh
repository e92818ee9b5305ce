#!/usr/bin/env bash
# The daemon's policy at work: the user's policy file applies to the next
# call without a restart; a file that does not parse is rejected with its
# line, the last good policy stays in force and every console is alerted;
# a session that read untrusted content asks for egress even to an
# allowed host.
. "$(dirname "$0")/lib.sh"

mkdir -p "$AIRLOCK_HOME/config"
POL=$AIRLOCK_HOME/config/policy.json
cat >"$POL" <<'JSON'
{
  "egress": {"allow": ["api.github.com"]},
  "taint": {"on_untrusted_read": true}
}
JSON
# Held calls time out in the daemon after 2 s (deny, "approval timed
# out"); the hook's own deadline is well above that, so a loaded machine
# cannot turn the answer into the hook's fallback.
start_daemon --approval-timeout 2
HOOK="$BIN/airlock-hook --deadline 20"
SID=policy-taint-session
curl_ev() {
	event "$PAYLOADS/PreToolUse.Bash.json" \
		"d['session_id']='$SID'; d['tool_input']['command']='curl -s https://api.github.com/zen'"
}

out=$(curl_ev | timeout 30 $HOOK)
check "egress to an allowed host is allowed" [ "$(echo "$out" | decision)" = allow ]

# A broken edit of the policy: rejected, last good kept, alert with line.
printf '{\n  "egress": {"allow": ["api.github.com"]},\n  "strict": maybe\n}\n' >"$POL"
out=$(curl_ev | timeout 30 $HOOK)
check "with a broken policy file the last good policy stays" \
	[ "$(echo "$out" | decision)" = allow ]
check "the rejected policy raised an alert naming the file and line" \
	python3 -c 'import sqlite3,sys
c=sqlite3.connect(sys.argv[1])
rows=[r[0] for r in c.execute("select message from alerts")]
sys.exit(0 if any("policy.json:3" in m for m in rows) else 1)' "$AIRLOCK_HOME/state/audit.db" ||
	"$BIN/airlock" alerts --all 2>/dev/null | grep -q "policy.json:3"
check "airlock policy lint names the line" \
	bash -c "'$BIN/airlock' policy lint '$POL' 2>&1 | grep -q 'policy.json:3'"

# Fix it again: applies without a restart.
cat >"$POL" <<'JSON'
{
  "egress": {"allow": ["api.github.com"]},
  "taint": {"on_untrusted_read": true}
}
JSON
touch "$POL"

# Reading the web taints the session: the same call now asks.
event "$PAYLOADS/PostToolUse.WebFetch.json" "d['session_id']='$SID'" |
	timeout 30 $HOOK >/dev/null
out=$(curl_ev | timeout 30 $HOOK)
echo "answer: $out"
check "after reading untrusted content, egress to an allowed host asks" \
	[ "$(echo "$out" | decision)" = deny ]
check "the reason says why (approval timed out after being held)" \
	bash -c "echo '$out' | grep -q 'timed out'"
check "the held call was marked tainted" \
	bash -c "'$BIN/airlock' log --json --limit 20 | grep api.github.com | grep -q '\"tainted\":true'"

# A restart does not forget a taint (the store remembers it): the tainted
# session still asks; a session tainted just before the restart, with no
# call of its own since, too; a clean session is still allowed.
SID2=policy-taint-late
event "$PAYLOADS/PostToolUse.WebFetch.json" "d['session_id']='$SID2'" |
	timeout 30 $HOOK >/dev/null
stop_daemon
start_daemon --approval-timeout 2
out=$(curl_ev | timeout 30 $HOOK)
echo "after restart: $out"
check "after a restart the tainted session still asks (held, timed out)" \
	[ "$(echo "$out" | decision)" = deny ]
check "and its recorded reason says the taint was remembered" \
	bash -c "'$BIN/airlock' log --json --limit 20 | grep api.github.com | grep -q 'remembered across a daemon restart'"
SID=$SID2
check "a session tainted just before the restart asks too" \
	[ "$(curl_ev | timeout 30 $HOOK | decision)" = deny ]
SID=policy-taint-clean
check "a clean session is still allowed after the restart" \
	[ "$(curl_ev | timeout 30 $HOOK | decision)" = allow ]
finish
