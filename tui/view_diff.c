#include "tui/view_diff.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/al.h"
#include "core/buf.h"
#include "core/diff.h"
#include "tui/view_json.h"

#define VIEW_DIFF_MAX_FILE (4u << 20)

/* The file's bytes (NULL when it does not exist); *err when unreadable. */
static char *
view_diff_read(const char *path, size_t *len, const char **err)
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
			layout_add_untrusted(ls, d->text, d->len, role, NULL, 0,
			                     role, 0);
			if (d->no_eol) {
				layout_add(&ls->v[ls->n - 1], ROLE_DIM,
				           "  (no newline at end of file)");
			}
		}
	}
}

static void
view_diff_summary(const struct diff_result *r, const char *path,
                  struct layout_lines *ls)
{
	struct buf b = { 0 };
	struct layout_line *l = layout_push(ls);

	diff_summary(r, &b);
	layout_add(l, ROLE_LABEL, "Diff ");
	layout_add(l, ROLE_NORMAL, b.data ? b.data : "");
	layout_add(l, ROLE_NORMAL, "  ");
	layout_add_inline(l, ROLE_NORMAL, path);
	buf_free(&b);
}

/* The strings a diff borrows its lines from: freed after drawing. */
struct view_diff_src {
	char *x, *y, *out;
};

/* The new content for Edit (applied to the file on disk) or Write. */
static int
view_diff_result(const struct action *a, const char *old, size_t oldlen,
                 struct view_diff_src *s, struct diff_result **r,
                 struct diff_edit_error *err)
{
	size_t xl = 0, yl = 0, outl = 0;
	int rc = AL_ENOENT;

	if (strcmp(a->tool_name, "Write") == 0 &&
	    view_json_string_field(a->tool_input, "content", &s->x, &xl) == 0) {
		rc = diff_write(old, oldlen, s->x, xl, -1, r);
	} else if (strcmp(a->tool_name, "Edit") == 0 &&
	           view_json_string_field(a->tool_input, "old_string", &s->x,
	                                  &xl) == 0 &&
	           view_json_string_field(a->tool_input, "new_string", &s->y,
	                                  &yl) == 0) {
		/* compact JSON from the daemon: no spaces around ':' */
		struct diff_edit e = { s->x, xl, s->y, yl,
			               strstr(a->tool_input,
			                      "\"replace_all\":true") != NULL };

		rc = diff_apply_edit(old, oldlen, &e, &s->out, &outl, err);
		if (rc == 0) {
			rc = diff_lines(old ? old : "", oldlen, s->out, outl,
			                -1, r);
		}
	}
	return rc;
}

/* An Edit that does not apply to the file on disk (or whose file is not
 * here, as on a remote reviewer's machine) is still shown: old_string
 * against new_string, as given. */
static void
view_diff_as_given(const struct action *a, struct layout_lines *ls)
{
	struct diff_result *r = NULL;
	char *x = NULL, *y = NULL;
	size_t xl = 0, yl = 0;

	if (strcmp(a->tool_name, "Edit") == 0 &&
	    view_json_string_field(a->tool_input, "old_string", &x, &xl) == 0 &&
	    view_json_string_field(a->tool_input, "new_string", &y, &yl) == 0 &&
	    diff_lines(x, xl, y, yl, -1, &r) == 0) {
		layout_add(layout_push(ls), ROLE_LABEL,
		           "Edit as given (old_string -> new_string)");
		view_diff_hunks(r, ls);
	}
	diff_free(r);
	free(x);
	free(y);
}

void
view_diff_build(const struct action *a, struct layout_lines *ls)
{
	struct diff_edit_error err = { 0 };
	struct diff_result *r = NULL;
	struct view_diff_src src = { 0 };
	const char *rerr;
	char *path = NULL, *old = NULL;
	size_t plen, oldlen;
	int rc;

	if (a->tool_name == NULL || a->tool_input == NULL ||
	    (strcmp(a->tool_name, "Edit") != 0 &&
	     strcmp(a->tool_name, "Write") != 0) ||
	    view_json_string_field(a->tool_input, "file_path", &path, &plen) !=
	            0) {
		return;
	}
	old = view_diff_read(path, &oldlen, &rerr);
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
		layout_add_inline(l, ROLE_ERROR,
		                  err.msg[0] ? err.msg : al_strerror(rc));
		view_diff_as_given(a, ls);
		goto out;
	}
	view_diff_summary(r, path, ls);
	if (!diff_binary(r)) {
		view_diff_hunks(r, ls);
	}
out:
	diff_free(r);
	free(src.x);
	free(src.y);
	free(src.out);
	free(old);
	free(path);
}
