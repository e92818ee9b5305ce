#ifndef AIRLOCK_IPC_JSONUTIL_H
#define AIRLOCK_IPC_JSONUTIL_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

/*
 * Strict JSON for hostile input. cJSON alone accepts invalid UTF-8, keeps
 * duplicate keys (returning the first, where JavaScript keeps the last),
 * silently truncates strings at \u0000 and ignores trailing bytes; each is
 * a way to show one thing and run another, so each is refused here.
 */

/* Parses buf[0..len) as exactly one JSON value. On failure returns
 * AL_EPARSE and sets *err (caller frees) to a reason with the byte offset;
 * *out is untouched. The caller deletes *out. */
int jsonutil_parse_strict(const char *buf, size_t len, cJSON **out, char **err);

/* True when buf[0..len) is valid UTF-8 (no overlongs, no surrogates). */
bool jsonutil_utf8_valid(const char *buf, size_t len, size_t *bad_at);

/* A string member of obj (case-sensitive), or NULL. Borrowed. */
const char *jsonutil_str(const cJSON *obj, const char *key);

#endif
