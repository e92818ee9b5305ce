#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/al.h"
#include "core/xalloc.h"
#include "ipc/policy_load.h"

struct fixture {
	char dir[64];  /* temporary root */
	char *user;    /* <dir>/user.json */
	char *project; /* <dir>/proj */
};

static int
setup(void **state)
{
	struct fixture *fx = xcalloc(1, sizeof *fx);
	char *sub;

	strcpy(fx->dir, "/tmp/airlock-policy-load-XXXXXX");
	assert_non_null(mkdtemp(fx->dir));
	fx->user = xasprintf("%s/user.json", fx->dir);
	fx->project = xasprintf("%s/proj", fx->dir);
	assert_int_equal(mkdir(fx->project, 0700), 0);
	sub = xasprintf("%s/.airlock", fx->project);
	assert_int_equal(mkdir(sub, 0700), 0);
	free(sub);
	sub = xasprintf("%s/.claude", fx->project);
	assert_int_equal(mkdir(sub, 0700), 0);
	free(sub);
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *fx = *state;
	char *cmd = xasprintf("rm -rf '%s'", fx->dir);

	assert_int_equal(system(cmd), 0);
	free(cmd);
	free(fx->user);
	free(fx->project);
	free(fx);
	return 0;
}

static void
write_file(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");

	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
}

static void
write_proj(const struct fixture *fx, const char *rel, const char *text)
{
	char *path = xasprintf("%s/%s", fx->project, rel);

	write_file(path, text);
	free(path);
}

/* Loads expecting failure with an error containing each needle. */
static void
load_fails(const struct fixture *fx, const char *needle, const char *needle2)
{
	struct policy_load_paths paths = { .user = fx->user,
		                           .project_dir = fx->project };
	struct policy *sentinel = (struct policy *)&paths;
	struct policy *p = sentinel;
	char *err = NULL;
	char *warn = (char *)"untouched";

	assert_int_equal(policy_load(&p, &paths, &warn, &err), AL_EPARSE);
	assert_ptr_equal(p, sentinel);
	assert_string_equal(warn, "untouched");
	assert_non_null(err);
	if (strstr(err, needle) == NULL ||
	    (needle2 && strstr(err, needle2) == NULL)) {
		fail_msg("error \"%s\" lacks \"%s\" / \"%s\"", err, needle,
		         needle2 ? needle2 : "");
	}
	free(err);
}

static struct policy *
load_ok(const struct fixture *fx, char **warn)
{
	struct policy_load_paths paths = { .user = fx->user,
		                           .project_dir = fx->project };
	struct policy *p = NULL;
	char *err = NULL;
	int rc = policy_load(&p, &paths, warn, &err);

	if (rc != 0) {
		fail_msg("load failed: %s", err ? err : "?");
	}
	return p;
}

static enum policy_verdict
decide(const struct policy *p, const struct fixture *fx, const char *tool,
       const char *key, const char *value, char **rule_file)
{
	struct event ev = { .kind = EVENT_PRE_TOOL_USE,
		            .tool_name = (char *)tool,
		            .cwd = fx->project };
	struct event_field f = { .key = (char *)key, .value = (char *)value };
	struct policy_ctx ctx = { .project_dir = fx->project,
		                  .home = "/nonexistent-home" };
	struct policy_result r;
	enum policy_verdict v;

	ev.fields = key != NULL ? &f : NULL;
	ev.nfields = key != NULL ? 1 : 0;
	assert_int_equal(policy_evaluate(p, &ev, &ctx, &r), 0);
	v = r.verdict;
	if (rule_file != NULL) {
		*rule_file = r.rule_file ? xstrdup(r.rule_file) : NULL;
	}
	policy_result_clear(&r);
	return v;
}

static void
test_missing_files(void **state)
{
	struct fixture *fx = *state;
	char *warn = (char *)"x";
	struct policy *p = load_ok(fx, &warn);

	assert_null(warn);
	assert_int_equal(policy_rule_count(p, POLICY_ALLOW), 0);
	assert_false(policy_strict(p));
	assert_int_equal(policy_approval_timeout(p), 300);
	policy_free(p);
}

