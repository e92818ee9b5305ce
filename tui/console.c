#include "tui/console.h"

#include <curses.h>
#include <errno.h>
#include <limits.h>
#include <locale.h>
#include <poll.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/al.h"
#include "core/buf.h"
#include "core/sanitize.h"
#include "core/xalloc.h"
#include "ipc/client.h"
#include "tui/alert.h"
#include "tui/draw.h"
#include "tui/hist_loader.h"
#include "tui/input.h"
#include "tui/keymap.h"
#include "tui/layout.h"
#include "tui/osc.h"
#include "tui/theme.h"
#include "tui/view_alerts.h"
#include "tui/view_detail.h"
#include "tui/view_detail_cache.h"
#include "tui/view_diff.h"
#include "tui/view_help.h"
#include "tui/view_history.h"
#include "tui/view_json.h"
#include "tui/view_replay.h"
#include "tui/view_rules.h"

/* What a handler asks to be redrawn. The frame is recomputed as a whole
 * (curses sends only the difference), so any bit means "draw". */
enum {
	CONSOLE_REDRAW_NONE = 0,
	CONSOLE_REDRAW_LIST = 1u << 0,
	CONSOLE_REDRAW_DETAIL = 1u << 1,
	CONSOLE_REDRAW_STATUS = 1u << 2,
	CONSOLE_REDRAW_ALL = 7u,
	CONSOLE_REDRAW_CLEAR = 1u << 3, /* repaint the terminal from scratch */
};

enum console_view {
	CONSOLE_VIEW_QUEUE,
	CONSOLE_VIEW_HISTORY,
	CONSOLE_VIEW_SESSIONS,
	CONSOLE_VIEW_REPLAY,
	CONSOLE_VIEW_ALERTS,
};

/* By enum console_view: the status line and the frame log. */
static const char *const console_view_names[] = { "queue", "history",
	                                          "sessions", "replay",
	                                          "alerts" };

enum console_prompt {
	CONSOLE_PROMPT_NONE,
	CONSOLE_PROMPT_DENY,
	CONSOLE_PROMPT_SEARCH,
	CONSOLE_PROMPT_CONFIRM,
	CONSOLE_PROMPT_RULE,         /* editing an approve-always rule */
	CONSOLE_PROMPT_RULE_CONFIRM, /* its dry run is on screen */
};

#define CONSOLE_PUMP_MS       250
#define CONSOLE_HISTORY_LIMIT 200
#define CONSOLE_REPLAY_LIMIT  5000
#define CONSOLE_READS_LIMIT   500

/* What the history loader's thread owns: its own daemon connection. */
struct console_hist_ctx {
	const struct paths *paths;
	struct client *client; /* opened on the first query */
};

struct console {
	const struct console_opts *o;
	struct client *client;
	struct keymap *km;
	struct theme theme;
	struct draw *draw;
	struct alert *alert;
	struct osc *osc;
	enum osc_notify osc_notify; /* console.conf `notify osc` */
	bool title_off;             /* console.conf `title off` */
	enum console_view view;
	bool help;
	bool quit;
	struct layout_geom geom;

	/* the queue, sorted by urgency; pointers borrowed from the client */
	const struct action **queue;
	int64_t *ids;
	size_t nqueue;
	struct layout_sel sel;

	/* the selected call's detail, kept between frames; partial while a
	 * large one is built and a placeholder stands in for it */
	struct view_detail_cache *detail_cache;
	bool detail_partial;
	/* the detail pane of the selected item; detail_seen counts the lines
	 * [0, n) that have been on screen for detail_id at this width */
	size_t detail_top, detail_seen, detail_lines;
	int64_t detail_id;

	/* history (client_log on the loader's thread) and sessions */
	struct hist_loader *hist_loader;
	struct console_hist_ctx hist_ctx;
	struct action **hist;
	int64_t *hist_ids;
	size_t nhist;
	struct layout_sel hsel;
	struct buf search;
	struct view_session *sessions;
	int64_t *session_ids; /* positions, for the selection */
	size_t nsessions;
	struct layout_sel ssel;

	/* session replay: the session's calls, oldest first */
	struct action **replay;
	int64_t *replay_ids;
	size_t nreplay;
	struct layout_sel rsel;

	/* alerts: borrowed from the client; selected by serial (a notice
	 * has no id) */
	const struct client_alert *alerts;
	int64_t *alert_ids;
	size_t nalerts;
	struct layout_sel asel;
	uint64_t alert_serial_seen;

	/* when the session of read_for_id last read its file (view_diff.h) */
	int64_t read_for_id;
	int64_t read_ms;

	/* approve always: the rule being checked and its dry run */
	char *rule_text;
	struct client_rules_report rule_report;

	enum console_prompt prompt;
	struct buf input;
	int64_t target_id;
	char *message;
	enum theme_role message_role;

	int64_t max_seen_id;
	bool have_snapshot;

	/* AIRLOCK_FRAME_LOG: one line per key, the time from reading it to
	 * the redrawn screen (for bench/bench_console.sh); NULL when off */
	FILE *frame_log;
};

typedef unsigned (*console_handler_fn)(struct console *c);

