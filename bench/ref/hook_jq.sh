#!/bin/bash
# Reference hook, bash + jq: what many people run today. Reads the event,
# extracts a field with jq, prints a fixed PreToolUse allow
# (bench/bench_hook.c).
input=$(cat)
event=$(printf '%s' "$input" | jq -r '.hook_event_name // "PreToolUse"')
printf '{"hookSpecificOutput":{"hookEventName":"%s","permissionDecision":"allow","permissionDecisionReason":"reference hook (bash+jq)"}}\n' "$event"
