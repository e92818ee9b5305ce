#include "core/inject.h"

#include <stdlib.h>
#include <string.h>

#include "core/al.h"
#include "core/inject_int.h"
#include "core/xalloc.h"

/*
 * Phrase screening and the screener's entry points. The text is
 * normalised (inject_norm.c) and the rules (inject_rules.c) are matched
 * on the normalised text; ADDRESSED matches count only when an ADDRESS or
 * STANDALONE match starts at most INJECT_WINDOW bytes before them.
 *
 * Speed: a match can only start at a word start or at a byte that begins
 * some first element, and at such a position only the alternatives
 * sharing the hash of its first three bytes are compared. Inside words
 * the scan skips to the word's end, so per input byte the work is a few
 * table lookups.
 */

#define INJECT_WINDOW 400

/* ---- findings ---------------------------------------------------------- */

void
inject_add(struct inject_list *l, const char *tech, size_t start, size_t end,
           const char *why)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 16;
		l->v = xrealloc(l->v, l->cap * sizeof(*l->v));
	}
	l->v[l->n].technique = tech;
	l->v[l->n].start = start;
	l->v[l->n].end = end > start ? end : start + 1;
	l->v[l->n].why = why;
	l->n++;
}

/* ---- matching ------------------------------------------------------------ */

static bool
inject_word_start(const struct inject_norm *nm, size_t q)
{
	return q == 0 || !inject_alnum((unsigned char)nm->s[q - 1]);
}

static inline size_t
inject_alt_at(const struct inject_norm *nm, size_t q,
              const struct inject_alt *al)
{
	/* Cheapest tests first: most bytes are inside words. */
	if (nm->n - q < al->len || nm->s[q] != al->s[0] ||
	    (al->word && !inject_word_start(nm, q)) ||
	    (al->len > 1 && nm->s[q + 1] != al->s[1]) ||
	    memcmp(nm->s + q, al->s, al->len) != 0) {
		return 0;
	}
	return q + al->len;
}

static size_t
inject_elem_at(const struct inject_rules *rs, const struct inject_norm *nm,
               size_t q, const struct inject_elem *e)
{
	unsigned char b0 = (unsigned char)nm->s[q];

	/* s[n] is a NUL, so s[q + 1] is always readable. */
	if (!inject_bit(e->pair,
	                inject_pair(b0, (unsigned char)nm->s[q + 1])) &&
	    !inject_bit(e->single, b0)) {
		return 0;
	}
	/* The first alternative, in order, that matches: only those
	 * starting with s[q] can, and memchr finds them in rs->lead. */
	const char *lead = rs->lead + e->first;
	const char *end = lead + e->nalts;
	const char *p = lead;

	while ((p = memchr(p, nm->s[q], (size_t)(end - p))) != NULL) {
		size_t a = e->first + (size_t)(p - lead);
		size_t stop = inject_alt_at(nm, q, &rs->alts[a]);
		if (stop != 0) {
			return stop;
		}
		p++;
	}
	return 0;
}

/* Bytes a no-cross gap may not pass: quotes and brackets end a phrase. */
static bool
inject_barrier(char ch)
{
	return ch == '"' || ch == '{' || ch == '}' || ch == '<' || ch == '>';
}

/* Continues rule cr after its first element matched up to end; returns the
 * end of the whole match or 0. */
static size_t
inject_rule_rest(const struct inject_rules *rs, const struct inject_norm *nm,
                 const struct inject_crule *cr, size_t end)
{
	for (size_t k = 1; end != 0 && k < cr->nel; k++) {
		size_t q = end, found = 0;
		for (; q <= end + cr->r->gap && q < nm->n; q++) {
			if (q > end && cr->r->nocross &&
			    inject_barrier(nm->s[q - 1])) {
				break;
			}
			found = inject_elem_at(rs, nm, q, &cr->el[k]);
			if (found != 0) {
				break;
			}
		}
		end = found;
	}
	return end;
}

struct inject_match {
	const struct inject_rule *r;
	size_t s, e; /* normalised offsets */
};

struct inject_matches {
	struct inject_match *v;
	size_t n, cap;
};

