/* The console's model: the daemon's pending calls, history, sessions,
 * replay and alerts, kept in sync by the pump. */
#include "tui/console_int.h"

#include <stdlib.h>
#include <string.h>

#include "core/sanitize.h"
#include "core/xalloc.h"
#include "tui/alert.h"
#include "tui/hist_loader.h"
#include "tui/view_diff.h"
#include "tui/view_history.h"
#include "tui/view_json.h"
#include "tui/view_replay.h"

/* ---- model ------------------------------------------------------------- */

static void
console_sync_queue(struct console *c)
{
	size_t n;
	const struct action *const *p = client_pending(c->client, &n);

	c->queue = xrealloc(c->queue, (n ? n : 1) * sizeof *c->queue);
	c->ids = xrealloc(c->ids, (n ? n : 1) * sizeof *c->ids);
	layout_queue_sort(p, n, c->queue);
	for (size_t i = 0; i < n; i++) {
		c->ids[i] = c->queue[i]->id;
	}
	c->nqueue = n;
	layout_sel_sync(&c->sel, c->ids, n);
}

/* The history query, on the loader's thread, over its own control
 * connection (the console's client is not shared between threads). */
int
console_hist_query(void *ctx, const char *text, int limit, struct action ***out,
                   size_t *n)
{
	struct console_hist_ctx *h = ctx;
	struct audit_query q = { .text = text, .limit = limit };
	int rc;

	if (h->client == NULL) {
		rc = client_open_control(&h->client, h->paths);
		if (rc != 0) {
			return rc;
		}
	}
	return client_log(h->client, &q, out, n);
}

static void
console_build_sessions(struct console *c)
{
	size_t np;
	const struct action *const *p = client_pending(c->client, &np);

	view_sessions_free(c->sessions, c->nsessions);
	view_sessions_build(p, np, c->hist, c->nhist, &c->sessions,
	                    &c->nsessions);
	c->session_ids = xrealloc(c->session_ids,
	                          (c->nsessions + 1) * sizeof *c->session_ids);
	for (size_t i = 0; i < c->nsessions; i++) {
		c->session_ids[i] = (int64_t)i + 1;
	}
	layout_sel_sync(&c->ssel, c->session_ids, c->nsessions);
}

/* Takes the rows of a history answer (v), and rebuilds the sessions from
 * them in the sessions view. */
static void
console_hist_install(struct console *c, struct action **v, size_t n, int rc)
{
	if (rc != 0) {
		console_say(c, ROLE_ERROR, "history unavailable: %s",
		            client_connected(c->client)
		                    ? "query failed"
		                    : "daemon not connected");
	}
	client_actions_free(c->hist, c->nhist);
	c->hist = v;
	c->nhist = n;
	c->hist_ids = xrealloc(c->hist_ids, (n ? n : 1) * sizeof *c->hist_ids);
	for (size_t i = 0; i < n; i++) {
		c->hist_ids[i] = v[i]->id;
	}
	layout_sel_sync(&c->hsel, c->hist_ids, n);
	if (c->view == CONSOLE_VIEW_SESSIONS) {
		console_build_sessions(c);
	}
}

/* Asks for the history rows (the current search); they arrive on the
 * loader's descriptor, so the key that asked is answered at once. */
void
console_load_history(struct console *c)
{
	hist_loader_submit(c->hist_loader,
	                   c->search.len ? c->search.data : NULL,
	                   CONSOLE_HISTORY_LIMIT);
}

/* Keys that act on the rows (move, open, the search's count) act on the
 * answer to the latest request: they wait for it. */
void
console_hist_sync(struct console *c)
{
	struct action **v = NULL;
	size_t n = 0;
	int rc = 0;

	if (hist_loader_wait(c->hist_loader, &v, &n, &rc)) {
		console_hist_install(c, v, n, rc);
	}
}

unsigned
console_hist_ready(struct console *c)
{
	struct action **v = NULL;
	size_t n = 0;
	int rc = 0;

	if (!hist_loader_take(c->hist_loader, &v, &n, &rc)) {
		return CONSOLE_REDRAW_NONE;
	}
	console_hist_install(c, v, n, rc);
	return c->view == CONSOLE_VIEW_HISTORY ||
	                       c->view == CONSOLE_VIEW_SESSIONS
	               ? CONSOLE_REDRAW_ALL
	               : CONSOLE_REDRAW_NONE;
}

void
console_load_sessions(struct console *c)
{
	console_load_history(c);
	console_build_sessions(c);
}

/* The action the detail pane shows, or NULL. */
const struct action *
console_selected(const struct console *c)
{
	if (c->view == CONSOLE_VIEW_QUEUE && c->nqueue > 0) {
		return c->queue[c->sel.index];
	}
	if (c->view == CONSOLE_VIEW_HISTORY && c->nhist > 0) {
		return c->hist[c->hsel.index];
	}
	if (c->view == CONSOLE_VIEW_REPLAY && c->nreplay > 0) {
		return c->replay[c->rsel.index];
	}
	return NULL;
}

/* The newest of the session's Reads of path before the call, from the
 * audit trail: a time, VIEW_DIFF_READ_NONE, or VIEW_DIFF_READ_UNKNOWN
 * when the daemon could not say. */
