#!/usr/bin/env bash
# End to end with the real Claude Code CLI (2.1.332) against the scripted
# fake model of ../shared/claude-code: `airlock install` in the scenario's
# project, a Bash call that would create a file is held; approving it makes
# the file appear; denying it with a reason leaves no file and the model's
# tool result carries the reason. Exits 77 (skipped) when Claude Code cannot
# be installed on this machine.
. "$(dirname "$0")/lib.sh"

H=$SHARED/claude-code
if ! command -v python3 >/dev/null; then
	echo "SKIP: python3 is missing"; exit 77
fi
if [ -z "${CLAUDE_BIN:-}" ] && ! command -v npm >/dev/null &&
	! ls "${CC_HARNESS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/airlock-cc-harness}"/claude-code-* >/dev/null 2>&1; then
	echo "SKIP: Claude Code is not installed and npm is missing"; exit 77
fi

start_daemon --approval-timeout 60

# The approver: the real console in a private tmux server.
USE_CONSOLE=0
if command -v tmux >/dev/null; then
	. "$(dirname "$0")/console_lib.sh"
	console_start approver 100 30
	USE_CONSOLE=1
else
	echo "note: tmux missing, deciding with the command line instead"
fi

# decide ACTION: approve (key a), or deny with a reason (key d, a typed
# reason, Enter) in the console.
decide() {
	local what=$1 id
	wait_for 60 has_pending created_by_bash || return 1
	id=$(pending_id created_by_bash)
	if [ $USE_CONSOLE = 0 ]; then
		if [ "$what" = approve ]; then
			"$BIN/airlock" approve "$id" --reason "e2e approve"
		else
			"$BIN/airlock" deny "$id" --reason "airlock e2e: not today"
		fi
		return
	fi
	screen_wait approver 10 "created_by_bash" || return 1
	if [ "$what" = approve ]; then
		keys approver a
	else
		keys approver d
		screen_wait approver 5 "eason" || return 1
		keys approver -l "airlock e2e: not today"
		keys approver Enter
	fi
	wait_for 10 bash -c "! '$BIN/airlock' pending --json | grep -q created_by_bash"
}

run_case() {
	local what=$1 work out
	work=$(mktemp -d /tmp/airlock-e2e-work.XXXXXX)
	out=$AIRLOCK_HOME/run-$what
	"$BIN/airlock" install --project "$work" >/dev/null ||
		{ fail "$what: airlock install"; return; }
	timeout 120 "$H/run_scenario.py" "$H/scenarios/bash_create_file.json" "$work" \
		--out "$out" --allowed-tools '' --timeout 100 --quiet \
		>"$AIRLOCK_HOME/scenario-$what.log" 2>&1 &
	local scen=$!
	if ! decide "$what"; then
		kill $scen 2>/dev/null
		if grep -q "npm install failed\|npm not found" "$AIRLOCK_HOME/scenario-$what.log"; then
			echo "SKIP: Claude Code could not be installed:"
			tail -3 "$AIRLOCK_HOME/scenario-$what.log"
			stop_daemon; exit 77
		fi
		fail "$what: the Bash call reached the approval queue"
		tail -5 "$AIRLOCK_HOME/scenario-$what.log"
		return
	fi
	pass "$what: the Bash call was held for a human"
	wait $scen
	if [ "$what" = approve ]; then
		check "approve: the file appears" [ -f "$work/created_by_bash.txt" ]
	else
		check "deny: no file was created" [ ! -e "$work/created_by_bash.txt" ]
		check "deny: the model's tool result carries the reason" \
			bash -c "'$H/show_run.py' --tool-results '$out' | grep 'not today' >/dev/null"
	fi
	check "$what: the settings file was written by airlock install" \
		grep -q airlock-hook "$work/.claude/settings.json"
	rm -rf "$work"
}

run_case approve
run_case deny
if [ $USE_CONSOLE = 1 ]; then
	check "the console recorded the approver's Unix user" \
		bash -c "'$BIN/airlock' log --json --limit 100 | grep -q '\"approver\":\"$(id -un)\"'"
	console_finish
else
	finish
fi
