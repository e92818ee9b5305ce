#ifndef AIRLOCK_TUI_CLI_PRUNE_H
#define AIRLOCK_TUI_CLI_PRUNE_H

#include "tui/cli.h"

/* `airlock prune --before DATE` (tui/cli_prune.c): asks the daemon to
 * remove the history recorded before DATE (YYYY-MM-DD, midnight UTC, or
 * "30d" / "12h" before now), keeping the chain verifiable. */
int cli_prune(const struct cli *c);

#endif
