/*
 * bench_hook: what a hook costs Claude Code. Spawns each variant the way
 * Claude Code does, writes the event on its stdin, reads its stdout to the
 * end and waits for it to exit; the wall time of all that is one sample.
 * Two spawn forms: through `/bin/sh -c '<command>'` (Claude Code's
 * default) and directly with posix_spawn (the "args" hook form, no shell).
 *
 * Variants, interleaved (each round in a new random order) so that
 * machine noise and cache warmth hit them alike:
 *   floor         bench/floor_hook (static C: read stdin, print allow)
 *   floor-dyn     the same, dynamically linked (informative)
 *   airlock-hook  the real hook on the auto-decided path: a PreToolUse
 *                 Read inside the project, answered allow by a private
 *                 airlockd started on a temporary --home
 *   python3, bash+jq, node   bench/ref/: the hooks people run today
 * Ratios are to the floor of the same spawn form.
 *
 * Then, unless --quick: the hook with no daemon (its fallback path), and
 * the daemon-side cost alone (connect + request + reply from this
 * process, no spawn).
 *
 * Output: a table, then machine-readable lines:
 *   RESULT hook form=sh variant=airlock-hook n=.. fail=.. p50_ms=..
 *          p90_ms=.. p99_ms=.. p50_ratio=.. p99_ratio=..
 *   GOAL <name> value=.. limit=.. met|not-met
 *
 * With --base DIR (a baseline build's bin directory, e.g. the previous
 * commit built elsewhere), "hook-base" runs that build's hook against its
 * own private daemon in the same interleaved loop, and
 *   RESULT hook-vs-base form=.. p50_ratio=.. p99_ratio=..
 * compares the two.
 *
 * usage: bench_hook [-n N] [--quick] [--warmup N] [--bin DIR]
 *                   [--floor PATH] [--ref DIR] [--no-ref] [--base DIR]
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench/benchlib.h"
#include "core/xalloc.h"
#include "ipc/proto.h"
#include "ipc/sp.h"

#define HOOK_FORMS    2 /* 0: /bin/sh -c, 1: args (no shell) */
#define HOOK_MAX_VARS 8
#define HOOK_OUT_MAX  65536

extern char **environ;

static const char *const hook_form_names[HOOK_FORMS] = { "sh", "args" };

/* A PreToolUse Read inside the project: the policy allows it at once. */
static const char hook_event[] =
        "{\"session_id\":\"baf7a632-665a-4a20-8ae3-732a3576df75\","
        "\"transcript_path\":\"/home/dev/.claude/projects/-home-dev-project/"
        "baf7a632-665a-4a20-8ae3-732a3576df75.jsonl\","
        "\"cwd\":\"/home/dev/project\","
        "\"prompt_id\":\"becbe34b-a0df-488c-9c8c-02879a50a370\","
        "\"permission_mode\":\"default\",\"effort\":{\"level\":\"medium\"},"
        "\"hook_event_name\":\"PreToolUse\",\"tool_name\":\"Read\","
        "\"tool_input\":{\"file_path\":\"/home/dev/project/config.ini\"},"
        "\"tool_use_id\":\"toolu_t00_00_6aee9d78b5\"}\n";

struct hook_variant {
	const char *name;
	bool informative;   /* shown, but no goal depends on it */
	char *sh_cmd;       /* the command for /bin/sh -c */
	char *argv[4];      /* the args form; argv[0] is an absolute path */
	const char *expect; /* a substring of a correct answer */
	double *ms[HOOK_FORMS];
	size_t n[HOOK_FORMS];
	size_t fail[HOOK_FORMS];
};

struct hook_opts {
	size_t runs;
	size_t warmup;
	size_t nodaemon_runs;
	size_t rtt_runs;
	bool quick;
	bool ref;
	const char *bin;
	const char *floor;
	const char *ref_dir;
	const char *base; /* --base DIR: a baseline build, side by side */
};

struct hook_bench {
	struct hook_opts o;
	struct benchlib_daemon daemon;
	struct benchlib_daemon base_daemon; /* --base */
	struct hook_variant v[HOOK_MAX_VARS];
	size_t nv;
};

/* ---- spawning ------------------------------------------------------ */

