/*
 * console_load: the load behind bench/bench_console.sh (issue 8, console
 * frame time). Starts a private airlockd (--approval-timeout 86400) and
 * leaves it holding:
 *
 *   - PENDING calls the policy holds for a human: a PreToolUse Bash
 *     `touch held-N` in a temporary project, each on its own open SP
 *     connection (ipc/sp.h, the hook's request format) whose reply is
 *     never awaited, so the call stays pending;
 *   - two Writes whose diffs have DIFF_LINES lines: big-new.txt (a new
 *     file: every line added) and big-edit.txt (an existing file of
 *     DIFF_LINES lines with 1 % of them changed, spread out, as in
 *     bench_diff).
 *
 * Then it checks with a snapshot (ipc/client.h) that the daemon has them
 * all pending, prints
 *
 *   READY home=DIR project=DIR daemon_pid=PID pending=N
 *
 * and keeps the connections open until SIGTERM or SIGINT, when it stops
 * the daemon and removes its directories. RLIMIT_NOFILE is raised to the
 * hard limit first (the daemon inherits it): each held call is one
 * descriptor here and one in the daemon.
 *
 * usage: console_load --bin DIR [--pending N] [--diff-lines L]
 *          [--threads T]
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "bench/benchlib.h"
#include "core/al.h"
#include "core/buf.h"
#include "core/paths.h"
#include "core/xalloc.h"
#include "ipc/client.h"
#include "ipc/proto.h"
#include "ipc/sp.h"

#define CL_SEND_MS    3    /* wait for a reply we do not expect */
#define CL_BIG_MS     3000 /* the large Writes take longer to send */
#define CL_READY_S    600  /* until every call is pending */
#define CL_NOFILE_PAD 64

struct cl_opts {
	const char *bin;
	unsigned pending;
	unsigned diff_lines;
	unsigned threads;
};

struct cl_load {
	struct cl_opts o;
	struct benchlib_daemon d;
	struct paths paths;
	char *project;
	uint64_t nonce;
	struct sp_conn **conns; /* pending + 2, kept open */
	unsigned answered;      /* calls that got a reply: not held */
	unsigned failed;        /* calls that could not be sent */
	pthread_mutex_t mu;
};

struct cl_worker {
	struct cl_load *L;
	unsigned first, step;
};

/* ---- requests ------------------------------------------------------------ */

static char *
cl_request(const struct cl_load *L, unsigned k, const char *tool_part)
{
	return xasprintf("AIRLOCK-HOOK 1 %04x%012x%016" PRIx64
	                 " -\n{\"session_id\":\"console-bench-%u\","
	                 "\"transcript_path\":\"/tmp/airlock-cb.jsonl\","
	                 "\"cwd\":\"%s\",\"permission_mode\":\"default\","
	                 "\"hook_event_name\":\"PreToolUse\",%s,"
	                 "\"tool_use_id\":\"toolu_cb_%u_%016" PRIx64 "\"}",
	                 k >> 12 & 0xffffu, k, L->nonce, k % 50, L->project,
	                 tool_part, k, L->nonce);
}

static char *
cl_held_request(const struct cl_load *L, unsigned k)
{
	char *part = xasprintf("\"tool_name\":\"Bash\",\"tool_input\":{"
	                       "\"command\":\"touch held-%u\","
	                       "\"description\":\"console bench\"}",
	                       k);
	char *msg = cl_request(L, k, part);

	free(part);
	return msg;
}

/* Line i of the big file; edited lines differ (JSON-safe text). */
static void
cl_line(struct buf *b, unsigned i, bool edited)
{
	buf_printf(b,
	           "%s line %06u: the quick brown fox jumps over the lazy "
	           "dog\t%u\n",
	           edited ? "EDITED" : "static", i, i * 7919u % 1000u);
}

/* The line's text as in a JSON string: only tabs and line feeds need it. */
static void
cl_json_escape(struct buf *b, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\t' || s[i] == '\n') {
			buf_puts(b, s[i] == '\t' ? "\\t" : "\\n");
		} else {
			buf_append(b, &s[i], 1);
		}
	}
}

