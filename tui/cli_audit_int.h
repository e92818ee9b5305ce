#ifndef AIRLOCK_TUI_CLI_AUDIT_INT_H
#define AIRLOCK_TUI_CLI_AUDIT_INT_H

/*
 * Internal to the review verbs (cli_audit.c, cli_show.c); nothing else
 * includes this: argument parsing, time formatting and the read-only
 * store they share.
 */

#include <stdbool.h>
#include <stdint.h>

#include "core/paths.h"
#include "tui/cli.h"

struct audit;

/* A positive decimal integer; false (and *out untouched) otherwise. */
bool cli_audit_num(const char *s, long long *out);
/* "YYYY-MM-DD HH:MM:SS UTC", or "-" for ms <= 0. */
void cli_audit_iso(int64_t ms, char out[40]);
/* "850 ms", "12.3 s", or "-" for a negative ms. */
void cli_audit_duration(int64_t ms, char out[32]);
/* Prints s (agent text, "-" for NULL) to stdout made safe for a terminal;
 * one_line turns line feeds into spaces. */
void cli_audit_put(const char *s, bool one_line);

/* The audit database of c's home, opened directly. */
struct cli_audit_ctx {
	struct paths p;
	struct audit *db;
};

/* Opens the database with audit_open() flags; on failure prints why to
 * stderr, leaves nothing open and returns the AL_E* code. On success the
 * caller calls cli_audit_close(). */
int cli_audit_open(const struct cli *c, struct cli_audit_ctx *x, int flags);
void cli_audit_close(struct cli_audit_ctx *x);

#endif