static int64_t
console_find_read(struct console *c, const struct action *a, const char *path)
{
	struct audit_query q = { .session_id = a->session_id,
		                 .tool_name = "Read",
		                 .until_ms = a->received_ms,
		                 .limit = CONSOLE_READS_LIMIT };
	struct action **v = NULL;
	size_t n = 0;
	int64_t best = VIEW_DIFF_READ_NONE;

	if (a->session_id == NULL || client_log(c->client, &q, &v, &n) != 0) {
		return VIEW_DIFF_READ_UNKNOWN;
	}
	for (size_t i = 0; i < n; i++) {
		char *p = NULL;
		size_t len;

		if (v[i]->tool_input != NULL &&
		    view_json_string_field(v[i]->tool_input, "file_path", &p,
		                           &len) == 0 &&
		    strcmp(p, path) == 0 && v[i]->received_ms > best) {
			best = v[i]->received_ms;
		}
		free(p);
	}
	client_actions_free(v, n);
	return best;
}

/* The session's last Read of the file a pending file tool changes, looked
 * up once per call (a history query: not on every frame). */
int64_t
console_read_ms(struct console *c, const struct action *a)
{
	char *path;

	if (a->state != ACTION_PENDING) {
		return VIEW_DIFF_READ_UNKNOWN;
	}
	if (c->read_for_id == a->id) {
		return c->read_ms;
	}
	path = view_diff_file_path(a);
	c->read_for_id = a->id;
	c->read_ms =
	        path ? console_find_read(c, a, path) : VIEW_DIFF_READ_UNKNOWN;
	free(path);
	return c->read_ms;
}

/* Rings and notifies for pending actions never seen before. */
static void
console_alert_new(struct console *c)
{
	const struct action *newest = NULL;

	for (size_t i = 0; i < c->nqueue; i++) {
		if (c->queue[i]->id > c->max_seen_id) {
			c->max_seen_id = c->queue[i]->id;
			newest = c->queue[i];
		}
	}
	if (newest == NULL || !c->have_snapshot) {
		return;
	}
	char *what = sanitize_to_string(
	        newest->summary ? newest->summary : "",
	        newest->summary ? strlen(newest->summary) : 0, NULL);
	char *where =
	        sanitize_to_string(newest->cwd ? newest->cwd : "",
	                           newest->cwd ? strlen(newest->cwd) : 0, NULL);
	char *body =
	        xasprintf("Claude Code wants to run `%s` in %s", what, where);

	alert_post(c->alert, "airlock: approval needed", body);
	osc_notify(c->osc, "airlock: approval needed", body);
	free(body);
	free(what);
	free(where);
}

static void
console_sync_alerts(struct console *c)
{
	size_t n;
	const struct client_alert *v = client_alerts(c->client, &n);

	c->alerts = v;
	c->nalerts = n;
	c->alert_ids =
	        xrealloc(c->alert_ids, (n ? n : 1) * sizeof *c->alert_ids);
	for (size_t i = 0; i < n; i++) {
		c->alert_ids[i] = (int64_t)v[i].serial;
	}
	layout_sel_sync(&c->asel, c->alert_ids, n);
}

/* The bell and a notification for each alert never seen before (not for
 * those already there when the console started). */
static void
console_alert_alerts(struct console *c)
{
	uint64_t seen = c->alert_serial_seen;

	c->alert_serial_seen = client_alerts_serial(c->client);
	if (!c->have_snapshot) {
		return;
	}
	/* oldest first: the notifier's one slot keeps the newest */
	for (size_t i = c->nalerts; i-- > 0;) {
		const struct client_alert *al = &c->alerts[i];
		char *kind, *msg, *title;

		if (al->serial <= seen) {
			continue;
		}
		kind = sanitize_to_string(al->kind, strlen(al->kind), NULL);
		msg = sanitize_to_string(al->message, strlen(al->message),
		                         NULL);
		title = xasprintf("airlock alert: %s", kind);
		alert_post(c->alert, title, msg);
		osc_notify(c->osc, title, msg);
		free(title);
		free(msg);
		free(kind);
	}
}

unsigned
console_pump(struct console *c)
{
	bool changed = false;
	bool was = client_connected(c->client);

	client_pump(c->client, CONSOLE_PUMP_MS, &changed);
	if (!changed && was == client_connected(c->client)) {
		return CONSOLE_REDRAW_NONE;
	}
	console_sync_queue(c);
	console_sync_alerts(c);
	console_alert_new(c);
	console_alert_alerts(c);
	if (client_connected(c->client)) {
		c->have_snapshot = true;
	}
	return CONSOLE_REDRAW_ALL;
}

/* Loads the replay of a session and selects the call that id stands
 * for (0: the first). */
void
console_load_replay(struct console *c, const char *session_id, int64_t id)
{
	struct audit_query q = { .session_id = session_id,
		                 .limit = CONSOLE_REPLAY_LIMIT };
	struct action **v = NULL;
	size_t n = 0;

	view_replay_free(c->replay, c->nreplay);
	c->replay = NULL;
	c->nreplay = 0;
	if (client_log(c->client, &q, &v, &n) != 0) {
		console_say(c, ROLE_ERROR, "replay unavailable: %s",
		            client_connected(c->client)
		                    ? "query failed"
		                    : "daemon not connected");
	}
	view_replay_steps(v, n, &c->replay, &c->nreplay);
	c->replay_ids = xrealloc(c->replay_ids,
	                         (c->nreplay + 1) * sizeof *c->replay_ids);
	for (size_t i = 0; i < c->nreplay; i++) {
		c->replay_ids[i] = c->replay[i]->id;
	}
	c->rsel = (struct layout_sel){ 0 };
	layout_sel_move(
	        &c->rsel, c->replay_ids, c->nreplay,
	        (long)view_replay_find(c->replay, c->nreplay, v, n, id));
	client_actions_free(v, n);
}
