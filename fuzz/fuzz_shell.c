#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/al.h"
#include "core/classify.h"
#include "core/shell.h"
#include "core/xalloc.h"

/* libFuzzer target: the shell parser and the classifier over arbitrary
 * bytes must neither crash nor leak, and every span must stay inside the
 * input. */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const prot[] = { "/home/dev/.config/airlock" };
	static const struct classify_env env = {
		.cwd = "/home/dev/project",
		.project_dir = "/home/dev/project",
		.home = "/home/dev",
		.protected_paths = prot,
		.nprotected = 1,
	};
	struct shell_tree *t = NULL;
	struct risk_report r = { 0 };

	if (shell_parse((const char *)data, size, &t) != AL_ETOOBIG) {
		for (size_t i = 0; i < shell_tree_count(t); i++) {
			const struct shell_cmd *c = shell_tree_cmd(t, i);
			if (c->start > c->end || c->end > size) {
				__builtin_trap();
			}
		}
	}
	shell_tree_free(t);
	char *s = xmemdup(data, size);
	size_t len = strlen(s);
	classify_bash(s, &env, &r);
	for (size_t i = 0; i < r.nfindings; i++) {
		if (r.findings[i].start > r.findings[i].end ||
		    r.findings[i].end > len) {
			__builtin_trap();
		}
	}
	risk_report_clear(&r);
	free(s);
	return 0;
}
