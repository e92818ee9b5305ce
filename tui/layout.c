/*
 * Lines of display-safe text: segments and their widths, truncation,
 * wrapping, and the sanitised entry point for untrusted text. The screen's
 * geometry and selection are in layout_screen.c; times and the queue pane
 * in layout_queue.c.
 */
#include "tui/layout.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "core/buf.h"
#include "core/sanitize.h"
#include "core/xalloc.h"

#define LAYOUT_ELLIPSIS "\xe2\x80\xa6" /* "…" */
#define LAYOUT_CONT     "\xe2\x86\xaa" /* "↪": a wrapped line continues */
#define LAYOUT_LF_MARK                                           \
	"\xe2\x8f\x8e" /* "⏎": a line feed in a one-line field \
	                */

/* ---- lines and segments ------------------------------------------------ */

struct layout_line *
layout_push(struct layout_lines *ls)
{
	if (ls->n == ls->cap) {
		ls->cap = ls->cap ? ls->cap * 2 : 16;
		ls->v = xrealloc(ls->v, ls->cap * sizeof *ls->v);
	}
	memset(&ls->v[ls->n], 0, sizeof ls->v[0]);
	return &ls->v[ls->n++];
}

void
layout_add_n(struct layout_line *l, enum theme_role role, const char *text,
             size_t len, int cols)
{
	struct layout_seg *last = l->nsegs ? &l->segs[l->nsegs - 1] : NULL;

	if (len == 0) {
		return;
	}
	l->cols += cols;
	/* merge runs of one role: fewer segments to draw and to test */
	if (last != NULL && last->role == role) {
		size_t old = strlen(last->text);

		last->text = xrealloc(last->text, old + len + 1);
		memcpy(last->text + old, text, len);
		last->text[old + len] = '\0';
		last->cols += cols;
		return;
	}
	if (l->nsegs == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 4;
		l->segs = xrealloc(l->segs, l->cap * sizeof *l->segs);
	}
	l->segs[l->nsegs].text = xstrndup(text, len);
	l->segs[l->nsegs].cols = cols;
	l->segs[l->nsegs].role = role;
	l->nsegs++;
}

void
layout_add(struct layout_line *l, enum theme_role role, const char *text)
{
	char *copy = xstrdup(text);

	/* our own text never carries controls; make a mistake harmless */
	for (char *p = copy; *p != '\0'; p++) {
		if ((unsigned char)*p < 0x20 || *p == 0x7f) {
			*p = '?';
		}
	}
	layout_add_n(l, role, copy, strlen(copy), layout_width(copy));
	free(copy);
}

void
layout_addf(struct layout_line *l, enum theme_role role, const char *fmt, ...)
{
	struct buf b = { 0 };
	va_list ap;

	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	layout_add(l, role, b.data ? b.data : "");
	buf_free(&b);
}

void
layout_pad(struct layout_line *l, enum theme_role role, int cols)
{
	while (l->cols < cols) {
		layout_add_n(l, role, " ", 1, 1);
	}
}

void
layout_line_clear(struct layout_line *l)
{
	for (size_t i = 0; i < l->nsegs; i++) {
		free(l->segs[i].text);
	}
	free(l->segs);
	memset(l, 0, sizeof *l);
}

void
layout_lines_free(struct layout_lines *ls)
{
	for (size_t i = 0; i < ls->n; i++) {
		layout_line_clear(&ls->v[i]);
	}
	free(ls->v);
	memset(ls, 0, sizeof *ls);
}

char *
layout_line_text(const struct layout_line *l)
{
	struct buf b = { 0 };

	for (size_t i = 0; i < l->nsegs; i++) {
		buf_puts(&b, l->segs[i].text);
	}
	return buf_steal(&b);
}

char *
layout_lines_text(const struct layout_lines *ls)
{
	struct buf b = { 0 };

	for (size_t i = 0; i < ls->n; i++) {
		char *t = layout_line_text(&ls->v[i]);

		buf_puts(&b, t);
		buf_putc(&b, '\n');
		free(t);
	}
	return buf_steal(&b);
}

/* ---- widths -------------------------------------------------------------- */

/* Decodes one UTF-8 sequence of safe text; returns its length (1 for a
 * stray byte, which sanitised text never has). */
static size_t
layout_decode(const char *s, uint32_t *cp)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t len = u[0] < 0x80 ? 1 : u[0] < 0xe0 ? 2 : u[0] < 0xf0 ? 3 : 4;

	*cp = len == 1 ? u[0] : (uint32_t)(u[0] & (0x3f >> (len - 1)));
	for (size_t i = 1; i < len; i++) {
		if ((u[i] & 0xc0) != 0x80) {
			*cp = u[0];
			return 1;
		}
		*cp = *cp << 6 | (u[i] & 0x3f);
	}
	return len;
}

