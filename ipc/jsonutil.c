#include "ipc/jsonutil.h"

#include <stdlib.h>
#include <string.h>

#include "core/al.h"
#include "core/xalloc.h"

static size_t
jsonutil_seq_len(unsigned char c)
{
	if (c < 0x80) {
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		return 2;
	}
	if (c >= 0xe0 && c <= 0xef) {
		return 3;
	}
	if (c >= 0xf0 && c <= 0xf4) {
		return 4;
	}
	return 0;
}

static bool
jsonutil_seq_ok(const unsigned char *p, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80) {
			return false;
		}
	}
	if (n == 3 && p[0] == 0xe0 && p[1] < 0xa0) {
		return false; /* overlong */
	}
	if (n == 3 && p[0] == 0xed && p[1] >= 0xa0) {
		return false; /* UTF-16 surrogate */
	}
	if (n == 4 && p[0] == 0xf0 && p[1] < 0x90) {
		return false; /* overlong */
	}
	if (n == 4 && p[0] == 0xf4 && p[1] >= 0x90) {
		return false; /* beyond U+10FFFF */
	}
	return true;
}

bool
jsonutil_utf8_valid(const char *buf, size_t len, size_t *bad_at)
{
	const unsigned char *p = (const unsigned char *)buf;
	size_t i = 0;

	while (i < len) {
		size_t n = jsonutil_seq_len(p[i]);
		if (n == 0 || i + n > len || !jsonutil_seq_ok(p + i, n)) {
			if (bad_at != NULL) {
				*bad_at = i;
			}
			return false;
		}
		i += n;
	}
	return true;
}

/* Finds a \u0000 escape inside a string of the JSON text (an escaped
 * backslash followed by "u0000" is not one), or a raw control byte there
 * (JSON forbids them and cJSON accepts them: a raw NUL truncates the
 * string just as \u0000 would). Returns its offset or -1. */
static long
jsonutil_find_nul_escape(const char *buf, size_t len)
{
	bool in_str = false;

	for (size_t i = 0; i < len; i++) {
		if (!in_str) {
			in_str = buf[i] == '"';
			continue;
		}
		if ((unsigned char)buf[i] < 0x20) {
			return (long)i;
		}
		if (buf[i] == '"') {
			in_str = false;
		} else if (buf[i] == '\\' && i + 1 < len) {
			if (buf[i + 1] == 'u' && i + 5 < len &&
			    memcmp(buf + i + 2, "0000", 4) == 0) {
				return (long)i;
			}
			i++;
		}
	}
	return -1;
}

static int
jsonutil_cmp_keys(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Sorting the keys keeps a hostile object with many members O(n log n). */
static bool
jsonutil_object_dup(const cJSON *obj, const char **dup)
{
	size_t n = (size_t)cJSON_GetArraySize(obj);
	const char **keys;
	const cJSON *a;
	size_t i = 0;
	bool found = false;

	if (n < 2) {
		return false;
	}
	keys = xmalloc(n * sizeof *keys);
	cJSON_ArrayForEach (a, obj) {
		keys[i++] = a->string;
	}
	qsort(keys, n, sizeof *keys, jsonutil_cmp_keys);
	for (i = 1; i < n && !found; i++) {
		if (strcmp(keys[i - 1], keys[i]) == 0) {
			*dup = keys[i];
			found = true;
		}
	}
	free(keys);
	return found;
}

static bool
jsonutil_has_duplicates(const cJSON *node, const char **dup)
{
	const cJSON *a;

	if (cJSON_IsObject(node) && jsonutil_object_dup(node, dup)) {
		return true;
	}
	cJSON_ArrayForEach (a, node) {
		if (jsonutil_has_duplicates(a, dup)) {
			return true;
		}
	}
	return false;
}

static bool
jsonutil_only_space(const char *p, const char *end)
{
	for (; p < end; p++) {
		if (*p != ' ' && *p != '\t' && *p != '\n' && *p != '\r') {
			return false;
		}
	}
	return true;
}

int
jsonutil_parse_strict(const char *buf, size_t len, cJSON **out, char **err)
{
	const char *end = NULL;
	const char *dup = NULL;
	size_t bad = 0;
	long nul;
	cJSON *root;

	if (!jsonutil_utf8_valid(buf, len, &bad)) {
		*err = xasprintf("invalid UTF-8 at byte %zu", bad);
		return AL_EPARSE;
	}
	nul = jsonutil_find_nul_escape(buf, len);
	if (nul >= 0) {
		*err = xasprintf("\\u0000 or a control character inside a "
		                 "string at byte %ld",
		                 nul);
		return AL_EPARSE;
	}
	root = cJSON_ParseWithLengthOpts(buf, len, &end, false);
	if (root == NULL) {
		const char *at = cJSON_GetErrorPtr();
		long off = (at != NULL && at >= buf && at <= buf + len)
		                   ? (long)(at - buf)
		                   : -1;
		*err = xasprintf("malformed JSON near byte %ld", off);
		return AL_EPARSE;
	}
	if (end != NULL && !jsonutil_only_space(end, buf + len)) {
		*err = xasprintf("trailing data after JSON at byte %ld",
		                 (long)(end - buf));
		cJSON_Delete(root);
		return AL_EPARSE;
	}
	if (jsonutil_has_duplicates(root, &dup)) {
		*err = xasprintf("duplicate key \"%.64s\"", dup);
		cJSON_Delete(root);
		return AL_EPARSE;
	}
	*out = root;
	return 0;
}

const char *
jsonutil_str(const cJSON *obj, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}
