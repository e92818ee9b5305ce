#ifndef AIRLOCK_TUI_VIEW_HISTORY_H
#define AIRLOCK_TUI_VIEW_HISTORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/action.h"
#include "tui/layout.h"

/*
 * Rows of the history view (the audit trail, newest first) and of the
 * sessions view, which is computed from the same actions.
 */

/* "approved", "denied", "allowed" (by policy) ... with its role. */
const char *view_history_outcome(const struct action *a, enum theme_role *role);
void view_history_row(const struct action *a, int64_t now_ms, int cols,
                      bool selected, struct layout_line *out);
void view_history_header(int cols, struct layout_line *out);

/* One session's counts. */
struct view_session {
	char *session_id;
	char *cwd;
	int64_t last_ms;
	unsigned allowed, asked, denied, pending;
};

/* Groups pending and past actions by session, most recently active first.
 * The caller frees with view_sessions_free(). */
void view_sessions_build(const struct action *const *pending, size_t npending,
                         struct action *const *past, size_t npast,
                         struct view_session **out, size_t *n);
void view_sessions_free(struct view_session *s, size_t n);
void view_sessions_row(const struct view_session *s, int64_t now_ms, int cols,
                       bool selected, struct layout_line *out);
void view_sessions_header(int cols, struct layout_line *out);

#endif
