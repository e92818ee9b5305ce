/* The review verbs: verify, checkpoint, sessions, export, stats, alerts
 * (read-only, straight from the database) and import (writes, only while no
 * daemon owns the database); show is in cli_show.c. JSON comes from
 * ipc/export.c. */
#include "tui/cli_audit.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "core/al.h"
#include "core/audit.h"
#include "core/buf.h"
#include "core/paths.h"
#include "core/sanitize.h"
#include "core/xalloc.h"
#include "ipc/client.h"
#include "ipc/export.h"
#include "ipc/transcript.h"
#include "tui/cli_audit_int.h"

#define CLI_AUDIT_PAGE 1000 /* actions per export page */

/* ---- arguments ---------------------------------------------------------- */

bool
cli_audit_num(const char *s, long long *out)
{
	char *end = NULL;
	long long v;

	if (s == NULL || *s == '\0') {
		return false;
	}
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0' || v <= 0) {
		return false;
	}
	*out = v;
	return true;
}

static int64_t
cli_audit_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Like `airlock log`: "2h", "30m", "7d", "45s" before now, or an absolute
 * YYYY-MM-DD (midnight UTC); 0 for NULL, -1 when unreadable. */
static int64_t
cli_audit_time(const char *s)
{
	char *end = NULL;
	struct tm tm;

	if (s == NULL) {
		return 0;
	}
	memset(&tm, 0, sizeof tm);
	end = strptime(s, "%Y-%m-%d", &tm);
	if (end != NULL && *end == '\0') {
		return (int64_t)timegm(&tm) * 1000;
	}
	long long n = strtoll(s, &end, 10);
	if (end == s || n < 0 || (end[0] != '\0' && end[1] != '\0')) {
		return -1;
	}
	int64_t unit = *end == 's'   ? 1000
	               : *end == 'm' ? 60000
	               : *end == 'h' ? 3600000
	               : *end == 'd' ? 86400000
	                             : -1;
	return unit < 0 ? -1 : cli_audit_now_ms() - n * unit;
}

void
cli_audit_iso(int64_t ms, char out[40])
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	if (ms <= 0 || gmtime_r(&t, &tm) == NULL) {
		snprintf(out, 40, "-");
		return;
	}
	snprintf(out, 40, "%04d-%02d-%02d %02d:%02d:%02d UTC",
	         (tm.tm_year + 1900) % 10000, (tm.tm_mon + 1) % 100,
	         tm.tm_mday % 100, tm.tm_hour % 100, tm.tm_min % 100,
	         tm.tm_sec % 100);
}

void
cli_audit_duration(int64_t ms, char out[32])
{
	if (ms < 0) {
		snprintf(out, 32, "-");
	} else if (ms < 1000) {
		snprintf(out, 32, "%lld ms", (long long)ms);
	} else {
		snprintf(out, 32, "%.1f s", (double)ms / 1000.0);
	}
}

/* Text from the agent, made safe for a terminal. */
void
cli_audit_put(const char *s, bool one_line)
{
	char *safe = sanitize_to_string(s ? s : "-", s ? strlen(s) : 1, NULL);

	for (char *p = safe; *p; p++) {
		putchar(one_line && *p == '\n' ? ' ' : *p);
	}
	free(safe);
}

/* ---- opening the store -------------------------------------------------- */

int
cli_audit_open(const struct cli *c, struct cli_audit_ctx *x, int flags)
{
	char *err = NULL;

	paths_init(&x->p, c->home);
	if (access(x->p.db_path, F_OK) != 0) {
		fprintf(stderr,
		        "airlock: no audit database at %s (has airlockd run "
		        "with this home?)\n",
		        x->p.db_path);
		paths_clear(&x->p);
		return AL_ENOENT;
	}
	int rc = audit_open(&x->db, x->p.db_path, flags, &err);
	if (rc != 0) {
		fprintf(stderr, "airlock: cannot open the audit database: %s\n",
		        err ? err : al_strerror(rc));
		free(err);
		paths_clear(&x->p);
	}
	return rc;
}

