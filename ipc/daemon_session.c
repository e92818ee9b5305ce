/* What the daemon remembers about live sessions. A session met for the
 * first time since the daemon started is looked up in the audit store:
 * a restart must not forget where the session started (its project's
 * policy) or that it was tainted. Until that look-up has succeeded (the
 * store unavailable), the session counts as tainted and the look-up is
 * tried again at its next call. All under the daemon's mu. */
#include <stdlib.h>
#include <string.h>

#include "core/audit.h"
#include "core/xalloc.h"
#include "ipc/daemon_int.h"

#define SESSION_TAINT_UNKNOWN                                             \
	"unknown: the audit store could not be read to learn whether an " \
	"earlier call tainted the session"

struct session {
	char *id;
	char *project;
	char *taint;   /* why the session is tainted, or NULL */
	bool recalled; /* the store was asked (session_recall) */
	struct session *next;
};

/* The taint a recalled tainted call stands for: its reason ends with
 * what tainted the session (hook_apply_policy); the call that tainted
 * it has a reason of its own. */
static char *
session_recalled_taint(const struct audit_session_recall *r)
{
	const char *why = r->tainted_reason ? strstr(r->tainted_reason,
	                                             SESSION_TAINT_MARK)
	                                    : NULL;

	why = why ? why + strlen(SESSION_TAINT_MARK) : r->tainted_reason;
	return xasprintf("%s (action #%lld; remembered across a daemon "
	                 "restart)",
	                 why ? why : "tainted", (long long)r->tainted_id);
}

/* Asks the store what it knows of the session, once it can answer. */
static void
session_recall(struct daemon *d, struct session *s)
{
	struct audit_session_recall r;

	if (s->recalled || d->db == NULL || d->db_down != NULL) {
		return;
	}
	pthread_mutex_lock(&d->db_mu);
	int rc = audit_session_recall(d->db, s->id, &r);
	pthread_mutex_unlock(&d->db_mu);
	if (rc != 0) {
		return;
	}
	s->recalled = true;
	if (r.project != NULL) {
		free(s->project);
		s->project = r.project;
		r.project = NULL;
	}
	if (r.tainted_id > 0 && s->taint == NULL) {
		s->taint = session_recalled_taint(&r);
	}
	audit_session_recall_clear(&r);
}

static struct session *
session_find(struct daemon *d, const char *session_id)
{
	for (struct session *s = d->sessions; session_id && s; s = s->next) {
		if (strcmp(s->id, session_id) == 0) {
			session_recall(d, s);
			return s;
		}
	}
	return NULL;
}

const char *
daemon_session_project(struct daemon *d, const char *session_id,
                       const char *cwd)
{
	struct session *s;

	if (session_id == NULL) {
		return cwd;
	}
	s = session_find(d, session_id);
	if (s != NULL) {
		return s->project;
	}
	/* The first directory a session is seen in is its project: a later
	 * `cd sub` moves cwd but not the project's policy. */
	s = xcalloc(1, sizeof *s);
	s->id = xstrdup(session_id);
	s->project = xstrdup(cwd);
	session_recall(d, s);
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

void
daemon_session_taint(struct daemon *d, const char *session_id, const char *why)
{
	struct session *s = session_find(d, session_id);

	if (s == NULL) {
		daemon_session_project(d, session_id, NULL);
		s = session_find(d, session_id);
	}
	/* The first taint is the one to show: it is where trust was lost. */
	if (s != NULL && s->taint == NULL) {
		s->taint = xstrdup(why);
	}
}

const char *
daemon_session_taint_why(struct daemon *d, const char *session_id)
{
	struct session *s = session_find(d, session_id);

	if (s == NULL || s->taint != NULL) {
		return s ? s->taint : NULL;
	}
	return s->recalled ? NULL : SESSION_TAINT_UNKNOWN;
}
