/*
 * Normalisation for phrase screening: the text lower-cased, invisible
 * characters dropped, whitespace collapsed, hyphenated line breaks
 * joined, homoglyphs, fullwidth forms and leetspeak folded to ASCII,
 * keeping for every normalised byte its offset in the original and how it
 * was made. Runs of plain printable ASCII, most of any tool result, are
 * copied by a tight loop.
 */
#include <stdlib.h>
#include <string.h>

#include "core/inject_int.h"
#include "core/xalloc.h"

uint32_t
inject_utf8(const char *t, size_t len, size_t i, size_t *adv)
{
	const unsigned char *s = (const unsigned char *)t + i;
	size_t left = len - i;
	uint32_t cp;
	size_t need;

	*adv = 1;
	if (s[0] < 0x80) {
		return s[0];
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		need = 2;
		cp = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		need = 3;
		cp = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		need = 4;
		cp = s[0] & 0x07;
	} else {
		return 0xfffd;
	}
	if (left < need) {
		return 0xfffd;
	}
	for (size_t k = 1; k < need; k++) {
		if ((s[k] & 0xc0) != 0x80) {
			return 0xfffd;
		}
		cp = (cp << 6) | (s[k] & 0x3f);
	}
	*adv = need;
	return cp;
}

/* ---- normalisation ----------------------------------------------------- */

/* Whether a byte b emitted now is a candidate start (see struct
 * inject_norm). Whitespace may later turn from ' ' into '\n' in place, so
 * it counts when either can start a rule. */
static bool
inject_starts(const struct inject_norm *nm, unsigned char b)
{
	unsigned char k = nm->cls[b];

	if (b == ' ' || b == '\n') {
		return nm->ws_start;
	}
	return (k & (nm->n > 0 && (nm->cls[(unsigned char)nm->s[nm->n - 1]] &
	                           INJECT_C_ALNUM)
	                     ? INJECT_C_START
	                     : INJECT_C_START | INJECT_C_WORD)) != 0;
}

static void
inject_emit(struct inject_norm *nm, unsigned char b, size_t orig,
            unsigned char fl)
{
	if (inject_starts(nm, b)) {
		nm->cand[nm->ncand++] = (uint32_t)nm->n;
	}
	nm->s[nm->n] = (char)b;
	nm->map[nm->n] = (uint32_t)orig | (uint32_t)(fl | nm->pending)
	                                          << INJECT_MAP_SHIFT;
	nm->pending = 0;
	nm->n++;
}

/* Code points that render as nothing: zero-width, joiners, bidi controls,
 * tag characters, variation selectors, soft hyphen. */
static bool
inject_invisible(uint32_t cp)
{
	return cp == 0xad || (cp >= 0x200b && cp <= 0x200f) ||
	       (cp >= 0x202a && cp <= 0x202e) ||
	       (cp >= 0x2060 && cp <= 0x2069) || cp == 0xfeff || cp == 0x180e ||
	       (cp >= 0xfe00 && cp <= 0xfe0f) ||
	       (cp >= 0xe0000 && cp <= 0xe007f) ||
	       (cp >= 0xe0100 && cp <= 0xe01ef);
}

struct inject_homoglyph {
	uint16_t cp;
	char c;
};

/* Cyrillic and Greek letters that look like Latin ones. */
static char
inject_homoglyph(uint32_t cp)
{
	static const struct inject_homoglyph map[] = {
		{ 0x0430, 'a' }, { 0x0435, 'e' }, { 0x043e, 'o' },
		{ 0x0440, 'p' }, { 0x0441, 'c' }, { 0x0443, 'y' },
		{ 0x0445, 'x' }, { 0x0456, 'i' }, { 0x0458, 'j' },
		{ 0x0455, 's' }, { 0x04bb, 'h' }, { 0x0501, 'd' },
		{ 0x051d, 'w' }, { 0x0410, 'a' }, { 0x0412, 'b' },
		{ 0x0415, 'e' }, { 0x041a, 'k' }, { 0x041c, 'm' },
		{ 0x041d, 'h' }, { 0x041e, 'o' }, { 0x0420, 'p' },
		{ 0x0421, 'c' }, { 0x0422, 't' }, { 0x0425, 'x' },
		{ 0x0406, 'i' }, { 0x0408, 'j' }, { 0x0405, 's' },
		{ 0x0423, 'y' }, { 0x03bf, 'o' }, { 0x03b1, 'a' },
		{ 0x03b5, 'e' }, { 0x03b9, 'i' }, { 0x03ba, 'k' },
		{ 0x03bd, 'v' }, { 0x03c1, 'p' }, { 0x03c4, 't' },
		{ 0x03c5, 'u' }, { 0x0391, 'a' }, { 0x0392, 'b' },
		{ 0x0395, 'e' }, { 0x0396, 'z' }, { 0x0397, 'h' },
		{ 0x0399, 'i' }, { 0x039a, 'k' }, { 0x039c, 'm' },
		{ 0x039d, 'n' }, { 0x039f, 'o' }, { 0x03a1, 'p' },
		{ 0x03a4, 't' }, { 0x03a5, 'y' }, { 0x03a7, 'x' },
	};

	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		if (map[i].cp == cp) {
			return map[i].c;
		}
	}
	return 0;
}

