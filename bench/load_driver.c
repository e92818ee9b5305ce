/*
 * load_driver: the load test of issue 7 (tests/integration/load.sh).
 *
 * SESSIONS threads each play one agent session: one hook call at a time,
 * paced so that all sessions together offer RATE calls/s for DURATION
 * seconds. Each call is the request airlock-hook sends (ipc/sp.h, same
 * header, same retries on a dropped connection), on a new SP connection
 * per call like a real hook (--persist: one connection per session).
 *
 *   auto  a PreToolUse Read inside a temporary project: allowed at once
 *   held  (HELD_PCT% of calls) a PreToolUse Bash `touch held-K-N` in the
 *         project: the policy asks a human
 *
 * An approver thread plays a scripted console through ipc/client.h: a
 * snapshot every 50 ms, then approve or deny (alternately) each of our
 * pending actions. A sampler reads the daemon's VmRSS every second.
 *
 * Afterwards every request id is looked up in the audit database
 * (read-only): each call has exactly one row, the row agrees with what the
 * client got (auto: decided allow; held: approved or denied as the
 * approver said, with the approver's pid), and every held call has its
 * final. The driver prints "RESULT ..." lines and exits 1 on any
 * violation: an error (no reply, a daemon error, a wrong decision), a lost
 * or mismatched row, a control request without a reply, a rate under
 * MIN_RATE, VmRSS over MAX_RSS_MIB or growing in the second half.
 *
 * usage: load_driver (--home DIR | --bin DIR) [--sessions N] [--rate R]
 *          [--duration S] [--held-pct P] [--persist] [--min-rate R]
 *          [--max-rss-mib M] [--rss-growth-mib M]
 * --home drives the airlockd already serving DIR (AIRLOCK_HOME); --bin
 * starts a private one from DIR/airlockd (--approval-timeout 60).
 */
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench/benchlib.h"
#include "core/action.h"
#include "core/al.h"
#include "core/audit.h"
#include "core/paths.h"
#include "core/xalloc.h"
#include "ipc/client.h"
#include "ipc/hookio.h"
#include "ipc/proto.h"
#include "ipc/sp.h"

#define L_CALL_MS      90000 /* a held call waits for the approver */
#define L_CONNECT_MS   1000
#define L_BUSY_MS      5000  /* accepted but slow handshake: busy */
#define L_FIRST_MS     100   /* nothing listening at the first try */
#define L_RECONNECT_MS 15000 /* after a dropped connection */
#define L_APPROVER_MS  50    /* the scripted console's poll interval */
#define L_REPORT_BAD   10    /* bad calls printed in full */
#define L_RID_MARK     "1a0d"

enum l_kind {
	L_AUTO,
	L_HELD
};

enum l_got {
	L_GOT_NONE,
	L_GOT_ALLOW,
	L_GOT_DENY,
	L_GOT_OTHER
};

enum l_verdict {
	L_V_NONE,
	L_V_APPROVE,
	L_V_DENY
};

struct l_call {
	uint8_t kind;
	uint8_t got;
	bool sent; /* the request reached the socket at least once */
	bool bad;  /* no valid answer, or not the expected one */
	int rc;    /* of the exchange */
	float ms;  /* submit to reply */
	uint16_t retries;
	_Atomic uint8_t verdict; /* held: set by the approver before deciding */
};

struct l_opts {
	const char *home;
	const char *bin;
	unsigned sessions;
	double rate;
	double duration_s;
	double held_pct;
	bool persist;
	double min_rate;
	double max_rss_mib;
	double rss_growth_mib;
};

struct l_load;

struct l_session {
	struct l_load *L;
	unsigned idx;
	uint64_t rng;
	struct l_call *calls;
	size_t n, cap;
	int64_t end_ns;
};

struct l_approver {
	size_t decisions; /* verdicts chosen: even approve, odd deny */
	size_t approved, denied, snapshots;
	size_t ctl_noreply; /* decide or snapshot without a reply */
	size_t ctl_errors;  /* refused, or already decided */
	double *decide_ms;
	size_t ndecide, cap;
	double snap_max_ms;
};

struct l_rss {
	double *t_s;
	double *kib;
	size_t n, cap;
};

struct l_load {
	struct l_opts o;
	struct paths paths;
	struct benchlib_daemon own;
	pid_t daemon_pid;
	char *project;
	uint64_t nonce;
	int64_t t0_ns;
	atomic_uint sessions_done;
	atomic_bool stop_sampler;
	atomic_uint bad_printed;
	struct l_session *s;
	struct l_approver ap;
	struct l_rss rss;
	_Atomic uint32_t *done_per_s;
	size_t nsec;
};

