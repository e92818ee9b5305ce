/* What the daemon remembers about live sessions. */
#include <stdlib.h>
#include <string.h>

#include "core/xalloc.h"
#include "ipc/daemon_int.h"

struct session {
	char *id;
	char *project;
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
		free(s);
	}
}
