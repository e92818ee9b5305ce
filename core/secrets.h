#ifndef AIRLOCK_CORE_SECRETS_H
#define AIRLOCK_CORE_SECRETS_H

#include <stdbool.h>
#include <stddef.h>

/*
 * The secret detector: finds credentials in any text (tool inputs, tool
 * results, transcripts) and reports exact byte spans with a type name from
 * the corpus vocabulary ("github_pat", "aws_secret_access_key",
 * "password_in_url", ...). Provider formats are matched by hand-written
 * prefix scanners; context formats (URLs with passwords, Basic auth, Docker
 * auth blobs, generic password=/secret:/api_key assignments) are matched by
 * their surroundings and kept only when the value is shaped like a secret.
 * Placeholders, masked values, variable references, hashes, UUIDs,
 * identifiers and public keys are not reported.
 *
 * The scan is one linear pass plus bounded look-arounds: it reads no more
 * than a few hundred bytes around any position, so a 1 MB tool result takes
 * milliseconds. The input may hold any bytes, NULs included.
 */

struct secret_span {
	size_t start;     /* byte offset of the first byte of the secret */
	size_t end;       /* byte offset one past its last byte */
	const char *type; /* static string, e.g. "github_pat"; never NULL */
};

/*
 * Scans text[0..len) and returns its secrets in *out (sorted by start,
 * never overlapping) and their count in *n. The caller frees *out (NULL
 * when *n is 0). Returns 0, or AL_EINVAL when text is NULL with len > 0 or
 * out/n is NULL.
 */
int secrets_scan(const char *text, size_t len, struct secret_span **out,
                 size_t *n);

/* True when text[0..len) holds at least one secret. */
bool secrets_any(const char *text, size_t len);

/*
 * A short, stable fingerprint of a secret value: the first 4 hex digits of
 * its SHA-256, written with a NUL to out[0..4].
 */
void secrets_fingerprint(const char *value, size_t len, char out[5]);

#endif