/* ---- requests ------------------------------------------------------- */

static void
l_request_id(const struct l_load *L, unsigned k, size_t seq, char id[33])
{
	snprintf(id, 33, "%04x%08x" L_RID_MARK "%016" PRIx64, k & 0xffffu,
	         (unsigned)(seq & 0xffffffffu), L->nonce);
}

/* Session and sequence number of one of our request ids. */
static bool
l_parse_id(const struct l_load *L, const char *id, unsigned *k, size_t *seq)
{
	char want[33], head[13];

	if (id == NULL || strlen(id) != 32) {
		return false;
	}
	l_request_id(L, 0, 0, want);
	if (memcmp(id + 12, want + 12, 20) != 0) {
		return false;
	}
	memcpy(head, id, 12);
	head[12] = '\0';
	unsigned long long v = strtoull(head, NULL, 16);
	*k = (unsigned)(v >> 32);
	*seq = (size_t)(v & 0xffffffffu);
	return *k < L->o.sessions && *seq < L->s[*k].cap;
}

static char *
l_request(const struct l_load *L, unsigned k, size_t seq, enum l_kind kind)
{
	char id[33];
	char *input;
	char *msg;

	l_request_id(L, k, seq, id);
	if (kind == L_HELD) {
		input = xasprintf("\"tool_name\":\"Bash\",\"tool_input\":{"
		                  "\"command\":\"touch held-%u-%zu\","
		                  "\"description\":\"load test\"}",
		                  k, seq);
	} else {
		input = xasprintf("\"tool_name\":\"Read\",\"tool_input\":{"
		                  "\"file_path\":\"%s/src/f%u_%zu.c\"}",
		                  L->project, k, seq);
	}
	msg = xasprintf("AIRLOCK-HOOK 1 %s " PROTO_FLAG_NEW
	                "\n{\"session_id\":\"load-%08" PRIx64
	                "-%u\",\"transcript_path\":\"/tmp/airlock-load.jsonl\","
	                "\"cwd\":\"%s\",\"permission_mode\":\"default\","
	                "\"hook_event_name\":\"PreToolUse\",%s,"
	                "\"tool_use_id\":\"toolu_%s\"}",
	                id, L->nonce & 0xffffffffu, k, L->project, input, id);
	free(input);
	return msg;
}

/* ---- one hook call, retried like airlock-hook (ipc/hook_main.c) ------ */

static int
l_connect(struct l_load *L, struct sp_conn **conn, int64_t until,
          int64_t deadline, uint16_t *retries)
{
	int64_t busy_until = sp_now_ms() + L_BUSY_MS;

	for (;;) {
		int64_t now = sp_now_ms();
		int rc = sp_connect(conn, L->paths.hook_sock, geteuid(),
		                    now + L_CONNECT_MS < deadline
		                            ? now + L_CONNECT_MS
		                            : deadline);
		if (rc == 0 || rc == AL_EPERM || rc == AL_EPROTO) {
			return rc;
		}
		bool again =
		        rc == AL_ETIMEDOUT
		                ? sp_now_ms() < busy_until
		                : rc == AL_ECONN && sp_now_ms() + 50 < until;
		if (!again || sp_now_ms() >= deadline) {
			return rc;
		}
		(*retries)++;
		if (rc == AL_ECONN) {
			struct timespec ts = { 0, 50 * 1000 * 1000 };
			nanosleep(&ts, NULL);
		}
	}
}

static int
l_exchange(struct l_load *L, struct sp_conn **conn, const char *msg,
           struct l_call *c, char **reply, size_t *len)
{
	int64_t deadline = sp_now_ms() + L_CALL_MS;
	int64_t until = sp_now_ms() + L_FIRST_MS;
	int rc;

	for (;;) {
		if (*conn == NULL) {
			rc = l_connect(L, conn, until, deadline, &c->retries);
			if (rc != 0) {
				return rc;
			}
		}
		c->sent = true;
		rc = sp_request(*conn, msg, strlen(msg), reply, len,
		                PROTO_MAX_HOOK_REPLY, deadline);
		if (rc == 0 && L->o.persist) {
			return 0;
		}
		sp_close(*conn);
		*conn = NULL;
		if (rc != AL_ECONN || sp_now_ms() >= deadline) {
			return rc;
		}
		c->retries++;
		until = sp_now_ms() + L_RECONNECT_MS;
	}
}

static void
l_print_bad(struct l_load *L, unsigned k, size_t seq, const struct l_call *c,
            const char *what)
{
	if (atomic_fetch_add(&L->bad_printed, 1) < L_REPORT_BAD) {
		fprintf(stderr,
		        "load_driver: bad call %u/%zu (%s, %.1f ms): %s\n", k,
		        seq, c->kind == L_HELD ? "held" : "auto", (double)c->ms,
		        what);
	}
}