/*
 * One sample: spawn argv with the event on stdin, read stdout to EOF,
 * reap. Returns the wall time in ms, or a negative value when the hook
 * failed (non-zero exit, or an answer without expect).
 */
static double
hook_run_once(char *const *argv, const char *expect)
{
	posix_spawn_file_actions_t fa;
	int in[2], out[2];
	char buf[HOOK_OUT_MAX];
	size_t got = 0;
	int status = -1;
	pid_t pid;
	int64_t t0;
	ssize_t n;

	if (pipe2(in, O_CLOEXEC) != 0 || pipe2(out, O_CLOEXEC) != 0) {
		return -1;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, in[0], STDIN_FILENO);
	posix_spawn_file_actions_adddup2(&fa, out[1], STDOUT_FILENO);
	posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, "/dev/null",
	                                 O_WRONLY, 0);
	t0 = benchlib_now_ns();
	int rc = posix_spawn(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(in[0]);
	close(out[1]);
	if (rc == 0) {
		/* The event is far below the pipe buffer: no deadlock. */
		n = write(in[1], hook_event, sizeof hook_event - 1);
		(void)n;
	}
	close(in[1]);
	while (rc == 0 &&
	       (n = read(out[0], buf + got, sizeof buf - 1 - got)) != 0) {
		if (n < 0 && errno != EINTR) {
			break;
		}
		got += n > 0 ? (size_t)n : 0;
		if (got == sizeof buf - 1) {
			break;
		}
	}
	close(out[0]);
	while (rc == 0 && waitpid(pid, &status, 0) < 0 && errno == EINTR) {
	}
	double ms = (double)(benchlib_now_ns() - t0) / 1e6;
	buf[got] = '\0';
	if (rc != 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0 ||
	    strstr(buf, expect) == NULL) {
		return -ms - 1e-9;
	}
	return ms;
}

static void
hook_sample(struct hook_variant *v, int form, bool keep)
{
	char *sh[] = { "/bin/sh", "-c", v->sh_cmd, NULL };
	double ms = hook_run_once(form == 0 ? sh : v->argv, v->expect);

	if (!keep) {
		return;
	}
	if (ms < 0) {
		v->fail[form]++;
		return;
	}
	v->ms[form][v->n[form]++] = ms;
}

/* ---- variants ------------------------------------------------------ */

static bool
hook_executable(const char *path)
{
	return path != NULL && access(path, X_OK) == 0;
}

/* The first executable of candidates (NULL-terminated), or NULL. System
 * interpreters first: a version-manager shim (pyenv, nvm) on PATH would
 * add its own start-up to the baseline. */
static const char *
hook_find(const char *const *candidates)
{
	for (size_t i = 0; candidates[i] != NULL; i++) {
		if (hook_executable(candidates[i])) {
			return candidates[i];
		}
	}
	return NULL;
}

static bool
hook_quotable(const char *s)
{
	return strchr(s, '\'') == NULL;
}

static void
hook_add(struct hook_bench *b, const char *name, bool informative,
         const char *prog, const char *arg1, const char *arg2)
{
	struct hook_variant *v = &b->v[b->nv++];
	size_t cap = b->o.runs;

	v->name = name;
	v->informative = informative;
	v->expect = "\"allow\"";
	v->argv[0] = xstrdup(prog);
	v->argv[1] = arg1 ? xstrdup(arg1) : NULL;
	v->argv[2] = arg1 && arg2 ? xstrdup(arg2) : NULL;
	v->sh_cmd = xasprintf("'%s'%s%s%s%s%s", prog, arg1 ? " '" : "",
	                      arg1 ? arg1 : "", arg1 ? "'" : "",
	                      arg2 ? " " : "", arg2 ? arg2 : "");
	for (int f = 0; f < HOOK_FORMS; f++) {
		v->ms[f] = xcalloc(cap, sizeof(double));
	}
}

static void
hook_add_ref(struct hook_bench *b, const char *name, const char *const *interp,
             const char *script)
{
	const char *prog = hook_find(interp);
	char *path = xasprintf("%s/%s", b->o.ref_dir, script);

	if (prog == NULL || access(path, R_OK) != 0) {
		printf("note: %s reference skipped (%s not found)\n", name,
		       prog == NULL ? interp[0] : path);
	} else {
		hook_add(b, name, false, prog, path, NULL);
	}
	free(path);
}

