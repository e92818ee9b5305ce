#!/usr/bin/env bash
# Why airlock installs a command hook and not Claude Code's "type": "http"
# hook form (which would spawn no process): measured with the real Claude
# Code, an http hook that cannot connect, answers 500, or times out lets
# the tool call run. Only a process that always answers — airlock-hook,
# which answers deny when the daemon is down — keeps the fail-closed
# promise. This test re-measures that on every run, so a Claude Code
# version that changes it is noticed. Exits 77 without Claude Code.
. "$(dirname "$0")/lib.sh"

H=$SHARED/claude-code
if [ -z "${CLAUDE_BIN:-}" ] && ! command -v npm >/dev/null &&
	! ls "${CC_HARNESS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/airlock-cc-harness}"/claude-code-* >/dev/null 2>&1; then
	echo "SKIP: Claude Code is not installed and npm is missing"; exit 77
fi

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
python3 - "$port" <<'PY' &
import http.server, sys, time
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        self.rfile.read(int(self.headers.get("content-length", 0)))
        if self.path == "/err":
            self.send_response(500); self.end_headers()
        elif self.path == "/slow":
            time.sleep(6); self.send_response(200); self.end_headers()
    def log_message(self, *a): pass
http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
PY
server=$!
closed=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')

runs_anyway() {
	local name=$1 url=$2 work
	work=$(mktemp -d /tmp/airlock-e2e-http.XXXXXX)
	printf '{"hooks": {"PreToolUse": [{"matcher": "*", "hooks": [{"type": "http", "url": "%s", "timeout": 2}]}]}}' \
		"$url" >"$AIRLOCK_HOME/$name.json"
	timeout 90 "$H/run_scenario.py" "$H/scenarios/bash_create_file.json" "$work" \
		--out "$AIRLOCK_HOME/run-$name" --settings "$AIRLOCK_HOME/$name.json" \
		--allowed-tools Bash --timeout 60 --quiet >/dev/null 2>&1
	[ -e "$work/created_by_bash.txt" ]
	local rc=$?
	rm -rf "$work"
	return $rc
}

check "http hook, nothing listening: the call runs (fails open)" \
	runs_anyway closed "http://127.0.0.1:$closed/hook"
check "http hook, HTTP 500: the call runs (fails open)" \
	runs_anyway err "http://127.0.0.1:$port/err"
check "http hook, timeout: the call runs (fails open)" \
	runs_anyway slow "http://127.0.0.1:$port/slow"
kill $server 2>/dev/null
finish
