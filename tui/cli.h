#ifndef AIRLOCK_TUI_CLI_H
#define AIRLOCK_TUI_CLI_H

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
