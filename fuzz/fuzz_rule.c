/*
 * libFuzzer target for the permission-rule parser and matchers (core/rule*.c).
 *
 * Build (clang): cmake -DAIRLOCK_FUZZ=ON -DCMAKE_C_COMPILER=clang ... and a
 * target `fuzz_rule` linking airlock_core with -fsanitize=fuzzer,address,
 * undefined; or by hand from the repository root:
 *
 *   clang -std=c11 -D_GNU_SOURCE -I. -g -O1 \
 *     -fsanitize=fuzzer,address,undefined fuzz/fuzz_rule.c core/rule.c \
 *     core/rule_match.c core/rule_split.c core/buf.c core/xalloc.c \
 *     core/al.c -o fuzz_rule
 *   ./fuzz_rule -max_total_time=60
 *
 * The input is split at the first NUL: the rule text, then a subject that
 * every parsed rule is matched against as a command, a path and a host,
 * and that is split as a shell line. Matching is O(pattern * subject), so
 * a slow unit is a bug too.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/rule.h"
#include "core/xalloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
fuzz_rule_subject(const struct rule *r, const char *subject)
{
	const struct rule_paths env = { .project_dir = "/p/proj",
		                        .home = "/home/u",
		                        .cwd = "/p/proj/sub" };
	struct rule_cmds cmds = { 0 };

	(void)rule_applies_to_tool(r, subject);
	(void)rule_match_command(r, subject);
	(void)rule_match_path(r, subject, &env);
	(void)rule_match_host(r, subject);
	rule_split_command(subject, false, &cmds);
	for (size_t i = 0; i < cmds.n; i++) {
		(void)rule_match_command(r, cmds.v[i].raw);
		(void)rule_match_command(r, cmds.v[i].words);
	}
	rule_cmds_clear(&cmds);
	rule_split_command(subject, true, &cmds);
	rule_cmds_clear(&cmds);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = xmemdup(data, size);
	size_t n = strlen(text);
	const char *subject = n < size ? text + n + 1 : "git status";
	struct rule *r = NULL;
	char *err = NULL;
	char *resolved;

	if (rule_parse(&r, text, &err) == 0) {
		if (rule_text(r) == NULL || rule_tool(r) == NULL) {
			abort();
		}
		fuzz_rule_subject(r, subject);
		rule_free(r);
	} else if (err == NULL) {
		abort(); /* every syntax error explains itself */
	}
	free(err);
	resolved = rule_path_resolve(subject, "/p");
	if (resolved == NULL || resolved[0] != '/') {
		abort();
	}
	free(resolved);
	free(text);
	return 0;
}
