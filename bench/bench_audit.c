/* Audit store figures: durable single-row records per second
 * (synchronous=FULL), batched load rate, query times on a generated
 * history (substring, word, short text, filters, newest page) and the
 * time to verify the chain.  usage: bench_audit [DIR] [ROWS] */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench/gen_history.h"
#include "core/al.h"
#include "core/audit.h"
#include "core/xalloc.h"

#define BENCH_SINGLE 1000
#define BENCH_REPEAT 15

static double
bench_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int
bench_cmp(const void *a, const void *b)
{
	double x = *(const double *)a;
	double y = *(const double *)b;

	return (x > y) - (x < y);
}

static int
bench_count(const struct action *a, void *arg)
{
	(void)a;
	(*(int *)arg)++;
	return 0;
}

static void
bench_query(struct audit *db, const char *label, struct audit_query q)
{
	double t[BENCH_REPEAT];
	int n = 0;

	for (int i = 0; i < BENCH_REPEAT; i++) {
		n = 0;
		double t0 = bench_now_ms();
		if (audit_query(db, &q, bench_count, &n) != 0) {
			fprintf(stderr, "query %s: %s\n", label,
			        audit_errmsg(db));
			exit(1);
		}
		t[i] = bench_now_ms() - t0;
	}
	qsort(t, BENCH_REPEAT, sizeof t[0], bench_cmp);
	printf("query %-34s %3d rows  p50 %7.2f ms  max %7.2f ms\n", label, n,
	       t[BENCH_REPEAT / 2], t[BENCH_REPEAT - 1]);
}

static void
bench_single(struct audit *db)
{
	double t0 = bench_now_ms();

	for (int i = 0; i < BENCH_SINGLE; i++) {
		struct action *a = action_new();
		a->request_id = xasprintf("single-%d", i);
		a->session_id = xstrdup("bench-single");
		a->tool_name = xstrdup("Bash");
		a->tool_input =
		        xstrdup("{\"command\":\"git push origin main\"}");
		a->summary = xstrdup("git push origin main");
		a->verdict = xstrdup("ask");
		a->state = ACTION_PENDING;
		a->received_ms = i;
		if (audit_record_action(db, a) != 0) {
			fprintf(stderr, "record: %s\n", audit_errmsg(db));
			exit(1);
		}
		action_free(a);
	}
	double ms = bench_now_ms() - t0;
	printf("audit_record_action, 1 row/txn, FULL: %d rows in %.0f ms = "
	       "%.0f rows/s (%.3f ms/row)\n",
	       BENCH_SINGLE, ms, BENCH_SINGLE * 1e3 / ms, ms / BENCH_SINGLE);
}

static void
bench_queries(const char *path)
{
	struct audit *db = NULL;
	char *err = NULL;
	double t0 = bench_now_ms();

	if (audit_open(&db, path, AUDIT_READONLY, &err) != 0) {
		fprintf(stderr, "open ro: %s\n", err);
		exit(1);
	}
	printf("read-only open: %.2f ms\n", bench_now_ms() - t0);
	bench_query(db, "substring 'rm -rf'",
	            (struct audit_query){ .text = "rm -rf" });
	bench_query(db, "substring '.env'",
	            (struct audit_query){ .text = ".env" });
	bench_query(db, "substring 'api4999.example' (rare)",
	            (struct audit_query){ .text = "api4999.example" });
	bench_query(db, "words 'push origin'",
	            (struct audit_query){ .text = "push origin",
	                                  .match = AUDIT_MATCH_WORDS });
	bench_query(db, "short 'rm' (LIKE, recent rows)",
	            (struct audit_query){ .text = "rm" });
	bench_query(db, "no text, newest 50", (struct audit_query){ 0 });
	bench_query(db, "'rm -rf' + session + verdict",
	            (struct audit_query){ .text = "rm -rf",
	                                  .session_id = "sess-00007",
	                                  .verdict = "ask" });
	bench_query(db, "session only",
	            (struct audit_query){ .session_id = "sess-01234" });

	struct audit_verify_report r;
	t0 = bench_now_ms();
	if (audit_verify(db, &r) != 0) {
		fprintf(stderr, "verify: %s\n", audit_errmsg(db));
		exit(1);
	}
	printf("verify: %" PRId64
	       " chain entries in %.0f ms, first bad %" PRId64 "\n",
	       r.rows, bench_now_ms() - t0, r.first_bad_row);
	audit_close(db);
}

int
main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : "/tmp";
	int64_t rows = argc > 2 ? strtoll(argv[2], NULL, 10) : 100000;
	char *path = xasprintf("%s/bench_audit.db", dir);
	struct audit *db = NULL;
	char *err = NULL;

	for (const char *sfx = ""; sfx; sfx = sfx[0] ? NULL : "-wal") {
		char *p = xasprintf("%s%s", path, sfx);
		remove(p);
		free(p);
	}
	if (audit_open(&db, path, 0, &err) != 0) {
		fprintf(stderr, "open: %s\n", err);
		return 1;
	}
	bench_single(db);
	double t0 = bench_now_ms();
	if (gen_history_fill(db, rows, 2000, 42) != 0) {
		fprintf(stderr, "fill: %s\n", audit_errmsg(db));
		return 1;
	}
	double ms = bench_now_ms() - t0;
	printf("batched load: %" PRId64 " calls in %.1f s = %.0f calls/s\n",
	       rows, ms / 1e3, rows * 1e3 / ms);
	audit_close(db);
	bench_queries(path);
	free(path);
	return 0;
}