static char
inject_leet(unsigned char c)
{
	switch (c) {
	case '0':
		return 'o';
	case '1':
		return 'i';
	case '3':
		return 'e';
	case '4':
		return 'a';
	case '5':
		return 's';
	case '7':
		return 't';
	default:
		return 0;
	}
}

static void
inject_space(struct inject_norm *nm, size_t orig, bool nl)
{
	if (nm->n > 0 &&
	    (nm->s[nm->n - 1] == ' ' || nm->s[nm->n - 1] == '\n')) {
		if (nl) {
			nm->s[nm->n - 1] = '\n';
		}
		return;
	}
	inject_emit(nm, nl ? '\n' : ' ', orig, 0);
}

/* "ig-\nnore": a hyphen at a line break inside a word. Returns the offset
 * of the next letter to join, or 0. */
static size_t
inject_hyphen_join(const char *t, size_t len, size_t i, struct inject_norm *nm)
{
	size_t j = i + 1;
	bool nl = false;

	if (nm->n == 0 || !inject_alpha((unsigned char)nm->s[nm->n - 1])) {
		return 0;
	}
	while (j < len &&
	       (t[j] == ' ' || t[j] == '\t' || t[j] == '\r' || t[j] == '\n') &&
	       j - i < 16) {
		nl |= t[j] == '\n';
		j++;
	}
	return (nl && j < len && t[j] >= 'a' && t[j] <= 'z') ? j : 0;
}

/* Maps one ASCII byte; leet digits fold when they touch a letter. */
static void
inject_norm_ascii(struct inject_norm *nm, const char *t, size_t len, size_t i)
{
	unsigned char c = (unsigned char)t[i];
	char l = inject_leet(c);

	if (c >= 'A' && c <= 'Z') {
		inject_emit(nm, c + 32, i, 0);
	} else if (l != 0 &&
	           ((nm->n > 0 &&
	             inject_alpha((unsigned char)nm->s[nm->n - 1])) ||
	            (i + 1 < len && inject_alpha((unsigned char)t[i + 1])))) {
		inject_emit(nm, (unsigned char)l, i, INJECT_NF_FOLD);
	} else {
		inject_emit(nm, c, i, 0);
	}
}

/* Maps one non-ASCII code point at t[i] (adv bytes). */
static void
inject_norm_wide(struct inject_norm *nm, const char *t, size_t len, size_t i,
                 uint32_t cp, size_t adv)
{
	char h = inject_homoglyph(cp);
	size_t nadv;

	if (cp >= 0xff01 && cp <= 0xff5e) {
		unsigned char a = (unsigned char)(cp - 0xfee0);
		inject_emit(nm, (a >= 'A' && a <= 'Z') ? a + 32 : a, i,
		            INJECT_NF_FOLD);
		return;
	}
	if (h != 0) {
		bool prev = nm->n > 0 &&
		            inject_alpha((unsigned char)nm->s[nm->n - 1]);
		bool next = i + adv < len &&
		            inject_alpha((unsigned char)t[i + adv]) &&
		            inject_utf8(t, len, i + adv, &nadv) < 0x80;
		if (prev || next) {
			inject_emit(nm, (unsigned char)h, i, INJECT_NF_FOLD);
			return;
		}
	}
	if ((cp >= 0x0410 && cp <= 0x042f) || (cp >= 0x0400 && cp <= 0x040f)) {
		cp += cp >= 0x0410 ? 0x20 : 0x50;
		inject_emit(nm, (unsigned char)(0xc0 | (cp >> 6)), i, 0);
		inject_emit(nm, (unsigned char)(0x80 | (cp & 0x3f)), i, 0);
		return;
	}
	if (cp >= 0xc0 && cp <= 0xde && cp != 0xd7) {
		cp += 0x20;
		inject_emit(nm, (unsigned char)(0xc0 | (cp >> 6)), i, 0);
		inject_emit(nm, (unsigned char)(0x80 | (cp & 0x3f)), i, 0);
		return;
	}
	for (size_t k = 0; k < adv; k++) {
		inject_emit(nm, (unsigned char)t[i + k], i, 0);
	}
}