/* What the reply says; the expected decision of a held call is checked
 * after the run, when the approver's verdict is known. */
static void
l_classify(struct l_load *L, unsigned k, size_t seq, struct l_call *c, int rc,
           const char *reply, size_t len)
{
	struct hookio_reply r = { 0 };
	char id[33];

	c->rc = rc;
	if (rc != 0) {
		c->bad = true;
		l_print_bad(L, k, seq, c, al_strerror(rc));
		return;
	}
	l_request_id(L, k, seq, id);
	if (hookio_parse_reply(reply, len, &r) != 0 || r.request_id == NULL ||
	    strcmp(r.request_id, id) != 0) {
		c->got = L_GOT_OTHER;
		c->bad = true;
		l_print_bad(L, k, seq, c, reply);
	} else {
		c->got = r.decision == HOOKIO_ALLOW  ? L_GOT_ALLOW
		         : r.decision == HOOKIO_DENY ? L_GOT_DENY
		                                     : L_GOT_OTHER;
		if (c->kind == L_AUTO && c->got != L_GOT_ALLOW) {
			c->bad = true;
			l_print_bad(L, k, seq, c, reply);
		}
	}
	hookio_reply_clear(&r);
}

static uint64_t
l_rand(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15u);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
	return z ^ (z >> 31);
}

static void
l_one_call(struct l_session *s, struct sp_conn **conn)
{
	struct l_load *L = s->L;
	size_t seq = s->n;
	struct l_call *c = &s->calls[seq];
	double u = (double)(l_rand(&s->rng) >> 11) / 9007199254740992.0;
	char *reply = NULL;
	size_t len = 0;

	c->kind = u * 100.0 < L->o.held_pct ? L_HELD : L_AUTO;
	char *msg = l_request(L, s->idx, seq, c->kind);
	int64_t t0 = benchlib_now_ns();
	s->n++;
	int rc = l_exchange(L, conn, msg, c, &reply, &len);
	int64_t t1 = benchlib_now_ns();
	c->ms = (float)((double)(t1 - t0) / 1e6);
	l_classify(L, s->idx, seq, c, rc, reply, len);
	size_t sec = (size_t)((t1 - L->t0_ns) / 1000000000);
	if (rc == 0 && sec < L->nsec) {
		atomic_fetch_add(&L->done_per_s[sec], 1);
	}
	free(reply);
	free(msg);
}

static void
l_sleep_until(int64_t t_ns)
{
	struct timespec ts = { (time_t)(t_ns / 1000000000),
		               (long)(t_ns % 1000000000) };

	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) !=
	       0) {
	}
}

/* Paced: call n is due at t0 + offset + n * period; a session that fell
 * behind (a held call) catches up without sleeping. */
static void *
l_session_main(void *arg)
{
	struct l_session *s = arg;
	struct l_load *L = s->L;
	double period = (double)L->o.sessions / L->o.rate * 1e9;
	int64_t end = L->t0_ns + (int64_t)(L->o.duration_s * 1e9);
	int64_t next = L->t0_ns + (int64_t)(period * s->idx / L->o.sessions);
	struct sp_conn *conn = NULL;

	while (next < end && s->n < s->cap) {
		if (benchlib_now_ns() < next) {
			l_sleep_until(next);
		}
		next += (int64_t)period;
		l_one_call(s, &conn);
	}
	sp_close(conn);
	s->end_ns = benchlib_now_ns();
	atomic_fetch_add(&L->sessions_done, 1);
	return NULL;
}

/* ---- the scripted approver ------------------------------------------ */

static void
l_ap_time(struct l_approver *ap, double ms)
{
	if (ap->ndecide == ap->cap) {
		ap->cap = ap->cap ? ap->cap * 2 : 1024;
		ap->decide_ms = xrealloc(ap->decide_ms,
		                         ap->cap * sizeof *ap->decide_ms);
	}
	ap->decide_ms[ap->ndecide++] = ms;
}

