/*
 * bench_daemon: airlockd under load. A private airlockd on a temporary
 * --home; C client threads speak to hook.sock exactly as airlock-hook
 * does (ipc/sp.h, same request format), sending auto-decided events (a
 * PreToolUse Read inside the project: allow) for a fixed duration.
 *
 *   conn     one connection per request, like real hooks (default 64
 *            clients)
 *   persist  one connection per client thread, reused
 *   pending  one client sends calls the policy holds for a human (Bash
 *            `touch`), paced, to time hook submit -> "pending" event
 *
 * A subscriber on events.sock (nng SUB) timestamps every "decided" and
 * "pending" event and matches it to the request that caused it (the
 * request id encodes phase, client and sequence number): the
 * event-to-console latency. Afterwards every request that got an answer
 * is looked up in the audit database: a reply without its record would
 * break "no record, no allow".
 *
 * usage: bench_daemon [--bin DIR] [--clients N] [--duration S]
 *                     [--pending N] [--mode conn|persist|both]
 * Output: a table and "RESULT daemon ..." / "GOAL ..." lines.
 */
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <nng/nng.h>
#include <nng/protocol/pubsub0/sub.h>

#include "bench/benchlib.h"
#include "core/action.h"
#include "core/audit.h"
#include "core/xalloc.h"
#include "ipc/proto.h"
#include "ipc/sp.h"

#define D_CAP        (1u << 16) /* requests per client and phase */
#define D_PHASES     3
#define D_REPLY_MAX  (1u << 20)
#define D_PHASE_CONN 0
#define D_PHASE_PERS 1
#define D_PHASE_PEND 2

static const char *const d_phase_names[D_PHASES] = { "conn", "persist",
	                                             "pending" };

struct dclient {
	struct dbench *b;
	struct dphase *ph;
	unsigned idx;
	_Atomic int64_t *submit; /* ns, by sequence number */
	bool *ok;                /* answered allow, by sequence number */
	double *lat;             /* ms, successful requests */
	size_t n;                /* requests sent */
	size_t nok;
	size_t fail;
};

struct dphase {
	int id;
	size_t nclients;
	struct dclient *c;
	double *ev_lat; /* ms, matched events of the phase's type */
	size_t ev_n, ev_cap;
	int64_t t0, t1;
};

struct dopts {
	const char *bin;
	unsigned clients;
	double duration_s;
	size_t pending;
	bool conn, persist;
};

struct dbench {
	struct dopts o;
	struct benchlib_daemon daemon;
	uint64_t nonce;
	atomic_bool stop_clients;
	atomic_bool stop_sub;
	pthread_mutex_t mu; /* guards cur and the phases' event arrays */
	struct dphase *cur;
	nng_socket sub;
	size_t events_total;
};

/* ---- requests -------------------------------------------------------- */

static void
d_request_id(const struct dbench *b, int phase, unsigned client, size_t seq,
             char id[33])
{
	snprintf(id, 33, "%02x%04x%08x00%016" PRIx64, (unsigned)phase,
	         client & 0xffffu, (unsigned)(seq & 0xffffffffu), b->nonce);
}

static char *
d_request(const struct dbench *b, int phase, unsigned client, size_t seq)
{
	char id[33];

	d_request_id(b, phase, client, seq, id);
	if (phase == D_PHASE_PEND) {
		return xasprintf(
		        "AIRLOCK-HOOK 1 %s " PROTO_FLAG_NEW
		        "\n{\"session_id\":\"bench\","
		        "\"transcript_path\":\"/tmp/bench.jsonl\","
		        "\"cwd\":\"/home/dev/project\","
		        "\"permission_mode\":\"default\","
		        "\"hook_event_name\":\"PreToolUse\","
		        "\"tool_name\":\"Bash\",\"tool_input\":{\"command\":"
		        "\"touch bench_%zu\"},\"tool_use_id\":\"toolu_p%zu\"}",
		        id, seq, seq);
	}
	return xasprintf("AIRLOCK-HOOK 1 %s " PROTO_FLAG_NEW
	                 "\n{\"session_id\":\"bench\","
	                 "\"transcript_path\":\"/tmp/bench.jsonl\","
	                 "\"cwd\":\"/home/dev/project\","
	                 "\"permission_mode\":\"default\","
	                 "\"hook_event_name\":\"PreToolUse\","
	                 "\"tool_name\":\"Read\",\"tool_input\":{\"file_path\":"
	                 "\"/home/dev/project/src/f%u_%zu.c\"},"
	                 "\"tool_use_id\":\"toolu_%u_%zu\"}",
	                 id, client, seq, client, seq);
}

