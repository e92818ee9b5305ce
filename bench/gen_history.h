#ifndef AIRLOCK_BENCH_GEN_HISTORY_H
#define AIRLOCK_BENCH_GEN_HISTORY_H

#include <stdint.h>

struct audit;

/* Appends `calls` realistic tool calls spread over `sessions` sessions to
 * db, in batches (audit_batch_begin/end), deterministically from seed.
 * About 1 in 6 calls asks a human and gets a final decision. Returns 0 or
 * an AL_E* code. */
int gen_history_fill(struct audit *db, int64_t calls, int sessions,
                     uint32_t seed);

#endif
