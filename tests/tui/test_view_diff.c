#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <locale.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "core/action.h"
#include "core/xalloc.h"
#include "tui/layout.h"
#include "tui/view_diff.h"
#include "tui/view_json.h"

/* A temporary file holding body; the caller unlinks and frees. */
static char *
tmpfile_with(const char *body, const char *suffix)
{
	char *path = xasprintf("/tmp/airlock-test-vd-XXXXXX%s", suffix);
	int fd = mkstemps(path, (int)strlen(suffix));
	size_t n = strlen(body);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, body, n), (ssize_t)n);
	close(fd);
	return path;
}

static struct action *
mk(const char *tool, char *input)
{
	struct action *a = action_new();

	a->id = 5;
	a->state = ACTION_PENDING;
	a->tool_name = xstrdup(tool);
	a->tool_input = input;
	return a;
}

static char *
build(const struct action *a, int64_t read_ms)
{
	struct layout_lines ls = { 0 };
	char *t;

	view_diff_build(a, read_ms, &ls);
	t = layout_lines_text(&ls);
	layout_lines_free(&ls);
	return t;
}

static void
test_json_arrays(void **state)
{
	const char *j = "{\"a\":1,\"edits\":[{\"x\":\"1\"}, {\"x\":\"[\\\"]\"}"
	                " ,{}],\"n\":-3,\"t\":true}";
	struct view_json_span arr, *items = NULL;
	size_t n = 0, len;
	long long v;
	char *s = NULL;

	(void)state;
	assert_int_equal(view_json_field_span(j, strlen(j), "edits", &arr), 0);
	assert_int_equal(view_json_array_items(&arr, &items, &n), 0);
	assert_int_equal(n, 3);
	assert_int_equal(view_json_string_member(&items[1], "x", &s, &len), 0);
	assert_string_equal(s, "[\"]");
	free(s);
	assert_int_equal(items[2].n, 2);
	free(items);
	arr = (struct view_json_span){ j, strlen(j) };
	assert_int_equal(view_json_int_member(&arr, "n", &v), 0);
	assert_int_equal(v, -3);
	assert_true(view_json_true_member(&arr, "t"));
	assert_false(view_json_true_member(&arr, "a"));
	assert_int_not_equal(view_json_field_span(j, strlen(j), "zz", &arr), 0);
	arr = (struct view_json_span){ "[]", 2 };
	assert_int_equal(view_json_array_items(&arr, &items, &n), 0);
	assert_int_equal(n, 0);
	free(items);
}

/* MultiEdit: the edits in order, the second on the result of the first;
 * tabs as "»". */
static void
test_multiedit(void **state)
{
	char *path = tmpfile_with("alpha\n\tbeta\ngamma\n", "");
	struct action *a = mk(
	        "MultiEdit",
	        xasprintf("{\"file_path\":\"%s\",\"edits\":["
	                  "{\"old_string\":\"alpha\",\"new_string\":\"ALPHA\"},"
	                  "{\"old_string\":\"ALPHA\\n\\tbeta\",\"new_string\":"
	                  "\"ALPHA\\n\\tBETA\"}]}",
	                  path));
	char *t;

	(void)state;
	t = build(a, VIEW_DIFF_READ_UNKNOWN);
	assert_non_null(strstr(t, "+2 \xe2\x88\x92"
	                          "2"));
	assert_non_null(strstr(t, "+ALPHA"));
	assert_non_null(strstr(t, "+\xc2\xbb   BETA"));
	assert_non_null(strstr(t, "-\xc2\xbb   beta"));
	assert_null(strstr(t, "\\t"));
	free(t);
	/* the second edit no longer applies: said, with each edit as given */
	free(a->tool_input);
	a->tool_input =
	        xasprintf("{\"file_path\":\"%s\",\"edits\":["
	                  "{\"old_string\":\"alpha\",\"new_string\":\"ALPHA\"},"
	                  "{\"old_string\":\"alpha\",\"new_string\":\"x\"}]}",
	                  path);
	t = build(a, VIEW_DIFF_READ_UNKNOWN);
	assert_non_null(strstr(t, "does not apply"));
	assert_non_null(strstr(t, "edit 2:"));
	assert_non_null(strstr(t, "Edit 2 of 2 as given"));
	free(t);
	unlink(path);
	free(path);
	action_free(a);
}

static const char notebook[] =
        "{\"cells\":[{\"cell_type\":\"markdown\",\"id\":\"m0\","
        "\"source\":\"# Title\"},{\"cell_type\":\"code\",\"id\":\"c1\","
        "\"source\":[\"import os\\n\",\"print(1)\\n\"],\"outputs\":[]}],"
        "\"nbformat\":4}";

