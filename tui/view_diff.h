#ifndef AIRLOCK_TUI_VIEW_DIFF_H
#define AIRLOCK_TUI_VIEW_DIFF_H

#include "core/action.h"
#include "tui/layout.h"

/*
 * The diff section of the detail for Edit and Write: what the file on disk
 * would become, as a unified diff with line numbers (core/diff.h). Lines
 * of the file and of the tool input are untrusted and sanitised.
 */

/* Appends the diff of a to ls (unwrapped lines); nothing for other tools. */
void view_diff_build(const struct action *a, struct layout_lines *ls);

#endif
