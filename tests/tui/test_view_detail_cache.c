#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <locale.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "core/action.h"
#include "core/buf.h"
#include "core/xalloc.h"
#include "tui/layout.h"
#include "tui/view_detail.h"
#include "tui/view_detail_cache.h"
#include "tui/view_diff.h"

#define T0 1700000000000LL /* received_ms of the test calls */

static void
put_file(const char *path, const char *body, time_t mtime_s)
{
	FILE *f = fopen(path, "w");
	struct timeval tv[2] = { { mtime_s, 0 }, { mtime_s, 0 } };

	assert_non_null(f);
	assert_int_equal(fputs(body, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(utimes(path, tv), 0);
}

/* A pending Write of path: "a\nB\nc\n" against the file on disk. */
static struct action *
mk_write(const char *path)
{
	struct action *a = action_new();

	a->id = 7;
	a->state = ACTION_PENDING;
	a->session_id = xstrdup("s1");
	a->cwd = xstrdup("/tmp");
	a->tool_name = xstrdup("Write");
	a->tool_input = xasprintf("{\"file_path\":\"%s\",\"content\":"
	                          "\"a\\nB\\nc\\n\"}",
	                          path);
	a->received_ms = T0;
	a->deadline_ms = T0 + 120000;
	return a;
}

static char *
fresh(const struct action *a, int64_t now, int64_t read_ms, int cols)
{
	struct layout_lines ls = { 0 };
	char *t;

	view_detail_build_read(a, now, read_ms, cols, &ls);
	t = layout_lines_text(&ls);
	layout_lines_free(&ls);
	return t;
}

/* The cache's answer must be what a fresh build gives, every time. */
static void
check(struct view_detail_cache *dc, const struct action *a, int64_t now,
      int64_t read_ms, int cols)
{
	char *want = fresh(a, now, read_ms, cols);
	bool partial = true;
	char *got = layout_lines_text(
	        view_detail_cache_get(dc, a, now, read_ms, cols, &partial));

	assert_false(partial);
	assert_string_equal(got, want);
	free(got);
	free(want);
}

/* The cache's lines as text; *partial when not NULL. */
static char *
get_text(struct view_detail_cache *dc, const struct action *a, int64_t now,
         int cols, bool *partial)
{
	bool p;
	char *t = layout_lines_text(view_detail_cache_get(
	        dc, a, now, VIEW_DIFF_READ_UNKNOWN, cols, &p));

	if (partial != NULL) {
		*partial = p;
	}
	return t;
}

/* A pending Write of path whose content is lines lines long. */
static struct action *
mk_big_write(const char *path, int64_t id, unsigned lines)
{
	struct action *a = mk_write(path);
	struct buf b = { 0 };

	a->id = id;
	buf_printf(&b, "{\"file_path\":\"%s\",\"content\":\"", path);
	for (unsigned i = 0; i < lines; i++) {
		buf_printf(&b, "line %u of call %lld\\n", i, (long long)id);
	}
	buf_puts(&b, "\"}");
	free(a->tool_input);
	a->tool_input = buf_steal(&b);
	return a;
}

/* Waits (poll, bounded) for the worker and collects; the result. */
static bool
wait_collect(struct view_detail_cache *dc)
{
	struct pollfd p = { .fd = view_detail_cache_fd(dc), .events = POLLIN };

	assert_true(p.fd >= 0);
	assert_int_equal(poll(&p, 1, 20000), 1);
	return view_detail_cache_collect(dc);
}

static char *
tmp_path(void)
{
	char dir[] = "/tmp/airlock-test-vdc-XXXXXX";

	assert_non_null(mkdtemp(dir));
	return xasprintf("%s/f.txt", dir);
}

static void
rm_path(char *path)
{
	unlink(path);
	*strrchr(path, '/') = '\0';
	rmdir(path);
	free(path);
}

static void
test_clock_moves(void **state)
{
	char *path = tmp_path();
	struct action *a = mk_write(path);
	struct view_detail_cache *dc = view_detail_cache_new();

	(void)state;
	put_file(path, "a\nb\nc\n", T0 / 1000 - 60);
	/* seconds, minutes, the urgent countdown, expired */
	check(dc, a, T0 + 5000, VIEW_DIFF_READ_UNKNOWN, 80);
	check(dc, a, T0 + 65000, VIEW_DIFF_READ_UNKNOWN, 80);
	check(dc, a, T0 + 100000, VIEW_DIFF_READ_UNKNOWN, 80);
	check(dc, a, T0 + 200000, VIEW_DIFF_READ_UNKNOWN, 80);
	/* so narrow that the clock wraps onto more rows, then fewer */
	check(dc, a, T0 + 5000, VIEW_DIFF_READ_UNKNOWN, 24);
	check(dc, a, T0 + 4000000, VIEW_DIFF_READ_UNKNOWN, 24);
	check(dc, a, T0 + 5000, VIEW_DIFF_READ_UNKNOWN, 24);
	view_detail_cache_free(dc);
	action_free(a);
	rm_path(path);
}

static void
test_file_changes(void **state)
{
	char *path = tmp_path();
	struct action *a = mk_write(path);
	struct view_detail_cache *dc = view_detail_cache_new();
	char *before, *after;

	(void)state;
	put_file(path, "a\nb\nc\n", T0 / 1000 - 60);
	check(dc, a, T0 + 1000, VIEW_DIFF_READ_UNKNOWN, 80);
	before = get_text(dc, a, T0 + 1000, 80, NULL);
	/* same size, same second: the inode's ctime still moves */
	put_file(path, "x\nb\nc\n", T0 / 1000 - 60);
	check(dc, a, T0 + 1000, VIEW_DIFF_READ_UNKNOWN, 80);
	after = get_text(dc, a, T0 + 1000, 80, NULL);
	assert_string_not_equal(before, after);
	/* modified after the agent asked: the stale warning appears */
	put_file(path, "a\nb\nc\n", T0 / 1000 + 10);
	check(dc, a, T0 + 1000, VIEW_DIFF_READ_UNKNOWN, 80);
	check(dc, a, T0 + 1000, VIEW_DIFF_READ_NONE, 80);
	check(dc, a, T0 + 1000, T0 - 5000, 80);
	/* gone, then back */
	unlink(path);
	check(dc, a, T0 + 1000, T0 - 5000, 80);
	put_file(path, "a\nb\n", T0 / 1000 - 60);
	check(dc, a, T0 + 1000, T0 - 5000, 80);
	free(before);
	free(after);
	view_detail_cache_free(dc);
	action_free(a);
	rm_path(path);
}

static void
test_action_changes(void **state)
{
	char *path = tmp_path();
	struct action *a = mk_write(path);
	struct action *b = mk_write(path);
	struct view_detail_cache *dc = view_detail_cache_new();

	(void)state;
	put_file(path, "a\nb\nc\n", T0 / 1000 - 60);
	check(dc, a, T0 + 1000, VIEW_DIFF_READ_UNKNOWN, 80);
	check(dc, a, T0 + 1000, VIEW_DIFF_READ_UNKNOWN, 100);
	/* another call, another id */
	b->id = 8;
	free(b->tool_input);
	b->tool_input = xasprintf("{\"file_path\":\"%s\",\"content\":"
	                          "\"zzz\\n\"}",
	                          path);
	check(dc, b, T0 + 1000, VIEW_DIFF_READ_UNKNOWN, 100);
	/* the same id decided, then given its result */
	check(dc, a, T0 + 1000, VIEW_DIFF_READ_UNKNOWN, 100);
	a->state = ACTION_APPROVED;
	a->approver = xstrdup("alice");
	a->decided_ms = T0 + 2000;
	check(dc, a, T0 + 3000, VIEW_DIFF_READ_UNKNOWN, 100);
	a->result = xstrdup("{\"stdout\":\"done\"}");
	a->result_size = (int64_t)strlen(a->result);
	check(dc, a, T0 + 3000, VIEW_DIFF_READ_UNKNOWN, 100);
	a->edited_input = xstrdup("{\"file_path\":\"/x\"}");
	check(dc, a, T0 + 3000, VIEW_DIFF_READ_UNKNOWN, 100);
	/* a call without a file; reset forgets */
	free(b->tool_name);
	b->tool_name = xstrdup("Bash");
	b->id = 9;
	free(b->tool_input);
	b->tool_input = xstrdup("{\"command\":\"rm -rf build\"}");
	check(dc, b, T0 + 3000, VIEW_DIFF_READ_UNKNOWN, 100);
	check(dc, b, T0 + 9000, VIEW_DIFF_READ_UNKNOWN, 100);
	view_detail_cache_reset(dc);
	check(dc, b, T0 + 9000, VIEW_DIFF_READ_UNKNOWN, 100);
	view_detail_cache_free(dc);
	view_detail_cache_free(NULL);
	action_free(a);
	action_free(b);
	rm_path(path);
}

static void
test_async_large(void **state)
{
	char *path = tmp_path();
	struct action *a = mk_big_write(path, 11, 5000);
	struct view_detail_cache *dc = view_detail_cache_new();
	bool partial = false;
	char *t;

	(void)state;
	assert_int_equal(view_detail_cache_fd(dc), -1);
	t = get_text(dc, a, T0 + 1000, 80, &partial);
	assert_true(partial);
	assert_non_null(strstr(t, "Preparing the detail"));
	assert_non_null(strstr(t, "Received 1s ago"));
	free(t);
	/* the placeholder's clock moves too, and no second build starts */
	t = get_text(dc, a, T0 + 2000, 80, &partial);
	assert_true(partial);
	assert_non_null(strstr(t, "Received 2s ago"));
	free(t);
	assert_true(wait_collect(dc));
	check(dc, a, T0 + 3000, VIEW_DIFF_READ_UNKNOWN, 80);
	/* nothing more to collect */
	assert_false(view_detail_cache_collect(dc));
	check(dc, a, T0 + 4000, VIEW_DIFF_READ_UNKNOWN, 80);
	view_detail_cache_free(dc);
	action_free(a);
	rm_path(path);
}

static void
test_async_superseded(void **state)
{
	char *path = tmp_path();
	struct action *a = mk_big_write(path, 21, 5000);
	struct action *b = mk_big_write(path, 22, 6000);
	struct action *small = mk_write(path);
	struct view_detail_cache *dc = view_detail_cache_new();
	bool partial = false;

	(void)state;
	free(get_text(dc, a, T0, 80, &partial));
	assert_true(partial);
	free(get_text(dc, b, T0, 80, &partial));
	assert_true(partial);
	/* a's build, if it ran, is dropped: only b's replaces the
	 * placeholder */
	while (!wait_collect(dc)) {
	}
	check(dc, b, T0 + 1000, VIEW_DIFF_READ_UNKNOWN, 80);
	/* moved on to a small call before the large one was ready */
	free(get_text(dc, a, T0, 80, &partial));
	assert_true(partial);
	check(dc, small, T0 + 1000, VIEW_DIFF_READ_UNKNOWN, 80);
	assert_false(wait_collect(dc));
	check(dc, small, T0 + 1000, VIEW_DIFF_READ_UNKNOWN, 80);
	/* freed with a build in flight */
	free(get_text(dc, b, T0, 100, &partial));
	assert_true(partial);
	view_detail_cache_free(dc);
	action_free(a);
	action_free(b);
	action_free(small);
	rm_path(path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_clock_moves),
		cmocka_unit_test(test_file_changes),
		cmocka_unit_test(test_action_changes),
		cmocka_unit_test(test_async_large),
		cmocka_unit_test(test_async_superseded),
	};

	setlocale(LC_ALL, "C.UTF-8");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
