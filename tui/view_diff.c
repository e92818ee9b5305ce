#include "tui/view_diff.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/al.h"
#include "core/buf.h"
#include "core/diff.h"
#include "core/xalloc.h"
#include "tui/view_json.h"
#include "tui/view_notebook.h"

#define VIEW_DIFF_MAX_FILE (4u << 20)

/* The file's bytes (NULL when it does not exist); *err when unreadable. */
char *
view_diff_read_file(const char *path, size_t *len, const char **err)
{
	FILE *f = fopen(path, "rb");
	struct buf b = { 0 };
	char chunk[8192];
	size_t n;

	*err = NULL;
	*len = 0;
	if (f == NULL) {
		return NULL;
	}
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
		buf_append(&b, chunk, n);
		if (b.len > VIEW_DIFF_MAX_FILE) {
			*err = "file too large to diff";
			break;
		}
	}
	fclose(f);
	*len = b.len;
	buf_puts(&b, ""); /* an empty file is "", not NULL */
	return buf_steal(&b);
}

static void
view_diff_hunks(const struct diff_result *r, struct layout_lines *ls)
{
	for (size_t h = 0; h < diff_hunk_count(r); h++) {
		const struct diff_hunk *k = diff_hunk(r, h);

		layout_addf(layout_push(ls), ROLE_DIFF_HUNK,
		            "@@ -%zu,%zu +%zu,%zu @@", k->old_start,
		            k->old_count, k->new_start, k->new_count);
		for (size_t i = k->first; i < k->first + k->count; i++) {
			const struct diff_line *d = diff_line(r, i);
			enum theme_role role = d->kind == '+' ? ROLE_DIFF_ADD
			                       : d->kind == '-'
			                               ? ROLE_DIFF_DEL
			                               : ROLE_DIFF_CONTEXT;
			struct layout_line *l = layout_push(ls);
			char num[32];

			snprintf(num, sizeof num, "%4zu ",
			         d->new_no ? d->new_no : d->old_no);
			layout_add(l, ROLE_DIM,
			           d->kind == '-' && d->new_no == 0 ? "     "
			                                            : num);
			layout_addf(l, role, "%c", d->kind);
			/* a line feed inside a line cannot happen: lines are
			 * split on it; anything else is shown by the sanitiser
			 */
			layout_add_code(ls, d->text, d->len, role, 0,
			                LAYOUT_TAB_WIDTH);
			if (d->no_eol) {
				layout_add(&ls->v[ls->n - 1], ROLE_DIM,
				           "  (no newline at end of file)");
			}
		}
	}
}

/* "Diff +N −M  path  what" */
static void
view_diff_summary(const struct diff_result *r, const char *path,
                  const char *what, struct layout_lines *ls)
{
	struct buf b = { 0 };
	struct layout_line *l = layout_push(ls);

	diff_summary(r, &b);
	layout_add(l, ROLE_LABEL, "Diff ");
	layout_add(l, ROLE_NORMAL, b.data ? b.data : "");
	layout_add(l, ROLE_NORMAL, "  ");
	layout_add_inline(l, ROLE_NORMAL, path);
	if (what != NULL) {
		layout_add(l, ROLE_DIM, "  ");
		layout_add_inline(l, ROLE_DIM, what);
	}
	buf_free(&b);
}

/* The edits of an Edit or a MultiEdit, decoded; strings owned here. */
struct view_diff_edits {
	struct diff_edit *v;
	size_t n;
};

static void
view_diff_edits_free(struct view_diff_edits *e)
{
	for (size_t i = 0; i < e->n; i++) {
		free((char *)e->v[i].old_s);
		free((char *)e->v[i].new_s);
	}
	free(e->v);
	memset(e, 0, sizeof *e);
}

