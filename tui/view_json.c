#include "tui/view_json.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/al.h"
#include "core/buf.h"
#include "core/xalloc.h"

struct view_json_pp {
	const char *s;
	size_t n, i;
	int depth;
	struct layout_lines *out;
	struct layout_line *line;
};

static void
view_json_newline(struct view_json_pp *p)
{
	p->line = layout_push(p->out);
	layout_pad(p->line, ROLE_NORMAL, 2 * p->depth);
}

static bool
view_json_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static size_t
view_json_skip_space(const char *s, size_t n, size_t i)
{
	while (i < n && view_json_space(s[i])) {
		i++;
	}
	return i;
}

/* End of the string token starting at s[i] == '"' (one past the quote, or
 * n when unterminated). */
static size_t
view_json_string_end(const char *s, size_t n, size_t i)
{
	for (i++; i < n; i++) {
		if (s[i] == '\\') {
			i++;
		} else if (s[i] == '"') {
			return i + 1;
		}
	}
	return n;
}

/* Appends untrusted bytes [a, b) of the input on the current line. */
static void
view_json_emit(struct view_json_pp *p, size_t a, size_t b, enum theme_role role)
{
	layout_add_untrusted(p->out, p->s + a, b - a, role, NULL, 0, role, 0);
	p->line = &p->out->v[p->out->n - 1];
}

static void
view_json_string(struct view_json_pp *p)
{
	size_t end = view_json_string_end(p->s, p->n, p->i);
	size_t next = view_json_skip_space(p->s, p->n, end);
	bool key = next < p->n && p->s[next] == ':';

	view_json_emit(p, p->i, end, key ? ROLE_JSON_KEY : ROLE_JSON_STRING);
	p->i = end;
}

static void
view_json_open(struct view_json_pp *p, char c)
{
	size_t next = view_json_skip_space(p->s, p->n, p->i + 1);
	char close = c == '{' ? '}' : ']';

	if (next < p->n && p->s[next] == close) {
		layout_addf(p->line, ROLE_NORMAL, "%c%c", c, close);
		p->i = next + 1;
		return;
	}
	layout_addf(p->line, ROLE_NORMAL, "%c", c);
	p->depth++;
	view_json_newline(p);
	p->i++;
}

static void
view_json_punct(struct view_json_pp *p, char c)
{
	switch (c) {
	case '{':
	case '[':
		view_json_open(p, c);
		return;
	case '}':
	case ']':
		p->depth = p->depth > 0 ? p->depth - 1 : 0;
		view_json_newline(p);
		layout_addf(p->line, ROLE_NORMAL, "%c", c);
		break;
	case ',':
		layout_add(p->line, ROLE_NORMAL, ",");
		view_json_newline(p);
		break;
	default: /* ':' */
		layout_add(p->line, ROLE_NORMAL, ": ");
		break;
	}
	p->i++;
}

/* A scalar (number, true, false, null) or garbage: up to the next
 * structural character. */
static void
view_json_scalar(struct view_json_pp *p)
{
	size_t end = p->i;

	while (end < p->n && strchr("{}[],:\"", p->s[end]) == NULL &&
	       !view_json_space(p->s[end])) {
		end++;
	}
	if (end == p->i) {
		end++; /* a NUL byte or other stray byte: show it, move on */
	}
	view_json_emit(p, p->i, end, ROLE_NORMAL);
	p->i = end;
}

void
view_json_pretty(const char *json, size_t n, struct layout_lines *out)
{
	struct view_json_pp p = { .s = json, .n = n, .out = out };

	view_json_newline(&p);
	while (p.i < n) {
		char c = json[p.i];

		if (view_json_space(c)) {
			p.i++;
		} else if (c == '"') {
			view_json_string(&p);
		} else if (strchr("{}[],:", c) != NULL) {
			view_json_punct(&p, c);
		} else {
			view_json_scalar(&p);
		}
	}
}

static int
view_json_hex4(const char *s, size_t n, size_t i, uint32_t *out)
{
	uint32_t v = 0;

	if (i + 4 > n) {
		return AL_EPARSE;
	}
	for (size_t k = i; k < i + 4; k++) {
		char c = s[k];
		int d = c >= '0' && c <= '9'   ? c - '0'
		        : c >= 'a' && c <= 'f' ? c - 'a' + 10
		        : c >= 'A' && c <= 'F' ? c - 'A' + 10
		                               : -1;

		if (d < 0) {
			return AL_EPARSE;
		}
		v = v << 4 | (uint32_t)d;
	}
	*out = v;
	return 0;
}

