#ifndef AIRLOCK_CORE_WRAP_H
#define AIRLOCK_CORE_WRAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/sanitize.h"

/*
 * Terminal columns and row layout for sanitised text. The width table is
 * our own (generated from glibc 2.36's wcwidth under C.UTF-8, the locale
 * ncurses runs in), so the layout never depends on the process locale:
 * combining marks and format characters take 0 columns, East Asian wide
 * and emoji 2, everything else 1.
 */

/* An inclusive range of code points; the tables of them are sorted and
 * disjoint. */
struct cp_range {
	uint32_t lo, hi;
};

/* Whether cp falls in one of the n ranges of r (binary search). */
bool cp_range_find(const struct cp_range *r, size_t n, uint32_t cp);

/* Columns of one code point: 0, 1 or 2; -1 for C0/C1 controls and DEL
 * (which the sanitiser never lets through). */
int wrap_cp_width(uint32_t cp);
/* Columns of valid UTF-8 text without controls (sanitised text). */
size_t wrap_str_width(const char *s, size_t len);

/* A piece of one row: a slice of a segment's text (or of the continuation
 * marker), borrowed from the sanitize_text the layout was made from. */
struct wrap_slice {
	enum sanitize_kind kind;
	const char *text;
	size_t len;
	int cols;
};

/* One screen row: slices [first, first + count) of the layout. cont is
 * true when the row continues the previous one (a soft wrap); such a row
 * starts with the WRAP_CONT marker slice. */
struct wrap_row {
	size_t first;
	size_t count;
	int cols;
	bool cont;
};

#define WRAP_CONT      "\xe2\x86\xaa" /* "↪", 1 column, kind SANITIZE_MARKER */
#define WRAP_MIN_WIDTH 4

struct wrap;

/* Lays t out in rows of at most width columns. Nothing is cut: a line longer
 * than width continues on the next row; a base character keeps its
 * combining marks and an emoji ZWJ sequence stays on one row; a marker that
 * fits on a row is not split. t must outlive *out (slices borrow its text).
 * The caller frees *out with wrap_free(). Returns 0, or AL_EINVAL when width
 * is below WRAP_MIN_WIDTH. */
int wrap_layout(const struct sanitize_text *t, int width, struct wrap **out);
void wrap_free(struct wrap *w); /* NULL is a no-op */

size_t wrap_row_count(const struct wrap *w);
const struct wrap_row *wrap_row(const struct wrap *w, size_t i);
const struct wrap_slice *wrap_slice(const struct wrap *w, size_t i);

/* The rows as text joined by "\n" (continuation markers included), as the
 * console would draw them. The caller frees the result. */
char *wrap_to_string(const struct wrap *w);

#endif
