#ifndef AIRLOCK_CORE_BUF_H
#define AIRLOCK_CORE_BUF_H

#include <stdarg.h>
#include <stddef.h>

/*
 * A growable byte buffer, always NUL-terminated after the first append.
 * Zero-initialise (`struct buf b = { 0 };`), append, then either
 * buf_free() or take the bytes with buf_steal().
 */
struct buf {
	char *data;
	size_t len;
	size_t cap;
};

void buf_append(struct buf *b, const void *p, size_t n);
void buf_puts(struct buf *b, const char *s);
void buf_putc(struct buf *b, char c);
void buf_printf(struct buf *b, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));
void buf_vprintf(struct buf *b, const char *fmt, va_list ap);
void buf_reset(struct buf *b); /* length 0, keeps the memory */
void buf_free(struct buf *b);
/* Returns the bytes (never NULL; "" when empty); the caller frees them and
 * the buffer is left empty. */
char *buf_steal(struct buf *b);
/* The whole file at path as a NUL-terminated string ("" when empty; the
 * caller frees), or NULL when it cannot be opened. */
char *buf_read_file(const char *path);
/* The same, but it stops reading once max bytes are in (it may keep up
 * to one read chunk, 4 KiB, more): for files that should be small. */
char *buf_read_file_max(const char *path, size_t max);

#endif