/* One request on *conn (connecting when NULL); keeps the connection when
 * keep is set and it is still good. Returns 0 on an allow. */
static int
d_exchange(struct dbench *b, struct sp_conn **conn, const char *msg, bool keep,
           int64_t deadline_ms)
{
	char *reply = NULL;
	size_t len = 0;
	int rc = 0;

	if (*conn == NULL) {
		rc = sp_connect(conn, b->daemon.hook_sock, geteuid(),
		                sp_now_ms() + 2000);
	}
	if (rc == 0) {
		rc = sp_request(*conn, msg, strlen(msg), &reply, &len,
		                D_REPLY_MAX, deadline_ms);
	}
	if (rc == 0 && strstr(reply, "\"decision\":\"allow\"") == NULL) {
		rc = -1;
	}
	if (!keep || (rc != 0 && *conn != NULL)) {
		sp_close(*conn);
		*conn = NULL;
	}
	free(reply);
	return rc;
}

static void *
d_client_main(void *arg)
{
	struct dclient *c = arg;
	struct dbench *b = c->b;
	bool keep = c->ph->id == D_PHASE_PERS;
	struct sp_conn *conn = NULL;

	while (!atomic_load(&b->stop_clients) && c->n < D_CAP) {
		size_t seq = c->n++;
		char *msg = d_request(b, c->ph->id, c->idx, seq);
		int64_t t0 = benchlib_now_ns();

		atomic_store_explicit(&c->submit[seq], t0,
		                      memory_order_release);
		if (d_exchange(b, &conn, msg, keep, sp_now_ms() + 10000) == 0) {
			c->lat[c->nok++] =
			        (double)(benchlib_now_ns() - t0) / 1e6;
			c->ok[seq] = true;
		} else {
			c->fail++;
		}
		free(msg);
	}
	sp_close(conn);
	return NULL;
}

/* ---- the subscriber ---------------------------------------------------- */

static int
d_hex(const char *s, size_t n, uint64_t *out)
{
	uint64_t v = 0;

	for (size_t i = 0; i < n; i++) {
		char ch = s[i];
		int d = ch >= '0' && ch <= '9'   ? ch - '0'
		        : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10
		                                 : -1;
		if (d < 0) {
			return -1;
		}
		v = v << 4 | (uint64_t)d;
	}
	*out = v;
	return 0;
}

/* Matches one event to its request; called with mu held. */
static void
d_on_event(struct dbench *b, const char *s, int64_t now)
{
	const char *rid = strstr(s, "\"request_id\":\"");
	struct dphase *ph = b->cur;
	uint64_t phase, client, seq;
	char nonce[17];
	bool pending = strstr(s, "\"type\":\"pending\"") != NULL;
	bool decided = strstr(s, "\"type\":\"decided\"") != NULL;

	b->events_total++;
	if (rid == NULL || ph == NULL || strlen(rid) < 14 + 32) {
		return;
	}
	rid += 14;
	snprintf(nonce, sizeof nonce, "%016" PRIx64, b->nonce);
	if (d_hex(rid, 2, &phase) != 0 || d_hex(rid + 2, 4, &client) != 0 ||
	    d_hex(rid + 6, 8, &seq) != 0 || memcmp(rid + 16, nonce, 16) != 0 ||
	    phase != (uint64_t)ph->id || client >= ph->nclients ||
	    seq >= D_CAP) {
		return;
	}
	if ((ph->id == D_PHASE_PEND && !pending) ||
	    (ph->id != D_PHASE_PEND && !decided) || ph->ev_n >= ph->ev_cap) {
		return;
	}
	int64_t t0 = atomic_load_explicit(&ph->c[client].submit[seq],
	                                  memory_order_acquire);
	if (t0 > 0) {
		ph->ev_lat[ph->ev_n++] = (double)(now - t0) / 1e6;
	}
}

