/* A generator of realistic history for the audit store: Bash commands
 * (git, build, tests, deletions, network), file reads and edits, web
 * fetches and MCP calls, with the verdict mix of a supervised session.
 * Built into bench_audit, and as the program gen_history when
 * GEN_HISTORY_MAIN is defined. */
#include "bench/gen_history.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/al.h"
#include "core/audit.h"
#include "core/xalloc.h"

#define GEN_BATCH 10000

/* Command templates: prefix, a number, suffix (no number when NULL). */
struct gen_command {
	const char *pre;
	const char *post;
};

static const struct gen_command gen_commands[] = {
	{ "git status", NULL },
	{ "git diff --stat", NULL },
	{ "git log --oneline -20", NULL },
	{ "git push origin feature/", "" },
	{ "git commit -m 'fix issue ", "'" },
	{ "ls -la src/module_", "" },
	{ "make -j4 target_", "" },
	{ "npm test -- --grep case", "" },
	{ "python3 -m pytest tests/test_", ".py -q" },
	{ "grep -rn TODO src/part_", "" },
	{ "rm -rf build/out_", "" },
	{ "cat .env.", "" },
	{ "curl -s https://api", ".example.com/v1/status" },
	{ "docker run --rm -it image:", "" },
	{ "sudo systemctl restart svc", "" },
	{ "find . -name '*.o' -delete -path ./obj", "" },
};

static const char *const gen_tools[] = { "Read", "Edit", "Write", "Grep" };

#define GEN_N(a) (sizeof(a) / sizeof((a)[0]))

