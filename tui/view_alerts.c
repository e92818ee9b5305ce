#include "tui/view_alerts.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Column widths: age, kind, state, session; the message gets the rest. */
#define VIEW_ALERTS_AGE     6
#define VIEW_ALERTS_KIND    12
#define VIEW_ALERTS_STATE   10
#define VIEW_ALERTS_SESSION 8

bool
view_alerts_ackable(const struct client_alert *al)
{
	return al->id > 0 && al->acked_by == NULL;
}

void
view_alerts_count(size_t n, char *buf, size_t size)
{
	if (n == 0) {
		snprintf(buf, size, "%s", "");
		return;
	}
	snprintf(buf, size, "%zu alert%s", n, n == 1 ? "" : "s");
}

static int
view_alerts_message_cols(int cols)
{
	int n = cols - VIEW_ALERTS_AGE - VIEW_ALERTS_KIND - VIEW_ALERTS_STATE -
	        VIEW_ALERTS_SESSION - 4;

	return n < 4 ? 4 : n;
}

/* "NEW", "acked", or "notice" for what cannot be acknowledged. */
static const char *
view_alerts_state(const struct client_alert *al, enum theme_role *role)
{
	if (al->id <= 0) {
		*role = ROLE_DIM;
		return "notice";
	}
	if (al->acked_by == NULL) {
		*role = ROLE_STATUS_ALERT;
		return "NEW";
	}
	*role = ROLE_DIM;
	return "acked";
}

void
view_alerts_row(const struct client_alert *al, int64_t now_ms, int cols,
                bool selected, struct layout_line *out)
{
	enum theme_role role;
	const char *state = view_alerts_state(al, &role);
	char age[32], sid[9];

	layout_fmt_duration(now_ms - al->created_ms, age, sizeof age);
	layout_add_cell(out, ROLE_DIM, age, VIEW_ALERTS_AGE);
	layout_add(out, ROLE_NORMAL, " ");
	layout_add_cell(out, al->acked_by ? ROLE_NORMAL : ROLE_RISK_HIGH,
	                al->kind, VIEW_ALERTS_KIND);
	layout_add(out, ROLE_NORMAL, " ");
	layout_add_cell(out, role, state, VIEW_ALERTS_STATE);
	layout_add(out, ROLE_NORMAL, " ");
	snprintf(sid, sizeof sid, "%s", al->session_id ? al->session_id : "-");
	layout_add_cell(out, ROLE_DIM, sid, VIEW_ALERTS_SESSION);
	layout_add(out, ROLE_NORMAL, " ");
	layout_add_cell(out, ROLE_NORMAL, al->message,
	                view_alerts_message_cols(cols));
	layout_line_fit(out, cols);
	if (!selected) {
		return;
	}
	/* markers keep their own role: hostile text stays visible as such */
	for (size_t i = 0; i < out->nsegs; i++) {
		if (out->segs[i].role != ROLE_MARKER) {
			out->segs[i].role = ROLE_SELECTED;
		}
	}
}

void
view_alerts_header(int cols, struct layout_line *out)
{
	layout_add_cell(out, ROLE_HEADER, "AGO", VIEW_ALERTS_AGE);
	layout_add(out, ROLE_HEADER, " ");
	layout_add_cell(out, ROLE_HEADER, "KIND", VIEW_ALERTS_KIND);
	layout_add(out, ROLE_HEADER, " ");
	layout_add_cell(out, ROLE_HEADER, "STATE", VIEW_ALERTS_STATE);
	layout_add(out, ROLE_HEADER, " ");
	layout_add_cell(out, ROLE_HEADER, "SESSION", VIEW_ALERTS_SESSION);
	layout_add(out, ROLE_HEADER, " ");
	layout_add_cell(out, ROLE_HEADER, "MESSAGE",
	                view_alerts_message_cols(cols));
	layout_line_fit(out, cols);
}

static void
view_alerts_ack_line(const struct client_alert *al, int64_t now_ms,
                     bool readonly, struct layout_lines *ls)
{
	struct layout_line *l = layout_push(ls);
	char ago[32];

	layout_add(l, ROLE_LABEL, "State ");
	if (al->id <= 0) {
		layout_add(l, ROLE_DIM,
		           "a notice from the daemon: not recorded, nothing to "
		           "acknowledge");
	} else if (al->acked_by != NULL) {
		layout_add(l, ROLE_NORMAL, "acknowledged by ");
		layout_add_inline(l, ROLE_NORMAL, al->acked_by);
		if (al->acked_ms > 0) {
			layout_fmt_duration(now_ms - al->acked_ms, ago,
			                    sizeof ago);
			layout_addf(l, ROLE_DIM, " %s ago", ago);
		}
	} else {
		layout_add(l, ROLE_STATUS_ALERT, " NEW ");
		layout_add(l, ROLE_DIM,
		           readonly ? "  (read-only console: cannot "
		                      "acknowledge)"
		                    : "  K acknowledges it (recorded with your "
		                      "name)");
	}
}

void
view_alerts_detail(const struct client_alert *al, int64_t now_ms, bool readonly,
                   int cols, struct layout_lines *out)
{
	struct layout_lines ls = { 0 };
	struct layout_line *l = layout_push(&ls);
	char ago[32];

	layout_add(l, ROLE_TITLE, "Alert ");
	if (al->id > 0) {
		layout_addf(l, ROLE_DIM, "#%lld ", (long long)al->id);
	}
	layout_add_inline(l, ROLE_RISK_HIGH, al->kind ? al->kind : "?");
	l = layout_push(&ls);
	layout_fmt_duration(now_ms - al->created_ms, ago, sizeof ago);
	layout_add(l, ROLE_LABEL, "Raised ");
	layout_addf(l, ROLE_NORMAL, "%s ago", ago);
	if (al->repeats > 0) {
		layout_addf(l, ROLE_DIM, "  (repeated %u more times)",
		            al->repeats);
	}
	if (al->session_id != NULL) {
		l = layout_push(&ls);
		layout_add(l, ROLE_LABEL, "Session ");
		layout_add_inline(l, ROLE_NORMAL, al->session_id);
	}
	if (al->action_id > 0) {
		layout_addf(layout_push(&ls), ROLE_LABEL, "Call #%lld",
		            (long long)al->action_id);
	}
	view_alerts_ack_line(al, now_ms, readonly, &ls);
	layout_add(layout_push(&ls), ROLE_LABEL, "Message");
	layout_pad(layout_push(&ls), ROLE_NORMAL, 2);
	layout_add_untrusted(&ls, al->message ? al->message : "",
	                     al->message ? strlen(al->message) : 0, ROLE_NORMAL,
	                     NULL, 0, ROLE_NORMAL, 2);
	layout_wrap(&ls, cols, 2, out);
	layout_lines_free(&ls);
}
