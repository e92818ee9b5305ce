/*
 * Carriers of the injection screener: invisible Unicode payloads (tag
 * characters, variation selectors, zero-width splitting, bidi overrides),
 * markdown exfiltration URLs, and HTML/markdown regions a human does not
 * see. Encoded instructions are in inject_decode.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/buf.h"
#include "core/inject_int.h"
#include "core/xalloc.h"

/* ---- invisible Unicode ----------------------------------------------------
 */

static bool
inject_is_zw(uint32_t cp)
{
	return (cp >= 0x200b && cp <= 0x200d) || cp == 0x2060 || cp == 0x2062 ||
	       cp == 0x2063 || cp == 0x2064 || cp == 0xfeff || cp == 0x180e;
}

static bool
inject_is_vs(uint32_t cp)
{
	return (cp >= 0xfe00 && cp <= 0xfe0f) ||
	       (cp >= 0xe0100 && cp <= 0xe01ef);
}

struct inject_uni {
	struct buf tags, vs;
	size_t tag_s, tag_e, vs_s, vs_e;
	size_t ntags, nvs;
	uint32_t before_tags; /* code point before the tag run */
	uint32_t prev;        /* last visible code point */
	size_t zw_count, zw_first, zw_last, zw_run, zw_run_s;
	bool zw_pending;
};

/* Flag emoji (black flag + lower-case tag letters + cancel tag) are the
 * legitimate use of tag characters. */
static void
inject_flush_tags(struct inject_ctx *c, struct inject_uni *u, uint32_t last)
{
	bool flag =
	        u->before_tags == 0x1f3f4 && last == 0xe007f && u->ntags <= 8;

	if (u->ntags >= 4 && !flag) {
		if (!inject_payload(
		            c, u->tags.data, u->tags.len, u->tag_s, u->tag_e,
		            "unicode_tags",
		            "invisible tag characters spell an instruction")) {
			inject_add(
			        c->out, "unicode_tags", u->tag_s, u->tag_e,
			        "invisible tag characters carry hidden text");
		}
	}
	u->ntags = 0;
	buf_reset(&u->tags);
}

static void
inject_flush_vs(struct inject_ctx *c, struct inject_uni *u)
{
	if (u->nvs >= 4) {
		if (!inject_payload(
		            c, u->vs.data, u->vs.len, u->vs_s, u->vs_e,
		            "variation_selectors",
		            "variation selectors encode an instruction")) {
			inject_add(c->out, "variation_selectors", u->vs_s,
			           u->vs_e,
			           "variation selectors carry hidden bytes");
		}
	}
	u->nvs = 0;
	buf_reset(&u->vs);
}

static void
inject_uni_tag(struct inject_uni *u, uint32_t cp, size_t i, size_t adv)
{
	if (u->ntags == 0) {
		u->tag_s = i;
		u->before_tags = u->prev;
	}
	u->tag_e = i + adv;
	u->ntags++;
	if (cp >= 0xe0020 && cp <= 0xe007e) {
		buf_putc(&u->tags, (char)(cp - 0xe0000));
	}
}

static void
inject_uni_vs(struct inject_uni *u, uint32_t cp, size_t i, size_t adv)
{
	unsigned b = cp <= 0xfe0f ? cp - 0xfe00 : cp - 0xe0100 + 16;

	if (u->nvs == 0) {
		u->vs_s = i;
	}
	u->vs_e = i + adv;
	u->nvs++;
	buf_putc(&u->vs, (char)b);
}

/* Zero-width characters between printable ASCII split keywords; between
 * emoji or Arabic-script letters they are ordinary (ZWJ, ZWNJ). */
static void
inject_uni_zw(struct inject_uni *u, size_t i, size_t adv)
{
	if (u->zw_run == 0) {
		u->zw_run_s = i;
		u->zw_pending = u->prev >= 0x20 && u->prev < 0x7f;
	}
	u->zw_run++;
	u->zw_last = i + adv;
}

static void
inject_uni_visible(struct inject_uni *u, uint32_t cp)
{
	if (u->zw_run > 0 && u->zw_pending && cp >= 0x20 && cp < 0x7f) {
		if (u->zw_count == 0) {
			u->zw_first = u->zw_run_s;
		}
		u->zw_count++;
	}
	if (u->zw_run >= 8 && u->zw_count == 0) {
		u->zw_first = u->zw_run_s;
		u->zw_count = 3; /* a long run encodes bits by itself */
	}
	u->zw_run = 0;
	u->prev = cp;
}

static void
inject_bidi(struct inject_ctx *c, size_t i)
{
	const char *nl = memchr(c->text + i, '\n', c->len - i);
	size_t e = nl ? (size_t)(nl - c->text) : c->len;

	inject_add(c->out, "bidi", i, e,
	           "bidirectional override makes text render differently");
}

