#include "core/sanitize.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/al.h"
#include "core/buf.h"
#include "core/sanitize_int.h"
#include "core/wrap.h"
#include "core/xalloc.h"

/*
 * Three passes over the input: decode bytes into units (one code point or
 * one invalid byte each) and classify each on its own; decide the
 * code points that are legitimate only in context (ZWJ, ZWNJ, variation
 * selectors, tags, combining marks); flag homoglyphs word by word. Then the
 * units are emitted as segments. Every unit is emitted, so nothing of the
 * input can disappear from the display.
 */

/* How a unit is shown: as its own bytes, or escaped as a marker. */
struct unit {
	size_t off;   /* offset of its bytes in the input */
	uint32_t cp;  /* code point, or the byte value when invalid */
	uint8_t len;  /* number of input bytes */
	uint8_t kind; /* enum sanitize_kind */
	bool esc;     /* shown as a marker text, not as itself */
	bool invalid; /* not UTF-8: shown as \xNN */
};

struct sanitize_text {
	struct buf text;
	struct sanitize_seg *segs;
	size_t nseg, cap;
	unsigned flags;
	bool changed;
};

struct pass {
	const char *s;
	struct unit *u;
	size_t n;
	unsigned flags;
	unsigned tab; /* sanitize_opts.tab_width, capped */
};

/* ---- decoding ---------------------------------------------------------- */

/* Strict UTF-8 (no overlongs, surrogates or values past U+10FFFF). Returns
 * the sequence length and sets *cp, or 0 when p does not start a valid
 * sequence. */
static size_t
sanitize_decode(const unsigned char *p, size_t n, uint32_t *cp)
{
	unsigned char c = p[0];
	size_t len;
	uint32_t v;
	unsigned char lo = 0x80;
	unsigned char hi = 0xBF;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xC2 && c <= 0xDF) {
		len = 2;
		v = c & 0x1F;
	} else if (c >= 0xE0 && c <= 0xEF) {
		len = 3;
		v = c & 0x0F;
		lo = c == 0xE0 ? 0xA0 : 0x80;
		hi = c == 0xED ? 0x9F : 0xBF;
	} else if (c >= 0xF0 && c <= 0xF4) {
		len = 4;
		v = c & 0x07;
		lo = c == 0xF0 ? 0x90 : 0x80;
		hi = c == 0xF4 ? 0x8F : 0xBF;
	} else {
		return 0;
	}
	if (n < len || p[1] < lo || p[1] > hi) {
		return 0;
	}
	for (size_t i = 1; i < len; i++) {
		if ((p[i] & 0xC0) != 0x80) {
			return 0;
		}
		v = (v << 6) | (p[i] & 0x3F);
	}
	*cp = v;
	return len;
}

static size_t
sanitize_units(const char *s, size_t len, struct unit **out)
{
	struct unit *u = xmalloc((len ? len : 1) * sizeof(*u));
	const unsigned char *p = (const unsigned char *)s;
	size_t n = 0;

	for (size_t i = 0; i < len;) {
		uint32_t cp = 0;
		size_t k = sanitize_decode(p + i, len - i, &cp);
		u[n] = (struct unit){ .off = i };
		if (k == 0) {
			u[n].cp = p[i];
			u[n].len = 1;
			u[n].invalid = true;
			i++;
		} else {
			u[n].cp = cp;
			u[n].len = (uint8_t)k;
			i += k;
		}
		n++;
	}
	*out = u;
	return n;
}

/* ---- pass 1: each unit on its own --------------------------------------- */

static void
sanitize_mark(struct pass *p, size_t i, unsigned flag)
{
	p->u[i].kind = SANITIZE_MARKER;
	p->u[i].esc = true;
	p->flags |= flag;
}

/* The units an escape sequence starting at i spans (ESC or a C1 introducer),
 * so that the whole sequence is shown as one marker: CSI parameters and
 * final byte, OSC/DCS/APC/PM/SOS strings up to BEL or ST, or the one or
 * two bytes of a short escape. A string never runs past a line feed. */
