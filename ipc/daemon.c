#include "ipc/daemon.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <nng/nng.h>
#include <nng/protocol/pubsub0/pub.h>
#include <nng/protocol/reqrep0/rep.h>
#include <nng/transport/ipc/ipc.h>

#include "core/al.h"
#include "core/xalloc.h"
#include "ipc/codec.h"
#include "ipc/daemon_int.h"
#include "ipc/doctor.h"
#include "ipc/faultpoint.h"
#include "ipc/proto.h"

#define DAEMON_TICK_MS          50
#define DAEMON_DEFAULT_GRACE_MS (15 * 1000)

int64_t
daemon_now_mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t
daemon_now_wall(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

nng_msg *
daemon_text_msg(const char *s, size_t len)
{
	nng_msg *m = NULL;

	/* nng_msg_alloc + memcpy: nng_msg_insert corrupts the heap in
	 * 1.5.2, and append is all we need. */
	if (nng_msg_alloc(&m, 0) != 0) {
		abort();
	}
	if (nng_msg_append(m, s, len) != 0) {
		abort();
	}
	return m;
}

/* ---- request contexts ---------------------------------------------- */

static void repctx_cb(void *arg);

static int
repctx_start(struct server *srv)
{
	struct repctx *rc = xcalloc(1, sizeof *rc);
	int rv;

	rc->srv = srv;
	rc->state = REPCTX_RECV;
	if ((rv = nng_ctx_open(&rc->ctx, srv->sock)) != 0) {
		free(rc);
		return rv;
	}
	if ((rv = nng_aio_alloc(&rc->aio, repctx_cb, rc)) != 0) {
		nng_ctx_close(rc->ctx);
		free(rc);
		return rv;
	}
	nng_ctx_recv(rc->ctx, rc->aio);
	return 0;
}

static void
repctx_release(struct repctx *rc)
{
	nng_ctx_close(rc->ctx);
	/* nng_aio_free() inside the aio's own callback would deadlock. */
	nng_aio_reap(rc->aio);
	free(rc);
}

void
daemon_reply(struct repctx *rc, nng_msg *reply)
{
	if (rc->conn != NULL) {
		daemon_hooksrv_reply(rc, reply);
		return;
	}
	rc->state = REPCTX_SEND;
	nng_aio_set_msg(rc->aio, reply);
	nng_ctx_send(rc->ctx, rc->aio);
}

static void
repctx_on_recv(struct repctx *rc)
{
	struct server *srv = rc->srv;
	nng_msg *req = nng_aio_get_msg(rc->aio);
	nng_msg *reply;
	rc->pipe_id = (uint32_t)nng_pipe_id(nng_msg_get_pipe(req));
	if (nng_pipe_get_uint64(nng_msg_get_pipe(req), NNG_OPT_IPC_PEER_UID,
	                        &rc->peer_uid) != 0) {
		rc->peer_uid = UINT64_MAX;
	}
	/* Keep one context always receiving before handling this one. */
	while (repctx_start(srv) != 0) {
		struct timespec ts = { 0, 10 * 1000 * 1000 };
		nanosleep(&ts, NULL);
	}
	reply = srv->handler(srv->d, rc, req);
	nng_msg_free(req);
	if (reply != NULL) {
		daemon_reply(rc, reply);
	}
}

static void
repctx_cb(void *arg)
{
	struct repctx *rc = arg;
	int rv = nng_aio_result(rc->aio);

	if (rc->state == REPCTX_SEND) {
		if (rv != 0) {
			nng_msg_free(nng_aio_get_msg(rc->aio));
		}
		repctx_release(rc);
		return;
	}
	if (rv == NNG_ECLOSED) {
		repctx_release(rc);
		return;
	}
	if (rv != 0) {
		nng_ctx_recv(rc->ctx, rc->aio);
		return;
	}
	repctx_on_recv(rc);
}

/* ---- sockets ------------------------------------------------------- */

int
daemon_relisten(struct server *srv, const char *path, char **err)
{
	int rv;

	srv->url = paths_url(path);
	nng_socket_set_size(srv->sock, NNG_OPT_RECVMAXSZ, srv->recv_max);
	rv = nng_listener_create(&srv->listener, srv->sock, srv->url);
	if (rv == 0) {
		nng_listener_set_int(srv->listener, NNG_OPT_IPC_PERMISSIONS,
		                     0600);
		nng_listener_set_size(srv->listener, NNG_OPT_RECVMAXSZ,
		                      srv->recv_max);
		rv = nng_listener_start(srv->listener, 0);
	}
	if (rv != 0) {
		*err = xasprintf("cannot listen on %s: %s", path,
		                 rv == NNG_EADDRINUSE
		                         ? "another airlockd is running"
		                         : nng_strerror(rv));
		return rv == NNG_EADDRINUSE ? AL_EEXIST : AL_ECONN;
	}
	return 0;
}

void
daemon_repctx_drop(struct repctx *rc)
{
	if (rc->conn != NULL) {
		daemon_hooksrv_drop(rc);
		return;
	}
	nng_ctx_close(rc->ctx);
	nng_aio_free(rc->aio);
	free(rc);
}

void
daemon_pipe_gone(struct daemon *d, uint32_t pipe_id)
{
	/* Note the connection and let the timer loop settle its waiters. */
	pthread_mutex_lock(&d->mu);
	d->dead_pipes =
	        xrealloc(d->dead_pipes, (d->ndead + 1) * sizeof(uint32_t));
	d->dead_pipes[d->ndead++] = pipe_id;
	pthread_mutex_unlock(&d->mu);
}

/* The events socket: same permissions as the others (the events carry
 * tool inputs), and a deep send queue so that a burst of decisions does
 * not overflow a console's pipe (PUB drops silently when it is full). */
static int
daemon_listen_pub(struct daemon *d, char **err)
{
	char *url = paths_url(d->paths.events_sock);
	nng_listener l;
	int rv;

	nng_socket_set_size(d->pub, NNG_OPT_RECVMAXSZ, 1024);
	nng_socket_set_int(d->pub, NNG_OPT_SENDBUF, 1024);
	rv = nng_listener_create(&l, d->pub, url);
	if (rv == 0) {
		nng_listener_set_int(l, NNG_OPT_IPC_PERMISSIONS, 0600);
		rv = nng_listener_start(l, 0);
	}
	free(url);
	if (rv != 0) {
		*err = xasprintf("cannot listen on %s: %s",
		                 d->paths.events_sock, nng_strerror(rv));
		return AL_ECONN;
	}
	return 0;
}

static int
daemon_open_sockets(struct daemon *d, char **err)
{
	int rc;

	d->hook = (struct server){ .d = d,
		                   .handler = daemon_degraded_hook_handle,
		                   .recv_max = PROTO_MAX_HOOK_MSG };
	d->ctl = (struct server){ .d = d,
		                  .handler = daemon_degraded_ctl_handle,
		                  .recv_max = PROTO_MAX_CONTROL_MSG };
	if (nng_rep0_open(&d->ctl.sock) != 0 || nng_pub0_open(&d->pub) != 0) {
		*err = xstrdup("cannot open nng sockets");
		return AL_ECONN;
	}
	rc = daemon_hooksrv_start(&d->hooksrv, d, &d->hook, d->paths.hook_sock,
	                          err);
	if (rc == 0) {
		rc = daemon_relisten(&d->ctl, d->paths.control_sock, err);
	}
	if (rc == 0) {
		rc = daemon_listen_pub(d, err);
	}
	for (int i = 0; rc == 0 && i < 2; i++) {
		if (repctx_start(&d->ctl) != 0) {
			*err = xstrdup("cannot start request contexts");
			rc = AL_ECONN;
		}
	}
	return rc;
}

/* ---- pending actions ----------------------------------------------- */

struct pend *
daemon_find_pending_id(struct daemon *d, int64_t id)
{
	for (struct pend *p = d->pending; p != NULL; p = p->next) {
		if (p->a->id == id) {
			return p;
		}
	}
	return NULL;
}

struct pend *
daemon_find_pending_req(struct daemon *d, const char *request_id)
{
	for (struct pend *p = d->pending; p != NULL; p = p->next) {
		if (p->a->request_id &&
		    strcmp(p->a->request_id, request_id) == 0) {
			return p;
		}
	}
	return NULL;
}

static void
daemon_unlink(struct daemon *d, struct pend *p)
{
	for (struct pend **pp = &d->pending; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == p) {
			*pp = p->next;
			return;
		}
	}
}

