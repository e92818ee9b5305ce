#ifndef AIRLOCK_TUI_VIEW_HELP_H
#define AIRLOCK_TUI_VIEW_HELP_H

#include <stdbool.h>

#include "tui/keymap.h"
#include "tui/layout.h"

/*
 * The help overlay and the one-line key legend, both generated from the
 * action table (tui/actions.h) and the live keymap, so that rebinding a
 * key in the config changes what they say.
 */

/* Every action with its keys in ctx and its help text. */
void view_help_build(const struct keymap *km, enum keymap_ctx ctx,
                     bool readonly, int cols, struct layout_lines *out);

/* The most useful keys of ctx on one line, fitted to cols. */
void view_help_legend(const struct keymap *km, enum keymap_ctx ctx,
                      bool readonly, int cols, struct layout_line *out);

/* Whether a decides on an action (disabled in read-only mode). */
bool view_help_is_decision(enum tui_action a);

#endif