static size_t
sanitize_seq_end(const struct pass *p, size_t i)
{
	const struct unit *u = p->u;
	uint32_t intro = u[i].cp;
	size_t j = i + 1;

	if (intro == 0x1B && j < p->n && !u[j].invalid) {
		uint32_t c = u[j].cp;
		if (c == '[' || c == ']' || c == 'P' || c == '_' || c == '^' ||
		    c == 'X') {
			intro = c == '[' ? 0x9B : c == ']' ? 0x9D : 0x90;
			j++;
		} else {
			while (j < p->n && u[j].cp >= 0x20 && u[j].cp <= 0x2F) {
				j++;
			}
			return j < p->n && u[j].cp >= 0x30 && u[j].cp <= 0x7E
			               ? j + 1
			               : j;
		}
	} else if (intro == 0x1B) {
		return j;
	}
	if (intro == 0x9B) {
		while (j < p->n && u[j].cp >= 0x20 && u[j].cp <= 0x3F) {
			j++;
		}
		return j < p->n && u[j].cp >= 0x40 && u[j].cp <= 0x7E ? j + 1
		                                                      : j;
	}
	if (intro != 0x9D && intro != 0x90 && intro != 0x98 && intro != 0x9E &&
	    intro != 0x9F) {
		return j;
	}
	for (; j < p->n && u[j].cp != '\n'; j++) {
		if (u[j].cp == 0x07 || u[j].cp == 0x9C) {
			return j + 1;
		}
		if (u[j].cp == 0x1B && j + 1 < p->n && u[j + 1].cp == '\\') {
			return j + 2;
		}
	}
	return j;
}

/* Marks a whole escape sequence: printable ASCII inside stays readable
 * (in the marker colour), everything else is escaped. */
static size_t
sanitize_seq(struct pass *p, size_t i)
{
	size_t end = sanitize_seq_end(p, i);

	p->flags |= SANITIZE_F_ESCAPE;
	for (size_t j = i; j < end; j++) {
		struct unit *u = &p->u[j];
		u->kind = SANITIZE_MARKER;
		u->esc = u->invalid || u->cp < 0x20 || u->cp >= 0x7F;
		if (u->cp == 0 && !u->invalid) {
			p->flags |= SANITIZE_F_NUL;
		}
		if (sanitize_is_c1(u->cp) && !u->invalid) {
			p->flags |= SANITIZE_F_C1;
		}
	}
	return end;
}

static bool
sanitize_is_seq_intro(uint32_t cp)
{
	return cp == 0x1B || cp == 0x9B || cp == 0x9D || cp == 0x90 ||
	       cp == 0x98 || cp == 0x9E || cp == 0x9F;
}

static void
sanitize_classify(struct pass *p)
{
	for (size_t i = 0; i < p->n;) {
		struct unit *u = &p->u[i];
		uint32_t cp = u->cp;
		unsigned f;

		u->kind = SANITIZE_NORMAL;
		if (cp >= 0x20 && cp < 0x7F && !u->invalid) {
			i++; /* printable ASCII: the common case */
		} else if (u->invalid) {
			sanitize_mark(p, i++, SANITIZE_F_INVALID);
		} else if (sanitize_is_seq_intro(cp)) {
			i = sanitize_seq(p, i);
		} else if (cp == '\n') {
			u->kind = SANITIZE_BREAK;
			i++;
		} else if (cp < 0x20 || cp == 0x7F) {
			sanitize_mark(p, i++,
			              cp ? SANITIZE_F_CONTROL : SANITIZE_F_NUL);
		} else if (sanitize_is_c1(cp)) {
			sanitize_mark(p, i++, SANITIZE_F_C1);
		} else if (cp == 0x200C || cp == 0x200D || sanitize_is_vs(cp) ||
		           sanitize_is_tag(cp)) {
			i++; /* decided in context by sanitize_context() */
		} else if ((f = sanitize_always_marked(cp)) != 0) {
			sanitize_mark(p, i++, f);
		} else {
			i++;
		}
	}
}

/* ---- pass 2: code points that are legitimate only in context ------------ */