static void
test_full_user_file(void **state)
{
	struct fixture *fx = *state;
	struct policy *p;
	char *file = NULL;

	write_file(
	        fx->user,
	        "{\n"
	        "  \"$schema\": \"x\",\n"
	        "  \"permissions\": {\n"
	        "    \"allow\": [\"Read\", \"Bash(npm test:*)\"],\n"
	        "    \"ask\": [\"Bash(git push:*)\"],\n"
	        "    \"deny\": [\"Read(./.env)\", \"mcp__db__drop\"]\n"
	        "  },\n"
	        "  \"egress\": {\"allow\": [\"*.github.com\", \"pypi.org\"]},\n"
	        "  \"strict\": true,\n"
	        "  \"approval_timeout\": 120,\n"
	        "  \"taint\": {\"ask\": [\"egress\"]}\n"
	        "}\n");
	p = load_ok(fx, NULL);
	assert_int_equal(policy_rule_count(p, POLICY_ALLOW), 2);
	assert_int_equal(policy_rule_count(p, POLICY_ASK), 1);
	assert_int_equal(policy_rule_count(p, POLICY_DENY), 2);
	assert_true(policy_egress_allowed(p, "api.github.com"));
	assert_true(policy_egress_allowed(p, "pypi.org"));
	assert_false(policy_egress_allowed(p, "evil.org"));
	assert_true(policy_strict(p));
	assert_int_equal(policy_approval_timeout(p), 120);
	assert_int_equal(policy_taint_mask(p), RISK_BIT(RISK_EGRESS));
	assert_int_equal(decide(p, fx, "Read", "file_path", ".env", &file),
	                 POLICY_DENY);
	assert_string_equal(file, fx->user);
	free(file);
	policy_free(p);
}

static void
test_broken_json_line(void **state)
{
	struct fixture *fx = *state;

	write_file(fx->user, "{\n"
	                     "  \"permissions\": {\n"
	                     "    \"allow\": [\"Read\"]\n"
	                     "    \"deny\": []\n"
	                     "  }\n"
	                     "}\n");
	load_fails(fx, "user.json:4:", "invalid JSON");
	write_file(fx->user, "{\"strict\": true}\n{}");
	load_fails(fx, "user.json:2:", "after the JSON");
	write_file(fx->user, "[]");
	load_fails(fx, "user.json:1:", "expected a JSON object");
	write_file(fx->user, "");
	load_fails(fx, "user.json:1:", "invalid JSON");
}

static void
test_duplicate_and_unknown_keys(void **state)
{
	struct fixture *fx = *state;

	write_file(fx->user, "{\n"
	                     "  \"strict\": false,\n"
	                     "  \"permissions\": {\"allow\": []},\n"
	                     "  \"strict\": true\n"
	                     "}\n");
	load_fails(fx, "user.json:4:", "duplicate key \"strict\"");
	write_file(fx->user, "{\"permissions\": {\n"
	                     "\"deny\": [\"Bash\"],\n"
	                     "\"deny\": []}}\n");
	load_fails(fx, "user.json:3:", "duplicate key \"deny\"");
	/* the same key in two objects is fine */
	write_file(fx->user, "{\"egress\": {\"allow\": []},\n"
	                     " \"taint\": {\"ask\": []}}\n");
	policy_free(load_ok(fx, NULL));
	write_file(fx->user, "{\n\n  \"stritc\": true\n}\n");
	load_fails(fx, "user.json:3:", "unknown key \"stritc\"");
	write_file(fx->user, "{\"permissions\": {\"alow\": []}}");
	load_fails(fx, "user.json:1:", "permissions.alow");
}