void
daemon_publish(struct daemon *d, const char *type, const struct action *a,
               const char *text)
{
	cJSON *o = cJSON_CreateObject();
	char *s;

	d->seq++;
	cJSON_AddNumberToObject(o, "v", AIRLOCK_PROTO_VERSION);
	cJSON_AddStringToObject(o, "epoch", d->epoch);
	cJSON_AddNumberToObject(o, "seq", (double)d->seq);
	cJSON_AddStringToObject(o, "type", type);
	if (a != NULL) { /* Consoles see secrets only as markers. */
		struct action *shown = action_redacted(a);
		cJSON_AddItemToObject(o, "action", codec_action_to_json(shown));
		action_free(shown);
	}
	if (text != NULL) {
		cJSON_AddStringToObject(o, "text", text);
	}
	s = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	if (s != NULL) {
		nng_msg *m = daemon_text_msg(s, strlen(s));
		if (nng_sendmsg(d->pub, m, NNG_FLAG_NONBLOCK) != 0) {
			nng_msg_free(m);
		}
		cJSON_free(s);
	}
}

int
daemon_finish(struct daemon *d, struct pend *p, char **err)
{
	FAULTPOINT("final_before_record"); /* a human or the timer decided */
	pthread_mutex_lock(&d->db_mu);
	int rc = audit_record_final(d->db, p->a);
	pthread_mutex_unlock(&d->db_mu);
	FAULTPOINT("final_recorded"); /* final row durable, hooks not told */

	if (rc != 0) {
		if (err != NULL) {
			*err = xasprintf("cannot record the decision: %s",
			                 rc == AL_EEXIST ? "already decided"
			                                 : audit_errmsg(d->db));
		}
		return rc;
	}
	for (struct waiter *w = p->waiters; w != NULL;) {
		struct waiter *next = w->next;
		daemon_reply(w->rc,
		             daemon_hook_reply_for(p->a, w->rc->request_id));
		free(w);
		w = next;
	}
	p->waiters = NULL;
	daemon_unlink(d, p);
	daemon_publish(d, "decided", p->a, NULL);
	daemon_alerts_after(d, p->a); /* a human denial counts */
	action_free(p->a);
	free(p);
	return 0;
}