static bool
sanitize_keep(const struct unit *u)
{
	return u->kind == SANITIZE_NORMAL && !u->esc;
}

/* A subdivision flag: U+1F3F4, two to six tag letters or digits, CANCEL
 * TAG. Returns the end of the sequence starting at i, or 0 if none. */
static size_t
sanitize_flag_tags(const struct pass *p, size_t i)
{
	size_t j = i + 1;

	while (j < p->n && j - i <= 6 && sanitize_keep(&p->u[j]) &&
	       ((p->u[j].cp >= 0xE0030 && p->u[j].cp <= 0xE0039) ||
	        (p->u[j].cp >= 0xE0061 && p->u[j].cp <= 0xE007A))) {
		j++;
	}
	if (j - i - 1 < 2 || j >= p->n || p->u[j].cp != 0xE007F ||
	    !sanitize_keep(&p->u[j])) {
		return 0;
	}
	return j + 1;
}

static bool
sanitize_vs_ok(const struct pass *p, size_t i)
{
	uint32_t vs = p->u[i].cp;
	uint32_t prev;

	if (i == 0 || !sanitize_keep(&p->u[i - 1])) {
		return false;
	}
	prev = p->u[i - 1].cp;
	if (vs == 0xFE0E || vs == 0xFE0F) {
		bool keycap = (prev == '#' || prev == '*' ||
		               (prev >= '0' && prev <= '9')) &&
		              i + 1 < p->n && p->u[i + 1].cp == 0x20E3;
		return keycap || sanitize_is_emoji(prev);
	}
	if (vs >= 0x180B && vs <= 0x180F) {
		return prev >= 0x1820 && prev <= 0x18AF;
	}
	return sanitize_is_han(prev);
}

/* ZWJ inside an emoji sequence, or ZWJ/ZWNJ between two letters of a script
 * that uses them for shaping (Persian ZWNJ, Indic half forms). */
static bool
sanitize_joiner_ok(const struct pass *p, size_t i)
{
	size_t b = i;
	const struct unit *next = i + 1 < p->n ? &p->u[i + 1] : NULL;
	int fam;

	if (i == 0 || next == NULL || !sanitize_keep(&p->u[i - 1]) ||
	    !sanitize_keep(next)) {
		return false;
	}
	if (p->u[i].cp == 0x200D &&
	    (sanitize_is_emoji(p->u[i - 1].cp) || p->u[i - 1].cp == 0xFE0F ||
	     p->u[i - 1].cp == 0xE007F) &&
	    sanitize_is_emoji(next->cp)) {
		return true;
	}
	while (b > 0 && sanitize_keep(&p->u[b - 1]) &&
	       sanitize_is_combining(p->u[b - 1].cp)) {
		b--;
	}
	if (b == 0 || !sanitize_keep(&p->u[b - 1])) {
		return false;
	}
	fam = sanitize_joining_family(p->u[b - 1].cp);
	return fam != 0 && fam == sanitize_joining_family(next->cp);
}

/* Combining marks need a base on the same line that is shown as itself;
 * otherwise they would draw onto a marker or whatever the console put
 * left of the text. Eight per base is plenty for real scripts. */
#define SANITIZE_MAX_MARKS 8

static void
sanitize_context(struct pass *p)
{
	size_t tags_ok_until = 0;
	int marks = -1; /* marks on the current base; -1 when there is none */

	for (size_t i = 0; i < p->n; i++) {
		uint32_t cp = p->u[i].cp;

		if (!sanitize_keep(&p->u[i])) {
			marks = -1;
		} else if (cp < 0x7F) {
			marks = 0;
		} else if (cp == 0x1F3F4) {
			tags_ok_until = sanitize_flag_tags(p, i);
			marks = 0;
		} else if (sanitize_is_tag(cp)) {
			if (i >= tags_ok_until) {
				sanitize_mark(p, i, SANITIZE_F_TAGS);
			}
		} else if (cp == 0x200C || cp == 0x200D) {
			if (!sanitize_joiner_ok(p, i)) {
				sanitize_mark(p, i, SANITIZE_F_INVISIBLE);
			}
			marks = -1;
		} else if (sanitize_is_vs(cp)) {
			if (!sanitize_vs_ok(p, i)) {
				sanitize_mark(p, i, SANITIZE_F_VARIATION);
			}
		} else if (sanitize_is_combining(cp)) {
			if (marks < 0 || marks >= SANITIZE_MAX_MARKS) {
				sanitize_mark(p, i, SANITIZE_F_COMBINING);
			} else {
				marks++;
			}
		} else {
			marks = wrap_cp_width(cp) > 0 ? 0 : -1;
		}
	}
}

