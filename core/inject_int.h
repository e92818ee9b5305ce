#ifndef AIRLOCK_CORE_INJECT_INT_H
#define AIRLOCK_CORE_INJECT_INT_H

/* Internal to the injection screener (inject.c, inject_carriers.c). */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/inject.h"

struct inject_list {
	struct inject_finding *v;
	size_t n, cap;
};

/* One screening pass over one text (the input, or a decoded payload). */
struct inject_ctx {
	const char *text;
	size_t len;
	int depth;        /* 0 for the input, +1 per decoding */
	bool assume_addr; /* decoded payloads count as addressed to the AI */
	size_t nanchors;  /* addressing or standalone matches seen */
	struct inject_list *out;
};

void inject_add(struct inject_list *l, const char *tech, size_t start,
                size_t end, const char *why);

/* Screens text as a payload hidden in the carrier [cs, ce) of the parent:
 * every finding becomes a finding of the parent on the carrier span, plus
 * one of technique tech. Returns true when anything was found. */
bool inject_payload(struct inject_ctx *parent, const char *text, size_t len,
                    size_t cs, size_t ce, const char *tech, const char *why);

/* Decodes one UTF-8 code point at t[i]; *adv gets its length (1 for an
 * invalid byte, which decodes as U+FFFD). */
uint32_t inject_utf8(const char *t, size_t len, size_t i, size_t *adv);

/* Carrier and decoder scanners (inject_carriers.c). */
void inject_scan_unicode(struct inject_ctx *c);
void inject_scan_encoded(struct inject_ctx *c);
void inject_scan_markdown(struct inject_ctx *c);
void inject_mark_hidden(struct inject_ctx *c);

#endif