static int
layout_cp_width(uint32_t cp)
{
	/* printable ASCII, most of any diff: what wcwidth() says, without
	 * the call (a fifth of a large detail's build time) */
	if (cp >= 0x20 && cp < 0x7f) {
		return 1;
	}
	int w = wcwidth((wchar_t)cp);

	return w < 0 ? 1 : w;
}

int
layout_width(const char *s)
{
	int cols = 0;

	while (*s != '\0') {
		uint32_t cp;

		s += layout_decode(s, &cp);
		cols += layout_cp_width(cp);
	}
	return cols;
}

/* Bytes of s that fit in cols columns (whole characters, combining marks
 * kept with their base); *used gets their width. */
static size_t
layout_prefix(const char *s, int cols, int *used)
{
	size_t i = 0;
	int w = 0;

	while (s[i] != '\0') {
		uint32_t cp;
		size_t len = layout_decode(s + i, &cp);
		int cw = layout_cp_width(cp);

		if (w + cw > cols) {
			break;
		}
		w += cw;
		i += len;
	}
	*used = w;
	return i;
}

char *
layout_fit(const char *s, int cols)
{
	struct buf b = { 0 };
	int used;
	size_t n;

	if (cols <= 0) {
		return xstrdup("");
	}
	if (layout_width(s) <= cols) {
		return xstrdup(s);
	}
	n = layout_prefix(s, cols - 1, &used);
	buf_append(&b, s, n);
	buf_puts(&b, LAYOUT_ELLIPSIS);
	return buf_steal(&b);
}

void
layout_line_fit(struct layout_line *l, int cols)
{
	int left = cols - 1;
	size_t i;

	if (l->cols <= cols) {
		return;
	}
	for (i = 0; i < l->nsegs && left >= 0; i++) {
		struct layout_seg *sg = &l->segs[i];
		int used;

		if (sg->cols <= left) {
			left -= sg->cols;
			continue;
		}
		sg->text[layout_prefix(sg->text, left, &used)] = '\0';
		sg->cols = used;
		left = -1;
		i++;
		break;
	}
	for (size_t k = i; k < l->nsegs; k++) {
		free(l->segs[k].text);
	}
	l->nsegs = i;
	l->cols = 0;
	for (size_t k = 0; k < l->nsegs; k++) {
		l->cols += l->segs[k].cols;
	}
	layout_add_n(l, ROLE_MARKER, LAYOUT_ELLIPSIS, 3, 1);
}

/* ---- wrapping ------------------------------------------------------------ */

struct layout_wrapper {
	struct layout_lines *out;
	struct layout_line *line;
	int cols, hang;
};

static void
layout_wrap_break(struct layout_wrapper *w)
{
	w->line = layout_push(w->out);
	layout_pad(w->line, ROLE_NORMAL, w->hang);
	layout_add_n(w->line, ROLE_DIM, LAYOUT_CONT, 3, 1);
}

static void
layout_wrap_seg(struct layout_wrapper *w, const struct layout_seg *sg)
{
	const char *s = sg->text;
	int room = w->cols - w->hang - 1;

	/* a marker that fits on a fresh row is never split */
	if (sg->role == ROLE_MARKER && sg->cols <= room &&
	    w->line->cols + sg->cols > w->cols) {
		layout_wrap_break(w);
	}
	while (*s != '\0') {
		int used;
		size_t n = layout_prefix(s, w->cols - w->line->cols, &used);

		if (n == 0 && w->line->cols > w->hang + 1) {
			layout_wrap_break(w);
			continue;
		}
		if (n == 0) {
			uint32_t
			        cp; /* wider than a whole row: take it anyway */

			n = layout_decode(s, &cp);
			used = layout_cp_width(cp);
		}
		layout_add_n(w->line, sg->role, s, n, used);
		s += n;
	}
}

void
layout_wrap(const struct layout_lines *in, int cols, int hang,
            struct layout_lines *out)
{
	struct layout_wrapper w = { .out = out, .cols = cols, .hang = hang };

	/* the continuation needs room for hang, the marker and some text */
	if (w.hang > cols / 2) {
		w.hang = cols / 2;
	}
	if (w.cols < 4) {
		w.cols = 4;
	}
	for (size_t i = 0; i < in->n; i++) {
		w.line = layout_push(out);
		for (size_t k = 0; k < in->v[i].nsegs; k++) {
			layout_wrap_seg(&w, &in->v[i].segs[k]);
		}
	}
}

/* ---- untrusted text --------------------------------------------------------
 */

static bool
layout_in_span(size_t off, const struct layout_span *spans, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (off >= spans[i].start && off < spans[i].end) {
			return true;
		}
	}
	return false;
}

/* The next span boundary after off, or limit. */
static size_t
layout_next_edge(size_t off, size_t limit, const struct layout_span *spans,
                 size_t n)
{
	size_t best = limit;

	for (size_t i = 0; i < n; i++) {
		if (spans[i].start > off && spans[i].start < best) {
			best = spans[i].start;
		}
		if (spans[i].end > off && spans[i].end < best) {
			best = spans[i].end;
		}
	}
	return best;
}

