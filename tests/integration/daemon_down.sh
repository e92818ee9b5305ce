#!/usr/bin/env bash
# No daemon: the hook answers within 1 s, ask only where Claude Code's own
# prompt will decide, deny everywhere else; never allow.
. "$(dirname "$0")/lib.sh"

for mode in default acceptEdits plan bypassPermissions dontAsk weirdMode; do
	ev=$(event "$PAYLOADS/PreToolUse.Bash.json" "d['permission_mode']='$mode'")
	start=$(date +%s%N)
	out=$(printf '%s\n' "$ev" | timeout 5 "$BIN/airlock-hook")
	ms=$(( ($(date +%s%N) - start) / 1000000 ))
	case $mode in
	default | acceptEdits | plan) want=ask ;;
	*) want=deny ;;
	esac
	check "daemon down, $mode mode: $want within 1 s (${ms} ms)" \
		[ "$(echo "$out" | decision)" = $want -a $ms -lt 1000 ]
done

mkdir -p "$AIRLOCK_HOME/config"
echo '{"strict": true}' >"$AIRLOCK_HOME/config/policy.json"
out=$(event "$PAYLOADS/PreToolUse.Bash.json" | timeout 5 "$BIN/airlock-hook")
check "daemon down, strict: deny" [ "$(echo "$out" | decision)" = deny ]
check "the reason says the daemon is down" bash -c "echo '$out' | grep -q 'not running'"

out=$(event "$PAYLOADS/PermissionRequest.Bash.json" "d['permission_mode']='bypassPermissions'" |
	timeout 5 "$BIN/airlock-hook")
check "daemon down, PermissionRequest in bypass mode: deny" [ "$(echo "$out" | decision)" = deny ]

out=$(event "$PAYLOADS/PostToolUse.Bash.json" | timeout 5 "$BIN/airlock-hook")
check "daemon down, PostToolUse: no output" [ -z "$out" ]

finish