static void
test_bad_values(void **state)
{
	struct fixture *fx = *state;

	write_file(fx->user, "{\"permissions\": {\n"
	                     "  \"allow\": [\n"
	                     "    \"Read\",\n"
	                     "    \"Bash(ls\"\n"
	                     "  ]}}\n");
	load_fails(fx, "user.json:4:", "missing ')'");
	write_file(fx->user, "{\"permissions\": {\"allow\": [1]}}");
	load_fails(fx, "user.json:1:", "must be strings");
	write_file(fx->user, "{\"permissions\": {\"allow\": \"Read\"}}");
	load_fails(fx, "must be an array", NULL);
	write_file(fx->user, "{\"strict\": \"yes\"}");
	load_fails(fx, "true or false", NULL);
	write_file(fx->user, "{\"approval_timeout\": 0}");
	load_fails(fx, "approval_timeout", NULL);
	write_file(fx->user, "{\"approval_timeout\": 1.5}");
	load_fails(fx, "approval_timeout", NULL);
	write_file(fx->user, "{\"egress\": {\"allow\": [\"http://x.org\"]}}");
	load_fails(fx, "invalid host pattern", NULL);
	write_file(fx->user, "{\"taint\": {\"ask\": [\"egres\"]}}");
	load_fails(fx, "unknown category", NULL);
}

static void
test_project_only_tightens(void **state)
{
	struct fixture *fx = *state;
	struct policy *p;
	char *warn = NULL;

	write_file(fx->user, "{\"permissions\": {\"allow\": [\"Edit\"]},\n"
	                     " \"approval_timeout\": 100,\n"
	                     " \"taint\": {\"ask\": [\"egress\"]}}");
	write_proj(fx, ".airlock/policy.json",
	           "{\n"
	           "  \"permissions\": {\n"
	           "    \"allow\": [\"Bash\", \"mcp__x\"],\n"
	           "    \"deny\": [\"Edit(secrets/**)\"]\n"
	           "  },\n"
	           "  \"egress\": {\"allow\": [\"*\"]},\n"
	           "  \"strict\": true,\n"
	           "  \"approval_timeout\": 900,\n"
	           "  \"taint\": {\"ask\": [\"destructive\"]}\n"
	           "}\n");
	p = load_ok(fx, &warn);
	assert_non_null(warn);
	assert_non_null(strstr(warn, ".airlock/policy.json:3: allow rule Bash "
	                             "ignored"));
	assert_non_null(strstr(warn, "egress host ignored"));
	assert_int_equal(policy_rule_count(p, POLICY_ALLOW), 1);
	assert_int_equal(policy_rule_count(p, POLICY_DENY), 1);
	assert_false(policy_egress_allowed(p, "evil.org"));
	assert_true(policy_strict(p));
	assert_int_equal(policy_approval_timeout(p), 100);
	assert_int_equal(policy_taint_mask(p),
	                 RISK_BIT(RISK_EGRESS) | RISK_BIT(RISK_DESTRUCTIVE));
	assert_int_equal(decide(p, fx, "Edit", "file_path", "secrets/a", NULL),
	                 POLICY_DENY);
	assert_int_equal(decide(p, fx, "mcp__x__y", NULL, NULL, NULL),
	                 POLICY_ASK);
	free(warn);
	policy_free(p);
	/* strict false in a project cannot switch the user's strict off */
	write_file(fx->user, "{\"strict\": true}");
	write_proj(fx, ".airlock/policy.json", "{\"strict\": false}");
	p = load_ok(fx, NULL);
	assert_true(policy_strict(p));
	policy_free(p);
}

static void
test_project_broken_keeps_nothing(void **state)
{
	struct fixture *fx = *state;

	write_file(fx->user, "{\"permissions\": {\"allow\": [\"Edit\"]}}");
	write_proj(fx, ".airlock/policy.json", "{\n\"permissions\": {,}\n}");
	load_fails(fx, ".airlock/policy.json:2:", "invalid JSON");
}

