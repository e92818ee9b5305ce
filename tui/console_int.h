#ifndef AIRLOCK_TUI_CONSOLE_INT_H
#define AIRLOCK_TUI_CONSOLE_INT_H

/*
 * Internal to the console (console*.c); nothing else includes this: the
 * console's state and the functions its files share.
 *
 *   console.c        set-up, teardown and the poll() loop
 *   console_model.c  the daemon's data: queue, history, sessions, replay,
 *                    alerts and the pump
 *   console_decide.c approve, deny, edit, the approve-always rules
 *   console_keys.c   key and mouse dispatch, navigation, the prompt line
 *   console_frame.c  the frame: computed first, then drawn
 *   console_timing.c the opt-in frame timer (AIRLOCK_FRAME_LOG)
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "core/action.h"
#include "core/buf.h"
#include "ipc/client.h"
#include "tui/console.h"
#include "tui/input.h"
#include "tui/keymap.h"
#include "tui/layout.h"
#include "tui/osc.h"
#include "tui/theme.h"

struct alert;
struct draw;
struct hist_loader;
struct view_detail_cache;
struct view_session;

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

/* A key's handler: changes the state, returns a CONSOLE_REDRAW_* mask and
 * draws nothing. */
typedef unsigned (*console_handler_fn)(struct console *c);

/* ---- console.c ----------------------------------------------------------- */

/* The wall clock in milliseconds (the daemon's deadlines use it too). */
int64_t console_now_ms(void);

/* Replaces the message line. */
void console_say(struct console *c, enum theme_role role, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

/* ---- console_model.c ----------------------------------------------------- */

/* The history query, run on the loader's thread (hist_loader_query_fn);
 * ctx is the console's struct console_hist_ctx. */
int console_hist_query(void *ctx, const char *text, int limit,
                       struct action ***out, size_t *n);

/* Asks for the history rows of the current search; the answer arrives
 * on the loader's descriptor. */
void console_load_history(struct console *c);
/* Waits for the answer to the latest history request and installs it. */
void console_hist_sync(struct console *c);
/* Installs a history answer that is ready; returns a redraw mask. */
unsigned console_hist_ready(struct console *c);
/* Asks for the history and rebuilds the sessions from what is there. */
void console_load_sessions(struct console *c);
/* Loads the replay of a session and selects the call that id stands for
 * (0: the first). */
void console_load_replay(struct console *c, const char *session_id, int64_t id);

/* The action the detail pane shows, or NULL (borrowed until the next
 * pump). */
const struct action *console_selected(const struct console *c);
/* The session's last Read of the file a pending file tool changes
 * (view_diff.h's read time), looked up once per call. */
int64_t console_read_ms(struct console *c, const struct action *a);

/* Takes the daemon's events: the queue and alerts are synced, and new
 * ones ring. Returns a redraw mask. */
unsigned console_pump(struct console *c);

/* ---- console_decide.c ---------------------------------------------------- */

/* Sends a decision and says how it went on the message line. */
void console_decide(struct console *c, int64_t id, enum client_verdict v,
                    const char *reason, const char *updated);

unsigned console_on_approve(struct console *c);
unsigned console_on_deny(struct console *c);
unsigned console_on_edit(struct console *c);
unsigned console_on_approve_session(struct console *c);
unsigned console_on_approve_always(struct console *c);

/* Enter on the rule prompt: the dry run, shown before anything is saved. */
unsigned console_rule_check(struct console *c);
/* A key while the dry run is on screen: y saves, e edits, else cancel. */
unsigned console_rule_confirm(struct console *c, uint32_t key);
/* Forgets the rule being checked and its dry run. */
void console_rule_reset(struct console *c);

/* ---- console_keys.c ------------------------------------------------------ */

/* One terminal event: a key, a resize or the mouse. Returns a redraw
 * mask. */
unsigned console_input(struct console *c, const struct input_event *ev);

/* ---- console_frame.c ----------------------------------------------------- */

/* The view's name, for the status line and the frame log. */
const char *console_view_name(enum console_view v);
/* The keymap context of what is on screen (the help is an overlay). */
enum keymap_ctx console_ctx(const struct console *c);
/* Computes and draws a frame; mask holds CONSOLE_REDRAW_* bits. */
void console_frame(struct console *c, unsigned mask);

/* ---- console_timing.c: the frame timer (AIRLOCK_FRAME_LOG) ---------------
 * Opt-in: without the variable, each key costs one NULL test. */

struct console_timing {
	struct timespec t0;
	char what[48]; /* the action the key stood for, before handling it */
};

/* Sets *t to now when the timer is on. */
void console_timing_now(const struct console *c, struct timespec *t);
/* Logs work between keys (the daemon's events, the clock's frame) that
 * started at t0: a key that arrives meanwhile waits for it, which the
 * key's own line cannot show. */
void console_timing_work(const struct console *c, const char *what,
                         const struct timespec *t0, unsigned mask);
/* Starts timing ev, naming the action it stands for before handling. */
void console_timing_start(const struct console *c, const struct input_event *ev,
                          struct console_timing *t);
/* Logs the time from console_timing_start() to now. */
void console_timing_end(const struct console *c, const struct console_timing *t,
                        bool drawn);

#endif