static uint32_t
gen_rand(uint32_t *s)
{
	/* xorshift32: fast, deterministic, good enough for fake data. */
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

static void
gen_bash(struct action *a, uint32_t *rng)
{
	const struct gen_command *c =
	        &gen_commands[gen_rand(rng) % GEN_N(gen_commands)];
	unsigned n = gen_rand(rng) % 5000;
	char cmd[160];

	if (c->post == NULL) {
		snprintf(cmd, sizeof cmd, "%s", c->pre);
	} else {
		snprintf(cmd, sizeof cmd, "%s%u%s", c->pre, n, c->post);
	}
	a->tool_name = xstrdup("Bash");
	a->summary = xstrdup(cmd);
	a->tool_input = xasprintf("{\"command\":\"%s\",\"description\":"
	                          "\"Run %s\",\"timeout\":120000}",
	                          cmd, c->pre[0] == 'r' ? "cleanup" : "step");
}

static void
gen_file(struct action *a, uint32_t *rng)
{
	const char *tool = gen_tools[gen_rand(rng) % GEN_N(gen_tools)];
	unsigned n = gen_rand(rng) % 20000;

	a->tool_name = xstrdup(tool);
	a->summary = xasprintf("%s src/pkg%u/file_%u.c", tool, n % 97, n);
	a->tool_input = xasprintf(
	        "{\"file_path\":\"/home/dev/proj/src/pkg%u/file_%u.c\","
	        "\"old_string\":\"int x = %u;\",\"new_string\":\"int x = "
	        "%u;\"}",
	        n % 97, n, n, n + 1);
}

static void
gen_other(struct action *a, uint32_t *rng)
{
	unsigned n = gen_rand(rng) % 3000;

	if (gen_rand(rng) % 2) {
		a->tool_name = xstrdup("WebFetch");
		a->summary =
		        xasprintf("WebFetch https://docs%u.example.org/", n);
		a->tool_input =
		        xasprintf("{\"url\":\"https://docs%u.example."
		                  "org/page\",\"prompt\":\"summarise\"}",
		                  n);
	} else {
		a->tool_name = xstrdup("mcp__github__create_issue");
		a->summary = xasprintf("create issue #%u", n);
		a->tool_input = xasprintf("{\"title\":\"bug %u\",\"body\":"
		                          "\"steps to reproduce\"}",
		                          n);
	}
}

static struct action *
gen_action(int64_t i, int sessions, uint32_t *rng, int64_t t0)
{
	struct action *a = action_new();
	uint32_t kind = gen_rand(rng) % 100;
	uint32_t v = gen_rand(rng) % 100;

	a->request_id =
	        xasprintf("%016" PRIx64 "%08x", (uint64_t)i, gen_rand(rng));
	/* Round-robin: sessions interleave, as concurrent agents do. */
	a->session_id = xasprintf("sess-%05d", (int)(i % sessions));
	a->hook_event = xstrdup("PreToolUse");
	a->tool_use_id = xasprintf("toolu_%012" PRId64, i);
	a->cwd = xasprintf("/home/dev/proj%d", (int)(i % sessions) % 40);
	a->permission_mode = xstrdup(v < 70 ? "default" : "acceptEdits");
	if (kind < 60) {
		gen_bash(a, rng);
	} else if (kind < 92) {
		gen_file(a, rng);
	} else {
		gen_other(a, rng);
	}
	a->received_ms = t0 + i * 1500;
	a->verdict = xstrdup(v < 78 ? "allow" : v < 95 ? "ask" : "deny");
	a->reason = xstrdup(v < 78   ? "read-only tool inside the project"
	                    : v < 95 ? "side effects need a human"
	                             : "matched deny rule");
	a->source = xstrdup(v < 95 ? "default" : "rule");
	a->state = v >= 78 && v < 95 ? ACTION_PENDING : ACTION_DECIDED;
	a->deadline_ms =
	        a->state == ACTION_PENDING ? a->received_ms + 300000 : 0;
	return a;
}

static int
gen_decide(struct audit *db, struct action *a, uint32_t *rng)
{
	a->state = gen_rand(rng) % 4 ? ACTION_APPROVED : ACTION_DENIED;
	a->approver = xstrdup("alice");
	a->approver_uid = 1000;
	a->approver_pid = 4242;
	a->final_reason = xstrdup(
	        a->state == ACTION_APPROVED ? "ok" : "not on this branch");
	a->decided_ms = a->received_ms + 2000 + gen_rand(rng) % 30000;
	return audit_record_final(db, a);
}

static int
gen_one(struct audit *db, int64_t i, int sessions, uint32_t *rng, int64_t t0)
{
	struct action *a = gen_action(i, sessions, rng, t0);
	int rc = audit_record_action(db, a);

	if (rc == 0 && a->state == ACTION_PENDING) {
		rc = gen_decide(db, a, rng);
	}
	action_free(a);
	return rc;
}

int
gen_history_fill(struct audit *db, int64_t calls, int sessions, uint32_t seed)
{
	uint32_t rng = seed ? seed : 1;
	int64_t t0 = 1767225600000; /* 2026-01-01 */
	int rc = 0;

	for (int64_t i = 0; i < calls && rc == 0; i += GEN_BATCH) {
		rc = audit_batch_begin(db);
		for (int64_t j = i; j < i + GEN_BATCH && j < calls && rc == 0;
		     j++) {
			rc = gen_one(db, j, sessions, &rng, t0);
		}
		int end = audit_batch_end(db, rc == 0);
		rc = rc ? rc : end;
	}
	return rc;
}

#ifdef GEN_HISTORY_MAIN
int
main(int argc, char **argv)
{
	struct audit *db = NULL;
	char *err = NULL;

	if (argc < 2) {
		fprintf(stderr, "usage: gen_history DB [CALLS] [SESSIONS]\n");
		return 2;
	}
	int64_t calls = argc > 2 ? strtoll(argv[2], NULL, 10) : 1000000;
	int sessions = argc > 3 ? atoi(argv[3]) : 2000;
	if (calls <= 0 || sessions <= 0) {
		fprintf(stderr, "gen_history: bad counts\n");
		return 2;
	}
	if (audit_open(&db, argv[1], 0, &err) != 0) {
		fprintf(stderr, "gen_history: %s\n", err);
		free(err);
		return 1;
	}
	int rc = gen_history_fill(db, calls, sessions, 42);
	if (rc != 0) {
		fprintf(stderr, "gen_history: %s: %s\n", al_strerror(rc),
		        audit_errmsg(db));
	}
	audit_close(db);
	return rc == 0 ? 0 : 1;
}
#endif
