/*
 * libFuzzer target for the display sanitiser and the row layout.
 *
 * Build (from the repository root; core sources compiled in directly):
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE -I. \
 *     fuzz/fuzz_sanitize.c core/sanitize.c core/sanitize_tables.c core/wrap.c
 * core/buf.c \ core/xalloc.c core/al.c -o /tmp/fuzz_sanitize /tmp/fuzz_sanitize
 * -max_len=4096 -max_total_time=60
 *
 * Checks, on every input: the segments are valid UTF-8 with no C0/C1
 * control, bidi control, zero-width space, BOM or tag character, and
 * account for every input byte in order; the rows never exceed the width;
 * rows joined back (without continuation markers) give the logical text.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/sanitize.h"
#include "core/wrap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool
fuzz_bad(uint32_t cp)
{
	return (cp < 0x20 && cp != '\n') || (cp >= 0x7F && cp <= 0x9F) ||
	       (cp >= 0x202A && cp <= 0x202E) ||
	       (cp >= 0x2066 && cp <= 0x2069) || cp == 0x200B || cp == 0x200E ||
	       cp == 0x200F || cp == 0xFEFF || (cp >= 0xD800 && cp <= 0xDFFF) ||
	       cp > 0x10FFFF;
}

/* Valid UTF-8 without forbidden code points; tags only after U+1F3F4. */
static void
fuzz_check_text(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	uint32_t prev = 0;

	for (size_t i = 0; i < len;) {
		size_t n = p[i] < 0x80    ? 1
		           : p[i] >= 0xF0 ? 4
		           : p[i] >= 0xE0 ? 3
		                          : 2;
		uint32_t cp;
		if ((p[i] >= 0x80 && p[i] < 0xC2) || p[i] > 0xF4 ||
		    i + n > len) {
			abort();
		}
		cp = n == 1 ? p[i] : p[i] & (0x7Fu >> n);
		for (size_t k = 1; k < n; k++) {
			if ((p[i + k] & 0xC0) != 0x80) {
				abort();
			}
			cp = (cp << 6) | (p[i + k] & 0x3F);
		}
		if (fuzz_bad(cp)) {
			abort();
		}
		if (cp >= 0xE0000 && cp <= 0xE007F && prev != 0x1F3F4 &&
		    !(prev >= 0xE0000 && prev <= 0xE007F)) {
			abort();
		}
		prev = cp;
		i += n;
	}
}

static void
fuzz_check_rows(const struct wrap *w, int width, const struct buf *logical)
{
	struct buf flat = { 0 };

	for (size_t r = 0; r < wrap_row_count(w); r++) {
		const struct wrap_row *row = wrap_row(w, r);
		if (row->cols > width) {
			abort();
		}
		if (r > 0 && !row->cont) {
			buf_putc(&flat, '\n');
		}
		for (size_t k = row->first + (row->cont ? 1 : 0);
		     k < row->first + row->count; k++) {
			buf_append(&flat, wrap_slice(w, k)->text,
			           wrap_slice(w, k)->len);
		}
	}
	if (flat.len != logical->len ||
	    (flat.len > 0 && memcmp(flat.data, logical->data, flat.len) != 0)) {
		abort();
	}
	buf_free(&flat);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sanitize_text *t = NULL;
	struct wrap *w = NULL;
	struct buf logical = { 0 };
	size_t off = 0;
	int width = WRAP_MIN_WIDTH + (size > 0 ? data[0] % 120 : 0);

	if (sanitize((const char *)data, size, NULL, &t) != 0) {
		abort();
	}
	for (size_t i = 0; i < sanitize_count(t); i++) {
		const struct sanitize_seg *s = sanitize_seg(t, i);
		if (s->src_off != off || strlen(s->text) != s->len) {
			abort();
		}
		off += s->src_len;
		fuzz_check_text(s->text, s->len);
		if (s->kind == SANITIZE_BREAK) {
			buf_putc(&logical, '\n');
		} else {
			buf_append(&logical, s->text, s->len);
		}
	}
	if (off != size || wrap_layout(t, width, &w) != 0) {
		abort();
	}
	fuzz_check_rows(w, width, &logical);
	wrap_free(w);
	sanitize_free(t);
	buf_free(&logical);
	return 0;
}
