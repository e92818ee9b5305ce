/*
 * ipc/install: `airlock install` merges its hooks into a Claude Code
 * settings.json without touching anything else, idempotently, and
 * `airlock uninstall` takes exactly those out again.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "core/al.h"
#include "core/buf.h"
#include "core/xalloc.h"
#include "ipc/install.h"
#include "ipc/jsonutil.h"

#define APPROVAL_S 300

static const char *const all_events[] = {
	"PreToolUse",   "PermissionRequest",
	"PostToolUse",  "PostToolUseFailure",
	"SessionStart", "SessionEnd",
	"Stop",         "UserPromptSubmit",
	"Notification",
};
#define NEVENTS (sizeof all_events / sizeof all_events[0])

/* Settings a user already has: rules, environment, another tool's hooks. */
static const char existing_settings[] =
        "{\n"
        "  \"permissions\": {\n"
        "    \"allow\": [\"Bash(git status:*)\", \"Read\"],\n"
        "    \"deny\": [\"Bash(curl:*)\"],\n"
        "    \"defaultMode\": \"acceptEdits\"\n"
        "  },\n"
        "  \"env\": {\"FOO\": \"bar\", \"N\": \"1\"},\n"
        "  \"model\": \"opus\",\n"
        "  \"hooks\": {\n"
        "    \"PreToolUse\": [\n"
        "      {\"matcher\": \"Bash\", \"hooks\": [{\"type\": \"command\",\n"
        "        \"command\": \"/usr/local/bin/other-guard --strict\",\n"
        "        \"timeout\": 30}]}\n"
        "    ],\n"
        "    \"Stop\": [{\"hooks\": [{\"type\": \"command\",\n"
        "      \"command\": \"notify-send done\"}]}],\n"
        "    \"PreCompact\": [{\"hooks\": [{\"type\": \"command\",\n"
        "      \"command\": \"echo compact\"}]}]\n"
        "  },\n"
        "  \"unicode\": \"caf\xc3\xa9 \\u2603\",\n"
        "  \"nested\": {\"a\": [1, 2.5, true, null, {\"b\": \"c\"}]}\n"
        "}\n";

struct fx {
	char dir[64];
	char *settings; /* <dir>/.claude/settings.json, not created */
	char *backup;
	char *hook;
	struct install_opts opts;
};

static int
setup(void **state)
{
	struct fx *fx = xcalloc(1, sizeof *fx);

	strcpy(fx->dir, "/tmp/airlock-install-XXXXXX");
	assert_non_null(mkdtemp(fx->dir));
	fx->settings = xasprintf("%s/.claude/settings.json", fx->dir);
	fx->backup = xasprintf("%s.airlock-backup", fx->settings);
	fx->hook = xasprintf("%s/bin/airlock-hook", fx->dir);
	fx->opts.settings_path = fx->settings;
	fx->opts.hook_path = fx->hook;
	fx->opts.home = NULL;
	fx->opts.approval_timeout_s = APPROVAL_S;
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *fx = *state;
	char *cmd = xasprintf("rm -rf '%s'", fx->dir);

	assert_int_equal(system(cmd), 0);
	free(cmd);
	free(fx->settings);
	free(fx->backup);
	free(fx->hook);
	free(fx);
	return 0;
}

static void
spit(const char *path, const char *text)
{
	char *dir = xstrdup(path);
	FILE *f;

	*strrchr(dir, '/') = '\0';
	mkdir(dir, 0755);
	free(dir);
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
}

/* The settings file, parsed strictly (as Claude Code would need it). */
static cJSON *
load(const char *path)
{
	char *text = buf_read_file(path);
	cJSON *o = NULL;
	char *err = NULL;

	assert_non_null(text);
	if (jsonutil_parse_strict(text, strlen(text), &o, &err) != 0) {
		print_error("%s: %s\n", path, err);
		fail();
	}
	free(text);
	assert_true(cJSON_IsObject(o));
	return o;
}

static void
do_install(const struct install_opts *o, bool want_changed)
{
	bool changed = !want_changed;
	char *err = NULL;
	int rc = install_apply(o, &changed, &err);

	if (rc != 0) {
		print_error("install: %s\n", err ? err : "?");
	}
	assert_int_equal(rc, 0);
	assert_null(err);
	assert_int_equal(changed, want_changed);
}

static void
do_uninstall(const struct install_opts *o, bool want_changed)
{
	bool changed = !want_changed;
	char *err = NULL;
	int rc = install_remove(o, &changed, &err);

	if (rc != 0) {
		print_error("uninstall: %s\n", err ? err : "?");
	}
	assert_int_equal(rc, 0);
	assert_null(err);
	assert_int_equal(changed, want_changed);
}

