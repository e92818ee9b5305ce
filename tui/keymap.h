#ifndef AIRLOCK_TUI_KEYMAP_H
#define AIRLOCK_TUI_KEYMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tui/actions.h"

/*
 * Key bindings as data. The defaults are a table of { "key", ACT_X } rows
 * per context, and user configuration uses the same syntax through the
 * same code: `bind queue a approve`, `unbind queue a`. A lookup tries the
 * view's own context first, then "global".
 */
#define KEYMAP_CONTEXTS(X)      \
	X(GLOBAL, "global")     \
	X(QUEUE, "queue")       \
	X(HISTORY, "history")   \
	X(SESSIONS, "sessions") \
	X(REPLAY, "replay")     \
	X(ALERTS, "alerts")     \
	X(HELP, "help")

enum keymap_ctx {
#define KEYMAP_CTX_ENUM(id, name) KEYMAP_CTX_##id,
	KEYMAP_CONTEXTS(KEYMAP_CTX_ENUM)
#undef KEYMAP_CTX_ENUM
	KEYMAP_CTX__COUNT,
};

struct keymap;

/* An empty keymap; the caller frees it with keymap_free(). */
struct keymap *keymap_new(void);
void keymap_free(struct keymap *km); /* NULL is a no-op */
/* Adds the built-in bindings. */
void keymap_load_defaults(struct keymap *km);

/* Binds key (a key name, see keymap_key_parse) in ctx to action, replacing
 * an earlier binding of that key in that context. AL_EINVAL on an unknown
 * key name. */
int keymap_bind(struct keymap *km, enum keymap_ctx ctx, const char *key,
                enum tui_action action);
/* One configuration line: `bind CTX KEY ACTION`, `unbind CTX KEY`, blank
 * or `#` comment. AL_EPARSE with a message in *err (caller frees) when the
 * line is not understood; other keywords are AL_ENOENT so that a config
 * file can hold more than bindings. */
int keymap_parse_line(struct keymap *km, const char *line, char **err);

/* The action bound to key in ctx, else in global, else ACT_NONE. */
enum tui_action keymap_lookup(const struct keymap *km, enum keymap_ctx ctx,
                              uint32_t key);
/* The names of the keys bound to action in ctx (then global), joined by
 * "/" into buf ("a", "j/Down"); "" when unbound. Returns buf. */
char *keymap_keys_for(const struct keymap *km, enum keymap_ctx ctx,
                      enum tui_action action, char *buf, size_t size);

/* Key names: a single character ("a", "?", "é"), "Space", "Up", "Down",
 * "Left", "Right", "PgUp", "PgDn", "Home", "End", "Enter", "Esc", "Tab",
 * "BTab", "Backspace", "Delete", "F1".."F12", "C-x" (control). */
int keymap_key_parse(const char *name, uint32_t *out);
/* The canonical name of key into buf; returns buf. */
char *keymap_key_name(uint32_t key, char *buf, size_t size);

const char *keymap_action_name(enum tui_action a); /* "?" if unknown */
const char *keymap_action_help(enum tui_action a);
/* ACT_NONE when unknown. */
enum tui_action keymap_action_from_name(const char *name);
const char *keymap_ctx_name(enum keymap_ctx ctx);
/* false when unknown. */
bool keymap_ctx_from_name(const char *name, enum keymap_ctx *out);

#endif