static void
l_decide(struct l_load *L, struct client *cl, const struct action *a)
{
	struct l_approver *ap = &L->ap;
	unsigned k;
	size_t seq;
	char *err = NULL;

	if (!l_parse_id(L, a->request_id, &k, &seq)) {
		return;
	}
	struct l_call *c = &L->s[k].calls[seq];
	uint8_t v = atomic_load(&c->verdict);
	if (v == L_V_NONE) { /* a retry after a lost reply keeps its verdict */
		v = ap->decisions++ % 2 == 0 ? L_V_APPROVE : L_V_DENY;
		atomic_store(&c->verdict, v);
	}
	int64_t t0 = benchlib_now_ns();
	int rc = client_decide(cl, a->id,
	                       v == L_V_APPROVE ? CLIENT_APPROVE : CLIENT_DENY,
	                       "load test", NULL, &err);
	l_ap_time(ap, (double)(benchlib_now_ns() - t0) / 1e6);
	if (rc == 0 && v == L_V_APPROVE) {
		ap->approved++;
	} else if (rc == 0) {
		ap->denied++;
	} else if (rc == AL_ETIMEDOUT || rc == AL_ECONN) {
		ap->ctl_noreply++;
	} else {
		ap->ctl_errors++;
	}
	if (rc != 0) {
		fprintf(stderr,
		        "load_driver: decide %" PRId64 " (%s): %s: %s\n", a->id,
		        a->request_id, al_strerror(rc), err ? err : "");
	}
	free(err);
}

/* One snapshot and its decisions; returns how many of ours were pending,
 * or -1 when the snapshot failed. */
static long
l_approve_round(struct l_load *L, struct client *cl)
{
	struct action **list = NULL;
	size_t n = 0;
	long ours = 0;
	int64_t t0 = benchlib_now_ns();
	int rc = client_snapshot(cl, &list, &n);
	double ms = (double)(benchlib_now_ns() - t0) / 1e6;

	L->ap.snapshots++;
	if (ms > L->ap.snap_max_ms) {
		L->ap.snap_max_ms = ms;
	}
	if (rc != 0) {
		L->ap.ctl_noreply++;
		fprintf(stderr, "load_driver: snapshot: %s\n", al_strerror(rc));
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		unsigned k;
		size_t seq;
		if (l_parse_id(L, list[i]->request_id, &k, &seq)) {
			ours++;
			l_decide(L, cl, list[i]);
		}
	}
	client_actions_free(list, n);
	return ours;
}

static void *
l_approver_main(void *arg)
{
	struct l_load *L = arg;
	struct client *cl = NULL;

	if (client_open(&cl, &L->paths) != 0) {
		fprintf(stderr,
		        "load_driver: cannot open the control client\n");
		L->ap.ctl_errors++;
		return NULL;
	}
	for (;;) {
		bool done = atomic_load(&L->sessions_done) == L->o.sessions;
		long ours = l_approve_round(L, cl);
		if (done && ours == 0) {
			break;
		}
		struct timespec ts = { 0, L_APPROVER_MS * 1000 * 1000 };
		nanosleep(&ts, NULL);
	}
	client_close(cl);
	return NULL;
}

/* ---- the daemon's memory -------------------------------------------- */

static double
l_vmrss_kib(pid_t pid)
{
	char path[64], line[256];
	double kib = -1;
	FILE *f;

	snprintf(path, sizeof path, "/proc/%ld/status", (long)pid);
	f = fopen(path, "r");
	if (f == NULL) {
		return -1;
	}
	while (fgets(line, sizeof line, f) != NULL) {
		if (strncmp(line, "VmRSS:", 6) == 0) {
			kib = strtod(line + 6, NULL);
			break;
		}
	}
	fclose(f);
	return kib;
}

static void *
l_sampler_main(void *arg)
{
	struct l_load *L = arg;
	struct l_rss *r = &L->rss;
	int64_t next = L->t0_ns;

	while (!atomic_load(&L->stop_sampler)) {
		double kib = l_vmrss_kib(L->daemon_pid);
		if (kib >= 0) {
			if (r->n == r->cap) {
				r->cap = r->cap ? r->cap * 2 : 256;
				r->t_s = xrealloc(r->t_s,
				                  r->cap * sizeof *r->t_s);
				r->kib = xrealloc(r->kib,
				                  r->cap * sizeof *r->kib);
			}
			r->t_s[r->n] =
			        (double)(benchlib_now_ns() - L->t0_ns) / 1e9;
			r->kib[r->n++] = kib;
		}
		next += 1000000000;
		l_sleep_until(next);
	}
	return NULL;
}

/* ---- verification against the audit database ------------------------ */

struct l_audit {
	size_t checked, lost, mismatched, unfinal, foreign;
	size_t rows; /* rows with our nonce, counted by a full scan */
	int64_t last_id;
	char tail[21]; /* the end of each of our request ids */
};

