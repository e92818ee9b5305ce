/* What the daemon remembers about live sessions. */
#include <stdlib.h>
#include <string.h>

#include "core/xalloc.h"
#include "ipc/daemon_int.h"

struct session {
	char *id;
	char *project;
	char *taint; /* why the session is tainted, or NULL */
	struct session *next;
};

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
	s->project = xstrdup(cwd);
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
