#include "tui/layout.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
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

/* ---- time ------------------------------------------------------------------
 */

void
layout_fmt_duration(int64_t ms, char *buf, size_t size)
{
	int64_t s = ms < 0 ? 0 : ms / 1000;

	if (s < 60) {
		snprintf(buf, size, "%ds", (int)s);
	} else if (s < 3600) {
		snprintf(buf, size, "%dm%02ds", (int)(s / 60), (int)(s % 60));
	} else if (s < 86400) {
		snprintf(buf, size, "%dh%02dm", (int)(s / 3600),
		         (int)(s % 3600 / 60));
	} else {
		snprintf(buf, size, "%dd%02dh", (int)(s / 86400),
		         (int)(s % 86400 / 3600));
	}
}

void
layout_fmt_countdown(int64_t deadline_ms, int64_t now_ms, char *buf,
                     size_t size, bool *urgent)
{
	int64_t left = deadline_ms - now_ms;

	*urgent = false;
	if (deadline_ms <= 0) {
		snprintf(buf, size, "-");
		return;
	}
	if (left <= 0) {
		*urgent = true;
		snprintf(buf, size, "expired");
		return;
	}
	*urgent = left < 30000;
	/* round up: "1s" until the very end, never a premature "0s" */
	layout_fmt_duration(left + 999, buf, size);
}

/* ---- geometry --------------------------------------------------------------
 */

void
layout_geometry(int rows, int cols, bool banner, struct layout_geom *g)
{
	int avail;

	memset(g, 0, sizeof *g);
	g->rows = rows;
	g->cols = cols;
	g->too_small = rows < 10 || cols < 40;
	g->status_y = 0;
	g->banner_y = banner ? 1 : -1;
	g->list_y = banner ? 2 : 1;
	g->legend_y = rows - 1;
	g->message_y = rows - 2;
	/* header rows for the list and the detail title */
	avail = g->message_y - g->list_y - 2;
	if (avail < 2) {
		avail = 2;
	}
	/* the list gets a third, at least 3 rows: the detail matters more */
	g->list_h = avail / 3 < 3 ? 3 : avail / 3;
	if (g->list_h > avail - 1) {
		g->list_h = avail - 1 > 0 ? avail - 1 : 1;
	}
	g->detail_y = g->list_y + 1 + g->list_h;
	g->detail_h = g->message_y - g->detail_y - 1;
	if (g->detail_h < 0) {
		g->detail_h = 0;
	}
}

/* ---- selection
 * --------------------------------------------------------------- */

void
layout_sel_sync(struct layout_sel *sel, const int64_t *ids, size_t n)
{
	if (n == 0) {
		sel->id = 0;
		sel->index = 0;
		sel->top = 0;
		return;
	}
	for (size_t i = 0; i < n; i++) {
		if (ids[i] == sel->id) {
			sel->index = i;
			return;
		}
	}
	if (sel->index >= n) {
		sel->index = n - 1;
	}
	sel->id = ids[sel->index];
}

void
layout_sel_move(struct layout_sel *sel, const int64_t *ids, size_t n,
                long delta)
{
	long idx;

	if (n == 0) {
		layout_sel_sync(sel, ids, n);
		return;
	}
	idx = (long)sel->index + delta;
	if (idx < 0) {
		idx = 0;
	}
	if (idx >= (long)n) {
		idx = (long)n - 1;
	}
	sel->index = (size_t)idx;
	sel->id = ids[sel->index];
}

void
layout_sel_scroll(struct layout_sel *sel, size_t visible)
{
	if (visible == 0) {
		sel->top = sel->index;
		return;
	}
	if (sel->index < sel->top) {
		sel->top = sel->index;
	}
	if (sel->index >= sel->top + visible) {
		sel->top = sel->index - visible + 1;
	}
}

/* ---- the queue
 * ------------------------------------------------------------------ */

/* Categories in the order a badge names them: the worst first. */
static const struct {
	enum risk_cat cat;
	const char *abbrev;
	enum theme_role role;
} layout_badges[] = {
	{ RISK_TAMPER, "TAMP", ROLE_RISK_HIGH },
	{ RISK_DESTRUCTIVE, "DEST", ROLE_RISK_HIGH },
	{ RISK_PRIVILEGE, "PRIV", ROLE_RISK_HIGH },
	{ RISK_SECRET_ACCESS, "SECR", ROLE_RISK_MEDIUM },
	{ RISK_EGRESS, "EGRS", ROLE_RISK_MEDIUM },
	{ RISK_OBFUSCATION, "OBFS", ROLE_RISK_MEDIUM },
	{ RISK_UNPARSED, "UNPR", ROLE_RISK_MEDIUM },
	{ RISK_WORKSPACE_WRITE, "WRIT", ROLE_RISK_LOW },
};

