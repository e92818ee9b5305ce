/*
 * Encoded instructions for the injection screener: runs of base64, hex
 * and URL-encoding, and ROT13 or reversed text where the text asks for
 * it, are decoded and screened again as payloads (inject_payload()).
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/inject_int.h"
#include "core/xalloc.h"

static int
inject_b64_val(unsigned char c)
{
	if (c >= 'A' && c <= 'Z') {
		return c - 'A';
	}
	if (c >= 'a' && c <= 'z') {
		return c - 'a' + 26;
	}
	if (c >= '0' && c <= '9') {
		return c - '0' + 52;
	}
	return (c == '+' || c == '-') ? 62 : 63;
}

/* Decoded text worth screening: printable, with words. */
static bool
inject_textlike(const unsigned char *d, size_t n)
{
	size_t bad = 0, spaces = 0;

	for (size_t k = 0; k < n; k++) {
		bad += (d[k] < 0x20 && d[k] != '\n' && d[k] != '\t') ||
		       d[k] == 0x7f;
		spaces += d[k] == ' ';
	}
	return n >= 8 && bad * 20 <= n && spaces >= 2;
}

static void
inject_try_b64(struct inject_ctx *c, size_t s, size_t e)
{
	size_t n = e - s;
	unsigned char *d = xmalloc(n);
	size_t o = 0;
	unsigned acc = 0;
	int bits = 0;

	for (size_t k = s; k < e; k++) {
		acc = (acc << 6) |
		      (unsigned)inject_b64_val((unsigned char)c->text[k]);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			d[o++] = (unsigned char)((acc >> bits) & 0xff);
		}
		/* Binary blobs (images, archives) are rejected early. */
		if (o == 48 && !inject_textlike(d, o)) {
			free(d);
			return;
		}
	}
	if (inject_textlike(d, o)) {
		inject_payload(c, (const char *)d, o, s, e, "encoded",
		               "base64 text decodes to an instruction");
	}
	free(d);
}

static int
inject_hex_val(unsigned char c)
{
	if (c >= '0' && c <= '9') {
		return c - '0';
	}
	c |= 0x20;
	return (c >= 'a' && c <= 'f') ? c - 'a' + 10 : -1;
}

static void
inject_try_hex(struct inject_ctx *c, size_t s, size_t e)
{
	size_t n = (e - s) / 2;
	unsigned char *d = xmalloc(n + 1);

	for (size_t k = 0; k < n; k++) {
		d[k] = (unsigned char)(inject_hex_val(
		                               (unsigned char)
		                                       c->text[s + 2 * k]) *
		                               16 +
		                       inject_hex_val(
		                               (unsigned char)
		                                       c->text[s + 2 * k + 1]));
	}
	if (inject_textlike(d, n)) {
		inject_payload(c, (const char *)d, n, s, e, "encoded",
		               "hex text decodes to an instruction");
	}
	free(d);
}

static void
inject_try_pct(struct inject_ctx *c, size_t s, size_t e)
{
	unsigned char *d = xmalloc(e - s);
	size_t o = 0, esc = 0;

	for (size_t k = s; k < e; k++) {
		int hi, lo;
		if (c->text[k] == '%' && k + 2 < e &&
		    (hi = inject_hex_val((unsigned char)c->text[k + 1])) >= 0 &&
		    (lo = inject_hex_val((unsigned char)c->text[k + 2])) >= 0) {
			d[o++] = (unsigned char)(hi * 16 + lo);
			k += 2;
			esc++;
		} else {
			d[o++] = c->text[k] == '+' ? ' '
			                           : (unsigned char)c->text[k];
		}
	}
	if (esc >= 4 && inject_textlike(d, o)) {
		inject_payload(c, (const char *)d, o, s, e, "encoded",
		               "URL-encoded text decodes to an instruction");
	}
	free(d);
}

/* Bytes of an encoded run: [A-Za-z0-9+/_%=-]. */
static const uint32_t inject_run_bits[8] = {
	0x00000000u, 0x23ffa820u, 0x87fffffeu, 0x07fffffeu,
	0x00000000u, 0x00000000u, 0x00000000u, 0x00000000u,
};

static bool
inject_run_ch(unsigned char c)
{
	return (inject_run_bits[c >> 5] >> (c & 31)) & 1u;
}

static bool
inject_all_hex(const char *s, size_t n)
{
	for (size_t k = 0; k < n; k++) {
		if (inject_hex_val((unsigned char)s[k]) < 0) {
			return false;
		}
	}
	return true;
}

/* Runs of base64, hex or percent-encoded text. Most runs are words
 * shorter than 24 bytes without a '%', decided by the first loop alone. */
static void
inject_scan_encoded_runs(struct inject_ctx *c)
{
	const char *t = c->text;
	size_t i = 0, next_pct = 0;

	/* i is always at a run boundary (t[i - 1] is no run byte). */
	while (i < c->len) {
		size_t j = i, pct = 0;
		if (next_pct < i) {
			const char *p = memchr(t + i, '%', c->len - i);
			next_pct = p ? (size_t)(p - t) : c->len;
		}
		/* With no '%' in the next 24 bytes, only a run of 24 or more
		 * can matter, and none starts before the last non-run byte of
		 * the window: jump past it, reading backwards (Horspool). */
		if (i + 24 <= c->len && next_pct >= i + 24) {
			size_t k = i + 24;
			while (k > i &&
			       inject_run_ch((unsigned char)t[k - 1])) {
				k--;
			}
			if (k > i) {
				i = k;
				continue;
			}
		}
		while (j < c->len && inject_run_ch((unsigned char)t[j])) {
			pct += t[j] == '%';
			j++;
		}
		if (j - i >= 24 && (j - i) % 2 == 0 &&
		    inject_all_hex(t + i, j - i)) {
			inject_try_hex(c, i, j);
		} else if (pct >= 4) {
			inject_try_pct(c, i, j);
		} else if (j - i >= 24 && pct == 0) {
			size_t e = j;
			while (e > i && t[e - 1] == '=') {
				e--;
			}
			if (memchr(t + i, '=', e - i) == NULL) {
				inject_try_b64(c, i, e);
			}
		}
		i = j > i ? j : i + 1;
	}
}