void
cli_audit_close(struct cli_audit_ctx *x)
{
	audit_close(x->db);
	paths_clear(&x->p);
}

static int
cli_audit_fail(struct cli_audit_ctx *x, const char *what, int rc)
{
	fprintf(stderr, "airlock: %s: %s\n", what,
	        x->db ? audit_errmsg(x->db) : al_strerror(rc));
	return 1;
}

/* ---- verify and checkpoint ---------------------------------------------- */

/* The last checkpoint line of a witness file. AL_ENOENT when there is
 * none; a line that is not a checkpoint is reported and skipped. */
static int
cli_audit_witness(const char *path, struct audit_checkpoint *cp, int64_t *ms)
{
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int rc = AL_ENOENT;
	long lineno = 0;

	if (f == NULL) {
		fprintf(stderr, "airlock: %s: %s\n", path, strerror(errno));
		return AL_EIO;
	}
	while ((n = getline(&line, &cap, f)) >= 0) {
		lineno++;
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r')) {
			line[--n] = '\0';
		}
		if (n == 0) {
			continue;
		}
		if (export_checkpoint_parse(line, cp, ms) == 0) {
			rc = 0;
		} else {
			fprintf(stderr,
			        "airlock: %s:%ld is not a checkpoint; "
			        "skipped\n",
			        path, lineno);
		}
	}
	free(line);
	fclose(f);
	return rc;
}

static void
cli_audit_report(const struct audit_verify_report *r)
{
	printf("rows checked: %lld\n", (long long)r->rows);
	printf("head hash:    %s\n", r->head_hash);
	if (r->first_bad_row == 0) {
		printf("chain intact\n");
		return;
	}
	printf("chain BROKEN: %s\n", r->problem);
	printf("first broken row: table %s, row id %lld\n", r->bad_table,
	       (long long)r->bad_row_id);
}

int
cli_verify(const struct cli *c)
{
	const char *witness = cli_opt(c, "--witness");
	struct audit_checkpoint cp = { 0 };
	struct audit_verify_report r = { 0 };
	struct cli_audit_ctx x = { 0 };
	int64_t cp_ms = 0;
	int rc;

	if (cli_flag(c, "--witness") && witness == NULL) {
		fprintf(stderr, "usage: airlock verify [--witness FILE]\n");
		return 2;
	}
	if (witness != NULL) {
		rc = cli_audit_witness(witness, &cp, &cp_ms);
		if (rc != 0) {
			fprintf(stderr, "airlock: no checkpoint in %s\n",
			        witness);
			return 1;
		}
	}
	if (cli_audit_open(c, &x, AUDIT_READONLY | AUDIT_QUICK_CHECK) != 0) {
		return 1;
	}
	rc = witness ? audit_verify_against(x.db, &cp, &r)
	             : audit_verify(x.db, &r);
	if (rc != 0) {
		rc = cli_audit_fail(&x, "verify", rc);
		cli_audit_close(&x);
		return rc;
	}
	if (witness != NULL) {
		char when[40];
		cli_audit_iso(cp_ms, when);
		printf("witness:      %lld rows, head %s (%s, %s)\n",
		       (long long)cp.rows, cp.head_hash, when, witness);
	}
	cli_audit_report(&r);
	cli_audit_close(&x);
	return r.first_bad_row == 0 ? 0 : 1;
}

static int
cli_audit_append(const char *path, const char *line)
{
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	size_t len = strlen(line);
	int rc = 0;

	if (fd < 0) {
		return AL_EIO;
	}
	/* One write of the whole line: concurrent appenders never mix. */
	char *l = xasprintf("%s\n", line);
	if (write(fd, l, len + 1) != (ssize_t)(len + 1) || fsync(fd) != 0) {
		rc = AL_EIO;
	}
	free(l);
	if (close(fd) != 0) {
		rc = AL_EIO;
	}
	return rc;
}