static bool
is_tool_event(const char *name)
{
	return strncmp(name, "PreToolUse", 10) == 0 ||
	       strncmp(name, "PermissionRequest", 17) == 0 ||
	       strncmp(name, "PostToolUse", 11) == 0;
}

/* The one airlock hook of an event (fails unless exactly one): its
 * command is the hook path itself, its arguments in "args". */
static const cJSON *
our_hook(const cJSON *settings, const char *event, const char *hook_path)
{
	const cJSON *groups = cJSON_GetObjectItemCaseSensitive(
	        cJSON_GetObjectItemCaseSensitive(settings, "hooks"), event);
	const cJSON *g;
	const cJSON *found = NULL;
	int n = 0;

	assert_true(cJSON_IsArray(groups));
	cJSON_ArrayForEach (g, groups) {
		const cJSON *h;
		cJSON_ArrayForEach (
		        h, cJSON_GetObjectItemCaseSensitive(g, "hooks")) {
			const char *cmd = jsonutil_str(h, "command");
			if (cmd != NULL && strcmp(cmd, hook_path) == 0) {
				found = h;
				n++;
				/* Tool events match every tool. */
				if (is_tool_event(event)) {
					assert_string_equal(
					        jsonutil_str(g, "matcher"),
					        "*");
				}
			}
		}
	}
	assert_int_equal(n, 1);
	return found;
}

static void
test_install_into_missing_file(void **state)
{
	struct fx *fx = *state;
	cJSON *s;
	const cJSON *hooks;

	assert_int_not_equal(access(fx->settings, F_OK), 0);
	do_install(&fx->opts, true);
	s = load(fx->settings);
	hooks = cJSON_GetObjectItemCaseSensitive(s, "hooks");
	assert_true(cJSON_IsObject(hooks));
	assert_int_equal(cJSON_GetArraySize(hooks), NEVENTS);
	for (size_t i = 0; i < NEVENTS; i++) {
		const cJSON *h = our_hook(s, all_events[i], fx->hook);
		assert_string_equal(jsonutil_str(h, "type"), "command");
		assert_true(cJSON_IsNumber(
		        cJSON_GetObjectItemCaseSensitive(h, "timeout")));
	}
	/* Only "hooks": nothing else invented. */
	assert_int_equal(cJSON_GetArraySize(s), 1);
	cJSON_Delete(s);
	/* Nothing to back up. */
	assert_int_not_equal(access(fx->backup, F_OK), 0);
}

static void
test_install_is_idempotent(void **state)
{
	struct fx *fx = *state;
	char *first;
	char *second;

	spit(fx->settings, existing_settings);
	do_install(&fx->opts, true);
	first = buf_read_file(fx->settings);
	do_install(&fx->opts, false);
	second = buf_read_file(fx->settings);
	assert_string_equal(first, second);
	do_install(&fx->opts, false);
	free(second);
	second = buf_read_file(fx->settings);
	assert_string_equal(first, second);
	free(first);
	free(second);

	/* Reinstalling with another timeout replaces, never duplicates. */
	fx->opts.approval_timeout_s = 900;
	do_install(&fx->opts, true);
	cJSON *s = load(fx->settings);
	for (size_t i = 0; i < NEVENTS; i++) {
		const cJSON *h = our_hook(s, all_events[i], fx->hook);
		assert_int_equal(cJSON_GetObjectItemCaseSensitive(h, "timeout")
		                         ->valueint,
		                 install_hook_timeout(900));
	}
	cJSON_Delete(s);
}

static void
test_existing_settings_preserved(void **state)
{
	struct fx *fx = *state;
	cJSON *orig = cJSON_Parse(existing_settings);
	cJSON *s;
	const cJSON *e;
	char *backup;

	assert_non_null(orig);
	spit(fx->settings, existing_settings);
	do_install(&fx->opts, true);

	/* The backup is the file as it was. */
	backup = buf_read_file(fx->backup);
	assert_non_null(backup);
	assert_string_equal(backup, existing_settings);
	free(backup);

	s = load(fx->settings);
	/* Every top-level member but hooks is unchanged. */
	cJSON_ArrayForEach (e, orig) {
		const cJSON *now =
		        cJSON_GetObjectItemCaseSensitive(s, e->string);
		assert_non_null(now);
		if (strcmp(e->string, "hooks") != 0) {
			assert_true(cJSON_Compare(e, now, true));
		}
	}
	assert_int_equal(cJSON_GetArraySize(s), cJSON_GetArraySize(orig));
	/* The other tool's hooks are still there, first, unchanged. */
	const cJSON *oh = cJSON_GetObjectItemCaseSensitive(orig, "hooks");
	const cJSON *nh = cJSON_GetObjectItemCaseSensitive(s, "hooks");
	cJSON_ArrayForEach (e, oh) {
		const cJSON *groups =
		        cJSON_GetObjectItemCaseSensitive(nh, e->string);
		const cJSON *g;
		int i = 0;
		assert_true(cJSON_IsArray(groups));
		cJSON_ArrayForEach (g, e) {
			assert_true(cJSON_Compare(
			        g, cJSON_GetArrayItem(groups, i++), true));
		}
	}
	for (size_t i = 0; i < NEVENTS; i++) {
		our_hook(s, all_events[i], fx->hook);
	}
	cJSON_Delete(s);

	/* Uninstall gives back exactly the original document. */
	do_uninstall(&fx->opts, true);
	s = load(fx->settings);
	assert_true(cJSON_Compare(s, orig, true));
	cJSON_Delete(s);
	/* A second uninstall has nothing to do. */
	do_uninstall(&fx->opts, false);
	cJSON_Delete(orig);
}