/* The Write of path with lines; edited: every 100th line changed. */
static char *
cl_write_request(const struct cl_load *L, unsigned k, const char *name,
                 bool edited)
{
	struct buf b = { 0 };
	char *msg;

	buf_printf(&b,
	           "\"tool_name\":\"Write\",\"tool_input\":{"
	           "\"file_path\":\"%s/%s\",\"content\":\"",
	           L->project, name);
	for (unsigned i = 0; i < L->o.diff_lines; i++) {
		struct buf line = { 0 };

		cl_line(&line, i, edited && i % 100 == 50);
		cl_json_escape(&b, line.data, line.len);
		buf_free(&line);
	}
	buf_puts(&b, "\"}");
	msg = cl_request(L, k, b.data);
	buf_free(&b);
	return msg;
}

static int
cl_write_old_file(const struct cl_load *L, const char *name)
{
	char *path = xasprintf("%s/%s", L->project, name);
	FILE *f = fopen(path, "w");
	struct buf b = { 0 };

	free(path);
	if (f == NULL) {
		return -1;
	}
	for (unsigned i = 0; i < L->o.diff_lines; i++) {
		cl_line(&b, i, false);
	}
	size_t n = fwrite(b.data, 1, b.len, f);
	int rc = fclose(f) == 0 && n == b.len ? 0 : -1;
	buf_free(&b);
	return rc;
}

/* ---- holding calls ---------------------------------------------------------
 */

/* Sends msg on a new connection and leaves it waiting for the answer. */
static void
cl_hold(struct cl_load *L, unsigned k, const char *msg, int wait_ms)
{
	struct sp_conn *conn = NULL;
	char *reply = NULL;
	size_t len = 0;
	int rc = sp_connect(&conn, L->paths.hook_sock, geteuid(),
	                    sp_now_ms() + 10000);

	if (rc == 0) {
		rc = sp_request(conn, msg, strlen(msg), &reply, &len,
		                PROTO_MAX_HOOK_REPLY, sp_now_ms() + wait_ms);
	}
	pthread_mutex_lock(&L->mu);
	if (rc == 0) {
		L->answered++;
		if (L->answered <= 3) {
			fprintf(stderr, "console_load: call %u answered: %s\n",
			        k, reply);
		}
	} else if (rc != AL_ETIMEDOUT) {
		L->failed++;
		if (L->failed <= 3) {
			fprintf(stderr, "console_load: call %u: %s\n", k,
			        al_strerror(rc));
		}
	}
	pthread_mutex_unlock(&L->mu);
	free(reply);
	L->conns[k] = conn;
}

static void *
cl_worker_main(void *arg)
{
	struct cl_worker *w = arg;

	for (unsigned k = w->first; k < w->L->o.pending; k += w->step) {
		char *msg = cl_held_request(w->L, k);

		cl_hold(w->L, k, msg, CL_SEND_MS);
		free(msg);
	}
	return NULL;
}

static void
cl_hold_all(struct cl_load *L)
{
	pthread_t *t = xcalloc(L->o.threads, sizeof *t);
	struct cl_worker *w = xcalloc(L->o.threads, sizeof *w);
	unsigned k = L->o.pending;

	for (unsigned i = 0; i < L->o.threads; i++) {
		w[i] = (struct cl_worker){ L, i, L->o.threads };
		pthread_create(&t[i], NULL, cl_worker_main, &w[i]);
	}
	for (unsigned i = 0; i < L->o.threads; i++) {
		pthread_join(t[i], NULL);
	}
	char *msg = cl_write_request(L, k, "big-new.txt", false);
	cl_hold(L, k, msg, CL_BIG_MS);
	free(msg);
	msg = cl_write_request(L, k + 1, "big-edit.txt", true);
	cl_hold(L, k + 1, msg, CL_BIG_MS);
	free(msg);
	free(w);
	free(t);
}

/* Until the daemon's snapshot has every call pending. */
static int
cl_wait_pending(struct cl_load *L, size_t want)
{
	struct client *cl = NULL;
	int64_t end = sp_now_ms() + CL_READY_S * 1000;
	size_t n = 0;

	if (client_open(&cl, &L->paths) != 0) {
		return -1;
	}
	while (sp_now_ms() < end) {
		struct action **list = NULL;

		n = 0;
		if (client_snapshot(cl, &list, &n) == 0) {
			client_actions_free(list, n);
			if (n >= want) {
				break;
			}
		}
		fprintf(stderr, "console_load: %zu of %zu pending\n", n, want);
		sleep(1);
	}
	client_close(cl);
	return n >= want ? 0 : -1;
}

/* ---- setup ----------------------------------------------------------------
 */

