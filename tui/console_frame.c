/* The console's frame: status, list, detail and legend computed into
 * lines first (what counts as seen is decided here), then drawn. */
#include "tui/console_int.h"

#include <curses.h>

#include "tui/draw.h"
#include "tui/hist_loader.h"
#include "tui/view_alerts.h"
#include "tui/view_detail_cache.h"
#include "tui/view_help.h"
#include "tui/view_history.h"
#include "tui/view_replay.h"
#include "tui/view_rules.h"

/* By enum console_view: the status line and the frame log. */
static const char *const console_view_names[] = { "queue", "history",
	                                          "sessions", "replay",
	                                          "alerts" };

const char *
console_view_name(enum console_view v)
{
	return console_view_names[v];
}

/* ---- the frame: computed first, then drawn ------------------------------- */

struct console_frame {
	struct layout_lines status; /* status, then the banner if any */
	struct layout_lines list;   /* header, then the visible rows */
	/* every wrapped line: own_detail, or the detail cache's (borrowed
	 * until the next frame) */
	struct layout_lines own_detail;
	const struct layout_lines *detail;
	struct layout_lines bottom; /* detail title, message, legend */
	int cursor_x;               /* on the message line; -1 hides it */
};

static void
console_frame_free(struct console_frame *f)
{
	layout_lines_free(&f->status);
	layout_lines_free(&f->list);
	layout_lines_free(&f->own_detail);
	layout_lines_free(&f->bottom);
}

/* The context of the view under any overlay. */
static enum keymap_ctx
console_view_ctx(const struct console *c)
{
	switch (c->view) {
	case CONSOLE_VIEW_HISTORY:
		return KEYMAP_CTX_HISTORY;
	case CONSOLE_VIEW_SESSIONS:
		return KEYMAP_CTX_SESSIONS;
	case CONSOLE_VIEW_REPLAY:
		return KEYMAP_CTX_REPLAY;
	case CONSOLE_VIEW_ALERTS:
		return KEYMAP_CTX_ALERTS;
	default:
		return KEYMAP_CTX_QUEUE;
	}
}

enum keymap_ctx
console_ctx(const struct console *c)
{
	return c->help ? KEYMAP_CTX_HELP : console_view_ctx(c);
}

static void
console_status(const struct console *c, struct console_frame *f)
{
	struct layout_line *l = layout_push(&f->status);
	bool up = client_connected(c->client);
	const char *reason = NULL;
	char count[32];

	layout_add(l, ROLE_STATUS, " airlock ");
	if (!up) {
		layout_add(l, ROLE_STATUS_BAD,
		           c->have_snapshot ? " reconnecting "
		                            : " disconnected ");
	}
	layout_addf(l, ROLE_STATUS, " %zu pending ", c->nqueue);
	view_alerts_count(client_alerts_unacked(c->client), count,
	                  sizeof count);
	if (count[0] != '\0') {
		layout_addf(l, ROLE_STATUS_ALERT, " ! %s ", count);
		layout_add(l, ROLE_STATUS, " ");
	}
	layout_addf(l, ROLE_STATUS, "| %s%s", console_view_names[c->view],
	            c->o->readonly ? " | read-only" : "");
	if (c->view == CONSOLE_VIEW_HISTORY && c->search.len > 0) {
		layout_add(l, ROLE_STATUS, " | search: ");
		layout_add_inline(l, ROLE_STATUS, c->search.data);
	}
	layout_line_fit(l, c->geom.cols);
	if (c->geom.banner_y < 0) {
		return;
	}
	l = layout_push(&f->status);
	client_tier(c->client, &reason);
	layout_add(l, ROLE_BANNER,
	           " agent not isolated: approvals can be forged by the agent");
	if (reason != NULL && *reason != '\0') {
		layout_add(l, ROLE_BANNER, " (");
		layout_add_inline(l, ROLE_BANNER, reason);
		layout_add(l, ROLE_BANNER, ")");
	}
	layout_line_fit(l, c->geom.cols);
}

static void
console_list_queue(struct console *c, int64_t now, struct console_frame *f)
{
	int cols = c->geom.cols;

	layout_queue_header(cols, layout_push(&f->list));
	layout_sel_scroll(&c->sel, (size_t)c->geom.list_h);
	for (size_t i = c->sel.top;
	     i < c->nqueue && i < c->sel.top + (size_t)c->geom.list_h; i++) {
		layout_queue_row(c->queue[i], now, cols, i == c->sel.index,
		                 layout_push(&f->list));
	}
}

/* A list of actions (the history, a session's replay). */
static void
console_list_actions(struct console *c, int64_t now, struct console_frame *f,
                     struct layout_sel *sel, struct action *const *v, size_t n)
{
	int cols = c->geom.cols;
	size_t h = (size_t)c->geom.list_h;

	view_history_header(cols, layout_push(&f->list));
	layout_sel_scroll(sel, h);
	for (size_t i = sel->top; i < n && i < sel->top + h; i++) {
		view_history_row(v[i], now, cols, i == sel->index,
		                 layout_push(&f->list));
	}
}

