#!/usr/bin/env bash
# nng 1.5.2 bug #1518: clients that connect and close at once can stop the
# hook listener from accepting anything, for good. The daemon's watchdog
# must notice (error counter + self-probe) and recreate the listener, so
# that hooks are served again within seconds.
. "$(dirname "$0")/lib.sh"

start_daemon
sock=$AIRLOCK_HOME/run/hook.sock

hammer() {
	python3 - "$sock" <<'PY'
import socket, sys, time
path = sys.argv[1]
for i in range(400):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        s.connect(path)
        if i % 3 == 1:
            s.send(b"\x00SP\x00\x00\x30\x00\x00")
        elif i % 3 == 2:
            s.send(b"garbage!")
    except OSError:
        pass
    s.close()
PY
}

ok=0
for round in 1 2 3; do
	hammer
	start=$(date +%s%N)
	out=$(event "$PAYLOADS/PreToolUse.Read.json" |
		timeout 20 "$BIN/airlock-hook" --deadline 15)
	ms=$(( ($(date +%s%N) - start) / 1000000 ))
	if [ "$(echo "$out" | decision)" = allow ]; then
		ok=$((ok + 1))
		echo "round $round: served in $ms ms"
	else
		echo "round $round: not served ($out) after $ms ms"
	fi
done
check "hooks are served after connect/close storms (3 rounds)" [ $ok -eq 3 ]
check "the daemon is still answering control requests" "$BIN/airlock" status >/dev/null

finish