static int
daemon_restore_one(const struct action *a, void *arg)
{
	struct daemon *d = arg;
	struct pend *p = xcalloc(1, sizeof *p);
	int64_t left = a->deadline_ms - daemon_now_wall();

	FAULTPOINT("restore_pending"); /* restarting with pending actions */
	p->a = action_dup(a);
	p->deadline_mono = daemon_now_mono() + (left > 0 ? left : 0);
	p->orphan_since = daemon_now_mono();
	p->next = d->pending;
	d->pending = p;
	return 0;
}

/* ---- timer loop ---------------------------------------------------- */

static void
daemon_end_pending(struct daemon *d, struct pend *p, enum action_state st,
                   const char *reason)
{
	char *err = NULL;

	p->a->state = st;
	p->a->decided_ms = daemon_now_wall();
	free(p->a->final_reason);
	p->a->final_reason = xstrdup(reason);
	free(p->a->approver);
	p->a->approver = xstrdup("airlockd");
	if (daemon_finish(d, p, &err) != 0) {
		/* The record failed: the hook still gets a deny (never allow),
		 * and every console hears about it. */
		daemon_publish(d, "alert", NULL, err);
		free(err);
	}
}

static void
daemon_settle_dead_pipes(struct daemon *d, int64_t now)
{
	for (size_t i = 0; i < d->ndead; i++) {
		for (struct pend *p = d->pending; p != NULL; p = p->next) {
			for (struct waiter **w = &p->waiters; *w != NULL;) {
				if ((*w)->rc->pipe_id != d->dead_pipes[i]) {
					w = &(*w)->next;
					continue;
				}
				struct waiter *dead = *w;
				*w = dead->next;
				/* The reply goes nowhere; sending it frees the
				 * context through the normal path. */
				daemon_reply(dead->rc,
				             daemon_text_msg("{}", 2));
				free(dead);
			}
			if (p->waiters == NULL && p->orphan_since == 0) {
				p->orphan_since = now;
			}
		}
	}
	d->ndead = 0;
}

static void
daemon_tick(struct daemon *d)
{
	int64_t now = daemon_now_mono();
	struct pend *next;

	pthread_mutex_lock(&d->mu);
	daemon_settle_dead_pipes(d, now);
	for (struct pend *p = d->pending; p != NULL; p = next) {
		next = p->next;
		if (now >= p->deadline_mono) {
			daemon_end_pending(d, p, ACTION_TIMED_OUT,
			                   "approval timed out");
		} else if (p->waiters == NULL && p->orphan_since != 0 &&
		           now - p->orphan_since >= d->opts.abandon_grace_ms) {
			daemon_end_pending(d, p, ACTION_ABANDONED,
			                   "the agent stopped waiting");
		}
	}
	pthread_mutex_unlock(&d->mu);
}

int
daemon_run(struct daemon *d, volatile sig_atomic_t *stop_flag)
{
	while (stop_flag == NULL || !*stop_flag) {
		struct timespec ts = { 0, DAEMON_TICK_MS * 1000 * 1000 };
		nanosleep(&ts, NULL);
		daemon_tick(d);
		daemon_watchdog(d);
		daemon_degraded_tick(d);
		daemon_checkpoint_tick(d);
	}
	return 0;
}

/* ---- lifecycle ----------------------------------------------------- */