static void
console_list_sessions(struct console *c, int64_t now, struct console_frame *f)
{
	int cols = c->geom.cols;
	size_t h = (size_t)c->geom.list_h;

	view_sessions_header(cols, layout_push(&f->list));
	layout_sel_scroll(&c->ssel, h);
	for (size_t i = c->ssel.top; i < c->nsessions && i < c->ssel.top + h;
	     i++) {
		view_sessions_row(&c->sessions[i], now, cols,
		                  i == c->ssel.index, layout_push(&f->list));
	}
}

static void
console_list_alerts(struct console *c, int64_t now, struct console_frame *f)
{
	int cols = c->geom.cols;
	size_t h = (size_t)c->geom.list_h;

	view_alerts_header(cols, layout_push(&f->list));
	layout_sel_scroll(&c->asel, h);
	for (size_t i = c->asel.top; i < c->nalerts && i < c->asel.top + h;
	     i++) {
		view_alerts_row(&c->alerts[i], now, cols, i == c->asel.index,
		                layout_push(&f->list));
	}
}

static void
console_detail_empty(const struct console *c, struct console_frame *f)
{
	struct layout_line *l = layout_push(&f->own_detail);

	if (!client_connected(c->client)) {
		layout_add(l, ROLE_ERROR,
		           "Not connected to airlockd; retrying.");
	} else if (c->view == CONSOLE_VIEW_QUEUE) {
		layout_add(
		        l, ROLE_DIM,
		        "Nothing is waiting for you. New requests appear here "
		        "and ring the bell.");
	} else if (c->view == CONSOLE_VIEW_ALERTS) {
		layout_add(l, ROLE_DIM,
		           "No alerts since this console started. Alerts ring "
		           "the bell and show a count at the top.");
	} else if (c->view == CONSOLE_VIEW_SESSIONS && c->nsessions > 0) {
		layout_add(l, ROLE_DIM, "Session ");
		layout_add_inline(l, ROLE_NORMAL,
		                  c->sessions[c->ssel.index].session_id);
		l = layout_push(&f->own_detail);
		layout_add(l, ROLE_DIM, "In ");
		layout_add_inline(l, ROLE_NORMAL,
		                  c->sessions[c->ssel.index].cwd);
	} else if (hist_loader_busy(c->hist_loader)) {
		layout_add(l, ROLE_DIM, "Loading the history ...");
	} else {
		layout_add(l, ROLE_DIM, "No matching history.");
	}
}

/* Builds the detail (or help) and records how much of it was seen. */
static void
console_detail(struct console *c, int64_t now, struct console_frame *f)
{
	const struct action *a = c->help ? NULL : console_selected(c);
	size_t h = (size_t)c->geom.detail_h;
	int64_t alert_key = 0;
	bool partial = false;
	size_t end;

	if (c->help) {
		view_help_build(c->km, console_view_ctx(c), c->o->readonly,
		                c->geom.cols, &f->own_detail);
	} else if (c->prompt == CONSOLE_PROMPT_RULE_CONFIRM) {
		view_rules_build(c->rule_text, &c->rule_report, c->target_id,
		                 c->geom.cols, &f->own_detail);
		a = NULL;
	} else if (a != NULL && c->view == CONSOLE_VIEW_REPLAY) {
		view_replay_build(c->replay, c->nreplay, c->rsel.index, now,
		                  c->geom.cols, &f->own_detail);
	} else if (a != NULL) {
		f->detail = view_detail_cache_get(c->detail_cache, a, now,
		                                  c->geom.cols, &partial);
	} else if (c->view == CONSOLE_VIEW_ALERTS && c->nalerts > 0) {
		view_alerts_detail(&c->alerts[c->asel.index], now,
		                   c->o->readonly, c->geom.cols,
		                   &f->own_detail);
		alert_key = (int64_t)c->alerts[c->asel.index].serial;
	} else {
		console_detail_empty(c, f);
	}
	c->detail_partial = partial;
	/* an alert's detail scrolls like a call's: a new one starts at the
	 * top (negative keys: never an action id) */
	if ((a ? a->id : -alert_key) != c->detail_id) {
		c->detail_id = a ? a->id : -alert_key;
		c->detail_top = 0;
		c->detail_seen = 0;
	}
	if (c->detail_top + h > f->detail->n) {
		c->detail_top = f->detail->n > h ? f->detail->n - h : 0;
	}
	end = c->detail_top + h < f->detail->n ? c->detail_top + h
	                                       : f->detail->n;
	if (end > c->detail_seen && c->detail_top <= c->detail_seen) {
		c->detail_seen = end;
	}
	c->detail_lines = f->detail->n;
}

static void
console_detail_title(const struct console *c, const struct console_frame *f,
                     struct layout_line *l)
{
	size_t n = f->detail->n;
	size_t last = c->detail_top + (size_t)c->geom.detail_h;