static int
hook_setup(struct hook_bench *b)
{
	char *hook = xasprintf("%s/airlock-hook", b->o.bin);
	char *dyn = xasprintf("%s_dyn", b->o.floor);
	char *home_arg = xasprintf("'%s'", b->daemon.home);
	static const char *const py[] = { "/usr/bin/python3",
		                          "/usr/local/bin/python3", NULL };
	static const char *const bash[] = { "/bin/bash", "/usr/bin/bash",
		                            NULL };
	static const char *const node[] = { "/usr/bin/node",
		                            "/usr/local/bin/node", NULL };

	hook_add(b, "floor", false, b->o.floor, NULL, NULL);
	if (hook_executable(dyn)) {
		hook_add(b, "floor-dyn", true, dyn, NULL, NULL);
	}
	/* sh form: --home DIR as two words; args form: the same argv. */
	hook_add(b, "airlock-hook", false, hook, "--home", b->daemon.home);
	free(b->v[b->nv - 1].sh_cmd);
	b->v[b->nv - 1].sh_cmd = xasprintf("'%s' --home %s", hook, home_arg);
	if (b->o.base != NULL) {
		char *bh = xasprintf("%s/airlock-hook", b->o.base);
		char *bhome = xasprintf("'%s'", b->base_daemon.home);
		hook_add(b, "hook-base", true, bh, "--home",
		         b->base_daemon.home);
		free(b->v[b->nv - 1].sh_cmd);
		b->v[b->nv - 1].sh_cmd = xasprintf("'%s' --home %s", bh, bhome);
		free(bh);
		free(bhome);
	}
	if (b->o.ref) {
		hook_add_ref(b, "python3", py, "hook.py");
		if (hook_executable("/usr/bin/jq")) {
			hook_add_ref(b, "bash+jq", bash, "hook_jq.sh");
		} else {
			printf("note: bash+jq reference skipped (no jq; "
			       "apt-get install -y jq)\n");
		}
		hook_add_ref(b, "node", node, "hook.js");
	}
	free(hook);
	free(dyn);
	free(home_arg);
	return 0;
}

static void
hook_free(struct hook_bench *b)
{
	for (size_t i = 0; i < b->nv; i++) {
		free(b->v[i].sh_cmd);
		for (int k = 0; k < 3; k++) {
			free(b->v[i].argv[k]);
		}
		for (int f = 0; f < HOOK_FORMS; f++) {
			free(b->v[i].ms[f]);
		}
	}
}

/* ---- the interleaved run --------------------------------------------- */

/* A fixed-seed generator: every run shuffles the same way. */
static uint64_t
hook_rand(uint64_t *state)
{
	uint64_t x = *state;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	*state = x;
	return x;
}

/* Every (variant, form) pair once per round, in a new random order each
 * round. What ran just before a sample matters here: a hook that follows
 * another hook finds the kernel's socket and fsync paths and SQLite's
 * code warm in the CPU caches, and ran up to 0.28 ms faster than the
 * same binary after an interpreter (measured with two copies of one
 * build). Rotating a fixed cycle kept each pair's predecessor fixed;
 * shuffling gives every pair every predecessor alike. */
static void
hook_run_all(struct hook_bench *b)
{
	size_t pairs = b->nv * HOOK_FORMS;
	size_t rounds = b->o.warmup + b->o.runs;
	size_t *order = xcalloc(pairs, sizeof *order);
	uint64_t seed = 0x9e3779b97f4a7c15u;

	for (size_t k = 0; k < pairs; k++) {
		order[k] = k;
	}
	for (size_t r = 0; r < rounds; r++) {
		for (size_t k = pairs; k > 1; k--) {
			size_t j = (size_t)(hook_rand(&seed) % k);
			size_t t = order[k - 1];
			order[k - 1] = order[j];
			order[j] = t;
		}
		for (size_t k = 0; k < pairs; k++) {
			size_t p = order[k];
			hook_sample(&b->v[p / HOOK_FORMS],
			            (int)(p % HOOK_FORMS), r >= b->o.warmup);
		}
	}
	free(order);
}

