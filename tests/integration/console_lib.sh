# Helpers for the console tests: the real `airlock` console in a private
# tmux server, driven with send-keys and read with capture-pane. Sourced
# after lib.sh. Never sleeps a fixed time: screen_wait polls with a
# deadline.

# Binaries from an install-style bin/ or straight from the build tree.
if [ ! -x "$BIN/airlockd" ]; then
	BIN=$AIRLOCK_HOME/bin
	mkdir -p "$BIN"
	ln -s "$BUILD/ipc/airlockd" "$BIN/airlockd"
	ln -s "$BUILD/ipc/airlock-hook" "$BIN/airlock-hook"
	ln -s "$BUILD/tui/airlock" "$BIN/airlock"
fi

if ! command -v tmux >/dev/null; then
	echo "SKIP: tmux is not installed"
	exit 77
fi

C_TMUX_SOCK=airlock-test-$$
# Our own tmux server and no user config: touches no other tmux.
tmx() { tmux -L "$C_TMUX_SOCK" -f /dev/null "$@"; }

# console_start NAME COLS ROWS [ARGS...]: the console in its own session.
console_start() {
	local name=$1 cols=$2 rows=$3
	shift 3
	local cmd="exec env AIRLOCK_HOME='$AIRLOCK_HOME' TERM=tmux-256color"
	cmd="$cmd LANG=C.UTF-8 LC_ALL=C.UTF-8 EDITOR='${C_EDITOR:-true}'"
	cmd="$cmd DBUS_SESSION_BUS_ADDRESS= XDG_RUNTIME_DIR= '$BIN/airlock' $*"
	cmd="$cmd 2>>'$AIRLOCK_HOME/console-$name.err'"
	tmx new-session -d -s "$name" -x "$cols" -y "$rows" "$cmd"
	# a console that dies stays visible ("Pane is dead") for the failure
	tmx set -g remain-on-exit on >/dev/null
}

screen() { tmx capture-pane -p -t "$1" 2>/dev/null; }

# screen_wait NAME SECONDS FIXED-STRING: true once it is on the screen.
screen_wait() {
	local name=$1 deadline=$((SECONDS + $2))
	while ! screen "$name" | grep -qF -- "$3"; do
		if [ $SECONDS -ge $deadline ]; then
			echo "--- screen of $name while waiting for '$3':"
			screen "$name" | sed 's/^/| /'
			return 1
		fi
		sleep 0.05
	done
}

# screen_wait_gone NAME SECONDS FIXED-STRING
screen_wait_gone() {
	local name=$1 deadline=$((SECONDS + $2))
	while screen "$name" | grep -qF -- "$3"; do
		if [ $SECONDS -ge $deadline ]; then
			echo "--- screen of $name while waiting for '$3' to go:"
			screen "$name" | sed 's/^/| /'
			return 1
		fi
		sleep 0.05
	done
}

keys() {
	local name=$1
	shift
	tmx send-keys -t "$name" "$@"
}

# The line of the screen showing the detail title: " Detail #12 ..."
detail_id() { screen "$1" | sed -n 's/.* Detail #\([0-9]*\).*/\1/p' | head -n 1; }

# hook_bg FILE OUT [python]: a held hook in the background; sets HOOK_PID.
hook_bg() {
	event "$1" "${3:-}" | timeout 60 "$BIN/airlock-hook" --deadline 50 >"$2" &
	HOOK_PID=$!
}

console_finish() {
	tmx kill-server 2>/dev/null
	finish
}