/* One {"old_string", "new_string", "replace_all"} object. */
static int
view_diff_edit_from(const struct view_json_span *o, struct diff_edit *e)
{
	char *x = NULL, *y = NULL;
	size_t xl = 0, yl = 0;

	if (view_json_string_member(o, "old_string", &x, &xl) != 0 ||
	    view_json_string_member(o, "new_string", &y, &yl) != 0) {
		free(x);
		return AL_EINVAL;
	}
	*e = (struct diff_edit){ x, xl, y, yl,
		                 view_json_true_member(o, "replace_all") };
	return 0;
}

/* Edit: the input itself; MultiEdit: its "edits", in order. */
static int
view_diff_edits(const struct action *a, struct view_diff_edits *out)
{
	struct view_json_span in = { a->tool_input, strlen(a->tool_input) };
	struct view_json_span arr, *items = NULL;
	size_t n = 0;

	if (strcmp(a->tool_name, "Edit") == 0) {
		out->v = xcalloc(1, sizeof *out->v);
		if (view_diff_edit_from(&in, &out->v[0]) != 0) {
			return AL_EINVAL;
		}
		out->n = 1;
		return 0;
	}
	if (view_json_field_span(in.s, in.n, "edits", &arr) != 0 ||
	    view_json_array_items(&arr, &items, &n) != 0 || n == 0) {
		free(items);
		return AL_EINVAL;
	}
	out->v = xcalloc(n, sizeof *out->v);
	for (size_t i = 0; i < n; i++) {
		if (view_diff_edit_from(&items[i], &out->v[out->n]) != 0) {
			free(items);
			return AL_EINVAL;
		}
		out->n++;
	}
	free(items);
	return 0;
}

/* The strings a diff borrows its lines from: freed after drawing. */
struct view_diff_src {
	char *x, *out;
};

/* The new content for Edit/MultiEdit (applied to the file on disk) or
 * Write, diffed against old. */
static int
view_diff_result(const struct action *a, const char *old, size_t oldlen,
                 struct view_diff_src *s, struct diff_result **r,
                 struct diff_edit_error *err)
{
	struct view_diff_edits e = { 0 };
	size_t xl = 0, outl = 0;
	int rc;

	if (strcmp(a->tool_name, "Write") == 0) {
		rc = view_json_string_field(a->tool_input, "content", &s->x,
		                            &xl);
		return rc != 0 ? rc : diff_write(old, oldlen, s->x, xl, -1, r);
	}
	rc = view_diff_edits(a, &e);
	if (rc == 0) {
		rc = diff_apply_multi(old, oldlen, e.v, e.n, &s->out, &outl,
		                      err);
	}
	if (rc == 0) {
		rc = diff_lines(old ? old : "", oldlen, s->out, outl, -1, r);
	}
	view_diff_edits_free(&e);
	return rc;
}

/* An edit that does not apply to the file on disk (or whose file is not
 * here, as on a remote reviewer's machine) is still shown: each
 * old_string against its new_string, as given. */
static void
view_diff_as_given(const struct action *a, struct layout_lines *ls)
{
	struct view_diff_edits e = { 0 };

	if (view_diff_edits(a, &e) != 0) {
		view_diff_edits_free(&e);
		return;
	}
	for (size_t i = 0; i < e.n; i++) {
		struct diff_result *r = NULL;

		if (diff_lines(e.v[i].old_s, e.v[i].old_len, e.v[i].new_s,
		               e.v[i].new_len, -1, &r) != 0) {
			continue;
		}
		if (e.n == 1) {
			layout_add(layout_push(ls), ROLE_LABEL,
			           "Edit as given (old_string -> new_string)");
		} else {
			layout_addf(layout_push(ls), ROLE_LABEL,
			            "Edit %zu of %zu as given (old_string -> "
			            "new_string)",
			            i + 1, e.n);
		}
		view_diff_hunks(r, ls);
		diff_free(r);
	}
	view_diff_edits_free(&e);
}