/* ---- pass 3: homoglyphs ------------------------------------------------- */

/* Letters, digits and marks make words; ASCII punctuation, spaces and
 * symbol blocks separate them, so a host name's labels are words. */
static bool
sanitize_word_char(const struct unit *u)
{
	uint32_t cp = u->cp;

	if (!sanitize_keep(u)) {
		return false;
	}
	if (cp < 0x80) {
		return (cp >= '0' && cp <= '9') || (cp >= 'a' && cp <= 'z') ||
		       (cp >= 'A' && cp <= 'Z');
	}
	if (cp >= 0x2000 && cp <= 0x2BFF) {
		return cp >= 0x2100 && cp <= 0x218F;
	}
	if (cp >= 0xFF00 && cp <= 0xFF65) {
		return sanitize_is_lookalike(cp);
	}
	return !(cp >= 0x3000 && cp <= 0x303F);
}

static void
sanitize_word(struct pass *p, size_t a, size_t b)
{
	bool latin = false;
	bool cjk = false;

	bool ascii = true;

	for (size_t i = a; i < b; i++) {
		uint32_t cp = p->u[i].cp;
		if (cp < 0x80) {
			latin = latin || cp > '9';
			continue;
		}
		ascii = false;
		latin = latin || sanitize_is_latin(cp);
		cjk = cjk || sanitize_is_cjk(cp);
	}
	for (size_t i = a; i < b && !ascii; i++) {
		uint32_t cp = p->u[i].cp;
		if (cp < 0x80) {
			continue;
		}
		if ((latin && sanitize_is_confusable(cp)) ||
		    (!cjk && sanitize_is_lookalike(cp))) {
			p->u[i].kind = SANITIZE_FLAGGED;
			p->flags |= SANITIZE_F_HOMOGLYPH;
		}
	}
}

static void
sanitize_homoglyphs(struct pass *p)
{
	size_t i = 0;

	while (i < p->n) {
		size_t a;
		while (i < p->n && !sanitize_word_char(&p->u[i])) {
			i++;
		}
		a = i;
		while (i < p->n && sanitize_word_char(&p->u[i])) {
			i++;
		}
		if (i > a) {
			sanitize_word(p, a, i);
		}
	}
}

/* ---- emission ----------------------------------------------------------- */

/* Appends to the open segment when the kind matches, else opens a new one.
 * Segment texts are stored back to back in t->text, each NUL-terminated;
 * pointers are set once the buffer stops moving (sanitize_finish). */
static void
sanitize_put(struct sanitize_text *t, enum sanitize_kind kind, const char *text,
             size_t len, size_t off, size_t srclen)
{
	struct sanitize_seg *last = t->nseg ? &t->segs[t->nseg - 1] : NULL;

	if (last == NULL || last->kind != kind || kind == SANITIZE_BREAK) {
		if (last != NULL) {
			buf_putc(&t->text, '\0');
		}
		if (t->nseg == t->cap) {
			t->cap = t->cap ? t->cap * 2 : 16;
			t->segs = xrealloc(t->segs, t->cap * sizeof(*t->segs));
		}
		last = &t->segs[t->nseg++];
		*last = (struct sanitize_seg){ .kind = kind, .src_off = off };
	}
	buf_append(&t->text, text, len);
	last->len += len;
	last->src_len = off + srclen - last->src_off;
	if (kind != SANITIZE_NORMAL && kind != SANITIZE_BREAK) {
		t->changed = true;
	}
}

