#ifndef AIRLOCK_TUI_DRAW_H
#define AIRLOCK_TUI_DRAW_H

#include <stdbool.h>
#include <stddef.h>

#include "tui/layout.h"
#include "tui/theme.h"

/*
 * The only code that writes to the screen. It decides nothing: it copies
 * lines computed by layout.c and the views, turning roles into the
 * theme's curses attributes.
 */
struct draw;

/* After initscr(): sets up colours for t, or attributes only when colour
 * is false or the terminal has none. The caller frees with draw_free(). */
struct draw *draw_new(const struct theme *t, bool colour);
void draw_free(struct draw *d); /* NULL is a no-op */
/* Whether colours are in use (false under NO_COLOR or on a mono tty). */
bool draw_has_colour(const struct draw *d);

/* Draws l at row y from column 0, filling the rest of the row (cols wide)
 * with fill. Segments past cols are not drawn. */
void draw_line(struct draw *d, int y, int cols, const struct layout_line *l,
               enum theme_role fill);
/* Draws h rows from y: ls->v[first ...], blank rows after the end. */
void draw_lines(struct draw *d, int y, int h, int cols,
                const struct layout_lines *ls, size_t first);
/* Places the cursor (visible) at (y, x), or hides it when y < 0. */
void draw_cursor(int y, int x);
void draw_begin(void); /* starts a frame */
void draw_end(void);   /* shows it */

#endif