static bool
inject_ws(uint32_t cp)
{
	return cp == ' ' || cp == '\t' || cp == '\r' || cp == '\n' ||
	       cp == '\f' || cp == '\v' || cp == 0xa0 || cp == 0x3000 ||
	       (cp >= 0x2000 && cp <= 0x200a) || cp == 0x2028 || cp == 0x2029;
}

/*
 * How the fast path maps a byte: 0, take the general path (as every byte
 * from 0x80 does); 1, blank (' ', '\t', '\r'); 2, '\n'; 3, a digit
 * leetspeak may fold; otherwise the byte's normalised (lower-case) form.
 */
/* clang-format off */
static const unsigned char inject_fast_tab[256] = {
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x01, 0x02, 0x00, 0x00, 0x01, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x01, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27,
	0x28, 0x29, 0x2a, 0x2b, 0x2c, 0x00, 0x2e, 0x2f,
	0x03, 0x03, 0x32, 0x03, 0x03, 0x03, 0x36, 0x03,
	0x38, 0x39, 0x3a, 0x3b, 0x3c, 0x3d, 0x3e, 0x3f,
	0x40, 0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67,
	0x68, 0x69, 0x6a, 0x6b, 0x6c, 0x6d, 0x6e, 0x6f,
	0x70, 0x71, 0x72, 0x73, 0x74, 0x75, 0x76, 0x77,
	0x78, 0x79, 0x7a, 0x5b, 0x00, 0x5d, 0x5e, 0x5f,
	0x60, 0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67,
	0x68, 0x69, 0x6a, 0x6b, 0x6c, 0x6d, 0x6e, 0x6f,
	0x70, 0x71, 0x72, 0x73, 0x74, 0x75, 0x76, 0x77,
	0x78, 0x79, 0x7a, 0x7b, 0x7c, 0x7d, 0x7e, 0x00,
	/* 0x80 to 0xff: 0 */
};

/* clang-format on */

/* Maps one byte of class v (1 to 3, inject_fast_tab) at t[i], n bytes
 * having been emitted; returns the byte to emit with its flags in *fl,
 * or 0 when nothing is emitted. */
static unsigned char
inject_fast_byte(char *s, size_t n, const char *t, size_t len, size_t i,
                 unsigned char v, unsigned char *fl)
{
	unsigned char c = (unsigned char)t[i];

	*fl = 0;
	if (v == 3) {
		/* As inject_norm_ascii(): fold when touching a letter. */
		bool next =
		        i + 1 < len && inject_alpha((unsigned char)t[i + 1]);
		if ((n > 0 && inject_alpha((unsigned char)s[n - 1])) || next) {
			*fl = INJECT_NF_FOLD;
			return (unsigned char)inject_leet(c);
		}
		return c;
	}
	/* Whitespace, as inject_space(). */
	if (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\n')) {
		if (v == 2) {
			s[n - 1] = '\n';
		}
		return 0;
	}
	return v == 2 ? '\n' : ' ';
}

/*
 * The common case: ASCII other than '\\' and '-', while no flag is
 * pending. Maps exactly as the general path would and lists candidates as
 * inject_emit() would; returns where the general path must take over. The
 * output is kept in locals: stores through char pointers would otherwise
 * force nm to be reloaded.
 */
