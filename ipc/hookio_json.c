/*
 * The hookio module's own JSON reader (strict for the daemon's reply,
 * lenient for the raw event) and compact copier, shared with hookio.c
 * through ipc/hookio_int.h. Linked into airlock-hook: libc and core only.
 */
#include "ipc/hookio_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/al.h"
#include "core/xalloc.h"

/*
 * JSON without cJSON: the hook links no JSON library, so that it can be
 * linked statically (the dynamic loader alone costs about as much as the
 * rest of the hook's own work). The reply format is ours and small.
 *
 * The reader has two modes. Strict (the daemon's reply) is RFC 8259 plus
 * airlock's rules for hostile input (see ipc/jsonutil.h): valid UTF-8,
 * no duplicate keys at any depth, no \u0000 or raw control byte in a
 * string, nothing after the value but whitespace. Lenient (the raw event,
 * read only when the daemon cannot answer) accepts what cJSON_Parse
 * accepts, as the fallback did before: it only has to find two names.
 */
#define HOOKIO_JSON_DEPTH 1000 /* cJSON's CJSON_NESTING_LIMIT */

struct hookio_json {
	const char *s;
	size_t len;
	size_t pos;
	size_t str_end; /* the closing quote of the string being read */
	bool strict;
	unsigned depth;
};

static int hookio_json_value(struct hookio_json *j, struct buf *str,
                             struct hookio_member *m);

static int
hookio_json_peek(const struct hookio_json *j)
{
	return j->pos < j->len ? (unsigned char)j->s[j->pos] : -1;
}

static void
hookio_json_ws(struct hookio_json *j)
{
	while (j->pos < j->len) {
		unsigned char c = (unsigned char)j->s[j->pos];
		bool ws = j->strict ? (c == ' ' || c == '\t' || c == '\n' ||
		                       c == '\r')
		                    : c <= ' ';
		if (!ws) {
			return;
		}
		j->pos++;
	}
}

/* Length of the UTF-8 sequence at p (at most n bytes), 0 when invalid:
 * no overlongs, no surrogates, nothing past U+10FFFF (as jsonutil). */
static size_t
hookio_utf8_len(const unsigned char *p, size_t n)
{
	size_t k = p[0] < 0x80                    ? 1
	           : p[0] >= 0xc2 && p[0] <= 0xdf ? 2
	           : p[0] >= 0xe0 && p[0] <= 0xef ? 3
	           : p[0] >= 0xf0 && p[0] <= 0xf4 ? 4
	                                          : 0;

	if (k == 0 || k > n) {
		return 0;
	}
	for (size_t i = 1; i < k; i++) {
		if ((p[i] & 0xc0) != 0x80) {
			return 0;
		}
	}
	if ((k == 3 && p[0] == 0xe0 && p[1] < 0xa0) ||
	    (k == 3 && p[0] == 0xed && p[1] >= 0xa0) ||
	    (k == 4 && p[0] == 0xf0 && p[1] < 0x90) ||
	    (k == 4 && p[0] == 0xf4 && p[1] >= 0x90)) {
		return 0;
	}
	return k;
}

/* Four hex digits, inside the string. A bad digit fails in strict mode
 * and in lenient mode reads as code point 0, as cJSON's parse_hex4 does
 * (which truncates the string there). */
static bool
hookio_json_hex4(struct hookio_json *j, unsigned *out)
{
	unsigned v = 0;
	bool bad = false;

	if (j->str_end - j->pos < 4) {
		return false;
	}
	for (int i = 0; i < 4; i++) {
		char c = j->s[j->pos++];
		unsigned d = c >= '0' && c <= '9'   ? (unsigned)(c - '0')
		             : c >= 'a' && c <= 'f' ? (unsigned)(c - 'a' + 10)
		             : c >= 'A' && c <= 'F' ? (unsigned)(c - 'A' + 10)
		                                    : 16;
		bad = bad || d == 16;
		v = v << 4 | (d & 0xf);
	}
	*out = bad ? 0 : v;
	return !(bad && j->strict);
}