static void *
d_sub_main(void *arg)
{
	struct dbench *b = arg;
	int fd = -1;

	/* RECVFD + poll + non-blocking receive: nng 1.5.2's sub0 can crash
	 * when a receive timeout races a message (notes §1.11). */
	if (nng_socket_get_int(b->sub, NNG_OPT_RECVFD, &fd) != 0) {
		return NULL;
	}
	while (!atomic_load(&b->stop_sub)) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		char *m = NULL;
		size_t len = 0;

		if (poll(&p, 1, 50) <= 0) {
			continue;
		}
		while (nng_recv(b->sub, &m, &len,
		                NNG_FLAG_ALLOC | NNG_FLAG_NONBLOCK) == 0) {
			int64_t now = benchlib_now_ns();
			char *s = xcalloc(1, len + 1);

			memcpy(s, m, len);
			nng_free(m, len);
			pthread_mutex_lock(&b->mu);
			d_on_event(b, s, now);
			pthread_mutex_unlock(&b->mu);
			free(s);
		}
	}
	return NULL;
}

static int
d_sub_open(struct dbench *b)
{
	char *url = xasprintf("ipc://%s", b->daemon.events_sock);
	int rv = nng_sub0_open(&b->sub);

	if (rv == 0) {
		nng_socket_set_int(b->sub, NNG_OPT_RECVBUF, 8192);
		nng_socket_set_size(b->sub, NNG_OPT_RECVMAXSZ, 1 << 20);
		nng_socket_set(b->sub, NNG_OPT_SUB_SUBSCRIBE, "", 0);
		rv = nng_dial(b->sub, url, NULL, 0);
	}
	free(url);
	if (rv != 0) {
		fprintf(stderr, "bench_daemon: SUB: %s\n", nng_strerror(rv));
		return -1;
	}
	return 0;
}

/* ---- phases ------------------------------------------------------------ */

static void
d_phase_init(struct dphase *ph, int id, size_t nclients, struct dbench *b)
{
	memset(ph, 0, sizeof *ph);
	ph->id = id;
	ph->nclients = nclients;
	ph->c = xcalloc(nclients, sizeof *ph->c);
	for (size_t i = 0; i < nclients; i++) {
		struct dclient *c = &ph->c[i];
		c->b = b;
		c->ph = ph;
		c->idx = (unsigned)i;
		c->submit = xcalloc(D_CAP, sizeof *c->submit);
		c->ok = xcalloc(D_CAP, sizeof *c->ok);
		c->lat = xcalloc(D_CAP, sizeof *c->lat);
	}
	ph->ev_cap = nclients * (size_t)D_CAP;
	ph->ev_lat = xcalloc(ph->ev_cap, sizeof *ph->ev_lat);
}

static void
d_phase_free(struct dphase *ph)
{
	for (size_t i = 0; i < ph->nclients; i++) {
		free((void *)ph->c[i].submit);
		free(ph->c[i].ok);
		free(ph->c[i].lat);
	}
	free(ph->c);
	free(ph->ev_lat);
}

static void
d_set_phase(struct dbench *b, struct dphase *ph)
{
	pthread_mutex_lock(&b->mu);
	b->cur = ph;
	pthread_mutex_unlock(&b->mu);
}

