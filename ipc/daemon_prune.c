/*
 * The "prune" control op: retention. The database is the daemon's, so the
 * daemon removes history on request (audit_prune: a prefix of the chain,
 * with a chained checkpoint so that verify still works). Only an
 * approver may prune, never a process the agent started: deleting the
 * record of what the agent did is exactly what the agent must not do.
 *
 *   request  {"v":1,"op":"prune","before_ms":N}
 *   reply    {"v":1,"ok":true,"last_seq":S,"last_hash":H,
 *             "entries_removed":N,"rows_removed":N,"rechained":N}
 *            (last_seq 0: nothing was old enough to remove)
 */
#include "ipc/daemon_prune.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "core/al.h"
#include "core/xalloc.h"
#include "ipc/daemon_int.h"
#include "ipc/proto.h"

static nng_msg *
prune_reply(const struct audit_prune_report *r)
{
	cJSON *o = daemon_ctl_ok();

	cJSON_AddNumberToObject(o, "last_seq", (double)r->last_seq);
	cJSON_AddStringToObject(o, "last_hash", r->last_hash);
	cJSON_AddNumberToObject(o, "entries_removed",
	                        (double)r->entries_removed);
	cJSON_AddNumberToObject(o, "rows_removed", (double)r->rows_removed);
	cJSON_AddNumberToObject(o, "rechained", (double)r->rechained);
	return daemon_ctl_reply(o);
}

/* NULL when the peer may prune, else the error reply. */
static nng_msg *
prune_check_peer(struct daemon *d, uint64_t uid, uint64_t pid)
{
	return daemon_refuse_decider(d, uid, pid, "prune the history");
}

nng_msg *
daemon_prune_op(struct daemon *d, const void *req, uint64_t uid, uint64_t pid,
                const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(req, "before_ms");
	struct audit_prune_report r = { 0 };
	int64_t now = daemon_now_wall();
	nng_msg *m = prune_check_peer(d, uid, pid);

	if (m != NULL) {
		return m;
	}
	if (!cJSON_IsNumber(v) || v->valuedouble <= 0 ||
	    v->valuedouble > (double)now) {
		return daemon_ctl_error("invalid",
		                        "before_ms must be a time in the past");
	}
	pthread_mutex_lock(&d->db_mu);
	int rc = audit_prune(d->db, (int64_t)v->valuedouble, now, name,
	                     (int64_t)uid, &r);
	if (rc != 0) {
		char *why = xasprintf("prune failed: %s", audit_errmsg(d->db));
		pthread_mutex_unlock(&d->db_mu);
		m = daemon_ctl_error(rc == AL_EBUSY ? "busy" : "db", why);
		free(why);
		return m;
	}
	pthread_mutex_unlock(&d->db_mu);
	return prune_reply(&r);
}