struct layout_hl {
	enum theme_role role, hl_role;
	const struct layout_span *spans;
	size_t nspans;
};

/* A NORMAL segment is the input's own bytes, so it can be cut at the
 * span edges (moved forward to a character boundary). */
static void
layout_add_normal(struct layout_line *l, const struct sanitize_seg *sg,
                  const struct layout_hl *h)
{
	size_t pos = 0;

	if (sg->len != sg->src_len) {
		bool hl = layout_in_span(sg->src_off, h->spans, h->nspans);
		char *t = xstrndup(sg->text, sg->len);

		layout_add_n(l, hl ? h->hl_role : h->role, t, sg->len,
		             layout_width(t));
		free(t);
		return;
	}
	while (pos < sg->len) {
		size_t off = sg->src_off + pos;
		size_t edge = layout_next_edge(off, sg->src_off + sg->len,
		                               h->spans, h->nspans) -
		              sg->src_off;
		bool hl = layout_in_span(off, h->spans, h->nspans);
		char *t;

		while (edge < sg->len && (sg->text[edge] & 0xc0) == 0x80) {
			edge++;
		}
		t = xstrndup(sg->text + pos, edge - pos);
		layout_add_n(l, hl ? h->hl_role : h->role, t, edge - pos,
		             layout_width(t));
		free(t);
		pos = edge;
	}
}

static void
layout_add_marker(struct layout_line *l, const struct sanitize_seg *sg)
{
	char *t = xstrndup(sg->text, sg->len);

	layout_add_n(l, ROLE_MARKER, t, sg->len, layout_width(t));
	free(t);
}

/* A tab drawn as indentation ("»" and spaces) in code: dim, not a warning
 * marker, since it is what the file holds. */
static bool
layout_is_code_tab(const char *s, const struct sanitize_seg *sg,
                   unsigned tab_width)
{
	return tab_width > 0 && sg->src_len == 1 && s[sg->src_off] == '\t';
}

static void
layout_add_sanitised(struct layout_lines *ls, const char *s, size_t n,
                     const struct layout_hl *h, int indent, unsigned tab_width)
{
	struct sanitize_opts opts = { .tab_width = tab_width };
	struct sanitize_text *t = NULL;
	struct layout_line *l = ls->n ? &ls->v[ls->n - 1] : layout_push(ls);

	if (sanitize(s, n, &opts, &t) != 0) {
		layout_add(l, ROLE_MARKER, "<unprintable>");
		return;
	}
	for (size_t i = 0; i < sanitize_count(t); i++) {
		const struct sanitize_seg *sg = sanitize_seg(t, i);

		if (sg->kind == SANITIZE_BREAK) {
			l = layout_push(ls);
			layout_pad(l, h->role, indent);
		} else if (sg->kind == SANITIZE_NORMAL) {
			layout_add_normal(l, sg, h);
		} else if (layout_is_code_tab(s, sg, tab_width)) {
			char *tab = xstrndup(sg->text, sg->len);

			layout_add_n(l, ROLE_DIM, tab, sg->len,
			             layout_width(tab));
			free(tab);
		} else {
			layout_add_marker(l, sg);
		}
	}
	sanitize_free(t);
}

void
layout_add_untrusted(struct layout_lines *ls, const char *s, size_t n,
                     enum theme_role role, const struct layout_span *spans,
                     size_t nspans, enum theme_role hl_role, int indent)
{
	struct layout_hl h = { role, hl_role, spans, nspans };

	layout_add_sanitised(ls, s, n, &h, indent, 0);
}

void
layout_add_code(struct layout_lines *ls, const char *s, size_t n,
                enum theme_role role, int indent, unsigned tab_width)
{
	struct layout_hl h = { role, role, NULL, 0 };

	layout_add_sanitised(ls, s, n, &h, indent, tab_width);
}

void
layout_add_inline(struct layout_line *l, enum theme_role role, const char *s)
{
	struct sanitize_text *t = NULL;

	if (s == NULL) {
		return;
	}
	if (sanitize(s, strlen(s), NULL, &t) != 0) {
		layout_add(l, ROLE_MARKER, "<unprintable>");
		return;
	}
	for (size_t i = 0; i < sanitize_count(t); i++) {
		const struct sanitize_seg *sg = sanitize_seg(t, i);
		char *txt = xstrndup(sg->text, sg->len);

		if (sg->kind == SANITIZE_BREAK) {
			layout_add_n(l, ROLE_MARKER, LAYOUT_LF_MARK, 3, 1);
		} else {
			layout_add_n(l,
			             sg->kind == SANITIZE_NORMAL ? role
			                                         : ROLE_MARKER,
			             txt, sg->len, layout_width(txt));
		}
		free(txt);
	}
	sanitize_free(t);
}