/* Whether row a agrees with call c. */
static bool
l_row_agrees(const struct l_call *c, const struct action *a, struct l_audit *r)
{
	uint8_t v = atomic_load(&c->verdict);

	if (c->kind == L_AUTO) {
		return a->state == ACTION_DECIDED && a->verdict != NULL &&
		       strcmp(a->verdict, "allow") == 0 &&
		       (c->rc != 0 || c->got == L_GOT_ALLOW);
	}
	if (a->state == ACTION_PENDING || a->state == ACTION_DECIDED) {
		r->unfinal++;
		return false;
	}
	if (a->approver_pid != (int64_t)getpid()) {
		r->foreign++; /* ended by the daemon (timeout), not by us */
	}
	enum action_state want =
	        v == L_V_APPROVE ? ACTION_APPROVED : ACTION_DENIED;
	uint8_t got = a->state == ACTION_APPROVED ? L_GOT_ALLOW : L_GOT_DENY;
	return v != L_V_NONE && a->state == want &&
	       a->approver_pid == (int64_t)getpid() &&
	       (c->rc != 0 || c->got == got);
}

static void
l_check_call(struct l_load *L, struct audit *db, unsigned k, size_t seq,
             struct l_audit *r)
{
	struct l_call *c = &L->s[k].calls[seq];
	struct action *a = NULL;
	char id[33];

	l_request_id(L, k, seq, id);
	r->checked++;
	if (audit_find_request(db, id, &a) != 0) {
		if (c->sent) {
			r->lost++;
			fprintf(stderr, "load_driver: no row for %u/%zu (%s)\n",
			        k, seq, id);
		}
		return;
	}
	if (!l_row_agrees(c, a, r)) {
		r->mismatched++;
		if (r->mismatched <= L_REPORT_BAD) {
			fprintf(stderr,
			        "load_driver: row %" PRId64 " for %u/%zu: "
			        "state %s verdict %s, client got %d, approver "
			        "said %d\n",
			        a->id, k, seq, action_state_name(a->state),
			        a->verdict ? a->verdict : "-", c->got,
			        atomic_load(&c->verdict));
		}
	}
	action_free(a);
}

static int
l_count_row(const struct action *a, void *arg)
{
	struct l_audit *r = arg;

	r->last_id = a->id;
	if (a->request_id != NULL && strlen(a->request_id) == 32 &&
	    memcmp(a->request_id + 12, r->tail, 20) == 0) {
		r->rows++;
	}
	return 0;
}

static int
l_verify(struct l_load *L, struct l_audit *r)
{
	struct audit *db = NULL;
	char *err = NULL;
	char id[33];

	l_request_id(L, 0, 0, id);
	memcpy(r->tail, id + 12, sizeof r->tail);
	if (audit_open(&db, L->paths.db_path, AUDIT_READONLY, &err) != 0) {
		fprintf(stderr, "load_driver: audit: %s\n", err ? err : "?");
		free(err);
		return -1;
	}
	for (unsigned k = 0; k < L->o.sessions; k++) {
		for (size_t seq = 0; seq < L->s[k].n; seq++) {
			l_check_call(L, db, k, seq, r);
		}
	}
	for (;;) { /* every row, so that none exists beyond our calls */
		struct audit_range q = { .after_id = r->last_id,
			                 .limit = 1000 };
		int64_t before = r->last_id;
		if (audit_scan_actions(db, &q, l_count_row, r) != 0 ||
		    r->last_id == before) {
			break;
		}
	}
	audit_close(db);
	return 0;
}

/* ---- report ------------------------------------------------------------ */

struct l_totals {
	size_t sent, answered, auto_n, held_n, bad, noreply, wrong, retries;
	size_t approved_got, denied_got;
	double elapsed_s;
};

static void
l_latencies(struct l_load *L)
{
	size_t cap = 1;

	for (unsigned k = 0; k < L->o.sessions; k++) {
		cap += L->s[k].n;
	}
	double *au = xcalloc(cap, sizeof *au);
	double *he = xcalloc(cap, sizeof *he);
	size_t na = 0, nh = 0;
	for (unsigned k = 0; k < L->o.sessions; k++) {
		for (size_t i = 0; i < L->s[k].n; i++) {
			const struct l_call *c = &L->s[k].calls[i];
			if (c->rc == 0) {
				*(c->kind == L_HELD ? &he[nh++] : &au[na++]) =
				        c->ms;
			}
		}
	}
	benchlib_sort(au, na);
	benchlib_sort(he, nh);
	printf("RESULT latency kind=auto n=%zu p50_ms=%.2f p90_ms=%.2f "
	       "p99_ms=%.2f max_ms=%.2f\n",
	       na, benchlib_pct(au, na, 50), benchlib_pct(au, na, 90),
	       benchlib_pct(au, na, 99), na ? au[na - 1] : 0.0);
	printf("RESULT latency kind=held_time_to_decision n=%zu p50_ms=%.2f "
	       "p90_ms=%.2f p99_ms=%.2f max_ms=%.2f\n",
	       nh, benchlib_pct(he, nh, 50), benchlib_pct(he, nh, 90),
	       benchlib_pct(he, nh, 99), nh ? he[nh - 1] : 0.0);
	free(au);
	free(he);
}

