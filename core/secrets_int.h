#ifndef AIRLOCK_CORE_SECRETS_INT_H
#define AIRLOCK_CORE_SECRETS_INT_H

/*
 * Internal to the secret detector (secrets.c, secrets_ctx.c); nothing
 * outside core/secrets*.c includes this.
 */

#include <stdbool.h>
#include <stddef.h>

#include "core/secrets.h"

/* Priorities: when candidates overlap, the higher one wins (a provider
 * token found inside a URL or an assignment keeps its provider type). */
enum {
	SECRETS_PRIO_CONTEXT = 1,
	SECRETS_PRIO_STRUCT = 2,
	SECRETS_PRIO_PROVIDER = 3,
};

struct secrets_cand {
	struct secret_span s;
	int prio;
};

struct secrets_cands {
	struct secrets_cand *v;
	size_t n, cap;
};

void secrets_add(struct secrets_cands *c, size_t start, size_t end,
                 const char *type, int prio);

/* Byte classes (secrets_ctab). */
enum {
	SECRETS_C_ALNUM = 1,  /* [A-Za-z0-9] */
	SECRETS_C_START = 2,  /* can start a provider or structural match */
	SECRETS_C_ASSIGN = 4, /* '=', ':' or '-': an assignment or "-p" */
};

extern const unsigned char secrets_ctab[256];

static inline bool
secrets_is_alnum(unsigned char c)
{
	return (secrets_ctab[c] & SECRETS_C_ALNUM) != 0;
}

/* Value-shape tests shared by both scanners. */
bool secrets_is_placeholder(const char *v, size_t n);
double secrets_entropy(const char *v, size_t n);

/* Decodes standard or URL-safe base64 (padding optional) into out (at
 * least n*3/4+3 bytes); returns the decoded length or -1. */
long secrets_b64_decode(const char *s, size_t n, unsigned char *out);

/*
 * The context scanners of secrets_ctx.c, called by the single pass of
 * secrets.c: at every word start (Authorization headers), and at every
 * '=', ':' and '-' (assignments, URLs with user info, "mysql -p...").
 */
void secrets_ctx_word(const char *t, size_t len, size_t i,
                      struct secrets_cands *c);
void secrets_ctx_punct(const char *t, size_t len, size_t i,
                       struct secrets_cands *c);

#endif