static void
test_claude_settings(void **state)
{
	struct fixture *fx = *state;
	struct policy *p;
	char *warn = NULL;
	char *file = NULL;

	write_proj(fx, ".claude/settings.json",
	           "{\n"
	           "  \"permissions\": {\n"
	           "    \"allow\": [\"mcp__gh\", \"Task(reviewer)\"],\n"
	           "    \"deny\": [\"WebFetch(domain:evil.org)\"],\n"
	           "    \"defaultMode\": \"default\"\n"
	           "  },\n"
	           "  \"hooks\": {},\n"
	           "  \"env\": {\"A\": \"b\"}\n"
	           "}\n");
	write_proj(fx, ".claude/settings.local.json",
	           "{\"permissions\": {\"ask\": [\"mcp__gh__delete\"]}}");
	p = load_ok(fx, &warn);
	assert_non_null(warn);
	assert_non_null(strstr(warn, "settings.json:3:"));
	assert_non_null(strstr(warn, "Task(reviewer)"));
	assert_int_equal(policy_rule_count(p, POLICY_ALLOW), 1);
	assert_int_equal(policy_rule_count(p, POLICY_ASK), 1);
	assert_int_equal(policy_rule_count(p, POLICY_DENY), 1);
	assert_int_equal(decide(p, fx, "mcp__gh__list", NULL, NULL, &file),
	                 POLICY_ALLOW);
	assert_non_null(strstr(file, ".claude/settings.json"));
	free(file);
	assert_int_equal(decide(p, fx, "mcp__gh__delete", NULL, NULL, NULL),
	                 POLICY_ASK);
	assert_int_equal(
	        decide(p, fx, "WebFetch", "url", "https://evil.org/", NULL),
	        POLICY_DENY);
	free(warn);
	policy_free(p);
	/* the user can refuse Claude Code's allow rules */
	write_file(fx->user, "{\"claude_allow\": false}");
	warn = NULL;
	p = load_ok(fx, &warn);
	assert_int_equal(policy_rule_count(p, POLICY_ALLOW), 0);
	assert_non_null(strstr(warn, "\"claude_allow\" is false"));
	free(warn);
	policy_free(p);
	/* a broken Claude settings file fails the load too */
	write_proj(fx, ".claude/settings.local.json", "{\"permissions\": [}");
	load_fails(fx, "settings.local.json:1:", NULL);
}

static void
test_lint(void **state)
{
	struct fixture *fx = *state;
	char *err = NULL;
	char *warn = NULL;
	char *missing = xasprintf("%s/nope.json", fx->dir);

	write_file(fx->user, "{\"permissions\": {\"deny\": [\"Bash(rm:*)\"]}}");
	assert_int_equal(policy_lint_file(fx->user, &warn, &err), 0);
	assert_null(warn);
	assert_null(err);
	write_file(fx->user, "{\"permissions\": {\"deny\": [\"Bash(rm:*\"]}}");
	assert_int_equal(policy_lint_file(fx->user, &warn, &err), AL_EPARSE);
	assert_non_null(strstr(err, "user.json:1:"));
	free(err);
	err = NULL;
	assert_int_equal(policy_lint_file(missing, &warn, &err), AL_EIO);
	assert_non_null(strstr(err, "nope.json"));
	free(err);
	free(missing);
	assert_int_equal(policy_lint_file(NULL, NULL, NULL), AL_EINVAL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_missing_files, setup,
		                                teardown),
		cmocka_unit_test_setup_teardown(test_full_user_file, setup,
		                                teardown),
		cmocka_unit_test_setup_teardown(test_broken_json_line, setup,
		                                teardown),
		cmocka_unit_test_setup_teardown(test_duplicate_and_unknown_keys,
		                                setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_values, setup,
		                                teardown),
		cmocka_unit_test_setup_teardown(test_project_only_tightens,
		                                setup, teardown),
		cmocka_unit_test_setup_teardown(
		        test_project_broken_keeps_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_claude_settings, setup,
		                                teardown),
		cmocka_unit_test_setup_teardown(test_lint, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