/* Waits until events stop arriving (the last ones are still in flight
 * when the clients stop), at most 2 s. */
static void
d_drain(struct dbench *b)
{
	size_t last = (size_t)-1;
	struct timespec ts = { 0, 100 * 1000 * 1000 };

	for (int i = 0; i < 20; i++) {
		pthread_mutex_lock(&b->mu);
		size_t now = b->events_total;
		pthread_mutex_unlock(&b->mu);
		if (now == last) {
			break;
		}
		last = now;
		nanosleep(&ts, NULL);
	}
}

static void
d_run_load(struct dbench *b, struct dphase *ph)
{
	pthread_t *t = xcalloc(ph->nclients, sizeof *t);
	struct timespec ts = { (time_t)b->o.duration_s,
		               (long)((b->o.duration_s -
		                       (double)(time_t)b->o.duration_s) *
		                      1e9) };

	d_set_phase(b, ph);
	atomic_store(&b->stop_clients, false);
	ph->t0 = benchlib_now_ns();
	for (size_t i = 0; i < ph->nclients; i++) {
		pthread_create(&t[i], NULL, d_client_main, &ph->c[i]);
	}
	nanosleep(&ts, NULL);
	atomic_store(&b->stop_clients, true);
	for (size_t i = 0; i < ph->nclients; i++) {
		pthread_join(t[i], NULL);
	}
	ph->t1 = benchlib_now_ns();
	d_drain(b);
	d_set_phase(b, NULL);
	free(t);
}

/* Held calls, paced 10 ms apart: the client gives up on each after 5 ms
 * (the daemon keeps it pending); only the "pending" event is timed. */
static void
d_run_pending(struct dbench *b, struct dphase *ph)
{
	struct dclient *c = &ph->c[0];

	d_set_phase(b, ph);
	ph->t0 = benchlib_now_ns();
	for (size_t seq = 0; seq < b->o.pending && seq < D_CAP; seq++) {
		char *msg = d_request(b, D_PHASE_PEND, 0, seq);
		struct sp_conn *conn = NULL;

		atomic_store_explicit(&c->submit[seq], benchlib_now_ns(),
		                      memory_order_release);
		c->n++;
		d_exchange(b, &conn, msg, false, sp_now_ms() + 5);
		free(msg);
		struct timespec ts = { 0, 5 * 1000 * 1000 };
		nanosleep(&ts, NULL);
	}
	ph->t1 = benchlib_now_ns();
	d_drain(b);
	d_set_phase(b, NULL);
}

/* Every answered request must have its record. Returns the number of
 * answered requests whose record is missing (or -1 if the store cannot be
 * opened). */
static long
d_check_records(struct dbench *b, const struct dphase *ph)
{
	struct audit *db = NULL;
	char *err = NULL;
	long missing = 0;

	if (audit_open(&db, b->daemon.db_path, AUDIT_READONLY, &err) != 0) {
		fprintf(stderr, "bench_daemon: %s\n", err ? err : "open");
		free(err);
		return -1;
	}
	for (size_t i = 0; i < ph->nclients; i++) {
		for (size_t s = 0; s < ph->c[i].n; s++) {
			struct action *a = NULL;
			char id[33];

			if (!ph->c[i].ok[s]) {
				continue;
			}
			d_request_id(b, ph->id, (unsigned)i, s, id);
			if (audit_find_request(db, id, &a) != 0) {
				if (missing == 0) {
					fprintf(stderr,
					        "bench_daemon: no record for "
					        "%s: %s\n",
					        id, audit_errmsg(db));
				}
				missing++;
			}
			action_free(a);
		}
	}
	audit_close(db);
	return missing;
}

/*
 * What one durable commit costs on the state filesystem: a 4 KiB write and
 * fdatasync(), as SQLite does at least once per WAL commit with
 * synchronous=FULL. The floor for one decision's latency.
 */
