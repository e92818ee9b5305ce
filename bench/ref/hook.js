// Reference hook, node: what many people run today. Reads the event,
// parses it, prints a fixed PreToolUse allow (bench/bench_hook.c).
let input = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => { input += chunk; });
process.stdin.on('end', () => {
  const event = JSON.parse(input);
  process.stdout.write(JSON.stringify({
    hookSpecificOutput: {
      hookEventName: event.hook_event_name || 'PreToolUse',
      permissionDecision: 'allow',
      permissionDecisionReason: 'reference hook (node)',
    },
  }) + '\n');
});
