#ifndef AIRLOCK_CORE_DIFF_H
#define AIRLOCK_CORE_DIFF_H

#include <stdbool.h>
#include <stddef.h>

#include "core/buf.h"

/*
 * Line diff for the console's Edit/MultiEdit/Write views: Myers' O(ND)
 * algorithm in linear space (the middle-snake recursion), minimal, with
 * change groups slid to the same place GNU diff puts them, grouped into
 * unified-diff hunks with context. The output of diff_format_unified()
 * matches `diff -u` line for line after the two header lines.
 */

#define DIFF_CONTEXT 3 /* default lines of context */

/* A line of a hunk. text excludes the line feed and is borrowed from the
 * inputs of diff_lines(). old_no/new_no are 1-based, 0 where the line does
 * not exist on that side. no_eol: the last line of its file had no line
 * feed ("\ No newline at end of file"). */
struct diff_line {
	char kind; /* ' ' context, '-' removed, '+' added */
	size_t old_no;
	size_t new_no;
	const char *text;
	size_t len;
	bool no_eol;
};

/* Lines [first, first + count) of the result, and the @@ header numbers
 * (starts are 1-based; a side with no lines gives the line before it). */
struct diff_hunk {
	size_t old_start, old_count;
	size_t new_start, new_count;
	size_t first, count;
};

struct diff_result;

/* Diffs a (alen bytes) against b. Both must outlive *out: lines borrow
 * their text. context < 0 selects DIFF_CONTEXT. When either side looks
 * binary (diff_is_binary) no hunks are computed and diff_binary() says so.
 * The caller frees *out with diff_free(). Returns 0, or AL_EINVAL for a
 * NULL pointer with a non-zero length. */
int diff_lines(const char *a, size_t alen, const char *b, size_t blen,
               int context, struct diff_result **out);
void diff_free(struct diff_result *r); /* NULL is a no-op */

size_t diff_hunk_count(const struct diff_result *r);
const struct diff_hunk *diff_hunk(const struct diff_result *r, size_t i);
const struct diff_line *diff_line(const struct diff_result *r, size_t i);
size_t diff_added(const struct diff_result *r);
size_t diff_removed(const struct diff_result *r);
bool diff_binary(const struct diff_result *r);
/* True for a result of diff_write() on a file that did not exist. */
bool diff_new_file(const struct diff_result *r);

/* NUL bytes, or more than 5% of bytes not valid UTF-8. */
bool diff_is_binary(const char *s, size_t len);

/* Appends the unified diff: "--- path_a", "+++ path_b" (no timestamps),
 * then the hunks; "Binary files ... differ" for binary input; nothing when
 * there is no difference. For a new file path_a is shown as /dev/null. */
void diff_format_unified(const struct diff_result *r, const char *path_a,
                         const char *path_b, struct buf *out);
/* Appends "+N −M" (U+2212 minus), or "binary file, not shown". */
void diff_summary(const struct diff_result *r, struct buf *out);

/* ---- Claude Code's file tools ---------------------------------------------
 */

/* One Edit: replace old_s with new_s (exactly once, or every occurrence
 * with replace_all). */
struct diff_edit {
	const char *old_s;
	size_t old_len;
	const char *new_s;
	size_t new_len;
	bool replace_all;
};

/* Why an edit failed, for the console to say. */
struct diff_edit_error {
	size_t index;   /* which edit of a MultiEdit (0 for a single Edit) */
	size_t matches; /* occurrences of old_string found */
	char msg[160];
};

/* Applies e to content (len bytes; content NULL means the file does not
 * exist, which only an empty old_string may create). On success *out is
 * the new content (caller frees, NUL-terminated at *outlen). Returns 0;
 * AL_ENOENT "old_string not found"; AL_EEXIST "old_string is not unique"
 * (several matches without replace_all); AL_EINVAL for an old_string equal
 * to new_string, or empty on an existing file. err (may be NULL) gets the
 * details on failure. */
int diff_apply_edit(const char *content, size_t len, const struct diff_edit *e,
                    char **out, size_t *outlen, struct diff_edit_error *err);
/* MultiEdit: the edits in order, each on the result of the previous one;
 * all or nothing. err->index names the edit that failed. */
int diff_apply_multi(const char *content, size_t len,
                     const struct diff_edit *edits, size_t n, char **out,
                     size_t *outlen, struct diff_edit_error *err);
/* Write: the diff of new content against the existing file (old NULL: the
 * file does not exist, and the result is a "new file" diff). */
int diff_write(const char *old, size_t oldlen, const char *content, size_t len,
               int context, struct diff_result **out);

#endif