static void
d_fsync(struct dbench *b)
{
	char *path = xasprintf("%s/state/fsync.bench", b->daemon.home);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	double ms[200];
	char page[4096] = { 0 };
	size_t n = 0;

	for (size_t i = 0; fd >= 0 && i < 200; i++) {
		int64_t t0 = benchlib_now_ns();
		if (pwrite(fd, page, sizeof page, (off_t)(i * sizeof page)) !=
		            (ssize_t)sizeof page ||
		    fdatasync(fd) != 0) {
			break;
		}
		ms[n++] = (double)(benchlib_now_ns() - t0) / 1e6;
	}
	if (fd >= 0) {
		close(fd);
	}
	unlink(path);
	free(path);
	benchlib_sort(ms, n);
	printf("RESULT fsync n=%zu p50_ms=%.3f p99_ms=%.3f\n", n,
	       benchlib_pct(ms, n, 50), benchlib_pct(ms, n, 99));
}

/* ---- report ------------------------------------------------------------ */

static void
d_report(struct dbench *b, struct dphase *ph)
{
	size_t ok = 0, fail = 0, sent = 0, k = 0;
	double secs = (double)(ph->t1 - ph->t0) / 1e9;

	for (size_t i = 0; i < ph->nclients; i++) {
		ok += ph->c[i].nok;
		fail += ph->c[i].fail;
		sent += ph->c[i].n;
	}
	double *lat = xcalloc(ok ? ok : 1, sizeof *lat);
	for (size_t i = 0; i < ph->nclients; i++) {
		memcpy(lat + k, ph->c[i].lat, ph->c[i].nok * sizeof *lat);
		k += ph->c[i].nok;
	}
	benchlib_sort(lat, ok);
	benchlib_sort(ph->ev_lat, ph->ev_n);
	long missing = ph->id == D_PHASE_PEND ? 0 : d_check_records(b, ph);
	const char *name = d_phase_names[ph->id];
	double rate = ph->id == D_PHASE_PEND ? 0 : (double)ok / secs;

	printf("RESULT daemon mode=%s clients=%zu seconds=%.2f sent=%zu "
	       "ok=%zu fail=%zu decisions_per_s=%.0f req_p50_ms=%.3f "
	       "req_p99_ms=%.3f unrecorded=%ld events=%zu events_pct=%.1f "
	       "event_p50_ms=%.3f event_p99_ms=%.3f\n",
	       name, ph->nclients, secs, sent, ok, fail, rate,
	       benchlib_pct(lat, ok, 50), benchlib_pct(lat, ok, 99), missing,
	       ph->ev_n,
	       100.0 * (double)ph->ev_n /
	               (double)(ph->id == D_PHASE_PEND ? (sent ? sent : 1)
	                                               : (ok ? ok : 1)),
	       benchlib_pct(ph->ev_lat, ph->ev_n, 50),
	       benchlib_pct(ph->ev_lat, ph->ev_n, 99));
	fflush(stdout);
	free(lat);
}

static void
d_goals(struct dphase *ph[D_PHASES])
{
	if (ph[D_PHASE_CONN] != NULL) {
		struct dphase *p = ph[D_PHASE_CONN];
		size_t ok = 0;
		for (size_t i = 0; i < p->nclients; i++) {
			ok += p->c[i].nok;
		}
		double rate = (double)ok / ((double)(p->t1 - p->t0) / 1e9);
		printf("GOAL daemon-decisions-per-s value=%.0f limit=5000 %s\n",
		       rate, rate >= 5000 ? "met" : "not-met");
		/* Informative: a decided event under full load waits as long
		 * as its request (queueing). The goal is the paced
		 * pending event below: what an approver waits for. */
		printf("RESULT event-decided-under-load p99_ms=%.2f\n",
		       benchlib_pct(p->ev_lat, p->ev_n, 99));
	}
	if (ph[D_PHASE_PEND] != NULL) {
		struct dphase *p = ph[D_PHASE_PEND];
		double p99 = benchlib_pct(p->ev_lat, p->ev_n, 99);
		printf("GOAL event-pending-p99-ms value=%.2f limit=10.00 %s\n",
		       p99, p->ev_n > 0 && p99 < 10 ? "met" : "not-met");
	}
}