static void
l_totals(struct l_load *L, struct l_totals *t)
{
	int64_t end = L->t0_ns;

	memset(t, 0, sizeof *t);
	for (unsigned k = 0; k < L->o.sessions; k++) {
		const struct l_session *s = &L->s[k];
		end = s->end_ns > end ? s->end_ns : end;
		for (size_t i = 0; i < s->n; i++) {
			const struct l_call *c = &s->calls[i];
			uint8_t v = atomic_load(&c->verdict);
			bool held = c->kind == L_HELD;
			bool want_allow = !held || v == L_V_APPROVE;
			t->sent += c->sent;
			t->answered += c->rc == 0;
			*(held ? &t->held_n : &t->auto_n) += 1;
			t->noreply += c->rc != 0;
			t->retries += c->retries;
			bool wrong = c->rc == 0 &&
			             (c->got != (want_allow ? L_GOT_ALLOW
			                                    : L_GOT_DENY) ||
			              (held && v == L_V_NONE));
			t->wrong += wrong;
			t->bad += c->rc != 0 || wrong || c->bad;
			t->approved_got += held && c->got == L_GOT_ALLOW;
			t->denied_got += held && c->got == L_GOT_DENY;
		}
	}
	t->elapsed_s = (double)(end - L->t0_ns) / 1e9;
}

/* The lowest and highest rate over whole windows of the run. */
static void
l_windows(struct l_load *L, double *lo, double *hi, unsigned *win)
{
	size_t secs = (size_t)L->o.duration_s;

	*win = secs >= 60 ? 10 : secs >= 10 ? 5 : 1;
	*lo = 0;
	*hi = 0;
	for (size_t w = 0; (w + 1) * *win <= secs; w++) {
		double sum = 0;
		for (size_t i = w * *win; i < (w + 1) * *win; i++) {
			sum += atomic_load(&L->done_per_s[i]);
		}
		double r = sum / *win;
		*lo = w == 0 || r < *lo ? r : *lo;
		*hi = r > *hi ? r : *hi;
	}
}

struct l_rss_sum {
	double start, max, end, first_max, second_max;
};

static void
l_rss_report(struct l_load *L, struct l_rss_sum *m)
{
	const struct l_rss *r = &L->rss;
	double half = L->o.duration_s / 2;
	size_t step = r->n > 40 ? (r->n + 39) / 40 : 1;

	memset(m, 0, sizeof *m);
	if (r->n == 0) {
		return;
	}
	m->start = r->kib[0] / 1024;
	m->end = r->kib[r->n - 1] / 1024;
	for (size_t i = 0; i < r->n; i++) {
		double v = r->kib[i] / 1024;
		double *h = r->t_s[i] < half ? &m->first_max : &m->second_max;
		m->max = v > m->max ? v : m->max;
		*h = v > *h ? v : *h;
	}
	printf("RESULT rss_mib samples=%zu start=%.1f max=%.1f end=%.1f "
	       "first_half_max=%.1f second_half_max=%.1f\n",
	       r->n, m->start, m->max, m->end, m->first_max, m->second_max);
	printf("RESULT rss_curve step_s=%zu mib=", step);
	for (size_t i = 0; i < r->n; i += step) {
		printf("%s%.1f", i ? "," : "", r->kib[i] / 1024);
	}
	printf("\n");
}

static int
l_fail(const char *what)
{
	printf("FAIL: %s\n", what);
	return 1;
}

static int
l_judge(struct l_load *L, const struct l_totals *t, const struct l_audit *a,
        const struct l_rss_sum *m, double rate)
{
	int bad = 0;
	char msg[160];
	double tol = m->first_max * 0.1 > L->o.rss_growth_mib
	                     ? m->first_max * 0.1
	                     : L->o.rss_growth_mib;

	if (t->bad > 0) {
		bad |= l_fail("calls without the expected answer");
	}
	if (a->lost > 0 || a->mismatched > 0 || a->unfinal > 0 ||
	    a->rows != t->sent) {
		bad |= l_fail("audit rows lost, mismatched, without a final "
		              "or extra");
	}
	if (L->ap.ctl_noreply > 0 || L->ap.ctl_errors > 0) {
		bad |= l_fail("control requests without a reply or refused");
	}
	if (rate < L->o.min_rate) {
		snprintf(msg, sizeof msg, "rate %.1f/s under %.1f/s", rate,
		         L->o.min_rate);
		bad |= l_fail(msg);
	}
	if (L->o.max_rss_mib > 0 && m->max > L->o.max_rss_mib) {
		snprintf(msg, sizeof msg, "daemon VmRSS %.1f MiB over %.0f MiB",
		         m->max, L->o.max_rss_mib);
		bad |= l_fail(msg);
	}
	if (L->rss.n == 0 || m->second_max > m->first_max + tol) {
		snprintf(msg, sizeof msg,
		         "daemon VmRSS not flat: %.1f MiB in the second half, "
		         "%.1f in the first (tolerance %.1f)",
		         m->second_max, m->first_max, tol);
		bad |= l_fail(msg);
	}
	return bad;
}

