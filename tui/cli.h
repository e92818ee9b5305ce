#ifndef AIRLOCK_TUI_CLI_H
#define AIRLOCK_TUI_CLI_H

#include <stdbool.h>

/*
 * The command-line verbs of `airlock` (for scripts, and for people who
 * prefer a pipe to a screen). Each returns the process exit status:
 * 0 success, 1 failure (a message on stderr), 2 usage error.
 */
struct cli {
	const char *home; /* --home, or NULL */
	const char *argv0;
	int argc; /* the verb's own arguments, verb excluded */
	char **argv;
};

/* The value after option name ("--reason R"), or NULL. Borrowed. */
const char *cli_opt(const struct cli *c, const char *name);
/* Whether a flag ("--json") is present. */
bool cli_flag(const struct cli *c, const char *name);
/* The idx-th argument that is neither an option nor the value of one of
 * the options listed in with_value (NULL-terminated), or NULL. */
const char *cli_arg(const struct cli *c, const char *const *with_value,
                    int idx);

/* Runs the verb named name; returns -1 when there is no such verb. */
int cli_run(const char *name, const struct cli *c);
/* Prints the usage text to stderr. */
void cli_usage(void);
/* Makes sure airlockd runs for these paths, starting it in the background
 * as tmux starts its server. Returns 0 when it answers. */
int cli_ensure_daemon(const char *argv0, const char *home);
/* Full path of a sibling program (airlockd, airlock-hook) of argv0; the
 * caller frees. */
char *cli_sibling(const char *argv0, const char *name);

#endif