struct hook_stats {
	double p50, p90, p99;
};

static struct hook_stats
hook_stats(struct hook_variant *v, int form)
{
	struct hook_stats s;

	benchlib_sort(v->ms[form], v->n[form]);
	s.p50 = benchlib_pct(v->ms[form], v->n[form], 50);
	s.p90 = benchlib_pct(v->ms[form], v->n[form], 90);
	s.p99 = benchlib_pct(v->ms[form], v->n[form], 99);
	return s;
}

static void
hook_goal(const char *name, double value, double limit)
{
	printf("GOAL %s value=%.2f limit=%.2f %s\n", name, value, limit,
	       value <= limit ? "met" : "not-met");
}

static int
hook_find_variant(const struct hook_bench *b, const char *name)
{
	for (size_t i = 0; i < b->nv; i++) {
		if (strcmp(b->v[i].name, name) == 0) {
			return (int)i;
		}
	}
	return -1;
}

/* This build against the baseline (--base), same run: ratio of p50s. */
static void
hook_report_base(const struct hook_bench *b, struct hook_stats st[][HOOK_FORMS])
{
	int cur = hook_find_variant(b, "airlock-hook");
	int base = hook_find_variant(b, "hook-base");

	if (cur < 0 || base < 0) {
		return;
	}
	for (int f = 0; f < HOOK_FORMS; f++) {
		printf("RESULT hook-vs-base form=%s p50_ms=%.3f "
		       "base_p50_ms=%.3f "
		       "p50_ratio=%.3f p99_ratio=%.3f\n",
		       hook_form_names[f], st[cur][f].p50, st[base][f].p50,
		       st[cur][f].p50 / st[base][f].p50,
		       st[cur][f].p99 / st[base][f].p99);
	}
}

static void
hook_report(struct hook_bench *b)
{
	struct hook_stats st[HOOK_MAX_VARS][HOOK_FORMS];

	for (size_t i = 0; i < b->nv; i++) {
		for (int f = 0; f < HOOK_FORMS; f++) {
			st[i][f] = hook_stats(&b->v[i], f);
		}
	}
	printf("\n%-5s %-13s %5s %4s %8s %8s %8s %9s %9s\n", "form", "variant",
	       "n", "fail", "p50 ms", "p90 ms", "p99 ms", "p50/floor",
	       "p99/floor");
	for (int f = 0; f < HOOK_FORMS; f++) {
		for (size_t i = 0; i < b->nv; i++) {
			struct hook_stats *s = &st[i][f];
			printf("%-5s %-13s %5zu %4zu %8.2f %8.2f %8.2f %9.2f "
			       "%9.2f\n",
			       hook_form_names[f], b->v[i].name, b->v[i].n[f],
			       b->v[i].fail[f], s->p50, s->p90, s->p99,
			       s->p50 / st[0][f].p50, s->p99 / st[0][f].p99);
		}
	}
	printf("\n");
	for (int f = 0; f < HOOK_FORMS; f++) {
		for (size_t i = 0; i < b->nv; i++) {
			struct hook_stats *s = &st[i][f];
			printf("RESULT hook form=%s variant=%s n=%zu fail=%zu "
			       "p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f "
			       "p50_ratio=%.3f p99_ratio=%.3f\n",
			       hook_form_names[f], b->v[i].name, b->v[i].n[f],
			       b->v[i].fail[f], s->p50, s->p90, s->p99,
			       s->p50 / st[0][f].p50, s->p99 / st[0][f].p99);
		}
	}
	hook_report_base(b, st);
	for (size_t i = 0; i < b->nv; i++) {
		if (strcmp(b->v[i].name, "airlock-hook") != 0) {
			continue;
		}
		hook_goal("hook-sh-p50-ratio", st[i][0].p50 / st[0][0].p50,
		          1.5);
		hook_goal("hook-sh-p99-ratio", st[i][0].p99 / st[0][0].p99,
		          2.0);
		hook_goal("hook-args-p50-ratio", st[i][1].p50 / st[0][1].p50,
		          2.0);
		hook_goal("hook-args-p99-ratio", st[i][1].p99 / st[0][1].p99,
		          3.0);
		hook_goal("hook-failures",
		          (double)(b->v[i].fail[0] + b->v[i].fail[1]), 0);
	}
}