/* End of the run of ASCII bytes at t[i], eight bytes at a time. */
static size_t
inject_ascii_end(const char *t, size_t len, size_t i)
{
	while (len - i >= 8) {
		uint64_t w;
		memcpy(&w, t + i, 8);
		if (w & 0x8080808080808080u) {
			break;
		}
		i += 8;
	}
	while (i < len && (unsigned char)t[i] < 0x80) {
		i++;
	}
	return i;
}

void
inject_scan_unicode(struct inject_ctx *c)
{
	struct inject_uni u = { 0 };
	size_t i = 0, adv;
	uint32_t last_tag = 0;

	while (i < c->len) {
		unsigned char ch = (unsigned char)c->text[i];
		uint32_t cp =
		        ch < 0x80 ? ch : inject_utf8(c->text, c->len, i, &adv);
		if (ch < 0x80) {
			adv = 1;
		}
		if (cp >= 0xe0000 && cp <= 0xe007f) {
			inject_uni_tag(&u, cp, i, adv);
			last_tag = cp;
		} else if (inject_is_vs(cp)) {
			inject_uni_vs(&u, cp, i, adv);
		} else if (inject_is_zw(cp)) {
			inject_uni_zw(&u, i, adv);
		} else {
			if (u.ntags > 0) {
				inject_flush_tags(c, &u, last_tag);
			}
			if (u.nvs > 0) {
				inject_flush_vs(c, &u);
			}
			if ((cp >= 0x202a && cp <= 0x202e) ||
			    (cp >= 0x2066 && cp <= 0x2069)) {
				inject_bidi(c, i);
			}
			inject_uni_visible(&u, cp);
		}
		i += adv;
		if (ch < 0x80 && i < c->len) {
			/* Further ASCII only moves prev along. */
			size_t j = inject_ascii_end(c->text, c->len, i);
			if (j > i) {
				u.prev = (unsigned char)c->text[j - 1];
				i = j;
			}
		}
	}
	inject_flush_tags(c, &u, last_tag);
	inject_flush_vs(c, &u);
	inject_uni_visible(&u, 0);
	if (u.zw_count >= 3) {
		inject_add(c->out, "zero_width", u.zw_first, u.zw_last,
		           "zero-width characters split or encode words");
	}
	buf_free(&u.tags);
	buf_free(&u.vs);
}

/* ---- markdown exfiltration ------------------------------------------------
 */

/* A query value that the model is meant to fill in: DATA, $(whoami),
 * $TOKEN, {secret}. */
static bool
inject_fill_value(const char *v, size_t n)
{
	size_t caps = 0;

	for (size_t k = 0; k < n; k++) {
		if (v[k] == '$' || v[k] == '{' || v[k] == '<') {
			return true;
		}
		caps += (v[k] >= 'A' && v[k] <= 'Z') || v[k] == '_';
	}
	return n >= 4 && caps == n;
}

static bool
inject_exfil_url(const char *u, size_t n)
{
	const char *q = memchr(u, '?', n);
	size_t k;

	if (q == NULL) {
		return false;
	}
	k = (size_t)(q - u) + 1;
	while (k < n) {
		const char *eq = memchr(u + k, '=', n - k);
		size_t vs, ve;
		if (eq == NULL) {
			break;
		}
		vs = (size_t)(eq - u) + 1;
		ve = vs;
		while (ve < n && u[ve] != '&') {
			ve++;
		}
		if (inject_fill_value(u + vs, ve - vs)) {
			return true;
		}
		k = ve + 1;
	}
	return false;
}

void
inject_scan_markdown(struct inject_ctx *c)
{
	const char *p = c->text;
	const char *end = c->text + c->len;

	if (c->nanchors == 0 && !c->assume_addr) {
		return;
	}
	while ((p = memmem(p, (size_t)(end - p), "](http", 6)) != NULL) {
		const char *u = p + 2;
		const char *e = u;
		while (e < end && *e != ')' && *e != ' ' && *e != '\n' &&
		       e - u < 2048) {
			e++;
		}
		if (inject_exfil_url(u, (size_t)(e - u))) {
			size_t s = (size_t)(p - c->text);
			while (s > 0 && c->text[s - 1] != '[' &&
			       (size_t)(p - c->text) - s < 200) {
				s--;
			}
			s -= s > 0 && c->text[s - 1] == '[';
			s -= s > 0 && c->text[s - 1] == '!';
			inject_add(c->out, "markdown_exfiltration", s,
			           (size_t)(e - c->text) + (e < end),
			           "markdown URL is built to carry data out");
		}
		p = e;
	}
}

/* ---- hidden markup
 * ------------------------------------------------------------ */

struct inject_region {
	size_t s, e;
};

