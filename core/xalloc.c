#include "core/xalloc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void
xalloc_die(size_t n)
{
	fprintf(stderr, "airlock: out of memory (%zu bytes)\n", n);
	abort();
}

void *
xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (p == NULL) {
		xalloc_die(n);
	}
	return p;
}

void *
xcalloc(size_t count, size_t size)
{
	void *p = calloc(count ? count : 1, size ? size : 1);

	if (p == NULL) {
		xalloc_die(count * size);
	}
	return p;
}

void *
xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (q == NULL) {
		xalloc_die(n);
	}
	return q;
}

char *
xstrdup(const char *s)
{
	if (s == NULL) {
		return NULL;
	}
	return xmemdup(s, strlen(s));
}

char *
xstrndup(const char *s, size_t n)
{
	if (s == NULL) {
		return NULL;
	}
	return xmemdup(s, strnlen(s, n));
}

char *
xmemdup(const void *p, size_t n)
{
	char *q = xmalloc(n + 1);

	if (n > 0) {
		memcpy(q, p, n);
	}
	q[n] = '\0';
	return q;
}

char *
xasprintf(const char *fmt, ...)
{
	va_list ap;
	va_list ap2;
	int n;
	char *s;

	va_start(ap, fmt);
	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0) {
		va_end(ap2);
		return xstrdup("");
	}
	s = xmalloc((size_t)n + 1);
	vsnprintf(s, (size_t)n + 1, fmt, ap2);
	va_end(ap2);
	return s;
}
