#include "core/diff.h"

#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/al.h"
#include "core/diff_int.h"
#include "core/xalloc.h"

/*
 * Lines are first mapped to equivalence classes (equal text and equal
 * end-of-line state give the same integer), so the O(ND) search compares
 * integers. The search is GNU diff's formulation of Myers' middle snake
 * (diffseq.h) without its speed heuristics, so the result is minimal; then
 * shift_boundaries() slides each run of changes the way GNU diff does, so
 * ambiguous edits (an inserted line next to an identical one) come out
 * where `diff -u` shows them.
 */

struct dline {
	const char *p;
	size_t len;
	bool eol; /* ended by a line feed */
};

/* A file: all its lines, and the region between the lines common to both
 * files at the start and at the end, which is what is compared (as GNU diff
 * does: changes never slide into the identical ends). */
struct dfile {
	struct dline *l;
	size_t nall;
	size_t base;   /* first line of the region */
	size_t n;      /* lines in the region */
	long *eq;      /* equivalence class of each line of the region */
	char *changed; /* n + 2 flags, index -1 and n are sentinels */
	long *undisc;  /* classes of the lines not discarded up front */
	size_t *real;  /* their indexes in the region */
	size_t nund;
};

/* The search state: two vectors of diagonals (indexed by x - y). */
struct dctx {
	const long *xv, *yv;
	const size_t *xreal, *yreal;
	char *xchg, *ychg;
	long *fd, *bd; /* offset so that index -(ny + 1) .. nx + 1 is valid */
	long too_expensive; /* edit steps before settling for non-minimal */
};

/* ---- splitting and classes ---------------------------------------------- */

static size_t
diff_split(const char *s, size_t len, struct dline **out)
{
	size_t n = 0;
	size_t cap = 16;
	struct dline *l = xmalloc(cap * sizeof(*l));

	for (size_t i = 0; i < len;) {
		const char *nl = memchr(s + i, '\n', len - i);
		size_t end = nl ? (size_t)(nl - s) : len;
		if (n == cap) {
			cap *= 2;
			l = xrealloc(l, cap * sizeof(*l));
		}
		l[n++] = (struct dline){ s + i, end - i, nl != NULL };
		i = nl ? end + 1 : len;
	}
	*out = l;
	return n;
}

static uint64_t
diff_hash(const struct dline *l)
{
	uint64_t h = 1469598103934665603ull ^ (uint64_t)l->eol;

	for (size_t i = 0; i < l->len; i++) {
		h = (h ^ (unsigned char)l->p[i]) * 1099511628211ull;
	}
	return h;
}

static bool
diff_line_eq(const struct dline *a, const struct dline *b)
{
	return a->len == b->len && a->eol == b->eol &&
	       memcmp(a->p, b->p, a->len) == 0;
}

/* Gives every line of both files its class: an open-addressing table of
 * the first line seen with each content. */
static long
diff_classes(struct dfile *a, struct dfile *b)
{
	size_t total = a->n + b->n;
	size_t cap = 16;
	const struct dline **slot;
	long *cls;
	long next = 1;

	while (cap < total * 2) {
		cap *= 2;
	}
	slot = xcalloc(cap, sizeof(*slot));
	cls = xmalloc(cap * sizeof(*cls));
	for (size_t k = 0; k < total; k++) {
		struct dfile *f = k < a->n ? a : b;
		size_t i = k < a->n ? k : k - a->n;
		const struct dline *l = &f->l[f->base + i];
		size_t h = (size_t)diff_hash(l) & (cap - 1);
		while (slot[h] != NULL && !diff_line_eq(slot[h], l)) {
			h = (h + 1) & (cap - 1);
		}
		if (slot[h] == NULL) {
			slot[h] = l;
			cls[h] = next++;
		}
		f->eq[i] = cls[h];
	}
	free(slot);
	free(cls);
	return next;
}

/* ---- discarding lines up front (GNU diff's discard_confusing_lines) -------
 */

/* 1: the line matches nothing in the other file (certainly changed);
 * 2: it matches very many lines (provisionally discardable). */
