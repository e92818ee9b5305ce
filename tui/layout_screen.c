/*
 * Layout of the screen outside the panes' contents: the geometry of the
 * console's regions, and the list selection that follows an item by id.
 * Part of the layout module (tui/layout.h).
 */
#include "tui/layout.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* ---- geometry --------------------------------------------------------------
 */

void
layout_geometry(int rows, int cols, bool banner, struct layout_geom *g)
{
	int avail;

	memset(g, 0, sizeof *g);
	g->rows = rows;
	g->cols = cols;
	g->too_small = rows < 10 || cols < 40;
	g->status_y = 0;
	g->banner_y = banner ? 1 : -1;
	g->list_y = banner ? 2 : 1;
	g->legend_y = rows - 1;
	g->message_y = rows - 2;
	/* header rows for the list and the detail title */
	avail = g->message_y - g->list_y - 2;
	if (avail < 2) {
		avail = 2;
	}
	/* the list gets a third, at least 3 rows: the detail matters more */
	g->list_h = avail / 3 < 3 ? 3 : avail / 3;
	if (g->list_h > avail - 1) {
		g->list_h = avail - 1 > 0 ? avail - 1 : 1;
	}
	g->detail_y = g->list_y + 1 + g->list_h;
	g->detail_h = g->message_y - g->detail_y - 1;
	if (g->detail_h < 0) {
		g->detail_h = 0;
	}
}

/* ---- selection
 * --------------------------------------------------------------- */

void
layout_sel_sync(struct layout_sel *sel, const int64_t *ids, size_t n)
{
	if (n == 0) {
		sel->id = 0;
		sel->index = 0;
		sel->top = 0;
		return;
	}
	for (size_t i = 0; i < n; i++) {
		if (ids[i] == sel->id) {
			sel->index = i;
			return;
		}
	}
	if (sel->index >= n) {
		sel->index = n - 1;
	}
	sel->id = ids[sel->index];
}

void
layout_sel_move(struct layout_sel *sel, const int64_t *ids, size_t n,
                long delta)
{
	long idx;

	if (n == 0) {
		layout_sel_sync(sel, ids, n);
		return;
	}
	idx = (long)sel->index + delta;
	if (idx < 0) {
		idx = 0;
	}
	if (idx >= (long)n) {
		idx = (long)n - 1;
	}
	sel->index = (size_t)idx;
	sel->id = ids[sel->index];
}

void
layout_sel_scroll(struct layout_sel *sel, size_t visible)
{
	if (visible == 0) {
		sel->top = sel->index;
		return;
	}
	if (sel->index < sel->top) {
		sel->top = sel->index;
	}
	if (sel->index >= sel->top + visible) {
		sel->top = sel->index - visible + 1;
	}
}
