#include "tui/draw.h"

#include <curses.h>
#include <stdlib.h>
#include <string.h>

#include "core/xalloc.h"

struct draw {
	bool colour;
	attr_t attr[ROLE__COUNT];
	short pair[ROLE__COUNT];
};

static attr_t
draw_attrs(unsigned a)
{
	attr_t out = A_NORMAL;

	out |= (a & THEME_BOLD) ? A_BOLD : 0;
	out |= (a & THEME_DIM) ? A_DIM : 0;
	out |= (a & THEME_UNDERLINE) ? A_UNDERLINE : 0;
	out |= (a & THEME_REVERSE) ? A_REVERSE : 0;
	out |= (a & THEME_STANDOUT) ? A_STANDOUT : 0;
#ifdef A_ITALIC
	out |= (a & THEME_ITALIC) ? A_ITALIC : 0;
#endif
	return out;
}

struct draw *
draw_new(const struct theme *t, bool colour)
{
	struct draw *d = xcalloc(1, sizeof *d);

	d->colour = colour && has_colors() && start_color() == OK;
	if (d->colour) {
		use_default_colors();
	}
	for (int r = 0; r < ROLE__COUNT; r++) {
		const struct theme_style *s = &t->style[r];

		d->attr[r] = draw_attrs(s->attrs);
		if (!d->colour || r + 1 >= COLOR_PAIRS) {
			continue;
		}
		d->pair[r] = (short)(r + 1);
		/* 8-colour terminals fold 256-colour themes down */
		init_pair(d->pair[r], (short)theme_fold_colour(s->fg, COLORS),
		          (short)theme_fold_colour(s->bg, COLORS));
	}
	return d;
}

void
draw_free(struct draw *d)
{
	free(d);
}

bool
draw_has_colour(const struct draw *d)
{
	return d->colour;
}

static void
draw_role(struct draw *d, enum theme_role r)
{
	attr_set(d->attr[r], d->pair[r], NULL);
}

void
draw_line(struct draw *d, int y, int cols, const struct layout_line *l,
          enum theme_role fill)
{
	int x = 0;

	move(y, 0);
	for (size_t i = 0; l != NULL && i < l->nsegs; i++) {
		const struct layout_seg *s = &l->segs[i];

		if (x + s->cols > cols) {
			break;
		}
		draw_role(d, s->role);
		mvaddstr(y, x, s->text);
		x += s->cols;
	}
	draw_role(d, fill);
	for (; x < cols; x++) {
		mvaddch(y, x, ' ');
	}
	attr_set(A_NORMAL, 0, NULL);
}

void
draw_lines(struct draw *d, int y, int h, int cols,
           const struct layout_lines *ls, size_t first)
{
	for (int i = 0; i < h; i++) {
		size_t k = first + (size_t)i;

		draw_line(d, y + i, cols, k < ls->n ? &ls->v[k] : NULL,
		          ROLE_NORMAL);
	}
}

void
draw_cursor(int y, int x)
{
	if (y < 0) {
		curs_set(0);
		return;
	}
	curs_set(1);
	move(y, x);
}

void
draw_begin(void)
{
	erase();
}

void
draw_end(void)
{
	refresh();
}