	layout_add(l, ROLE_TITLE, c->help ? " Help " : " Detail ");
	if (c->detail_id > 0 && !c->help) {
		layout_addf(l, ROLE_DIM, "#%lld ", (long long)c->detail_id);
	} else if (c->detail_id < 0 && !c->help &&
	           c->alerts[c->asel.index].id > 0) {
		layout_addf(l, ROLE_DIM, "alert #%lld ",
		            (long long)c->alerts[c->asel.index].id);
	}
	layout_addf(l, ROLE_DIM, " lines %zu-%zu of %zu",
	            n ? c->detail_top + 1 : 0, last < n ? last : n, n);
	if (last < n) {
		layout_add(l, ROLE_COUNTDOWN_URGENT, "  more below");
	}
	layout_line_fit(l, c->geom.cols);
}

static void
console_bottom(const struct console *c, struct console_frame *f)
{
	struct layout_line *l;

	console_detail_title(c, f, layout_push(&f->bottom));
	l = layout_push(&f->bottom);
	f->cursor_x = -1;
	if (c->message != NULL) {
		layout_add(l, c->message_role, c->message);
	}
	if (c->prompt == CONSOLE_PROMPT_DENY ||
	    c->prompt == CONSOLE_PROMPT_SEARCH ||
	    c->prompt == CONSOLE_PROMPT_RULE) {
		layout_add_inline(l, ROLE_PROMPT,
		                  c->input.data ? c->input.data : "");
		f->cursor_x =
		        l->cols < c->geom.cols ? l->cols : c->geom.cols - 1;
	}
	layout_line_fit(l, c->geom.cols);
	view_help_legend(c->km, console_ctx(c), c->o->readonly, c->geom.cols,
	                 layout_push(&f->bottom));
}

static void
console_compute(struct console *c, struct console_frame *f)
{
	f->detail = &f->own_detail;
	int64_t now = console_now_ms();
	bool banner = c->have_snapshot && client_connected(c->client) &&
	              client_tier(c->client, NULL) == 0;

	layout_geometry(LINES, COLS, banner, &c->geom);
	console_status(c, f);
	if (c->view == CONSOLE_VIEW_QUEUE) {
		console_list_queue(c, now, f);
	} else if (c->view == CONSOLE_VIEW_HISTORY) {
		console_list_actions(c, now, f, &c->hsel, c->hist, c->nhist);
	} else if (c->view == CONSOLE_VIEW_REPLAY) {
		console_list_actions(c, now, f, &c->rsel, c->replay,
		                     c->nreplay);
	} else if (c->view == CONSOLE_VIEW_ALERTS) {
		console_list_alerts(c, now, f);
	} else {
		console_list_sessions(c, now, f);
	}
	console_detail(c, now, f);
	console_bottom(c, f);
}

static void
console_draw(struct console *c, const struct console_frame *f)
{
	const struct layout_geom *g = &c->geom;
	struct layout_lines rows = f->list;

	draw_begin();
	if (g->too_small) {
		struct layout_lines tmp = { 0 };

		layout_add(layout_push(&tmp), ROLE_ERROR,
		           "terminal too small: airlock needs 40x10");
		draw_line(c->draw, 0, g->cols, &tmp.v[0], ROLE_NORMAL);
		layout_lines_free(&tmp);
		draw_end();
		return;
	}
	draw_line(c->draw, g->status_y, g->cols, &f->status.v[0], ROLE_STATUS);
	if (g->banner_y >= 0) {
		draw_line(c->draw, g->banner_y, g->cols, &f->status.v[1],
		          ROLE_BANNER);
	}
	draw_line(c->draw, g->list_y, g->cols, &rows.v[0], ROLE_HEADER);
	rows.v++;
	rows.n--;
	draw_lines(c->draw, g->list_y + 1, g->list_h, g->cols, &rows, 0);
	draw_line(c->draw, g->detail_y, g->cols, &f->bottom.v[0], ROLE_NORMAL);
	draw_lines(c->draw, g->detail_y + 1, g->detail_h, g->cols, f->detail,
	           c->detail_top);
	draw_line(c->draw, g->message_y, g->cols, &f->bottom.v[1], ROLE_NORMAL);
	draw_line(c->draw, g->legend_y, g->cols, &f->bottom.v[2], ROLE_LEGEND);
	draw_cursor(f->cursor_x < 0 ? -1 : g->message_y, f->cursor_x);
	draw_end();
}

/* The terminal's title carries the counts (never agent text), for an
 * approver whose console is in another tab or behind SSH. */
static void
console_title(struct console *c)
{
	char title[96];

	if (c->title_off) {
		return;
	}
	osc_title_text(c->nqueue, client_alerts_unacked(c->client), title,
	               sizeof title);
	osc_title(c->osc, title);
}

void
console_frame(struct console *c, unsigned mask)
{
	struct console_frame f = { 0 };

	if (mask & CONSOLE_REDRAW_CLEAR) {
		clearok(curscr, TRUE);
	}
	console_compute(c, &f);
	console_draw(c, &f);
	console_frame_free(&f);
	console_title(c);
}