static void
view_json_put_utf8(struct buf *b, uint32_t cp)
{
	if (cp < 0x80) {
		buf_putc(b, (char)cp);
	} else if (cp < 0x800) {
		buf_putc(b, (char)(0xc0 | cp >> 6));
		buf_putc(b, (char)(0x80 | (cp & 0x3f)));
	} else if (cp < 0x10000) {
		buf_putc(b, (char)(0xe0 | cp >> 12));
		buf_putc(b, (char)(0x80 | ((cp >> 6) & 0x3f)));
		buf_putc(b, (char)(0x80 | (cp & 0x3f)));
	} else {
		buf_putc(b, (char)(0xf0 | cp >> 18));
		buf_putc(b, (char)(0x80 | ((cp >> 12) & 0x3f)));
		buf_putc(b, (char)(0x80 | ((cp >> 6) & 0x3f)));
		buf_putc(b, (char)(0x80 | (cp & 0x3f)));
	}
}

/* \uXXXX at s[i] (i at the 'u'), with a following low surrogate; *i is
 * left on the last hex digit. A lone surrogate becomes U+FFFD. */
static int
view_json_unicode(const char *s, size_t n, size_t *i, struct buf *b)
{
	uint32_t cp, lo;

	if (view_json_hex4(s, n, *i + 1, &cp) != 0) {
		return AL_EPARSE;
	}
	*i += 4;
	if (cp >= 0xd800 && cp < 0xdc00 && *i + 6 < n && s[*i + 1] == '\\' &&
	    s[*i + 2] == 'u' && view_json_hex4(s, n, *i + 3, &lo) == 0 &&
	    lo >= 0xdc00 && lo < 0xe000) {
		cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
		*i += 6;
	} else if (cp >= 0xd800 && cp < 0xe000) {
		cp = 0xfffd;
	}
	view_json_put_utf8(b, cp);
	return 0;
}

static char
view_json_simple_escape(char c)
{
	static const char from[] = "\"\\/bfnrt";
	static const char to[] = "\"\\/\b\f\n\r\t";
	const char *p = c ? strchr(from, c) : NULL;

	return p ? to[p - from] : '\0';
}

/* Decodes the string token at s[i] == '"' into b; *end is one past it. */
static int
view_json_decode(const char *s, size_t n, size_t i, struct buf *b, size_t *end)
{
	for (i++; i < n; i++) {
		char c = s[i];

		if (c == '"') {
			*end = i + 1;
			return 0;
		}
		if (c != '\\') {
			buf_putc(b, c);
			continue;
		}
		if (++i >= n) {
			break;
		}
		if (s[i] == 'u') {
			if (view_json_unicode(s, n, &i, b) != 0) {
				return AL_EPARSE;
			}
		} else if (view_json_simple_escape(s[i]) != '\0') {
			buf_putc(b, view_json_simple_escape(s[i]));
		} else {
			return AL_EPARSE;
		}
	}
	return AL_EPARSE;
}

/* End of the value starting at s[i]: the ',' or closing bracket that
 * follows it at the same depth, or n. */
static size_t
view_json_value_end(const char *s, size_t n, size_t i)
{
	int depth = 0;

	while (i < n) {
		char c = s[i];

		if (c == '"') {
			i = view_json_string_end(s, n, i);
			continue;
		}
		if (c == '{' || c == '[') {
			depth++;
		} else if (c == '}' || c == ']') {
			if (depth == 0) {
				return i;
			}
			depth--;
		} else if (c == ',' && depth == 0) {
			return i;
		}
		i++;
	}
	return i;
}

/* Checks the member at s[*i] (a key string): decodes the value into *out
 * when the key matches and the value is a string. *i moves past it. */
static int
view_json_member(const char *s, size_t n, size_t *i, const char *key,
                 struct buf *val, bool *found)
{
	struct buf k = { 0 };
	size_t end;
	int rc = view_json_decode(s, n, *i, &k, &end);

	if (rc != 0) {
		goto out;
	}
	*i = view_json_skip_space(s, n, end);
	if (*i >= n || s[*i] != ':') {
		rc = AL_EPARSE;
		goto out;
	}
	*i = view_json_skip_space(s, n, *i + 1);
	if (k.data != NULL && k.len == strlen(key) &&
	    memcmp(k.data, key, k.len) == 0 && *i < n && s[*i] == '"') {
		*found = true;
		rc = view_json_decode(s, n, *i, val, i);
		goto out;
	}
	*i = view_json_value_end(s, n, *i);
out:
	buf_free(&k);
	return rc;
}

int
view_json_string_field(const char *json, const char *key, char **out,
                       size_t *len)
{
	size_t n = strlen(json);
	size_t i = view_json_skip_space(json, n, 0);
	struct buf val = { 0 };
	bool found = false;

	if (i >= n || json[i] != '{') {
		return AL_EPARSE;
	}
	i = view_json_skip_space(json, n, i + 1);
	while (i < n && json[i] == '"' && !found) {
		int rc = view_json_member(json, n, &i, key, &val, &found);

		if (rc != 0) {
			buf_free(&val);
			return rc;
		}
		i = view_json_skip_space(json, n, i);
		if (i < n && json[i] == ',') {
			i = view_json_skip_space(json, n, i + 1);
		}
	}
	if (!found) {
		return AL_ENOENT;
	}
	*len = val.len;
	*out = buf_steal(&val);
	return 0;
}