static void
daemon_new_epoch(struct daemon *d)
{
	uint64_t r = 0;

	if (getrandom(&r, sizeof r, 0) != (ssize_t)sizeof r) {
		r = (uint64_t)daemon_now_wall() ^ ((uint64_t)getpid() << 32);
	}
	snprintf(d->epoch, sizeof d->epoch, "%016llx", (unsigned long long)r);
}

static int
daemon_open_state(struct daemon *d, char **err)
{
	int rc = paths_ensure_dirs(&d->paths, err);

	if (rc != 0) {
		return rc;
	}
	/* Checkpoints off the commit path, and a decision's commit without
	 * its search-index rows (the committer indexes them in bulk):
	 * docs/performance.md. */
	rc = audit_open(&d->db, d->paths.db_path, AUDIT_BG_CHECKPOINT, err);
	if (rc != 0) {
		return rc;
	}
	audit_set_index_deferred(d->db, true);
	/* Space to record a full disk's denials with (daemon_reserve.c);
	 * without room for it the daemon serves anyway. */
	if (!daemon_reserve_ensure(d)) {
		fprintf(stderr,
		        "airlockd: no room for the storage reserve in "
		        "%s\n",
		        d->paths.state_dir);
	}
	/* Load (and report) the user's policy now rather than at the first
	 * call; projects are added as their sessions appear. */
	daemon_policy_for(d, NULL);
	return audit_list_pending(d->db, daemon_restore_one, d);
}

static char *
daemon_self_dir(void)
{
	char self[4096];
	ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
	char *slash;

	if (n <= 0) {
		return NULL;
	}
	self[n] = '\0';
	slash = strrchr(self, '/');
	if (slash == NULL || slash == self) {
		return NULL;
	}
	*slash = '\0';
	return xstrdup(self);
}

int
daemon_open(struct daemon **out, const struct paths *paths,
            const struct daemon_opts *opts, char **err)
{
	struct daemon *d = xcalloc(1, sizeof *d);
	int rc;

	paths_init(&d->paths, paths->home);
	d->opts = opts ? *opts : (struct daemon_opts){ 0 };
	if (d->opts.abandon_grace_ms <= 0) {
		d->opts.abandon_grace_ms = DAEMON_DEFAULT_GRACE_MS;
	}
	pthread_mutex_init(&d->mu, NULL);
	pthread_mutex_init(&d->db_mu, NULL);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&d->commit_cv, &ca);
	pthread_condattr_destroy(&ca);
	d->uid = geteuid();
	d->started_mono = daemon_now_mono();
	doctor_assess(NULL, &d->doctor);
	d->tier = d->doctor.tier;
	d->tier_reason = d->doctor.reason;
	daemon_new_epoch(d);
	d->self_dir = daemon_self_dir();
	rc = daemon_open_state(d, err);
	rc = daemon_degraded_enter(d, rc, err, daemon_open_state);
	if (rc == 0 && daemon_commit_start(d) != 0) {
		*err = xstrdup("cannot start the committer thread");
		rc = AL_EIO;
	}
	if (rc == 0) {
		rc = daemon_open_sockets(d, err);
	}
	if (rc == 0) {
		rc = daemon_hook_group_apply(&d->paths, d->opts.hook_group,
		                             err);
	}
	if (rc != 0) {
		daemon_close(d);
		return rc;
	}
	*out = d;
	return 0;
}

void
daemon_close(struct daemon *d)
{
	if (d == NULL) {
		return;
	}
	/* No new hook requests; the committer answers what it holds (the
	 * hooks' connections are still open); then closing the sockets
	 * completes every control context with NNG_ECLOSED. */
	daemon_hooksrv_stop(d->hooksrv);
	daemon_commit_stop(d);
	nng_close(d->ctl.sock);
	nng_close(d->pub);
	while (d->pending != NULL) {
		struct pend *p = d->pending;
		d->pending = p->next;
		while (p->waiters != NULL) {
			struct waiter *w = p->waiters;
			p->waiters = w->next;
			/* A held context has no operation in flight: free it
			 * here, outside any callback. */
			daemon_repctx_drop(w->rc);
			free(w);
		}
		action_free(p->a);
		free(p);
	}
	daemon_hooksrv_free(d->hooksrv);
	free(d->ctl.url);
	free(d->dead_pipes);
	daemon_policies_free(d);
	daemon_sessions_free(d);
	free(d->self_dir);
	free(d->db_down);
	audit_close(d->db);
	paths_clear(&d->paths);
	pthread_mutex_destroy(&d->mu);
	pthread_mutex_destroy(&d->db_mu);
	pthread_cond_destroy(&d->commit_cv);
	free(d);
}