/* ---- fallback path and daemon-side cost ------------------------------ */

/* The hook with no daemon: it must answer (never allow) within 1 s. */
static void
hook_nodaemon(struct hook_bench *b)
{
	char *dir = benchlib_tmpdir();
	char *hook = xasprintf("%s/airlock-hook", b->o.bin);
	char *argv[] = { hook, "--home", dir, NULL };
	double *ms = xcalloc(b->o.nodaemon_runs, sizeof(double));
	size_t n = 0, fail = 0;

	for (size_t i = 0; dir != NULL && i < b->o.nodaemon_runs; i++) {
		/* "default" mode: the fallback answers ask, never allow. */
		double t = hook_run_once(argv, "\"ask\"");
		if (t < 0) {
			fail++;
		} else {
			ms[n++] = t;
		}
	}
	benchlib_sort(ms, n);
	printf("RESULT hook-nodaemon form=args n=%zu fail=%zu p50_ms=%.3f "
	       "p99_ms=%.3f max_ms=%.3f\n",
	       n, fail, benchlib_pct(ms, n, 50), benchlib_pct(ms, n, 99),
	       n ? ms[n - 1] : 0.0);
	hook_goal("hook-nodaemon-max-ms", n ? ms[n - 1] : 1e9, 1000);
	benchlib_rmtree(dir);
	free(dir);
	free(hook);
	free(ms);
}

/*
 * The daemon-side cost alone: connect, send the event as airlock-hook
 * does, wait for the decision, close; from this process, no spawn. The
 * difference to a spawned hook is process start-up.
 */
static double
hook_rtt_once(const char *sock, const char *msg)
{
	struct sp_conn *c = NULL;
	char *reply = NULL;
	size_t len = 0;
	int64_t t0 = benchlib_now_ns();
	int rc = sp_connect_pipelined(&c, sock, geteuid(), sp_now_ms() + 2000);

	if (rc == 0) {
		rc = sp_request(c, msg, strlen(msg), &reply, &len, 1 << 20,
		                sp_now_ms() + 5000);
	}
	sp_close(c);
	double t = (double)(benchlib_now_ns() - t0) / 1e6;
	bool ok = rc == 0 && strstr(reply, "\"allow\"") != NULL;
	free(reply);
	return ok ? t : -1;
}

/*
 * The daemon-side cost alone, from this process (no spawn): connect, send
 * the event as airlock-hook does, wait for the decision, close.
 * "decide": a new request id each time, sent as a first send ("new") like
 * the hook's (policy + audit commit);
 * "nowrite": one request id resent, answered from its record (the same
 * IPC and parsing, an indexed read, no commit), alternating with decide.
 */
static void
hook_rtt(struct hook_bench *b)
{
	double *ms[2] = { xcalloc(b->o.rtt_runs, sizeof(double)),
		          xcalloc(b->o.rtt_runs, sizeof(double)) };
	size_t n[2] = { 0, 0 }, fail = 0;
	char *again = xasprintf("AIRLOCK-HOOK 1 %016x%016x -\n%s",
	                        (unsigned)getpid(), 0xffffffffu, hook_event);

	hook_rtt_once(b->daemon.hook_sock, again);
	for (size_t i = 0; i < b->o.rtt_runs; i++) {
		char *msg = xasprintf(
		        "AIRLOCK-HOOK 1 %016zx%016x " PROTO_FLAG_NEW "\n%s", i,
		        (unsigned)getpid(), hook_event);
		for (int k = 0; k < 2; k++) {
			double t = hook_rtt_once(b->daemon.hook_sock,
			                         k == 0 ? msg : again);
			if (t < 0) {
				fail++;
			} else {
				ms[k][n[k]++] = t;
			}
		}
		free(msg);
	}
	for (int k = 0; k < 2; k++) {
		benchlib_sort(ms[k], n[k]);
		printf("RESULT daemon-rtt kind=%s n=%zu fail=%zu p50_ms=%.3f "
		       "p90_ms=%.3f p99_ms=%.3f\n",
		       k == 0 ? "decide" : "nowrite", n[k], fail,
		       benchlib_pct(ms[k], n[k], 50),
		       benchlib_pct(ms[k], n[k], 90),
		       benchlib_pct(ms[k], n[k], 99));
		free(ms[k]);
	}
	free(again);
}