static void
diff_discard_mark(const struct dfile *f, const size_t *other_count, char *disc)
{
	size_t many = 5;
	size_t tem = f->n / 64;

	/* many grows with the square root of the number of lines. */
	while ((tem = tem >> 2) > 0) {
		many *= 2;
	}
	for (size_t i = 0; i < f->n; i++) {
		size_t nmatch = other_count[f->eq[i]];
		if (nmatch == 0) {
			disc[i] = 1;
		} else if (nmatch > many) {
			disc[i] = 2;
		}
	}
}

/* Cancels provisional discards within the first or last lines of a run
 * (dir +1 from its first line, -1 from its last), until three certain
 * discards in a row or one at least eight lines in. */
static void
diff_discard_edge(char *disc, long from, long dir, long length)
{
	long consec = 0;

	for (long j = 0; j < length; j++) {
		char *d = &disc[from + dir * j];
		if (j >= 8 && *d == 1) {
			break;
		}
		if (*d == 2) {
			consec = 0;
			*d = 0;
		} else if (*d == 0) {
			consec = 0;
		} else {
			consec++;
		}
		if (consec == 3) {
			break;
		}
	}
}

/* A run [i, j) of discardable lines whose ends are certain: keep the
 * provisional ones unless they are few and scattered. */
static void
diff_discard_run(char *disc, long i, long j, long provisional)
{
	long length = j - i;
	long minimum = 1;
	long tem = length >> 2;
	long consec = 0;

	if (provisional * 4 > length) {
		for (long k = i; k < j; k++) {
			disc[k] = disc[k] == 2 ? 0 : disc[k];
		}
		return;
	}
	while (0 < (tem >>= 2)) {
		minimum <<= 1;
	}
	minimum++;
	for (long k = 0; k < length; k++) {
		if (disc[i + k] != 2) {
			consec = 0;
		} else if (minimum == ++consec) {
			k -= consec;
		} else if (minimum < consec) {
			disc[i + k] = 0;
		}
	}
	diff_discard_edge(disc, i, 1, length);
	diff_discard_edge(disc, i + length - 1, -1, length);
}

static void
diff_discard_runs(char *disc, long end)
{
	for (long i = 0; i < end; i++) {
		long j;
		long provisional = 0;
		if (disc[i] == 2) {
			disc[i] = 0;
			continue;
		}
		if (disc[i] == 0) {
			continue;
		}
		for (j = i; j < end && disc[j] != 0; j++) {
			provisional += disc[j] == 2;
		}
		while (j > i && disc[j - 1] == 2) {
			disc[--j] = 0;
			provisional--;
		}
		diff_discard_run(disc, i, j, provisional);
		i = j - 1;
	}
}

/* Lines that match nothing in the other file are changed for certain:
 * leave them out of the search (which speeds it up and decides ties the
 * way GNU diff does), keeping the others in undisc/real. */
static void
diff_discard(struct dfile *a, struct dfile *b, long nclasses)
{
	size_t *count = xcalloc(2 * (size_t)nclasses, sizeof(*count));
	char *disc = xcalloc(a->n + b->n + 1, 1);
	struct dfile *fs[2] = { a, b };

	for (size_t i = 0; i < a->n; i++) {
		count[a->eq[i]]++;
	}
	for (size_t i = 0; i < b->n; i++) {
		count[nclasses + b->eq[i]]++;
	}
	diff_discard_mark(a, count + nclasses, disc);
	diff_discard_mark(b, count, disc + a->n);
	for (int f = 0; f < 2; f++) {
		struct dfile *d = fs[f];
		char *dd = disc + (f ? a->n : 0);
		diff_discard_runs(dd, (long)d->n);
		d->undisc = xmalloc((d->n + 1) * sizeof(*d->undisc));
		d->real = xmalloc((d->n + 1) * sizeof(*d->real));
		d->nund = 0;
		for (size_t i = 0; i < d->n; i++) {
			if (dd[i] == 0) {
				d->undisc[d->nund] = d->eq[i];
				d->real[d->nund++] = i;
			} else {
				d->changed[i + 1] = 1;
			}
		}
	}
	free(count);
	free(disc);
}