int
cli_checkpoint(const struct cli *c)
{
	const char *witness = cli_opt(c, "--witness");
	struct audit_checkpoint cp = { 0 };
	struct cli_audit_ctx x = { 0 };

	if (witness == NULL) {
		fprintf(stderr, "usage: airlock checkpoint --witness FILE\n");
		return 2;
	}
	if (cli_audit_open(c, &x, AUDIT_READONLY) != 0) {
		return 1;
	}
	int rc = audit_checkpoint(x.db, &cp);
	if (rc != 0) {
		rc = cli_audit_fail(&x, "checkpoint", rc);
		cli_audit_close(&x);
		return rc;
	}
	char *line =
	        export_checkpoint_text(&cp, cli_audit_now_ms(), x.p.db_path);
	if (cli_audit_append(witness, line) != 0) {
		fprintf(stderr, "airlock: cannot append to %s: %s\n", witness,
		        strerror(errno));
		rc = 1;
	} else {
		printf("checkpoint: %lld rows, head %s appended to %s\n",
		       (long long)cp.rows, cp.head_hash, witness);
	}
	free(line);
	cli_audit_close(&x);
	return rc;
}

/* ---- sessions, alerts, stats, export ------------------------------------ */

static int
cli_audit_session_one(const struct audit_session_info *s, void *arg)
{
	const bool *json = arg;
	char first[40];
	char last[40];

	if (*json) {
		char *t = export_session_text(s);
		puts(t);
		free(t);
		return 0;
	}
	cli_audit_iso(s->first_seen_ms, first);
	cli_audit_iso(s->last_seen_ms, last);
	cli_audit_put(s->session_id, true);
	printf("\n  %s .. %s  calls %lld  asked %lld  denied %lld  events "
	       "%lld  imported %lld  alerts %lld\n  cwd ",
	       first, last, (long long)s->calls, (long long)s->asked,
	       (long long)s->denied, (long long)s->events,
	       (long long)s->imported, (long long)s->alerts);
	cli_audit_put(s->cwd, true);
	putchar('\n');
	return 0;
}

int
cli_sessions(const struct cli *c)
{
	bool json = cli_flag(c, "--json");
	const char *lim = cli_opt(c, "--limit");
	struct cli_audit_ctx x = { 0 };
	long long limit = 50;

	if (lim != NULL && !cli_audit_num(lim, &limit)) {
		fprintf(stderr,
		        "usage: airlock sessions [--json] [--limit N]\n");
		return 2;
	}
	if (cli_audit_open(c, &x, AUDIT_READONLY) != 0) {
		return 1;
	}
	int rc = audit_list_sessions(x.db, (int)limit, cli_audit_session_one,
	                             &json);
	rc = rc != 0 ? cli_audit_fail(&x, "sessions", rc) : 0;
	cli_audit_close(&x);
	return rc;
}

static int
cli_audit_alert_one(const struct audit_alert *al, void *arg)
{
	const bool *json = arg;
	char when[40];

	if (*json) {
		char *t = export_alert_text(al);
		puts(t);
		free(t);
		return 0;
	}
	cli_audit_iso(al->created_ms, when);
	printf("#%-5lld %s  %-13s ", (long long)al->id, when,
	       al->kind ? al->kind : "-");
	if (al->action_id > 0) {
		printf("call %lld  ", (long long)al->action_id);
	}
	cli_audit_put(al->message, true);
	if (al->acked_ms > 0) {
		printf("  [acknowledged by ");
		cli_audit_put(al->acked_by, true);
		printf("]");
	}
	putchar('\n');
	return 0;
}

/* `airlock alerts --ack ID`: through the daemon, which records who
 * acknowledged it (peer credentials) and tells every console. */