static int64_t
console_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void console_say(struct console *c, enum theme_role role,
                        const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

static void
console_say(struct console *c, enum theme_role role, const char *fmt, ...)
{
	struct buf b = { 0 };
	va_list ap;

	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	free(c->message);
	c->message = buf_steal(&b);
	c->message_role = role;
}

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
static int
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
static void
console_load_history(struct console *c)
{
	hist_loader_submit(c->hist_loader,
	                   c->search.len ? c->search.data : NULL,
	                   CONSOLE_HISTORY_LIMIT);
}

/* Keys that act on the rows (move, open, the search's count) act on the
 * answer to the latest request: they wait for it. */
static void
console_hist_sync(struct console *c)
{
	struct action **v = NULL;
	size_t n = 0;
	int rc = 0;

	if (hist_loader_wait(c->hist_loader, &v, &n, &rc)) {
		console_hist_install(c, v, n, rc);
	}
}

static unsigned
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

static void
console_load_sessions(struct console *c)
{
	console_load_history(c);
	console_build_sessions(c);
}

/* The action the detail pane shows, or NULL. */
static const struct action *
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
static int64_t
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

static unsigned
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

/* ---- decisions ------------------------------------------------------------
 */

static void
console_decide(struct console *c, int64_t id, enum client_verdict v,
               const char *reason, const char *updated)
{
	char *err = NULL;
	int rc = client_decide(c->client, id, v, reason, updated, &err);
	char *safe = err ? sanitize_to_string(err, strlen(err), NULL) : NULL;

	if (rc == 0) {
		console_say(
		        c, ROLE_OK, "%s #%lld",
		        v == CLIENT_APPROVE
		                ? (updated ? "approved with edits" : "approved")
		                : "denied",
		        (long long)id);
	} else if (rc == AL_EEXIST) {
		/* someone decided first: their decision stands */
		console_say(c, ROLE_ERROR, "#%lld: %s", (long long)id,
		            safe ? safe : "already decided");
	} else {
		console_say(c, ROLE_ERROR, "#%lld not decided: %s",
		            (long long)id, safe ? safe : al_strerror(rc));
	}
	free(safe);
	free(err);
	console_pump(c);
}

static const struct action *
console_decidable(struct console *c)
{
	const struct action *a;

	if (c->o->readonly) {
		console_say(c, ROLE_ERROR, "read-only console: no decisions");
		return NULL;
	}
	a = c->view == CONSOLE_VIEW_QUEUE ? console_selected(c) : NULL;
	if (a == NULL) {
		console_say(c, ROLE_DIM, "nothing pending is selected");
	}
	return a;
}

static unsigned
console_on_approve(struct console *c)
{
	const struct action *a = console_decidable(c);

	if (a == NULL) {
		return CONSOLE_REDRAW_STATUS;
	}
	if (!layout_is_irreversible(a)) {
		console_decide(c, a->id, CLIENT_APPROVE, NULL, NULL);
		return CONSOLE_REDRAW_ALL;
	}
	/* irreversible: every line of the input must have been on screen */
	if (c->detail_id == a->id && c->detail_partial) {
		console_say(c, ROLE_ERROR,
		            "irreversible: the detail is still being prepared");
		return CONSOLE_REDRAW_STATUS;
	}
	if (c->detail_id != a->id || c->detail_seen < c->detail_lines) {
		console_say(
		        c, ROLE_ERROR,
		        "irreversible: scroll through the whole detail first "
		        "(%zu of %zu lines seen)",
		        c->detail_id == a->id ? c->detail_seen : 0,
		        c->detail_lines);
		return CONSOLE_REDRAW_STATUS;
	}
	c->prompt = CONSOLE_PROMPT_CONFIRM;
	c->target_id = a->id;
	console_say(c, ROLE_PROMPT,
	            "IRREVERSIBLE action #%lld: press y to approve, any other "
	            "key cancels",
	            (long long)a->id);
	return CONSOLE_REDRAW_STATUS;
}

static unsigned
console_on_deny(struct console *c)
{
	const struct action *a = console_decidable(c);

	if (a == NULL) {
		return CONSOLE_REDRAW_STATUS;
	}
	c->prompt = CONSOLE_PROMPT_DENY;
	c->target_id = a->id;
	buf_reset(&c->input);
	console_say(c, ROLE_PROMPT, "Reason for denying #%lld (Esc cancels): ",
	            (long long)a->id);
	return CONSOLE_REDRAW_STATUS;
}

static char *
console_read_file(const char *path)
{
	FILE *f = fopen(path, "r");
	struct buf b = { 0 };
	char chunk[4096];
	size_t n;

	if (f == NULL) {
		return NULL;
	}
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
		buf_append(&b, chunk, n);
	}
	fclose(f);
	return buf_steal(&b);
}

/* Runs $VISUAL or $EDITOR (else vi) on path with the terminal given back;
 * true when it exited 0. fork()+exec() only: nng forbids anything else in
 * a child. */
