#ifndef AIRLOCK_BENCH_BENCHLIB_H
#define AIRLOCK_BENCH_BENCHLIB_H

/*
 * Shared by the hook and daemon benchmarks: a private airlockd on a
 * temporary AIRLOCK_HOME, a monotonic clock and percentiles. Benchmark
 * code only: nothing here is linked into airlock's programs.
 */
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct benchlib_daemon {
	pid_t pid;
	char *home;        /* the temporary AIRLOCK_HOME (removed on stop) */
	char *hook_sock;   /* borrowed by callers until stop */
	char *events_sock; /* likewise */
	char *db_path;     /* likewise */
};

/*
 * Starts `airlockd --home <tmp> --foreground [extra...]` (extra is a
 * NULL-terminated list, or NULL) and waits until its hook socket accepts
 * an SP connection (at most 10 s). Returns 0, or -1 with a message on
 * stderr. The caller calls benchlib_daemon_stop() in every case.
 */
int benchlib_daemon_start(struct benchlib_daemon *d, const char *airlockd,
                          const char *const *extra);
/* SIGTERM, waits for exit, removes the temporary home. Safe to repeat. */
void benchlib_daemon_stop(struct benchlib_daemon *d);

/* Creates an empty temporary directory; the caller frees the string and
 * removes the tree with benchlib_rmtree(). NULL on failure. */
char *benchlib_tmpdir(void);
void benchlib_rmtree(const char *path);

/* CLOCK_MONOTONIC in nanoseconds. */
int64_t benchlib_now_ns(void);

/* Sorts v ascending in place. */
void benchlib_sort(double *v, size_t n);
/* Nearest-rank percentile (0 < p <= 100) of a sorted array; 0 if empty. */
double benchlib_pct(const double *sorted, size_t n, double p);

#endif
