# Reference hook, python3 + json: what many people run today. Reads the
# event, parses it, prints a fixed PreToolUse allow (bench/bench_hook.c).
import json
import sys

event = json.load(sys.stdin)
print(json.dumps({
    "hookSpecificOutput": {
        "hookEventName": event.get("hook_event_name", "PreToolUse"),
        "permissionDecision": "allow",
        "permissionDecisionReason": "reference hook (python3)",
    }
}))
