/* Claude Code's file tools: the content an Edit or MultiEdit produces,
 * the diff of a Write, and the binary test that decides whether a diff is
 * shown at all. */
#include "core/diff.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/al.h"
#include "core/buf.h"
#include "core/diff_int.h"
#include "core/xalloc.h"

/* ---- binary detection --------------------------------------------------- */

/* Length of the valid UTF-8 sequence at p, or 0. */
static size_t
diff_utf8_len(const unsigned char *p, size_t n)
{
	size_t len = p[0] < 0xC2   ? 0
	             : p[0] < 0xE0 ? 2
	             : p[0] < 0xF0 ? 3
	             : p[0] < 0xF5 ? 4
	                           : 0;
	unsigned char lo = p[0] == 0xE0 ? 0xA0 : p[0] == 0xF0 ? 0x90 : 0x80;
	unsigned char hi = p[0] == 0xED ? 0x9F : p[0] == 0xF4 ? 0x8F : 0xBF;

	if (len == 0 || n < len || p[1] < lo || p[1] > hi) {
		return 0;
	}
	for (size_t i = 2; i < len; i++) {
		if ((p[i] & 0xC0) != 0x80) {
			return 0;
		}
	}
	return len;
}

bool
diff_is_binary(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t bad = 0;

	if (len == 0 || memchr(s, '\0', len) != NULL) {
		return len != 0;
	}
	for (size_t i = 0; i < len;) {
		size_t k = p[i] < 0x80 ? 1 : diff_utf8_len(p + i, len - i);
		bad += k == 0;
		i += k ? k : 1;
	}
	return bad * 20 > len;
}

/* ---- Write -------------------------------------------------------------- */

int
diff_write(const char *old, size_t oldlen, const char *content, size_t len,
           int context, struct diff_result **out)
{
	struct diff_result *r = NULL;
	int rc = diff_lines(old ? old : "", old ? oldlen : 0, content, len,
	                    context, &r);

	if (rc != 0) {
		return rc;
	}
	r->new_file = old == NULL;
	*out = r;
	return 0;
}

/* ---- Claude Code's Edit and MultiEdit ----------------------------------- */

static const char *
diff_find(const char *h, size_t hlen, const char *n, size_t nlen)
{
	return nlen <= hlen ? memmem(h, hlen, n, nlen) : NULL;
}

static size_t
diff_count(const char *h, size_t hlen, const char *n, size_t nlen)
{
	size_t count = 0;
	const char *p = h;
	const char *m;

	while ((m = diff_find(p, hlen - (size_t)(p - h), n, nlen)) != NULL) {
		count++;
		p = m + nlen;
	}
	return count;
}

static int
diff_edit_fail(struct diff_edit_error *err, int rc, size_t matches,
               const char *msg)
{
	if (err != NULL) {
		err->index = 0;
		err->matches = matches;
		snprintf(err->msg, sizeof(err->msg), "%s", msg);
	}
	return rc;
}

/* Validates e against content; the number of matches goes to *matches. */
static int
diff_edit_check(const char *content, size_t len, const struct diff_edit *e,
                size_t *matches, struct diff_edit_error *err)
{
	if (e->old_len == e->new_len &&
	    memcmp(e->old_s, e->new_s, e->old_len) == 0) {
		return diff_edit_fail(err, AL_EINVAL, 0,
		                      "old_string and new_string are the same");
	}
	if (e->old_len == 0) {
		if (content != NULL && len > 0) {
			return diff_edit_fail(
			        err, AL_EINVAL, 0,
			        "old_string is empty but the file has content");
		}
		*matches = 0;
		return 0;
	}
	*matches = content ? diff_count(content, len, e->old_s, e->old_len) : 0;
	if (*matches == 0) {
		return diff_edit_fail(err, AL_ENOENT, 0,
		                      content ? "old_string not found in file"
		                              : "file does not exist");
	}
	if (*matches > 1 && !e->replace_all) {
		char msg[160];
		snprintf(msg, sizeof(msg),
		         "old_string is not unique: %zu matches (replace_all "
		         "is false)",
		         *matches);
		return diff_edit_fail(err, AL_EEXIST, *matches, msg);
	}
	return 0;
}

int
diff_apply_edit(const char *content, size_t len, const struct diff_edit *e,
                char **out, size_t *outlen, struct diff_edit_error *err)
{
	struct buf b = { 0 };
	size_t matches = 0;
	const char *p = content;
	const char *m;
	int rc = diff_edit_check(content, len, e, &matches, err);

	if (rc != 0) {
		return rc;
	}
	if (e->old_len == 0) {
		buf_append(&b, e->new_s, e->new_len);
	} else {
		while ((m = diff_find(p, len - (size_t)(p - content), e->old_s,
		                      e->old_len)) != NULL) {
			buf_append(&b, p, (size_t)(m - p));
			buf_append(&b, e->new_s, e->new_len);
			p = m + e->old_len;
		}
		buf_append(&b, p, len - (size_t)(p - content));
	}
	*outlen = b.len;
	*out = buf_steal(&b);
	return 0;
}

int
diff_apply_multi(const char *content, size_t len, const struct diff_edit *edits,
                 size_t n, char **out, size_t *outlen,
                 struct diff_edit_error *err)
{
	char *cur = content ? xmemdup(content, len) : NULL;
	size_t curlen = len;

	for (size_t i = 0; i < n; i++) {
		char *next = NULL;
		size_t nextlen = 0;
		int rc = diff_apply_edit(cur, curlen, &edits[i], &next,
		                         &nextlen, err);
		if (rc != 0) {
			if (err != NULL) {
				err->index = i;
			}
			free(cur);
			return rc;
		}
		free(cur);
		cur = next;
		curlen = nextlen;
	}
	*out = cur ? cur : xstrdup("");
	*outlen = cur ? curlen : 0;
	return 0;
}
