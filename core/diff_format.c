/* Reading a diff_result: the accessors, and the unified-diff and summary
 * text the console and `airlock show` print. */
#include "core/diff.h"

#include <stdbool.h>
#include <stddef.h>

#include "core/buf.h"
#include "core/diff_int.h"

/* ---- accessors ---------------------------------------------------------- */

size_t
diff_hunk_count(const struct diff_result *r)
{
	return r->nhunks;
}

const struct diff_hunk *
diff_hunk(const struct diff_result *r, size_t i)
{
	return i < r->nhunks ? &r->hunks[i] : NULL;
}

const struct diff_line *
diff_line(const struct diff_result *r, size_t i)
{
	return i < r->nlines ? &r->lines[i] : NULL;
}

size_t
diff_added(const struct diff_result *r)
{
	return r->added;
}

size_t
diff_removed(const struct diff_result *r)
{
	return r->removed;
}

bool
diff_binary(const struct diff_result *r)
{
	return r->binary;
}

bool
diff_new_file(const struct diff_result *r)
{
	return r->new_file;
}

/* ---- formatting --------------------------------------------------------- */

static void
diff_range(struct buf *out, char sign, size_t start, size_t count)
{
	if (count == 1) {
		buf_printf(out, "%c%zu", sign, start);
	} else {
		buf_printf(out, "%c%zu,%zu", sign, start, count);
	}
}

void
diff_format_unified(const struct diff_result *r, const char *path_a,
                    const char *path_b, struct buf *out)
{
	if (r->binary) {
		buf_printf(out, "Binary files %s and %s differ\n",
		           r->new_file ? "/dev/null" : path_a, path_b);
		return;
	}
	if (r->nhunks == 0) {
		return;
	}
	buf_printf(out, "--- %s\n+++ %s\n", r->new_file ? "/dev/null" : path_a,
	           path_b);
	for (size_t h = 0; h < r->nhunks; h++) {
		const struct diff_hunk *hk = &r->hunks[h];
		buf_puts(out, "@@ ");
		diff_range(out, '-', hk->old_start, hk->old_count);
		buf_putc(out, ' ');
		diff_range(out, '+', hk->new_start, hk->new_count);
		buf_puts(out, " @@\n");
		for (size_t i = hk->first; i < hk->first + hk->count; i++) {
			const struct diff_line *l = &r->lines[i];
			buf_putc(out, l->kind);
			buf_append(out, l->text, l->len);
			buf_putc(out, '\n');
			if (l->no_eol) {
				buf_puts(out, "\\ No newline at end of file\n");
			}
		}
	}
}

void
diff_summary(const struct diff_result *r, struct buf *out)
{
	if (r->binary) {
		buf_puts(out, "binary file, not shown");
		return;
	}
	buf_printf(out, "+%zu \xe2\x88\x92%zu", r->added, r->removed);
	if (r->new_file) {
		buf_puts(out, " (new file)");
	}
}
