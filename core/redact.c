#include "core/redact.h"

#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/secrets.h"
#include "core/xalloc.h"

/* U+27E8 and U+27E9, the angle brackets around a redaction marker. */
#define REDACT_OPEN  "\xe2\x9f\xa8"
#define REDACT_CLOSE "\xe2\x9f\xa9"

void
redact_marker(const char *type, const char *value, size_t len,
              char out[REDACT_MARKER_MAX])
{
	char fp[5];
	size_t tl = strlen(type);

	if (tl > REDACT_MARKER_MAX - 16) {
		tl = REDACT_MARKER_MAX - 16;
	}
	secrets_fingerprint(value, len, fp);
	memcpy(out, REDACT_OPEN, 3);
	memcpy(out + 3, type, tl);
	memcpy(out + 3 + tl, " #", 2);
	memcpy(out + 5 + tl, fp, 4);
	memcpy(out + 9 + tl, REDACT_CLOSE, 3);
	out[12 + tl] = '\0';
}

/*
 * The output is sized exactly before it is written: one allocation, no
 * regrowth, whatever the number of secrets.
 */
char *
redact_text(const char *text, size_t len, size_t *out_len)
{
	struct secret_span *s = NULL;
	size_t n = 0, at = 0, olen = len, o = 0;
	char(*marks)[REDACT_MARKER_MAX];
	char *out;

	if (text == NULL) {
		len = 0;
		text = "";
	}
	/* secrets_scan fails only on invalid arguments, excluded above; on
	 * failure n stays 0 and nothing would be hidden, so fail closed. */
	if (secrets_scan(text, len, &s, &n) != 0) {
		abort();
	}
	if (n == 0) {
		if (out_len != NULL) {
			*out_len = len;
		}
		return xmemdup(text, len);
	}
	marks = xmalloc(n * sizeof(*marks));
	for (size_t i = 0; i < n; i++) {
		redact_marker(s[i].type, text + s[i].start,
		              s[i].end - s[i].start, marks[i]);
		olen = olen - (s[i].end - s[i].start) + strlen(marks[i]);
	}
	out = xmalloc(olen + 1);
	for (size_t i = 0; i < n; i++) {
		size_t ml = strlen(marks[i]);
		memcpy(out + o, text + at, s[i].start - at);
		o += s[i].start - at;
		memcpy(out + o, marks[i], ml);
		o += ml;
		at = s[i].end;
	}
	memcpy(out + o, text + at, len - at);
	out[olen] = '\0';
	free(marks);
	free(s);
	if (out_len != NULL) {
		*out_len = olen;
	}
	return out;
}

char *
redact_str(const char *s)
{
	if (s == NULL) {
		return NULL;
	}
	return redact_text(s, strlen(s), NULL);
}

bool
redact_needed(const char *text, size_t len)
{
	return text != NULL && secrets_any(text, len);
}

char *
redact_restore(const char *edited, const char *original)
{
	struct secret_span *s = NULL;
	size_t n = 0;
	char *out;

	if (edited == NULL) {
		return NULL;
	}
	out = xstrdup(edited);
	if (original == NULL ||
	    secrets_scan(original, strlen(original), &s, &n) != 0) {
		return out;
	}
	for (size_t i = 0; i < n; i++) {
		char mark[REDACT_MARKER_MAX];
		const char *value = original + s[i].start;
		size_t vlen = s[i].end - s[i].start;
		struct buf b = { 0 };
		const char *p = out;
		const char *hit;

		redact_marker(s[i].type, value, vlen, mark);
		while ((hit = strstr(p, mark)) != NULL) {
			buf_append(&b, p, (size_t)(hit - p));
			buf_append(&b, value, vlen);
			p = hit + strlen(mark);
		}
		buf_puts(&b, p);
		free(out);
		out = buf_steal(&b);
	}
	free(s);
	return out;
}
