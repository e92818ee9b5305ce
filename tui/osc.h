#ifndef AIRLOCK_TUI_OSC_H
#define AIRLOCK_TUI_OSC_H

#include <stdbool.h>
#include <stddef.h>

#include "core/buf.h"

/*
 * What reaches an approver without a desktop (over SSH): the terminal's
 * title carries the pending count ("airlock: 3 pending"), and, opt-in,
 * OSC 777 / OSC 9 desktop notifications for terminals that show them.
 *
 * Nothing the agent wrote goes into a sequence raw: the title holds only
 * counts, and notification text is the sanitiser's rendering with every
 * control character removed (osc_clean), so it cannot end the sequence
 * early or start another one. The title is only set on terminals that
 * support it (terminfo hs/tsl/fsl, or a terminal family known to take
 * OSC 2), and is restored on exit (xterm's title stack; terminals without
 * one get an empty title rather than a stale count).
 *
 * The osc_seq_* and osc_title_* functions are pure and tested; struct osc
 * writes to the terminal.
 */

enum osc_notify {
	OSC_NOTIFY_OFF,
	OSC_NOTIFY_777,  /* ESC ] 777 ; notify ; title ; body BEL (urxvt, foot,
	                  * VTE-based, WezTerm, kitty) */
	OSC_NOTIFY_9,    /* ESC ] 9 ; text BEL (iTerm2, Windows Terminal,
	                  * ConEmu, kitty, WezTerm) */
	OSC_NOTIFY_AUTO, /* 9 where TERM_PROGRAM/WT_SESSION name one that
	                  * takes it, else 777 */
};

/* A console.conf word: "osc" (auto), "osc777", "osc9", "off"/"none".
 * false when unknown. */
bool osc_notify_parse(const char *word, enum osc_notify *out);
/* AUTO resolved from the environment's TERM_PROGRAM and WT_SESSION (may
 * be NULL); other values are returned as they are. */
enum osc_notify osc_notify_resolve(enum osc_notify n, const char *term_program,
                                   const char *wt_session);

/* "airlock: 3 pending", "airlock: 0 pending, 1 alert". */
void osc_title_text(size_t pending, size_t alerts, char *buf, size_t size);
/* Whether a terminal of this TERM takes OSC 2 (xterm and friends, tmux,
 * screen, rxvt, VTE, kitty, foot ...); never for "linux", "dumb", vt*. */
bool osc_title_term_ok(const char *term);

/* s as safe text for inside an OSC string: rendered by the sanitiser
 * (markers for what is invisible or hostile), then every C0/C1 control
 * and DEL dropped, ';' made ',' when field is set (a field separator of
 * OSC 777), cut at max bytes on a character boundary. Caller frees. */
char *osc_clean(const char *s, size_t max, bool field);

/* Appends the sequence that sets the title to text (already clean):
 * tsl/fsl from terminfo, or OSC 2 when tsl is NULL. */
void osc_seq_title(const char *tsl, const char *fsl, const char *text,
                   struct buf *out);
/* Appends a notification (n: 777 or 9) of title/body (raw: cleaned
 * here). tmux: wrapped for tmux's passthrough (ESC P tmux; ... ESC \). */
void osc_seq_notify(enum osc_notify n, bool tmux, const char *title,
                    const char *body, struct buf *out);

struct osc;

/* After curses is set up (terminfo is read here). term is $TERM; notify
 * is resolved against the environment. The caller frees with
 * osc_free(), which restores the title. */
struct osc *osc_new(const char *term, enum osc_notify notify);
void osc_free(struct osc *o); /* NULL is a no-op */
/* Whether the title is set on this terminal. */
bool osc_title_on(const struct osc *o);
/* Sets the title (our own text: counts) when it changed. */
void osc_title(struct osc *o, const char *text);
/* A notification when enabled; title/body may hold untrusted text. */
void osc_notify(struct osc *o, const char *title, const char *body);

#endif