#define LAYOUT_NBADGES (sizeof layout_badges / sizeof layout_badges[0])

void
layout_badge(const struct risk_report *r, char *buf, size_t size,
             enum theme_role *role)
{
	int first = -1, more = 0;

	for (size_t i = 0; i < LAYOUT_NBADGES; i++) {
		if (!(r->mask & RISK_BIT(layout_badges[i].cat))) {
			continue;
		}
		if (first < 0) {
			first = (int)i;
		} else {
			more++;
		}
	}
	*role = first < 0 ? ROLE_RISK_LOW : layout_badges[first].role;
	if (first < 0) {
		snprintf(buf, size, "%s", "");
	} else if (more > 0) {
		snprintf(buf, size, "%s+%d", layout_badges[first].abbrev, more);
	} else {
		snprintf(buf, size, "%s", layout_badges[first].abbrev);
	}
}

/* Higher is worse: the badge table's order, reversed. */
static int
layout_risk_rank(const struct action *a)
{
	for (size_t i = 0; i < LAYOUT_NBADGES; i++) {
		if (a->risk.mask & RISK_BIT(layout_badges[i].cat)) {
			return (int)(LAYOUT_NBADGES - i);
		}
	}
	return 0;
}

bool
layout_is_irreversible(const struct action *a)
{
	return (a->risk.mask &
	        (RISK_BIT(RISK_DESTRUCTIVE) | RISK_BIT(RISK_TAMPER))) != 0;
}

static int
layout_urgency_cmp(const void *pa, const void *pb)
{
	const struct action *a = *(const struct action *const *)pa;
	const struct action *b = *(const struct action *const *)pb;
	int64_t da = a->deadline_ms > 0 ? a->deadline_ms : INT64_MAX;
	int64_t db = b->deadline_ms > 0 ? b->deadline_ms : INT64_MAX;
	int ra = layout_risk_rank(a), rb = layout_risk_rank(b);

	if (da != db) {
		return da < db ? -1 : 1;
	}
	if (ra != rb) {
		return ra > rb ? -1 : 1;
	}
	return a->id < b->id ? -1 : a->id > b->id;
}

void
layout_queue_sort(const struct action *const *in, size_t n,
                  const struct action **out)
{
	for (size_t i = 0; i < n; i++) {
		out[i] = in[i];
	}
	if (n > 1) {
		qsort(out, n, sizeof *out, layout_urgency_cmp);
	}
}

struct layout_columns {
	int badge, session, tool, summary, age, countdown;
};

static void
layout_columns(int cols, struct layout_columns *c)
{
	c->badge = 6;
	c->session = cols >= 100 ? 20 : 12;
	c->tool = cols >= 100 ? 12 : 9;
	c->age = 6;
	c->countdown = 7;
	/* five separating spaces */
	c->summary = cols - c->badge - c->session - c->tool - c->age -
	             c->countdown - 5;
	if (c->summary < 8) {
		c->session = 0;
		c->summary += 13;
	}
	if (c->summary < 1) {
		c->summary = 1;
	}
}

/* Appends field (consumed) to row, cut or padded to exactly cols. */
static void
layout_field(struct layout_line *row, struct layout_line *field, int cols,
             bool right)
{
	layout_line_fit(field, cols);
	if (right) {
		layout_pad(row, ROLE_NORMAL, row->cols + cols - field->cols);
	}
	for (size_t i = 0; i < field->nsegs; i++) {
		layout_add_n(row, field->segs[i].role, field->segs[i].text,
		             strlen(field->segs[i].text), field->segs[i].cols);
	}
	if (!right) {
		layout_pad(row, ROLE_NORMAL, row->cols + cols - field->cols);
	}
	layout_line_clear(field);
}

static const char *
layout_basename(const char *path)
{
	const char *end, *start;

	if (path == NULL || *path == '\0') {
		return "?";
	}
	end = path + strlen(path);
	while (end > path + 1 && end[-1] == '/') {
		end--;
	}
	start = end;
	while (start > path && start[-1] != '/') {
		start--;
	}
	return start;
}

