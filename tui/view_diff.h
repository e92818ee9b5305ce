#ifndef AIRLOCK_TUI_VIEW_DIFF_H
#define AIRLOCK_TUI_VIEW_DIFF_H

#include <stdint.h>

#include "core/action.h"
#include "tui/layout.h"

/*
 * The diff section of the detail for Edit, MultiEdit, Write and
 * NotebookEdit: what the file on disk would become, as a unified diff with
 * line numbers (core/diff.h); for a notebook, the cell's source. Lines of
 * the file and of the tool input are untrusted and sanitised; tabs show as
 * "»" and spaces.
 *
 * A pending call whose file changed on disk after the agent last read it
 * (or, when that is not known, after the agent asked) says so above the
 * diff: the diff is against the file as it is now, not as the agent saw
 * it.
 */

/* read_ms values: the session's last Read of the file was not looked up /
 * there is none on record. */
#define VIEW_DIFF_READ_UNKNOWN (-1)
#define VIEW_DIFF_READ_NONE    0

/* Appends the diff of a to ls (unwrapped lines); nothing for other tools.
 * read_ms: when the session last read the file (ms since the epoch), or
 * one of the VIEW_DIFF_READ_* values. */
void view_diff_build(const struct action *a, int64_t read_ms,
                     struct layout_lines *ls);

/* The path a file tool changes (file_path, or notebook_path for
 * NotebookEdit); NULL for other tools. The caller frees. */
char *view_diff_file_path(const struct action *a);

/* For view_notebook.c: the file's bytes (NULL when it does not exist, or
 * with *err set when unreadable or too large); caller frees. */
char *view_diff_read_file(const char *path, size_t *len, const char **err);
/* Appends the summary ("Diff +N −M  path  what") and hunks of old against
 * new_s. */
void view_diff_show(const char *old, size_t oldlen, const char *new_s,
                    size_t newlen, const char *path, const char *what,
                    struct layout_lines *ls);

#endif