/* The marker text of one escaped unit. */
static void
sanitize_marker(const struct unit *u, struct buf *m)
{
	static const char caret[] = "\\0\0\\b\0\\t\0\\r";
	char tmp[16];
	const char *name;

	if (u->invalid) {
		buf_printf(m, "\\x%02X", (unsigned)u->cp);
	} else if (u->cp == 0 || u->cp == 8 || u->cp == 9 || u->cp == 13) {
		size_t k = u->cp == 0 ? 0 : u->cp == 8 ? 1 : u->cp == 9 ? 2 : 3;
		buf_puts(m, caret + 3 * k);
	} else if (u->cp < 0x20 || u->cp == 0x7F) {
		buf_putc(m, '^');
		buf_putc(m, u->cp == 0x7F ? '?' : (char)(u->cp + '@'));
	} else if ((name = sanitize_name(u->cp, tmp, sizeof(tmp))) != NULL) {
		buf_printf(m, "\xe2\x9f\xa8U+%04X %s\xe2\x9f\xa9",
		           (unsigned)u->cp, name);
	} else {
		buf_printf(m, "\xe2\x9f\xa8U+%04X\xe2\x9f\xa9",
		           (unsigned)u->cp);
	}
}

/* A run of escaped tag characters spells hidden ASCII: show it. */
static size_t
sanitize_emit_tags(struct sanitize_text *t, const struct pass *p, size_t i,
                   struct buf *m)
{
	size_t j = i;

	buf_puts(m, "\xe2\x9f\xa8TAGS ");
	while (j < p->n && p->u[j].esc && p->u[j].cp >= 0xE0020 &&
	       p->u[j].cp <= 0xE007E && !p->u[j].invalid) {
		buf_putc(m, (char)(p->u[j].cp - 0xE0000));
		j++;
	}
	buf_puts(m, "\xe2\x9f\xa9");
	sanitize_put(t, SANITIZE_MARKER, m->data, m->len, p->u[i].off,
	             p->u[j - 1].off + p->u[j - 1].len - p->u[i].off);
	return j;
}

/* A flagged homoglyph keeps its combining marks, then gets a marker naming
 * the code point. */
static size_t
sanitize_emit_flagged(struct sanitize_text *t, const struct pass *p, size_t i,
                      struct buf *m)
{
	const struct unit *u = &p->u[i];
	size_t j = i + 1;

	sanitize_put(t, SANITIZE_FLAGGED, p->s + u->off, u->len, u->off,
	             u->len);
	while (j < p->n && sanitize_keep(&p->u[j]) &&
	       sanitize_is_combining(p->u[j].cp)) {
		sanitize_put(t, SANITIZE_FLAGGED, p->s + p->u[j].off,
		             p->u[j].len, p->u[j].off, p->u[j].len);
		j++;
	}
	buf_printf(m, "\xe2\x9f\xa8U+%04X\xe2\x9f\xa9", (unsigned)u->cp);
	sanitize_put(t, SANITIZE_MARKER, m->data, m->len,
	             p->u[j - 1].off + p->u[j - 1].len, 0);
	return j;
}

static void
sanitize_emit(struct sanitize_text *t, const struct pass *p)
{
	struct buf m = { 0 };

	for (size_t i = 0; i < p->n;) {
		const struct unit *u = &p->u[i];

		buf_reset(&m);
		if (u->kind == SANITIZE_BREAK) {
			sanitize_put(t, SANITIZE_BREAK, "", 0, u->off, u->len);
			i++;
		} else if (u->esc && !u->invalid && u->cp >= 0xE0020 &&
		           u->cp <= 0xE007E) {
			i = sanitize_emit_tags(t, p, i, &m);
		} else if (u->esc && u->cp == '\t' && !u->invalid && p->tab) {
			buf_puts(&m, "\xc2\xbb"); /* "»" then spaces */
			for (unsigned k = 1; k < p->tab; k++) {
				buf_putc(&m, ' ');
			}
			sanitize_put(t, SANITIZE_MARKER, m.data, m.len, u->off,
			             u->len);
			i++;
		} else if (u->esc) {
			sanitize_marker(u, &m);
			sanitize_put(t, SANITIZE_MARKER, m.data, m.len, u->off,
			             u->len);
			i++;
		} else if (u->kind == SANITIZE_FLAGGED) {
			i = sanitize_emit_flagged(t, p, i, &m);
		} else {
			/* A run of units shown as themselves: one copy. */
			size_t j = i + 1;
			while (j < p->n && p->u[j].kind == u->kind &&
			       !p->u[j].esc) {
				j++;
			}
			sanitize_put(
			        t, (enum sanitize_kind)u->kind, p->s + u->off,
			        p->u[j - 1].off + p->u[j - 1].len - u->off,
			        u->off,
			        p->u[j - 1].off + p->u[j - 1].len - u->off);
			i = j;
		}
	}
	buf_free(&m);
}