/* ---- the middle snake -----------------------------------------------------
 */

struct dpart {
	long xmid, ymid;
	bool lo_minimal, hi_minimal;
};

/* Extends the forward search by one edit; true when it met the backward
 * one (odd delta), with the split point in *part. */
static bool
diff_forward(struct dctx *c, long *fmin, long *fmax, const long lim[4],
             long bmin, long bmax, bool odd, struct dpart *part)
{
	long *fd = c->fd;
	long xlim = lim[1];
	long ylim = lim[3];

	if (*fmin > lim[0] - lim[3]) {
		fd[--*fmin - 1] = -1;
	} else {
		++*fmin;
	}
	if (*fmax < lim[1] - lim[2]) {
		fd[++*fmax + 1] = -1;
	} else {
		--*fmax;
	}
	for (long d = *fmax; d >= *fmin; d -= 2) {
		long tlo = fd[d - 1];
		long thi = fd[d + 1];
		long x = tlo < thi ? thi : tlo + 1;
		long y = x - d;
		while (x < xlim && y < ylim && c->xv[x] == c->yv[y]) {
			x++;
			y++;
		}
		fd[d] = x;
		if (odd && bmin <= d && d <= bmax && c->bd[d] <= x) {
			*part = (struct dpart){ x, y, true, true };
			return true;
		}
	}
	return false;
}

static bool
diff_backward(struct dctx *c, long *bmin, long *bmax, const long lim[4],
              long fmin, long fmax, bool odd, struct dpart *part)
{
	long *bd = c->bd;
	long xoff = lim[0];
	long yoff = lim[2];

	if (*bmin > lim[0] - lim[3]) {
		bd[--*bmin - 1] = LONG_MAX;
	} else {
		++*bmin;
	}
	if (*bmax < lim[1] - lim[2]) {
		bd[++*bmax + 1] = LONG_MAX;
	} else {
		--*bmax;
	}
	for (long d = *bmax; d >= *bmin; d -= 2) {
		long tlo = bd[d - 1];
		long thi = bd[d + 1];
		long x = tlo < thi ? tlo : thi - 1;
		long y = x - d;
		while (xoff < x && yoff < y && c->xv[x - 1] == c->yv[y - 1]) {
			x--;
			y--;
		}
		bd[d] = x;
		if (!odd && fmin <= d && d <= fmax && x <= c->fd[d]) {
			*part = (struct dpart){ x, y, true, true };
			return true;
		}
	}
	return false;
}

/* lim = {xoff, xlim, yoff, ylim}; both ranges are non-empty. */
/* GNU diff's cut-off: after too many edit steps, split at the furthest
 * point either search reached. The result is still a correct diff, only
 * perhaps not minimal; it bounds the time an adversarial pair of files
 * (say, a shuffled copy) can take. Inputs with fewer than 4096 differences
 * never get here. */
static struct dpart
diff_give_up(const struct dctx *c, const long lim[4], const long fb[4])
{
	long fxybest = -1, fxbest = 0;
	long bxybest = LONG_MAX, bxbest = 0;

	for (long d = fb[1]; d >= fb[0]; d -= 2) {
		long x = c->fd[d] < lim[1] ? c->fd[d] : lim[1];
		long y = x - d;
		if (lim[3] < y) {
			x = lim[3] + d;
			y = lim[3];
		}
		if (fxybest < x + y) {
			fxybest = x + y;
			fxbest = x;
		}
	}
	for (long d = fb[3]; d >= fb[2]; d -= 2) {
		long x = c->bd[d] > lim[0] ? c->bd[d] : lim[0];
		long y = x - d;
		if (y < lim[2]) {
			x = lim[2] + d;
			y = lim[2];
		}
		if (x + y < bxybest) {
			bxybest = x + y;
			bxbest = x;
		}
	}
	if ((lim[1] + lim[3]) - bxybest < fxybest - (lim[0] + lim[2])) {
		return (struct dpart){ fxbest, fxybest - fxbest, true, false };
	}
	return (struct dpart){ bxbest, bxybest - bxbest, false, true };
}