static size_t
inject_norm_fast(struct inject_norm *nm, const char *t, size_t len, size_t i)
{
	char *s = nm->s;
	uint32_t *map = nm->map;
	uint32_t *cand = nm->cand;
	const unsigned char *cls = nm->cls;
	size_t n = nm->n, nc = nm->ncand;
	/* Class bits that make the next byte a candidate: any start after a
	 * non-alphanumeric byte, else only a non-word start. */
	unsigned want =
	        n > 0 ? cls[(unsigned char)s[n - 1]] >> INJECT_C_NEXT_SHIFT
	              : INJECT_C_START | INJECT_C_WORD;

	while (i < len) {
		unsigned char v = inject_fast_tab[(unsigned char)t[i]];
		uint32_t at = (uint32_t)i++;
		unsigned char fl = 0, k;
		if (v == 0) {
			i--;
			break;
		}
		/* Plain bytes (v > 3), most of any text, skip this. */
		if (v <= 3 &&
		    (v = inject_fast_byte(s, n, t, len, at, v, &fl)) == 0) {
			continue;
		}
		k = cls[v];
		cand[nc] = (uint32_t)n;
		nc += (k & want) != 0;
		want = k >> INJECT_C_NEXT_SHIFT;
		s[n] = (char)v;
		map[n++] = at | (uint32_t)fl << INJECT_MAP_SHIFT;
		if (!(k & INJECT_C_ALNUM)) {
			continue;
		}
		/* The rest of a word: letters, and digits leetspeak leaves
		 * alone (the others are class 3), are never candidates. */
		while (i < len) {
			v = inject_fast_tab[(unsigned char)t[i]];
			if (!inject_alnum(v)) {
				break; /* 0 to 3 are not alphanumeric */
			}
			s[n] = (char)v;
			map[n++] = (uint32_t)i++;
		}
	}
	nm->n = n;
	nm->ncand = nc;
	return i;
}

/* Candidate classes of the normalised bytes, from start[] of the rules. */
static void
inject_norm_classes(struct inject_norm *nm, const unsigned char *start)
{
	for (unsigned b = 0; b < 256; b++) {
		unsigned char k =
		        inject_alnum((unsigned char)b) ? INJECT_C_ALNUM : 0;
		if (start[b]) {
			k |= (k & INJECT_C_ALNUM) ? INJECT_C_WORD
			                          : INJECT_C_START;
		}
		k |= (k & INJECT_C_ALNUM ? INJECT_C_START
		                         : INJECT_C_START | INJECT_C_WORD)
		     << INJECT_C_NEXT_SHIFT;
		nm->cls[b] = k;
	}
	nm->ws_start = start[' '] || start['\n'];
	nm->cls[' '] = (unsigned char)((nm->ws_start ? INJECT_C_START : 0) |
	                               (INJECT_C_START | INJECT_C_WORD)
	                                       << INJECT_C_NEXT_SHIFT);
	nm->cls['\n'] = nm->cls[' '];
}

void
inject_normalize(const char *t, size_t len, const unsigned char *start,
                 struct inject_norm *nm)
{
	size_t i = 0, adv, j;

	/* No step emits more bytes than it consumes, so len + 1 is enough.
	 * One block: a large result then costs one allocation, which the
	 * allocator keeps for the next call instead of trimming and
	 * faulting its pages in again each time. */
	nm->map = xmalloc((len + 1) * (2 * sizeof(uint32_t) + 1));
	nm->cand = nm->map + len + 1;
	nm->s = (char *)(nm->cand + len + 1);
	nm->n = 0;
	nm->ncand = 0;
	nm->pending = 0;
	inject_norm_classes(nm, start);
	while (i < len) {
		unsigned char c = (unsigned char)t[i];
		uint32_t cp;
		if (nm->pending == 0 && inject_fast_tab[c] != 0) {
			i = inject_norm_fast(nm, t, len, i);
			continue;
		}
		cp = c < 0x80 ? c : inject_utf8(t, len, i, &adv);
		if (c < 0x80) {
			adv = 1;
		}
		if (c == '\\' && i + 1 < len &&
		    (t[i + 1] == 'n' || t[i + 1] == 't')) {
			inject_space(nm, i,
			             t[i + 1] == 'n'); /* JSON-escaped text */
			i += 2;
		} else if (inject_ws(cp)) {
			inject_space(nm, i,
			             cp == '\n' || cp == 0x2028 ||
			                     cp == 0x2029);
			i += adv;
		} else if (inject_invisible(cp)) {
			i += adv;
		} else if (c == '-' &&
		           (j = inject_hyphen_join(t, len, i, nm)) != 0) {
			nm->pending |= INJECT_NF_SPLIT;
			i = j;
		} else if (c < 0x80) {
			inject_norm_ascii(nm, t, len, i);
			i++;
		} else {
			inject_norm_wide(nm, t, len, i, cp, adv);
			i += adv;
		}
	}
	nm->s[nm->n] = '\0';
	nm->map[nm->n] = (uint32_t)len;
}

void
inject_norm_free(struct inject_norm *nm)
{
	free(nm->map); /* s and cand share its block */
}
