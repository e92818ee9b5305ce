/*
 * bench_scan: throughput of redact_text() and inject_screen() on realistic
 * tool output, and latency percentiles for one 1 MB result (the size of a
 * large Read). Build with -O2 (RelWithDebInfo or Release) for numbers that
 * mean anything:  bench_scan [ITERATIONS]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/buf.h"
#include "core/inject.h"
#include "core/redact.h"
#include "core/xalloc.h"

#define BENCH_MB ((size_t)1 << 20)

/* Kinds of tool output an agent reads: source, JSON, logs, HTML, docs. */
static const char *const bench_templates[] = {
	"static int\nparse_header(const char *p, size_t n, struct hdr *h)\n{\n"
	"\tif (n < 8) {\n\t\treturn -1; /* short read %d */\n\t}\n"
	"\th->len = (size_t)p[0] << 8 | (size_t)p[1];\n\treturn 0;\n}\n\n",
	"{\"id\": %d, \"name\": \"item-%d\", \"tags\": [\"alpha\", \"beta\"], "
	"\"updated\": \"2024-06-03T10:12:%02dZ\", \"owner\": {\"login\": "
	"\"dev%d\", \"type\": \"User\"}, \"size\": %d}\n",
	"2024-06-03T10:22:%02d.118Z INFO  http  GET /api/v2/orders/%d 200 "
	"12ms user=u%d trace=7f3a%04x\n",
	"<div class=\"card\"><h2>Release %d</h2><p>Fixes a crash when the "
	"config is empty (#%d). Thanks to <a "
	"href=\"/u/%d\">contributor</a>.</p>"
	"<img src=\"/img/%d.png\" alt=\"chart\"></div>\n",
	"## Step %d\n\nRun `make test` and check the output. If a test fails, "
	"open an issue with the log (see section %d). Version %d.%d is "
	"supported.\n\n",
	"password_min_length: %d\ntimeout_s: %d\nregion: eu-west-%d\n"
	"image: registry.example/app:%d\n",
};

static void
bench_fill(struct buf *b, size_t size)
{
	size_t k = 0;
	size_t nt = sizeof(bench_templates) / sizeof(bench_templates[0]);

	while (b->len < size) {
		int v = (int)(k * 7919 % 100000);
		/* The templates are this file's own constant table. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
		buf_printf(b, bench_templates[k % nt], v % 60, v, v % 97, v, v,
		           v);
#pragma GCC diagnostic pop
		k++;
	}
	b->len = size;
	b->data[size] = '\0';
}

static double
bench_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
bench_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static void
bench_redact(const char *t, size_t n, double *ms)
{
	double t0 = bench_now();
	size_t rl = 0;
	char *r = redact_text(t, n, &rl);

	*ms = (bench_now() - t0) * 1e3;
	free(r);
}

static void
bench_inject(const char *t, size_t n, double *ms)
{
	double t0 = bench_now();
	struct inject_finding *f = NULL;
	size_t cnt = 0;

	inject_screen(t, n, &f, &cnt);
	*ms = (bench_now() - t0) * 1e3;
	free(f);
}

static void
bench_report(const char *name, double *ms, int iters, size_t bytes)
{
	double sum = 0;

	for (int i = 0; i < iters; i++) {
		sum += ms[i];
	}
	qsort(ms, (size_t)iters, sizeof(double), bench_cmp);
	printf("%-16s %8.1f MB/s   p50 %6.2f ms   p99 %6.2f ms   max %6.2f ms "
	       "(%d x %zu KB)\n",
	       name, (double)bytes * iters / (sum / 1e3) / 1e6, ms[iters / 2],
	       ms[(iters * 99) / 100 < iters ? (iters * 99) / 100 : iters - 1],
	       ms[iters - 1], iters, bytes >> 10);
}

int
main(int argc, char **argv)
{
	int iters = argc > 1 ? atoi(argv[1]) : 100;
	struct buf b = { 0 };
	double *ms;

	if (iters < 1) {
		iters = 1;
	}
	ms = xcalloc((size_t)iters, sizeof(double));
	bench_fill(&b, BENCH_MB);
	for (int i = 0; i < iters; i++) {
		bench_redact(b.data, b.len, &ms[i]);
	}
	bench_report("redact_text", ms, iters, b.len);
	for (int i = 0; i < iters; i++) {
		bench_inject(b.data, b.len, &ms[i]);
	}
	bench_report("inject_screen", ms, iters, b.len);
	/* Small results, as most tool calls return. */
	for (int i = 0; i < iters; i++) {
		bench_inject(b.data, 4096, &ms[i]);
	}
	bench_report("inject_screen 4K", ms, iters, 4096);
	for (int i = 0; i < iters; i++) {
		bench_redact(b.data, 4096, &ms[i]);
	}
	bench_report("redact_text 4K", ms, iters, 4096);
	free(ms);
	buf_free(&b);
	return 0;
}