static int
cli_alerts_ack(const struct cli *c, long long id)
{
	struct paths p;
	char *err = NULL;

	paths_init(&p, c->home);
	int rc = client_alert_ack(&p, (int64_t)id, &err);
	if (rc == 0) {
		printf("alert %lld acknowledged\n", id);
	} else if (rc == AL_ECONN || rc == AL_ETIMEDOUT) {
		fprintf(stderr,
		        "airlock: acknowledging needs airlockd, which did not "
		        "answer (%s)\n",
		        err ? err : al_strerror(rc));
	} else {
		fprintf(stderr, "airlock: %s\n", err ? err : al_strerror(rc));
	}
	free(err);
	paths_clear(&p);
	return rc == 0 ? 0 : 1;
}

int
cli_alerts(const struct cli *c)
{
	bool json = cli_flag(c, "--json");
	const char *lim = cli_opt(c, "--limit");
	const char *ack = cli_opt(c, "--ack");
	struct cli_audit_ctx x = { 0 };
	long long limit = 50;
	long long id = 0;

	if ((lim != NULL && !cli_audit_num(lim, &limit)) ||
	    (cli_flag(c, "--ack") && !cli_audit_num(ack, &id))) {
		fprintf(stderr, "usage: airlock alerts [--json] [--all] "
		                "[--limit N] | --ack ID\n");
		return 2;
	}
	if (id > 0) {
		return cli_alerts_ack(c, id);
	}
	if (cli_audit_open(c, &x, AUDIT_READONLY) != 0) {
		return 1;
	}
	int rc = audit_list_alerts(x.db, !cli_flag(c, "--all"), (int)limit,
	                           cli_audit_alert_one, &json);
	rc = rc != 0 ? cli_audit_fail(&x, "alerts", rc) : 0;
	cli_audit_close(&x);
	return rc;
}

static int
cli_audit_day_one(const struct audit_day *d, void *arg)
{
	const bool *json = arg;
	char median[32];

	if (*json) {
		char *t = export_day_text(d);
		puts(t);
		free(t);
		return 0;
	}
	cli_audit_duration(d->median_decide_ms, median);
	printf("%-10s %7lld %7lld %6lld %6lld %7lld %8lld %9s\n", d->day,
	       (long long)d->calls, (long long)d->allowed, (long long)d->asked,
	       (long long)d->denied, (long long)d->timed_out,
	       (long long)d->imported, median);
	return 0;
}

/* Reads --since/--until; false (after a message) when unreadable. */
static bool
cli_audit_range(const struct cli *c, const char *verb, int64_t *since,
                int64_t *until)
{
	*since = cli_audit_time(cli_opt(c, "--since"));
	*until = cli_audit_time(cli_opt(c, "--until"));
	if (*since < 0 || *until < 0) {
		fprintf(stderr,
		        "airlock %s: times are like 2h, 30m, 7d or "
		        "2026-11-01\n",
		        verb);
		return false;
	}
	return true;
}

int
cli_stats(const struct cli *c)
{
	bool json = cli_flag(c, "--json");
	struct cli_audit_ctx x = { 0 };
	int64_t since;
	int64_t until;

	if (!cli_audit_range(c, "stats", &since, &until)) {
		return 2;
	}
	if (cli_audit_open(c, &x, AUDIT_READONLY) != 0) {
		return 1;
	}
	if (!json) {
		printf("%-10s %7s %7s %6s %6s %7s %8s %9s\n", "day (UTC)",
		       "calls", "allowed", "asked", "denied", "timeout",
		       "imported", "median");
	}
	int rc =
	        audit_stats_daily(x.db, since, until, cli_audit_day_one, &json);
	rc = rc != 0 ? cli_audit_fail(&x, "stats", rc) : 0;
	cli_audit_close(&x);
	return rc;
}

struct cli_audit_page {
	int64_t last_id;
	size_t n;
};

static int
cli_audit_export_one(const struct action *a, void *arg)
{
	struct cli_audit_page *pg = arg;
	char *t = export_action_text(a);
	int rc = 0;

	if (fputs(t, stdout) == EOF || putchar('\n') == EOF) {
		rc = AL_EIO;
	}
	free(t);
	pg->last_id = a->id;
	pg->n++;
	return rc;
}