/* ---- main ------------------------------------------------------------ */

static void
hook_usage(void)
{
	fprintf(stderr,
	        "usage: bench_hook [-n N] [--quick] [--warmup N] [--bin DIR]\n"
	        "                  [--floor PATH] [--ref DIR] [--no-ref]\n"
	        "                  [--nodaemon N] [--rtt N] [--base DIR]\n");
}

static int
hook_parse(struct hook_opts *o, int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *val = i + 1 < argc ? argv[i + 1] : NULL;
		bool takes = true;

		if (strcmp(a, "--quick") == 0) {
			o->quick = true;
			o->ref = false;
			o->runs = 300;
			o->nodaemon_runs = 0;
			o->rtt_runs = 0;
			takes = false;
		} else if (strcmp(a, "--no-ref") == 0) {
			o->ref = false;
			takes = false;
		} else if (val == NULL) {
			return -1;
		} else if (strcmp(a, "-n") == 0) {
			o->runs = strtoul(val, NULL, 10);
		} else if (strcmp(a, "--warmup") == 0) {
			o->warmup = strtoul(val, NULL, 10);
		} else if (strcmp(a, "--nodaemon") == 0) {
			o->nodaemon_runs = strtoul(val, NULL, 10);
		} else if (strcmp(a, "--rtt") == 0) {
			o->rtt_runs = strtoul(val, NULL, 10);
		} else if (strcmp(a, "--bin") == 0) {
			o->bin = val;
		} else if (strcmp(a, "--floor") == 0) {
			o->floor = val;
		} else if (strcmp(a, "--ref") == 0) {
			o->ref_dir = val;
		} else if (strcmp(a, "--base") == 0) {
			o->base = val;
		} else {
			return -1;
		}
		i += takes ? 1 : 0;
	}
	return o->runs > 0 ? 0 : -1;
}

static int
hook_start_base(struct hook_bench *b)
{
	if (b->o.base == NULL) {
		return 0;
	}
	if (!hook_quotable(b->o.base)) {
		fprintf(stderr, "bench_hook: paths may not contain '\n");
		return -1;
	}
	char *d = xasprintf("%s/airlockd", b->o.base);
	int rc = benchlib_daemon_start(&b->base_daemon, d, NULL);
	free(d);
	return rc;
}

int
main(int argc, char **argv)
{
	struct hook_bench b = {
		.o = { .runs = 500,
		       .warmup = 10,
		       .nodaemon_runs = 10,
		       .rtt_runs = 2000,
		       .ref = true,
		       .bin = AIRLOCK_BINARY_DIR "/bin",
		       .floor = AIRLOCK_BINARY_DIR "/bench/floor_hook",
		       .ref_dir = AIRLOCK_SOURCE_DIR "/bench/ref" }
	};
	char *airlockd;
	int rc = 1;

	if (hook_parse(&b.o, argc, argv) != 0) {
		hook_usage();
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	airlockd = xasprintf("%s/airlockd", b.o.bin);
	if (!hook_quotable(b.o.bin) || !hook_quotable(b.o.floor) ||
	    !hook_quotable(b.o.ref_dir)) {
		fprintf(stderr, "bench_hook: paths may not contain '\n");
	} else if (benchlib_daemon_start(&b.daemon, airlockd, NULL) == 0 &&
	           hook_start_base(&b) == 0) {
		hook_setup(&b);
		printf("bench_hook: %zu runs per variant and form, %zu "
		       "warm-up, "
		       "interleaved; event %zu bytes; daemon home %s\n",
		       b.o.runs, b.o.warmup, sizeof hook_event - 1,
		       b.daemon.home);
		fflush(stdout);
		hook_run_all(&b);
		hook_report(&b);
		if (b.o.rtt_runs > 0) {
			hook_rtt(&b);
		}
		rc = 0;
	}
	benchlib_daemon_stop(&b.daemon);
	benchlib_daemon_stop(&b.base_daemon);
	if (rc == 0 && b.o.nodaemon_runs > 0) {
		hook_nodaemon(&b);
	}
	hook_free(&b);
	free(airlockd);
	return rc;
}
