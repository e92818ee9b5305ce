/*
 * libFuzzer target for the prompt-injection screener (core/inject*.c):
 * any bytes in (invalid UTF-8, NULs, nested encodings), findings must be
 * in bounds with a technique and an explanation.
 *
 * Build and run from the repository root (clang):
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE -I. \
 *       fuzz/fuzz_inject.c core/inject.c core/inject_carriers.c \
 *       core/buf.c core/xalloc.c -o /tmp/fuzz_inject
 *   /tmp/fuzz_inject -max_total_time=60 /tmp/fuzz_inject_corpus
 */
#include <stdint.h>
#include <stdlib.h>

#include "core/inject.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct inject_finding *f = NULL;
	size_t n = 0;

	if (inject_screen((const char *)data, size, &f, &n) != 0) {
		abort();
	}
	for (size_t i = 0; i < n; i++) {
		if (f[i].start >= f[i].end || f[i].end > size ||
		    f[i].technique == NULL || f[i].why == NULL) {
			abort();
		}
	}
	free(f);
	return 0;
}