static void
test_uninstall_without_install(void **state)
{
	struct fx *fx = *state;
	char *after;

	/* Missing file: nothing to do, nothing created. */
	do_uninstall(&fx->opts, false);
	assert_int_not_equal(access(fx->settings, F_OK), 0);

	spit(fx->settings, existing_settings);
	do_uninstall(&fx->opts, false);
	after = buf_read_file(fx->settings);
	assert_string_equal(after, existing_settings);
	free(after);
	assert_int_not_equal(access(fx->backup, F_OK), 0);
}

/* A group the user added after installing, with no hooks of its own yet,
 * is theirs: uninstall must not take it along with ours. */
static void
test_uninstall_keeps_later_user_groups(void **state)
{
	struct fx *fx = *state;
	cJSON *s;
	cJSON *groups;
	cJSON *mine;
	cJSON *want;

	do_install(&fx->opts, true);
	s = load(fx->settings);
	groups = cJSON_GetObjectItemCaseSensitive(
	        cJSON_GetObjectItemCaseSensitive(s, "hooks"), "PreToolUse");
	mine = cJSON_Parse("{\"matcher\":\"Write\",\"hooks\":[]}");
	cJSON_AddItemToArray(groups, mine);
	char *text = cJSON_Print(s);
	spit(fx->settings, text);
	free(text);
	cJSON_Delete(s);

	do_uninstall(&fx->opts, true);
	s = load(fx->settings);
	want = cJSON_Parse("{\"hooks\":{\"PreToolUse\":[{\"matcher\":\"Write\","
	                   "\"hooks\":[]}]}}");
	assert_true(cJSON_Compare(s, want, true));
	cJSON_Delete(want);
	cJSON_Delete(s);
}

static void
refused_untouched(struct fx *fx, const char *text)
{
	bool changed = true;
	char *err = NULL;
	char *after;

	spit(fx->settings, text);
	assert_int_not_equal(install_apply(&fx->opts, &changed, &err), 0);
	assert_non_null(err);
	assert_true(strlen(err) > 0);
	free(err);
	err = NULL;
	after = buf_read_file(fx->settings);
	assert_string_equal(after, text);
	free(after);
	assert_int_not_equal(install_remove(&fx->opts, &changed, &err), 0);
	assert_non_null(err);
	free(err);
	after = buf_read_file(fx->settings);
	assert_string_equal(after, text);
	free(after);
	assert_int_not_equal(access(fx->backup, F_OK), 0);
}

static void
test_unparseable_left_alone(void **state)
{
	struct fx *fx = *state;

	refused_untouched(fx, "{ \"permissions\": { \"allow\": [ }\n");
	refused_untouched(fx, "");
	refused_untouched(fx, "// comment\n{}\n");
	refused_untouched(fx, "[]\n");
	refused_untouched(fx, "{\"model\":\"a\",\"model\":\"b\"}\n");
	refused_untouched(fx, "{\"model\":\"caf\xc3\"}\n");
	refused_untouched(fx, "{} {}\n");
	/* Parses, but hooks of the wrong shape: not guessed at. */
	bool changed = true;
	char *err = NULL;
	spit(fx->settings, "{\"hooks\":[]}");
	assert_int_not_equal(install_apply(&fx->opts, &changed, &err), 0);
	assert_non_null(err);
	free(err);
	err = NULL;
	spit(fx->settings, "{\"hooks\":{\"Stop\":{}}}");
	assert_int_not_equal(install_apply(&fx->opts, &changed, &err), 0);
	assert_non_null(err);
	free(err);
	char *after = buf_read_file(fx->settings);
	assert_string_equal(after, "{\"hooks\":{\"Stop\":{}}}");
	free(after);
}

/* The value after "--deadline" in a hook's args. */
static long
deadline_of(const cJSON *hook)
{
	const cJSON *args = cJSON_GetObjectItemCaseSensitive(hook, "args");
	const cJSON *a;
	bool next = false;

	cJSON_ArrayForEach (a, args) {
		assert_true(cJSON_IsString(a));
		if (next) {
			return strtol(a->valuestring, NULL, 10);
		}
		next = strcmp(a->valuestring, "--deadline") == 0;
	}
	fail_msg("no --deadline in the hook's args");
	return -1;
}

