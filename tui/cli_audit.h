#ifndef AIRLOCK_TUI_CLI_AUDIT_H
#define AIRLOCK_TUI_CLI_AUDIT_H

#include "tui/cli.h"

/*
 * The review verbs of `airlock` over the audit database (docs/audit.md).
 * They open the daemon's database read-only, directly (no daemon needed),
 * except `import`, which writes and therefore refuses to run while a
 * daemon owns the database. Each returns the exit status (see cli.h);
 * `verify` returns 1 when the chain is broken.
 */
int cli_verify(const struct cli *c);
int cli_checkpoint(const struct cli *c);
int cli_show(const struct cli *c);
int cli_sessions(const struct cli *c);
int cli_export(const struct cli *c);
int cli_stats(const struct cli *c);
int cli_alerts(const struct cli *c);
int cli_import(const struct cli *c);

#endif