static void
inject_push_match(struct inject_matches *m, const struct inject_rule *r,
                  size_t s, size_t e)
{
	if (m->n == m->cap) {
		m->cap = m->cap ? m->cap * 2 : 32;
		m->v = xrealloc(m->v, m->cap * sizeof(*m->v));
	}
	m->v[m->n].r = r;
	m->v[m->n].s = s;
	m->v[m->n].e = e;
	m->n++;
}

/* Every rule that matches starting at p, in rule order; one match per
 * rule (its first alternative that completes). */
static void
inject_match_at(const struct inject_norm *nm, const struct inject_rules *rs,
                size_t p, struct inject_matches *m)
{
	size_t h = inject_bucket3(nm->s + p);
	size_t last_rule = (size_t)-1;

	if (!inject_bit(rs->used, h)) {
		return;
	}
	for (size_t k = rs->off[h]; k < rs->off[h + 1]; k++) {
		const struct inject_entry *en = &rs->ent[k];
		const struct inject_crule *cr = &rs->r[en->rule];
		size_t e;
		if (en->rule == last_rule) {
			continue; /* this rule already matched here */
		}
		e = inject_alt_at(nm, p, &rs->alts[en->alt]);
		if (e != 0 && (e = inject_rule_rest(rs, nm, cr, e)) != 0) {
			inject_push_match(m, cr->r, p, e);
			last_rule = en->rule;
		}
	}
}

static void
inject_match_all(const struct inject_norm *nm, const struct inject_rules *rs,
                 struct inject_matches *m)
{
	const uint32_t *cand = nm->cand;
	size_t nc = nm->ncand, n = nm->n;

	/* Every first-element alternative is at least three bytes long. */
	for (size_t k = 0; k < nc && cand[k] + 2 < n; k++) {
		inject_match_at(nm, rs, cand[k], m);
	}
}

/* ---- evaluation ---------------------------------------------------------- */

/* A quoted example inside text about prompt injection is discussion.
 * *topic caches whether the text mentions injection at all (-1: not yet
 * looked). */
static bool
inject_quoted_discussion(const struct inject_norm *nm,
                         const struct inject_match *m, int *topic)
{
	size_t b = m->s;

	if (*topic < 0) {
		*topic = memmem(nm->s, nm->n, "injection", 9) != NULL;
	}
	if (!*topic) {
		return false;
	}
	while (b > 0 && m->s - b < 120 && nm->s[b - 1] != '\n') {
		b--;
		if (nm->s[b] == '"' ||
		    (b >= 2 && memcmp(nm->s + b - 2, "\xe2\x80\x9c", 3) == 0)) {
			return true;
		}
	}
	return false;
}

static bool
inject_span_has(const struct inject_norm *nm, size_t s, size_t e,
                unsigned char flag)
{
	for (size_t k = s; k < e; k++) {
		if ((nm->map[k] >> INJECT_MAP_SHIFT) & flag) {
			return true;
		}
	}
	return false;
}

static void
inject_emit_match(struct inject_ctx *c, const struct inject_norm *nm,
                  const struct inject_match *m)
{
	size_t os = nm->map[m->s] & INJECT_MAP_OFF;
	size_t oe = nm->map[m->e] & INJECT_MAP_OFF;

	inject_add(c->out, m->r->tech, os, oe, m->r->why);
	if (m->r->lang) {
		inject_add(c->out, "multilingual", os, oe,
		           "instruction written in another language");
	}
	if (inject_span_has(nm, m->s, m->e, INJECT_NF_FOLD)) {
		inject_add(c->out, "homoglyph", os, oe,
		           "look-alike letters or leetspeak inside an "
		           "instruction");
	}
	if (inject_span_has(nm, m->s + 1, m->e, INJECT_NF_SPLIT)) {
		inject_add(c->out, "split", os, oe,
		           "instruction words broken across lines");
	}
}