static void
test_notebook(void **state)
{
	char *path = tmpfile_with(notebook, ".ipynb");
	struct action *a = mk("NotebookEdit",
	                      xasprintf("{\"notebook_path\":\"%s\",\"cell_id\":"
	                                "\"c1\",\"new_source\":\"import os\\n"
	                                "print(2)\\n\"}",
	                                path));
	char *t;

	(void)state;
	t = build(a, VIEW_DIFF_READ_UNKNOWN);
	assert_non_null(strstr(t, "cell \"c1\" (replace)"));
	assert_non_null(strstr(t, "-print(1)"));
	assert_non_null(strstr(t, "+print(2)"));
	assert_non_null(strstr(t, " import os"));
	free(t);
	/* by number, delete */
	free(a->tool_input);
	a->tool_input = xasprintf("{\"notebook_path\":\"%s\",\"cell_number\":"
	                          "0,\"new_source\":\"\",\"edit_mode\":"
	                          "\"delete\"}",
	                          path);
	t = build(a, VIEW_DIFF_READ_UNKNOWN);
	assert_non_null(strstr(t, "cell 0 (delete)"));
	assert_non_null(strstr(t, "-# Title"));
	free(t);
	/* insert after a cell */
	free(a->tool_input);
	a->tool_input = xasprintf("{\"notebook_path\":\"%s\",\"cell_id\":"
	                          "\"m0\",\"new_source\":\"x = 1\","
	                          "\"edit_mode\":\"insert\"}",
	                          path);
	t = build(a, VIEW_DIFF_READ_UNKNOWN);
	assert_non_null(strstr(t, "new cell after cell \"m0\""));
	assert_non_null(strstr(t, "+x = 1"));
	free(t);
	/* a cell that is not there */
	free(a->tool_input);
	a->tool_input = xasprintf("{\"notebook_path\":\"%s\",\"cell_id\":"
	                          "\"zz\",\"new_source\":\"y\"}",
	                          path);
	t = build(a, VIEW_DIFF_READ_UNKNOWN);
	assert_non_null(strstr(t, "no cell \"zz\" in the notebook on disk"));
	assert_non_null(strstr(t, "+y"));
	free(t);
	unlink(path);
	/* no notebook here */
	t = build(a, VIEW_DIFF_READ_UNKNOWN);
	assert_non_null(strstr(t, "not on this machine"));
	free(t);
	free(path);
	action_free(a);
}

/* The file changed after the agent read it / asked: said above the diff,
 * for a pending call only. */
static void
test_stale(void **state)
{
	char *path = tmpfile_with("one\n", "");
	struct action *a =
	        mk("Edit", xasprintf("{\"file_path\":\"%s\",\"old_string\":"
	                             "\"one\",\"new_string\":\"two\"}",
	                             path));
	struct timeval tv[2] = { { 2000000000, 0 }, { 2000000000, 0 } };
	char *t;

	(void)state;
	assert_int_equal(utimes(path, tv), 0); /* mtime 2033 */
	a->received_ms = 1999999999000;
	t = build(a, VIEW_DIFF_READ_UNKNOWN);
	assert_non_null(strstr(t, "changed on disk after the agent asked"));
	assert_true(strstr(t, "changed on disk") < strstr(t, "Diff "));
	free(t);
	t = build(a, 1999999990000);
	assert_non_null(strstr(t, "changed on disk since the agent last read"));
	free(t);
	t = build(a, 2000000001000);
	assert_null(strstr(t, "changed on disk"));
	free(t);
	t = build(a, VIEW_DIFF_READ_NONE);
	assert_non_null(strstr(t, "No Read of this file"));
	free(t);
	a->state = ACTION_APPROVED;
	t = build(a, VIEW_DIFF_READ_UNKNOWN);
	assert_null(strstr(t, "changed on disk"));
	free(t);
	unlink(path);
	free(path);
	action_free(a);
}

/* Tabs in code are "»" and spaces, dim; elsewhere the `\t` marker. */
static void
test_code_tabs(void **state)
{
	struct layout_lines ls = { 0 };
	char *t;

	(void)state;
	layout_add_code(&ls, "\tx\x1b", 3, ROLE_DIFF_ADD, 0, 4);
	t = layout_lines_text(&ls);
	assert_string_equal(t, "\xc2\xbb   x^[\n");
	assert_int_equal(ls.v[0].segs[0].role, ROLE_DIM);
	assert_int_equal(ls.v[0].segs[2].role, ROLE_MARKER);
	free(t);
	layout_lines_free(&ls);
	layout_add_untrusted(&ls, "\tx", 2, ROLE_NORMAL, NULL, 0, ROLE_NORMAL,
	                     0);
	t = layout_lines_text(&ls);
	assert_string_equal(t, "\\tx\n");
	free(t);
	layout_lines_free(&ls);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json_arrays),
		cmocka_unit_test(test_multiedit),
		cmocka_unit_test(test_notebook),
		cmocka_unit_test(test_stale),
		cmocka_unit_test(test_code_tabs),
	};

	setlocale(LC_ALL, "C.UTF-8");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