/*
 * ROT13 and reversed text are decoded only where the text asks for it:
 * the MARKER rules of the phrase pass found the word (c->maybe), and each
 * mention of it in the input opens a window of INJECT_XFORM_WIN bytes to
 * either side (overlapping windows merge) that is decoded and screened.
 * A payload sits next to the words that introduce it; decoding only
 * there keeps a large file that merely says "reverse" from being
 * screened twice over, and the rest of it from being misread.
 */
#define INJECT_XFORM_WIN 4096

enum inject_xform {
	INJECT_X_ROT13,
	INJECT_X_REVERSE,
};

/* Next case-insensitive occurrence of word at or after from (len when
 * none), found by memchr on both cases of its letter word[a]. */
static size_t
inject_next_ci(const char *t, size_t len, size_t from, const char *word,
               size_t a)
{
	size_t m = strlen(word);
	char lo = word[a], up = (char)(word[a] - 32);

	for (size_t k = from + a; k + m - a <= len;) {
		const char *pl = memchr(t + k, lo, len - k);
		const char *pu = memchr(t + k, up, len - k);
		const char *h = (pl && (!pu || pl < pu)) ? pl : pu;
		size_t s;
		if (h == NULL) {
			break;
		}
		s = (size_t)(h - t) - a;
		if (s + m <= len && strncasecmp(t + s, word, m) == 0) {
			return s;
		}
		k = (size_t)(h - t) + 1;
	}
	return len;
}

/* Next "rot13" or "rot-13" in any case starting at or after from: "13"
 * has no case, so memmem finds each, and the letters before it are then
 * compared. */
static size_t
inject_next_rot13(const char *t, size_t len, size_t from)
{
	size_t k = from + 3;
	const char *p;

	while (k < len && (p = memmem(t + k, len - k, "13", 2)) != NULL) {
		k = (size_t)(p - t);
		if (strncasecmp(t + k - 3, "rot", 3) == 0) {
			return k - 3;
		}
		if (k >= from + 4 && strncasecmp(t + k - 4, "rot-", 4) == 0) {
			return k - 4;
		}
		k++;
	}
	return len;
}

/* The next mention at or after from of the words that switch on x. */
static size_t
inject_next_mention(const struct inject_ctx *c, enum inject_xform x,
                    size_t from)
{
	size_t r = c->len, b = c->len;

	if (x == INJECT_X_ROT13) {
		return inject_next_rot13(c->text, c->len, from);
	}
	if (c->maybe & INJECT_MAYBE_REVERSE) {
		r = inject_next_ci(c->text, c->len, from, "reverse", 2);
	}
	if (c->maybe & INJECT_MAYBE_BACKWARDS) {
		b = inject_next_ci(c->text, c->len, from, "backwards", 3);
	}
	return r < b ? r : b;
}

/* Decodes and screens text[s..e). */
static void
inject_xform_window(struct inject_ctx *c, enum inject_xform x, size_t s,
                    size_t e)
{
	size_t n = e - s;
	char *d = xmalloc(n + 1);

	for (size_t k = 0; k < n; k++) {
		char ch = c->text[s + k];
		if (x == INJECT_X_REVERSE) {
			d[k] = c->text[e - 1 - k];
		} else if ((ch | 0x20) >= 'a' && (ch | 0x20) <= 'z') {
			char base = (ch & 0x20) ? 'a' : 'A';
			d[k] = (char)(base + (ch - base + 13) % 26);
		} else {
			d[k] = ch;
		}
	}
	inject_payload(c, d, n, s, e, "encoded",
	               x == INJECT_X_ROT13
	                       ? "ROT13 text decodes to an instruction"
	                       : "reversed text reads as an instruction");
	free(d);
}

static void
inject_xform(struct inject_ctx *c, enum inject_xform x)
{
	size_t m = inject_next_mention(c, x, 0);
	size_t ws = 0, we = 0;
	bool open = false;

	while (m < c->len) {
		size_t s = m > INJECT_XFORM_WIN ? m - INJECT_XFORM_WIN : 0;
		size_t e = c->len - m > INJECT_XFORM_WIN ? m + INJECT_XFORM_WIN
		                                         : c->len;
		if (open && s > we) {
			inject_xform_window(c, x, ws, we);
			open = false;
		}
		if (!open) {
			ws = s;
			open = true;
		}
		we = e;
		m = inject_next_mention(c, x, m + 1);
	}
	if (open) {
		inject_xform_window(c, x, ws, we);
	}
}

static void
inject_scan_transforms(struct inject_ctx *c)
{
	if (c->maybe & INJECT_MAYBE_ROT13) {
		inject_xform(c, INJECT_X_ROT13);
	}
	if (c->maybe & (INJECT_MAYBE_REVERSE | INJECT_MAYBE_BACKWARDS)) {
		inject_xform(c, INJECT_X_REVERSE);
	}
}

void
inject_scan_encoded(struct inject_ctx *c)
{
	inject_scan_encoded_runs(c);
	if (c->depth == 0) {
		inject_scan_transforms(c);
	}
}