static bool
console_run_editor(const char *path)
{
	pid_t pid;
	int status = 0;

	def_prog_mode();
	endwin();
	pid = fork();
	if (pid == 0) {
		execl("/bin/sh", "sh", "-c",
		      "exec ${VISUAL:-${EDITOR:-vi}} \"$1\"", "airlock-edit",
		      path, (char *)NULL);
		_exit(127);
	}
	while (pid > 0 && waitpid(pid, &status, 0) < 0 && errno == EINTR) {
	}
	reset_prog_mode();
	refresh();
	return pid > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

static char *
console_edit_text(const char *text)
{
	char path[] = "/tmp/airlock-edit-XXXXXX";
	int fd = mkstemp(path);
	char *out = NULL;
	size_t len = strlen(text);

	if (fd < 0) {
		return NULL;
	}
	if (write(fd, text, len) == (ssize_t)len && write(fd, "\n", 1) == 1 &&
	    console_run_editor(path)) {
		out = console_read_file(path);
	}
	close(fd);
	unlink(path);
	return out;
}

/* Edit then approve: the daemon validates the edited input and keeps
 * both versions; we only check that something changed. */
static unsigned
console_on_edit(struct console *c)
{
	const struct action *a = console_decidable(c);
	int64_t id;
	char *edited;
	size_t n;

	if (a == NULL || a->tool_input == NULL) {
		return CONSOLE_REDRAW_STATUS;
	}
	id = a->id;
	edited = console_edit_text(a->tool_input);
	if (edited == NULL) {
		console_say(c, ROLE_ERROR, "editor failed: #%lld not approved",
		            (long long)id);
		return CONSOLE_REDRAW_CLEAR;
	}
	n = strlen(edited);
	while (n > 0 && strchr(" \t\r\n", edited[n - 1]) != NULL) {
		edited[--n] = '\0';
	}
	/* the pending set may have changed while the editor ran */
	console_pump(c);
	a = console_selected(c);
	if (a != NULL && a->id == id && strcmp(edited, a->tool_input) == 0) {
		console_say(c, ROLE_DIM, "input unchanged: #%lld not approved",
		            (long long)id);
	} else {
		console_decide(c, id, CLIENT_APPROVE, NULL, edited);
	}
	free(edited);
	return CONSOLE_REDRAW_CLEAR;
}

/* A decidable call that a rule may cover: never an irreversible one,
 * which is approved alone, with its whole detail seen. */
static const struct action *
console_generalisable(struct console *c)
{
	const struct action *a = console_decidable(c);

	if (a != NULL && layout_is_irreversible(a)) {
		console_say(c, ROLE_ERROR,
		            "irreversible: no rule for this one; approve it "
		            "alone with a");
		return NULL;
	}
	return a;
}

static void
console_rules_error(struct console *c, int64_t id, int rc, const char *err)
{
	char *safe = err ? sanitize_to_string(err, strlen(err), NULL) : NULL;

	console_say(c, ROLE_ERROR, "#%lld not approved: %s", (long long)id,
	            safe ? safe : al_strerror(rc));
	free(safe);
}

static unsigned
console_on_approve_session(struct console *c)
{
	const struct action *a = console_generalisable(c);
	char *rule = NULL, *err = NULL;
	int64_t id;
	int rc;

	if (a == NULL) {
		return CONSOLE_REDRAW_STATUS;
	}
	id = a->id;
	rc = client_rules_approve_session(c->o->paths, id, &rule, &err);
	if (rc != 0) {
		console_rules_error(c, id, rc, err);
	} else {
		char *safe = sanitize_to_string(rule ? rule : "",
		                                rule ? strlen(rule) : 0, NULL);

		console_say(c, ROLE_OK,
		            "approved #%lld; for the rest of its session: %s",
		            (long long)id, safe);
		free(safe);
	}
	free(rule);
	free(err);
	console_pump(c);
	return CONSOLE_REDRAW_ALL;
}

static void
console_rule_reset(struct console *c)
{
	free(c->rule_text);
	c->rule_text = NULL;
	client_rules_report_clear(&c->rule_report);
}

/* Opens the rule prompt on text (the proposal, or what was typed). */
static void
console_rule_prompt(struct console *c, const char *text)
{
	c->prompt = CONSOLE_PROMPT_RULE;
	buf_reset(&c->input);
	buf_puts(&c->input, text);
	console_say(c, ROLE_PROMPT,
	            "Allow always (Enter: dry run, Esc cancels): ");
}

static unsigned
console_on_approve_always(struct console *c)
{
	const struct action *a = console_generalisable(c);
	char *rule = NULL, *err = NULL;

	if (a == NULL) {
		return CONSOLE_REDRAW_STATUS;
	}
	c->target_id = a->id;
	/* no proposal (a compound command): the approver writes one */
	if (client_rules_propose(c->o->paths, a->id, &rule, &err) != 0) {
		rule = xstrdup(a->tool_name ? a->tool_name : "");
	}
	console_rule_prompt(c, rule);
	free(rule);
	free(err);
	return CONSOLE_REDRAW_ALL;
}

/* Enter on the rule prompt: the dry run, shown before anything is saved. */
static unsigned
console_rule_check(struct console *c)
{
	char *err = NULL;
	int rc;

	console_rule_reset(c);
	c->rule_text = xstrdup(c->input.data ? c->input.data : "");
	rc = client_rules_check(c->o->paths, c->rule_text, &c->rule_report,
	                        &err);
	if (rc != 0) {
		char *safe = err ? sanitize_to_string(err, strlen(err), NULL)
		                 : xstrdup(al_strerror(rc));

		console_say(c, ROLE_ERROR, "%s; edit the rule: ", safe);
		free(safe);
		free(err);
		return CONSOLE_REDRAW_ALL;
	}
	c->prompt = CONSOLE_PROMPT_RULE_CONFIRM;
	console_say(c, ROLE_PROMPT,
	            "y saves the rule and approves #%lld; e edits it; any "
	            "other key cancels",
	            (long long)c->target_id);
	return CONSOLE_REDRAW_ALL;
}

static unsigned
console_rule_confirm(struct console *c, uint32_t key)
{
	int64_t id = c->target_id;
	char *err = NULL;
	int rc;

	if (key == 'e') {
		char *text = xstrdup(c->rule_text ? c->rule_text : "");

		console_rule_reset(c);
		console_rule_prompt(c, text);
		free(text);
		return CONSOLE_REDRAW_ALL;
	}
	c->prompt = CONSOLE_PROMPT_NONE;
	buf_reset(&c->input);
	if (key != 'y' && key != 'Y') {
		console_rule_reset(c);
		console_say(c, ROLE_DIM, "cancelled: no rule saved");
		return CONSOLE_REDRAW_ALL;
	}
	rc = client_rules_approve_always(c->o->paths, id, c->rule_text, &err);
	if (rc != 0) {
		console_rules_error(c, id, rc, err);
	} else {
		char *safe = sanitize_to_string(c->rule_text,
		                                strlen(c->rule_text), NULL);

		console_say(c, ROLE_OK, "approved #%lld; rule saved: %s",
		            (long long)id, safe);
		free(safe);
	}
	free(err);
	console_rule_reset(c);
	console_pump(c);
	return CONSOLE_REDRAW_ALL;
}

/* ---- navigation ------------------------------------------------------------
 */

static void
console_move(struct console *c, long delta)
{
	if (c->view == CONSOLE_VIEW_HISTORY ||
	    c->view == CONSOLE_VIEW_SESSIONS) {
		console_hist_sync(c);
	}
	switch (c->view) {
	case CONSOLE_VIEW_QUEUE:
		layout_sel_move(&c->sel, c->ids, c->nqueue, delta);
		break;
	case CONSOLE_VIEW_HISTORY:
		layout_sel_move(&c->hsel, c->hist_ids, c->nhist, delta);
		break;
	case CONSOLE_VIEW_SESSIONS:
		layout_sel_move(&c->ssel, c->session_ids, c->nsessions, delta);
		break;
	case CONSOLE_VIEW_REPLAY:
		layout_sel_move(&c->rsel, c->replay_ids, c->nreplay, delta);
		break;
	case CONSOLE_VIEW_ALERTS:
		layout_sel_move(&c->asel, c->alert_ids, c->nalerts, delta);
		break;
	}
}

static unsigned
console_on_up(struct console *c)
{
	console_move(c, -1);
	return CONSOLE_REDRAW_ALL;
}

static unsigned
console_on_down(struct console *c)
{
	console_move(c, 1);
	return CONSOLE_REDRAW_ALL;
}

static unsigned
console_on_first(struct console *c)
{
	console_move(c, LONG_MIN / 2);
	return CONSOLE_REDRAW_ALL;
}

static unsigned
console_on_last(struct console *c)
{
	console_move(c, LONG_MAX / 2);
	return CONSOLE_REDRAW_ALL;
}

static void
console_scroll(struct console *c, long delta)
{
	long top = (long)c->detail_top + delta;

	/* clamped to the content when the frame is computed */
	c->detail_top = top < 0 ? 0 : (size_t)top;
}

static unsigned
console_on_scroll_down(struct console *c)
{
	console_scroll(c, 1);
	return CONSOLE_REDRAW_DETAIL;
}

static unsigned
console_on_scroll_up(struct console *c)
{
	console_scroll(c, -1);
	return CONSOLE_REDRAW_DETAIL;
}

static unsigned
console_on_page_down(struct console *c)
{
	console_scroll(c, c->geom.detail_h > 2 ? c->geom.detail_h - 1 : 1);
	return CONSOLE_REDRAW_DETAIL;
}

static unsigned
console_on_page_up(struct console *c)
{
	console_scroll(c, -(c->geom.detail_h > 2 ? c->geom.detail_h - 1 : 1));
	return CONSOLE_REDRAW_DETAIL;
}

static unsigned
console_on_view_queue(struct console *c)
{
	c->view = CONSOLE_VIEW_QUEUE;
	c->help = false;
	return CONSOLE_REDRAW_ALL;
}

static unsigned
console_on_view_history(struct console *c)
{
	c->view = CONSOLE_VIEW_HISTORY;
	c->help = false;
	console_load_history(c);
	return CONSOLE_REDRAW_ALL;
}

static unsigned
console_on_view_sessions(struct console *c)
{
	c->view = CONSOLE_VIEW_SESSIONS;
	c->help = false;
	console_load_sessions(c);
	return CONSOLE_REDRAW_ALL;
}

static unsigned
console_on_view_alerts(struct console *c)
{
	c->view = CONSOLE_VIEW_ALERTS;
	c->help = false;
	return CONSOLE_REDRAW_ALL;
}

/* K in the alerts view: the daemon records who acknowledged (peer
 * credentials) and tells every console; the first acknowledgement wins. */
static unsigned
console_on_ack_alert(struct console *c)
{
	const struct client_alert *al;
	char *err = NULL, *safe;
	int64_t id;
	int rc;

	if (c->view != CONSOLE_VIEW_ALERTS || c->nalerts == 0) {
		console_say(c, ROLE_DIM, "no alert is selected");
		return CONSOLE_REDRAW_STATUS;
	}
	if (c->o->readonly) {
		console_say(c, ROLE_ERROR,
		            "read-only console: no acknowledging");
		return CONSOLE_REDRAW_STATUS;
	}
	al = &c->alerts[c->asel.index];
	/* one already acknowledged still goes to the daemon, which says by
	 * whom: its record is the truth, not our copy */
	if (al->id <= 0) {
		console_say(c, ROLE_DIM,
		            "a notice from the daemon: nothing to acknowledge");
		return CONSOLE_REDRAW_STATUS;
	}
	id = al->id;
	rc = client_alert_ack(c->o->paths, id, &err);
	safe = err ? sanitize_to_string(err, strlen(err), NULL) : NULL;
	if (rc == 0) {
		console_say(c, ROLE_OK, "alert #%lld acknowledged",
		            (long long)id);
	} else {
		console_say(c, ROLE_ERROR, "alert #%lld: %s", (long long)id,
		            safe ? safe : al_strerror(rc));
	}
	free(safe);
	free(err);
	console_pump(c);
	return CONSOLE_REDRAW_ALL;
}

static unsigned
console_on_search(struct console *c)
{
	if (c->view != CONSOLE_VIEW_HISTORY) {
		console_on_view_history(c);
	}
	c->prompt = CONSOLE_PROMPT_SEARCH;
	console_say(c, ROLE_PROMPT, "Search (Enter keeps, Esc clears): ");
	return CONSOLE_REDRAW_ALL;
}

/* Loads the replay of a session and selects the call that id stands
 * for (0: the first). */
static void
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

/* Enter: a session opens its replay; a history row opens its call in its
 * session's replay (read-only: decisions are only made in the queue). */
static unsigned
console_on_open(struct console *c)
{
	char *sid = NULL;
	int64_t id = 0;

	if (c->view == CONSOLE_VIEW_SESSIONS ||
	    c->view == CONSOLE_VIEW_HISTORY) {
		console_hist_sync(c);
	}
	if (c->view == CONSOLE_VIEW_SESSIONS && c->nsessions > 0) {
		sid = xstrdup(c->sessions[c->ssel.index].session_id);
	} else if (c->view == CONSOLE_VIEW_HISTORY && c->nhist > 0 &&
	           c->hist[c->hsel.index]->session_id != NULL) {
		sid = xstrdup(c->hist[c->hsel.index]->session_id);
		id = c->hist[c->hsel.index]->id;
	}
	if (sid == NULL) {
		console_say(c, ROLE_DIM, "nothing to open here");
		return CONSOLE_REDRAW_STATUS;
	}
	console_load_replay(c, sid, id);
	free(sid);
	c->view = CONSOLE_VIEW_REPLAY;
	c->help = false;
	return CONSOLE_REDRAW_ALL;
}

static unsigned
console_on_next_call(struct console *c)
{
	console_move(c, 1);
	return CONSOLE_REDRAW_ALL;
}

static unsigned
console_on_prev_call(struct console *c)
{
	console_move(c, -1);
	return CONSOLE_REDRAW_ALL;
}

static unsigned
console_on_help(struct console *c)
{
	c->help = !c->help;
	return CONSOLE_REDRAW_ALL;
}

static unsigned
console_on_redraw(struct console *c)
{
	(void)c;
	return CONSOLE_REDRAW_ALL | CONSOLE_REDRAW_CLEAR;
}

static unsigned
console_on_quit(struct console *c)
{
	c->quit = true;
	return CONSOLE_REDRAW_NONE;
}

static const console_handler_fn console_handlers[ACT__COUNT] = {
	[ACT_APPROVE] = console_on_approve,
	[ACT_DENY] = console_on_deny,
	[ACT_EDIT] = console_on_edit,
	[ACT_APPROVE_ALWAYS] = console_on_approve_always,
	[ACT_APPROVE_SESSION] = console_on_approve_session,
	[ACT_UP] = console_on_up,
	[ACT_DOWN] = console_on_down,
	[ACT_FIRST] = console_on_first,
	[ACT_LAST] = console_on_last,
	[ACT_SCROLL_DOWN] = console_on_scroll_down,
	[ACT_SCROLL_UP] = console_on_scroll_up,
	[ACT_PAGE_DOWN] = console_on_page_down,
	[ACT_PAGE_UP] = console_on_page_up,
	[ACT_VIEW_QUEUE] = console_on_view_queue,
	[ACT_VIEW_HISTORY] = console_on_view_history,
	[ACT_VIEW_SESSIONS] = console_on_view_sessions,
	[ACT_VIEW_ALERTS] = console_on_view_alerts,
	[ACT_ACK_ALERT] = console_on_ack_alert,
	[ACT_SEARCH] = console_on_search,
	[ACT_OPEN] = console_on_open,
	[ACT_NEXT_CALL] = console_on_next_call,
	[ACT_PREV_CALL] = console_on_prev_call,
	[ACT_HELP] = console_on_help,
	[ACT_REDRAW] = console_on_redraw,
	[ACT_QUIT] = console_on_quit,
};

/* ---- the prompt line --------------------------------------------------------
 */

static void
console_input_utf8(struct buf *b, uint32_t cp)
{
	char mb[8];
	int n = 0;

	if (cp < 0x80) {
		mb[n++] = (char)cp;
	} else if (cp < 0x800) {
		mb[n++] = (char)(0xc0 | cp >> 6);
		mb[n++] = (char)(0x80 | (cp & 0x3f));
	} else if (cp < 0x10000) {
		mb[n++] = (char)(0xe0 | cp >> 12);
		mb[n++] = (char)(0x80 | ((cp >> 6) & 0x3f));
		mb[n++] = (char)(0x80 | (cp & 0x3f));
	} else {
		mb[n++] = (char)(0xf0 | cp >> 18);
		mb[n++] = (char)(0x80 | ((cp >> 12) & 0x3f));
		mb[n++] = (char)(0x80 | ((cp >> 6) & 0x3f));
		mb[n++] = (char)(0x80 | (cp & 0x3f));
	}
	buf_append(b, mb, (size_t)n);
}

static void
console_input_backspace(struct buf *b)
{
	while (b->len > 0) {
		char ch = b->data[--b->len];

		if (((unsigned char)ch & 0xc0) != 0x80) {
			break;
		}
	}
	if (b->data != NULL) {
		b->data[b->len] = '\0';
	}
}

static void
console_prompt_done(struct console *c)
{
	c->prompt = CONSOLE_PROMPT_NONE;
	buf_reset(&c->input);
}

static unsigned
console_prompt_submit(struct console *c)
{
	if (c->prompt == CONSOLE_PROMPT_SEARCH) {
		console_prompt_done(c);
		console_hist_sync(c);
		console_say(c, ROLE_DIM, "%zu results", c->nhist);
		return CONSOLE_REDRAW_ALL;
	}
	if (c->prompt == CONSOLE_PROMPT_RULE) {
		return console_rule_check(c);
	}
	if (c->input.len == 0) {
		console_say(
		        c, ROLE_PROMPT,
		        "A reason is required; it reaches the agent. Reason "
		        "for denying #%lld (Esc cancels): ",
		        (long long)c->target_id);
		return CONSOLE_REDRAW_STATUS;
	}
	char *reason = xstrdup(c->input.data);

	console_prompt_done(c);
	console_decide(c, c->target_id, CLIENT_DENY, reason, NULL);
	free(reason);
	return CONSOLE_REDRAW_ALL;
}

static unsigned
console_prompt_key(struct console *c, uint32_t key)
{
	if (c->prompt == CONSOLE_PROMPT_CONFIRM) {
		int64_t id = c->target_id;

		console_prompt_done(c);
		if (key == 'y' || key == 'Y') {
			console_decide(c, id, CLIENT_APPROVE, NULL, NULL);
		} else {
			console_say(c, ROLE_DIM,
			            "cancelled: #%lld not approved",
			            (long long)id);
		}
		return CONSOLE_REDRAW_ALL;
	}
	if (c->prompt == CONSOLE_PROMPT_RULE_CONFIRM) {
		return console_rule_confirm(c, key);
	}
	if (key == INPUT_KEY_ESC) {
		bool search = c->prompt == CONSOLE_PROMPT_SEARCH;

		console_prompt_done(c);
		console_rule_reset(c);
		console_say(c, ROLE_DIM, "cancelled");
		if (search) {
			buf_reset(&c->search);
			console_load_history(c);
		}
		return CONSOLE_REDRAW_ALL;
	}
	if (key == INPUT_KEY_ENTER) {
		return console_prompt_submit(c);
	}
	if (key == INPUT_KEY_BACKSPACE) {
		console_input_backspace(&c->input);
	} else if (key >= 0x20 && key < INPUT_KEY_BASE && key != 0x7f) {
		console_input_utf8(&c->input, key);
	}
	if (c->prompt == CONSOLE_PROMPT_SEARCH) {
		buf_reset(&c->search);
		buf_puts(&c->search, c->input.data ? c->input.data : "");
		console_load_history(c);
	}
	return CONSOLE_REDRAW_ALL;
}

/* ---- the frame: computed first, then drawn --------------------------------
 */

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

static enum keymap_ctx
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

static void
console_list_history(struct console *c, int64_t now, struct console_frame *f)
{
	int cols = c->geom.cols;
	size_t h = (size_t)c->geom.list_h;

	view_history_header(cols, layout_push(&f->list));
	layout_sel_scroll(&c->hsel, h);
	for (size_t i = c->hsel.top; i < c->nhist && i < c->hsel.top + h; i++) {
		view_history_row(c->hist[i], now, cols, i == c->hsel.index,
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
console_list_replay(struct console *c, int64_t now, struct console_frame *f)
{
	int cols = c->geom.cols;
	size_t h = (size_t)c->geom.list_h;

	view_history_header(cols, layout_push(&f->list));
	layout_sel_scroll(&c->rsel, h);
	for (size_t i = c->rsel.top; i < c->nreplay && i < c->rsel.top + h;
	     i++) {
		view_history_row(c->replay[i], now, cols, i == c->rsel.index,
		                 layout_push(&f->list));
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
		                                  console_read_ms(c, a),
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
		console_list_history(c, now, f);
	} else if (c->view == CONSOLE_VIEW_REPLAY) {
		console_list_replay(c, now, f);
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

static void
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

/* ---- input ------------------------------------------------------------------
 */

static unsigned
console_mouse(struct console *c, const struct input_event *ev)
{
	struct layout_sel *sel = c->view == CONSOLE_VIEW_QUEUE     ? &c->sel
	                         : c->view == CONSOLE_VIEW_HISTORY ? &c->hsel
	                         : c->view == CONSOLE_VIEW_REPLAY  ? &c->rsel
	                         : c->view == CONSOLE_VIEW_ALERTS  ? &c->asel
	                                                           : &c->ssel;
	int row = ev->y - (c->geom.list_y + 1);

	if (ev->kind == INPUT_WHEEL_UP || ev->kind == INPUT_WHEEL_DOWN) {
		console_scroll(c, ev->kind == INPUT_WHEEL_UP ? -3 : 3);
		return CONSOLE_REDRAW_DETAIL;
	}
	if (row < 0 || row >= c->geom.list_h ||
	    c->prompt != CONSOLE_PROMPT_NONE) {
		return CONSOLE_REDRAW_NONE;
	}
	console_move(c, (long)(sel->top + (size_t)row) - (long)sel->index);
	return CONSOLE_REDRAW_ALL;
}

static unsigned
console_key(struct console *c, uint32_t key)
{
	enum tui_action act;
	char name[32];

	if (c->prompt != CONSOLE_PROMPT_NONE) {
		return console_prompt_key(c, key);
	}
	act = keymap_lookup(c->km, console_ctx(c), key);
	if (act == ACT_NONE && c->help) {
		/* any other key closes the help */
		c->help = false;
		return CONSOLE_REDRAW_ALL;
	}
	if (act == ACT_NONE || console_handlers[act] == NULL) {
		console_say(c, ROLE_DIM,
		            "%s is not bound here; ? shows the keys",
		            keymap_key_name(key, name, sizeof name));
		return CONSOLE_REDRAW_STATUS;
	}
	return console_handlers[act](c);
}

static unsigned
console_input(struct console *c, const struct input_event *ev)
{
	switch (ev->kind) {
	case INPUT_KEY:
		return console_key(c, ev->key);
	case INPUT_RESIZE:
		/* rows wrap differently now: what was seen must be seen again
		 */
		c->detail_seen = 0;
		return CONSOLE_REDRAW_ALL | CONSOLE_REDRAW_CLEAR;
	case INPUT_CLICK:
	case INPUT_WHEEL_UP:
	case INPUT_WHEEL_DOWN:
		return console_mouse(c, ev);
	default:
		return CONSOLE_REDRAW_NONE;
	}
}

/* ---- set-up
 * ------------------------------------------------------------------ */

/* Reads console.conf: key bindings and the theme. Problems are reported on
 * the message line, never fatal. */
static char *
console_config(struct console *c, char **theme)
{
	char *path = c->o->config_path ? xstrdup(c->o->config_path)
	                               : xasprintf("%s/console.conf",
	                                           c->o->paths->config_dir);
	char *text = console_read_file(path);
	char *problem = NULL;
	char *save = NULL;
	int lineno = 0;

	for (char *line = text ? strtok_r(text, "\n", &save) : NULL;
	     line != NULL; line = strtok_r(NULL, "\n", &save)) {
		char *err = NULL;
		char name[128];

		lineno++;
		if (sscanf(line, " theme %127s", name) == 1) {
			free(*theme);
			*theme = xstrdup(name);
		} else if (sscanf(line, " notify %127s", name) == 1 &&
		           osc_notify_parse(name, &c->osc_notify)) {
			/* `notify osc`: OSC 777/9 through the terminal */
		} else if (sscanf(line, " title %127s", name) == 1 &&
		           (strcmp(name, "off") == 0 ||
		            strcmp(name, "on") == 0)) {
			c->title_off = strcmp(name, "off") == 0;
		} else if (keymap_parse_line(c->km, line, &err) != 0 &&
		           problem == NULL) {
			problem = xasprintf("%s:%d: %s", path, lineno,
			                    err ? err : "not understood");
		}
		free(err);
	}
	free(text);
	free(path);
	return problem;
}

static void
console_theme_dirs(const struct console *c, char **dirs, size_t max)
{
	char exe[4096];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	size_t k = 0;

	dirs[k++] = xasprintf("%s/themes", c->o->paths->config_dir);
	if (getenv("AIRLOCK_THEME_DIR") != NULL && k < max - 1) {
		dirs[k++] = xstrdup(getenv("AIRLOCK_THEME_DIR"));
	}
	if (n > 0) {
		exe[n] = '\0';
		*strrchr(exe, '/') = '\0';
		/* installed, then a build tree next to the sources */
		dirs[k++] = xasprintf("%s/../share/airlock/themes", exe);
		dirs[k++] = xasprintf("%s/../../themes", exe);
	}
	dirs[k++] = xstrdup("/usr/share/airlock/themes");
	dirs[k] = NULL;
}

/* NO_COLOR (any value) or a terminal without colours: attributes only. */
static char *
console_theme(struct console *c, const char *name, bool *colour)
{
	const char *nc = getenv("NO_COLOR");
	char *dirs[8] = { 0 };
	char *err = NULL;

	*colour = has_colors() && (nc == NULL || *nc == '\0') &&
	          (name == NULL || strcmp(name, "mono") != 0);
	theme_defaults(&c->theme, *colour);
	if (!*colour && (name == NULL || strcmp(name, "mono") != 0)) {
		return NULL;
	}
	console_theme_dirs(c, dirs, 8);
	if (theme_load(&c->theme, name ? name : "dark",
	               (const char *const *)dirs, &err) != 0 &&
	    name == NULL) {
		/* the built-in dark palette is the same theme */
		free(err);
		err = NULL;
	}
	for (size_t i = 0; dirs[i] != NULL; i++) {
		free(dirs[i]);
	}
	return err;
}

static void
console_screen_init(void)
{
	setlocale(LC_ALL, "");
	initscr();
	input_setup(true);
	curs_set(0);
}

static int
console_setup(struct console *c)
{
	char *theme = c->o->theme ? xstrdup(c->o->theme) : NULL;
	char *problem, *theme_err;
	bool colour;
	int rc = client_open(&c->client, c->o->paths);

	if (rc != 0) {
		fprintf(stderr, "airlock: cannot open the daemon client: %s\n",
		        al_strerror(rc));
		free(theme);
		return rc;
	}
	c->detail_cache = view_detail_cache_new();
	c->hist_ctx.paths = c->o->paths;
	rc = hist_loader_new(&c->hist_loader, console_hist_query, &c->hist_ctx);
	if (rc != 0) {
		fprintf(stderr,
		        "airlock: cannot start the history loader: %s\n",
		        al_strerror(rc));
		free(theme);
		return rc;
	}
	c->km = keymap_new();
	keymap_load_defaults(c->km);
	problem = console_config(c, &theme);
	console_screen_init();
	theme_err =
	        console_theme(c, c->o->theme ? c->o->theme : theme, &colour);
	c->draw = draw_new(&c->theme, colour);
	c->alert = alert_new(!c->o->no_notify);
	if (c->o->osc_notify && c->osc_notify == OSC_NOTIFY_OFF) {
		c->osc_notify = OSC_NOTIFY_AUTO;
	}
	c->osc = osc_new(c->title_off ? NULL : getenv("TERM"), c->osc_notify);
	if (getenv("AIRLOCK_FRAME_LOG") != NULL &&
	    *getenv("AIRLOCK_FRAME_LOG") != '\0') {
		c->frame_log = fopen(getenv("AIRLOCK_FRAME_LOG"), "a");
	}
	if (problem != NULL || theme_err != NULL) {
		console_say(c, ROLE_ERROR, "%s", problem ? problem : theme_err);
	}
	free(problem);
	free(theme_err);
	free(theme);
	return 0;
}

static void
console_teardown(struct console *c)
{
	if (c->draw != NULL) {
		endwin();
	}
	osc_free(c->osc); /* after endwin: the title goes back last */
	alert_free(c->alert);
	draw_free(c->draw);
	keymap_free(c->km);
	view_detail_cache_free(c->detail_cache);
	hist_loader_free(c->hist_loader); /* its thread uses hist_ctx */
	client_close(c->hist_ctx.client);
	client_close(c->client);
	client_actions_free(c->hist, c->nhist);
	view_sessions_free(c->sessions, c->nsessions);
	free(c->session_ids);
	view_replay_free(c->replay, c->nreplay);
	free(c->replay_ids);
	console_rule_reset(c);
	free(c->hist_ids);
	free(c->queue);
	free(c->ids);
	free(c->alert_ids);
	free(c->message);
	buf_free(&c->search);
	buf_free(&c->input);
	if (c->frame_log != NULL) {
		fclose(c->frame_log);
	}
}

/* ---- the loop
 * ------------------------------------------------------------------ */

/* ---- the frame timer (AIRLOCK_FRAME_LOG) -------------------------------
 * Opt-in: without the variable, each key costs one NULL test. */

struct console_timing {
	struct timespec t0;
	char what[48]; /* the action the key stood for, before handling it */
};

static double
console_timing_ms(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) * 1e3 +
	       (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}

static void
console_timing_now(const struct console *c, struct timespec *t)
{
	if (c->frame_log != NULL) {
		clock_gettime(CLOCK_MONOTONIC, t);
	}
}

/* Work between keys (the daemon's events, the clock's frame): a key that
 * arrives meanwhile waits for it, which the key's own line cannot show. */
static void
console_timing_work(const struct console *c, const char *what,
                    const struct timespec *t0, unsigned mask)
{
	if (c->frame_log != NULL) {
		fprintf(c->frame_log, "work=%s ms=%.3f mask=%u\n", what,
		        console_timing_ms(t0), mask);
		fflush(c->frame_log);
	}
}

static void
console_timing_start(const struct console *c, const struct input_event *ev,
                     struct console_timing *t)
{
	char key[24];

	if (c->frame_log == NULL) {
		return;
	}
	clock_gettime(CLOCK_MONOTONIC, &t->t0);
	if (ev->kind != INPUT_KEY) {
		snprintf(t->what, sizeof t->what, "event-%d key=-",
		         (int)ev->kind);
		return;
	}
	keymap_key_name(ev->key, key, sizeof key);
	snprintf(t->what, sizeof t->what, "%s key=%s",
	         c->prompt != CONSOLE_PROMPT_NONE
	                 ? "prompt"
	                 : keymap_action_name(keymap_lookup(
	                           c->km, console_ctx(c), ev->key)),
	         key);
}

static void
console_timing_end(const struct console *c, const struct console_timing *t,
                   bool drawn)
{
	if (c->frame_log == NULL) {
		return;
	}
	fprintf(c->frame_log, "frame_ms=%.3f act=%s view=%s drawn=%d\n",
	        console_timing_ms(&t->t0), t->what, console_view_names[c->view],
	        drawn ? 1 : 0);
	fflush(c->frame_log);
}

/* A large detail built on the worker is ready: it replaces the
 * placeholder, and what was seen of that must be seen again. */
static unsigned
console_detail_ready(struct console *c)
{
	struct timespec t0 = { 0 };

	console_timing_now(c, &t0);
	if (!view_detail_cache_collect(c->detail_cache)) {
		return CONSOLE_REDRAW_NONE;
	}
	c->detail_seen = 0;
	console_timing_work(c, "detail", &t0, CONSOLE_REDRAW_DETAIL);
	return CONSOLE_REDRAW_DETAIL;
}

static unsigned
console_wait(struct console *c, int64_t *last_tick)
{
	struct pollfd p[4] = {
		{ .fd = STDIN_FILENO, .events = POLLIN },
		{ .fd = client_event_fd(c->client), .events = POLLIN },
		{ .fd = view_detail_cache_fd(c->detail_cache),
		  .events = POLLIN },
		{ .fd = hist_loader_fd(c->hist_loader), .events = POLLIN },
	};
	int64_t now = console_now_ms();
	int timeout = (int)(1000 - now % 1000);
	unsigned mask = 0;
	struct input_event ev;

	/* poll() skips the entries whose fd is -1 */
	if (poll(p, 4, timeout) < 0 && errno != EINTR) {
		c->quit = true;
		return 0;
	}
	if (p[3].revents & POLLIN) {
		struct timespec t0 = { 0 };

		console_timing_now(c, &t0);
		mask |= console_hist_ready(c);
		console_timing_work(c, "hist", &t0, mask);
	}
	if (p[2].revents & POLLIN) {
		mask |= console_detail_ready(c);
	}
	now = console_now_ms();
	/* every second: countdowns move, and a lost daemon is retried */
	if (now / 1000 != *last_tick / 1000 || (p[1].revents & POLLIN)) {
		struct timespec t0 = { 0 };

		console_timing_now(c, &t0);
		mask |= console_pump(c);
		console_timing_work(c, "pump", &t0, mask);
	}
	if (now / 1000 != *last_tick / 1000) {
		*last_tick = now;
		mask |= CONSOLE_REDRAW_LIST;
	}
	/* a frame per key: a page the approver flipped past must really have
	 * been drawn before it counts as seen */
	while (!c->quit && input_read(&ev)) {
		struct console_timing t;

		console_timing_start(c, &ev, &t);
		unsigned m = console_input(c, &ev);

		if (m != 0 && !c->quit) {
			console_frame(c, m | mask);
			mask = 0;
		}
		console_timing_end(c, &t, m != 0 && !c->quit);
	}
	return mask;
}

int
console_run(const struct console_opts *o)
{
	struct console c = { .o = o };
	int64_t tick = 0;
	int rc = console_setup(&c);

	if (rc != 0) {
		console_teardown(&c);
		return rc;
	}
	console_pump(&c);
	console_frame(&c, CONSOLE_REDRAW_ALL);
	while (!c.quit) {
		unsigned mask = console_wait(&c, &tick);

		if (mask != 0 && !c.quit) {
			struct timespec t0 = { 0 };

			console_timing_now(&c, &t0);
			console_frame(&c, mask);
			console_timing_work(&c, "frame", &t0, mask);
		}
	}
	console_teardown(&c);
	return 0;
}