static void
test_timeouts_ordered(void **state)
{
	struct fx *fx = *state;
	static const int approvals[] = { 1, 30, 300, 3600, 86400 };

	for (size_t i = 0; i < sizeof approvals / sizeof approvals[0]; i++) {
		int a = approvals[i];
		fx->opts.approval_timeout_s = a;
		assert_true(install_hook_deadline(a) > a);
		assert_true(install_hook_timeout(a) > install_hook_deadline(a));
		do_install(&fx->opts, true);
		cJSON *s = load(fx->settings);
		for (size_t e = 0; e < NEVENTS; e++) {
			const cJSON *h = our_hook(s, all_events[e], fx->hook);
			const cJSON *t =
			        cJSON_GetObjectItemCaseSensitive(h, "timeout");
			long d = deadline_of(h);
			/* Claude Code wants a whole number of seconds. */
			assert_true(cJSON_IsNumber(t));
			assert_true(t->valuedouble == (double)t->valueint);
			assert_true(d > a);
			assert_true(t->valueint > d);
		}
		cJSON_Delete(s);
	}
}

/* Runs the installed hook the way Claude Code runs the "args" form: exec
 * of "command" with "args" as argv, no shell. Odd characters in paths
 * arrive intact and nothing in them is ever interpreted. The hook is a
 * script that prints its own path and arguments. */
static void
test_args_exec(void **state)
{
	struct fx *fx = *state;
	char *bindir =
	        xasprintf("%s/it's \"odd\" $(touch pwned) `x` dir", fx->dir);
	char *hook = xasprintf("%s/airlock-hook", bindir);
	char *home = xasprintf("%s/home with 'quotes' and $HOME;", fx->dir);
	char *pwned = xasprintf("%s/pwned", fx->dir);
	char *argv[8] = { 0 };
	int pipefd[2];
	char out[4096];
	ssize_t n;
	size_t got = 0;
	FILE *f;

	assert_int_equal(mkdir(bindir, 0755), 0);
	f = fopen(hook, "w");
	assert_non_null(f);
	fputs("#!/bin/sh\nprintf '%s\\n' \"$0\" \"$@\"\n", f);
	fclose(f);
	assert_int_equal(chmod(hook, 0755), 0);

	fx->opts.hook_path = hook;
	fx->opts.home = home;
	do_install(&fx->opts, true);
	cJSON *s = load(fx->settings);
	const cJSON *h = our_hook(s, "PreToolUse", hook);
	const cJSON *a;
	int argc = 0;
	argv[argc++] = xstrdup(jsonutil_str(h, "command"));
	cJSON_ArrayForEach (a, cJSON_GetObjectItemCaseSensitive(h, "args")) {
		assert_true(argc < 7);
		argv[argc++] = xstrdup(a->valuestring);
	}
	cJSON_Delete(s);

	assert_int_equal(pipe(pipefd), 0);
	pid_t pid = fork();
	if (pid == 0) {
		dup2(pipefd[1], 1);
		execv(argv[0], argv);
		_exit(127);
	}
	close(pipefd[1]);
	while ((n = read(pipefd[0], out + got, sizeof out - 1 - got)) > 0) {
		got += (size_t)n;
	}
	out[got] = '\0';
	close(pipefd[0]);
	int status = 0;
	waitpid(pid, &status, 0);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	char *expect = xasprintf("%s\n--home\n%s\n--deadline\n%d\n", hook, home,
	                         install_hook_deadline(APPROVAL_S));
	assert_string_equal(out, expect);
	assert_int_not_equal(access(pwned, F_OK), 0);

	/* And uninstall still recognises it. */
	do_uninstall(&fx->opts, true);
	for (int i = 0; i < argc; i++) {
		free(argv[i]);
	}
	free(expect);
	free(pwned);
	free(home);
	free(hook);
	free(bindir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_install_into_missing_file,
		                                setup, teardown),
		cmocka_unit_test_setup_teardown(test_install_is_idempotent,
		                                setup, teardown),
		cmocka_unit_test_setup_teardown(
		        test_existing_settings_preserved, setup, teardown),
		cmocka_unit_test_setup_teardown(test_uninstall_without_install,
		                                setup, teardown),
		cmocka_unit_test_setup_teardown(
		        test_uninstall_keeps_later_user_groups, setup,
		        teardown),
		cmocka_unit_test_setup_teardown(test_unparseable_left_alone,
		                                setup, teardown),
		cmocka_unit_test_setup_teardown(test_timeouts_ordered, setup,
		                                teardown),
		cmocka_unit_test_setup_teardown(test_args_exec, setup,
		                                teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