static int
cl_parse(struct cl_opts *o, int argc, char **argv)
{
	for (int i = 1; i + 1 < argc; i += 2) {
		const char *a = argv[i], *v = argv[i + 1];

		if (strcmp(a, "--bin") == 0) {
			o->bin = v;
		} else if (strcmp(a, "--pending") == 0) {
			o->pending = (unsigned)strtoul(v, NULL, 10);
		} else if (strcmp(a, "--diff-lines") == 0) {
			o->diff_lines = (unsigned)strtoul(v, NULL, 10);
		} else if (strcmp(a, "--threads") == 0) {
			o->threads = (unsigned)strtoul(v, NULL, 10);
		} else {
			return -1;
		}
	}
	return argc % 2 == 1 && o->bin != NULL && o->threads > 0 &&
	                       o->pending < 0xffffffu
	               ? 0
	               : -1;
}

/* Enough descriptors for every held call, here and in the daemon. */
static int
cl_nofile(unsigned need)
{
	struct rlimit r;

	if (getrlimit(RLIMIT_NOFILE, &r) != 0) {
		return -1;
	}
	r.rlim_cur = r.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &r) != 0 ||
	    r.rlim_cur < (rlim_t)need + CL_NOFILE_PAD) {
		fprintf(stderr,
		        "console_load: RLIMIT_NOFILE %llu is under %u + %d\n",
		        (unsigned long long)r.rlim_cur, need, CL_NOFILE_PAD);
		return -1;
	}
	return 0;
}

static int
cl_setup(struct cl_load *L)
{
	const char *extra[] = { "--approval-timeout", "86400", NULL };
	char *airlockd = xasprintf("%s/airlockd", L->o.bin);
	int rc;

	if (cl_nofile(L->o.pending + 2) != 0) {
		free(airlockd);
		return -1;
	}
	rc = benchlib_daemon_start(&L->d, airlockd, extra);
	free(airlockd);
	if (rc != 0) {
		return -1;
	}
	paths_init(&L->paths, L->d.home);
	L->project = benchlib_tmpdir();
	L->nonce = (uint64_t)benchlib_now_ns() ^ ((uint64_t)getpid() << 40);
	L->conns = xcalloc(L->o.pending + 2, sizeof *L->conns);
	pthread_mutex_init(&L->mu, NULL);
	if (L->project == NULL || cl_write_old_file(L, "big-edit.txt") != 0) {
		return -1;
	}
	return 0;
}

static void
cl_teardown(struct cl_load *L)
{
	for (unsigned k = 0; L->conns != NULL && k < L->o.pending + 2; k++) {
		sp_close(L->conns[k]);
	}
	free(L->conns);
	benchlib_daemon_stop(&L->d);
	if (L->project != NULL) {
		benchlib_rmtree(L->project);
		free(L->project);
		paths_clear(&L->paths);
	}
}

/* Blocks until SIGTERM or SIGINT. */
static void
cl_wait_signal(void)
{
	sigset_t set;
	int sig;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	while (sigwait(&set, &sig) != 0) {
	}
}

int
main(int argc, char **argv)
{
	struct cl_load L = {
		.o = { .pending = 10000, .diff_lines = 50000, .threads = 8 }
	};
	sigset_t set;
	int rc = 1;

	if (cl_parse(&L.o, argc, argv) != 0) {
		fprintf(stderr, "usage: console_load --bin DIR [--pending N] "
		                "[--diff-lines L] [--threads T]\n");
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	rc = cl_setup(&L);
	/* Blocked in every thread from now on and taken by sigwait(); not
	 * before the daemon started, which would inherit the mask and ignore
	 * SIGTERM. */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	if (rc == 0) {
		rc = 1;
		int64_t t0 = benchlib_now_ns();

		cl_hold_all(&L);
		int ok = cl_wait_pending(&L, L.o.pending + 2 - L.answered);
		printf("RESULT console-load pending=%u diff_lines=%u "
		       "answered=%u failed=%u seconds=%.1f\n",
		       L.o.pending + 2, L.o.diff_lines, L.answered, L.failed,
		       (double)(benchlib_now_ns() - t0) / 1e9);
		if (ok == 0 && L.answered == 0 && L.failed == 0) {
			printf("READY home=%s project=%s daemon_pid=%ld "
			       "pending=%u\n",
			       L.d.home, L.project, (long)L.d.pid,
			       L.o.pending + 2);
			fflush(stdout);
			cl_wait_signal();
			rc = 0;
		}
	}
	fflush(stdout);
	cl_teardown(&L);
	return rc;
}