static struct dpart
diff_diag(struct dctx *c, const long lim[4], bool minimal)
{
	long fmid = lim[0] - lim[2];
	long bmid = lim[1] - lim[3];
	long fmin = fmid, fmax = fmid, bmin = bmid, bmax = bmid;
	bool odd = ((fmid - bmid) & 1) != 0;
	struct dpart part = { 0, 0, true, true };

	c->fd[fmid] = lim[0];
	c->bd[bmid] = lim[1];
	for (long cost = 1;; cost++) {
		if (diff_forward(c, &fmin, &fmax, lim, bmin, bmax, odd,
		                 &part) ||
		    diff_backward(c, &bmin, &bmax, lim, fmin, fmax, odd,
		                  &part)) {
			return part;
		}
		if (!minimal && cost >= c->too_expensive) {
			const long fb[4] = { fmin, fmax, bmin, bmax };
			return diff_give_up(c, lim, fb);
		}
	}
}

static void
diff_compareseq(struct dctx *c, long xoff, long xlim, long yoff, long ylim,
                bool minimal)
{
	while (xoff < xlim && yoff < ylim && c->xv[xoff] == c->yv[yoff]) {
		xoff++;
		yoff++;
	}
	while (xoff < xlim && yoff < ylim &&
	       c->xv[xlim - 1] == c->yv[ylim - 1]) {
		xlim--;
		ylim--;
	}
	if (xoff == xlim) {
		while (yoff < ylim) {
			c->ychg[c->yreal[yoff++]] = 1;
		}
	} else if (yoff == ylim) {
		while (xoff < xlim) {
			c->xchg[c->xreal[xoff++]] = 1;
		}
	} else {
		const long lim[4] = { xoff, xlim, yoff, ylim };
		struct dpart part = diff_diag(c, lim, minimal);
		diff_compareseq(c, xoff, part.xmid, yoff, part.ymid,
		                part.lo_minimal);
		diff_compareseq(c, part.xmid, xlim, part.ymid, ylim,
		                part.hi_minimal);
	}
}

/* ---- sliding runs of changes (GNU diff's shift_boundaries) ----------------
 */

/* Moves one run of changes [*start, *i) of f: back while the line before it
 * equals its last line (merging with earlier runs), then forward while its
 * first line equals the line after it, then back again to line up with a
 * run of changes in the other file when possible. j tracks the matching
 * position in the other file. */
static void
diff_shift_run(const struct dfile *f, const char *other, long *start, long *i,
               long *j)
{
	char *chg = f->changed + 1;
	const long *eq = f->eq;
	long end = (long)f->n;
	long runlength;
	long corresponding;

	do {
		runlength = *i - *start;
		while (*start > 0 && eq[*start - 1] == eq[*i - 1]) {
			chg[--*start] = 1;
			chg[--*i] = 0;
			while (chg[*start - 1]) {
				(*start)--;
			}
			while (other[--*j]) {
				continue;
			}
		}
		corresponding = other[*j - 1] ? *i : end;
		while (*i != end && eq[*start] == eq[*i]) {
			chg[(*start)++] = 0;
			chg[(*i)++] = 1;
			while (chg[*i]) {
				(*i)++;
			}
			while (other[++*j]) {
				corresponding = *i;
			}
		}
	} while (runlength != *i - *start);
	while (corresponding < *i) {
		chg[--*start] = 1;
		chg[--*i] = 0;
		while (other[--*j]) {
			continue;
		}
	}
}

static void
diff_shift(struct dfile *f, const struct dfile *o)
{
	const char *chg = f->changed + 1;
	const char *other = o->changed + 1;
	long end = (long)f->n;
	long i = 0;
	long j = 0;

	for (;;) {
		long start;
		while (i < end && !chg[i]) {
			while (other[j++]) {
				continue;
			}
			i++;
		}
		if (i == end) {
			break;
		}
		start = i;
		while (chg[++i]) {
			continue;
		}
		while (other[j]) {
			j++;
		}
		diff_shift_run(f, other, &start, &i, &j);
	}
}