static int
l_report(struct l_load *L)
{
	struct l_totals t;
	struct l_audit a = { 0 };
	struct l_rss_sum m;
	double lo, hi;
	unsigned win;

	l_totals(L, &t);
	double rate = t.elapsed_s > 0 ? (double)t.answered / t.elapsed_s : 0;
	l_windows(L, &lo, &hi, &win);
	printf("RESULT load sessions=%u mode=%s offered_per_s=%.0f "
	       "duration_s=%.0f elapsed_s=%.2f sent=%zu answered=%zu auto=%zu "
	       "held=%zu rate_per_s=%.1f window_s=%u window_min_per_s=%.1f "
	       "window_max_per_s=%.1f\n",
	       L->o.sessions, L->o.persist ? "persistent" : "conn-per-call",
	       L->o.rate, L->o.duration_s, t.elapsed_s, t.sent, t.answered,
	       t.auto_n, t.held_n, rate, win, lo, hi);
	printf("RESULT errors total=%zu no_reply=%zu wrong_decision=%zu "
	       "retries=%zu\n",
	       t.bad, t.noreply, t.wrong, t.retries);
	l_latencies(L);
	benchlib_sort(L->ap.decide_ms, L->ap.ndecide);
	printf("RESULT approver approved=%zu denied=%zu held_got_allow=%zu "
	       "held_got_deny=%zu snapshots=%zu snapshot_max_ms=%.1f "
	       "ctl_noreply=%zu ctl_errors=%zu decide_p50_ms=%.2f "
	       "decide_p99_ms=%.2f decide_max_ms=%.2f\n",
	       L->ap.approved, L->ap.denied, t.approved_got, t.denied_got,
	       L->ap.snapshots, L->ap.snap_max_ms, L->ap.ctl_noreply,
	       L->ap.ctl_errors,
	       benchlib_pct(L->ap.decide_ms, L->ap.ndecide, 50),
	       benchlib_pct(L->ap.decide_ms, L->ap.ndecide, 99),
	       L->ap.ndecide ? L->ap.decide_ms[L->ap.ndecide - 1] : 0.0);
	l_rss_report(L, &m);
	if (l_verify(L, &a) != 0) {
		return l_fail("cannot read the audit database");
	}
	printf("RESULT audit checked=%zu rows=%zu lost=%zu mismatched=%zu "
	       "held_without_final=%zu ended_by_daemon=%zu\n",
	       a.checked, a.rows, a.lost, a.mismatched, a.unfinal, a.foreign);
	int bad = l_judge(L, &t, &a, &m, rate);
	printf("RESULT verdict %s\n", bad ? "fail" : "pass");
	return bad;
}

/* ---- setup ------------------------------------------------------------- */

static int
l_parse(struct l_opts *o, int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (strcmp(a, "--persist") == 0) {
			o->persist = true;
			continue;
		}
		if (v == NULL) {
			return -1;
		}
		i++;
		if (strcmp(a, "--home") == 0) {
			o->home = v;
		} else if (strcmp(a, "--bin") == 0) {
			o->bin = v;
		} else if (strcmp(a, "--sessions") == 0) {
			o->sessions = (unsigned)strtoul(v, NULL, 10);
		} else if (strcmp(a, "--rate") == 0) {
			o->rate = strtod(v, NULL);
		} else if (strcmp(a, "--duration") == 0) {
			o->duration_s = strtod(v, NULL);
		} else if (strcmp(a, "--held-pct") == 0) {
			o->held_pct = strtod(v, NULL);
		} else if (strcmp(a, "--min-rate") == 0) {
			o->min_rate = strtod(v, NULL);
		} else if (strcmp(a, "--max-rss-mib") == 0) {
			o->max_rss_mib = strtod(v, NULL);
		} else if (strcmp(a, "--rss-growth-mib") == 0) {
			o->rss_growth_mib = strtod(v, NULL);
		} else {
			return -1;
		}
	}
	if ((o->home == NULL) == (o->bin == NULL) || o->sessions == 0 ||
	    o->sessions > 0xffff || o->rate <= 0 || o->duration_s < 1 ||
	    o->held_pct < 0 || o->held_pct > 100) {
		return -1;
	}
	if (o->min_rate <= 0) {
		o->min_rate = 0.95 * o->rate;
	}
	return 0;
}

