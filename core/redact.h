#ifndef AIRLOCK_CORE_REDACT_H
#define AIRLOCK_CORE_REDACT_H

#include <stdbool.h>
#include <stddef.h>

/*
 * The one place secrets are removed from text before it is stored, shown,
 * sent to a console or notified. Every secret the detector finds is
 * replaced by a marker with its type and a short stable fingerprint
 * ("⟨aws_secret_access_key #3f9a⟩"), so two secrets can be told apart
 * without being seen.
 */

/* Returns a redacted copy of text[0..len) (NUL-terminated; *out_len, if
 * not NULL, gets its length). The caller frees it. NULL text gives "". */
char *redact_text(const char *text, size_t len, size_t *out_len);

/* Same for a NUL-terminated string; NULL gives NULL. */
char *redact_str(const char *s);

/* Longest marker redact_marker() writes, NUL included. */
#define REDACT_MARKER_MAX 64

/* Writes the marker that replaces value[0..len) of the given type:
 * "\u27e8type #abcd\u27e9", where abcd is the first four hex digits of the
 * SHA-256 of the value (stable across calls and processes). */
void redact_marker(const char *type, const char *value, size_t len,
                   char out[REDACT_MARKER_MAX]);

/* True when text[0..len) holds something redact_text() would replace. */
bool redact_needed(const char *text, size_t len);

/* The inverse for an approver's edit: in edited (text derived from the
 * redacted form of original), puts back every secret of original whose
 * marker still appears, so that an edited command keeps working. Markers
 * that match no secret of original stay as they are. The caller frees the
 * result; NULL edited gives NULL. */
char *redact_restore(const char *edited, const char *original);

#endif