static void
inject_evaluate(struct inject_ctx *c, const struct inject_norm *nm,
                const struct inject_matches *m)
{
	size_t last_anchor = (size_t)-1;
	bool any_anchor = c->assume_addr;
	int topic = -1;

	/* Matches are ordered by start, so the latest anchor so far is the
	 * only one an ADDRESSED match needs to look at. */
	for (size_t k = 0; k < m->n; k++) {
		const struct inject_match *x = &m->v[k];
		if (x->r->kind == INJECT_K_MARKER) {
			c->maybe |= x->r->lang;
			continue;
		}
		if (x->r->kind == INJECT_K_ADDRESS) {
			last_anchor = x->s;
			any_anchor = true;
			c->nanchors++;
			continue;
		}
		if (x->r->kind == INJECT_K_STANDALONE) {
			if (strcmp(x->r->tech, "direct_override") == 0 &&
			    inject_quoted_discussion(nm, x, &topic)) {
				continue;
			}
			last_anchor = x->s;
			any_anchor = true;
			c->nanchors++;
			inject_emit_match(c, nm, x);
			continue;
		}
		if (c->assume_addr ||
		    (any_anchor && last_anchor != (size_t)-1 &&
		     x->s - last_anchor <= INJECT_WINDOW)) {
			inject_emit_match(c, nm, x);
		}
	}
}

static void
inject_screen_phrases(struct inject_ctx *c)
{
	struct inject_norm nm;
	struct inject_rules *rs = inject_rules_new();
	struct inject_matches m = { 0 };

	inject_normalize(c->text, c->len, rs->start, &nm);
	inject_match_all(&nm, rs, &m);
	inject_evaluate(c, &nm, &m);
	free(m.v);
	inject_rules_free(rs);
	inject_norm_free(&nm);
}

static void
inject_run(struct inject_ctx *c)
{
	inject_screen_phrases(c);
	inject_scan_unicode(c);
	inject_scan_encoded(c);
	inject_scan_markdown(c);
	inject_mark_hidden(c);
}

bool
inject_payload(struct inject_ctx *parent, const char *text, size_t len,
               size_t cs, size_t ce, const char *tech, const char *why)
{
	struct inject_list sub = { 0 };
	struct inject_ctx c = { 0 };

	if (parent->depth >= 2 || len == 0) {
		return false;
	}
	c.text = text;
	c.len = len;
	c.depth = parent->depth + 1;
	c.assume_addr = true;
	c.out = &sub;
	inject_run(&c);
	if (sub.n > 0) {
		inject_add(parent->out, tech, cs, ce, why);
		for (size_t k = 0; k < sub.n; k++) {
			inject_add(parent->out, sub.v[k].technique, cs, ce,
			           sub.v[k].why);
		}
		parent->nanchors++;
	}
	free(sub.v);
	return sub.n > 0;
}

/* ---- API --------------------------------------------------------------- */

static int
inject_cmp(const void *a, const void *b)
{
	const struct inject_finding *x = a, *y = b;

	if (x->start != y->start) {
		return x->start < y->start ? -1 : 1;
	}
	if (x->end != y->end) {
		return x->end < y->end ? -1 : 1;
	}
	return strcmp(x->technique, y->technique);
}

/* Sorts and drops repeats of the same technique on the same span. */
static size_t
inject_dedupe(struct inject_list *l)
{
	size_t w = 0;

	if (l->n == 0) {
		return 0;
	}
	qsort(l->v, l->n, sizeof(*l->v), inject_cmp);
	for (size_t k = 0; k < l->n; k++) {
		if (w > 0 && l->v[w - 1].start == l->v[k].start &&
		    l->v[w - 1].end == l->v[k].end &&
		    strcmp(l->v[w - 1].technique, l->v[k].technique) == 0) {
			continue;
		}
		l->v[w++] = l->v[k];
	}
	return w;
}

int
inject_screen(const char *text, size_t len, struct inject_finding **out,
              size_t *n)
{
	struct inject_list l = { 0 };
	struct inject_ctx c = { 0 };

	if (out == NULL || n == NULL || (text == NULL && len > 0)) {
		return AL_EINVAL;
	}
	c.text = text;
	c.len = len < INJECT_MAX_LEN ? len : INJECT_MAX_LEN;
	c.out = &l;
	if (c.len > 0) {
		inject_run(&c);
	}
	*n = inject_dedupe(&l);
	if (*n == 0) {
		free(l.v);
		l.v = NULL;
	}
	*out = l.v;
	return 0;
}

bool
inject_detected(const char *text, size_t len)
{
	struct inject_finding *f = NULL;
	size_t n = 0;

	if (inject_screen(text, len, &f, &n) != 0) {
		return false;
	}
	free(f);
	return n > 0;
}