static pid_t
l_read_pid(const char *path)
{
	FILE *f = fopen(path, "r");
	long pid = 0;

	if (f != NULL) {
		if (fscanf(f, "%ld", &pid) != 1) {
			pid = 0;
		}
		fclose(f);
	}
	return (pid_t)pid;
}

static int
l_setup(struct l_load *L)
{
	const char *extra[] = { "--approval-timeout", "60", NULL };

	if (L->o.bin != NULL) {
		char *airlockd = xasprintf("%s/airlockd", L->o.bin);
		int rc = benchlib_daemon_start(&L->own, airlockd, extra);
		free(airlockd);
		if (rc != 0) {
			return -1;
		}
		L->daemon_pid = L->own.pid;
	}
	paths_init(&L->paths, L->o.home ? L->o.home : L->own.home);
	if (L->o.home != NULL) {
		L->daemon_pid = l_read_pid(L->paths.pid_path);
	}
	L->project = benchlib_tmpdir();
	if (L->daemon_pid <= 0 || L->project == NULL) {
		fprintf(stderr, "load_driver: no daemon pid or no project\n");
		return -1;
	}
	L->nonce = (uint64_t)benchlib_now_ns() ^ ((uint64_t)getpid() << 40);
	L->nsec = (size_t)L->o.duration_s + 600;
	L->done_per_s = xcalloc(L->nsec, sizeof *L->done_per_s);
	L->s = xcalloc(L->o.sessions, sizeof *L->s);
	size_t cap = (size_t)(L->o.duration_s * L->o.rate / L->o.sessions) + 2;
	for (unsigned k = 0; k < L->o.sessions; k++) {
		L->s[k] = (struct l_session){ .L = L, .idx = k, .cap = cap };
		L->s[k].rng = L->nonce ^ ((uint64_t)k * 0x9e3779b97f4a7c15u);
		L->s[k].calls = xcalloc(cap, sizeof *L->s[k].calls);
	}
	return 0;
}

static void
l_teardown(struct l_load *L)
{
	for (unsigned k = 0; L->s != NULL && k < L->o.sessions; k++) {
		free(L->s[k].calls);
	}
	free(L->s);
	free((void *)L->done_per_s);
	free(L->ap.decide_ms);
	free(L->rss.t_s);
	free(L->rss.kib);
	benchlib_rmtree(L->project);
	free(L->project);
	paths_clear(&L->paths);
	if (L->o.bin != NULL) {
		benchlib_daemon_stop(&L->own);
	}
}

static void
l_run(struct l_load *L)
{
	pthread_t *t = xcalloc(L->o.sessions, sizeof *t);
	pthread_t ap, sampler;

	printf("load_driver: %u sessions (%s), %.0f calls/s offered for %.0f "
	       "s, %.1f%% held; daemon pid %ld\n",
	       L->o.sessions, L->o.persist ? "persistent" : "conn-per-call",
	       L->o.rate, L->o.duration_s, L->o.held_pct, (long)L->daemon_pid);
	fflush(stdout);
	L->t0_ns = benchlib_now_ns() + 50 * 1000 * 1000;
	pthread_create(&sampler, NULL, l_sampler_main, L);
	pthread_create(&ap, NULL, l_approver_main, L);
	for (unsigned k = 0; k < L->o.sessions; k++) {
		pthread_create(&t[k], NULL, l_session_main, &L->s[k]);
	}
	for (unsigned k = 0; k < L->o.sessions; k++) {
		pthread_join(t[k], NULL);
	}
	pthread_join(ap, NULL);
	atomic_store(&L->stop_sampler, true);
	pthread_join(sampler, NULL);
	free(t);
}

int
main(int argc, char **argv)
{
	struct l_load L = { .o = { .sessions = 64,
		                   .rate = 200,
		                   .duration_s = 30,
		                   .held_pct = 5,
		                   .rss_growth_mib = 2 } };
	int rc = 2;

	if (l_parse(&L.o, argc, argv) != 0) {
		fprintf(stderr, "usage: load_driver (--home DIR | --bin DIR) "
		                "[--sessions N] [--rate R] [--duration S] "
		                "[--held-pct P] [--persist] [--min-rate R] "
		                "[--max-rss-mib M] [--rss-growth-mib M]\n");
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	if (l_setup(&L) == 0) {
		l_run(&L);
		rc = l_report(&L);
	}
	l_teardown(&L);
	return rc;
}
