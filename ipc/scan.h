#ifndef AIRLOCK_IPC_SCAN_H
#define AIRLOCK_IPC_SCAN_H

#include <stdio.h>

/*
 * `airlock scan`: screens one text read from `in` for users checking a file
 * and for tests.
 *
 *   scan --secrets            the text with every secret redacted
 *   scan --secrets --json     {"secrets": [{"type", "start", "end"}, ...]}
 *   scan --injection          one line per finding and a verdict line
 *   scan --injection --json   {"injection": bool, "findings":
 *                              [{"technique", "start", "end", "why"}, ...]}
 *
 * Offsets are bytes into the input, end exclusive; a secret value is never
 * printed. argv[0] is the verb ("scan"); options follow in any order.
 * Returns the exit status: 0 when the scan ran (whether or not anything was
 * found), 1 on an I/O error or oversized input, 2 on a usage error (with a
 * message on err).
 */
int scan_main(int argc, char **argv, FILE *in, FILE *out, FILE *err);

/* Largest input scan_main() reads. */
#define SCAN_MAX_INPUT ((size_t)256 << 20)

#endif