/* ---- hunks ----------------------------------------------------------------
 */

struct dchange {
	size_t line0, line1, deleted, inserted;
};

static size_t
diff_changes(const struct dfile *a, const struct dfile *b, struct dchange **out)
{
	const char *x = a->changed + 1;
	const char *y = b->changed + 1;
	size_t i = 0;
	size_t j = 0;
	size_t n = 0;
	size_t cap = 16;
	struct dchange *c = xmalloc(cap * sizeof(*c));

	while (i < a->n || j < b->n) {
		struct dchange ch = { i, j, 0, 0 };
		if (!x[i] && !y[j]) {
			i++;
			j++;
			continue;
		}
		while (x[i]) {
			i++;
		}
		while (y[j]) {
			j++;
		}
		ch.deleted = i - ch.line0;
		ch.inserted = j - ch.line1;
		ch.line0 += a->base;
		ch.line1 += b->base;
		if (n == cap) {
			cap *= 2;
			c = xrealloc(c, cap * sizeof(*c));
		}
		c[n++] = ch;
	}
	*out = c;
	return n;
}

static void
diff_push_line(struct diff_result *r, char kind, const struct dline *l,
               size_t old_no, size_t new_no)
{
	if (r->nlines == r->capl) {
		r->capl = r->capl ? r->capl * 2 : 64;
		r->lines = xrealloc(r->lines, r->capl * sizeof(*r->lines));
	}
	r->lines[r->nlines++] = (struct diff_line){ kind, old_no, new_no,
		                                    l->p, l->len, !l->eol };
	r->added += kind == '+';
	r->removed += kind == '-';
}

/* Emits the hunk holding changes c[first..last] with ctx lines around. */
static void
diff_hunk_emit(struct diff_result *r, const struct dfile *a,
               const struct dfile *b, const struct dchange *c, size_t first,
               size_t last, size_t ctx)
{
	size_t lo0 = c[first].line0 > ctx ? c[first].line0 - ctx : 0;
	size_t lo1 = c[first].line1 > ctx ? c[first].line1 - ctx : 0;
	size_t e0 = c[last].line0 + c[last].deleted;
	size_t e1 = c[last].line1 + c[last].inserted;
	size_t hi0 = a->nall - e0 > ctx ? e0 + ctx : a->nall;
	size_t hi1 = b->nall - e1 > ctx ? e1 + ctx : b->nall;
	size_t i = lo0;
	size_t j = lo1;
	struct diff_hunk h = { lo0 + (hi0 > lo0), hi0 - lo0, lo1 + (hi1 > lo1),
		               hi1 - lo1,         r->nlines, 0 };

	for (size_t k = first; k <= last + 1; k++) {
		size_t stop = k <= last ? c[k].line0 : hi0;
		while (i < stop) {
			diff_push_line(r, ' ', &a->l[i], i + 1, j + 1);
			i++;
			j++;
		}
		if (k > last) {
			break;
		}
		for (size_t d = 0; d < c[k].deleted; d++, i++) {
			diff_push_line(r, '-', &a->l[i], i + 1, 0);
		}
		for (size_t d = 0; d < c[k].inserted; d++, j++) {
			diff_push_line(r, '+', &b->l[j], 0, j + 1);
		}
	}
	h.count = r->nlines - h.first;
	if (r->nhunks == r->caph) {
		r->caph = r->caph ? r->caph * 2 : 8;
		r->hunks = xrealloc(r->hunks, r->caph * sizeof(*r->hunks));
	}
	r->hunks[r->nhunks++] = h;
}

/* Groups changes into hunks: two changes share a hunk when at most
 * 2 * ctx unchanged lines separate them (GNU diff's find_hunk). */
static void
diff_build_hunks(struct diff_result *r, const struct dfile *a,
                 const struct dfile *b, size_t ctx)
{
	struct dchange *c = NULL;
	size_t n = diff_changes(a, b, &c);

	for (size_t first = 0; first < n;) {
		size_t last = first;
		while (last + 1 < n &&
		       c[last + 1].line0 - (c[last].line0 + c[last].deleted) <
		               2 * ctx + 1) {
			last++;
		}
		diff_hunk_emit(r, a, b, c, first, last, ctx);
		first = last + 1;
	}
	free(c);
}

