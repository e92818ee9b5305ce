/*
 * floor_hook: the spawn floor for bench_hook. A minimal C hook: reads the
 * event on stdin to the end (as every hook must, or Claude Code may see a
 * broken pipe) and prints a fixed PreToolUse allow. Nothing a real hook
 * can do costs less, so airlock-hook's latency is reported as a ratio to
 * this program spawned the same way. Linked statically where possible (see
 * bench/CMakeLists.txt); floor_hook_dyn is the same code linked
 * dynamically, to show what the dynamic loader alone costs.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

int
main(void)
{
	static const char answer[] =
	        "{\"hookSpecificOutput\":{\"hookEventName\":\"PreToolUse\","
	        "\"permissionDecision\":\"allow\","
	        "\"permissionDecisionReason\":\"floor\"}}\n";
	char chunk[65536];
	ssize_t n;

	while ((n = read(STDIN_FILENO, chunk, sizeof chunk)) != 0) {
		if (n < 0 && errno != EINTR) {
			return 1;
		}
	}
	return write(STDOUT_FILENO, answer, strlen(answer)) < 0 ? 1 : 0;
}