/* ---- members of any type, arrays --------------------------------------- */

/* The value of the top-level member key of the object in s[0, n): its
 * bytes [*vs, *ve) (trailing spaces excluded). AL_ENOENT when absent. */
static int
view_json_find(const char *s, size_t n, const char *key, size_t *vs, size_t *ve)
{
	size_t i = view_json_skip_space(s, n, 0);

	if (i >= n || s[i] != '{') {
		return AL_EPARSE;
	}
	i = view_json_skip_space(s, n, i + 1);
	while (i < n && s[i] == '"') {
		struct buf k = { 0 };
		size_t end;
		bool match;

		if (view_json_decode(s, n, i, &k, &end) != 0) {
			buf_free(&k);
			return AL_EPARSE;
		}
		match = k.data != NULL && k.len == strlen(key) &&
		        memcmp(k.data, key, k.len) == 0;
		buf_free(&k);
		i = view_json_skip_space(s, n, end);
		if (i >= n || s[i] != ':') {
			return AL_EPARSE;
		}
		i = view_json_skip_space(s, n, i + 1);
		end = view_json_value_end(s, n, i);
		if (match) {
			*vs = i;
			while (end > i && view_json_space(s[end - 1])) {
				end--;
			}
			*ve = end;
			return 0;
		}
		i = view_json_skip_space(s, n, end);
		if (i < n && s[i] == ',') {
			i = view_json_skip_space(s, n, i + 1);
		}
	}
	return AL_ENOENT;
}

int
view_json_field_span(const char *json, size_t n, const char *key,
                     struct view_json_span *out)
{
	size_t vs, ve;
	int rc = view_json_find(json, n, key, &vs, &ve);

	if (rc == 0) {
		out->s = json + vs;
		out->n = ve - vs;
	}
	return rc;
}

int
view_json_string_value(const struct view_json_span *v, char **out, size_t *len)
{
	struct buf b = { 0 };
	size_t end;

	if (v->n == 0 || v->s[0] != '"' ||
	    view_json_decode(v->s, v->n, 0, &b, &end) != 0) {
		buf_free(&b);
		return AL_EPARSE;
	}
	buf_puts(&b, ""); /* "" decodes to an empty, not a NULL, string */
	*len = b.len;
	*out = buf_steal(&b);
	return 0;
}

int
view_json_string_member(const struct view_json_span *obj, const char *key,
                        char **out, size_t *len)
{
	struct view_json_span v;
	int rc = view_json_field_span(obj->s, obj->n, key, &v);

	if (rc != 0) {
		return rc;
	}
	return v.n > 0 && v.s[0] == '"' ? view_json_string_value(&v, out, len)
	                                : AL_ENOENT;
}

bool
view_json_true_member(const struct view_json_span *obj, const char *key)
{
	struct view_json_span v;

	return view_json_field_span(obj->s, obj->n, key, &v) == 0 && v.n == 4 &&
	       memcmp(v.s, "true", 4) == 0;
}

int
view_json_int_member(const struct view_json_span *obj, const char *key,
                     long long *out)
{
	struct view_json_span v;
	char tmp[32];
	char *end;

	if (view_json_field_span(obj->s, obj->n, key, &v) != 0 || v.n == 0 ||
	    v.n >= sizeof tmp) {
		return AL_ENOENT;
	}
	memcpy(tmp, v.s, v.n);
	tmp[v.n] = '\0';
	*out = strtoll(tmp, &end, 10);
	return *end == '\0' ? 0 : AL_EPARSE;
}

int
view_json_array_items(const struct view_json_span *arr,
                      struct view_json_span **items, size_t *n)
{
	const char *s = arr->s;
	size_t len = arr->n;
	size_t i = view_json_skip_space(s, len, 0);
	struct view_json_span *v = NULL;
	size_t k = 0;

	if (i >= len || s[i] != '[') {
		return AL_EPARSE;
	}
	i = view_json_skip_space(s, len, i + 1);
	while (i < len && s[i] != ']') {
		size_t end = view_json_value_end(s, len, i);
		size_t e = end;

		while (e > i && view_json_space(s[e - 1])) {
			e--;
		}
		v = xrealloc(v, (k + 1) * sizeof *v);
		v[k].s = s + i;
		v[k].n = e - i;
		k++;
		i = end < len && s[end] == ',' ? end + 1 : end;
		i = view_json_skip_space(s, len, i);
		if (end >= len) {
			break;
		}
	}
	*items = v;
	*n = k;
	return 0;
}
