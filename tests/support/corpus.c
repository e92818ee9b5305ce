#include "tests/support/corpus.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/xalloc.h"

char *
corpus_path(const char *rel)
{
	const char *root = getenv("AIRLOCK_SHARED_DIR");

#ifdef AIRLOCK_SHARED_DIR
	if (root == NULL) {
		root = AIRLOCK_SHARED_DIR;
	}
#endif
	if (root == NULL) {
		root = "../shared";
	}
	return xasprintf("%s/%s", root, rel);
}

static FILE *
corpus_open(const char *path, int *is_pipe)
{
	size_t n = strlen(path);

	*is_pipe = n > 3 && strcmp(path + n - 3, ".gz") == 0;
	if (!*is_pipe) {
		return fopen(path, "r");
	}
	char *cmd = xasprintf("zcat '%s'", path);
	FILE *f = popen(cmd, "r");
	free(cmd);
	return f;
}

int
corpus_each(const char *name, corpus_fn fn, void *arg)
{
	char *path = corpus_path(name);
	int is_pipe = 0;
	FILE *f = corpus_open(path, &is_pipe);
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int count = 0;
	int lineno = 0;

	free(path);
	if (f == NULL) {
		return -1;
	}
	while ((n = getline(&line, &cap, f)) > 0) {
		lineno++;
		if (n <= 1) {
			continue;
		}
		cJSON *c = cJSON_ParseWithLength(line, (size_t)n);
		if (c == NULL) {
			count = -1;
			break;
		}
		fn(c, line, lineno, arg);
		cJSON_Delete(c);
		count++;
	}
	free(line);
	if (is_pipe) {
		pclose(f);
	} else {
		fclose(f);
	}
	return count;
}

static int
corpus_hex4(const char *p, unsigned *out)
{
	unsigned v = 0;

	for (int i = 0; i < 4; i++) {
		char c = p[i];
		v <<= 4;
		if (c >= '0' && c <= '9') {
			v |= (unsigned)(c - '0');
		} else if (c >= 'a' && c <= 'f') {
			v |= (unsigned)(c - 'a' + 10);
		} else if (c >= 'A' && c <= 'F') {
			v |= (unsigned)(c - 'A' + 10);
		} else {
			return -1;
		}
	}
	*out = v;
	return 0;
}

static void
corpus_put_utf8(struct buf *b, unsigned cp)
{
	char o[4];

	if (cp < 0x80) {
		buf_putc(b, (char)cp);
	} else if (cp < 0x800) {
		o[0] = (char)(0xc0 | (cp >> 6));
		o[1] = (char)(0x80 | (cp & 0x3f));
		buf_append(b, o, 2);
	} else if (cp < 0x10000) {
		o[0] = (char)(0xe0 | (cp >> 12));
		o[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		o[2] = (char)(0x80 | (cp & 0x3f));
		buf_append(b, o, 3);
	} else {
		o[0] = (char)(0xf0 | (cp >> 18));
		o[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		o[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		o[3] = (char)(0x80 | (cp & 0x3f));
		buf_append(b, o, 4);
	}
}

/* Decodes a JSON string body (between the quotes) with \u0000 kept. */
static int
corpus_unescape(const char *p, const char *end, struct buf *b)
{
	while (p < end) {
		if (*p != '\\') {
			buf_putc(b, *p++);
			continue;
		}
		if (++p >= end) {
			return -1;
		}
		char c = *p++;
		const char *simple = strchr("\"\\/bfnrt", c);
		if (simple != NULL && c != '\0') {
			static const char map[] = "\"\\/\b\f\n\r\t";
			buf_putc(b, map[simple - "\"\\/bfnrt"]);
			continue;
		}
		unsigned cp;
		if (c != 'u' || end - p < 4 || corpus_hex4(p, &cp) != 0) {
			return -1;
		}
		p += 4;
		if (cp >= 0xd800 && cp < 0xdc00 && end - p >= 6 &&
		    p[0] == '\\' && p[1] == 'u') {
			unsigned lo;
			if (corpus_hex4(p + 2, &lo) == 0 && lo >= 0xdc00 &&
			    lo < 0xe000) {
				cp = 0x10000 + ((cp - 0xd800) << 10) +
				     (lo - 0xdc00);
				p += 6;
			}
		}
		corpus_put_utf8(b, cp);
	}
	return 0;
}

int
corpus_input(const char *raw, char **out, size_t *len)
{
	const char *p = strstr(raw, "\"input\":");
	const char *q;
	struct buf b = { 0 };

	if (p == NULL) {
		return -1;
	}
	p = strchr(p + 8, '"');
	if (p == NULL) {
		return -1;
	}
	p++;
	for (q = p; *q != '\0' && *q != '"'; q++) {
		if (*q == '\\' && q[1] != '\0') {
			q++;
		}
	}
	if (*q != '"' || corpus_unescape(p, q, &b) != 0) {
		buf_free(&b);
		return -1;
	}
	*len = b.len;
	*out = buf_steal(&b);
	return 0;
}
