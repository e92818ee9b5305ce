/*
 * Serving without an audit database. When the database cannot be opened
 * at start (corrupt, not a database, locked by another process, on a full
 * or read-only filesystem), exiting would leave the hook to its daemon-down
 * fallback, which is Claude Code's own prompt in interactive modes. The
 * failure table says more: refuse to serve, deny everything with the
 * reason, alert every console, and resume by itself when the fault clears.
 * So the daemon keeps its sockets: every hook call is denied with the
 * reason (nothing may run unrecorded), consoles get an alert event every
 * few seconds, control ops that need the database are refused, and the
 * timer retries the database every second. Once it opens, the pending
 * actions are restored, an alert row records the outage, and service
 * resumes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <nng/nng.h>

#include "core/al.h"
#include "core/event.h"
#include "core/xalloc.h"
#include "ipc/daemon_int.h"
#include "ipc/hookio.h"
#include "ipc/proto.h"

#define DEGRADED_RETRY_MS 1000
#define DEGRADED_ALERT_MS 3000

/* Opening that failed half-way may have restored some pending actions:
 * drop them (nobody waits on them yet) so that the next try starts
 * clean. mu held. */
static void
degraded_forget_pending(struct daemon *d)
{
	while (d->pending != NULL) {
		struct pend *p = d->pending;
		d->pending = p->next;
		action_free(p->a);
		free(p);
	}
}

int
daemon_degraded_enter(struct daemon *d, int rc, char **err,
                      daemon_state_fn reopen)
{
	if (rc == 0 || rc == AL_EEXIST || reopen == NULL) {
		return rc;
	}
	/* A corrupt file is set aside and a new database started
	 * (daemon_corrupt.c); everything else waits here until it clears. */
	if (daemon_corrupt_recover(d, rc, err, reopen) == 0) {
		return 0;
	}
	degraded_forget_pending(d);
	audit_close(d->db);
	d->db = NULL;
	d->db_down = xasprintf("audit database unavailable: %s",
	                       *err ? *err : "cannot open");
	free(*err);
	*err = NULL;
	d->db_reopen = reopen;
	d->db_down_since = daemon_now_wall();
	d->db_retry_ms = daemon_now_mono() + DEGRADED_RETRY_MS;
	d->db_alert_ms = 0;
	fprintf(stderr, "airlockd: %s; denying every call until it opens\n",
	        d->db_down);
	return 0;
}

/* Records the outage once the database is back (mu held). */
static void
degraded_recovered(struct daemon *d)
{
	char *msg = xasprintf(
	        "%s (for %lld s); %llu calls were denied meanwhile", d->db_down,
	        (long long)((daemon_now_wall() - d->db_down_since) / 1000),
	        (unsigned long long)d->db_denied);

	fprintf(stderr, "airlockd: audit database open again\n");
	free(d->db_down);
	d->db_down = NULL;
	daemon_alert(d, "audit_unavailable", NULL, 0, msg);
	free(msg);
}

void
daemon_degraded_tick(struct daemon *d)
{
	int64_t now = daemon_now_mono();
	char *err = NULL;

	pthread_mutex_lock(&d->mu);
	if (d->db_down == NULL) {
		pthread_mutex_unlock(&d->mu);
		return;
	}
	if (now >= d->db_alert_ms) {
		daemon_publish(d, "alert", NULL, d->db_down);
		d->db_alert_ms = now + DEGRADED_ALERT_MS;
	}
	if (now >= d->db_retry_ms) {
		int rc = d->db_reopen(d, &err);
		if (rc != 0) {
			rc = daemon_corrupt_recover(d, rc, &err, d->db_reopen);
		}
		if (rc == 0) {
			degraded_recovered(d);
		} else {
			degraded_forget_pending(d);
			audit_close(d->db);
			d->db = NULL;
			free(err);
			d->db_retry_ms = daemon_now_mono() + DEGRADED_RETRY_MS;
		}
	}
	pthread_mutex_unlock(&d->mu);
}

/* The request id and event name of a hook request, as far as they can be
 * read: the reply must carry the id or the hook ignores it. */
static nng_msg *
degraded_hook_reply(const char *body, size_t len, const char *why)
{
	char magic[16] = { 0 };
	char id[PROTO_REQUEST_ID_LEN + 1] = { 0 };
	const char *nl = memchr(
	        body, '\n',
	        len < PROTO_MAX_HOOK_HEADER ? len : PROTO_MAX_HOOK_HEADER);
	char line[PROTO_MAX_HOOK_HEADER + 1] = { 0 };
	struct hookio_event_info info;
	int version = 0;

	if (nl != NULL) {
		memcpy(line, body, (size_t)(nl - body));
		if (sscanf(line, "%15s %d %32s", magic, &version, id) != 3) {
			id[0] = '\0';
		}
	}
	const char *ev = nl ? nl + 1 : body;
	hookio_event_info(ev, len - (size_t)(ev - body), &info);
	bool decision = info.hook_event_name == NULL ||
	                event_kind_from_name(info.hook_event_name) ==
	                        EVENT_PRE_TOOL_USE ||
	                event_kind_from_name(info.hook_event_name) ==
	                        EVENT_PERMISSION_REQUEST;
	nng_msg *m = daemon_hook_error_reply(
	        id[0] ? id : NULL, info.hook_event_name, decision, why);
	hookio_event_info_clear(&info);
	return m;
}

nng_msg *
daemon_degraded_hook_handle(struct daemon *d, struct repctx *rc, nng_msg *req)
{
	const char *body = nng_msg_body(req);
	size_t len = nng_msg_len(req);
	char *why = NULL;

	pthread_mutex_lock(&d->mu);
	if (d->db_down != NULL && !(len >= sizeof PROTO_PING_MAGIC - 1 &&
	                            memcmp(body, PROTO_PING_MAGIC,
	                                   sizeof PROTO_PING_MAGIC - 1) == 0)) {
		why = xasprintf("airlock: %s; denied because nothing may run "
		                "unrecorded",
		                d->db_down);
		d->db_denied++;
	}
	pthread_mutex_unlock(&d->mu);
	if (why == NULL) {
		return daemon_hook_handle(d, rc, req);
	}
	nng_msg *m = degraded_hook_reply(body, len, why);
	free(why);
	return m;
}

/* Without the database only status and snapshot (both from memory) make
 * sense; everything else is refused with the reason. */
nng_msg *
daemon_degraded_ctl_handle(struct daemon *d, struct repctx *rc, nng_msg *req)
{
	char *why = NULL;

	pthread_mutex_lock(&d->mu);
	if (d->db_down != NULL) {
		cJSON *o = cJSON_ParseWithLength(nng_msg_body(req),
		                                 nng_msg_len(req));
		const cJSON *op = cJSON_GetObjectItemCaseSensitive(o, "op");
		if (!cJSON_IsString(op) ||
		    (strcmp(op->valuestring, "status") != 0 &&
		     strcmp(op->valuestring, "snapshot") != 0)) {
			why = xstrdup(d->db_down);
		}
		cJSON_Delete(o);
	}
	pthread_mutex_unlock(&d->mu);
	if (why == NULL) {
		return daemon_ctl_handle(d, rc, req);
	}
	nng_msg *m = daemon_ctl_error("db", why);
	free(why);
	return m;
}