/* "a1b2c3d4 proj": the session's short id and its project directory. */
static void
layout_session_field(const struct action *a, struct layout_line *f)
{
	char sid[7];

	snprintf(sid, sizeof sid, "%s", a->session_id ? a->session_id : "?");
	layout_add_inline(f, ROLE_DIM, sid);
	layout_add(f, ROLE_NORMAL, " ");
	layout_add_inline(f, ROLE_NORMAL, layout_basename(a->cwd));
}

static void
layout_select_roles(struct layout_line *row)
{
	/* markers keep their own role: hostile text stays visible as such */
	for (size_t i = 0; i < row->nsegs; i++) {
		if (row->segs[i].role != ROLE_MARKER) {
			row->segs[i].role = ROLE_SELECTED;
		}
	}
}

void
layout_queue_row(const struct action *a, int64_t now_ms, int cols,
                 bool selected, struct layout_line *out)
{
	struct layout_columns c;
	struct layout_line f = { 0 };
	char buf[32];
	enum theme_role role;
	bool urgent;

	layout_columns(cols, &c);
	layout_badge(&a->risk, buf, sizeof buf, &role);
	layout_add(&f, role, buf);
	layout_field(out, &f, c.badge, false);
	layout_add(out, ROLE_NORMAL, " ");
	if (c.session > 0) {
		layout_session_field(a, &f);
		layout_field(out, &f, c.session, false);
		layout_add(out, ROLE_NORMAL, " ");
	}
	layout_add_inline(&f, ROLE_NORMAL, a->tool_name ? a->tool_name : "?");
	layout_field(out, &f, c.tool, false);
	layout_add(out, ROLE_NORMAL, " ");
	layout_add_inline(&f, ROLE_NORMAL, a->summary ? a->summary : "");
	layout_field(out, &f, c.summary, false);
	layout_add(out, ROLE_NORMAL, " ");
	layout_fmt_duration(now_ms - a->received_ms, buf, sizeof buf);
	layout_add(&f, ROLE_DIM, buf);
	layout_field(out, &f, c.age, true);
	layout_add(out, ROLE_NORMAL, " ");
	layout_fmt_countdown(a->deadline_ms, now_ms, buf, sizeof buf, &urgent);
	layout_add(&f, urgent ? ROLE_COUNTDOWN_URGENT : ROLE_COUNTDOWN, buf);
	layout_field(out, &f, c.countdown, true);
	if (selected) {
		layout_select_roles(out);
	}
}

void
layout_queue_header(int cols, struct layout_line *out)
{
	struct layout_columns c;
	struct layout_line f = { 0 };

	layout_columns(cols, &c);
	layout_add(&f, ROLE_HEADER, "RISK");
	layout_field(out, &f, c.badge, false);
	layout_add(out, ROLE_HEADER, " ");
	if (c.session > 0) {
		layout_add(&f, ROLE_HEADER, "SESSION");
		layout_field(out, &f, c.session, false);
		layout_add(out, ROLE_HEADER, " ");
	}
	layout_add(&f, ROLE_HEADER, "TOOL");
	layout_field(out, &f, c.tool, false);
	layout_add(out, ROLE_HEADER, " ");
	layout_add(&f, ROLE_HEADER, "SUMMARY");
	layout_field(out, &f, c.summary, false);
	layout_add(out, ROLE_HEADER, " ");
	layout_add(&f, ROLE_HEADER, "AGE");
	layout_field(out, &f, c.age, true);
	layout_add(out, ROLE_HEADER, " ");
	layout_add(&f, ROLE_HEADER, "LEFT");
	layout_field(out, &f, c.countdown, true);
}

void
layout_add_cell(struct layout_line *row, enum theme_role role,
                const char *untrusted, int cols)
{
	struct layout_lines tmp = { 0 };
	struct layout_line *f = layout_push(&tmp);

	layout_add_inline(f, role, untrusted ? untrusted : "");
	layout_line_fit(f, cols);
	for (size_t i = 0; i < f->nsegs; i++) {
		layout_add_n(row, f->segs[i].role, f->segs[i].text,
		             strlen(f->segs[i].text), f->segs[i].cols);
	}
	layout_pad(row, ROLE_NORMAL, row->cols + cols - f->cols);
	layout_lines_free(&tmp);
}