int
cli_export(const struct cli *c)
{
	struct cli_audit_ctx x = { 0 };
	struct cli_audit_page pg = { 0 };
	struct audit_range r = { .limit = CLI_AUDIT_PAGE };
	int rc = 0;

	if (!cli_audit_range(c, "export", &r.since_ms, &r.until_ms)) {
		return 2;
	}
	if (cli_audit_open(c, &x, AUDIT_READONLY) != 0) {
		return 1;
	}
	/* Pages in id order: memory stays flat however large the store. */
	do {
		pg.n = 0;
		r.after_id = pg.last_id;
		rc = audit_scan_actions(x.db, &r, cli_audit_export_one, &pg);
	} while (rc == 0 && pg.n == CLI_AUDIT_PAGE);
	if (rc == 0 && fflush(stdout) != 0) {
		rc = AL_EIO;
	}
	if (rc == AL_EIO) {
		fprintf(stderr, "airlock: export: write error\n");
		rc = 1;
	} else if (rc != 0) {
		rc = cli_audit_fail(&x, "export", rc);
	}
	cli_audit_close(&x);
	return rc;
}

/* ---- import ------------------------------------------------------------- */

/* The pid in the pid file, when that process is alive. */
static long
cli_audit_daemon_pid(const char *pid_path)
{
	FILE *f = fopen(pid_path, "r");
	long pid = 0;

	if (f == NULL) {
		return 0;
	}
	if (fscanf(f, "%ld", &pid) != 1 || pid <= 1) {
		pid = 0;
	}
	fclose(f);
	if (pid > 0 && kill((pid_t)pid, 0) != 0 && errno != EPERM) {
		pid = 0;
	}
	return pid;
}

/* Something accepts connections on the control socket: a daemon whose
 * pid file is gone still owns the database. */
static bool
cli_audit_socket_live(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;
	bool live;

	if (strlen(path) >= sizeof sa.sun_path) {
		return false;
	}
	memcpy(sa.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		return false;
	}
	live = connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0;
	close(fd);
	return live;
}

struct cli_audit_import {
	struct audit *db;
	const char *origin;
	size_t imported;
	size_t hooked;  /* the hook recorded a decision: nothing to do */
	size_t again;   /* imported before */
	size_t flagged; /* unsupervised executions */
};

static int
cli_audit_flag_unsupervised(struct cli_audit_import *im,
                            const struct transcript_call *tc,
                            const struct action *a, bool post_seen)
{
	struct audit_alert al = {
		.kind = AUDIT_ALERT_UNSUPERVISED,
		.session_id = tc->session_id,
		.action_id = a->id,
		.created_ms = cli_audit_now_ms(),
	};
	char *msg = xasprintf("unsupervised execution: %s (tool_use_id %s) "
	                      "ran without a decision from airlock; found by "
	                      "importing %s",
	                      tc->summary, tc->tool_use_id, im->origin);
	int rc = 0;

	/* When the hook saw the result, the daemon alerted then (coverage
	 * check on PostToolUse): one alert per blind spot. */
	al.message = msg;
	if (!post_seen) {
		rc = audit_record_alert(im->db, &al);
	}
	printf("UNSUPERVISED: call %lld ", (long long)a->id);
	cli_audit_put(tc->summary, true);
	printf(" (tool_use_id ");
	cli_audit_put(tc->tool_use_id, true);
	printf(", session ");
	cli_audit_put(tc->session_id, true);
	printf(")%s\n", post_seen ? ": the hook saw only its result, "
	                            "alerted then"
	                          : "");
	free(msg);
	im->flagged++;
	return rc;
}

