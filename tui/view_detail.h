#ifndef AIRLOCK_TUI_VIEW_DETAIL_H
#define AIRLOCK_TUI_VIEW_DETAIL_H

#include <stddef.h>
#include <stdint.h>

#include "core/action.h"
#include "tui/layout.h"

/*
 * The detail pane of one action: what the agent wants to run, why airlock
 * stopped it (rule, findings with the risky spans highlighted, hosts), and
 * the full tool input pretty-printed with its byte length and hash. Every
 * agent string goes through the sanitiser.
 */

/* Appends the detail of a, wrapped to cols, to out. */
void view_detail_build(const struct action *a, int64_t now_ms, int cols,
                       struct layout_lines *out);
/* The same, knowing when the session last read the file a changes (see
 * view_diff_build: a VIEW_DIFF_READ_* value or a time). */
void view_detail_build_read(const struct action *a, int64_t now_ms,
                            int64_t read_ms, int cols,
                            struct layout_lines *out);

/* The same in three runs of unwrapped lines, for view_detail_cache.c:
 * before the clock, the clock ("Received ... ago" and the countdown, or
 * the outcome), after it. Only the clock depends on now_ms. */
void view_detail_parts(const struct action *a, int64_t now_ms, int64_t read_ms,
                       struct layout_lines *head, struct layout_lines *clock,
                       struct layout_lines *tail);
/* Only the first two parts (cheap: no input, no diff). */
void view_detail_parts_head(const struct action *a, int64_t now_ms,
                            struct layout_lines *head,
                            struct layout_lines *clock);
/* Just the clock lines of a, unwrapped. */
void view_detail_clock(const struct action *a, int64_t now_ms,
                       struct layout_lines *ls);
/* Wraps the three parts into out as view_detail_build_read() does and
 * frees them; *clock_first and *clock_n get the rows of the clock. */
void view_detail_wrap(struct layout_lines parts[3], int cols,
                      struct layout_lines *out, size_t *clock_first,
                      size_t *clock_n);

/* The tool input field the classifier's spans refer to ("command" for
 * Bash, "url" for WebFetch, "file_path" for file tools), or NULL. */
const char *view_detail_span_field(const char *tool_name);

#endif
