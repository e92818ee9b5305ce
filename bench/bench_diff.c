/*
 * bench_diff [LINES] [RUNS]: the console's diff view on a large file.
 *
 * 1. diff_lines() on two LINES-line files (default 50,000) where ~1% of the
 *    lines were changed, inserted or deleted at random (fixed seed); the
 *    time includes splitting, hashing, the O(ND) search and the hunks.
 * 2. diff_format_unified() of the result.
 * 3. sanitize() + wrap_layout() at 80 columns: MB/s on source-like text and
 *    on hostile text (escapes, bidi, invalid UTF-8, homoglyphs).
 * Prints the best and median CPU time of RUNS runs (default 7).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/buf.h"
#include "core/diff.h"
#include "core/sanitize.h"
#include "core/wrap.h"
#include "core/xalloc.h"

#define BENCH_MAX_RUNS 64

static double
bench_now(void)
{
	struct timespec ts;

	/* CPU time of this (single-threaded) process: the figures stay
	 * meaningful on a machine shared with parallel builds. */
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
bench_cmp(const void *a, const void *b)
{
	double x = *(const double *)a;
	double y = *(const double *)b;

	return (x > y) - (x < y);
}

static void
bench_line(unsigned *seed, struct buf *b)
{
	unsigned r = (unsigned)rand_r(seed);

	if (r % 5 == 0) {
		buf_puts(b, r % 2 ? "\t}\n" : "\n");
	} else {
		buf_printf(b, "\tvalue_%u = compute(%u, \"%u\");\n", r % 50000,
		           r % 977, r);
	}
}

/* b is a with about rate_per_mille of its lines edited. */
static void
bench_files(size_t lines, unsigned per_mille, struct buf *a, struct buf *b)
{
	unsigned seed = 12345;
	const char *p;
	const char *end;

	for (size_t i = 0; i < lines; i++) {
		bench_line(&seed, a);
	}
	for (p = a->data, end = a->data + a->len; p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = (size_t)(nl - p) + 1;
		unsigned r = (unsigned)rand_r(&seed) % 1000;
		if (r < per_mille) {
			switch (r % 3) {
			case 0: /* change */
				bench_line(&seed, b);
				break;
			case 1: /* insert */
				bench_line(&seed, b);
				buf_append(b, p, len);
				break;
			default: /* delete */
				break;
			}
		} else {
			buf_append(b, p, len);
		}
		p += len;
	}
}

static void
bench_report(const char *what, double *t, int runs, double bytes)
{
	qsort(t, (size_t)runs, sizeof(*t), bench_cmp);
	if (bytes > 0) {
		printf("%-34s best %8.2f MB/s  median %8.2f MB/s\n", what,
		       bytes / t[0] / 1e6, bytes / t[runs / 2] / 1e6);
	} else {
		printf("%-34s best %8.2f ms    median %8.2f ms\n", what,
		       t[0] * 1e3, t[runs / 2] * 1e3);
	}
}

static void
bench_diff(const struct buf *a, const struct buf *b, int runs)
{
	double t[BENCH_MAX_RUNS];
	double f[BENCH_MAX_RUNS];
	struct diff_result *r = NULL;
	struct buf out = { 0 };

	for (int i = 0; i < runs; i++) {
		double t0 = bench_now();
		diff_lines(a->data, a->len, b->data, b->len, 3, &r);
		t[i] = bench_now() - t0;
		t0 = bench_now();
		diff_format_unified(r, "a", "b", &out);
		f[i] = bench_now() - t0;
		if (i == 0) {
			printf("hunks %zu, +%zu -%zu, unified diff %zu bytes\n",
			       diff_hunk_count(r), diff_added(r),
			       diff_removed(r), out.len);
		}
		buf_reset(&out);
		diff_free(r);
	}
	bench_report("diff_lines", t, runs, 0);
	bench_report("diff_format_unified", f, runs, 0);
	buf_free(&out);
}

static void
bench_display(const char *what, const char *s, size_t len, int runs)
{
	double t[BENCH_MAX_RUNS];
	double w[BENCH_MAX_RUNS];

	for (int i = 0; i < runs; i++) {
		struct sanitize_text *st = NULL;
		struct wrap *wr = NULL;
		double t0 = bench_now();
		sanitize(s, len, NULL, &st);
		t[i] = bench_now() - t0;
		t0 = bench_now();
		wrap_layout(st, 80, &wr);
		w[i] = bench_now() - t0;
		wrap_free(wr);
		sanitize_free(st);
	}
	char *label = xasprintf("sanitize (%s)", what);
	bench_report(label, t, runs, (double)len);
	free(label);
	label = xasprintf("wrap_layout 80 cols (%s)", what);
	bench_report(label, w, runs, (double)len);
	free(label);
}

static void
bench_hostile(size_t target, struct buf *out)
{
	static const char *const bits[] = {
		"rm -rf ~ ",
		"\x1b[2K",
		"\xe2\x80\xae",
		"r\xd0\xb0w.example ",
		"\xff\xfe",
		"caf\xc3\xa9 ",
		"\xe6\xbc\xa2\xe5\xad\x97 ",
		"\xf0\x9f\x91\xa8\xe2\x80\x8d\xf0\x9f\x91\xa9 ",
		"\r",
		"\n"
	};
	unsigned seed = 99;

	while (out->len < target) {
		buf_puts(out, bits[(unsigned)rand_r(&seed) % 10]);
	}
}

int
main(int argc, char **argv)
{
	size_t lines = argc > 1 ? strtoul(argv[1], NULL, 10) : 50000;
	int runs = argc > 2 ? atoi(argv[2]) : 7;
	struct buf a = { 0 };
	struct buf b = { 0 };
	struct buf h = { 0 };

	if (runs < 1 || runs > BENCH_MAX_RUNS || lines == 0) {
		fprintf(stderr, "usage: bench_diff [LINES] [RUNS<=64]\n");
		return 2;
	}
	bench_files(lines, 10, &a, &b);
	printf("files: %zu lines (%zu bytes) vs %zu bytes, ~1%% edited\n",
	       lines, a.len, b.len);
	bench_diff(&a, &b, runs);
	bench_display("source text", a.data, a.len, runs);
	bench_hostile(a.len, &h);
	bench_display("hostile text", h.data, h.len, runs);
	buf_free(&a);
	buf_free(&b);
	buf_free(&h);
	return 0;
}