char *
view_diff_file_path(const struct action *a)
{
	const char *key = NULL;
	char *path = NULL;
	size_t len;

	if (a->tool_name == NULL || a->tool_input == NULL) {
		return NULL;
	}
	if (strcmp(a->tool_name, "Edit") == 0 ||
	    strcmp(a->tool_name, "MultiEdit") == 0 ||
	    strcmp(a->tool_name, "Write") == 0) {
		key = "file_path";
	} else if (strcmp(a->tool_name, "NotebookEdit") == 0) {
		key = "notebook_path";
	}
	if (key == NULL ||
	    view_json_string_field(a->tool_input, key, &path, &len) != 0) {
		return NULL;
	}
	return path;
}

/* Above the diff of a pending call: the file changed on disk after the
 * agent read it (or, without its Read on record, after it asked). */
static void
view_diff_stale(const struct action *a, const char *path, int64_t read_ms,
                struct layout_lines *ls)
{
	struct stat st;
	int64_t mtime, since;
	struct layout_line *l;

	if (a->state != ACTION_PENDING || stat(path, &st) != 0) {
		return;
	}
	mtime = (int64_t)st.st_mtim.tv_sec * 1000 +
	        st.st_mtim.tv_nsec / 1000000;
	since = read_ms > 0 ? read_ms : a->received_ms;
	if (read_ms == VIEW_DIFF_READ_NONE) {
		layout_add(layout_push(ls), ROLE_DIM,
		           "No Read of this file by this session on record: "
		           "the agent may not have seen its current content.");
	}
	if (since <= 0 || mtime <= since) {
		return;
	}
	l = layout_push(ls);
	layout_add(l, ROLE_ERROR,
	           read_ms > 0 ? "! The file changed on disk since the agent "
	                         "last read it"
	                       : "! The file changed on disk after the agent "
	                         "asked for this change");
	layout_add(l, ROLE_DIM, ": the diff is against the file as it is now.");
}

static void
view_diff_file(const struct action *a, const char *path,
               struct layout_lines *ls)
{
	struct diff_edit_error err = { 0 };
	struct diff_result *r = NULL;
	struct view_diff_src src = { 0 };
	const char *rerr;
	size_t oldlen;
	char *old = view_diff_read_file(path, &oldlen, &rerr);
	int rc;

	if (rerr != NULL) {
		layout_add(layout_push(ls), ROLE_ERROR, rerr);
		goto out;
	}
	rc = view_diff_result(a, old, oldlen, &src, &r, &err);
	if (rc != 0) {
		struct layout_line *l = layout_push(ls);

		layout_add(l, ROLE_ERROR,
		           "Diff: the edit does not apply to the "
		           "file on disk: ");
		if (strcmp(a->tool_name, "MultiEdit") == 0 && err.msg[0]) {
			layout_addf(l, ROLE_ERROR, "edit %zu: ", err.index + 1);
		}
		layout_add_inline(l, ROLE_ERROR,
		                  err.msg[0] ? err.msg : al_strerror(rc));
		view_diff_as_given(a, ls);
		goto out;
	}
	view_diff_summary(r, path, NULL, ls);
	if (!diff_binary(r)) {
		view_diff_hunks(r, ls);
	}
out:
	diff_free(r);
	free(src.x);
	free(src.out);
	free(old);
}

void
view_diff_build(const struct action *a, int64_t read_ms,
                struct layout_lines *ls)
{
	char *path = view_diff_file_path(a);

	if (path == NULL) {
		return;
	}
	view_diff_stale(a, path, read_ms, ls);
	if (strcmp(a->tool_name, "NotebookEdit") == 0) {
		view_notebook_build(a, path, ls);
	} else {
		view_diff_file(a, path, ls);
	}
	free(path);
}

/* ---- shared with view_notebook.c ---------------------------------------- */

void
view_diff_show(const char *old, size_t oldlen, const char *new_s, size_t newlen,
               const char *path, const char *what, struct layout_lines *ls)
{
	struct diff_result *r = NULL;

	if (diff_lines(old, oldlen, new_s, newlen, -1, &r) != 0) {
		return;
	}
	view_diff_summary(r, path, what, ls);
	if (!diff_binary(r)) {
		view_diff_hunks(r, ls);
	}
	diff_free(r);
}