static void
hookio_put_utf8(struct buf *b, unsigned cp)
{
	char u[4];
	size_t n;

	if (cp < 0x80) {
		u[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		u[0] = (char)(0xc0 | cp >> 6);
		u[1] = (char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		u[0] = (char)(0xe0 | cp >> 12);
		u[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		u[2] = (char)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		u[0] = (char)(0xf0 | cp >> 18);
		u[1] = (char)(0x80 | (cp >> 12 & 0x3f));
		u[2] = (char)(0x80 | (cp >> 6 & 0x3f));
		u[3] = (char)(0x80 | (cp & 0x3f));
		n = 4;
	}
	if (b != NULL) {
		buf_append(b, u, n);
	}
}

/* \uXXXX at pos (after the backslash and 'u'), with a surrogate pair
 * joined; lone or reversed surrogates fail (as in cJSON). */
static int
hookio_json_uescape(struct hookio_json *j, struct buf *out)
{
	unsigned cp;
	unsigned lo;

	if (!hookio_json_hex4(j, &cp) || (cp >= 0xdc00 && cp <= 0xdfff)) {
		return AL_EPARSE;
	}
	if (cp >= 0xd800 && cp <= 0xdbff) {
		if (j->str_end - j->pos < 2 || j->s[j->pos] != '\\' ||
		    j->s[j->pos + 1] != 'u') {
			return AL_EPARSE;
		}
		j->pos += 2;
		if (!hookio_json_hex4(j, &lo) || lo < 0xdc00 || lo > 0xdfff) {
			return AL_EPARSE;
		}
		cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
	}
	if (cp == 0 && j->strict) {
		return AL_EPARSE; /* would truncate the string */
	}
	hookio_put_utf8(out, cp);
	return 0;
}

static int
hookio_json_escape(struct hookio_json *j, struct buf *out)
{
	static const char from[] = "bfnrt\"\\/";
	static const char to[] = "\b\f\n\r\t\"\\/";
	const char *k;

	if (j->pos >= j->len) {
		return AL_EPARSE;
	}
	char c = j->s[j->pos++];
	if (c == 'u') {
		return hookio_json_uescape(j, out);
	}
	k = c != '\0' ? strchr(from, c) : NULL;
	if (k == NULL) {
		return AL_EPARSE;
	}
	if (out != NULL) {
		buf_putc(out, to[k - from]);
	}
	return 0;
}

/* A string at pos (its opening quote); decoded into out when not NULL. */
static int
hookio_json_string(struct hookio_json *j, struct buf *out)
{
	size_t e;

	if (hookio_json_peek(j) != '"') {
		return AL_EPARSE;
	}
	j->pos++;
	/* the closing quote first, as cJSON finds it: escapes stay inside */
	for (e = j->pos; e < j->len && j->s[e] != '"'; e++) {
		e += j->s[e] == '\\';
	}
	if (e >= j->len) {
		return AL_EPARSE;
	}
	j->str_end = e;
	while (j->pos < j->len) {
		const unsigned char *p = (const unsigned char *)j->s + j->pos;
		size_t n = 0;
		/* a run of bytes that need no checking, copied at once */
		while (j->pos + n < j->len && p[n] != '"' && p[n] != '\\' &&
		       (!j->strict || (p[n] >= 0x20 && p[n] < 0x80))) {
			n++;
		}
		if (n > 0) {
			if (out != NULL) {
				buf_append(out, p, n);
			}
			j->pos += n;
			continue;
		}
		n = 1;
		if (*p == '"') {
			j->pos++;
			return 0;
		}
		if (*p == '\\') {
			j->pos++;
			if (hookio_json_escape(j, out) != 0) {
				return AL_EPARSE;
			}
			continue;
		}
		if (j->strict) {
			n = *p < 0x20 ? 0 : hookio_utf8_len(p, j->len - j->pos);
			if (n == 0) {
				return AL_EPARSE;
			}
		}
		if (out != NULL) {
			buf_append(out, p, n);
		}
		j->pos += n;
	}
	return AL_EPARSE;
}

static bool
hookio_json_digits(struct hookio_json *j)
{
	size_t from = j->pos;

	while (j->pos < j->len && j->s[j->pos] >= '0' && j->s[j->pos] <= '9') {
		j->pos++;
	}
	return j->pos > from;
}

/* Strict: the RFC 8259 grammar. Lenient: as cJSON, the longest run of
 * number characters (at most 63) and strtod over it. */
static int
hookio_json_number(struct hookio_json *j, double *out)
{
	size_t from = j->pos;
	char tmp[64];
	char *end = NULL;

	if (j->strict) {
		j->pos += hookio_json_peek(j) == '-';
		if (hookio_json_peek(j) == '0') {
			j->pos++;
		} else if (!hookio_json_digits(j)) {
			return AL_EPARSE;
		}
		if (hookio_json_peek(j) == '.') {
			j->pos++;
			if (!hookio_json_digits(j)) {
				return AL_EPARSE;
			}
		}
		if (hookio_json_peek(j) == 'e' || hookio_json_peek(j) == 'E') {
			j->pos++;
			j->pos += hookio_json_peek(j) == '+' ||
			          hookio_json_peek(j) == '-';
			if (!hookio_json_digits(j)) {
				return AL_EPARSE;
			}
		}
	} else {
		while (j->pos < j->len && j->pos - from < sizeof tmp - 1 &&
		       strchr("0123456789+-eE.", j->s[j->pos]) != NULL &&
		       j->s[j->pos] != '\0') {
			j->pos++;
		}
	}
	memcpy(tmp, j->s + from,
	       j->pos - from < sizeof tmp ? j->pos - from : 0);
	tmp[j->pos - from < sizeof tmp ? j->pos - from : 0] = '\0';
	*out = strtod(tmp, &end);
	/* a strict reader refuses what JSON cannot round-trip (1e999) */
	if (end == tmp || (j->strict && !isfinite(*out))) {
		return AL_EPARSE;
	}
	j->pos = from + (size_t)(end - tmp);
	return 0;
}

static int
hookio_json_cmp_keys(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Strict mode: true when two of the n keys are equal. */
static bool
hookio_json_dup_keys(char **keys, size_t n)
{
	qsort(keys, n, sizeof *keys, hookio_json_cmp_keys);
	for (size_t i = 1; i < n; i++) {
		if (strcmp(keys[i - 1], keys[i]) == 0) {
			return true;
		}
	}
	return false;
}

static void
hookio_json_keep(struct hookio_member *m, const char *key,
                 const struct hookio_json *j, size_t start, int kind,
                 const struct buf *str, double num)
{
	for (; m != NULL && m->key != NULL; m++) {
		if (m->seen || strcmp(m->key, key) != 0) {
			continue;
		}
		m->seen = true;
		m->is_str = kind == '"';
		m->value =
		        m->is_str ? xstrdup(str->data ? str->data : "") : NULL;
		m->is_obj = kind == '{';
		m->start = start;
		m->end = j->pos;
		m->is_num = kind == '-';
		m->num = num;
		return;
	}
}

/* One member's value; the top-level object's are kept in m. */
static int
hookio_json_member(struct hookio_json *j, const char *key,
                   struct hookio_member *m)
{
	struct buf str = { 0 };
	size_t start = j->pos;
	int c = hookio_json_peek(j);
	int kind = c == '"' || c == '{'                   ? c
	           : (c == '-' || (c >= '0' && c <= '9')) ? '-'
	                                                  : 0;
	double num = 0;
	int rc;

	if (m == NULL) {
		return hookio_json_value(j, NULL, NULL);
	}
	if (kind == '-') {
		rc = hookio_json_number(j, &num);
	} else {
		rc = hookio_json_value(j, kind == '"' ? &str : NULL, NULL);
	}
	if (rc == 0) {
		hookio_json_keep(m, key, j, start, kind, &str, num);
	}
	buf_free(&str);
	return rc;
}

static int
hookio_json_object(struct hookio_json *j, struct hookio_member *m)
{
	char **keys = NULL;
	size_t n = 0;
	int rc = AL_EPARSE;

	j->pos++; /* { */
	hookio_json_ws(j);
	if (hookio_json_peek(j) == '}') {
		j->pos++;
		return 0;
	}
	for (;;) {
		struct buf key = { 0 };
		hookio_json_ws(j);
		if (hookio_json_string(j, &key) != 0) {
			buf_free(&key);
			goto out;
		}
		keys = xrealloc(keys, (n + 1) * sizeof *keys);
		keys[n++] = buf_steal(&key);
		hookio_json_ws(j);
		if (hookio_json_peek(j) != ':') {
			goto out;
		}
		j->pos++;
		hookio_json_ws(j);
		if (hookio_json_member(j, keys[n - 1], m) != 0) {
			goto out;
		}
		hookio_json_ws(j);
		if (hookio_json_peek(j) == '}') {
			j->pos++;
			break;
		}
		if (hookio_json_peek(j) != ',') {
			goto out;
		}
		j->pos++;
	}
	rc = j->strict && hookio_json_dup_keys(keys, n) ? AL_EPARSE : 0;
out:
	for (size_t i = 0; i < n; i++) {
		free(keys[i]);
	}
	free(keys);
	return rc;
}

static int
hookio_json_array(struct hookio_json *j)
{
	j->pos++; /* [ */
	hookio_json_ws(j);
	if (hookio_json_peek(j) == ']') {
		j->pos++;
		return 0;
	}
	for (;;) {
		hookio_json_ws(j);
		if (hookio_json_value(j, NULL, NULL) != 0) {
			return AL_EPARSE;
		}
		hookio_json_ws(j);
		if (hookio_json_peek(j) == ']') {
			j->pos++;
			return 0;
		}
		if (hookio_json_peek(j) != ',') {
			return AL_EPARSE;
		}
		j->pos++;
	}
}

static int
hookio_json_literal(struct hookio_json *j)
{
	static const char *const lits[] = { "true", "false", "null" };

	for (size_t i = 0; i < sizeof lits / sizeof *lits; i++) {
		size_t n = strlen(lits[i]);
		if (j->len - j->pos >= n &&
		    memcmp(j->s + j->pos, lits[i], n) == 0) {
			j->pos += n;
			return 0;
		}
	}
	return AL_EPARSE;
}

/* Any value at pos; a string is decoded into str when not NULL, and the
 * members of an object are kept in m when not NULL. */
static int
hookio_json_value(struct hookio_json *j, struct buf *str,
                  struct hookio_member *m)
{
	int c = hookio_json_peek(j);
	double num;
	int rc;

	if (c == '"') {
		return hookio_json_string(j, str);
	}
	if (c == '-' || (c >= '0' && c <= '9')) {
		return hookio_json_number(j, &num);
	}
	if (c != '{' && c != '[') {
		return hookio_json_literal(j);
	}
	if (j->depth >= HOOKIO_JSON_DEPTH) {
		return AL_EPARSE;
	}
	j->depth++;
	rc = c == '{' ? hookio_json_object(j, m) : hookio_json_array(j);
	j->depth--;
	return rc;
}

/* Reads buf as one value whose top-level members named in m (a NULL-key
 * terminated array) are kept; *is_obj tells whether it was an object, *end
 * (when not NULL) where the value ends. Strict mode refuses anything but
 * whitespace after it unless end is given. The caller frees the kept
 * strings with hookio_members_clear(). */
int
hookio_json_read(const char *buf, size_t len, bool strict,
                 struct hookio_member *m, bool *is_obj, size_t *end)
{
	struct hookio_json j = { .s = buf, .len = len, .strict = strict };
	int rc;

	if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0) {
		j.pos = 3; /* a BOM, skipped as cJSON does */
	}
	hookio_json_ws(&j);
	*is_obj = hookio_json_peek(&j) == '{';
	rc = hookio_json_value(&j, NULL, *is_obj ? m : NULL);
	if (end != NULL) {
		*end = j.pos;
	} else if (rc == 0 && strict) {
		hookio_json_ws(&j);
		rc = j.pos == len ? 0 : AL_EPARSE;
	}
	return rc;
}

void
hookio_members_clear(struct hookio_member *m)
{
	for (; m->key != NULL; m++) {
		free(m->value);
		m->value = NULL;
	}
}

/* Compact copy of valid JSON text: whitespace outside strings dropped,
 * everything else byte for byte. */
char *
hookio_json_compact(const char *s, size_t len)
{
	struct buf b = { 0 };
	bool in_str = false;

	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (!in_str &&
		    (c == ' ' || c == '\t' || c == '\n' || c == '\r')) {
			continue;
		}
		buf_putc(&b, c);
		if (in_str && c == '\\' && i + 1 < len) {
			buf_putc(&b, s[++i]);
		} else if (c == '"') {
			in_str = !in_str;
		}
	}
	return buf_steal(&b);
}

/* The compact form of the strictly valid value that s starts with (what
 * follows it is ignored, as cJSON_Parse did), or NULL. */
char *
hookio_json_value_text(const char *s)
{
	struct hookio_member none[] = { { .key = NULL } };
	bool is_obj = false;
	size_t end = 0;

	if (s == NULL ||
	    hookio_json_read(s, strlen(s), true, none, &is_obj, &end) != 0) {
		return NULL;
	}
	return hookio_json_compact(s, end);
}
