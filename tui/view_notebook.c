#include "tui/view_notebook.h"

#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/xalloc.h"
#include "tui/view_diff.h"
#include "tui/view_json.h"

/* What the tool input asks for. */
struct view_notebook_edit {
	char *cell_id;    /* NULL when absent */
	long long number; /* -1 when absent */
	char *mode;       /* "replace" by default */
	char *src;        /* new_source; "" when absent */
	size_t srclen;
};

static void
view_notebook_edit_free(struct view_notebook_edit *e)
{
	free(e->cell_id);
	free(e->mode);
	free(e->src);
}

static void
view_notebook_edit_parse(const char *input, struct view_notebook_edit *e)
{
	struct view_json_span in = { input, strlen(input) };
	size_t len;

	memset(e, 0, sizeof *e);
	e->number = -1;
	if (view_json_string_member(&in, "cell_id", &e->cell_id, &len) != 0) {
		e->cell_id = NULL;
	}
	if (view_json_int_member(&in, "cell_number", &e->number) != 0) {
		e->number = -1;
	}
	if (view_json_string_member(&in, "edit_mode", &e->mode, &len) != 0) {
		e->mode = xstrdup("replace");
	}
	if (view_json_string_member(&in, "new_source", &e->src, &e->srclen) !=
	    0) {
		e->src = xstrdup("");
		e->srclen = 0;
	}
}

/* A cell's "source": a string, or an array of strings joined. */
static char *
view_notebook_source(const struct view_json_span *cell, size_t *len)
{
	struct view_json_span v, *parts = NULL;
	struct buf b = { 0 };
	size_t n = 0;
	char *s;
	size_t sl;

	buf_puts(&b, "");
	if (view_json_field_span(cell->s, cell->n, "source", &v) != 0) {
		*len = 0;
		return buf_steal(&b);
	}
	if (view_json_string_value(&v, &s, &sl) == 0) {
		buf_free(&b);
		*len = sl;
		return s;
	}
	if (view_json_array_items(&v, &parts, &n) == 0) {
		for (size_t i = 0; i < n; i++) {
			if (view_json_string_value(&parts[i], &s, &sl) == 0) {
				buf_append(&b, s, sl);
				free(s);
			}
		}
	}
	free(parts);
	*len = b.len;
	return buf_steal(&b);
}

/* The index of the cell the edit names: by id, else by number; -1 when
 * none is named, -2 when the named one is not there. */
static long long
view_notebook_find(const struct view_json_span *cells, size_t n,
                   const struct view_notebook_edit *e)
{
	if (e->cell_id == NULL) {
		return e->number < 0           ? -1
		       : (size_t)e->number < n ? e->number
		                               : -2;
	}
	for (size_t i = 0; i < n; i++) {
		char *id = NULL;
		size_t len;
		bool same = view_json_string_member(&cells[i], "id", &id,
		                                    &len) == 0 &&
		            strcmp(id, e->cell_id) == 0;

		free(id);
		if (same) {
			return (long long)i;
		}
	}
	return -2;
}

/* Which cell, in words: `cell "abc"`, `cell 3`. */
static char *
view_notebook_cell_name(const struct view_notebook_edit *e)
{
	if (e->cell_id != NULL) {
		return xasprintf("cell \"%s\"", e->cell_id);
	}
	return e->number >= 0 ? xasprintf("cell %lld", e->number)
	                      : xstrdup("the first cell");
}

/* new_source as given, when there is nothing on disk to diff against. */
static void
view_notebook_as_given(const struct view_notebook_edit *e, const char *path,
                       const char *why, struct layout_lines *ls)
{
	struct layout_line *l = layout_push(ls);

	layout_add(l, ROLE_ERROR, "Diff: ");
	layout_add_inline(l, ROLE_ERROR, why);
	if (strcmp(e->mode, "delete") != 0) {
		view_diff_show("", 0, e->src, e->srclen, path,
		               "new_source as given", ls);
	}
}

/* The diff of the cell at idx (or a new cell) by the edit's mode. */
static void
view_notebook_cell(const struct view_json_span *cells, long long idx,
                   const struct view_notebook_edit *e, const char *path,
                   struct layout_lines *ls)
{
	char *name = view_notebook_cell_name(e);
	char *old = NULL, *what;
	size_t oldlen = 0;

	if (strcmp(e->mode, "insert") == 0) {
		what = e->cell_id || e->number >= 0
		               ? xasprintf("new cell after %s", name)
		               : xstrdup("new cell at the top");
		view_diff_show("", 0, e->src, e->srclen, path, what, ls);
	} else {
		old = view_notebook_source(&cells[idx], &oldlen);
		what = xasprintf("%s (%s)", name, e->mode);
		if (strcmp(e->mode, "delete") == 0) {
			view_diff_show(old, oldlen, "", 0, path, what, ls);
		} else {
			view_diff_show(old, oldlen, e->src, e->srclen, path,
			               what, ls);
		}
	}
	free(what);
	free(old);
	free(name);
}

void
view_notebook_build(const struct action *a, const char *path,
                    struct layout_lines *ls)
{
	struct view_notebook_edit e;
	struct view_json_span nb, arr, *cells = NULL;
	const char *rerr = NULL;
	size_t len = 0, n = 0;
	char *text = view_diff_read_file(path, &len, &rerr);
	long long idx;

	view_notebook_edit_parse(a->tool_input, &e);
	nb = (struct view_json_span){ text, len };
	if (text == NULL || rerr != NULL) {
		view_notebook_as_given(&e, path,
		                       rerr ? rerr
		                            : "the notebook is not on this "
		                              "machine",
		                       ls);
	} else if (view_json_field_span(nb.s, nb.n, "cells", &arr) != 0 ||
	           view_json_array_items(&arr, &cells, &n) != 0) {
		view_notebook_as_given(&e, path, "not a notebook (no cells)",
		                       ls);
	} else if ((idx = view_notebook_find(cells, n, &e)) == -1 &&
	           strcmp(e.mode, "insert") != 0) {
		view_notebook_as_given(&e, path, "the edit names no cell", ls);
	} else if (idx < -1) {
		char *name = view_notebook_cell_name(&e);
		char *why = xasprintf("no %s in the notebook on disk", name);

		view_notebook_as_given(&e, path, why, ls);
		free(why);
		free(name);
	} else {
		view_notebook_cell(cells, idx, &e, path, ls);
	}
	free(cells);
	free(text);
	view_notebook_edit_free(&e);
}