static const char *const inject_hidden_attrs[] = {
	"display:none",
	"display: none",
	"visibility:hidden",
	"visibility: hidden",
	"font-size:0",
	"font-size: 0",
	"font-size=\"0",
	"font-size=\"1\"",
	"opacity:0",
	"opacity: 0",
	"left:-",
	"left: -",
	"top:-",
	"text-indent:-",
	"color:#fff",
	"color: #fff",
	"color:white",
	"color: white",
	"fill=\"white\"",
	"fill=\"#fff",
	" hidden",
	"height:0",
	"width:0",
	"clip:rect(0",
};

static bool
inject_attrs_hide(const char *a, size_t n)
{
	char low[512];

	if (n >= sizeof(low)) {
		n = sizeof(low) - 1;
	}
	for (size_t k = 0; k < n; k++) {
		char ch = a[k];
		low[k] = (ch >= 'A' && ch <= 'Z') ? (char)(ch + 32) : ch;
	}
	low[n] = '\0';
	for (size_t k = 0;
	     k < sizeof(inject_hidden_attrs) / sizeof(inject_hidden_attrs[0]);
	     k++) {
		if (strstr(low, inject_hidden_attrs[k]) != NULL) {
			return true;
		}
	}
	return false;
}

static size_t
inject_find_ci(const char *t, size_t len, size_t from, const char *needle)
{
	size_t m = strlen(needle);

	for (size_t i = from; i + m <= len && i - from < 65536; i++) {
		if (t[i] == '<' && strncasecmp(t + i, needle, m) == 0) {
			return i;
		}
	}
	return len;
}

/* At '<': a comment, a hidden element, or a tag whose attributes (alt,
 * title, content) hide text. Returns where scanning continues. */
static size_t
inject_tag_region(const struct inject_ctx *c, size_t i, struct inject_region *r)
{
	const char *t = c->text;
	size_t j = i + 1, ne, close;
	char name[16], closer[20];
	static const char *const containers[] = { "noscript", "template",
		                                  "script", "details" };

	if (c->len - i >= 4 && memcmp(t + i, "<!--", 4) == 0) {
		const char *e = memmem(t + i + 4, c->len - i - 4, "-->", 3);
		r->s = i;
		r->e = e ? (size_t)(e - t) + 3 : c->len;
		return r->e;
	}
	while (j < c->len && j - i < 15 &&
	       ((t[j] | 0x20) >= 'a' && (t[j] | 0x20) <= 'z')) {
		j++;
	}
	if (j == i + 1) {
		return i + 1;
	}
	memcpy(name, t + i + 1, j - i - 1);
	name[j - i - 1] = '\0';
	for (char *p = name; *p; p++) {
		*p = (char)(*p | 0x20);
	}
	ne = j;
	while (ne < c->len && t[ne] != '>' && ne - i < 512) {
		ne++;
	}
	r->s = i;
	r->e = ne;
	bool container = false;
	for (size_t k = 0; k < sizeof(containers) / sizeof(containers[0]);
	     k++) {
		container |= strcmp(name, containers[k]) == 0;
	}
	if (container || inject_attrs_hide(t + j, ne - j)) {
		snprintf(closer, sizeof(closer), "</%s", name);
		close = inject_find_ci(t, c->len, ne, closer);
		r->e = close;
	}
	return ne + 1;
}

static bool
inject_region_hit(const struct inject_list *l, size_t before,
                  const struct inject_region *r)
{
	for (size_t k = 0; k < before; k++) {
		if (l->v[k].start < r->e && l->v[k].end > r->s) {
			return true;
		}
	}
	return false;
}

static void
inject_hidden_one(struct inject_ctx *c, size_t nf,
                  const struct inject_region *r)
{
	if (r->e > r->s && inject_region_hit(c->out, nf, r)) {
		inject_add(
		        c->out, "hidden_markup", r->s, r->e,
		        "instruction hidden in markup the reader does not see");
	}
}

void
inject_mark_hidden(struct inject_ctx *c)
{
	size_t nf = c->out->n;
	size_t i = 0;
	const char *p;

	if (nf == 0) {
		return;
	}
	while (i < c->len &&
	       (p = memchr(c->text + i, '<', c->len - i)) != NULL) {
		struct inject_region r = { 0, 0 };
		i = inject_tag_region(c, (size_t)(p - c->text), &r);
		inject_hidden_one(c, nf, &r);
	}
	p = c->text;
	while ((p = memmem(p, c->len - (size_t)(p - c->text), "]: #", 4)) !=
	       NULL) {
		const char *nl =
		        memchr(p, '\n', c->len - (size_t)(p - c->text));
		struct inject_region r = { (size_t)(p - c->text),
			                   nl ? (size_t)(nl - c->text)
			                      : c->len };
		inject_hidden_one(c, nf, &r);
		p += 4;
	}
}
