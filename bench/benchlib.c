#include "bench/benchlib.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/xalloc.h"
#include "ipc/sp.h"

#define BENCHLIB_READY_MS 10000

extern char **environ;

int64_t
benchlib_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int
benchlib_cmp(const void *a, const void *b)
{
	double x = *(const double *)a;
	double y = *(const double *)b;

	return (x > y) - (x < y);
}

void
benchlib_sort(double *v, size_t n)
{
	if (n > 1) {
		qsort(v, n, sizeof *v, benchlib_cmp);
	}
}

double
benchlib_pct(const double *sorted, size_t n, double p)
{
	size_t rank;

	if (n == 0) {
		return 0;
	}
	rank = (size_t)((p / 100.0) * (double)n + 0.999999);
	if (rank < 1) {
		rank = 1;
	}
	return sorted[(rank > n ? n : rank) - 1];
}

char *
benchlib_tmpdir(void)
{
	char *t = xstrdup("/tmp/airlock-bench.XXXXXX");

	if (mkdtemp(t) == NULL) {
		free(t);
		return NULL;
	}
	return t;
}

static int
benchlib_rm_one(const char *path, const struct stat *st, int type,
                struct FTW *ftw)
{
	(void)st;
	(void)type;
	(void)ftw;
	remove(path);
	return 0;
}

void
benchlib_rmtree(const char *path)
{
	if (path != NULL && strncmp(path, "/tmp/airlock-bench.", 19) == 0) {
		nftw(path, benchlib_rm_one, 16, FTW_DEPTH | FTW_PHYS);
	}
}

/* Ready when an SP connection to the hook socket succeeds. */
static int
benchlib_wait_ready(const struct benchlib_daemon *d)
{
	int64_t until = sp_now_ms() + BENCHLIB_READY_MS;
	struct timespec ts = { 0, 20 * 1000 * 1000 };

	while (sp_now_ms() < until) {
		struct sp_conn *c = NULL;
		int status;

		if (sp_connect(&c, d->hook_sock, geteuid(),
		               sp_now_ms() + 500) == 0) {
			sp_close(c);
			return 0;
		}
		if (waitpid(d->pid, &status, WNOHANG) == d->pid) {
			fprintf(stderr, "bench: airlockd exited at start\n");
			return -1;
		}
		nanosleep(&ts, NULL);
	}
	fprintf(stderr, "bench: airlockd did not become ready\n");
	return -1;
}

int
benchlib_daemon_start(struct benchlib_daemon *d, const char *airlockd,
                      const char *const *extra)
{
	const char *argv[16] = { airlockd, "--home", NULL, "--foreground" };
	posix_spawn_file_actions_t fa;
	size_t n = 4;
	char *log;
	int rc;

	memset(d, 0, sizeof *d);
	d->home = benchlib_tmpdir();
	if (d->home == NULL) {
		perror("bench: mkdtemp");
		return -1;
	}
	argv[2] = d->home;
	for (size_t i = 0; extra != NULL && extra[i] != NULL && n < 15; i++) {
		argv[n++] = extra[i];
	}
	d->hook_sock = xasprintf("%s/run/hook.sock", d->home);
	d->events_sock = xasprintf("%s/run/events.sock", d->home);
	d->db_path = xasprintf("%s/state/audit.db", d->home);
	log = xasprintf("%s/daemon.log", d->home);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null",
	                                 O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, log,
	                                 O_WRONLY | O_CREAT | O_APPEND, 0600);
	posix_spawn_file_actions_adddup2(&fa, STDOUT_FILENO, STDERR_FILENO);
	rc = posix_spawn(&d->pid, airlockd, &fa, NULL, (char *const *)argv,
	                 environ);
	posix_spawn_file_actions_destroy(&fa);
	free(log);
	if (rc != 0) {
		fprintf(stderr, "bench: cannot start %s: %s\n", airlockd,
		        strerror(rc));
		d->pid = 0;
		return -1;
	}
	return benchlib_wait_ready(d);
}

void
benchlib_daemon_stop(struct benchlib_daemon *d)
{
	if (d->pid > 0) {
		kill(d->pid, SIGTERM);
		while (waitpid(d->pid, NULL, 0) < 0 && errno == EINTR) {
		}
		d->pid = 0;
	}
	benchlib_rmtree(d->home);
	free(d->home);
	free(d->hook_sock);
	free(d->events_sock);
	free(d->db_path);
	d->home = d->hook_sock = d->events_sock = d->db_path = NULL;
}