/* ---- main -------------------------------------------------------------- */

static int
d_parse(struct dopts *o, int argc, char **argv)
{
	for (int i = 1; i + 1 < argc; i += 2) {
		const char *a = argv[i], *v = argv[i + 1];
		if (strcmp(a, "--bin") == 0) {
			o->bin = v;
		} else if (strcmp(a, "--clients") == 0) {
			o->clients = (unsigned)strtoul(v, NULL, 10);
		} else if (strcmp(a, "--duration") == 0) {
			o->duration_s = strtod(v, NULL);
		} else if (strcmp(a, "--pending") == 0) {
			o->pending = strtoul(v, NULL, 10);
		} else if (strcmp(a, "--mode") == 0) {
			o->conn = strcmp(v, "persist") != 0;
			o->persist = strcmp(v, "conn") != 0;
		} else {
			return -1;
		}
	}
	if (argc % 2 == 0 || o->clients == 0 || o->clients > 0xffff ||
	    o->duration_s <= 0) {
		return -1;
	}
	return 0;
}

static void
d_run(struct dbench *b)
{
	struct dphase store[D_PHASES];
	struct dphase *ph[D_PHASES] = { NULL };
	bool want[D_PHASES] = { b->o.conn, b->o.persist, b->o.pending > 0 };

	for (int i = 0; i < D_PHASES; i++) {
		if (!want[i]) {
			continue;
		}
		ph[i] = &store[i];
		d_phase_init(ph[i], i, i == D_PHASE_PEND ? 1 : b->o.clients, b);
		if (i == D_PHASE_PEND) {
			d_run_pending(b, ph[i]);
		} else {
			d_run_load(b, ph[i]);
		}
		d_report(b, ph[i]);
	}
	d_goals(ph);
	for (int i = 0; i < D_PHASES; i++) {
		if (ph[i] != NULL) {
			d_phase_free(ph[i]);
		}
	}
}

int
main(int argc, char **argv)
{
	struct dbench b = { .o = { .bin = AIRLOCK_BINARY_DIR "/bin",
		                   .clients = 64,
		                   .duration_s = 5,
		                   .pending = 200,
		                   .conn = true,
		                   .persist = true } };
	char *airlockd;
	pthread_t sub;
	int rc = 1;

	if (d_parse(&b.o, argc, argv) != 0) {
		fprintf(stderr, "usage: bench_daemon [--bin DIR] [--clients N] "
		                "[--duration S] [--pending N] "
		                "[--mode conn|persist|both]\n");
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	b.nonce = (uint64_t)benchlib_now_ns() ^ ((uint64_t)getpid() << 40);
	pthread_mutex_init(&b.mu, NULL);
	airlockd = xasprintf("%s/airlockd", b.o.bin);
	if (benchlib_daemon_start(&b.daemon, airlockd, NULL) == 0 &&
	    d_sub_open(&b) == 0) {
		printf("bench_daemon: %u clients, %.1f s per mode; daemon home "
		       "%s\n",
		       b.o.clients, b.o.duration_s, b.daemon.home);
		fflush(stdout);
		pthread_create(&sub, NULL, d_sub_main, &b);
		/* Let the SUB connection settle before anything is timed. */
		struct timespec ts = { 0, 200 * 1000 * 1000 };
		nanosleep(&ts, NULL);
		d_fsync(&b);
		d_run(&b);
		atomic_store(&b.stop_sub, true);
		pthread_join(sub, NULL);
		nng_close(b.sub);
		rc = 0;
	}
	benchlib_daemon_stop(&b.daemon);
	pthread_mutex_destroy(&b.mu);
	free(airlockd);
	return rc;
}
