#!/usr/bin/env bash
# `airlock demo`, the README's first command: a private daemon, a
# scripted agent and the real console under tmux. The demo's calls show
# up held, a denial with a reason reaches the demo agent's hook, and
# quitting stops the demo daemon and removes its private home.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/console_lib.sh"

before=$(ls -d /tmp/airlock-demo-* 2>/dev/null | sort)
console_start demo 120 36 demo
check "the demo queue shows the force push" screen_wait demo 20 "git push --force"
check "and the piped install script" screen_wait demo 10 "example-drop.com"
home=$(comm -13 <(echo "$before") <(ls -d /tmp/airlock-demo-* 2>/dev/null | sort) | head -n 1)
check "the demo runs in a private home under /tmp" [ -d "$home" ]
dpid=$(cat "$home/run/airlockd.pid" 2>/dev/null)
check "with its own daemon" kill -0 "${dpid:-0}"

# Deny the selected call with a reason; its hook prints deny with it.
sel=$(detail_id demo)
keys demo d
check "d asks for a reason" screen_wait demo 5 "Reason for denying #$sel"
keys demo -l "demo says no"
keys demo Enter
check "the console confirms the denial" screen_wait demo 5 "denied #$sel"
check "the demo agent's hook got deny with the reason" bash -c \
	"for i in \$(seq 100); do grep -l 'demo says no' '$home'/call-*.out 2>/dev/null | xargs -r grep -l '\"deny\"' | grep -q . && exit 0; sleep 0.1; done; exit 1"

keys demo q
check "q quits" bash -c "for i in \$(seq 100); do tmux -L '$C_TMUX_SOCK' list-panes -t demo -F '#{pane_dead}' 2>/dev/null | grep -q 1 && exit 0; sleep 0.1; done; exit 1"
check "the demo daemon stopped" wait_for 10 bash -c "! kill -0 ${dpid:-0} 2>/dev/null"
check "the demo home was removed" wait_for 10 test ! -e "$home"
check "no errors on the console's stderr" bash -c "! grep -q . '$AIRLOCK_HOME/console-demo.err'"

console_finish