static void
sanitize_finish(struct sanitize_text *t)
{
	size_t pos = 0;

	buf_putc(&t->text, '\0');
	for (size_t i = 0; i < t->nseg; i++) {
		t->segs[i].text = t->text.data + pos;
		pos += t->segs[i].len + 1;
	}
}

/* ---- public ------------------------------------------------------------- */

/* The common case, source code and plain commands: printable ASCII and line
 * feeds only, which is shown as it is, line by line. Returns false, having
 * done nothing, for anything else. */
static bool
sanitize_plain(struct sanitize_text *t, const char *s, size_t len)
{
	size_t start = 0;

	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if ((c < 0x20 && c != '\n') || c >= 0x7F) {
			return false;
		}
	}
	for (size_t i = 0; i <= len; i++) {
		if (i < len && s[i] != '\n') {
			continue;
		}
		if (i > start) {
			sanitize_put(t, SANITIZE_NORMAL, s + start, i - start,
			             start, i - start);
		}
		if (i < len) {
			sanitize_put(t, SANITIZE_BREAK, "", 0, i, 1);
		}
		start = i + 1;
	}
	sanitize_finish(t);
	return true;
}

int
sanitize(const char *s, size_t len, const struct sanitize_opts *opts,
         struct sanitize_text **out)
{
	struct pass p = { .s = s };
	struct sanitize_text *t;

	if (s == NULL && len > 0) {
		return AL_EINVAL;
	}
	t = xcalloc(1, sizeof(*t));
	if (sanitize_plain(t, s, len)) {
		*out = t;
		return 0;
	}
	if (opts != NULL) {
		p.tab = opts->tab_width > 16 ? 16 : opts->tab_width;
	}
	p.n = sanitize_units(s, len, &p.u);
	sanitize_classify(&p);
	sanitize_context(&p);
	if (opts == NULL || !opts->no_homoglyphs) {
		sanitize_homoglyphs(&p);
	}
	sanitize_emit(t, &p);
	sanitize_finish(t);
	t->flags = p.flags;
	free(p.u);
	*out = t;
	return 0;
}

void
sanitize_free(struct sanitize_text *t)
{
	if (t == NULL) {
		return;
	}
	buf_free(&t->text);
	free(t->segs);
	free(t);
}

size_t
sanitize_count(const struct sanitize_text *t)
{
	return t->nseg;
}

const struct sanitize_seg *
sanitize_seg(const struct sanitize_text *t, size_t i)
{
	return i < t->nseg ? &t->segs[i] : NULL;
}

unsigned
sanitize_flags(const struct sanitize_text *t)
{
	return t->flags;
}

bool
sanitize_changed(const struct sanitize_text *t)
{
	return t->changed;
}

char *
sanitize_to_string(const char *s, size_t len, const struct sanitize_opts *opts)
{
	struct sanitize_text *t = NULL;
	struct buf b = { 0 };

	if (sanitize(s, len, opts, &t) != 0) {
		return xstrdup("");
	}
	for (size_t i = 0; i < t->nseg; i++) {
		if (t->segs[i].kind == SANITIZE_BREAK) {
			buf_putc(&b, '\n');
		} else {
			buf_append(&b, t->segs[i].text, t->segs[i].len);
		}
	}
	sanitize_free(t);
	return buf_steal(&b);
}
