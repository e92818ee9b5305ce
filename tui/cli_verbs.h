#ifndef AIRLOCK_TUI_CLI_VERBS_H
#define AIRLOCK_TUI_CLI_VERBS_H

#include "tui/cli.h"

/* One function per verb; see cli.c for the table and usage lines. */
int cli_pending(const struct cli *c);
int cli_approve(const struct cli *c);
int cli_deny(const struct cli *c);
int cli_log(const struct cli *c);
int cli_status(const struct cli *c);
int cli_daemon(const struct cli *c);
int cli_install(const struct cli *c);
int cli_uninstall(const struct cli *c);
int cli_demo(const struct cli *c);
int cli_check(const struct cli *c);
int cli_policy(const struct cli *c);
int cli_scan(const struct cli *c);
int cli_doctor(const struct cli *c);

#endif
