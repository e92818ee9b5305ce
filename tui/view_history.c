#include "tui/view_history.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/xalloc.h"

const char *
view_history_outcome(const struct action *a, enum theme_role *role)
{
	bool allow;

	switch (a->state) {
	case ACTION_PENDING:
		*role = ROLE_RISK_MEDIUM;
		return "pending";
	case ACTION_APPROVED:
		*role = ROLE_OK;
		return "approved";
	case ACTION_DENIED:
		*role = ROLE_ERROR;
		return "denied";
	case ACTION_TIMED_OUT:
		*role = ROLE_ERROR;
		return "timeout";
	case ACTION_ABANDONED:
		*role = ROLE_DIM;
		return "abandoned";
	default:
		break;
	}
	allow = a->verdict != NULL && strcmp(a->verdict, "allow") == 0;
	*role = allow ? ROLE_DIM : ROLE_ERROR;
	return allow ? "allowed" : "blocked";
}

static void
view_history_selected(struct layout_line *row)
{
	for (size_t i = 0; i < row->nsegs; i++) {
		if (row->segs[i].role != ROLE_MARKER) {
			row->segs[i].role = ROLE_SELECTED;
		}
	}
}

static int
view_history_summary_cols(int cols)
{
	/* outcome 9, age 6, tool 10, who 10, four spaces */
	int n = cols - 9 - 6 - 10 - 10 - 4;

	return n < 4 ? 4 : n;
}

void
view_history_row(const struct action *a, int64_t now_ms, int cols,
                 bool selected, struct layout_line *out)
{
	enum theme_role role;
	const char *what = view_history_outcome(a, &role);
	char age[32];
	int64_t when = a->decided_ms ? a->decided_ms : a->received_ms;

	layout_add_cell(out, role, what, 9);
	layout_add(out, ROLE_NORMAL, " ");
	layout_fmt_duration(now_ms - when, age, sizeof age);
	layout_add_cell(out, ROLE_DIM, age, 6);
	layout_add(out, ROLE_NORMAL, " ");
	layout_add_cell(out, ROLE_NORMAL, a->tool_name, 10);
	layout_add(out, ROLE_NORMAL, " ");
	layout_add_cell(out, ROLE_NORMAL, a->summary,
	                view_history_summary_cols(cols));
	layout_add(out, ROLE_NORMAL, " ");
	layout_add_cell(out, ROLE_DIM, a->approver ? a->approver : "policy",
	                10);
	layout_line_fit(out, cols);
	if (selected) {
		view_history_selected(out);
	}
}

void
view_history_header(int cols, struct layout_line *out)
{
	layout_add_cell(out, ROLE_HEADER, "OUTCOME", 9);
	layout_add(out, ROLE_HEADER, " ");
	layout_add_cell(out, ROLE_HEADER, "AGO", 6);
	layout_add(out, ROLE_HEADER, " ");
	layout_add_cell(out, ROLE_HEADER, "TOOL", 10);
	layout_add(out, ROLE_HEADER, " ");
	layout_add_cell(out, ROLE_HEADER, "SUMMARY",
	                view_history_summary_cols(cols));
	layout_add(out, ROLE_HEADER, " ");
	layout_add_cell(out, ROLE_HEADER, "BY", 10);
	layout_line_fit(out, cols);
}

static struct view_session *
view_sessions_find(struct view_session **v, size_t *n, size_t *cap,
                   const struct action *a)
{
	const char *sid = a->session_id ? a->session_id : "?";

	for (size_t i = 0; i < *n; i++) {
		if (strcmp((*v)[i].session_id, sid) == 0) {
			return &(*v)[i];
		}
	}
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 8;
		*v = xrealloc(*v, *cap * sizeof **v);
	}
	memset(&(*v)[*n], 0, sizeof **v);
	(*v)[*n].session_id = xstrdup(sid);
	(*v)[*n].cwd = xstrdup(a->cwd ? a->cwd : "?");
	return &(*v)[(*n)++];
}

static void
view_sessions_count(struct view_session *s, const struct action *a)
{
	bool policy_allow = a->verdict && strcmp(a->verdict, "allow") == 0;

	if (a->received_ms > s->last_ms) {
		s->last_ms = a->received_ms;
	}
	if (a->state == ACTION_PENDING) {
		s->pending++;
		return;
	}
	if (a->verdict != NULL && strcmp(a->verdict, "ask") == 0) {
		s->asked++;
	}
	if (a->state == ACTION_APPROVED ||
	    (a->state == ACTION_DECIDED && policy_allow)) {
		s->allowed++;
	} else {
		s->denied++;
	}
}

static int
view_sessions_cmp(const void *pa, const void *pb)
{
	const struct view_session *a = pa, *b = pb;

	return a->last_ms > b->last_ms ? -1 : a->last_ms < b->last_ms;
}

void
view_sessions_build(const struct action *const *pending, size_t npending,
                    struct action *const *past, size_t npast,
                    struct view_session **out, size_t *n)
{
	struct view_session *v = NULL;
	size_t cap = 0;

	*n = 0;
	for (size_t i = 0; i < npending; i++) {
		view_sessions_count(view_sessions_find(&v, n, &cap, pending[i]),
		                    pending[i]);
	}
	for (size_t i = 0; i < npast; i++) {
		if (past[i]->state == ACTION_PENDING) {
			continue; /* counted from the live set */
		}
		view_sessions_count(view_sessions_find(&v, n, &cap, past[i]),
		                    past[i]);
	}
	if (*n > 1) {
		qsort(v, *n, sizeof *v, view_sessions_cmp);
	}
	*out = v;
}

void
view_sessions_free(struct view_session *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(s[i].session_id);
		free(s[i].cwd);
	}
	free(s);
}

void
view_sessions_row(const struct view_session *s, int64_t now_ms, int cols,
                  bool selected, struct layout_line *out)
{
	char buf[64], age[32];
	int rest = cols - 10 - 32 - 7 - 3;

	layout_add_cell(out, ROLE_DIM, s->session_id, 10);
	layout_add(out, ROLE_NORMAL, " ");
	snprintf(buf, sizeof buf, "%4u %4u %4u %4u", s->allowed, s->asked,
	         s->denied, s->pending);
	layout_add_cell(out, s->pending ? ROLE_RISK_MEDIUM : ROLE_NORMAL, buf,
	                32 > cols ? cols : 19);
	layout_pad(out, ROLE_NORMAL, out->cols + 13);
	layout_add(out, ROLE_NORMAL, " ");
	layout_fmt_duration(now_ms - s->last_ms, age, sizeof age);
	layout_add_cell(out, ROLE_DIM, age, 7);
	layout_add(out, ROLE_NORMAL, " ");
	layout_add_cell(out, ROLE_NORMAL, s->cwd, rest < 4 ? 4 : rest);
	layout_line_fit(out, cols);
	if (selected) {
		view_history_selected(out);
	}
}

void
view_sessions_header(int cols, struct layout_line *out)
{
	int rest = cols - 10 - 32 - 7 - 3;

	layout_add_cell(out, ROLE_HEADER, "SESSION", 10);
	layout_add(out, ROLE_HEADER, " ");
	layout_add_cell(out, ROLE_HEADER, "ALLOW  ASK DENY WAIT", 32);
	layout_add(out, ROLE_HEADER, " ");
	layout_add_cell(out, ROLE_HEADER, "ACTIVE", 7);
	layout_add(out, ROLE_HEADER, " ");
	layout_add_cell(out, ROLE_HEADER, "DIRECTORY", rest < 4 ? 4 : rest);
	layout_line_fit(out, cols);
}
