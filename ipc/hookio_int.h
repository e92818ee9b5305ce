#ifndef AIRLOCK_IPC_HOOKIO_INT_H
#define AIRLOCK_IPC_HOOKIO_INT_H

/*
 * Private to the hookio module (hookio.c, hookio_json.c): the small JSON
 * reader that hookio.c uses to parse the daemon's reply and the raw event,
 * and to copy JSON values into what it writes. Not for other modules.
 */

#include <stdbool.h>
#include <stddef.h>

#include "ipc/hookio.h"

/* What the reader keeps of the top-level object's members. */
struct hookio_member {
	const char *key;
	bool seen;   /* the first member with this key was read */
	bool is_str; /* ... and was a string: value holds it */
	char *value;
	bool is_obj; /* ... and was an object: at [start, end) */
	size_t start;
	size_t end;
	bool is_num; /* ... and was a number: num holds it */
	double num;
};

/* Reads buf as one value, keeping the top-level members named in m (a
 * NULL-key terminated array); 0 or AL_EPARSE. See hookio_json.c. */
int hookio_json_read(const char *buf, size_t len, bool strict,
                     struct hookio_member *m, bool *is_obj, size_t *end);
/* Frees the strings kept in m by hookio_json_read(). */
void hookio_members_clear(struct hookio_member *m);
/* Compact copy of valid JSON text; the caller frees. */
char *hookio_json_compact(const char *s, size_t len);
/* The compact form of the strictly valid value s starts with, or NULL;
 * the caller frees. */
char *hookio_json_value_text(const char *s);

#endif
