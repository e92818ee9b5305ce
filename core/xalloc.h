#ifndef AIRLOCK_CORE_XALLOC_H
#define AIRLOCK_CORE_XALLOC_H

#include <stddef.h>

/*
 * Allocation that aborts on out-of-memory, so OOM is never passed up.
 * Every returned pointer belongs to the caller (free()).
 */
void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);            /* NULL in, NULL out */
char *xstrndup(const char *s, size_t n); /* copies at most n bytes, adds NUL */
char *xmemdup(const void *p, size_t n);  /* n bytes plus a NUL */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
