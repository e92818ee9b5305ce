#ifndef AIRLOCK_TUI_LAYOUT_H
#define AIRLOCK_TUI_LAYOUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/action.h"
#include "tui/theme.h"

/*
 * Everything the console shows, computed as plain data: the screen's
 * geometry, the rows of each pane as segments of display-safe text with a
 * role, truncation, wrapping, selection and scrolling. draw.c only copies
 * these to the terminal, so all of it is unit-testable without curses.
 *
 * Every string that comes from the agent goes through the sanitiser
 * (core/sanitize.h) on its way into a line: layout_add_untrusted().
 */

/* A run of display-safe UTF-8 drawn in one role; cols is its width. */
struct layout_seg {
	char *text;
	int cols;
	enum theme_role role;
};

struct layout_line {
	struct layout_seg *segs;
	size_t nsegs, cap;
	int cols;
};

struct layout_lines {
	struct layout_line *v;
	size_t n, cap;
};

/* Appends a new empty line and returns it (valid until the next push). */
struct layout_line *layout_push(struct layout_lines *ls);
/* Appends len bytes of display-safe text (cols wide) without checks. */
void layout_add_n(struct layout_line *l, enum theme_role role, const char *text,
                  size_t len, int cols);
/* Appends text we produced ourselves (labels, numbers): never agent text.
 * It must be printable UTF-8 (checked: controls become '?'). */
void layout_add(struct layout_line *l, enum theme_role role, const char *text);
void layout_addf(struct layout_line *l, enum theme_role role, const char *fmt,
                 ...) __attribute__((format(printf, 3, 4)));
/* Pads l with spaces (role) up to cols columns. */
void layout_pad(struct layout_line *l, enum theme_role role, int cols);
void layout_lines_free(struct layout_lines *ls); /* leaves it empty */
/* Frees one line's segments and leaves it empty (cols 0). */
void layout_line_clear(struct layout_line *l);
/* The line as plain text (for tests and the fixture dumps); caller frees. */
char *layout_line_text(const struct layout_line *l);
/* All lines joined by "\n"; the caller frees. */
char *layout_lines_text(const struct layout_lines *ls);

/* A byte span of an untrusted string to highlight with another role. */
struct layout_span {
	size_t start, end; /* end exclusive */
};

/* Sanitises n bytes of untrusted text s and appends it to ls, starting on
 * the last line (a new one if ls is empty). The input's line feeds start
 * new lines; markers and flagged text get ROLE_MARKER; bytes inside any of
 * spans get hl_role. Each new line starts with indent spaces. */
void layout_add_untrusted(struct layout_lines *ls, const char *s, size_t n,
                          enum theme_role role, const struct layout_span *spans,
                          size_t nspans, enum theme_role hl_role, int indent);

/* Like layout_add_untrusted for file contents and diffs, where a tab is
 * indentation: shown as "»" padded with spaces to tab_width columns
 * (LAYOUT_TAB_WIDTH), dim, instead of the `\t` marker. */
#define LAYOUT_TAB_WIDTH 4
void layout_add_code(struct layout_lines *ls, const char *s, size_t n,
                     enum theme_role role, int indent, unsigned tab_width);

/* Like layout_add_untrusted for one-line fields (cwd, summary, session):
 * a line feed becomes a marker instead of a new line. */
void layout_add_inline(struct layout_line *l, enum theme_role role,
                       const char *s);

/* Columns of display-safe UTF-8 text. */
int layout_width(const char *s);
/* Truncates safe text to at most cols columns, ending in "…" when cut; the
 * caller frees. */
char *layout_fit(const char *s, int cols);
/* Cuts l to at most cols columns ("…" as the last column when cut). */
void layout_line_fit(struct layout_line *l, int cols);
/* Appends untrusted text (sanitised like layout_add_inline) to row as a
 * table cell of exactly cols columns: cut with "…" or padded. */
void layout_add_cell(struct layout_line *row, enum theme_role role,
                     const char *untrusted, int cols);
/* Wraps every line of in to at most cols columns into out: nothing is cut;
 * a continuation row starts with hang spaces and the "↪" marker. */
void layout_wrap(const struct layout_lines *in, int cols, int hang,
                 struct layout_lines *out);

/* "42s", "3m07s", "2h05m", "3d04h"; negative is treated as 0. */
void layout_fmt_duration(int64_t ms, char *buf, size_t size);
/* Time left before deadline: a duration, "expired", or "-" when there is
 * no deadline. *urgent is set under 30 s. */
void layout_fmt_countdown(int64_t deadline_ms, int64_t now_ms, char *buf,
                          size_t size, bool *urgent);

/* The screen, top to bottom: status line, optional banner, list header and
 * rows, detail title and rows, message/prompt line, key legend. */
struct layout_geom {
	int rows, cols;
	int status_y;
	int banner_y; /* -1 without a banner */
	int list_y;   /* header row; items from list_y + 1 */
	int list_h;   /* item rows */
	int detail_y; /* title row; text from detail_y + 1 */
	int detail_h; /* text rows */
	int message_y;
	int legend_y;
	bool too_small; /* below 40x10: only a notice is drawn */
};

void layout_geometry(int rows, int cols, bool banner, struct layout_geom *g);

/* A selection that follows an item by id through updates and resizes. */
struct layout_sel {
	int64_t id;   /* 0: none */
	size_t index; /* position of id in the list */
	size_t top;   /* first visible row */
};

/* Re-finds sel->id among ids[0..n): when it is gone the selection stays at
 * the same position (clamped), which is the next item. */
void layout_sel_sync(struct layout_sel *sel, const int64_t *ids, size_t n);
/* Moves by delta (clamped) and records the new id. */
void layout_sel_move(struct layout_sel *sel, const int64_t *ids, size_t n,
                     long delta);
/* Adjusts top so that index is one of the visible rows. */
void layout_sel_scroll(struct layout_sel *sel, size_t visible);

/* Sorts pending actions by urgency: the nearest deadline first (none
 * last), then the higher risk, then the older id. out has n slots. */
void layout_queue_sort(const struct action *const *in, size_t n,
                       const struct action **out);

/* Risk badge for a report: "DEST", "EGRS+1"; "" when benign. */
void layout_badge(const struct risk_report *r, char *buf, size_t size,
                  enum theme_role *role);
/* Whether approving needs the irreversible-action confirmation. */
bool layout_is_irreversible(const struct action *a);

/* One queue row for a, cols wide (selected rows use ROLE_SELECTED). */
void layout_queue_row(const struct action *a, int64_t now_ms, int cols,
                      bool selected, struct layout_line *out);
/* The column header matching layout_queue_row. */
void layout_queue_header(int cols, struct layout_line *out);

#endif
