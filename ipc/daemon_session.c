/* What the daemon remembers about live sessions. A session met for the
 * first time since the daemon started is looked up in the audit store
 * first: a restart must not forget where the session started (its
 * project's policy) or that it was tainted. */
#include <stdlib.h>
#include <string.h>

#include "core/audit.h"
#include "core/xalloc.h"
#include "ipc/daemon_int.h"

struct session {
	char *id;
	char *project;
	char *taint; /* why the session is tainted, or NULL */
	struct session *next;
};

/* Restores what the store knows of a session this daemon has not met:
 * its project and its taint. A store that cannot answer leaves the
 * session as new; its calls are denied meanwhile (degraded mode). */
static void
session_recall(struct daemon *d, struct session *s)
{
	struct audit_session_recall r;

	if (d->db == NULL || d->db_down != NULL) {
		return;
	}
	pthread_mutex_lock(&d->db_mu);
	int rc = audit_session_recall(d->db, s->id, &r);
	pthread_mutex_unlock(&d->db_mu);
	if (rc != 0) {
		return;
	}
	s->project = r.project;
	r.project = NULL;
	if (r.tainted_id > 0) {
		/* A tainted call's reason ends with what tainted the session
		 * (hook_apply_policy); the call that tainted it has its own. */
		const char *why = r.tainted_reason ? strstr(r.tainted_reason,
		                                            SESSION_TAINT_MARK)
		                                   : NULL;
		why = why ? why + strlen(SESSION_TAINT_MARK) : r.tainted_reason;
		s->taint = xasprintf("%s (action #%lld; remembered across a "
		                     "daemon restart)",
		                     why ? why : "tainted",
		                     (long long)r.tainted_id);
	}
	audit_session_recall_clear(&r);
}

const char *
daemon_session_project(struct daemon *d, const char *session_id,
                       const char *cwd)
{
	struct session *s;

	if (session_id == NULL) {
		return cwd;
	}
	for (s = d->sessions; s != NULL; s = s->next) {
		if (strcmp(s->id, session_id) == 0) {
			return s->project;
		}
	}
	/* The first directory a session is seen in is its project: a later
	 * `cd sub` moves cwd but not the project's policy. */
	s = xcalloc(1, sizeof *s);
	s->id = xstrdup(session_id);
	session_recall(d, s);
	if (s->project == NULL) {
		s->project = xstrdup(cwd);
	}
	s->next = d->sessions;
	d->sessions = s;
	return s->project;
}

void
daemon_sessions_free(struct daemon *d)
{
	while (d->sessions != NULL) {
		struct session *s = d->sessions;
		d->sessions = s->next;
		free(s->id);
		free(s->project);
		free(s->taint);
		free(s);
	}
}

static struct session *
daemon_session_find(struct daemon *d, const char *session_id)
{
	for (struct session *s = d->sessions; session_id && s; s = s->next) {
		if (strcmp(s->id, session_id) == 0) {
			return s;
		}
	}
	return NULL;
}

void
daemon_session_taint(struct daemon *d, const char *session_id, const char *why)
{
	struct session *s = daemon_session_find(d, session_id);

	if (s == NULL) {
		daemon_session_project(d, session_id, NULL);
		s = daemon_session_find(d, session_id);
	}
	/* The first taint is the one to show: it is where trust was lost. */
	if (s != NULL && s->taint == NULL) {
		s->taint = xstrdup(why);
	}
}

const char *
daemon_session_taint_why(struct daemon *d, const char *session_id)
{
	struct session *s = daemon_session_find(d, session_id);

	return s ? s->taint : NULL;
}