/* ---- public: diff -----------------------------------------------------------
 */

/* Splits both files and finds the region between their common first and
 * last lines, less horizon lines at each end: GNU diff keeps as many as
 * the context so that the first and last runs of changes can still slide
 * a little. */
static void
diff_files_init(struct dfile *a, const char *as, size_t alen, struct dfile *b,
                const char *bs, size_t blen, size_t horizon)
{
	size_t pre = 0;
	size_t suf = 0;

	a->nall = diff_split(as, alen, &a->l);
	b->nall = diff_split(bs, blen, &b->l);
	while (pre < a->nall && pre < b->nall &&
	       diff_line_eq(&a->l[pre], &b->l[pre])) {
		pre++;
	}
	while (suf < a->nall - pre && suf < b->nall - pre &&
	       diff_line_eq(&a->l[a->nall - 1 - suf],
	                    &b->l[b->nall - 1 - suf])) {
		suf++;
	}
	pre = pre > horizon ? pre - horizon : 0;
	suf = suf > horizon ? suf - horizon : 0;
	a->base = b->base = pre;
	a->n = a->nall - pre - suf;
	b->n = b->nall - pre - suf;
	a->eq = xmalloc((a->n + 1) * sizeof(*a->eq));
	b->eq = xmalloc((b->n + 1) * sizeof(*b->eq));
	a->changed = xcalloc(a->n + 2, 1);
	b->changed = xcalloc(b->n + 2, 1);
}

static void
diff_file_free(struct dfile *f)
{
	free(f->l);
	free(f->eq);
	free(f->changed);
	free(f->undisc);
	free(f->real);
}

static void
diff_run(struct dfile *a, struct dfile *b)
{
	size_t nd;
	long *v;
	struct dctx c;

	diff_discard(a, b, diff_classes(a, b));
	nd = a->nund + b->nund + 3;
	v = xmalloc(2 * nd * sizeof(*v));
	c = (struct dctx){
		.xv = a->undisc,
		.yv = b->undisc,
		.xreal = a->real,
		.yreal = b->real,
		.xchg = a->changed + 1,
		.ychg = b->changed + 1,
		.fd = v + b->nund + 1,
		.bd = v + nd + b->nund + 1,
	};
	/* About the square root of the input size, at least 4096. */
	c.too_expensive = 1;
	for (size_t k = nd; k != 0; k >>= 2) {
		c.too_expensive <<= 1;
	}
	c.too_expensive = c.too_expensive < 4096 ? 4096 : c.too_expensive;
	diff_compareseq(&c, 0, (long)a->nund, 0, (long)b->nund, false);
	diff_shift(a, b);
	diff_shift(b, a);
	free(v);
}

int
diff_lines(const char *a, size_t alen, const char *b, size_t blen, int context,
           struct diff_result **out)
{
	struct diff_result *r;
	struct dfile fa = { 0 };
	struct dfile fb = { 0 };
	size_t ctx;

	if ((a == NULL && alen > 0) || (b == NULL && blen > 0)) {
		return AL_EINVAL;
	}
	r = xcalloc(1, sizeof(*r));
	if (diff_is_binary(a, alen) || diff_is_binary(b, blen)) {
		r->binary =
		        alen != blen || (alen > 0 && memcmp(a, b, alen) != 0);
		*out = r;
		return 0;
	}
	ctx = context < 0 ? DIFF_CONTEXT : (size_t)context;
	diff_files_init(&fa, a, alen, &fb, b, blen, ctx);
	diff_run(&fa, &fb);
	diff_build_hunks(r, &fa, &fb, ctx);
	diff_file_free(&fa);
	diff_file_free(&fb);
	*out = r;
	return 0;
}

void
diff_free(struct diff_result *r)
{
	if (r == NULL) {
		return;
	}
	free(r->hunks);
	free(r->lines);
	free(r);
}