static int
cli_audit_import_call(struct cli_audit_import *im,
                      const struct transcript_call *tc)
{
	struct audit_tool_use tu = { 0 };
	bool supervised = false;
	int rc = audit_find_tool_use(im->db, tc->tool_use_id, &tu);

	if (rc == 0 && tu.decided_id > 0) {
		im->hooked++;
		return 0;
	}
	if (rc == 0 && tu.imported_id > 0) {
		im->again++;
		return 0;
	}
	if (rc == 0 && tc->session_id != NULL) {
		rc = audit_session_supervised(im->db, tc->session_id,
		                              &supervised);
	}
	if (rc != 0) {
		return rc;
	}
	struct action *a = transcript_action(tc, im->origin);
	if (a->received_ms <= 0) {
		a->received_ms = cli_audit_now_ms();
	}
	rc = audit_record_event(im->db, a);
	if (rc == AL_EEXIST) {
		im->again++;
		rc = 0;
	} else if (rc == 0) {
		im->imported++;
		if (supervised || tu.event_id > 0) {
			rc = cli_audit_flag_unsupervised(im, tc, a,
			                                 tu.event_id > 0);
		}
	}
	action_free(a);
	return rc;
}

/* One transcript in one transaction: all of it or nothing. */
static int
cli_audit_import_file(struct audit *db, const char *path)
{
	struct cli_audit_import im = { .db = db, .origin = path };
	struct transcript *t = NULL;
	char *err = NULL;
	int rc = transcript_load(path, &t, &err);

	if (rc != 0) {
		fprintf(stderr, "airlock import: %s\n", err);
		free(err);
		return rc;
	}
	rc = audit_batch_begin(db);
	for (size_t i = 0; rc == 0 && i < t->ncalls; i++) {
		rc = cli_audit_import_call(&im, &t->calls[i]);
	}
	int end = audit_batch_end(db, rc == 0);
	rc = rc != 0 ? rc : end;
	if (rc != 0) {
		fprintf(stderr, "airlock import: %s: nothing imported: %s\n",
		        path, audit_errmsg(db));
	} else {
		printf("%s: %zu calls: %zu imported, %zu already recorded by "
		       "the hook, %zu imported before, %zu unsupervised; %zu "
		       "of %zu lines unreadable\n",
		       path, t->ncalls, im.imported, im.hooked, im.again,
		       im.flagged, t->bad_lines, t->lines);
	}
	transcript_free(t);
	return rc;
}

static int
cli_audit_import_open(const struct cli *c, struct cli_audit_ctx *x)
{
	char *err = NULL;
	long pid;

	paths_init(&x->p, c->home);
	pid = cli_audit_daemon_pid(x->p.pid_path);
	if (pid > 0 || cli_audit_socket_live(x->p.control_sock)) {
		fprintf(stderr,
		        "airlock import: airlockd is running (pid %ld) and "
		        "owns the audit database; stop it first (import "
		        "writes, and only the daemon may write while it "
		        "runs)\n",
		        pid);
		paths_clear(&x->p);
		return AL_EBUSY;
	}
	int rc = paths_ensure_dirs(&x->p, &err);
	if (rc == 0) {
		rc = audit_open(&x->db, x->p.db_path, 0, &err);
	}
	if (rc != 0) {
		fprintf(stderr, "airlock import: %s\n",
		        err ? err : al_strerror(rc));
		free(err);
		paths_clear(&x->p);
	}
	return rc;
}

int
cli_import(const struct cli *c)
{
	static const char *const with_value[] = { NULL };
	struct cli_audit_ctx x = { 0 };
	int status = 0;

	if (cli_arg(c, with_value, 0) == NULL) {
		fprintf(stderr, "usage: airlock import TRANSCRIPT.jsonl...\n");
		return 2;
	}
	if (cli_audit_import_open(c, &x) != 0) {
		return 1;
	}
	for (int i = 0;; i++) {
		const char *path = cli_arg(c, with_value, i);
		if (path == NULL) {
			break;
		}
		if (cli_audit_import_file(x.db, path) != 0) {
			status = 1;
		}
	}
	cli_audit_close(&x);
	return status;
}
