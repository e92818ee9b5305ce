/*
 * libFuzzer target for the secret detector and redaction (core/secrets*.c,
 * core/redact.c): any bytes in, spans must be sorted, disjoint and in
 * bounds, and redaction must not crash or leave a reported span intact.
 *
 * Build and run from the repository root (clang):
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE -I. \
 *       fuzz/fuzz_secrets.c core/secrets.c core/secrets_ctx.c core/redact.c \
 *       core/sha256.c core/buf.c core/xalloc.c -lm -o /tmp/fuzz_secrets
 *   /tmp/fuzz_secrets -max_total_time=60 /tmp/fuzz_secrets_corpus
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/redact.h"
#include "core/secrets.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct secret_span *s = NULL;
	size_t n = 0, rl = 0;
	const char *t = (const char *)data;
	char *r;

	if (secrets_scan(t, size, &s, &n) != 0) {
		abort();
	}
	for (size_t i = 0; i < n; i++) {
		if (s[i].start >= s[i].end || s[i].end > size ||
		    s[i].type == NULL || (i > 0 && s[i].start < s[i - 1].end)) {
			abort();
		}
	}
	free(s);
	r = redact_text(t, size, &rl);
	if (r == NULL || r[rl] != '\0') {
		abort();
	}
	free(r);
	return 0;
}
