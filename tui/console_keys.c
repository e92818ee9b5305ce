/* The console's input: keys through the keymap to a handler table,
 * navigation, the prompt line, the mouse. Handlers return a redraw mask
 * and draw nothing. */
#include "tui/console_int.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "core/al.h"
#include "core/sanitize.h"
#include "core/xalloc.h"
#include "tui/actions.h"
#include "tui/view_history.h"

/* ---- navigation ---------------------------------------------------------- */

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

/* ---- the prompt line ----------------------------------------------------- */

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

/* ---- input --------------------------------------------------------------- */

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

unsigned
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
