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

/* The console's Read lookup, as the cache sees it: what it answers and
 * how often it was asked (a daemon query in the console). */
struct reads {
	int64_t ms;
	int calls;
};

static int64_t
reads_fn(void *ctx, const struct action *a)
{
	struct reads *r = ctx;

	(void)a;
	r->calls++;
	return r->ms;
}

static struct view_detail_cache *
new_cache(struct reads *r)
{
	r->ms = VIEW_DIFF_READ_UNKNOWN;
	r->calls = 0;
	return view_detail_cache_new(reads_fn, r);
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

/* The cache's answer must be what a fresh build gives, every time (r is
 * the cache's lookup: it answers read_ms). */
static void
check(struct view_detail_cache *dc, struct reads *r, const struct action *a,
      int64_t now, int64_t read_ms, int cols)
{
	char *want = fresh(a, now, read_ms, cols);
	bool partial = true;
	char *got;

	r->ms = read_ms;
	got = layout_lines_text(
	        view_detail_cache_get(dc, a, now, cols, &partial));

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
	char *t =
	        layout_lines_text(view_detail_cache_get(dc, a, now, cols, &p));

	if (partial != NULL) {
		*partial = p;
	}
	return t;
}

/* A frame as the console draws it, then the start of a build owed. */
static char *
show_text(struct view_detail_cache *dc, const struct action *a, int64_t now,
          int cols, bool *partial)
{
	char *t = get_text(dc, a, now, cols, partial);

	assert_false(view_detail_cache_start(dc, a, now));
	assert_false(view_detail_cache_owed(dc));
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
	struct reads r;
	struct view_detail_cache *dc = new_cache(&r);

	(void)state;
	put_file(path, "a\nb\nc\n", T0 / 1000 - 60);
	/* seconds, minutes, the urgent countdown, expired */
	check(dc, &r, a, T0 + 5000, VIEW_DIFF_READ_UNKNOWN, 80);
	check(dc, &r, a, T0 + 65000, VIEW_DIFF_READ_UNKNOWN, 80);
	check(dc, &r, a, T0 + 100000, VIEW_DIFF_READ_UNKNOWN, 80);
	check(dc, &r, a, T0 + 200000, VIEW_DIFF_READ_UNKNOWN, 80);
	/* so narrow that the clock wraps onto more rows, then fewer */
	check(dc, &r, a, T0 + 5000, VIEW_DIFF_READ_UNKNOWN, 24);
	check(dc, &r, a, T0 + 4000000, VIEW_DIFF_READ_UNKNOWN, 24);
	check(dc, &r, a, T0 + 5000, VIEW_DIFF_READ_UNKNOWN, 24);
	view_detail_cache_free(dc);
	action_free(a);
	rm_path(path);
}

static void
test_file_changes(void **state)
{
	char *path = tmp_path();
	struct action *a = mk_write(path);
	struct reads r;
	struct view_detail_cache *dc = new_cache(&r);
	char *before, *after;

	(void)state;
	put_file(path, "a\nb\nc\n", T0 / 1000 - 60);
	check(dc, &r, a, T0 + 1000, VIEW_DIFF_READ_UNKNOWN, 80);
	before = get_text(dc, a, T0 + 1000, 80, NULL);
	/* same size, same second: the inode's ctime still moves */
	put_file(path, "x\nb\nc\n", T0 / 1000 - 60);
	check(dc, &r, a, T0 + 1000, VIEW_DIFF_READ_UNKNOWN, 80);
	after = get_text(dc, a, T0 + 1000, 80, NULL);
	assert_string_not_equal(before, after);
	/* modified after the agent asked: the stale warning appears */
	put_file(path, "a\nb\nc\n", T0 / 1000 + 10);
	check(dc, &r, a, T0 + 1000, VIEW_DIFF_READ_UNKNOWN, 80);
	check(dc, &r, a, T0 + 1000, VIEW_DIFF_READ_NONE, 80);
	check(dc, &r, a, T0 + 1000, T0 - 5000, 80);
	/* gone, then back */
	unlink(path);
	check(dc, &r, a, T0 + 1000, T0 - 5000, 80);
	put_file(path, "a\nb\n", T0 / 1000 - 60);
	check(dc, &r, a, T0 + 1000, T0 - 5000, 80);
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
	struct reads r;
	struct view_detail_cache *dc = new_cache(&r);

	(void)state;
	put_file(path, "a\nb\nc\n", T0 / 1000 - 60);
	check(dc, &r, a, T0 + 1000, VIEW_DIFF_READ_UNKNOWN, 80);
	check(dc, &r, a, T0 + 1000, VIEW_DIFF_READ_UNKNOWN, 100);
	/* another call, another id */
	b->id = 8;
	free(b->tool_input);
	b->tool_input = xasprintf("{\"file_path\":\"%s\",\"content\":"
	                          "\"zzz\\n\"}",
	                          path);
	check(dc, &r, b, T0 + 1000, VIEW_DIFF_READ_UNKNOWN, 100);
	/* the same id decided, then given its result */
	check(dc, &r, a, T0 + 1000, VIEW_DIFF_READ_UNKNOWN, 100);
	a->state = ACTION_APPROVED;
	a->approver = xstrdup("alice");
	a->decided_ms = T0 + 2000;
	check(dc, &r, a, T0 + 3000, VIEW_DIFF_READ_UNKNOWN, 100);
	a->result = xstrdup("{\"stdout\":\"done\"}");
	a->result_size = (int64_t)strlen(a->result);
	check(dc, &r, a, T0 + 3000, VIEW_DIFF_READ_UNKNOWN, 100);
	a->edited_input = xstrdup("{\"file_path\":\"/x\"}");
	check(dc, &r, a, T0 + 3000, VIEW_DIFF_READ_UNKNOWN, 100);
	/* a call without a file; reset forgets */
	free(b->tool_name);
	b->tool_name = xstrdup("Bash");
	b->id = 9;
	free(b->tool_input);
	b->tool_input = xstrdup("{\"command\":\"rm -rf build\"}");
	check(dc, &r, b, T0 + 3000, VIEW_DIFF_READ_UNKNOWN, 100);
	check(dc, &r, b, T0 + 9000, VIEW_DIFF_READ_UNKNOWN, 100);
	view_detail_cache_reset(dc);
	check(dc, &r, b, T0 + 9000, VIEW_DIFF_READ_UNKNOWN, 100);
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
	struct reads r;
	struct view_detail_cache *dc = new_cache(&r);
	bool partial = false;
	char *t;

	(void)state;
	assert_int_equal(view_detail_cache_fd(dc), -1);
	t = get_text(dc, a, T0 + 1000, 80, &partial);
	assert_true(partial);
	assert_non_null(strstr(t, "Preparing the detail"));
	assert_non_null(strstr(t, "Received 1s ago"));
	free(t);
	/* the placeholder's clock moves too; its build is still owed */
	t = get_text(dc, a, T0 + 2000, 80, &partial);
	assert_true(partial);
	assert_true(view_detail_cache_owed(dc));
	assert_non_null(strstr(t, "Received 2s ago"));
	free(t);
	/* started once (on screen), then frames do not start another */
	assert_false(view_detail_cache_start(dc, a, T0 + 2000));
	assert_false(view_detail_cache_owed(dc));
	assert_false(view_detail_cache_start(dc, a, T0 + 2000));
	t = get_text(dc, a, T0 + 2500, 80, &partial);
	assert_true(partial);
	assert_false(view_detail_cache_owed(dc));
	free(t);
	assert_true(wait_collect(dc));
	check(dc, &r, a, T0 + 3000, VIEW_DIFF_READ_UNKNOWN, 80);
	/* nothing more to collect */
	assert_false(view_detail_cache_collect(dc));
	check(dc, &r, a, T0 + 4000, VIEW_DIFF_READ_UNKNOWN, 80);
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
	struct reads r;
	struct view_detail_cache *dc = new_cache(&r);
	bool partial = false;

	(void)state;
	free(show_text(dc, a, T0, 80, &partial));
	assert_true(partial);
	free(show_text(dc, b, T0, 80, &partial));
	assert_true(partial);
	/* a's build, if it ran, is dropped: only b's replaces the
	 * placeholder */
	while (!wait_collect(dc)) {
	}
	check(dc, &r, b, T0 + 1000, VIEW_DIFF_READ_UNKNOWN, 80);
	/* moved on to a small call before the large one was ready */
	free(show_text(dc, a, T0, 80, &partial));
	assert_true(partial);
	check(dc, &r, small, T0 + 1000, VIEW_DIFF_READ_UNKNOWN, 80);
	assert_false(wait_collect(dc));
	check(dc, &r, small, T0 + 1000, VIEW_DIFF_READ_UNKNOWN, 80);
	/* freed with a build in flight, and with one owed */
	free(show_text(dc, b, T0, 100, &partial));
	assert_true(partial);
	free(get_text(dc, a, T0, 100, &partial));
	assert_true(view_detail_cache_owed(dc));
	view_detail_cache_free(dc);
	action_free(a);
	action_free(b);
	action_free(small);
	rm_path(path);
}

/*
 * Issue 8: a key that lands on a 50,000-line diff is answered in a frame
 * whose work does not grow with the diff. The placeholder has as many
 * rows for 50,000 lines as for 5,000; the frame asks nothing of the
 * daemon (the Read lookup) and copies nothing for the worker (no build
 * is handed over, so the worker is not even started): all of that waits
 * for view_detail_cache_start(), after the frame.
 */
static void
test_large_frame_is_screen_sized(void **state)
{
	char *path = tmp_path();
	struct action *a = mk_big_write(path, 31, 5000);
	struct action *b = mk_big_write(path, 32, 50000);
	struct reads r;
	struct view_detail_cache *dc = new_cache(&r);
	const struct layout_lines *ls;
	bool partial = false;
	size_t rows;

	(void)state;
	r.ms = VIEW_DIFF_READ_NONE;
	ls = view_detail_cache_get(dc, b, T0 + 1000, 80, &partial);
	assert_true(partial);
	assert_true(view_detail_cache_owed(dc));
	rows = ls->n;
	assert_true(rows < 12);
	ls = view_detail_cache_get(dc, a, T0 + 1000, 80, &partial);
	assert_true(partial);
	assert_int_equal(ls->n, rows);
	/* its clock moves on the next frames, still for free */
	ls = view_detail_cache_get(dc, a, T0 + 2000, 80, &partial);
	assert_true(partial);
	assert_int_equal(ls->n, rows);
	assert_int_equal(r.calls, 0);
	assert_int_equal(view_detail_cache_fd(dc), -1);
	/* a start for another call than the placeholder's does nothing */
	assert_false(view_detail_cache_start(dc, b, T0 + 2000));
	assert_false(view_detail_cache_start(dc, NULL, T0 + 2000));
	assert_true(view_detail_cache_owed(dc));
	assert_int_equal(r.calls, 0);
	assert_int_equal(view_detail_cache_fd(dc), -1);
	/* started: the lookup once, the build on the worker with its
	 * answer */
	assert_false(view_detail_cache_start(dc, a, T0 + 2000));
	assert_false(view_detail_cache_owed(dc));
	assert_int_equal(r.calls, 1);
	assert_true(view_detail_cache_fd(dc) >= 0);
	assert_true(wait_collect(dc));
	check(dc, &r, a, T0 + 3000, VIEW_DIFF_READ_NONE, 80);
	view_detail_cache_free(dc);
	action_free(a);
	action_free(b);
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
		cmocka_unit_test(test_large_frame_is_screen_sized),
	};

	setlocale(LC_ALL, "C.UTF-8");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
